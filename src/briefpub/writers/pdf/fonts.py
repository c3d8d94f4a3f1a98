"""Font chains for the PDF writer, on the conversion's fonts (layout stage).

Fonts are an input (:mod:`briefpub.fonts`): the pipeline resolves a
:class:`~briefpub.fonts.FontSet` once and passes it in ``WriteOptions.fonts``.
A :class:`FontChain` is a role's families in order (the style's own, then its
fallback list, as ``FontSet.families(role)`` gives them); the text engine
(:mod:`briefpub.writers.pdf.typeset`) picks, per grapheme cluster, the first
face of the chain that has it. :meth:`FontChain.for_language` puts the families
made for a language's script first (a ``Span`` in Arabic is set in "Noto Sans
Arabic" when the chain has it).

The engine embeds the faces it draws
(:class:`~briefpub.writers.pdf.typeset.fonts.EngineTTFont`), each once;
:func:`canvas_font` gives reportlab a font name that adds nothing to the file.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from briefpub.fonts import Family, FontSet
from briefpub.language import primary_subtag

__all__ = ["FontChain", "canvas_font", "make_chains"]

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


@dataclass(slots=True)
class FontChain:
    """A role's families in fallback order."""

    role: str
    families: tuple[Family, ...]
    _by_language: dict[str, FontChain] = field(default_factory=dict, repr=False, compare=False)

    def __post_init__(self) -> None:
        if not self.families:
            raise ValueError(f"no font family of role {self.role!r} is installed")

    @property
    def primary(self) -> Family:
        """The first installed family of the role."""
        return self.families[0]

    def for_language(self, language: str) -> FontChain:
        """This chain with the families named for ``language``'s script first (itself when none is)."""
        key = primary_subtag(language)
        found = self._by_language.get(key)
        if found is not None:
            return found
        hints = _SCRIPT_HINTS.get(key, ())
        preferred = tuple(f for f in self.families if hints and set(f.name.casefold().split()) & set(hints))
        chain = self
        if preferred and preferred[0] is not self.families[0]:
            chain = FontChain(self.role, (*preferred, *(f for f in self.families if f not in preferred)))
        self._by_language[key] = chain
        return chain


def make_chains(fonts: FontSet) -> dict[str, FontChain]:
    """The font chain of every role (``body``, ``heading``, ``mono``) of ``fonts``.

    Raises ValueError naming the role when the set has no family for it.
    """
    return {role: FontChain(role, fonts.families(role)) for role in ("body", "heading", "mono")}


def canvas_font(chains: dict[str, FontChain]) -> str:
    """The reportlab font name for the canvas's initial font and tables' cell font: the body face as the
    text engine embeds it.

    reportlab selects a font at the start of every page (its initial font) and in every table cell (the
    cell style's font) unless that font is a TrueType one, subset on first use: its default, Helvetica,
    would be listed in the file unembedded. Registering the engine's own font object of the body face
    (the one it draws with) adds nothing to the file: no text is ever drawn through the name.
    """
    from reportlab.pdfbase import pdfmetrics

    from briefpub.writers.pdf.typeset import font_data

    ttf = font_data(chains["body"].primary.face(False, False)).ttf
    pdfmetrics.registerFont(ttf)
    return str(ttf.fontName)
