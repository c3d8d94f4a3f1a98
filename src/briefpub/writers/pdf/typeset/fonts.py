"""Font data for the text engine: HarfBuzz faces, coverage, and embeddable reportlab fonts.

:func:`font_data` loads a face once per process (keyed by file path and index):
its HarfBuzz face and font (for shaping, in font units), its character coverage
(from the ``cmap``, for fallback), a few metrics, and, on first use for drawing, a
reportlab :class:`EngineTTFont` that embeds the glyphs the engine draws as
TrueType subsets. Only the faces drawn with get one, and its parsed face comes from the
disk cache when it holds it (:mod:`~briefpub.writers.pdf.typeset.facecache`).

reportlab keys subset glyphs by Unicode character. Shaped text draws glyphs that no
character maps to (ligatures, Arabic contextual forms) and glyphs that must extract
as another text than their ``cmap`` character (a mirrored parenthesis, the
inserted hyphen). :meth:`EngineTTFont.key_for` gives each ``(glyph, text)`` pair a
key: the character itself when the font maps it to that glyph, otherwise a private
code point (planes 15-16, never written to the PDF) mapped to the glyph. The
subset's ``ToUnicode`` CMap then maps each code to the pair's *text*, so ligatures
extract as their letters, contextual forms as plain letters, and the inserted
hyphen as a soft hyphen (U+00AD). Private keys depend on the order glyphs are first met in the
process, but they never reach the file: the subset codes follow each document's own
drawing order, so output stays byte-identical.

The engine's fonts are not registered in reportlab's global font table (reportlab
aliases two registrations of one face to the first object, which would mix the
engine's keys with reportlab's own shaping); canvases use them directly.
"""

from __future__ import annotations

import hashlib
import itertools
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from weakref import WeakKeyDictionary

import uharfbuzz as hb
from reportlab.pdfbase.ttfonts import TTEncoding, TTFont

from briefpub._lazyre import lazy_re
from briefpub.fonts import hb_face
from briefpub.writers.pdf.typeset.facecache import load_face
from briefpub.writers.pdf.typeset.model import FaceLike

__all__ = ["EngineTTFont", "FontData", "font_data", "key_of"]

_PRIVATE_START = 0xF0000
_SAFE_NAME = lazy_re(r"[^A-Za-z0-9_-]+")


def key_of(face: FaceLike) -> tuple[str, int]:
    """The cache key of a face: its file path and collection index."""
    return (str(face.path), int(face.index))


@dataclass(eq=False, slots=True)
class FontData:
    """One face, loaded for shaping, measuring and drawing."""

    path: str
    index: int
    name: str
    hb_face: hb.Face
    hb_font: hb.Font
    upem: int
    coverage: frozenset[int]
    ascender: float  # per unit of font size (em)
    descender: float  # negative, per em
    _ttf: EngineTTFont | None = field(default=None, repr=False)
    _advances: dict[int, int] = field(default_factory=dict, repr=False)
    _zero_width: int = field(default=-2, repr=False)  # -2: not looked up yet, -1: none

    @property
    def key(self) -> tuple[str, int]:
        """``(path, index)``."""
        return (self.path, self.index)

    def has(self, char: str) -> bool:
        """True when the face maps ``char`` to a glyph."""
        return ord(char) in self.coverage

    def covers(self, text: str) -> bool:
        """True when the face maps every character of ``text``."""
        return self.coverage.issuperset(map(ord, text))

    def nominal_glyph(self, char: str) -> int | None:
        """The glyph the ``cmap`` gives ``char`` (None when it has none)."""
        gid = self.hb_font.get_nominal_glyph(ord(char))
        return gid if gid else None

    def advance(self, gid: int) -> int:
        """A glyph's horizontal advance in font units."""
        adv = self._advances.get(gid)
        if adv is None:
            adv = self._advances[gid] = int(self.hb_font.get_glyph_h_advance(gid))
        return adv

    @property
    def ttf(self) -> EngineTTFont:
        """The reportlab font that embeds this face's glyphs (loaded on first use)."""
        if self._ttf is None:
            self._ttf = EngineTTFont(self.name, self.path, subfontIndex=self.index, asciiReadable=1)
        return self._ttf

    @property
    def zero_width_glyph(self) -> int | None:
        """A glyph with no outline and no advance (a joiner's), for invisible extraction marks."""
        if self._zero_width == -2:
            self._zero_width = -1
            for code in (0x200B, 0x200C, 0x200D, 0x2060, 0xFEFF):
                gid = self.hb_font.get_nominal_glyph(code)
                if gid and self.advance(gid) == 0:
                    extents = self.hb_font.get_glyph_extents(gid)
                    if extents is None or (extents.width == 0 and extents.height == 0):
                        self._zero_width = int(gid)
                        break
            if self._zero_width < 0:
                for gid in range(1, min(4, self.hb_face.glyph_count)):
                    name = self.hb_font.get_glyph_name(gid) or ""
                    if name in (".null", "NULL", "uni0000", "nonmarkingreturn") and self.advance(gid) == 0:
                        extents = self.hb_font.get_glyph_extents(gid)
                        if extents is None or (extents.width == 0 and extents.height == 0):
                            self._zero_width = gid
                            break
        return self._zero_width if self._zero_width >= 0 else None


