"""Styled runs to a paragraph flowable: the one place where the PDF writer sets text (layout stage).

Every paragraph of the PDF made from article text (body, headings, captions,
list items, table cells, quotes, the title block, key points, attribution
values, summary entries) comes out of :meth:`Setter.paragraph`, which takes the
runs of the shared inline walk (:func:`briefpub.writers.common.inlines.flatten`)
and a :class:`ParagraphSpec`, and decides, once:

* typographic punctuation in the document's language
  (:func:`briefpub.writers.common.typography.smarten_texts`, when the style's
  ``paragraphs.smart_punctuation`` is on; code and URLs are never changed);
* direction and shaping (:func:`~briefpub.writers.pdf.markup.analyse`): a
  right-to-left paragraph that one face covers is set from one run in that face
  (reportlab's bidi layout breaks on inline markup; emphasis and links inside
  it are then printed plain, and that is reported);
* fonts per character, and per language for a ``Span`` (its script's family
  first), links, line breaks and inline images
  (:func:`~briefpub.writers.pdf.markup.runs_markup`); an inline image that is
  missing prints its alt text and is reported;
* hyphenation: the document's patterns, a span's words by its own language's
  patterns (:func:`~briefpub.writers.pdf.styles.mixed_hyphenator`), none in a
  paragraph holding a word wider than half the frame;
* the flowable: a :class:`~briefpub.writers.pdf.flowables.LocatedParagraph`
  carrying where it comes from (or a heading that places its destination and
  outline entry), with the alt text of its inline images kept (``bp_alt``).

This is the seam where the paragraph engine (``writers/pdf/typeset/``) replaces
reportlab's ``Paragraph``.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Sequence

from reportlab.lib.styles import ParagraphStyle
from reportlab.pdfbase.pdfmetrics import stringWidth

from briefpub.diagnostics import Diagnostic
from briefpub.language import primary_subtag
from briefpub.styling.model import TextStyle
from briefpub.writers.common.inlines import BreakRun, ImageRun, Run, RunStyle, TextRun
from briefpub.writers.common.typography import smarten_texts
from briefpub.writers.pdf.flowables import HeadingParagraph, LocatedParagraph, Where
from briefpub.writers.pdf.images import Images
from briefpub.writers.pdf.markup import InlineContext, analyse, parse, plain_markup, runs_markup
from briefpub.writers.pdf.styles import Hyphenator, PdfStyles, hyphenator_for, mixed_hyphenator

__all__ = ["HeadingMark", "ParagraphSpec", "Setter", "plain_runs"]

_WORD = re.compile(r"[^\W\d_]+(?:-[^\W\d_]+)*")
_URL_LIKE = re.compile(r"://|^www\.|^mailto:", re.I)


@dataclasses.dataclass(frozen=True, slots=True)
class HeadingMark:
    """What makes a paragraph a heading: its destination ``key`` and outline entry (``level`` None: a
    destination only)."""

    key: str
    level: int | None
    outline: str
    closed: bool = False


@dataclasses.dataclass(frozen=True, slots=True)
class ParagraphSpec:
    """How to set one paragraph: its text style, a style name (``kind``), layout options, and where
    its content comes from (``where``). ``width`` is the room for inline images (0: the frame's)."""

    text: TextStyle
    kind: str
    where: Where | None = None
    hyphenate: bool = False
    align: str | None = None
    left_indent: float = 0.0
    right_indent: float = 0.0
    first_line_indent: float = 0.0
    space_before: float | None = None
    space_after: float | None = None
    heading: HeadingMark | None = None
    width: float = 0.0


def plain_runs(value: str, text: TextStyle) -> list[Run]:
    """One run of plain text (a frame value: title, key point, label) in ``text``'s weight and slant."""
    return [TextRun(value, RunStyle(bold=text.bold, italic=text.italic))] if value else []


class Setter:
    """Sets the paragraphs of one article (one language: its styles' hyphenation and punctuation)."""

    def __init__(self, styles: PdfStyles, images: Images, diagnostics: list[Diagnostic], *, rtl: bool,
                 width: float, height: float) -> None:
        self.styles = styles
        self.images = images
        self.diagnostics = diagnostics
        self.rtl = rtl
        self.width = width
        self.height = height
        self._hyphenators: dict[str, Hyphenator | None] = {}

    def paragraph(self, runs: Sequence[Run], spec: ParagraphSpec) -> LocatedParagraph:
        """The paragraph flowable for ``runs`` set as ``spec`` says (see the module docstring)."""
        styles, text = self.styles, spec.text
        runs = self._shown(self._smarten(runs))
        plain = "".join(r.text if isinstance(r, TextRun) else " " if isinstance(r, BreakRun) else "" for r in runs)
        needs = analyse(plain, self.rtl)
        width = spec.width or self.width
        face = None
        images: list[ImageRun] = []
        has_images = any(isinstance(r, ImageRun) for r in runs)
        if needs.rtl and not has_images:
            face = styles.chain(text.font).best_single_face(plain, text.bold, text.italic)
        if face is not None:
            base = RunStyle(bold=text.bold, italic=text.italic)
            if any(not isinstance(r, TextRun) or r.style != base for r in runs):
                self.diagnostics.append(Diagnostic(
                    "writer.not-rendered",
                    "emphasis and links inside a right-to-left paragraph were printed as plain text",
                    text=plain[:80], severity="info",
                ))
            markup = plain_markup(styles, text.font, plain, bold=text.bold, italic=text.italic, base=face)
        else:
            ctx = InlineContext(
                styles=styles, role=text.font, base_face=styles.primary_face(text),
                link_colour=styles.sheet.links.colour, font_size=text.size,
                mono_size=styles.sheet.code.size * text.size / styles.sheet.body.size,
                image_size=lambda key: self.images.fit(key, width, self.height * 0.4),
            )
            markup, images = runs_markup(ctx, runs)
        hyphenate = spec.hyphenate and not self._has_long_word(plain, text)
        style = styles.paragraph(
            text, name=spec.kind, hyphenate=hyphenate, rtl=needs.rtl, shaping=needs.shaping, face=face,
            align=spec.align, left_indent=spec.left_indent, right_indent=spec.right_indent,
            first_line_indent=spec.first_line_indent, space_before=spec.space_before, space_after=spec.space_after,
        )
        foreign = self._foreign_words(runs) if hyphenate and styles.sheet.paragraphs.hyphenate else {}
        if foreign:
            style = ParagraphStyle(f"{style.name}-spans", parent=style, embeddedHyphenation=1,
                                   hyphenationLang=mixed_hyphenator(styles.hyphenator, foreign))
        frags = None
        if images:
            style = ParagraphStyle(f"{style.name}-images", parent=style, autoLeading="max")
            frags = parse(markup, style, self.images.reader)
        para: LocatedParagraph
        if spec.heading is not None:
            mark = spec.heading
            para = HeadingParagraph(markup, style, frags=frags, key=mark.key, level=mark.level,
                                    outline=mark.outline, closed=mark.closed)
        else:
            para = LocatedParagraph(markup, style, frags=frags)
        para.bp_where = spec.where
        para.bp_alt = tuple(run.image.alt for run in images)
        return para

    def text(self, value: str, spec: ParagraphSpec) -> LocatedParagraph:
        """A paragraph of plain text (a frame value)."""
        return self.paragraph(plain_runs(value, spec.text), spec)

    # -- helpers ------------------------------------------------------------------------------

    def _smarten(self, runs: Sequence[Run]) -> Sequence[Run]:
        """Typographic punctuation in the text runs (not code, not URLs), when the style asks for it."""
        if not self.styles.sheet.paragraphs.smart_punctuation:
            return runs
        texts = [r for r in runs if isinstance(r, TextRun)]
        if not texts:
            return runs
        fixed = smarten_texts([r.text for r in texts], self.styles.language,
                              code=[r.style.code or bool(_URL_LIKE.search(r.text)) for r in texts])
        new = {id(r): TextRun(t, r.style) for r, t in zip(texts, fixed, strict=True) if t != r.text}
        return [new.get(id(r), r) for r in runs] if new else runs

    def _shown(self, runs: Sequence[Run]) -> list[Run]:
        """``runs`` with each inline image that cannot be shown replaced by its alt text (reported)."""
        out: list[Run] = []
        for run in runs:
            if isinstance(run, ImageRun) and not self.images.usable(run.image.src, "alt text"):
                if run.image.alt:
                    out.append(TextRun(run.image.alt, run.style))
                continue
            out.append(run)
        return out

    def _foreign_words(self, runs: Sequence[Run]) -> dict[str, Hyphenator | None]:
        """The words of spans in another language than the document's, with their own hyphenators."""
        own = primary_subtag(self.styles.language)
        words: dict[str, Hyphenator | None] = {}
        for run in runs:
            lang = run.style.lang
            if isinstance(run, TextRun) and lang and primary_subtag(lang) != own:
                if lang not in self._hyphenators:
                    self._hyphenators[lang] = hyphenator_for(lang)[0]
                for word in _WORD.findall(run.text):
                    words.setdefault(word, self._hyphenators[lang])
        return words

    def _has_long_word(self, plain: str, text: TextStyle) -> bool:
        """True when a word is wider than half the frame (a URL, a run of characters).

        Such paragraphs are laid out without hyphenation: reportlab's URL and
        hyphenation rules can push an overlong word past the frame, while its
        plain long-word splitting keeps every line inside it.
        """
        limit = self.width / 2
        font = self.styles.font_name(self.styles.primary_face(text))
        return any(len(word) > 12 and stringWidth(word, font, text.size) > limit for word in plain.split())
