"""The style sheet adapted to reportlab (PDF writer, styling stage).

:class:`PdfStyles` turns a resolved :class:`~briefpub.styling.model.StyleSheet`
into what reportlab needs for one document: font chains per role (registered
as embedded TrueType, never a built-in Type 1 font), ``ParagraphStyle`` objects
for every kind of text, colours, and the hyphenator for the document's
language (:func:`hyphenator_for`, patterns chosen by
:func:`briefpub.language.hyphenation_patterns`; :func:`mixed_hyphenator` gives
the words of a foreign-language ``Span`` their own language's patterns).
Every ``fontName`` and ``bulletFontName`` is set explicitly, because
reportlab's defaults are unembedded Helvetica.
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Callable, Iterator, Mapping

import pyphen
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_JUSTIFY, TA_LEFT, TA_RIGHT
from reportlab.lib.styles import ParagraphStyle

from briefpub.fonts import Face
from briefpub.language import hyphenation_patterns, primary_subtag
from briefpub.styling.model import StyleSheet, TextStyle
from briefpub.writers.pdf.fonts import FontChain, register_face, register_family

__all__ = ["Hyphenator", "PdfStyles", "colour", "hyphenator_for", "mixed_hyphenator"]

_ALIGN = {"left": TA_LEFT, "center": TA_CENTER, "right": TA_RIGHT, "justify": TA_JUSTIFY}
#: The hyphenation pattern sets pyphen has.
_AVAILABLE = frozenset(pyphen.LANGUAGES)
#: Languages whose scripts are not hyphenated: no warning when pyphen lacks them.
_NO_HYPHENATION = frozenset(
    {"zh", "ja", "ko", "ar", "he", "fa", "ur", "yi", "ps", "th", "lo", "km", "my", "bo", "dv", "ug", "sd"}
)

Hyphenator = Callable[[str], Iterator[tuple[str, str]]]


def colour(value: str) -> colors.Color:
    """A reportlab colour from ``#rrggbb``."""
    return colors.HexColor(value)


@functools.cache
def _pyphen(lang: str) -> pyphen.Pyphen:
    return pyphen.Pyphen(lang=lang, left=3, right=3)


def hyphenator_for(language: str) -> tuple[Hyphenator | None, bool]:
    """The hyphenator for a BCP 47 language and whether its absence deserves a warning.

    Returns ``(None, warn)`` when pyphen has no patterns for the language (checked
    up front: reportlab raises ``KeyError`` at layout time otherwise). The
    hyphenator never breaks acronyms (all capitals); reportlab itself offers it
    only words made of letters, so URLs, numbers and code are never hyphenated.
    """
    found = hyphenation_patterns(language, _AVAILABLE) if language else None
    if not found:
        return None, primary_subtag(language) not in _NO_HYPHENATION
    dic = _pyphen(found)

    def hyphenate(word: str) -> Iterator[tuple[str, str]]:
        if word.isupper():
            return iter(())
        return iter(dic.iterate(word))

    return hyphenate, False


def mixed_hyphenator(base: Hyphenator | None, words: Mapping[str, Hyphenator | None]) -> Hyphenator:
    """A hyphenator that breaks the ``words`` of foreign-language spans by their own language's
    patterns (not at all when that language has none) and every other word with ``base``."""

    def hyphenate(word: str) -> Iterator[tuple[str, str]]:
        chosen = words.get(word, base)
        return chosen(word) if chosen is not None else iter(())

    return hyphenate


@dataclasses.dataclass(slots=True)
class PdfStyles:
    """reportlab styles and fonts for one document (or a pack cover) in one style sheet."""

    sheet: StyleSheet
    language: str
    chains: dict[str, FontChain]
    hyphenator: Hyphenator | None
    #: False turns HarfBuzz shaping off everywhere (the fallback when reportlab fails on shaped text).
    allow_shaping: bool = True
    _cache: dict[tuple[object, ...], ParagraphStyle] = dataclasses.field(default_factory=dict)

    @classmethod
    def build(cls, sheet: StyleSheet, language: str, chains: dict[str, FontChain],
              allow_shaping: bool = True) -> PdfStyles:
        """Styles for a document in ``language`` (hyphenation only when the sheet asks for it)."""
        hyphenator = hyphenator_for(language)[0] if sheet.paragraphs.hyphenate else None
        return cls(sheet, language, chains, hyphenator, allow_shaping)

    def chain(self, role: str) -> FontChain:
        """The font chain of a role (``body``, ``heading``, ``mono``)."""
        return self.chains[role]

    def font_name(self, face: Face) -> str:
        """The registered reportlab name of a face."""
        return register_face(face)

    def primary_face(self, text: TextStyle, bold: bool | None = None, italic: bool | None = None) -> Face:
        """The face a text style starts in."""
        b = text.bold if bold is None else bold
        i = text.italic if italic is None else italic
        return self.chain(text.font).primary.face(b, i)

    def paragraph(
        self,
        text: TextStyle,
        *,
        name: str,
        hyphenate: bool = False,
        align: str | None = None,
        left_indent: float = 0.0,
        right_indent: float = 0.0,
        first_line_indent: float = 0.0,
        space_before: float | None = None,
        space_after: float | None = None,
        rtl: bool = False,
        shaping: bool = False,
        face: Face | None = None,
        colour_override: str | None = None,
    ) -> ParagraphStyle:
        """A ``ParagraphStyle`` for ``text`` (cached by its arguments).

        ``hyphenate`` asks for the document's hyphenator (body text only: never
        titles, headings or URLs); ``rtl`` lays the paragraph out right to left;
        ``shaping`` turns on HarfBuzz shaping (joined Arabic; costly, so only for
        paragraphs that need it); ``face`` overrides the starting face.
        """
        key = (text, name, hyphenate, align, left_indent, right_indent, first_line_indent, space_before,
               space_after, rtl, shaping, face, colour_override)
        cached = self._cache.get(key)
        if cached is not None:
            return cached
        start = face or self.primary_face(text)
        font = self.font_name(start)
        register_family(self.chain(text.font).primary)
        alignment = _ALIGN[align or text.align]
        if rtl and alignment == TA_LEFT:
            alignment = TA_RIGHT
        style = ParagraphStyle(
            name,
            fontName=font,
            fontSize=text.size,
            leading=text.leading,
            textColor=colour(colour_override or text.colour),
            alignment=alignment,
            spaceBefore=text.space_before if space_before is None else space_before,
            spaceAfter=text.space_after if space_after is None else space_after,
            leftIndent=left_indent,
            rightIndent=right_indent,
            firstLineIndent=first_line_indent,
            bulletFontName=font,
            bulletFontSize=text.size,
            allowWidows=0,
            allowOrphans=0,
            splitLongWords=1,
            # reportlab 5.1 lets a URL split by its URL rule overflow the frame, so
            # every hyphenation feature is off unless the caller asks for it (and
            # the layout never asks for paragraphs holding a very long word).
            uriWasteReduce=0,
            embeddedHyphenation=1 if hyphenate else 0,
            hyphenationLang=(self.hyphenator if hyphenate and self.hyphenator else ""),
            spaceShrinkage=0.05,
            justifyLastLine=0,
            hyphenationMinWordLength=6,
            wordWrap="RTL" if rtl else None,
            shaping=1 if shaping and self.allow_shaping else 0,
            linkUnderline=int(self.sheet.links.underline),
        )
        self._cache[key] = style
        return style
