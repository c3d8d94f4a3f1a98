"""Styled runs to a paragraph flowable: the one place where the PDF writer sets text (layout stage).

Every piece of text in the PDF (body, headings, captions, list items and
their markers, table cells, quotes, the title block, key points, attribution,
summary entries, cover, contents, running header, footer and markings) is a
:class:`~briefpub.writers.pdf.typeset.TextFlowable` of the text engine
(:mod:`briefpub.writers.pdf.typeset`), made by :meth:`Setter.paragraph` from the
runs of the shared inline walk (:func:`briefpub.writers.common.inlines.flatten`)
and a :class:`ParagraphSpec`. It decides, once:

* typographic punctuation in the document's language
  (:func:`briefpub.writers.common.typography.smarten_texts`, when the style's
  ``paragraphs.smart_punctuation`` is on; code and URLs are never changed);
* the faces: each run gets its role's font chain (the style's families, then
  the fallback families; a ``Span`` in another language puts the families made
  for its script first), from which the engine picks per grapheme cluster;
* links (the shared policy's targets: ``#anchor`` for a heading of the
  publication, else the URL), line breaks, direction (the article's; frame
  values in another script take their own), alignment, hyphenation in the
  document's language, balanced lines for titles and headings;
* inline images: the engine sets text only, so an inline image is set as an
  image of its own, centred, right after its paragraph (:meth:`Setter.flowables`),
  a ``Figure`` of the paragraph's structure element with its alt text (or title)
  as ``/Alt``; one that cannot be shown prints its alt text in the paragraph and
  is reported;
* the structure element the paragraph's text belongs to (``ParagraphSpec.tag``,
  made by the layout in reading order; see :mod:`briefpub.writers.pdf.structure`).

After layout, :meth:`Setter.report` turns what the engine reports (characters
no font has, paragraphs it could not justify within the word-spacing limits)
into diagnostics.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Sequence
from typing import Any

from briefpub._lazyre import lazy_re
from briefpub.diagnostics import Diagnostic
from briefpub.fonts import Face
from briefpub.styling.model import StyleSheet, TextStyle
from briefpub.writers.common.inlines import BreakRun, ImageRun, Run, RunStyle, TextRun
from briefpub.writers.common.links import External, Internal
from briefpub.writers.common.typography import smarten_texts
from briefpub.writers.pdf.flowables import LocatedText, Where
from briefpub.writers.pdf.fonts import FontChain, canvas_font
from briefpub.writers.pdf.images import Images
from briefpub.writers.pdf.structure import figure
from briefpub.writers.pdf.tagging import Element
from briefpub.writers.pdf.typeset import LINE_BREAK, Align, Bookmark, LineBreak, ParaStyle, TextBlock
from briefpub.writers.pdf.typeset import Run as EngineRun

__all__ = ["HeadingMark", "ParagraphSpec", "Setter", "plain_runs"]

_GLYPHS_SHOWN = 20  # code points named in a missing-glyph diagnostic (the rest are counted)
_URL_LIKE = lazy_re(r"://|^www\.|^mailto:", re.I)
_ALIGN = {"left": Align.START, "justify": Align.JUSTIFY, "center": Align.CENTER, "right": Align.END}
#: Absolute alignments (frame values that follow the page, whatever their own direction).
ABSOLUTE = {"page-left": Align.LEFT, "page-right": Align.RIGHT}


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
    """How to set one paragraph: its text style, a style name (``kind``, for diagnostics), layout options,
    and where its content comes from (``where``). ``width`` is the room for inline images (0: the
    frame's). ``align`` is a style alignment (``left`` = the start side) or ``page-left``/``page-right``;
    ``direction`` None takes the article's, ``auto`` the text's own. ``balanced`` sets lines of similar
    length with never one word alone on the last (titles, headings). ``tag`` is the structure element
    the text belongs to (None: text drawn inside another element's or an artifact's marked content)."""

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
    balanced: bool = False
    direction: str | None = None
    keep_with_next: bool = False
    colour: str | None = None
    size: float | None = None
    leading: float | None = None
    tag: Element | None = None


def plain_runs(value: str, text: TextStyle) -> list[Run]:
    """One run of plain text (a frame value: title, key point, label) in ``text``'s weight and slant."""
    return [TextRun(value, RunStyle(bold=text.bold, italic=text.italic))] if value else []


class Setter:
    """Sets the paragraphs of one article, or of a pack's front matter (one language: hyphenation,
    punctuation, direction)."""

    def __init__(self, sheet: StyleSheet, chains: dict[str, FontChain], images: Images,
                 diagnostics: list[Diagnostic], *, language: str, rtl: bool, width: float, height: float) -> None:
        self.sheet = sheet
        self.chains = chains
        self.images = images
        self.diagnostics = diagnostics
        self.language = language
        self.rtl = rtl
        self.width = width
        self.height = height
        self._faces: dict[tuple[str, bool, bool, str], tuple[Face, ...]] = {}
        self.made: list[LocatedText] = []
        #: The font name reportlab's tables select in their cells (adds nothing to the file).
        self.canvas_font = canvas_font(chains)

    # -- faces ---------------------------------------------------------------------------------

    def faces(self, role: str, bold: bool, italic: bool, lang: str = "") -> tuple[Face, ...]:
        """The face chain of a role in a weight and slant (a language's script families first)."""
        key = (role, bold, italic, lang)
        found = self._faces.get(key)
        if found is None:
            chain = self.chains[role]
            if lang:
                chain = chain.for_language(lang)
            found = self._faces[key] = tuple(dict.fromkeys(f.face(bold, italic) for f in chain.families))
        return found

    # -- paragraphs ----------------------------------------------------------------------------

    def paragraph(self, runs: Sequence[Run], spec: ParagraphSpec) -> LocatedText:
        """The paragraph flowable for ``runs`` set as ``spec`` says (see the module docstring); inline images
        are left out (:meth:`flowables` sets them after the paragraph)."""
        text = spec.text
        items = self._items(self._smarten(self._shown(runs)), spec)
        block = TextBlock(tuple(items), self._style(spec), spec.kind)
        mark = spec.heading
        bookmark = None if mark is None else Bookmark(mark.key, mark.level, mark.outline, mark.closed)
        para = LocatedText(block, bookmark=bookmark, tag=spec.tag)
        para.bp_where = spec.where
        para.bp_size = spec.size or text.size
        self.made.append(para)
        return para

    def flowables(self, runs: Sequence[Run], spec: ParagraphSpec) -> list[Any]:
        """The paragraph, then each of its inline images that can be shown, centred, in the room it has
        (a ``Figure`` of the paragraph's element)."""
        para = self.paragraph(runs, spec)
        out: list[Any] = [para]
        width = spec.width or self.width
        for run in runs:
            if isinstance(run, ImageRun) and run.image.src and self.images.usable(run.image.src, "alt text"):
                image = self.images.flowable(run.image.src, width, self.height * 0.4, where=spec.where)
                if image is not None:
                    image.spaceBefore = 2.0
                    image.spaceAfter = spec.text.space_after if spec.space_after is None else spec.space_after
                    out.append(figure(spec.tag, image, run.image.alt or run.image.title, self.diagnostics,
                                      run.image.src))
        if len(out) > 1 and not para.plain_text().strip():
            out.pop(0)  # a paragraph that is only images
        return out

    def text(self, value: str, spec: ParagraphSpec) -> LocatedText:
        """A paragraph of plain text (a frame value)."""
        return self.paragraph(plain_runs(value, spec.text), spec)

    def report(self) -> None:
        """Diagnostics from every paragraph laid out: characters no font has, paragraphs set ragged, a
        hyphenation language pyphen does not know."""
        missing: set[int] = set()
        ragged: list[str] = []
        unknown: set[str] = set()
        seen: set[int] = set()
        for para in self.made:
            if para.width <= 0 or id(para.block) in seen:
                continue
            seen.add(id(para.block))
            found = para.report()
            missing |= found.missing
            if found.ragged_fallback:
                ragged.append(para.plain_text())
            if found.unknown_language:
                unknown.add(found.unknown_language)
        for lang in sorted(unknown):  # (the same diagnostic as the writer's up-front one: reported once)
            self.diagnostics.append(Diagnostic(
                "writer.hyphenation-unavailable",
                f"no hyphenation patterns for language {lang!r}; text is not hyphenated",
                text=lang, severity="info",
            ))
        if missing:
            shown = sorted(missing)[:_GLYPHS_SHOWN]
            points = " ".join(f"U+{c:04X}" for c in shown)
            if len(missing) > len(shown):
                points += f" and {len(missing) - len(shown):,} more"
            self.diagnostics.append(Diagnostic(
                "writer.missing-glyph", f"no available font has {points}; printed as \ufffd",
                text="".join(chr(c) for c in shown),
            ))
        for value in ragged:
            self.diagnostics.append(Diagnostic(
                "writer.loose-justification",
                "a justified paragraph could not be set within the word-spacing limits and was set ragged",
                text=value[:80], severity="info",
            ))

    # -- helpers ------------------------------------------------------------------------------

    def _style(self, spec: ParagraphSpec) -> ParaStyle:
        text, sheet = spec.text, self.sheet
        align = spec.align or text.align
        hyphenate = self.language if spec.hyphenate and sheet.paragraphs.hyphenate and self.language else None
        direction = spec.direction or ("rtl" if self.rtl else "ltr")
        return ParaStyle(
            leading=spec.leading or text.leading,
            align=ABSOLUTE.get(align) or _ALIGN[align],
            first_indent=spec.first_line_indent,
            left_indent=spec.left_indent,
            right_indent=spec.right_indent,
            direction=direction,  # type: ignore[arg-type]
            hyphenate=hyphenate,
            balanced=spec.balanced,
            space_before=text.space_before if spec.space_before is None else spec.space_before,
            space_after=text.space_after if spec.space_after is None else spec.space_after,
            keep_with_next=spec.keep_with_next,
            ligatures=True,
        )

    def _items(self, runs: Sequence[Run], spec: ParagraphSpec) -> list[EngineRun | LineBreak]:
        text, sheet = spec.text, self.sheet
        size = spec.size or text.size
        colour = spec.colour or text.colour
        mono_size = sheet.code.size * size / sheet.body.size
        out: list[EngineRun | LineBreak] = []
        for run in runs:
            if isinstance(run, BreakRun):
                out.append(LINE_BREAK)
                continue
            if not isinstance(run, TextRun) or not run.text:
                continue
            style = run.style
            role = "mono" if style.code else text.font
            faces = self.faces(role, style.bold, style.italic, style.lang)
            link: str | None = None
            if isinstance(style.link, External):
                link = style.link.href
            elif isinstance(style.link, Internal):
                link = f"#{style.link.anchor}"
            out.append(EngineRun(
                run.text, faces, mono_size if style.code else size,
                colour=sheet.links.colour if link and not spec.colour else colour,
                link=link, lang=style.lang or None, underline=bool(link) and sheet.links.underline,
            ))
        return out

    def _smarten(self, runs: Sequence[Run]) -> Sequence[Run]:
        """Typographic punctuation in the text runs (not code, not URLs), when the style asks for it."""
        if not self.sheet.paragraphs.smart_punctuation:
            return runs
        texts = [r for r in runs if isinstance(r, TextRun)]
        if not texts:
            return runs
        fixed = smarten_texts([r.text for r in texts], self.language,
                              code=[r.style.code or bool(_URL_LIKE.search(r.text)) for r in texts])
        new = {id(r): TextRun(t, r.style) for r, t in zip(texts, fixed, strict=True) if t != r.text}
        return [new.get(id(r), r) for r in runs] if new else runs

    def _shown(self, runs: Sequence[Run]) -> list[Run]:
        """``runs`` with each inline image that cannot be shown replaced by its alt text (reported), and
        those that can left out (set after the paragraph)."""
        out: list[Run] = []
        for run in runs:
            if isinstance(run, ImageRun):
                if not (run.image.src and self.images.usable(run.image.src, "alt text")) and run.image.alt:
                    out.append(TextRun(run.image.alt, run.style))
                continue
            out.append(run)
        return out
