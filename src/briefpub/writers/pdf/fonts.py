"""Per-character font fallback for the PDF writer, on the conversion's fonts (layout stage).

Fonts are an input (:mod:`briefpub.fonts`): the pipeline resolves a
:class:`~briefpub.fonts.FontSet` once and passes it in ``WriteOptions.fonts``.
reportlab has no font fallback, so this module builds it on that set:

* :class:`FontChain` is a role's families in order (the style's own, then its
  fallback list, as ``FontSet.families(role)`` gives them);
  :meth:`FontChain.segment` splits text into runs, each in the first family
  whose face has every character of the run's grapheme clusters (coverage from
  :func:`briefpub.fonts.coverage`), and records characters that no font has so
  the writer can warn about them. :meth:`FontChain.for_language` puts the
  families made for a language's script first (a ``Span`` in Arabic is set in
  "Noto Sans Arabic" when the chain has it).
* :func:`register_face` / :func:`register_family` register faces with reportlab,
  and :func:`face_of` maps a registered name back to its face (the font files a
  PDF really embeds are reported in ``WriteResult.fonts``).

Nothing here imports reportlab except the registration functions, which do so
lazily; the rest is pure and easy to test.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field

from briefpub.fonts import SLOTS, Face, Family, FontSet, coverage
from briefpub.language import primary_subtag

__all__ = [
    "FontChain",
    "face_of",
    "make_chains",
    "register_face",
    "register_family",
]

#: Words in family names that say a family is made for a language's script.
_SCRIPT_HINTS: dict[str, tuple[str, ...]] = {
    **dict.fromkeys(("ar", "fa", "ur", "ps", "sd", "ug", "ckb"), ("arabic", "naskh", "kufi", "nastaliq")),
    **dict.fromkeys(("he", "iw", "yi", "ji"), ("hebrew",)),
    "hy": ("armenian",),
    "ka": ("georgian",),
    **dict.fromkeys(("hi", "mr", "ne", "sa"), ("devanagari",)),
    "bn": ("bengali",),
    "ta": ("tamil",),
    "te": ("telugu",),
    "gu": ("gujarati",),
    "pa": ("gurmukhi",),
    "kn": ("kannada",),
    "ml": ("malayalam",),
    "si": ("sinhala",),
    "th": ("thai",),
    "lo": ("lao",),
    "km": ("khmer",),
    "my": ("myanmar",),
    "zh": ("sc", "tc", "hk", "chinese", "wenquanyi"),
    "ja": ("jp", "japanese", "mincho", "gothic"),
    "ko": ("kr", "korean", "nanum"),
}


#: Characters that draw nothing: when the current font lacks them they are dropped.
def _is_invisible(char: str) -> bool:
    code = ord(char)
    return (
        unicodedata.category(char) == "Cf"
        or 0xFE00 <= code <= 0xFE0F
        or 0xE0100 <= code <= 0xE01EF
    )


def _clusters(text: str) -> Iterator[str]:
    """Split text into approximate grapheme clusters (base + marks, joiners, selectors)."""
    cluster = ""
    join_next = False
    for char in text:
        if cluster and (join_next or unicodedata.combining(char) or unicodedata.category(char) in ("Mn", "Mc", "Me")
                        or 0xFE00 <= ord(char) <= 0xFE0F or 0x1F3FB <= ord(char) <= 0x1F3FF
                        or 0xE0020 <= ord(char) <= 0xE007F or char == "\u200d"):
            cluster += char
        else:
            if cluster:
                yield cluster
            cluster = char
        join_next = char == "\u200d"
    if cluster:
        yield cluster


@dataclass(slots=True)
class FontChain:
    """A role's families in fallback order, and the code points none of them has."""

    role: str
    families: tuple[Family, ...]
    missing: set[int] = field(default_factory=set)
    _by_language: dict[str, FontChain] = field(default_factory=dict, repr=False, compare=False)

    def __post_init__(self) -> None:
        if not self.families:
            raise ValueError(f"no font family of role {self.role!r} is installed")

    @property
    def primary(self) -> Family:
        """The first installed family of the role."""
        return self.families[0]

    def for_language(self, language: str) -> FontChain:
        """This chain with the families named for ``language``'s script first (itself when none is).

        The chain returned shares :attr:`missing` with this one.
        """
        key = primary_subtag(language)
        found = self._by_language.get(key)
        if found is not None:
            return found
        hints = _SCRIPT_HINTS.get(key, ())
        preferred = tuple(f for f in self.families if hints and set(f.name.casefold().split()) & set(hints))
        chain = self
        if preferred and preferred[0] is not self.families[0]:
            chain = FontChain(self.role, (*preferred, *(f for f in self.families if f not in preferred)),
                              self.missing)
        self._by_language[key] = chain
        return chain

    def face_for(self, cluster: str, bold: bool, italic: bool) -> Face | None:
        """The first face (in chain order) that has every visible character of ``cluster``."""
        needed = [ord(c) for c in cluster if not _is_invisible(c)] or [ord(c) for c in cluster]
        for family in self.families:
            face = family.face(bold, italic)
            cov = coverage(face)
            if all(c in cov for c in needed):
                return face
        return None

    def covers(self, face: Face, text: str) -> bool:
        """True when ``face`` has every visible character of ``text``."""
        lacking = set(map(ord, text)).difference(coverage(face))
        return not lacking or all(c == 0x20 or _is_invisible(chr(c)) for c in lacking)

    def segment(
        self, text: str, bold: bool = False, italic: bool = False, prefer: Face | None = None
    ) -> list[tuple[Face | None, str]]:
        """Split ``text`` into (face, text) runs; face None marks characters no font has.

        ``prefer`` (say, the face a right-to-left paragraph was set in) takes the
        whole text when it has every character of it.

        Characters stay in the current run whenever its face has them (spaces and
        punctuation do not switch fonts); invisible format characters a face lacks
        are dropped; every unprintable code point is added to :attr:`missing`.
        """
        if prefer is not None and not set(map(ord, text)).difference(coverage(prefer)):
            return [(prefer, text)]
        primary = self.primary.face(bold, italic)
        cov = coverage(primary)
        lacking = set(map(ord, text)).difference(cov)
        if not lacking:
            return [(primary, text)]
        if self.covers(primary, text):
            return [(primary, "".join(c for c in text if ord(c) in cov or c == " "))]
        runs: list[tuple[Face | None, list[str]]] = []
        current: Face | None = primary
        for cluster in _clusters(text):
            # Letters and digits take the first family that has them; spaces and
            # punctuation stay in the current run when its face has them.
            neutral = not unicodedata.category(cluster[0]).startswith(("L", "N", "M"))
            if neutral and current is not None and self.covers(current, cluster):
                face: Face | None = current
            else:
                face = self.face_for(cluster, bold, italic)
            if face is None:
                visible = [c for c in cluster if not _is_invisible(c)]
                if not visible:
                    continue
                self.missing.update(ord(c) for c in visible)
            else:
                cov = coverage(face)
                cluster = "".join(c for c in cluster if ord(c) in cov or not _is_invisible(c))
            if runs and runs[-1][0] == face:
                runs[-1][1].append(cluster)
            else:
                runs.append((face, [cluster]))
            if face is not None:
                current = face
        return [(face, "".join(parts)) for face, parts in runs]

    def best_single_face(self, text: str, bold: bool = False, italic: bool = False) -> Face | None:
        """The first face of the chain that has every character of ``text``, if any."""
        for family in self.families:
            face = family.face(bold, italic)
            if self.covers(face, text):
                return face
        return None