_FONTS: dict[tuple[str, int], FontData] = {}


def _pdf_name(path: str, index: int) -> str:
    digest = hashlib.sha1(f"{path}\0{index}".encode(), usedforsecurity=False).hexdigest()[:8]
    stem = _SAFE_NAME.sub("", Path(path).stem)[:40] or "font"
    return f"bpt-{stem}-{index}-{digest}"


def font_data(face: FaceLike) -> FontData:
    """The loaded face (once per process)."""
    key = key_of(face)
    found = _FONTS.get(key)
    if found is not None:
        return found
    path, index = key
    face_hb = hb_face(path, index)
    hb_font = hb.Font(face_hb)
    upem = int(face_hb.upem)
    extents = hb_font.get_font_extents("ltr")
    data = FontData(
        path=path,
        index=index,
        name=_pdf_name(path, index),
        hb_face=face_hb,
        hb_font=hb_font,
        upem=upem,
        coverage=frozenset(face_hb.unicodes),
        ascender=extents.ascender / upem,
        descender=extents.descender / upem,
    )
    _FONTS[key] = data
    return data


_NUMBERS: dict[float, bytes] = {}


def _number(value: float) -> bytes:
    """``value`` as reportlab writes a number in an array (``fp_str``, pure Python without the optional
    ``rl_accel``), remembered: a font's widths are few distinct values, written for every subset."""
    found = _NUMBERS.get(value)
    if found is None:
        from reportlab.lib.rl_accel import fp_str

        if len(_NUMBERS) >= 65536:
            _NUMBERS.clear()
        found = _NUMBERS[value] = fp_str(value).encode("ascii")
    return found


def _utf16_hex(text: str) -> str:
    return text.encode("utf-16-be").hex().upper()


