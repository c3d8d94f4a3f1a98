"""From the document tree and its frame to reportlab flowables (PDF writer, layout stage).

:class:`ArticleLayout` lays out one article: what the shared frame
(:class:`~briefpub.writers.common.frame.ArticleFrame`) says goes around it (the
title block with the byline's outlet linked, the key-points box, the source
attribution with a QR code of the source URL, the running header, marking and
"Article 3 of 12" label) and its body blocks. It also lays out the article's
entry on a pack's summary page. A pack (see :mod:`briefpub.writers.pdf.front`)
is front matter followed by one :class:`ArticleLayout` per article, each
starting on a new page.

Destinations are the frame's anchors: the title's is
:attr:`ArticleFrame.title_anchor`, a heading's its
:attr:`~briefpub.writers.common.frame.OutlineEntry.anchor`, so an internal
``#fragment`` link (resolved by the shared link policy to the same anchor) is a
GoTo to the heading's page. Every flowable made for a block, nested blocks
included, carries ``(article index, block path)`` (:mod:`.flowables`), from
which the canvas records where each page begins.

Every piece of text is set by the text engine through the article's
:class:`~briefpub.writers.pdf.paragraphs.Setter`. Typographic rules applied
here: titles and headings are set in balanced lines (never one word alone on
the last line); headings are preceded by a ``CondPageBreak`` sized for the
heading plus three lines, so no heading is stranded at a page bottom and no
paragraph is pushed whole to the next page (``keepWithNext`` would do that);
paragraphs leave no single line at a page's foot or head; figures stay with
their captions, and a caption without its picture is labelled as a photo
caption; tables repeat their header rows; list items and quotes are
:class:`~briefpub.writers.pdf.flowables.Indented` (marker or rule in the
indent); the source block is kept with the article's last lines
(:class:`~briefpub.writers.pdf.flowables.KeepWithEnd`), never alone on a page.

The layout also makes the article's part of the tagged PDF's structure tree
(:mod:`briefpub.writers.pdf.structure`), in reading order, as it makes the
flowables: an ``Art`` (a single article) or ``Part`` (in a pack) holding the
marking and "Article 3 of 12" label printed on its first page, the title
heading, standfirst and byline paragraphs, the key points (a section with a
heading and a list), the body (headings, paragraphs, lists, quotes, tables,
figures) and the source (a section with a heading, a table of its details and
the QR code as a figure whose alternative text names the URL). Decoration
(rules, the key-points box, table grids and backgrounds) is drawn as artifacts.
"""

from __future__ import annotations

import dataclasses
from typing import Any, assert_never

from reportlab.lib.units import mm
from reportlab.platypus import CondPageBreak, Flowable, KeepTogether, PageBreak, Spacer, TableStyle

from briefpub.diagnostics import Diagnostic
from briefpub.styling.model import StyleSheet, TextStyle
from briefpub.tree import (
    Block,
    BlockPath,
    BlockQuote,
    BulletList,
    Figure,
    Heading,
    Inline,
    OrderedList,
    TableCell,
    Text,
    ThematicBreak,
    enumerate_blocks,
    inline_text,
)
from briefpub.tree import ListItem as TreeListItem
from briefpub.tree import PageBreak as TreePageBreak
from briefpub.tree import Paragraph as TreeParagraph
from briefpub.tree import Table as TreeTable
from briefpub.writers.common.frame import SEPARATOR, ArticleFrame, SummaryEntry
from briefpub.writers.common.inlines import ImageRun, Run, RunStyle, TextRun, flatten
from briefpub.writers.common.links import Internal
from briefpub.writers.pdf.flowables import (
    ArticleStart,
    Indented,
    KeepWithEnd,
    LocatedRule,
    LocatedTable,
    LocatedText,
    PageState,
    QrCode,
    Rule,
    Where,
)
from briefpub.writers.pdf.images import Images
from briefpub.writers.pdf.paragraphs import HeadingMark, ParagraphSpec, Setter
from briefpub.writers.pdf.structure import Structure, figure, language_of
from briefpub.writers.pdf.styles import colour
from briefpub.writers.pdf.tagging import Element, TableTagging

__all__ = ["ArticleLayout", "OutlineItem", "TextArea", "keep_with_end"]


@dataclasses.dataclass(frozen=True, slots=True)
class TextArea:
    """The text area of a page, in points."""

    width: float
    height: float


