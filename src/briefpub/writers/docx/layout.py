"""The body of a DOCX: an article's frame and blocks to WordprocessingML (DOCX writer stage).

:class:`Layout` turns one article (:meth:`Layout.article`, from its
:class:`~briefpub.writers.common.frame.ArticleFrame`) into a list of body
elements (``w:p`` and ``w:tbl``); the caller places them and the section
breaks between them (a pack's cover, contents and summary pages come from
:mod:`.front`, with the same helpers). Every paragraph names a style from
:mod:`.styles`; direct formatting is limited to what a style cannot say (a
list's own numbering, a nested quote's extra indent, the direction of an
article whose language differs from the publication's).

Everything around the body (title, byline, key points, attribution, labels,
dates) comes from the frame. Inlines go through the shared
:func:`~briefpub.writers.common.inlines.flatten` (one link policy, nested
emphasis back to roman, ``Span`` languages), with typographic punctuation when
the style sheet asks for it. Headings get the frame's anchors as bookmarks
(:func:`bookmark_name`). Images come from ``options.resources`` only, inline
(figures, table cells, list lines), scaled into the space they sit in, with
their alt text.
"""

from __future__ import annotations

import io
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any, assert_never

from docx.image.image import Image
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.oxml.shape import CT_Inline
from docx.shared import Emu
from lxml import etree

from briefpub.diagnostics import Diagnostic
from briefpub.language import primary_subtag
from briefpub.styling.model import StyleSheet
from briefpub.tree import (
    Block,
    BlockQuote,
    BulletList,
    Figure,
    Heading,
    Inline,
    ListItem,
    OrderedList,
    PageBreak,
    Paragraph,
    Table,
    TableRow,
    ThematicBreak,
    inline_text,
    iter_inlines,
)
from briefpub.tree import (
    Image as TreeImage,
)
from briefpub.writers.common.frame import ArticleFrame, Detail, OutlineEntry
from briefpub.writers.common.images import ImageRefused, check_image, print_bound
from briefpub.writers.common.inlines import BreakRun, ImageRun, Run, RunStyle, TextRun, flatten
from briefpub.writers.common.links import External, Internal, LinkTarget, Refused, refusal_diagnostic
from briefpub.writers.common.typography import smarten, smarten_texts
from briefpub.writers.docx import styles as st
from briefpub.writers.docx.furniture import TextArea
from briefpub.writers.docx.oxml import (
    EMU_PER_POINT,
    PPR_ORDER,
    Border,
    ParaProps,
    RunProps,
    bookmark,
    break_run,
    hyperlink,
    insert_ordered,
    new,
    paragraph,
    qn,
    rpr,
    set_paragraph_flag,
    sub,
    text_run,
    tie_last_words,
    twips,
    val,
)

WP = "http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing"
#: Word ignores bookmark names longer than this.
BOOKMARK_MAX = 40
#: Image formats embedded byte for byte (python-docx reads their size and resolution); others become PNG.
_DOCX_KEEP = ("PNG", "JPEG", "GIF", "BMP", "TIFF")
#: Cell margins left and right of a table cell's text (5.4 pt each, Word's default).
CELL_PADDING = 10.8
#: Cell margins above and below a cell's text (Word's default is none: the text touched the rules).
CELL_PADDING_Y = 2.5


def bookmark_name(anchor: str) -> str:
    """The Word bookmark for a frame anchor: ``-`` becomes ``_`` (anchors never hold ``_`` except the
    frame's own ``_h<n>`` fallback, so the mapping stays one-to-one), at most 40 characters."""
    return anchor.replace("-", "_")[:BOOKMARK_MAX]


@dataclass(frozen=True, slots=True)
class ArticleContext:
    """Per-article facts every block needs: its frame, direction and language."""

    frame: ArticleFrame
    bidi: bool | None  # explicit paragraph direction when it differs from the publication's
    run_base: RunProps  # w:lang and complex-script font when they differ from the publication's

    @property
    def language(self) -> str:
        """The article's BCP 47 language."""
        return self.frame.language

    @property
    def rtl(self) -> bool:
        """Whether the article is written right to left."""
        return self.frame.rtl

    @property
    def bookmark(self) -> str:
        """The bookmark at the start of the article (its title)."""
        return bookmark_name(self.frame.title_anchor)


