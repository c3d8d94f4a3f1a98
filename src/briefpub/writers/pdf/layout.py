"""From the document tree to reportlab flowables (PDF writer, layout stage).

:class:`ArticleLayout` lays out one article: title block (title, standfirst,
byline with a link to the source, key-points box), body blocks, and the source
attribution (with a QR code of the source URL). It also knows the article's
outline (title and heading destinations with their depths), which a pack's
contents lists, and lays out the article's entry on a pack's summary page. A
pack (see :mod:`briefpub.writers.pdf.front`) is front matter followed by one
:class:`ArticleLayout` per article, each starting on a new page.

Typographic rules applied here: headings are preceded by a ``CondPageBreak``
sized for the heading plus three lines, so no heading is stranded at a page
bottom and no paragraph is pushed whole to the next page (``keepWithNext``
would do that); body paragraphs allow no single-line widows or orphans;
figures stay with their captions; tables repeat their header rows.
"""

from __future__ import annotations

import dataclasses
import io
import re
from collections.abc import Iterator, Mapping
from typing import Any, assert_never

from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader
from reportlab.platypus import (
    CondPageBreak,
    Flowable,
    Image,
    Indenter,
    KeepTogether,
    ListFlowable,
    ListItem,
    PageBreak,
    Paragraph,
    Spacer,
    Table,
    TableStyle,
)
from reportlab.platypus.flowables import HRFlowable

from briefpub.diagnostics import Diagnostic
from briefpub.styling.model import StyleSheet, TextStyle
from briefpub.tree import (
    Block,
    BlockQuote,
    BulletList,
    Document,
    Figure,
    Heading,
    Inline,
    OrderedList,
    Publication,
    TableCell,
    Text,
    ThematicBreak,
    inline_text,
)
from briefpub.tree import (
    PageBreak as TreePageBreak,
)
from briefpub.tree import (
    Paragraph as TreeParagraph,
)
from briefpub.tree import (
    Table as TreeTable,
)
from briefpub.writers._common import attribution_lines, byline, is_rtl_language, is_safe_url, marking_of
from briefpub.writers.pdf.flowables import ArticleStart, HeadingParagraph, PageState, QrCode, QuoteBar
from briefpub.writers.pdf.fonts import FontChain
from briefpub.writers.pdf.markup import InlineContext, analyse, attr, plain_markup, render_inlines
from briefpub.writers.pdf.styles import PdfStyles, colour

__all__ = ["UNTITLED", "ArticleLayout", "Frame", "OutlineItem", "outline_levels"]

#: The title printed for an article that has none (title block, contents, outline).
UNTITLED = "Untitled"

_ANCHOR_SAFE = re.compile(r"[^A-Za-z0-9_.-]+")


@dataclasses.dataclass(frozen=True, slots=True)
class OutlineItem:
    """A heading of an article as its outline and a pack's contents list it (``depth`` 1 = top section)."""

    key: str
    depth: int
    text: str


@dataclasses.dataclass(frozen=True, slots=True)
class Frame:
    """The text area of a page, in points."""

    width: float
    height: float


def outline_levels(levels: list[int]) -> list[int]:
    """Outline depths (1 = top section) for heading levels, never skipping a depth.

    The shallowest heading of the article becomes depth 1; a heading may go at
    most one level deeper than the one before it (PDF outlines cannot skip).
    """
    if not levels:
        return []
    base = min(levels)
    out: list[int] = []
    previous = 0
    for level in levels:
        depth = min(level - base + 1, previous + 1)
        out.append(depth)
        previous = depth
    return out


def _anchor(doc_index: int, heading_id: str, block_path: str) -> str:
    ident = _ANCHOR_SAFE.sub("-", heading_id).strip("-") if heading_id else ""
    return f"a{doc_index}-{ident}" if ident else f"a{doc_index}-h{block_path}"


def _headings(blocks: tuple[Block, ...], path: str = "") -> Iterator[tuple[str, Heading]]:
    """Every heading of the article (block quotes and lists included) with its block path."""
    for i, block in enumerate(blocks):
        here = f"{path}{i}"
        match block:
            case Heading():
                yield here, block
            case BlockQuote(blocks=inner):
                yield from _headings(inner, here + ".")
            case BulletList(items=items) | OrderedList(items=items):
                for j, item in enumerate(items):
                    yield from _headings(item.blocks, f"{here}.{j}.")
            case _:
                pass