class EngineTTFont(TTFont):  # type: ignore[misc]
    """A reportlab TrueType font whose subsets take glyphs by ``(glyph, text)`` keys.

    Its ``ToUnicode`` CMaps map every code to the text the engine gave its key (so a
    ligature extracts as its letters), UTF-16 with surrogate pairs.
    """

    def __init__(self, name: str, filename: str, subfontIndex: int = 0, asciiReadable: int = 1) -> None:
        # TTFont.__init__, with the face from the disk cache (facecache.load_face) rather than parsed
        # anew; not shapable (the engine shapes with HarfBuzz). test_facecache checks the attributes
        # against TTFont's own.
        self.fontName = name
        self.face = load_face(filename, subfontIndex)
        self.encoding = TTEncoding()
        self.state: WeakKeyDictionary[Any, Any] = WeakKeyDictionary()
        self._asciiReadable = asciiReadable
        self.shapable = False
        self._bp_text: dict[int, str] = {}
        self._bp_keys: dict[tuple[int, str], int] = {}
        self._bp_next = _PRIVATE_START
        self._bp_units = 1000.0 / self.face.unitsPerEm

    def key_for(self, gid: int, text: str) -> int:
        """The character key that draws glyph ``gid`` and extracts as ``text``."""
        pair = (gid, text)
        key = self._bp_keys.get(pair)
        if key is not None:
            return key
        face = self.face
        char_to_glyph = face.charToGlyph
        if len(text) == 1 and char_to_glyph.get(ord(text)) == gid and ord(text) != 0xA0:
            key = ord(text)
        else:
            key = self._bp_next
            while key in char_to_glyph:
                key += 1
            if key > 0x10FFFD:
                raise ValueError(f"font {self.fontName}: too many distinct glyph texts")
            self._bp_next = key + 1
            char_to_glyph[key] = gid
            face.charWidths[key] = face.hmetrics[gid][0] * self._bp_units
            self._bp_text[key] = text
        self._bp_keys[pair] = key
        return key

    def keys_for(self, gids: Sequence[int], texts: Sequence[str]) -> list[int]:
        """:meth:`key_for` of each ``(gid, text)`` pair (the known ones looked up at once)."""
        keys = list(map(self._bp_keys.get, zip(gids, texts, strict=True), itertools.repeat(-1)))
        if -1 in keys:
            return [self.key_for(gid, text) for gid, text in zip(gids, texts, strict=True)]
        return keys

    def addObjects(self, doc: Any) -> None:
        """Write the subsets used in ``doc`` (reportlab's own code, with our ``ToUnicode``)."""
        from reportlab.pdfbase import pdfdoc
        from reportlab.pdfbase.ttfonts import SUBSETN

        state = self.state[doc]
        state.frozen = 1
        for n, subset in enumerate(state.subsets):
            internal = self.getSubsetInternalName(n, doc)[1:]
            base = b"".join((SUBSETN(n), b"+", self.face.name, self.face.subfontNameX)).decode("pdfdoc")
            pdf_font = pdfdoc.PDFTrueTypeFont()
            pdf_font.__Comment__ = f"Font {self.fontName} subset {n}"
            pdf_font.Name = internal
            pdf_font.BaseFont = base
            pdf_font.FirstChar = 0
            pdf_font.LastChar = len(subset) - 1
            pdf_font.Widths = pdfdoc.PDFArray([_number(w) for w in map(self.face.getCharWidth, subset)])
            cmap = pdfdoc.PDFStream()
            cmap.content = self._to_unicode(base, subset)
            if doc.compression:
                cmap.filters = [pdfdoc.PDFZCompress]
            pdf_font.ToUnicode = doc.Reference(cmap, "toUnicodeCMap:" + base)
            pdf_font.FontDescriptor = self.face.addSubsetObjects(doc, base, subset)
            doc.Reference(pdf_font, internal)
            doc.idToObject["BasicFonts"].dict[internal] = pdf_font
        del self.state[doc]

    def _to_unicode(self, name: str, subset: list[int]) -> str:
        texts = self._bp_text
        entries = [f"<{i:02X}> <{_utf16_hex(texts.get(code, chr(code)))}>" for i, code in enumerate(subset)]
        lines = [
            "/CIDInit /ProcSet findresource begin",
            "12 dict begin",
            "begincmap",
            "/CIDSystemInfo",
            f"<< /Registry ({name})",
            f"/Ordering ({name})",
            "/Supplement 0",
            ">> def",
            f"/CMapName /{name} def",
            "/CMapType 2 def",
            "1 begincodespacerange",
            f"<00> <{len(subset) - 1:02X}>",
            "endcodespacerange",
        ]
        # bfchar blocks hold at most 100 entries each (PDF reference, 5.9.2)
        for start in range(0, len(entries), 100):
            block = entries[start : start + 100]
            lines.append(f"{len(block)} beginbfchar")
            lines.extend(block)
            lines.append("endbfchar")
        lines += ["endcmap", "CMapName currentdict /CMap defineresource pop", "end", "end"]
        return "\n".join(lines)
