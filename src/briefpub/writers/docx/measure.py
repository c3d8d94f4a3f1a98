"""Text measurement with the conversion's real fonts, for the page estimate (DOCX writer stage).

:mod:`.estimate` sets each paragraph's lines the way LibreOffice does, so it
needs what LibreOffice's layout needs: the advance width of every piece of
text in the face and size it is set in, and the height of a line in each face.
Both come from the font files of the conversion's
:class:`~briefpub.fonts.FontSet` (the same files the DOCX embeds, so the same
files LibreOffice lays the document out with):

- **Advances**: HarfBuzz (uharfbuzz) shapes the text with the face at its
  units-per-em, so ligatures, marks and contextual forms count as they print.
  Kerning is left out: LibreOffice imports a DOCX run without ``w:kern`` with
  automatic kerning off (measured: with kerning the estimate breaks lines
  LibreOffice does not).
- **Glyph fallback**: a character the slot's family lacks is measured in the
  first family of the role's list that has it (the style sheet's own families,
  then ``fonts.fallback``), as LibreOffice's fallback through fontconfig
  finds the installed Noto, DejaVu and WenQuanYi faces.
- **Line height**: ascent + descent as LibreOffice's ``ImplCalcLineSpacing``
  reads them: ``hhea`` ascender/descender when set (else the OS/2 Windows
  metrics), the OS/2 typographic ones when the face sets ``USE_TYPO_METRICS``;
  each rounded to the layout unit (a twip, 1/20 pt).

Everything is cached per face, size and text; nothing here touches the file
system except reading the font files the :class:`~briefpub.fonts.FontSet` names.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache

from briefpub.fonts import Face, Family, FontSet, coverage, hb_face

#: Layout unit: LibreOffice's Writer lays out in twips.
TWIP = 0.05


def _twips(value: float) -> float:
    """``value`` points rounded to whole twips."""
    return round(value / TWIP) * TWIP


@dataclass(frozen=True, slots=True)
class VerticalMetrics:
    """A face's ascent and descent in font units, and its units per em."""

    ascent: int
    descent: int
    upem: int

    def line(self, size: float) -> tuple[float, float]:
        """(ascent, descent) in points at ``size``, rounded to twips as LibreOffice keeps them."""
        scale = size / self.upem
        return _twips(self.ascent * scale), _twips(self.descent * scale)


@cache
def vertical_metrics(face: Face) -> VerticalMetrics:
    """The ascent/descent LibreOffice uses for ``face`` (see the module docstring)."""
    from fontTools.ttLib import TTFont

    font = TTFont(face.path, fontNumber=face.index, lazy=True)
    upem = int(font["head"].unitsPerEm)
    ascent = descent = 0
    if "hhea" in font:
        hhea = font["hhea"]
        ascent, descent = int(hhea.ascent), -int(hhea.descent)
    if "OS/2" in font:
        os2 = font["OS/2"]
        if not ascent and not descent:
            ascent, descent = int(os2.usWinAscent), int(os2.usWinDescent)
        if os2.fsSelection & (1 << 7) and os2.sTypoAscender >= 0 and os2.sTypoDescender <= 0:
            ascent, descent = int(os2.sTypoAscender), -int(os2.sTypoDescender)
    font.close()
    if not ascent and not descent:  # pragma: no cover - a face with neither table
        ascent, descent = int(upem * 0.8), int(upem * 0.2)
    return VerticalMetrics(ascent, descent, upem)


class _Shaper:
    """A HarfBuzz font for one face at its units per em (advances in font units)."""

    def __init__(self, face: Face) -> None:
        import uharfbuzz as hb

        self._hb = hb
        shared = hb_face(face.path, face.index)
        self.upem = int(shared.upem)
        self.font = hb.Font(shared)
        self.font.scale = (self.upem, self.upem)
        self._features = {"kern": False}
        self._cache: dict[str, int] = {}

    def units(self, text: str) -> int:
        """The advance of ``text`` in font units (shaped; cached)."""
        found = self._cache.get(text)
        if found is not None:
            return found
        buffer = self._hb.Buffer()
        buffer.add_str(text)
        buffer.guess_segment_properties()
        self._hb.shape(self.font, buffer, self._features)
        total = int(sum(position.x_advance for position in buffer.glyph_positions))
        if len(self._cache) < 200_000:
            self._cache[text] = total
        return total


@cache
def _shaper(face: Face) -> _Shaper:
    return _Shaper(face)


@cache
def _zero_width(char: str) -> bool:
    return unicodedata.category(char) in ("Cc", "Cf", "Zl", "Zp")


class Measurer:
    """Widths and line heights of text in the families of a :class:`~briefpub.fonts.FontSet`."""

    def __init__(self, fontset: FontSet) -> None:
        self.fontset = fontset
        families: dict[str, Family] = {}
        self._fallbacks: list[Family] = []
        for role in ("body", "heading", "mono"):
            for family in fontset.families(role):
                families.setdefault(family.name.casefold(), family)
                if family not in self._fallbacks:
                    self._fallbacks.append(family)
        self._families = families
        self._face_of: dict[tuple[str, bool, bool, str], Face | None] = {}

    def family(self, name: str) -> Family | None:
        """The family called ``name`` in the font set (case-insensitive), if any."""
        return self._families.get(name.casefold())

    def face_for(self, family: str, bold: bool, italic: bool, char: str) -> Face | None:
        """The face LibreOffice sets ``char`` in: the named family's, else the first fallback family's
        that has the character (None when no family has it: measured in the named face)."""
        key = (family, bold, italic, char)
        if key in self._face_of:
            return self._face_of[key]
        found: Face | None = None
        own = self.family(family)
        candidates = ([own] if own is not None else []) + [f for f in self._fallbacks if f is not own]
        code = ord(char)
        for candidate in candidates:
            face = candidate.face(bold, italic)
            if code in coverage(face):
                found = face
                break
        if found is None and own is not None:
            found = own.face(bold, italic)
        elif found is None and self._fallbacks:
            found = self._fallbacks[0].face(bold, italic)
        if len(self._face_of) < 100_000:
            self._face_of[key] = found
        return found

    def pieces(self, text: str, family: str, bold: bool, italic: bool) -> Iterable[tuple[Face | None, str]]:
        """``text`` split into runs set in one face each."""
        current: Face | None = None
        start = 0
        for index, char in enumerate(text):
            face = current if _zero_width(char) else self.face_for(family, bold, italic, char)
            if index == 0:
                current = face
            elif face != current:
                yield current, text[start:index]
                current, start = face, index
        if text:
            yield current, text[start:]

    def width(self, text: str, family: str, size: float, bold: bool, italic: bool) -> float:
        """The advance of ``text`` in points."""
        total = 0.0
        for face, piece in self.pieces(text, family, bold, italic):
            if face is None:
                total += 0.5 * size * len(piece)
                continue
            shaper = _shaper(face)
            total += shaper.units(piece) * size / shaper.upem
        return total

    def extent(self, text: str, family: str, size: float, bold: bool, italic: bool) -> tuple[float, float]:
        """(ascent, descent) in points of a line holding ``text`` (the tallest face it uses)."""
        ascent = descent = 0.0
        faces = {face for face, _ in self.pieces(text, family, bold, italic)} if text else set()
        if not faces:
            own = self.family(family)
            faces = {own.face(bold, italic) if own is not None else None}
        for face in faces:
            if face is None:
                up, down = _twips(size * 0.8), _twips(size * 0.2)
            else:
                up, down = vertical_metrics(face).line(size)
            ascent, descent = max(ascent, up), max(descent, down)
        return ascent, descent