@dataclasses.dataclass(frozen=True, slots=True)
class OutlineItem:
    """A heading as the PDF's outline and a pack's contents list it: its destination, depth (1 = top
    section) and text."""

    key: str
    depth: int
    text: str


class ArticleLayout:
    """Lays out one article as flowables (one call per article; packs call it repeatedly)."""

    def __init__(
        self,
        *,
        frame: ArticleFrame,
        sheet: StyleSheet,
        setter: Setter,
        area: TextArea,
        state: PageState,
        images: Images,
        diagnostics: list[Diagnostic],
        outline_base: int = 0,
        structure: Structure | None = None,
    ) -> None:
        self.frame = frame
        self.sheet = sheet
        self.area = area
        self.state = state
        self.images = images
        self.diagnostics = diagnostics
        self.outline_base = outline_base
        self.setter = setter
        #: The publication's structure tree, and this article's element in it (a ``Part`` in a pack).
        self.structure = structure or Structure(frame.language, frame.title)
        root = self.structure.root
        self.element = root.add("Part" if outline_base else "Art", lang=language_of(root, frame.language),
                                title=frame.title if outline_base else None)
        blocks = frame.document.blocks
        #: Where the attribution stands: after the last block (a page that begins there continues it).
        self.end: Where = (frame.index, (len(blocks) - 1,) if blocks else None)
        # Destinations are the frame's anchors; a second heading with one anchor (a tree that did not go
        # through the ids transform) gets a destination of its own, so none is defined twice.
        used = {frame.title_anchor}
        self.headings: dict[BlockPath, OutlineItem] = {}
        paths = [path for path, block in enumerate_blocks(blocks) if isinstance(block, Heading)]
        for path, entry in zip(paths, frame.outline, strict=True):
            key = entry.anchor if entry.anchor not in used else f"{entry.anchor}~{len(used)}"
            used.add(key)
            self.headings[path] = OutlineItem(key, entry.depth, entry.text)

    @property
    def outline(self) -> list[OutlineItem]:
        """The article's headings in reading order (for a pack's contents)."""
        return list(self.headings.values())

    # -- paragraphs -------------------------------------------------------------------

    def runs(self, inlines: tuple[Inline, ...], text: TextStyle) -> list[Run]:
        """The styled runs of ``inlines`` in ``text`` (links through the shared policy; refusals reported)."""
        return flatten(inlines, self.frame.resolve, self.diagnostics, RunStyle(bold=text.bold, italic=text.italic))

    def paragraph(self, inlines: tuple[Inline, ...], spec: ParagraphSpec) -> LocatedText:
        """A paragraph of ``inlines`` (inline images left out: see :meth:`paragraphs`)."""
        return self.setter.paragraph(self.runs(inlines, spec.text), spec)

    def paragraphs(self, inlines: tuple[Inline, ...], spec: ParagraphSpec) -> list[Flowable]:
        """A paragraph of ``inlines`` followed by its inline images."""
        return self.setter.flowables(self.runs(inlines, spec.text), spec)

    def text(self, value: str, spec: ParagraphSpec) -> LocatedText:
        """A paragraph of plain text (a frame value)."""
        return self.setter.text(value, spec)

    # -- the article ------------------------------------------------------------------

    @property
    def title_level(self) -> int:
        """The heading level of the article's title: 1 in a single article, 2 under a pack's title."""
        return 1 + (1 if self.outline_base else 0)

    def flowables(self) -> list[Flowable]:
        """The whole article: title block, key points, body, source attribution (kept with the body's end)."""
        art = self.frame
        element = self.element
        # the marking and the pack's "Article 3 of 12" printed at the top of the first page: said once
        marking = element.add("P") if art.marking else None
        label = element.add("P", lang=language_of(element, self.structure.tree.lang)) if art.article_label else None
        out: list[Flowable] = [ArticleStart(self.state, art.running_header, art.marking, label=art.article_label,
                                            rtl=art.rtl, marking_element=marking, label_element=label)]
        out.extend(self.title_block())
        out.extend(self.key_points())
        body: list[Flowable] = []
        for i, block in enumerate(art.document.blocks):
            body.extend(self.block(block, (i,), self.area.width, parent=element))
        # The source block never stands alone at the top of a page: the body's last lines come with it.
        keep_with_end(body, self.attribution(), self.area.height)
        out.extend(body)
        return out

    def title_block(self) -> list[Flowable]:
        """Title, standfirst and byline (the outlet linked to the source), then a rule."""
        art, sheet = self.frame, self.sheet
        where: Where = (art.index, None)
        closed = self.outline_base > 0  # in a pack the article's headings start folded under its title
        out: list[Flowable] = [self.text(art.title, ParagraphSpec(
            sheet.title, "title", where, balanced=True, align="left",
            heading=HeadingMark(art.title_anchor, self.outline_base, art.title, closed),
            tag=self.structure.title(self.element, self.title_level)))]
        if art.subtitle:
            out.append(self.text(art.subtitle, ParagraphSpec(sheet.subtitle, "subtitle", where, balanced=True,
                                                             tag=self.element.add("P"))))
        byline = art.byline
        if byline.parts:
            style = RunStyle(bold=sheet.byline.bold, italic=sheet.byline.italic)
            runs = [TextRun(SEPARATOR.join(p for p in (byline.names, byline.date) if p), style)]
            if byline.source:
                linked = dataclasses.replace(style, link=byline.source_link, link_id=1) if byline.source_link \
                    else style
                runs += [TextRun(SEPARATOR if runs[0].text else "", style), TextRun(byline.source, linked)]
            shown: list[Run] = [r for r in runs if r.text]
            out.append(self.setter.paragraph(shown, ParagraphSpec(sheet.byline, "byline", where,
                                                                  tag=self.element.add("P"))))
        out.append(Rule(width="100%", thickness=0.6, color=colour(sheet.boxes.border), spaceBefore=0,
                        spaceAfter=10))
        return out

    def _bullet_item(self, content: list[Flowable], marker: str, text: TextStyle, where: Where | None,
                     indent: float, *, direction: str | None = None, tag: Element | None = None) -> Indented:
        """A list item: ``content`` set in by ``indent``, ``marker`` (bullet or number, the content of
        ``tag``, the item's ``Lbl``) in the indent."""
        spec = ParagraphSpec(text, "marker", where, align="right" if not self._rtl(direction) else "left",
                             space_after=0.0, space_before=0.0, direction=direction, tag=tag)
        mark = self.text(marker, spec)
        return Indented(content, indent=indent, marker=mark, rtl=self._rtl(direction))

    def _rtl(self, direction: str | None) -> bool:
        return self.frame.rtl if direction is None else direction == "rtl"

    def key_points(self) -> list[Flowable]:
        """The key-points box from the summary (nothing when there is none)."""
        art, sheet = self.frame, self.sheet
        if not art.key_points:
            return []
        where: Where = (art.index, None)
        section = self.element.add("Sect")
        head_style = dataclasses.replace(sheet.heading3, italic=False, space_before=0.0, space_after=4.0)
        inner: list[Flowable] = [self.text(art.key_points_label, ParagraphSpec(
            head_style, "kp-title", where, tag=self.structure.heading(section, self.title_level + 1)))]
        item_text = dataclasses.replace(sheet.body, align="left", space_after=2.0)
        items = section.add("L", list_numbering="Disc")
        for point in art.key_points:
            item = items.add("LI")
            label, body = item.add("Lbl"), item.add("LBody")
            para = self.text(point, ParagraphSpec(item_text, "kp-item", where, hyphenate=True, tag=body))
            inner.append(self._bullet_item([para], sheet.paragraphs.bullet, item_text, where,
                                           sheet.paragraphs.list_indent, tag=label))
        padding = 8
        side = "RIGHTPADDING" if art.rtl else "LEFTPADDING"
        other = "LEFTPADDING" if art.rtl else "RIGHTPADDING"
        box = LocatedTable([[inner]], colWidths=[self.area.width], style=TableStyle([
            ("BACKGROUND", (0, 0), (-1, -1), colour(sheet.boxes.background)),
            ("BOX", (0, 0), (-1, -1), 0.8, colour(sheet.boxes.border)),
            ("LINEAFTER" if art.rtl else "LINEBEFORE", (0, 0), (0, -1), 3, colour(sheet.boxes.border)),
            (side, (0, 0), (-1, -1), padding + 4),
            (other, (0, 0), (-1, -1), padding),
            ("TOPPADDING", (0, 0), (-1, -1), padding),
            ("BOTTOMPADDING", (0, 0), (-1, -1), padding),
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ("FONTNAME", (0, 0), (-1, -1), self.setter.canvas_font),
        ]), spaceAfter=12, hAlign="LEFT", renderCB=TableTagging(None))  # a box, not a table: its drawing is art
        box.bp_where = where
        _w, h = box.wrap(self.area.width, self.area.height)
        if h > self.area.height * 0.8:  # too tall to box: print it unboxed rather than fail
            return [*inner, Spacer(1, 8)]
        return [box]

    def summary_entry(self, entry: SummaryEntry, *, page_rtl: bool = False,
                      parent: Element | None = None) -> list[Flowable]:
        """This article on a pack's summary page: its number, its title (a link to the article) with its
        portion marking, then its key points, or its opening sentence labelled as such.

        The number stands in the indent, so a title in the other direction than the page
        (``page_rtl``) keeps the page's alignment and its number in place. In the structure tree it is
        an item of ``parent`` (the summary's ``L``): the number its ``Lbl``, the rest its ``LBody``.
        """
        art, sheet = self.frame, self.sheet
        setter = self.setter
        item = parent.add("LI", lang=language_of(parent, art.language)) if parent is not None else None
        number_tag = item.add("Lbl") if item is not None else None
        body_tag = item.add("LBody") if item is not None else None
        title_text = dataclasses.replace(sheet.heading3, italic=False, space_before=0.0, space_after=3.0)
        align = "page-right" if page_rtl else "page-left"
        page_dir = "rtl" if page_rtl else "ltr"
        title_style = RunStyle(bold=title_text.bold, link=Internal(art.title_anchor, art.index))
        runs: list[Run] = [TextRun(art.title, title_style)]
        if art.portion_marking:
            runs.append(TextRun(" ", RunStyle()))
            runs.append(TextRun(f"[{art.portion_marking}]", RunStyle(bold=True)))
        title = setter.paragraph(runs, ParagraphSpec(title_text, "sum-title", align=align, direction="auto",
                                                     colour=None, tag=_add(body_tag, "P")))
        inner: list[Flowable] = [title]
        body = dataclasses.replace(sheet.body, align="left", space_after=2.0)
        indent = sheet.paragraphs.list_indent
        points = _add(body_tag, "L", list_numbering="Disc") if entry.points else None
        for point in entry.points:
            point_item = _add(points, "LI")
            label, point_body = _add(point_item, "Lbl"), _add(point_item, "LBody")
            para = setter.text(point, ParagraphSpec(body, "sum-item", hyphenate=True, direction="auto",
                                                    align=align, tag=point_body))
            inner.append(self._bullet_item([para], sheet.paragraphs.bullet, body, None, indent,
                                           direction=page_dir, tag=label))
        if not entry.points:
            label_style = RunStyle(italic=True, bold=True)
            note: list[Run] = [TextRun(art.labels.no_key_points, RunStyle(italic=True))]
            if entry.lede:
                note = [TextRun(f"{entry.lede_label}: ", label_style), TextRun(entry.lede, RunStyle())]
            inner.append(setter.paragraph(note, ParagraphSpec(body, "sum-none", hyphenate=True, direction="auto",
                                                              align=align, tag=_add(body_tag, "P"))))
        number_text = dataclasses.replace(title_text, space_after=0.0)
        label_width = _natural_width(setter, "000.", number_text) + 8
        mark = setter.text(f"{art.number}.", ParagraphSpec(number_text, "sum-number", direction=page_dir,
                                                           align="left" if page_rtl else "right", tag=number_tag))
        item = Indented(inner, indent=label_width, marker=mark, rtl=page_rtl)
        item.spaceBefore = 8
        # an entry is short: kept on one page (one that would take half a page splits)
        _w, height = item.wrapOn(None, self.area.width, self.area.height)
        item.splittable = height > self.area.height / 2
        return [item]

    # -- blocks -------------------------------------------------------------------

    def block(self, block: Block, path: BlockPath, width: float, nested: bool = False,
              parent: Element | None = None) -> list[Flowable]:
        """The flowables of one body block at ``path``, ``width`` wide (``nested`` inside a list or quote:
        no page-level breaks), its structure elements made under ``parent`` (the article's by default)."""
        sheet = self.sheet
        where: Where = (self.frame.index, path)
        parent = parent or self.element
        match block:
            case Heading(level=level, children=children):
                text = sheet.heading(level)
                item = self.headings[path]
                heading = self.paragraph(children, ParagraphSpec(
                    text, f"h{level}", where, balanced=True, align="left",
                    heading=HeadingMark(item.key, item.depth + self.outline_base, item.text), width=width,
                    tag=self.structure.heading(parent, self.title_level + item.depth)))
                if nested:
                    return [heading]
                needed = text.space_before + text.leading * 2 + sheet.body.leading * 3 + sheet.body.space_after
                return [CondPageBreak(needed), heading]
            case TreeParagraph(children=children):
                return self.paragraphs(children, ParagraphSpec(
                    sheet.body, "body", where, hyphenate=True, first_line_indent=sheet.paragraphs.first_line_indent,
                    width=width, tag=parent.add("P")))
            case Figure():
                return self.figure(block, where, width, nested, parent=parent)
            case BlockQuote(blocks=blocks, attribution=attribution):
                return self.quote(blocks, attribution, path, width, parent=parent)
            case BulletList(items=items):
                return self._list(items, path, width, ordered=False, parent=parent)
            case OrderedList(items=items, start=start):
                return self._list(items, path, width, ordered=True, start=start, parent=parent)
            case TreeTable():
                return self.table(block, where, width, nested, parent=parent)
            case ThematicBreak():
                rule = LocatedRule(width="25%", thickness=0.8, color=colour(sheet.boxes.border), spaceBefore=8,
                                   spaceAfter=14, hAlign="CENTER")
                rule.bp_where = where
                return [rule]
            case TreePageBreak():
                if nested:
                    self.diagnostics.append(Diagnostic(
                        "writer.not-rendered", "a page break inside a list or quote was left out",
                        severity="info"))
                    return []
                return [PageBreak()]
            case _:
                assert_never(block)

    def figure(self, fig: Figure, where: Where, width: float, nested: bool = False,
               parent: Element | None = None) -> list[Flowable]:
        """An image scaled to the room it has, kept together with its caption.

        A caption without a picture (the article had none, or it cannot be shown) is
        set as what it is, a photo caption: labelled ("Photo: ..."), in the caption
        style, where the article has it. A figure with neither keeps its alt text.
        In the structure tree: a ``Div`` holding the ``Figure`` (its ``/Alt`` the
        article's alt text, else the caption) and the ``Caption``.
        """
        sheet = self.sheet
        group = (parent or self.element).add("Div")
        parts: list[Flowable] = []
        if self.images.usable(fig.image, "caption" if fig.caption else "alt text"):
            image = self.images.flowable(fig.image, width, self.area.height * 0.6, where=where)
            if image is not None:
                parts.append(figure(group, image, fig.alt or inline_text(fig.caption), self.diagnostics, fig.image))
        caption = fig.caption or ((Text(fig.alt),) if fig.alt else ())
        if caption:
            runs = self.runs(caption, sheet.caption)
            # under its picture (centred) a caption is centred too
            spec = ParagraphSpec(sheet.caption, "caption", where, space_before=4.0 if parts else 0.0, width=width,
                                 align="center" if parts else "left", balanced=bool(parts),
                                 tag=group.add("Caption"))
            if not parts:
                label = RunStyle(bold=True, italic=False)
                runs = [TextRun(f"{self.frame.labels.photo}: ", label), *runs]
                spec = dataclasses.replace(spec, space_before=2.0, space_after=sheet.caption.space_after + 6.0,
                                           balanced=True)
            parts.append(self.setter.paragraph(runs, spec))
        if not parts or nested:  # KeepTogether inserts frame breaks, which crash inside lists
            return parts
        return [KeepTogether(parts)] if len(parts) > 1 else parts

    def quote(self, blocks: tuple[Block, ...], attribution: tuple[Inline, ...], path: BlockPath,
              width: float, parent: Element | None = None) -> list[Flowable]:
        """A block quote: indented on both sides, with a rule down the start side and the attribution below
        (a ``BlockQuote`` element holding its blocks and the attribution's paragraph)."""
        sheet = self.sheet
        element = (parent or self.element).add("BlockQuote")
        indent = sheet.paragraphs.quote_indent
        inner_width = width - 2 * indent
        inner: list[Flowable] = []
        for i, block in enumerate(blocks):
            if isinstance(block, TreeParagraph):
                inner.extend(self.paragraphs(block.children, ParagraphSpec(
                    sheet.quote, "quote", (self.frame.index, (*path, i)), hyphenate=True,
                    space_after=sheet.quote.space_after / 2, width=inner_width, tag=element.add("P"))))
            else:
                inner.extend(self.block(block, (*path, i), inner_width, nested=True, parent=element))
        if attribution:
            attr_style = dataclasses.replace(sheet.quote, italic=False, size=sheet.quote.size * 0.9, align="right")
            inner.append(self.paragraph((Text("\u2014 "), *attribution), ParagraphSpec(
                attr_style, "quote-attr", (self.frame.index, path), space_after=0.0, width=inner_width,
                tag=element.add("P"))))
        if not inner:
            return []
        bar = Indented(inner, indent=indent, end_indent=indent, rule=colour(sheet.boxes.border), rtl=self.frame.rtl)
        bar.spaceBefore = 4
        bar.spaceAfter = sheet.quote.space_after + 4
        return [bar]

    def _list(self, items: tuple[TreeListItem, ...], path: BlockPath, width: float, *, ordered: bool,
              start: int = 1, parent: Element | None = None) -> list[Flowable]:
        """One :class:`Indented` item per list item, its bullet or number in the indent (an ``L`` element:
        ``LI`` items, each a ``Lbl`` marker and a ``LBody`` holding the item's blocks)."""
        sheet = self.sheet
        indent = sheet.paragraphs.list_indent
        inner_width = width - indent
        item_text = dataclasses.replace(sheet.body, space_after=2.0)
        element = (parent or self.element).add("L", list_numbering="Decimal" if ordered else "Disc")
        out: list[Flowable] = []
        for j, item in enumerate(items):
            entry_element = element.add("LI")
            label, body = entry_element.add("Lbl"), entry_element.add("LBody")
            flows: list[Flowable] = []
            for k, block in enumerate(item.blocks):
                here = (*path, j, k)
                if isinstance(block, TreeParagraph):
                    flows.extend(self.paragraphs(block.children, ParagraphSpec(
                        item_text, "li", (self.frame.index, here), hyphenate=True, width=inner_width,
                        tag=body.add("P"))))
                else:
                    flows.extend(self.block(block, here, inner_width, nested=True, parent=body))
            marker = f"{start + j}." if ordered else sheet.paragraphs.bullet
            entry = self._bullet_item(flows or [Spacer(1, sheet.body.leading)], marker, item_text, None, indent,
                                      tag=label)
            out.append(entry)
        if out:
            out[-1].spaceAfter = sheet.body.space_after
        return out

    # -- tables -------------------------------------------------------------------

    _PADDING = 4.0

    def table(self, tab: TreeTable, where: Where, width: float, nested: bool = False,
              parent: Element | None = None) -> list[Flowable]:
        """A table with paragraph cells (an inline image becomes an image in its cell), header rows repeated
        on every page, and its caption above. In the structure tree: ``Table`` (its ``Caption`` first), a
        ``TR`` per row, ``TH`` with ``/Scope /Column`` in header rows, ``TD`` elsewhere, in the article's
        column order whatever the drawing order; the grid and backgrounds are artifacts, and so are header
        rows repeated on a continuation page (read once, where the table starts)."""
        sheet = self.sheet
        rows = [*tab.header, *tab.rows]
        ncols = max((len(r.cells) for r in rows), default=0)
        if ncols == 0:
            return []
        element = (parent or self.element).add("Table")
        caption_tag = element.add("Caption") if tab.caption else None
        header_rows = len(tab.header)
        row_elements = [element.add("TR") for _row in rows]
        cell_elements = [[tr.add("TH", scope="Column") if r < header_rows else tr.add("TD") for _c in range(ncols)]
                         for r, tr in enumerate(row_elements)]
        cell_text = sheet.table
        head_text = dataclasses.replace(cell_text, bold=True)
        cells = [[*row.cells, *[TableCell(())] * (ncols - len(row.cells))] for row in rows]
        runs = [[self.runs(c.children, head_text if r < len(tab.header) else cell_text) for c in row]
                for r, row in enumerate(cells)]
        widths = self._column_widths(runs, ncols, width)
        data = [[self._cell(cell_runs, head_text if r < len(tab.header) else cell_text, cell.align or "left",
                            widths[c] - 2 * self._PADDING, where, cell_elements[r][c])
                 for c, (cell, cell_runs) in enumerate(zip(row, runs[r], strict=True))]
                for r, row in enumerate(cells)]
        commands: list[tuple[Any, ...]] = [
            ("GRID", (0, 0), (-1, -1), 0.5, colour(sheet.boxes.border)),
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ("FONTNAME", (0, 0), (-1, -1), self.setter.canvas_font),
            ("LEFTPADDING", (0, 0), (-1, -1), self._PADDING),
            ("RIGHTPADDING", (0, 0), (-1, -1), self._PADDING),
            ("TOPPADDING", (0, 0), (-1, -1), 3),
            ("BOTTOMPADDING", (0, 0), (-1, -1), 4),
        ]
        if tab.header:
            commands.append(("BACKGROUND", (0, 0), (-1, len(tab.header) - 1),
                             colour(sheet.boxes.table_header_background)))
            commands.append(("LINEBELOW", (0, len(tab.header) - 1), (-1, len(tab.header) - 1), 1.0,
                             colour(sheet.boxes.border)))
        if self.frame.rtl:
            widths = widths[::-1]
            data = [row[::-1] for row in data]
        table = LocatedTable(data, colWidths=widths, repeatRows=len(tab.header), splitInRow=1, hAlign="LEFT",
                             style=TableStyle(commands), spaceBefore=4, spaceAfter=sheet.body.space_after + 6,
                             renderCB=TableTagging(element))
        table.bp_where = where
        out: list[Flowable] = []
        if tab.caption:
            cap = self.paragraph(tab.caption, ParagraphSpec(sheet.caption, "table-caption", where, space_after=4.0,
                                                            width=width, tag=caption_tag))
            if not nested:
                out.append(CondPageBreak(sheet.caption.leading * 2 + sheet.table.leading * 4 + 20))
            out.append(cap)
        out.append(table)
        return out

    def _cell(self, runs: list[Run], text: TextStyle, align: str, width: float, where: Where,
              element: Element | None = None) -> list[Flowable]:
        """A cell's flowables: its text as paragraphs, each inline image an image flowable between them
        (its alt text kept on it), an image that cannot be shown as its alt text. The text is content of
        the cell's ``element`` (``TH`` or ``TD``), each image a ``Figure`` in it."""
        out: list[Flowable] = []
        pending: list[Run] = []

        def flush(force: bool = False) -> None:
            if pending or (force and not out):
                out.append(self.setter.paragraph(pending, ParagraphSpec(text, "cell", where, align=align,
                                                                        space_after=0.0, width=width, tag=element)))
                pending.clear()

        for run in runs:
            if not isinstance(run, ImageRun) or not self.images.usable(run.image.src, "alt text"):
                if isinstance(run, ImageRun):
                    if run.image.alt:
                        pending.append(TextRun(run.image.alt, run.style))
                    continue
                pending.append(run)
                continue
            flush()
            image = self.images.flowable(run.image.src, width, self.area.height * 0.4, where=where,
                                         align={"center": "CENTER", "right": "RIGHT"}.get(align, "LEFT"))
            if image is not None:
                out.append(figure(element, image, run.image.alt or run.image.title, self.diagnostics,
                                  run.image.src))
        flush(force=True)
        return out

    def _column_widths(self, runs: list[list[list[Run]]], ncols: int, width: float) -> list[float]:
        """Column widths from the content: natural when it fits (at least 60% of ``width``), else
        proportional to content and filling ``width``, no column narrower than 1/(3n) of it."""
        natural = [1.0] * ncols
        for row in runs:
            for c, cell in enumerate(row):
                text = "".join(r.text for r in cell if isinstance(r, TextRun))
                need = _natural_width(self.setter, text, self.sheet.table) if text.strip() else 0.0
                for r in cell:
                    if isinstance(r, ImageRun):
                        found = self.images.natural_size(r.image.src)
                        need = max(need, found[0] if found else 0.0)
                natural[c] = max(natural[c], min(need + 2 * self._PADDING + 2, width))
        total = sum(natural)
        if total <= width:
            target = max(total, width * 0.6)
            return [n * target / total for n in natural]
        floor = width / (3 * ncols)
        widths = [max(width * n / total, floor) for n in natural]
        scale = width / sum(widths)
        return [w * scale for w in widths]

    # -- end matter -------------------------------------------------------------------

    def attribution(self) -> list[Flowable]:
        """The source attribution block (the frame's rows), with a QR code of the source link: flowables
        to keep together."""
        art, sheet = self.frame, self.sheet
        if not art.attribution:
            return []
        where = self.end
        section = self.element.add("Sect")
        heading = self.structure.heading(section, self.title_level + 1)
        details_element = section.add("Table")
        label_text = dataclasses.replace(sheet.byline, bold=True, space_after=0.0, space_before=0.0, align="left")
        value_text = dataclasses.replace(sheet.byline, space_after=0.0, space_before=0.0, align="left")
        data: list[list[Any]] = []
        link = None
        for detail in art.attribution:
            tr = details_element.add("TR")
            label_tag, value_tag = tr.add("TH", scope="Row"), tr.add("TD")
            value_style = RunStyle(bold=value_text.bold, italic=value_text.italic)
            if detail.link is not None:
                link = detail.link
                value_style = dataclasses.replace(value_style, link=detail.link, link_id=1)
            value = self.setter.paragraph([TextRun(detail.value, value_style)],
                                          ParagraphSpec(value_text, "attr-value", where, tag=value_tag))
            data.append([self.text(detail.label, ParagraphSpec(label_text, "attr-label", where, tag=label_tag)),
                         value])
        qr_size = 24 * mm
        label_width = min(max(_natural_width(self.setter, d.label, label_text) for d in art.attribution) + 8,
                          self.area.width * 0.4)
        with_qr = bool(sheet.furniture.qr_code and link is not None)
        value_width = self.area.width - label_width - (qr_size + 8 if with_qr else 0)
        widths = [label_width, value_width]
        if art.rtl:
            widths.reverse()
            data = [row[::-1] for row in data]
        details = LocatedTable(data, colWidths=widths, hAlign="LEFT", style=TableStyle([
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ("FONTNAME", (0, 0), (-1, -1), self.setter.canvas_font),
            ("LEFTPADDING", (0, 0), (-1, -1), 0),
            ("RIGHTPADDING", (0, 0), (-1, -1), 4),
            ("TOPPADDING", (0, 0), (-1, -1), 1),
            ("BOTTOMPADDING", (0, 0), (-1, -1), 1),
        ]), renderCB=TableTagging(details_element))
        details.bp_where = where
        heading_text = dataclasses.replace(sheet.heading3, italic=False, space_before=0.0, space_after=4.0)
        parts: list[Flowable] = [
            Spacer(1, 10),
            Rule(width="100%", thickness=0.6, color=colour(sheet.boxes.border), spaceBefore=0, spaceAfter=6),
            self.text(art.labels.source, ParagraphSpec(heading_text, "attr-title", where, align="left",
                                                       tag=heading)),
        ]
        if with_qr and link is not None:
            code = figure(section, QrCode(link.href, width=qr_size, height=qr_size, qrLevel="M", qrBorder=2),
                          art.labels.qr_code.format(url=link.href), self.diagnostics, what="QR code")
            row: list[Any] = [details, code]
            cols = [value_width + label_width, qr_size + 8]
            if art.rtl:
                row.reverse()
                cols.reverse()
            parts.append(LocatedTable([row], colWidths=cols, hAlign="LEFT", style=TableStyle([
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("FONTNAME", (0, 0), (-1, -1), self.setter.canvas_font),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("RIGHTPADDING", (0, 0), (-1, -1), 0),
                ("TOPPADDING", (0, 0), (-1, -1), 0),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 0),
                ("ALIGN", (0, 0) if art.rtl else (1, 0), (0, 0) if art.rtl else (1, 0),
                 "LEFT" if art.rtl else "RIGHT"),
            ]), renderCB=TableTagging(None)))  # (a layout table: the details and the QR code side by side)
        else:
            parts.append(details)
        return parts