def make_chains(fonts: FontSet) -> dict[str, FontChain]:
    """The font chain of every role (``body``, ``heading``, ``mono``) of ``fonts``.

    Raises ValueError naming the role when the set has no family for it.
    """
    return {role: FontChain(role, fonts.families(role)) for role in ("body", "heading", "mono")}


# --------------------------------------------------------------------------
# reportlab registration
# --------------------------------------------------------------------------

_REGISTERED: dict[Face, str] = {}
_FACES: dict[str, Face] = {}


def register_face(face: Face) -> str:
    """Register ``face`` with reportlab once per process and return its font name."""
    name = _REGISTERED.get(face)
    if name is not None:
        return name
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    class _TTFont(TTFont):  # type: ignore[misc]
        """reportlab 5.1 shapes a word set in several fonts with only the first font prepared
        for HarfBuzz (``hbAddPrivate`` missing on the others): prepare any font on demand."""

        def __getattr__(self, attr: str) -> object:
            if attr == "hbAddPrivate":
                TTFont.hbFont(self, 10)
                return self.__dict__["hbAddPrivate"]
            raise AttributeError(attr)

    name = f"bp-{face.key}"
    # asciiReadable and shapable are passed explicitly so rl_config globals cannot change the bytes.
    font = _TTFont(name, face.path, validate=0, subfontIndex=face.index, asciiReadable=1, shapable=True)
    pdfmetrics.registerFont(font)
    _REGISTERED[face] = name
    _FACES[name] = face
    return name


def face_of(name: str) -> Face | None:
    """The face registered as reportlab font ``name`` (None for a font registered elsewhere)."""
    return _FACES.get(name)


def register_family(family: Family) -> str:
    """Register a family's four faces and its ``<b>``/``<i>`` mapping; returns the regular name."""
    from reportlab.lib.fonts import addMapping

    names = {slot: register_face(family.face(*slot)) for slot in SLOTS}
    family_name = names[(False, False)]
    for (bold, italic), face_name in names.items():
        addMapping(family_name, int(bold), int(italic), face_name)
    return family_name