@dataclass(frozen=True, slots=True)
class _Env:
    """Where a block sits: the paragraph style to use, quote/list nesting and the width left for it."""

    style: str = st.BODY
    quote_depth: int = 0
    list_depth: int = 0
    indent: float = 0.0  # points taken from the text width by quote and list indents


class Layout:
    """Builds body elements; collects diagnostics; allocates bookmark and drawing ids."""

    def __init__(
        self,
        document: Any,
        sheet: StyleSheet,
        style_ctx: st.StyleContext,
        numbering: st.Numbering,
        resources: Mapping[str, bytes],
        area: TextArea,
        fontset: Any,
    ) -> None:
        self.part = document.part
        #: External link targets -> their relationship ids, and the next id number to try (python-docx's
        #: ``relate_to`` scans every relationship and every id for each link: quadratic in the links).
        self._link_rids: dict[str, str] = {}
        self._next_rid = 1
        self.sheet = sheet
        self.style_ctx = style_ctx
        self.numbering = numbering
        self.resources = resources
        self.area = area
        self.fontset = fontset
        self.diagnostics: list[Diagnostic] = []
        self.smart = sheet.paragraphs.smart_punctuation
        self._bookmark_id = 0
        self._shape_id = 0
        self._rpr_cache: dict[tuple[RunStyle, RunProps, str], etree._Element | None] = {}
        self._images: dict[str, tuple[str, str, int, int] | None] = {}
        self._book: Any = None  # the document's resolved styles, read when first needed

    # ------------------------------------------------------------------
    # Articles
    # ------------------------------------------------------------------

    def article_context(self, frame: ArticleFrame) -> ArticleContext:
        """Direction and language runs of one article."""
        pub_ctx = self.style_ctx
        bidi: bool | None = None
        if frame.rtl != pub_ctx.rtl:
            bidi = frame.rtl
        return ArticleContext(frame, bidi, self.lang_props(frame.language))

    def lang_props(self, language: str) -> RunProps:
        """Run properties marking ``language`` when it differs from the publication's (``w:lang``, the
        complex-script font of its script)."""
        pub_ctx = self.style_ctx
        if not language or language == pub_ctx.language:
            return RunProps()
        rtl = primary_subtag(language) in ("ar", "fa", "ur", "ps", "sd", "ug", "ku", "he", "yi")
        latin, east_asia, bidi_lang = st.language_attrs(language, rtl)
        cs_font = st.fonts_for(self.fontset, self.sheet, "body", language).cs
        return RunProps(
            lang=latin, lang_east_asia=east_asia, lang_bidi=bidi_lang,
            cs_font="" if cs_font == pub_ctx.fonts("body").cs else cs_font,
        )  # fmt: skip

    def text(self, value: str, language: str) -> str:
        """Frame text (titles, labels, key points) with typographic punctuation when the sheet asks."""
        return smarten(value, language) if self.smart and value else value

    def bookmarked(self, name: str, content: list[etree._Element]) -> list[etree._Element]:
        """``content`` (runs) wrapped in a new bookmark ``name``."""
        start, end = bookmark(self._next_bookmark_id(), name)
        return [start, *content, end]

    def _next_bookmark_id(self) -> int:
        self._bookmark_id += 1
        return self._bookmark_id

    def article(self, art: ArticleContext) -> list[etree._Element]:
        """One article: number, title, standfirst, byline, key points, body, source attribution.

        In a pack an article without a title still gets a Heading 1 (the localised
        "Untitled"), so the contents, the navigation pane and a regenerated TOC list it.
        """
        frame = art.frame
        out: list[etree._Element] = []
        props = rpr(art.run_base)
        lang = frame.language
        if frame.article_label:
            out.append(paragraph(ParaProps(style=st.ARTICLE_LABEL, bidi=art.bidi),
                                 [text_run(frame.article_label, props)]))  # fmt: skip
        if frame.has_title or frame.in_pack:
            title = self.bookmarked(art.bookmark, [text_run(self.text(frame.title, lang), props)])
            out.append(tie_last_words(paragraph(ParaProps(style=st.heading_id(1), bidi=art.bidi), title)))
        if frame.subtitle:
            out.append(paragraph(ParaProps(style=st.SUBTITLE, bidi=art.bidi),
                                 [text_run(self.text(frame.subtitle, lang), props)]))  # fmt: skip
        if frame.byline.parts:
            out.append(paragraph(ParaProps(style=st.BYLINE, bidi=art.bidi), self._byline(art)))
        if frame.key_points:
            out.extend(self.key_points(frame.key_points_label, frame.key_points, art))
        headings: Iterator[OutlineEntry] = iter(frame.outline)
        out.extend(self.blocks(frame.document.blocks, _Env(), art, headings))
        if frame.attribution:
            out.extend(self._attribution(frame.attribution, art))
        return out

    def _byline(self, art: ArticleContext) -> list[etree._Element]:
        """Names · date · outlet, the outlet a link to the article's address."""
        byline = art.frame.byline
        props = rpr(art.run_base)
        runs: list[etree._Element] = []
        parts = [(byline.names, None), (byline.date, None), (byline.source, byline.source_link)]
        for text, link in [(t, k) for t, k in parts if t]:
            if runs:
                runs.append(text_run(" \u00b7 ", props))
            value = self.text(text, art.language)
            if link is not None:
                runs.append(self._external([text_run(value, self._run_props(RunStyle(link=link), art))], link, ""))
            else:
                runs.append(text_run(value, props))
        return runs

    def key_points(self, label: str, points: Sequence[str], art: ArticleContext) -> list[etree._Element]:
        """The "bottom line first" box: a heading and the points as a list, one bordered shaded group.

        Paragraph borders and shading, not a one-cell layout table: screen readers
        read a heading and a list, and the box still splits across pages.
        """
        props = rpr(art.run_base)
        out = [paragraph(ParaProps(style=st.KEY_POINTS, bidi=art.bidi),
                         [text_run(self.text(label, art.language), props)])]  # fmt: skip
        for point in points:
            out.append(paragraph(ParaProps(style=st.KEY_POINT, bidi=art.bidi),
                                 [text_run(self.text(point, art.language), props)]))  # fmt: skip
        return out

    def _attribution(self, rows: Sequence[Detail], art: ArticleContext) -> list[etree._Element]:
        """The source block: one paragraph, a row per line (label: value), kept together under a rule.

        One paragraph with line breaks and "keep lines together", not a chain of
        paragraphs kept with the next: LibreOffice 7.4 sometimes moves such a chain
        to the next page although it fits (seen at the foot of a pack's later
        articles), which no page estimate can predict; a paragraph kept whole
        moves only when it does not fit.
        """
        label_props = rpr(replace(art.run_base, style=st.STRONG))
        content: list[etree._Element] = []
        for number, detail in enumerate(rows):
            if number:
                content.append(break_run(None))
            content.append(text_run(f"{detail.label}: ", label_props))
            if detail.key == "link" and detail.link is None:
                # The source address is printed, not linked: say why, as for a link in the text.
                target = art.frame.resolve(detail.value)
                if isinstance(target, Refused):
                    self.diagnostics.append(refusal_diagnostic(detail.value, target))
            if detail.link is not None:
                runs = [text_run(detail.value, self._run_props(RunStyle(link=detail.link), art))]
                content.append(self._external(runs, detail.link, ""))
            else:
                content.append(text_run(self.text(detail.value, art.language), rpr(art.run_base)))
        if not content:
            return []
        return [paragraph(ParaProps(
            style=st.ATTRIBUTION,
            bidi=art.bidi,
            keep_lines=True,
            space_before=12.0,
            borders=(Border("top", self.sheet.boxes.border, 0.5, 6),),
        ), content)]  # fmt: skip

    # ------------------------------------------------------------------
    # Blocks
    # ------------------------------------------------------------------

    def blocks(
        self, blocks: Sequence[Block], env: _Env, art: ArticleContext, headings: Iterator[OutlineEntry]
    ) -> list[etree._Element]:
        """Lay out a run of blocks; a PageBreak becomes "page break before" on what follows."""
        out: list[etree._Element] = []
        pending_break = False
        for block in blocks:
            if isinstance(block, PageBreak):
                pending_break = True
                continue
            elements = self.block(block, env, art, headings)
            if not elements:
                continue
            if pending_break:
                if elements[0].tag == qn("w:p"):
                    set_paragraph_flag(elements[0], "w:pageBreakBefore")
                else:
                    elements.insert(0, paragraph(ParaProps(), [break_run(None, "page")]))
                pending_break = False
            if out and out[-1].tag == qn("w:tbl") and elements[0].tag == qn("w:tbl"):
                # Adjacent tables merge into one in Word: keep them apart.
                out.append(paragraph(ParaProps(style=st.NORMAL)))
            if out and out[-1].tag == qn("w:tbl") and elements[0].tag == qn("w:p"):
                self.space_after_table(elements[0])
            out.extend(elements)
        return out

    def space_after_table(self, p: etree._Element) -> None:
        """Give the paragraph after a table room above it (a table has no space below of its own: the
        text after it sat on its bottom border): at least :meth:`table_gap`, more if its style asks."""
        from briefpub.writers.docx.estimate import StyleBook

        if self._book is None:
            self._book = StyleBook(self.part.styles.element, None)
        before = self._book.paragraph(p).before
        gap = self.table_gap
        if before < gap:
            properties = p.find(qn("w:pPr"))
            if properties is None:
                properties = new("w:pPr")
                p.insert(0, properties)
            spacing = properties.find(qn("w:spacing"))
            if spacing is None:
                spacing = new("w:spacing")
                insert_ordered(properties, spacing, PPR_ORDER)
            spacing.set(qn("w:before"), str(twips(gap)))

    @property
    def table_gap(self) -> float:
        """The space between a table and the text after it: 0.6 of the body's leading (9 pt for 15 pt)."""
        return round(self.sheet.body.leading * 0.6, 1)

    def block(
        self, block: Block, env: _Env, art: ArticleContext, headings: Iterator[OutlineEntry]
    ) -> list[etree._Element]:
        """One block as body elements."""
        match block:
            case Heading():
                return [self._heading(block, art, next(headings))]
            case Paragraph(children=children):
                return [self._paragraph(children, env, art)]
            case Figure():
                return self._figure(block, env, art)
            case BlockQuote():
                return self._quote(block, env, art, headings)
            case BulletList(items=items):
                return self._list(items, None, env, art, headings)
            case OrderedList(items=items, start=start):
                return self._list(items, start, env, art, headings)
            case Table():
                return self._table(block, env, art)
            case ThematicBreak():
                rule = Border("bottom", self.sheet.boxes.border, 0.75, 1)
                return [paragraph(ParaProps(style=st.NORMAL, borders=(rule,), space_before=6.0,
                                            space_after=self.sheet.body.space_after + 6.0))]  # fmt: skip
            case PageBreak():
                return []
            case _:
                assert_never(block)

    def _para_props(self, env: _Env, art: ArticleContext, **extra: Any) -> ParaProps:
        indent = None
        if env.quote_depth > 1 and env.style == st.QUOTE:
            indent = self.sheet.paragraphs.quote_indent * env.quote_depth
        return ParaProps(style=env.style, bidi=art.bidi, indent_left=indent, **extra)

    def _paragraph(self, children: tuple[Inline, ...], env: _Env, art: ArticleContext) -> etree._Element:
        return paragraph(self._para_props(env, art), self.inlines(children, art, width=self._width(env)))

    def _heading(self, heading: Heading, art: ArticleContext, entry: OutlineEntry) -> etree._Element:
        """A heading one level below the article's title (Heading 2 for the article's top sections)."""
        content = self.bookmarked(bookmark_name(entry.anchor), self.inlines(heading.children, art))
        return tie_last_words(paragraph(ParaProps(style=st.heading_id(entry.depth + 1), bidi=art.bidi), content))

    def _quote(
        self, quote: BlockQuote, env: _Env, art: ArticleContext, headings: Iterator[OutlineEntry]
    ) -> list[etree._Element]:
        indent = self.sheet.paragraphs.quote_indent
        inner = replace(env, style=st.QUOTE, quote_depth=env.quote_depth + 1,
                        indent=env.indent + indent * (2 if env.quote_depth == 0 else 1))  # fmt: skip
        out = self.blocks(quote.blocks, inner, art, headings)
        if quote.attribution:
            dash = text_run("\u2014 ", rpr(art.run_base))
            content = [dash, *self.inlines(quote.attribution, art)]
            out.append(paragraph(self._para_props(inner, art, align="right"), content))
        return out

    def _list(
        self,
        items: tuple[ListItem, ...],
        start: int | None,
        env: _Env,
        art: ArticleContext,
        headings: Iterator[OutlineEntry],
    ) -> list[etree._Element]:
        depth = env.list_depth + 1
        num = None if start is None else (self.numbering.ordered(depth, start), 0)
        style = st.bullet_id(depth) if start is None else st.number_id(depth)
        indent = self.sheet.paragraphs.list_indent * min(depth, st.MAX_LIST_DEPTH)
        inner = replace(env, style=st.continue_id(depth), list_depth=depth, indent=indent)
        out: list[etree._Element] = []
        for item in items:
            blocks = item.blocks
            marker_props = ParaProps(style=style, num=num, bidi=art.bidi)
            if not blocks:
                out.append(paragraph(marker_props))
                continue
            first = blocks[0]
            if isinstance(first, Paragraph):
                out.append(paragraph(marker_props, self.inlines(first.children, art, width=self._width(inner))))
                blocks = blocks[1:]
            out.extend(self.blocks(blocks, inner, art, headings))
        return out

    def _width(self, env: _Env) -> float:
        """The width (points) a paragraph in ``env`` has for its text and pictures."""
        return max(self.area.width - env.indent, self.area.width / 4)

    # ------------------------------------------------------------------
    # Figures and tables
    # ------------------------------------------------------------------

    def _figure(self, figure: Figure, env: _Env, art: ArticleContext) -> list[etree._Element]:
        """An image (centred, scaled into the width it sits in) over its caption.

        A caption without an image is a photo caption whose picture did not
        come with the text (the reference article's case): it is labelled
        "Photo:" in the article's language, set as a caption, never as body text.
        """
        out: list[etree._Element] = []
        caption = self.inlines(figure.caption, art)
        drawing = None
        if figure.image:
            alt = figure.alt or inline_text(figure.caption)
            drawing = self.picture(figure.image, alt, "", self._width(env), art)
            if drawing is not None:
                left, right = self._sides(env)
                props = ParaProps(style=st.NORMAL, align="center", keep_next=bool(caption), space_before=6.0,
                                  space_after=3.0, bidi=art.bidi, indent_left=left, indent_right=right)  # fmt: skip
                out.append(paragraph(props, [drawing]))
        if not caption and drawing is None and figure.alt:
            caption = [text_run(self.text(figure.alt, art.language), rpr(art.run_base))]
        if caption:
            if drawing is None:
                label = art.frame.labels.photo
                caption.insert(0, text_run(f"{label}: ", rpr(replace(art.run_base, style=st.STRONG))))
            left, right = self._sides(env)
            out.append(paragraph(ParaProps(style=st.CAPTION, bidi=art.bidi, indent_left=left, indent_right=right),
                                 caption))  # fmt: skip
        return out

    def _sides(self, env: _Env) -> tuple[float | None, float | None]:
        """Left and right indents of a figure's paragraphs: those of the list or quote it sits in."""
        if not env.indent:
            return None, None
        if env.quote_depth:
            quote = self.sheet.paragraphs.quote_indent
            return env.indent - quote, quote
        return env.indent, None

    def picture(self, key: str, alt: str, title: str, width: float, art: ArticleContext | None,
                height: float | None = None) -> etree._Element | None:  # fmt: skip
        """A run holding image ``key``, scaled into ``width`` points, with alt text; None (reported) if it
        cannot be embedded."""
        if key not in self._images:
            self._images[key] = self._load(key)
        loaded = self._images[key]
        if loaded is None:
            return None
        rid, filename, native_w, native_h = loaded
        max_w = width * EMU_PER_POINT
        max_h = (height if height is not None else self.area.height * 0.75) * EMU_PER_POINT
        scale = min(1.0, max_w / native_w, max_h / native_h)
        cx, cy = max(1, int(native_w * scale)), max(1, int(native_h * scale))
        self._shape_id += 1
        inline = CT_Inline.new_pic_inline(self._shape_id, rid, filename, Emu(cx), Emu(cy))
        # Without explicit distances LibreOffice puts 0.125 in (9 pt) of wrap distance left of an
        # inline picture, pushing a full-width one past the right margin; Word writes them as 0.
        for side in ("distT", "distB", "distL", "distR"):
            inline.set(side, "0")
        effect = etree.SubElement(inline, f"{{{WP}}}effectExtent", {"l": "0", "t": "0", "r": "0", "b": "0"})
        inline.extent.addnext(effect)
        inline.docPr.set("descr", alt)
        if title:
            inline.docPr.set("title", title)
        run = new("w:r")
        sub(run, "w:drawing").append(inline)
        return run

    def _load(self, key: str) -> tuple[str, str, int, int] | None:
        """``(relationship id, file name, width, height in EMU)`` of image ``key``, embedded once under the
        writers' shared image policy (pixel limit, complete decode, downscaled to the text block at print
        resolution); None, reported, when it cannot be embedded."""
        data = self.resources.get(key)
        reason = "no image data was supplied"
        if data is not None:
            try:
                checked = check_image(data, fit=print_bound(self.area.width, self.area.height), keep=_DOCX_KEEP)
                try:  # the size the original says it has (its resolution), whatever was embedded
                    native = Image.from_blob(data)
                except Exception:  # a format python-docx does not parse (WebP...): the embedded copy's
                    native = None
                rid, image = self.part.get_or_add_image(io.BytesIO(checked.data))
                width, height = int((native or image).width), int((native or image).height)
                if width > 0 and height > 0:
                    self.diagnostics.extend(checked.warning_diagnostics(key))
                    return rid, image.filename, width, height
                reason = "the image has no size"
            except ImageRefused as exc:
                reason = str(exc)
            except Exception:  # python-docx cannot place it: reported below, its text kept
                reason = "the image format is not supported"
        self.diagnostics.append(Diagnostic(
            "writer.image-missing",
            f"image {key!r} could not be embedded ({reason}); its caption or alt text was kept",
            text=key,
        ))  # fmt: skip
        return None

    def _column_widths(self, rows: list[tuple[TableRow, bool]], columns: int, width: float) -> list[float]:
        """Column widths (points) by content, as browsers size automatic tables.

        Each column's minimum is its longest word (or picture), its maximum its
        longest cell on one line; the columns get their maxima when they fit,
        else their minima plus a share of the rest in proportion to what they
        lack, else their minima scaled down.
        """
        size = self.sheet.table.size
        advance = 0.55 * size
        least = [2 * advance] * columns
        most = [2 * advance] * columns
        for row, _ in rows:
            for column, cell in enumerate(row.cells[:columns]):
                text = inline_text(cell.children)
                words = max((len(w) for w in text.split()), default=0) * advance
                pictures = _images_of(cell.children)
                picture = 72.0 if pictures else 0.0
                least[column] = max(least[column], words + CELL_PADDING, min(picture, width / columns))
                most[column] = max(most[column], len(text) * advance + picture + CELL_PADDING)
        if sum(most) <= width:
            spare = width - sum(most)
            return [m + spare * m / sum(most) for m in most]
        if sum(least) >= width:
            return [w * width / sum(least) for w in least]
        spare = width - sum(least)
        lack = [m - w for m, w in zip(most, least, strict=True)]
        return [w + spare * k / sum(lack) for w, k in zip(least, lack, strict=True)]

    def _table(self, table: Table, env: _Env, art: ArticleContext) -> list[etree._Element]:
        rows: list[tuple[TableRow, bool]] = [(r, True) for r in table.header]
        rows += [(r, False) for r in table.rows]
        columns = max((len(r.cells) for r, _ in rows), default=0)
        out: list[etree._Element] = []
        if table.caption:
            caption = self.inlines(table.caption, art)
            out.append(paragraph(ParaProps(style=st.CAPTION, keep_next=columns > 0, bidi=art.bidi), caption))
        if columns == 0:
            return out
        total = self._width(env)
        widths = self._column_widths(rows, columns, total)
        element = new("w:tbl")
        tbl_pr = sub(element, "w:tblPr")
        val(tbl_pr, "w:tblStyle", st.TABLE_GRID)
        if art.rtl:
            sub(tbl_pr, "w:bidiVisual")
        sub(tbl_pr, "w:tblW", {"w:w": str(sum(twips(w) for w in widths)), "w:type": "dxa"})
        if env.indent:
            sub(tbl_pr, "w:tblInd", {"w:w": str(twips(env.indent)), "w:type": "dxa"})
        sub(tbl_pr, "w:tblLayout", {"w:type": "fixed"})
        margins = sub(tbl_pr, "w:tblCellMar")
        for side, size in (("top", CELL_PADDING_Y), ("left", CELL_PADDING / 2), ("bottom", CELL_PADDING_Y),
                           ("right", CELL_PADDING / 2)):  # fmt: skip
            sub(margins, f"w:{side}", {"w:w": str(twips(size)), "w:type": "dxa"})
        sub(tbl_pr, "w:tblLook", {"w:val": "04A0", "w:firstRow": "1", "w:lastRow": "0", "w:firstColumn": "0",
                                  "w:lastColumn": "0", "w:noHBand": "1", "w:noVBand": "1"})  # fmt: skip
        grid = sub(element, "w:tblGrid")
        for column_width in widths:
            sub(grid, "w:gridCol", {"w:w": str(twips(column_width))})
        header_fill = self.sheet.boxes.table_header_background.lstrip("#").upper()
        for row, is_header in rows:
            tr = sub(element, "w:tr")
            tr_pr = sub(tr, "w:trPr")
            sub(tr_pr, "w:cantSplit")
            if is_header:
                sub(tr_pr, "w:tblHeader")
            for column in range(columns):
                cell = row.cells[column] if column < len(row.cells) else None
                tc = sub(tr, "w:tc")
                tc_pr = sub(tc, "w:tcPr")
                sub(tc_pr, "w:tcW", {"w:w": str(twips(widths[column])), "w:type": "dxa"})
                if is_header:
                    sub(tc_pr, "w:shd", {"w:val": "clear", "w:color": "auto", "w:fill": header_fill})
                runs: list[etree._Element] = []
                if cell is not None:
                    base = RunStyle(bold=is_header)
                    runs = self.inlines(cell.children, art, base=base, width=widths[column] - CELL_PADDING)
                align = "" if cell is None else cell.align
                tc.append(paragraph(ParaProps(style=st.TABLE_TEXT, align=align, bidi=art.bidi), runs))
        out.append(element)
        return out

    # ------------------------------------------------------------------
    # Inlines
    # ------------------------------------------------------------------

    def _run_props(self, fmt: RunStyle, art: ArticleContext) -> etree._Element | None:
        key = (replace(fmt, link_id=0, link_title=""), art.run_base, art.language)
        if key not in self._rpr_cache:
            base = art.run_base
            if fmt.lang and fmt.lang != art.language:
                base = self.lang_props(fmt.lang)
                if primary_subtag(fmt.lang) != primary_subtag(self.style_ctx.language) and base == RunProps():
                    base = RunProps(lang=fmt.lang)
            if fmt.link is not None:
                style, bold, italic = st.HYPERLINK, fmt.bold, fmt.italic
            elif fmt.code:
                style, bold, italic = st.CODE, fmt.bold, fmt.italic
            elif fmt.bold:
                style, bold, italic = st.STRONG, False, fmt.italic
            elif fmt.italic:
                style, bold, italic = st.EMPHASIS, False, False
            else:
                style, bold, italic = "", False, False
            self._rpr_cache[key] = rpr(replace(
                base, style=style, bold=True if bold else None, italic=True if italic else None
            ))  # fmt: skip
        return self._rpr_cache[key]

    def inlines(
        self,
        nodes: tuple[Inline, ...],
        art: ArticleContext,
        *,
        base: RunStyle | None = None,
        width: float | None = None,
        resolve: Any = None,
    ) -> list[etree._Element]:
        """Runs and hyperlinks for a run of inlines (through the shared :func:`flatten`)."""
        runs = flatten(nodes, resolve or art.frame.resolve, self.diagnostics, base)
        texts = [r for r in runs if isinstance(r, TextRun)]
        if self.smart and texts:
            language = art.language
            smart = smarten_texts([r.text for r in texts], language, code=[r.style.code for r in texts])
            fixed = dict(zip((id(r) for r in texts), smart, strict=True))
            runs = [TextRun(fixed[id(r)], r.style) if isinstance(r, TextRun) else r for r in runs]
        out: list[etree._Element] = []
        link_runs: list[etree._Element] = []
        link_key: tuple[int, LinkTarget | None] = (0, None)
        link_title = ""

        def close_link() -> None:
            nonlocal link_runs, link_key
            target = link_key[1]
            if link_runs and target is not None:
                out.append(self._link(link_runs, target, link_title))
            link_runs = []
            link_key = (0, None)

        for run in runs:
            element = self._run(run, art, width)
            if element is None:
                continue
            style = run.style
            if style.link is None:
                close_link()
                out.append(element)
                continue
            if (style.link_id, style.link) != link_key:
                close_link()
                link_key = (style.link_id, style.link)
                link_title = style.link_title
            link_runs.append(element)
        close_link()
        return out

    def _run(self, run: Run, art: ArticleContext, width: float | None) -> etree._Element | None:
        match run:
            case TextRun(text=text, style=style):
                return text_run(text, self._run_props(style, art))
            case BreakRun(style=style):
                return break_run(self._run_props(style, art))
            case ImageRun(image=image):
                space = width if width is not None else self.area.width
                drawing = self.picture(image.src, image.alt, image.title, space, art,
                                       height=min(self.area.height * 0.75, max(space, 72.0)))  # fmt: skip
                if drawing is None:
                    fallback = image.alt or image.title
                    return text_run(f"[{fallback}]", self._run_props(run.style, art)) if fallback else None
                return drawing
            case _:
                assert_never(run)

    def _link(self, runs: list[etree._Element], target: LinkTarget, title: str) -> etree._Element:
        if isinstance(target, External):
            return self._external(runs, target, title)
        if isinstance(target, Internal):
            return hyperlink(runs, anchor=bookmark_name(target.anchor), tooltip=title)
        raise AssertionError("refused links never reach a run")  # pragma: no cover

    def _external(self, runs: list[etree._Element], target: External, title: str) -> etree._Element:
        return hyperlink(runs, rid=self._link_rid(target.href), tooltip=title)

    def _link_rid(self, href: str) -> str:
        """The id of the part's relationship to the external ``href``, added on first use (linear in the
        links of the document: each id number is tried at most once)."""
        rid = self._link_rids.get(href)
        if rid is None:
            rels = self.part.rels
            while f"rId{self._next_rid}" in rels:
                self._next_rid += 1
            rid = self._link_rids[href] = f"rId{self._next_rid}"
            rels.add_relationship(RT.HYPERLINK, href, rid, is_external=True)
        return rid


def _images_of(nodes: tuple[Inline, ...]) -> list[TreeImage]:
    """The inline images among ``nodes`` (at any depth)."""
    return [node for node in iter_inlines((Paragraph(nodes),)) if isinstance(node, TreeImage)]