def keep_with_end(story: list[Flowable], end: list[Flowable], page_height: float) -> None:
    """Append ``end`` (end matter: a source block, a pack's end mark) to ``story`` so that it is never
    parted from the story's last lines (a :class:`KeepWithEnd` of the last flowable and the end matter)."""
    if not end:
        return
    if story and isinstance(story[-1], KeepWithEnd):
        story[-1].content.extend(end)
        return
    if not story or isinstance(story[-1], (CondPageBreak, PageBreak)):
        story.append(KeepTogether(end))
        return
    last = story.pop()
    if isinstance(last, KeepTogether):  # a figure and its caption: one unit
        last = Indented(list(last._content), indent=0.0, splittable=False)
    story.append(KeepWithEnd([last, *end], page_height=page_height))


def _add(parent: Element | None, role: str, **attributes: object) -> Element | None:
    """A new child of ``parent`` (None without a parent: an untagged part of the layout)."""
    return parent.add(role, **attributes) if parent is not None else None


def _natural_width(setter: Setter, value: str, text: TextStyle) -> float:
    """How wide ``value`` is set on one line in ``text`` (the engine measures it)."""
    para = setter.text(value, ParagraphSpec(text, "measure", align="left", direction="auto"))
    setter.made.pop()
    widths = para.line_widths(100_000.0)
    return max(widths, default=0.0)