class ArticleLayout:
    """Lays out one article as flowables (one call per article; packs call it repeatedly)."""

    def __init__(
        self,
        *,
        pub: Publication,
        doc: Document,
        index: int,
        sheet: StyleSheet,
        styles: PdfStyles,
        frame: Frame,
        state: PageState,
        resources: Mapping[str, bytes],
        diagnostics: list[Diagnostic],
        outline_base: int = 0,
    ) -> None:
        self.pub = pub
        self.doc = doc
        self.index = index
        self.sheet = sheet
        self.styles = styles
        self.frame = frame
        self.state = state
        self.resources = resources
        self.diagnostics = diagnostics
        self.outline_base = outline_base
        self.doc_rtl = is_rtl_language(styles.language)
        found = list(_headings(doc.blocks))
        depths = outline_levels([h.level for _p, h in found])
        #: The destination of the article's title block.
        self.title_key = f"a{index}-title"
        self.heading_keys: dict[str, tuple[str, int]] = {}
        self.anchors: dict[str, str] = {}
        #: The article's headings in reading order (for a pack's contents).
        self.outline: list[OutlineItem] = []
        used = {self.title_key}
        for (path, heading), depth in zip(found, depths, strict=True):
            key = _anchor(index, heading.id, path)
            if key in used:  # two headings with one id: destinations must stay unique
                key = f"a{index}-h{path}"
            used.add(key)
            self.heading_keys[path] = (key, depth + outline_base)
            self.outline.append(OutlineItem(key, depth, inline_text(heading.children)))
            if heading.id:
                self.anchors.setdefault(heading.id, key)
        self._counter = 0

    # -- helpers --------------------------------------------------------------

    def _name(self, kind: str) -> str:
        self._counter += 1
        return f"{kind}-{self.index}-{self._counter}"

    def _context(self, text: TextStyle, bold: bool, italic: bool) -> InlineContext:
        return InlineContext(
            styles=self.styles,
            role=text.font,
            base_face=self.styles.primary_face(text, bold, italic),
            diagnostics=self.diagnostics,
            anchors=self.anchors,
            link_colour=self.sheet.links.colour,
            font_size=text.size,
            mono_size=self.sheet.code.size * text.size / self.sheet.body.size,
        )

    def paragraph(
        self,
        inlines: tuple[Inline, ...],
        text: TextStyle,
        *,
        kind: str,
        hyphenate: bool = False,
        heading: tuple[str, int, str] | None = None,
        bold: bool | None = None,
        italic: bool | None = None,
        **style_kw: Any,
    ) -> Paragraph:
        """A paragraph of ``inlines`` in ``text`` style, right to left and shaped when its text needs it."""
        b = text.bold if bold is None else bold
        i = text.italic if italic is None else italic
        plain = inline_text(inlines)
        needs = analyse(plain, self.doc_rtl)
        face = None
        if needs.rtl:
            chain = self.styles.chain(text.font)
            face = chain.best_single_face(plain, b, i)
            if face is not None:
                if any(not isinstance(node, Text) for node in inlines):
                    self.diagnostics.append(Diagnostic(
                        "writer.not-rendered",
                        "emphasis and links inside a right-to-left paragraph were printed as plain text",
                        text=plain[:80], severity="info",
                    ))
                markup = plain_markup(self.styles, text.font, plain, bold=b, italic=i, base=face)
            else:
                markup = render_inlines(self._context(text, b, i), inlines, bold=b, italic=i)
        else:
            markup = render_inlines(self._context(text, b, i), inlines, bold=b, italic=i)
        if hyphenate and self._has_long_word(plain, text):
            hyphenate = False
        style = self.styles.paragraph(
            text, name=kind, hyphenate=hyphenate, rtl=needs.rtl, shaping=needs.shaping, face=face,
            **style_kw,
        )
        if b != text.bold or i != text.italic:
            style = self.styles.paragraph(
                dataclasses.replace(text, bold=b, italic=i), name=kind + "-bi", hyphenate=hyphenate,
                rtl=needs.rtl, shaping=needs.shaping, face=face, **style_kw,
            )
        if heading is not None:
            key, level, outline = heading
            # In a pack the article's headings start folded away in the outline under its title.
            closed = level == self.outline_base and self.outline_base > 0
            return HeadingParagraph(markup, style, key=key, level=level, outline=outline, closed=closed)
        return Paragraph(markup, style)

    def _has_long_word(self, plain: str, text: TextStyle) -> bool:
        """True when a word is wider than half the frame (a URL, a run of characters).

        Such paragraphs are laid out without hyphenation: reportlab's URL and
        hyphenation rules can push an overlong word past the frame, while its
        plain long-word splitting keeps every line inside it.
        """
        from reportlab.pdfbase.pdfmetrics import stringWidth

        limit = self.frame.width / 2
        font = self.styles.font_name(self.styles.primary_face(text))
        return any(len(word) > 12 and stringWidth(word, font, text.size) > limit for word in plain.split())

    def text_paragraph(self, value: str, text: TextStyle, *, kind: str, **kw: Any) -> Paragraph:
        """A paragraph of plain text (metadata), escaped and with font fallback."""
        return self.paragraph((Text(value),), text, kind=kind, **kw)

    # -- the article ------------------------------------------------------------

    def flowables(self) -> list[Flowable]:
        """The whole article: title block, key points, body, source attribution."""
        out: list[Flowable] = [ArticleStart(self.state, self.doc.meta.title or self.pub.title,
                                            marking_of(self.pub, self.doc))]
        out.extend(self.title_block())
        out.extend(self.key_points())
        for path, block in enumerate(self.doc.blocks):
            out.extend(self.block(block, str(path)))
        out.extend(self.attribution())
        return out

    def title_block(self) -> list[Flowable]:
        """Title, standfirst and byline (the outlet linked to the source), then a rule."""
        meta = self.doc.meta
        sheet = self.sheet
        out: list[Flowable] = []
        title = meta.title or UNTITLED
        out.append(self.paragraph((Text(title),), sheet.title, kind="title",
                                  heading=(self.title_key, self.outline_base, title)))
        if meta.subtitle:
            out.append(self.text_paragraph(meta.subtitle, sheet.subtitle, kind="subtitle"))
        line = byline(self.doc)
        if line:
            out.append(self._byline(line))
        out.append(HRFlowable(width="100%", thickness=0.6, color=colour(sheet.boxes.border),
                              spaceBefore=0, spaceAfter=10))
        return out

    def _byline(self, line: str) -> Paragraph:
        meta = self.doc.meta
        inlines: tuple[Inline, ...] = (Text(line),)
        if meta.source and meta.url and is_safe_url(meta.url) and line.endswith(meta.source):
            from briefpub.tree import Link

            inlines = (Text(line[: -len(meta.source)]), Link(meta.url, (Text(meta.source),)))
        return self.paragraph(inlines, self.sheet.byline, kind="byline")

    def key_points(self) -> list[Flowable]:
        """The key-points box from the summary (nothing when there is no summary)."""
        summary = self.doc.meta.summary
        if not summary:
            return []
        sheet = self.sheet
        head_style = dataclasses.replace(sheet.heading3, italic=False, space_before=0.0, space_after=4.0)
        inner: list[Flowable] = [self.text_paragraph(sheet.boxes.title, head_style, kind="kp-title")]
        items = [ListItem(self.text_paragraph(point, sheet.body, kind="kp-item", align="left",
                                              space_after=2.0))
                 for point in summary]
        inner.append(self._list(items, ordered=False))
        padding = 8
        box = Table([[inner]], colWidths=[self.frame.width], style=TableStyle([
            ("BACKGROUND", (0, 0), (-1, -1), colour(sheet.boxes.background)),
            ("BOX", (0, 0), (-1, -1), 0.8, colour(sheet.boxes.border)),
            ("LINEBEFORE", (0, 0), (0, -1), 3, colour(sheet.boxes.border)),
            ("LEFTPADDING", (0, 0), (-1, -1), padding + 4),
            ("RIGHTPADDING", (0, 0), (-1, -1), padding),
            ("TOPPADDING", (0, 0), (-1, -1), padding),
            ("BOTTOMPADDING", (0, 0), (-1, -1), padding),
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ("FONTNAME", (0, 0), (-1, -1), self.styles.font_name(self.styles.primary_face(sheet.body))),
        ]), spaceAfter=12, hAlign="LEFT")
        _w, h = box.wrap(self.frame.width, self.frame.height)
        if h > self.frame.height * 0.8:  # too tall to box: print it unboxed rather than fail
            return [*inner, Spacer(1, 8)]
        return [box]

    def summary_entry(self, number: int, marking: str, no_points: str, *, page_rtl: bool = False) -> list[Flowable]:
        """This article on a pack's summary page: its number, its title (a link to the article) with its
        portion ``marking`` when that differs from the pack's, then its key points or ``no_points``.

        The number stands in its own column, so a title in the other direction than
        the page (``page_rtl``) keeps the page's alignment and its number in place.
        """
        from reportlab.lib.enums import TA_LEFT, TA_RIGHT
        from reportlab.lib.styles import ParagraphStyle

        sheet = self.sheet
        title = self.doc.meta.title or UNTITLED
        title_text = dataclasses.replace(sheet.heading3, italic=False, space_before=0.0, space_after=3.0)
        needs = analyse(title, self.doc_rtl)
        style = self.styles.paragraph(title_text, name="sum-title", rtl=needs.rtl, shaping=needs.shaping)
        alignment = TA_RIGHT if page_rtl else TA_LEFT
        if style.alignment != alignment:
            style = ParagraphStyle(f"{style.name}-{alignment}", parent=style, alignment=alignment)
        if needs.rtl:  # reportlab's right-to-left layout takes no inline markup: plain text
            plain = f"{title} [{marking}]" if marking else title
            markup = plain_markup(self.styles, title_text.font, plain, bold=title_text.bold)
        else:
            markup = plain_markup(self.styles, title_text.font, title, bold=title_text.bold)
            markup = f'<a href="#{self.title_key}">{markup}</a>'
            if marking:
                marked = plain_markup(self.styles, title_text.font, f"[{marking}]", bold=True)
                markup += f' <font color="{attr(self.sheet.marking.colour)}">{marked}</font>'
        inner: list[Flowable] = [Paragraph(markup, style)]
        indent = sheet.paragraphs.list_indent
        for point in self.doc.meta.summary:
            rtl = analyse(point, self.doc_rtl).rtl
            side = {"right_indent": indent} if rtl else {"left_indent": indent}
            item = self.text_paragraph(point, sheet.body, kind="sum-item", align="left", space_after=2.0, **side)
            item.bulletText = sheet.paragraphs.bullet  # on the right of a right-to-left point
            inner.append(item)
        if not self.doc.meta.summary:
            note = dataclasses.replace(sheet.body, italic=True, colour=sheet.byline.colour, space_after=2.0,
                                       align="right" if page_rtl else "left")
            inner.append(self.text_paragraph(no_points, note, kind="sum-none"))
        label_style = self.styles.paragraph(title_text, name="sum-number", align="left" if page_rtl else "right")
        label = Paragraph(plain_markup(self.styles, title_text.font, f"{number}.", bold=title_text.bold),
                          label_style)
        from reportlab.pdfbase.pdfmetrics import stringWidth

        label_width = stringWidth("000.", self.styles.font_name(self.styles.primary_face(title_text)),
                                  title_text.size) + 8
        widths = [label_width, self.frame.width - label_width]
        row: list[Any] = [label, inner]
        if page_rtl:
            widths.reverse()
            row.reverse()
        table = Table([row], colWidths=widths, hAlign="LEFT", spaceBefore=8, style=TableStyle([
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ("LEFTPADDING", (0, 0), (-1, -1), 0),
            ("RIGHTPADDING", (0, 0), (-1, -1), 0),
            ("TOPPADDING", (0, 0), (-1, -1), 0),
            ("BOTTOMPADDING", (0, 0), (-1, -1), 0),
            ("LEFTPADDING" if page_rtl else "RIGHTPADDING", (1, 0) if page_rtl else (0, 0),
             (1, 0) if page_rtl else (0, 0), 6),
            ("FONTNAME", (0, 0), (-1, -1), self.styles.font_name(self.styles.primary_face(sheet.body))),
        ]))
        return [table]

    # -- blocks -------------------------------------------------------------------

    def block(self, block: Block, path: str, nested: bool = False) -> list[Flowable]:
        """The flowables of one body block (``nested`` inside a list or quote: no page-level breaks)."""
        sheet = self.sheet
        match block:
            case Heading(level=level, children=children):
                text = sheet.heading(level)
                key, depth = self.heading_keys[path]
                heading = self.paragraph(children, text, kind=f"h{level}",
                                         heading=(key, depth, inline_text(children)))
                if nested:
                    return [heading]
                needed = text.space_before + text.leading * 2 + sheet.body.leading * 3 + sheet.body.space_after
                return [CondPageBreak(needed), heading]
            case TreeParagraph(children=children):
                return [self.paragraph(children, sheet.body, kind="body", hyphenate=True,
                                       first_line_indent=sheet.paragraphs.first_line_indent)]
            case Figure():
                return self.figure(block, nested)
            case BlockQuote(blocks=blocks, attribution=attribution):
                return self.quote(blocks, attribution, path, nested)
            case BulletList(items=items):
                return [self._list(self._items(items, path), ordered=False)]
            case OrderedList(items=items, start=start):
                return [self._list(self._items(items, path), ordered=True, start=start)]
            case TreeTable():
                return self.table(block, nested)
            case ThematicBreak():
                return [HRFlowable(width="25%", thickness=0.8, color=colour(sheet.boxes.border),
                                   spaceBefore=8, spaceAfter=14, hAlign="CENTER")]
            case TreePageBreak():
                if nested:
                    self.diagnostics.append(Diagnostic(
                        "writer.not-rendered", "a page break inside a list or quote was left out",
                        severity="info"))
                    return []
                return [PageBreak()]
            case _:
                assert_never(block)

    def figure(self, fig: Figure, nested: bool = False) -> list[Flowable]:
        """An image scaled to the frame, kept together with its caption; a missing image keeps the caption."""
        sheet = self.sheet
        parts: list[Flowable] = []
        if fig.image:
            data = self.resources.get(fig.image)
            image = self._image(data, fig) if data is not None else None
            if image is None:
                self.diagnostics.append(Diagnostic(
                    "writer.image-missing",
                    "image not embedded (missing or unreadable); its caption was kept",
                    text=fig.image,
                ))
            else:
                parts.append(image)
        if fig.caption:
            parts.append(self.paragraph(fig.caption, sheet.caption, kind="caption",
                                        space_before=4.0 if parts else 0.0))
        elif fig.alt and not parts:
            parts.append(self.text_paragraph(fig.alt, sheet.caption, kind="caption"))
        if not parts or nested:  # KeepTogether inserts frame breaks, which crash inside lists
            return parts
        return [KeepTogether(parts)]

    def _image(self, data: bytes, fig: Figure) -> Image | None:
        try:
            reader = ImageReader(io.BytesIO(data))
            width, height = reader.getSize()
        except Exception:  # any undecodable image is reported, never fatal
            return None
        if width <= 0 or height <= 0:
            return None
        # Pixels at 96 per inch, shrunk (never enlarged) to the frame's width and 60% of its height.
        natural_w, natural_h = width * 0.75, height * 0.75
        scale = min(1.0, self.frame.width / natural_w, self.frame.height * 0.6 / natural_h)
        image = Image(io.BytesIO(data), width=natural_w * scale, height=natural_h * scale)
        image.hAlign = "CENTER"
        return image

    def quote(self, blocks: tuple[Block, ...], attribution: tuple[Inline, ...], path: str,
              nested: bool = False) -> list[Flowable]:
        """A block quote: indented, with a rule on its left and the attribution below."""
        sheet = self.sheet
        inner: list[Flowable] = []
        for i, block in enumerate(blocks):
            if isinstance(block, TreeParagraph):
                inner.append(self.paragraph(block.children, sheet.quote, kind="quote", hyphenate=True,
                                            space_after=sheet.quote.space_after / 2))
            else:
                inner.extend(self.block(block, f"{path}.{i}", nested=True))
        if attribution:
            from briefpub.tree import Text as T

            attr_style = dataclasses.replace(sheet.quote, italic=False, size=sheet.quote.size * 0.9,
                                             align="right" if not self.doc_rtl else "left")
            inner.append(self.paragraph((T("\u2014 "), *attribution), attr_style, kind="quote-attr",
                                        space_after=0.0))
        if not inner:
            return []
        indent = sheet.paragraphs.quote_indent
        if not all(type(f) is Paragraph for f in inner):
            if nested:  # Indenter works only at the top level of the story
                return inner
            # Lists, tables or figures inside a quote: plain indentation, which reportlab splits natively.
            return [Indenter(indent, indent), *inner, Indenter(-indent, -indent), Spacer(1, sheet.quote.space_after)]
        bar = QuoteBar(inner, indent=sheet.paragraphs.quote_indent, right_indent=sheet.paragraphs.quote_indent,
                       colour=colour(sheet.boxes.border))
        bar.spaceBefore = 4
        bar.spaceAfter = sheet.quote.space_after + 4
        return [bar]

    def _items(self, items: tuple[Any, ...], path: str) -> list[ListItem]:
        out: list[ListItem] = []
        for j, item in enumerate(items):
            flows: list[Flowable] = []
            for k, block in enumerate(item.blocks):
                if isinstance(block, TreeParagraph):
                    flows.append(self.paragraph(block.children, self.sheet.body, kind="li", hyphenate=True,
                                                space_after=2.0))
                else:
                    flows.extend(self.block(block, f"{path}.{j}.{k}", nested=True))
            out.append(ListItem(flows or [Spacer(1, 0)]))
        return out

    def _list(self, items: list[ListItem], *, ordered: bool, start: int = 1) -> ListFlowable:
        sheet = self.sheet
        body = sheet.body
        font = self.styles.font_name(self.styles.primary_face(body))
        bullet = sheet.paragraphs.bullet
        chain: FontChain = self.styles.chain(body.font)
        bullet_face = chain.best_single_face(bullet)
        bullet_font = self.styles.font_name(bullet_face) if bullet_face is not None else font
        kw: dict[str, Any] = {
            "bulletFontName": bullet_font if not ordered else font,
            "bulletFontSize": body.size * (0.9 if not ordered else 1.0),
            "bulletColor": colour(body.colour),
            "leftIndent": sheet.paragraphs.list_indent,
            "bulletDedent": "auto",
            "spaceAfter": body.space_after,
        }
        if ordered:
            return ListFlowable(items, bulletType="1", start=start, bulletFormat="%s.", **kw)
        return ListFlowable(items, bulletType="bullet", start=bullet if bullet_face else "\u2022", **kw)

    def table(self, tab: TreeTable, nested: bool = False) -> list[Flowable]:
        """A table with Paragraph cells, header rows repeated on every page, and its caption above."""
        sheet = self.sheet
        rows = [*tab.header, *tab.rows]
        if not rows:
            return []
        ncols = max(len(r.cells) for r in rows)
        if ncols == 0:
            return []
        cell_text = sheet.table
        head_text = dataclasses.replace(cell_text, bold=True)
        data: list[list[Flowable]] = []
        for r, row in enumerate(rows):
            style_text = head_text if r < len(tab.header) else cell_text
            cells = list(row.cells) + [TableCell(())] * (ncols - len(row.cells))
            data.append([self.paragraph(c.children, style_text, kind="cell", align=c.align or "left",
                                        space_after=0.0)
                         for c in cells])
        widths = self._column_widths(rows, ncols)
        padding = 4
        commands: list[tuple[Any, ...]] = [
            ("GRID", (0, 0), (-1, -1), 0.5, colour(sheet.boxes.border)),
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ("LEFTPADDING", (0, 0), (-1, -1), padding),
            ("RIGHTPADDING", (0, 0), (-1, -1), padding),
            ("TOPPADDING", (0, 0), (-1, -1), 3),
            ("BOTTOMPADDING", (0, 0), (-1, -1), 4),
            ("FONTNAME", (0, 0), (-1, -1), self.styles.font_name(self.styles.primary_face(cell_text))),
        ]
        if tab.header:
            commands.append(("BACKGROUND", (0, 0), (-1, len(tab.header) - 1),
                             colour(sheet.boxes.table_header_background)))
            commands.append(("LINEBELOW", (0, len(tab.header) - 1), (-1, len(tab.header) - 1), 1.0,
                             colour(sheet.boxes.border)))
        table = Table(data, colWidths=widths, repeatRows=len(tab.header), splitInRow=1, hAlign="LEFT",
                      style=TableStyle(commands), spaceBefore=4, spaceAfter=sheet.body.space_after + 6)
        out: list[Flowable] = []
        if tab.caption:
            cap = self.paragraph(tab.caption, sheet.caption, kind="table-caption", space_after=4.0)
            if not nested:
                out.append(CondPageBreak(sheet.caption.leading * 2 + sheet.table.leading * 4 + 20))
            out.append(cap)
        out.append(table)
        return out

    def _column_widths(self, rows: list[Any], ncols: int) -> list[float]:
        """Column widths from the content: natural when it fits (at least 60% of the frame), else
        proportional to content and filling the frame, no column narrower than 1/(3n) of it."""
        from reportlab.pdfbase.pdfmetrics import stringWidth

        text = self.sheet.table
        font = self.styles.font_name(self.styles.primary_face(text))
        natural = [1.0] * ncols
        for row in rows:
            for c, cell in enumerate(row.cells):
                value = inline_text(cell.children)
                natural[c] = max(natural[c], min(stringWidth(value, font, text.size) + 10, self.frame.width))
        total = sum(natural)
        if total <= self.frame.width:
            target = max(total, self.frame.width * 0.6)
            return [n * target / total for n in natural]
        floor = self.frame.width / (3 * ncols)
        widths = [max(self.frame.width * n / total, floor) for n in natural]
        scale = self.frame.width / sum(widths)
        return [w * scale for w in widths]

    # -- end matter -------------------------------------------------------------------

    def attribution(self) -> list[Flowable]:
        """The source attribution block, with a QR code of the source URL when there is one."""
        sheet = self.sheet
        if not sheet.furniture.attribution:
            return []
        rows = attribution_lines(self.doc)
        if not rows:
            return []
        label_text = dataclasses.replace(sheet.byline, bold=True, space_after=0.0)
        value_text = dataclasses.replace(sheet.byline, space_after=0.0)
        data: list[list[Any]] = []
        for label, value in rows:
            if label == "Link" and is_safe_url(value):
                from briefpub.tree import Link

                cell = self.paragraph((Link(value, (Text(value),)),), value_text, kind="attr-value")
            else:
                cell = self.text_paragraph(value, value_text, kind="attr-value")
            data.append([self.text_paragraph(label, label_text, kind="attr-label"), cell])
        url = self.doc.meta.url
        qr_size = 24 * mm
        label_width = 22 * mm
        with_qr = bool(sheet.furniture.qr_code and url and is_safe_url(url))
        value_width = self.frame.width - label_width - (qr_size + 8 if with_qr else 0)
        details = Table(data, colWidths=[label_width, value_width], hAlign="LEFT", style=TableStyle([
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ("LEFTPADDING", (0, 0), (-1, -1), 0),
            ("RIGHTPADDING", (0, 0), (-1, -1), 4),
            ("TOPPADDING", (0, 0), (-1, -1), 1),
            ("BOTTOMPADDING", (0, 0), (-1, -1), 1),
            ("FONTNAME", (0, 0), (-1, -1), self.styles.font_name(self.styles.primary_face(value_text))),
        ]))
        heading_text = dataclasses.replace(sheet.heading3, italic=False, space_before=0.0, space_after=4.0)
        parts: list[Flowable] = [
            Spacer(1, 10),
            HRFlowable(width="100%", thickness=0.6, color=colour(sheet.boxes.border), spaceBefore=0,
                       spaceAfter=6),
            self.text_paragraph("Source", heading_text, kind="attr-title"),
        ]
        if with_qr:
            parts.append(Table([[details, _qr_code(url, qr_size)]], colWidths=[value_width + label_width,
                                                                              qr_size + 8],
                               hAlign="LEFT", style=TableStyle([
                                   ("VALIGN", (0, 0), (-1, -1), "TOP"),
                                   ("LEFTPADDING", (0, 0), (-1, -1), 0),
                                   ("RIGHTPADDING", (0, 0), (-1, -1), 0),
                                   ("TOPPADDING", (0, 0), (-1, -1), 0),
                                   ("BOTTOMPADDING", (0, 0), (-1, -1), 0),
                                   ("ALIGN", (1, 0), (1, 0), "RIGHT"),
                                   ("FONTNAME", (0, 0), (-1, -1),
                                    self.styles.font_name(self.styles.primary_face(value_text))),
                               ])))
        else:
            parts.append(details)
        return [KeepTogether(parts)]


def _qr_code(url: str, size: float) -> Flowable:
    """A QR code of ``url``, ``size`` points square (reportlab's own encoder)."""
    code = QrCode(url, width=size, height=size, qrLevel="M", qrBorder=2)
    code.hAlign = "RIGHT"
    return code
