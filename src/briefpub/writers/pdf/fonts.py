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
  and :func:`font_file` maps a font the PDF embeds back to its file (the font
  files a PDF really embeds are reported in ``WriteResult.fonts``).

Nothing here imports reportlab except the registration functions, which do so
lazily; the rest is pure and easy to test.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from briefpub.fonts import SLOTS, Face, Family, FontSet, coverage
from briefpub.language import primary_subtag

__all__ = [
    "FontChain",
    "font_file",
    "glue_words",
    "make_chains",
    "register_face",
    "register_family",
    "standard_ligatures_only",
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


def _neutral(cluster: str) -> bool:
    """True for a cluster that is not a letter, digit or mark (spaces, punctuation, symbols)."""
    return not unicodedata.category(cluster[0]).startswith(("L", "N", "M"))


def glue_words(left: list[tuple[Face | None, str]], right: list[tuple[Face | None, str]],
               covers: Callable[[Face, str], bool], refit_left: Callable[[str], Face | None],
               refit_right: Callable[[str], Face | None]) -> None:
    """Where a word runs on from one run of text into the next (``left`` then ``right``, each as
    :meth:`FontChain.segment` split it) across two font families, set it in one font at the seam.

    The punctuation at the seam joins the face of the letters on the other side when that face has
    it; otherwise the word on that side and the punctuation are set together in the first face of
    its chain that has them all (``refit_left`` / ``refit_right``). So ``(`` before a
    foreign-language span and ``,`` after it never split a word between fonts: reportlab shapes a
    word set in several fonts with the first font's glyphs (letters printed as empty boxes).
    """
    if not left or not right:
        return
    (lface, ltext), (rface, rtext) = left[-1], right[0]
    if not ltext or not rtext or lface is None or rface is None or lface.family == rface.family:
        return
    if ltext[-1].isspace() or rtext[0].isspace():
        return
    tail = len(ltext) - len(ltext.rstrip(_punctuation(ltext)))
    head = len(rtext) - len(rtext.lstrip(_punctuation(rtext)))
    if tail and not head:  # "(" + "وزير"
        punctuation, word = ltext[-tail:], rtext.split(maxsplit=1)[0]
        if covers(rface, punctuation):
            left[-1], right[0] = (lface, ltext[:-tail]), (rface, punctuation + rtext)
        elif (face := refit_right(punctuation + word)) is not None:
            left[-1] = (lface, ltext[:-tail])
            right[0:1] = [(face, punctuation + word), (rface, rtext[len(word):])]
    elif head and not tail:  # "وزير" + ","
        punctuation, word = rtext[:head], ltext.rsplit(maxsplit=1)[-1]
        if covers(lface, punctuation):
            left[-1], right[0] = (lface, ltext + punctuation), (rface, rtext[head:])
        elif (face := refit_left(word + punctuation)) is not None:
            left[-1:] = [(lface, ltext[:-len(word)]), (face, word + punctuation)]
            right[0] = (rface, rtext[head:])


def _punctuation(text: str) -> str:
    """The characters of ``text`` that are punctuation or symbols (neutral, not spaces)."""
    return "".join(c for c in set(text) if _neutral(c) and not c.isspace())


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
        placed: list[tuple[Face | None, str]] = []
        current: Face | None = primary
        for cluster in _clusters(text):
            # Letters and digits take the first family that has them; spaces and
            # punctuation stay in the current run when its face has them.
            face: Face | None
            if _neutral(cluster) and current is not None and self.covers(current, cluster):
                face = current
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
            placed.append((face, cluster))
            if face is not None:
                current = face
        self._lead_punctuation(placed)
        runs: list[tuple[Face | None, list[str]]] = []
        for face, cluster in placed:
            if runs and runs[-1][0] == face:
                runs[-1][1].append(cluster)
            else:
                runs.append((face, [cluster]))
        return [(face, "".join(parts)) for face, parts in runs]

    def _lead_punctuation(self, placed: list[tuple[Face | None, str]]) -> None:
        """Punctuation opening a word ("(", "«") takes the face of the word's first letter when that face
        has it, so a word is set in one font (reportlab shapes a word in several fonts with the first
        font's glyphs: an Arabic word in parentheses printed as boxes)."""
        for i, (face, cluster) in enumerate(placed):
            if face is None or not _neutral(cluster) or cluster.isspace():
                continue
            if i and not placed[i - 1][1].isspace() and not _neutral(placed[i - 1][1]):
                continue  # inside or after a word's letters: not opening it
            for later, following in placed[i + 1:]:
                if following.isspace():
                    break
                if not _neutral(following):
                    if later is not None and later.family != face.family and self.covers(later, cluster):
                        placed[i] = (later, cluster)
                    break

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
#: The font file behind each reportlab font name the writer has used (see :func:`register_face`).
_FILES: dict[str, str] = {}


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
    # reportlab makes a second registration of a face (same PostScript name) an alias of the first
    # font object, whose own name is the one the PDF's fonts go by: record the file under both names.
    registered = pdfmetrics.getFont(name)
    _FILES[name] = face.path
    _FILES[registered.fontName] = str(getattr(registered.face, "filename", face.path))
    _REGISTERED[face] = name
    return name


def font_file(name: str) -> str | None:
    """The font file of reportlab font ``name`` as the writer registered it (None for others)."""
    return _FILES.get(name)


def standard_ligatures_only() -> None:
    """Shape with kerning and standard ligatures only (idempotent; changes reportlab for the process).

    reportlab 5.1 shapes with HarfBuzz's discretionary ligatures on (``dlig``): in a paragraph that is
    shaped (one holding Arabic, Hebrew or Indic text) "last" printed with DejaVu's historical "st"
    ligature. Its shaping function takes the features from a default argument, set here.
    """
    from reportlab.pdfbase import ttfonts

    defaults = getattr(ttfonts.shapeFragWord, "__defaults__", None) or ()
    if defaults and isinstance(defaults[0], dict):
        defaults[0]["dlig"] = False


def register_family(family: Family) -> str:
    """Register a family's four faces and its ``<b>``/``<i>`` mapping; returns the regular name."""
    from reportlab.lib.fonts import addMapping

    names = {slot: register_face(family.face(*slot)) for slot in SLOTS}
    family_name = names[(False, False)]
    for (bold, italic), face_name in names.items():
        addMapping(family_name, int(bold), int(italic), face_name)
    return family_name
