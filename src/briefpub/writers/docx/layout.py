"""The body of a DOCX: tree blocks and inlines to WordprocessingML (DOCX writer stage).

:class:`Layout` turns one article (:meth:`Layout.article`) into a list of
body elements (``w:p`` and ``w:tbl``); the caller places them and the section
breaks between them (a pack's cover, contents and summary pages come from
:mod:`.front`, with the same helpers). Every paragraph
names a style from :mod:`.styles`; direct formatting is limited to what a
style cannot say (a list's own numbering, a nested quote's extra indent, the
direction of an article whose language differs from the publication's).

Links follow the shared policy (http, https and mailto become hyperlinks;
``#id`` links to a heading of the same article become internal links;
anything else stays text with a diagnostic). Images come from
``options.resources`` only and are scaled to fit the text block.
"""

from __future__ import annotations

import io
import re
import unicodedata
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any, assert_never
from urllib.parse import quote

from docx.image.image import Image
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.oxml.shape import CT_Inline
from docx.shared import Emu
from lxml import etree

from briefpub.diagnostics import Diagnostic
from briefpub.styling.model import StyleSheet
from briefpub.tree import (
    Block,
    BlockQuote,
    BulletList,
    Code,
    Document,
    Emphasis,
    Figure,
    Heading,
    Inline,
    LineBreak,
    Link,
    ListItem,
    OrderedList,
    PageBreak,
    Paragraph,
    Strong,
    Table,
    TableRow,
    Text,
    ThematicBreak,
    inline_text,
)
from briefpub.writers._common import attribution_lines, byline, is_safe_url
from briefpub.writers.docx import styles as st
from briefpub.writers.docx.furniture import TextArea
from briefpub.writers.docx.oxml import (
    EMU_PER_POINT,
    Border,
    ParaProps,
    RunProps,
    bookmark,
    break_run,
    hex_colour,
    hyperlink,
    new,
    paragraph,
    qn,
    rpr,
    set_paragraph_flag,
    space_before_at_least,
    sub,
    text_run,
    twips,
    val,
)

# Characters kept unescaped in hyperlink targets (RFC 3986 reserved + unreserved + "%").
_URL_SAFE = ":/?#[]@!$&'()*+,;=%~-._"
_BOOKMARK_CHARS = re.compile(r"[^A-Za-z0-9]+")
_BOOKMARK_MAX = 40  # Word truncates longer bookmark names


@dataclass(frozen=True, slots=True)
class OutlineEntry:
    """One heading of an article, as a contents page lists it."""

    level: int
    text: str
    bookmark: str


def article_bookmark(index: int) -> str:
    """The bookmark at the start of article ``index`` (1-based): what the contents page points at.

    A leading underscore makes it a hidden bookmark in Word (like Word's own ``_Toc`` ones).
    """
    return f"_article_{index}"


@dataclass(frozen=True, slots=True)
class ArticleContext:
    """Per-article facts every block needs: direction, language and heading anchors."""

    index: int
    language: str
    rtl: bool
    bidi: bool | None  # explicit paragraph direction when it differs from the publication's
    run_base: RunProps  # w:lang and complex-script font when they differ from the publication's
    anchors: dict[str, str]  # heading id -> bookmark name
    heading_names: list[str]  # bookmark names of the headings, in reading order
    outline: tuple[OutlineEntry, ...] = ()  # every heading: level, plain text, bookmark

    @property
    def bookmark(self) -> str:
        """The bookmark at the start of the article."""
        return article_bookmark(self.index)


@dataclass(frozen=True, slots=True)
class _Env:
    """Where a block sits: the paragraph style to use, and quote/list nesting."""

    style: str = st.BODY
    quote_depth: int = 0
    list_depth: int = 0


@dataclass(frozen=True, slots=True)
class _Fmt:
    """Inline formatting in force."""

    bold: bool = False
    italic: bool = False
    code: bool = False
    link: bool = False


def _url_target(url: str) -> str:
    """The relationship target: spaces and non-ASCII percent-encoded, existing escapes kept."""
    return quote(url.strip(), safe=_URL_SAFE)


def bookmark_base(raw: str) -> str:
    """A Word bookmark name from an id or heading text: ASCII letters, digits and ``_``."""
    ascii_text = unicodedata.normalize("NFKD", raw).encode("ascii", "ignore").decode("ascii")
    slug = _BOOKMARK_CHARS.sub("_", ascii_text).strip("_")
    if not slug or not slug[0].isalpha():
        slug = ("h_" + slug).rstrip("_")
    return slug


def _walk_headings(blocks: Sequence[Block]) -> Iterator[Heading]:
    """Headings in the order :meth:`Layout.blocks` visits them."""
    for block in blocks:
        match block:
            case Heading():
                yield block
            case BlockQuote(blocks=inner):
                yield from _walk_headings(inner)
            case BulletList(items=items) | OrderedList(items=items):
                for item in items:
                    yield from _walk_headings(item.blocks)
            case Paragraph() | Figure() | Table() | ThematicBreak() | PageBreak():
                pass
            case _:
                assert_never(block)


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
        *,
        is_pack: bool,
    ) -> None:
        self.part = document.part
        self.sheet = sheet
        self.style_ctx = style_ctx
        self.numbering = numbering
        self.resources = resources
        self.area = area
        self.is_pack = is_pack
        self.diagnostics: list[Diagnostic] = []
        self._bookmark_id = 0
        self._shape_id = 0
        self._used_bookmarks: set[str] = set()
        self._rpr_cache: dict[tuple[_Fmt, RunProps], etree._Element | None] = {}

    # ------------------------------------------------------------------
    # Articles and cover
    # ------------------------------------------------------------------

    def article_context(self, doc: Document, index: int, language: str, rtl: bool) -> ArticleContext:
        """Direction, language and heading bookmarks of one article."""
        pub_ctx = self.style_ctx
        bidi: bool | None = None
        if rtl != pub_ctx.rtl:
            bidi = rtl
        run_base = RunProps()
        if language != pub_ctx.language:
            latin, east_asia, bidi_lang = st.language_attrs(language, rtl)
            cs_font = st.fonts_for(self.sheet, "body", language).cs
            run_base = RunProps(
                lang=latin, lang_east_asia=east_asia, lang_bidi=bidi_lang,
                cs_font="" if cs_font == pub_ctx.fonts("body").cs else cs_font,
            )  # fmt: skip
        prefix = f"a{index}_" if self.is_pack else ""
        anchors: dict[str, str] = {}
        names: list[str] = []
        outline: list[OutlineEntry] = []
        for number, heading in enumerate(_walk_headings(doc.blocks), start=1):
            text = inline_text(heading.children)
            raw = heading.id or text or f"section_{number}"
            name = self._unique_bookmark(prefix + bookmark_base(raw))
            names.append(name)
            outline.append(OutlineEntry(heading.level, " ".join(text.split()), name))
            if heading.id:
                anchors.setdefault(heading.id, name)
        return ArticleContext(index, language, rtl, bidi, run_base, anchors, names, tuple(outline))

    def _unique_bookmark(self, base: str) -> str:
        base = base[:_BOOKMARK_MAX]
        name, counter = base, 2
        while name.casefold() in self._used_bookmarks:
            suffix = f"_{counter}"
            name = base[: _BOOKMARK_MAX - len(suffix)] + suffix
            counter += 1
        self._used_bookmarks.add(name.casefold())
        return name

    def bookmarked(self, name: str, content: list[etree._Element]) -> list[etree._Element]:
        """``content`` (runs) wrapped in a new bookmark ``name``."""
        start, end = bookmark(self._next_bookmark_id(), name)
        return [start, *content, end]

    def _next_bookmark_id(self) -> int:
        self._bookmark_id += 1
        return self._bookmark_id

    def article(self, doc: Document, art: ArticleContext) -> list[etree._Element]:
        """One article: title block, key points, body, source attribution."""
        out: list[etree._Element] = []
        meta = doc.meta
        props = self._lang_run(art)
        names = iter(art.heading_names)
        if meta.title:
            title = self.bookmarked(art.bookmark, [text_run(meta.title, props)])
            out.append(paragraph(ParaProps(style=st.TITLE, bidi=art.bidi), title))
        if meta.subtitle:
            subtitle = [text_run(meta.subtitle, props)]
            out.append(paragraph(ParaProps(style=st.SUBTITLE, bidi=art.bidi), subtitle))
        line = byline(doc)
        if line:
            out.append(paragraph(ParaProps(style=st.BYLINE, bidi=art.bidi), [text_run(line, props)]))
        body = self.blocks(doc.blocks, _Env(), art, names)
        if meta.summary:
            out.append(self._key_points(meta.summary, art))
            if body and body[0].tag == qn("w:p"):
                space_before_at_least(body[0], 10.0)  # a table has no space below of its own
        out.extend(body)
        if self.sheet.furniture.attribution:
            out.extend(self._attribution(doc, art))
        if not meta.title and self.is_pack:
            self._anchor_start(out, art)
        return out

    def _anchor_start(self, out: list[etree._Element], art: ArticleContext) -> None:
        """Put the article's bookmark on its first paragraph (an untitled article has no title to hold it)."""
        start, end = bookmark(self._next_bookmark_id(), art.bookmark)
        if not out:
            # LibreOffice drops an empty paragraph that ends a section, and a bookmark in it
            # moves to the previous page: a second paragraph carries the section break.
            out.extend((paragraph(ParaProps(style=st.NORMAL)), paragraph(ParaProps(style=st.NORMAL))))
        first = out[0]
        if first.tag != qn("w:p"):
            first = paragraph(ParaProps(style=st.NORMAL))
            out.insert(0, first)
        properties = first.find(qn("w:pPr"))
        first.insert(0 if properties is None else 1, start)
        first.append(end)

    def _lang_run(self, art: ArticleContext) -> etree._Element | None:
        return rpr(art.run_base)

    def lang_run(self, art: ArticleContext, style: str = "") -> etree._Element | None:
        """Run properties carrying the article's language (and character ``style``), for front-matter entries."""
        return rpr(replace(art.run_base, style=style))

    def _key_points(self, summary: tuple[str, ...], art: ArticleContext) -> etree._Element:
        """The "bottom line first" box: a one-cell shaded, bordered table."""
        boxes = self.sheet.boxes
        width = twips(self.area.width)
        table = new("w:tbl")
        tbl_pr = sub(table, "w:tblPr")
        if art.rtl:
            sub(tbl_pr, "w:bidiVisual")
        sub(tbl_pr, "w:tblW", {"w:w": str(width), "w:type": "dxa"})
        borders = sub(tbl_pr, "w:tblBorders")
        for side in ("top", "left", "bottom", "right"):
            sub(borders, f"w:{side}", {"w:val": "single", "w:sz": "6", "w:space": "0",
                                       "w:color": hex_colour(boxes.border)})  # fmt: skip
        margins = sub(tbl_pr, "w:tblCellMar")
        for side, value in (("top", 6.0), ("left", 8.0), ("bottom", 6.0), ("right", 8.0)):
            sub(margins, f"w:{side}", {"w:w": str(twips(value)), "w:type": "dxa"})
        sub(table, "w:tblGrid").append(new("w:gridCol", {"w:w": str(width)}))
        row = sub(table, "w:tr")
        sub(sub(row, "w:trPr"), "w:cantSplit")
        cell = sub(row, "w:tc")
        cell_pr = sub(cell, "w:tcPr")
        sub(cell_pr, "w:tcW", {"w:w": str(width), "w:type": "dxa"})
        sub(cell_pr, "w:shd", {"w:val": "clear", "w:color": "auto", "w:fill": hex_colour(boxes.background)})
        props = self._lang_run(art)
        cell.append(paragraph(ParaProps(style=st.KEY_POINTS, bidi=art.bidi), [text_run(boxes.title, None)]))
        for point in summary:
            cell.append(paragraph(ParaProps(style=st.bullet_id(1), bidi=art.bidi), [text_run(point, props)]))
        return table

    def _attribution(self, doc: Document, art: ArticleContext) -> list[etree._Element]:
        rows = attribution_lines(doc)
        out: list[etree._Element] = []
        label_props = rpr(RunProps(style=st.STRONG))
        for number, (label, value) in enumerate(rows):
            content = [text_run(f"{label}: ", label_props)]
            if label == "Link":
                content.extend(self._inline_link(Link(value, (Text(value),)), _Fmt(), art))
            else:
                content.append(text_run(value, self._lang_run(art)))
            out.append(paragraph(ParaProps(
                style=st.ATTRIBUTION,
                bidi=art.bidi,
                keep_next=number < len(rows) - 1,
                space_before=12.0 if number == 0 else None,
                borders=(Border("top", self.sheet.boxes.border, 0.5, 6),) if number == 0 else (),
            ), content))  # fmt: skip
        return out

    # ------------------------------------------------------------------
    # Blocks
    # ------------------------------------------------------------------

    def blocks(
        self, blocks: Sequence[Block], env: _Env, art: ArticleContext, names: Iterator[str]
    ) -> list[etree._Element]:
        """Lay out a run of blocks; a PageBreak becomes "page break before" on what follows."""
        out: list[etree._Element] = []
        pending_break = False
        for block in blocks:
            if isinstance(block, PageBreak):
                pending_break = True
                continue
            elements = self.block(block, env, art, names)
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
            out.extend(elements)
        return out

    def block(self, block: Block, env: _Env, art: ArticleContext, names: Iterator[str]) -> list[etree._Element]:
        """One block as body elements."""
        match block:
            case Heading():
                return [self._heading(block, art, next(names))]
            case Paragraph(children=children):
                return [self._paragraph(children, env, art)]
            case Figure():
                return self._figure(block, art)
            case BlockQuote():
                return self._quote(block, env, art, names)
            case BulletList(items=items):
                return self._list(items, None, env, art, names)
            case OrderedList(items=items, start=start):
                return self._list(items, start, env, art, names)
            case Table():
                return self._table(block, art)
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
        return paragraph(self._para_props(env, art), self.inlines(children, _Fmt(), art))

    def _heading(self, heading: Heading, art: ArticleContext, name: str) -> etree._Element:
        content = self.bookmarked(name, self.inlines(heading.children, _Fmt(), art))
        return paragraph(ParaProps(style=st.heading_id(heading.level), bidi=art.bidi), content)

    def _quote(self, quote: BlockQuote, env: _Env, art: ArticleContext, names: Iterator[str]) -> list[etree._Element]:
        inner = replace(env, style=st.QUOTE, quote_depth=env.quote_depth + 1)
        out = self.blocks(quote.blocks, inner, art, names)
        if quote.attribution:
            dash = text_run("\u2014 ", self._lang_run(art))
            content = [dash, *self.inlines(quote.attribution, _Fmt(), art)]
            out.append(paragraph(self._para_props(inner, art, align="right"), content))
        return out

    def _list(
        self,
        items: tuple[ListItem, ...],
        start: int | None,
        env: _Env,
        art: ArticleContext,
        names: Iterator[str],
    ) -> list[etree._Element]:
        depth = env.list_depth + 1
        num = None if start is None else (self.numbering.ordered(depth, start), 0)
        style = st.bullet_id(depth) if start is None else st.number_id(depth)
        inner = replace(env, style=st.continue_id(depth), list_depth=depth)
        out: list[etree._Element] = []
        for item in items:
            blocks = item.blocks
            marker_props = ParaProps(style=style, num=num, bidi=art.bidi)
            if not blocks:
                out.append(paragraph(marker_props))
                continue
            first = blocks[0]
            if isinstance(first, Paragraph):
                out.append(paragraph(marker_props, self.inlines(first.children, _Fmt(), art)))
                blocks = blocks[1:]
            out.extend(self.blocks(blocks, inner, art, names))
        return out

    # ------------------------------------------------------------------
    # Figures and tables
    # ------------------------------------------------------------------

    def _figure(self, figure: Figure, art: ArticleContext) -> list[etree._Element]:
        out: list[etree._Element] = []
        caption = self.inlines(figure.caption, _Fmt(), art)
        if figure.image:
            data = self.resources.get(figure.image)
            drawing = None if data is None else self._picture(data, figure.alt or inline_text(figure.caption))
            if drawing is None:
                reason = "no image data was supplied" if data is None else "the image format is not supported"
                self.diagnostics.append(Diagnostic(
                    "writer.image-missing",
                    f"image {figure.image!r} could not be embedded ({reason}); its caption was kept",
                    text=figure.image,
                ))  # fmt: skip
            else:
                props = ParaProps(style=st.NORMAL, align="center", keep_next=bool(caption), space_before=6.0,
                                  space_after=3.0, bidi=art.bidi)  # fmt: skip
                out.append(paragraph(props, [drawing]))
        if caption:
            out.append(paragraph(ParaProps(style=st.CAPTION, bidi=art.bidi), caption))
        return out

    def _picture(self, data: bytes, alt: str) -> etree._Element | None:
        """A run holding the image, scaled into the text block, with alt text; None if unreadable."""
        try:
            Image.from_blob(data)
            rid, image = self.part.get_or_add_image(io.BytesIO(data))
            native_w, native_h = int(image.width), int(image.height)
        except Exception:  # any unreadable image: reported by the caller, caption kept
            return None
        if native_w <= 0 or native_h <= 0:
            return None
        max_w = self.area.width * EMU_PER_POINT
        max_h = self.area.height * 0.75 * EMU_PER_POINT
        scale = min(1.0, max_w / native_w, max_h / native_h)
        cx, cy = max(1, int(native_w * scale)), max(1, int(native_h * scale))
        self._shape_id += 1
        inline = CT_Inline.new_pic_inline(self._shape_id, rid, image.filename, Emu(cx), Emu(cy))
        inline.docPr.set("descr", alt)
        run = new("w:r")
        sub(run, "w:drawing").append(inline)
        return run

    def _table(self, table: Table, art: ArticleContext) -> list[etree._Element]:
        rows: list[tuple[TableRow, bool]] = [(r, True) for r in table.header]
        rows += [(r, False) for r in table.rows]
        columns = max((len(r.cells) for r, _ in rows), default=0)
        out: list[etree._Element] = []
        if table.caption:
            caption = self.inlines(table.caption, _Fmt(), art)
            out.append(paragraph(ParaProps(style=st.CAPTION, keep_next=columns > 0, bidi=art.bidi), caption))
        if columns == 0:
            return out
        width = twips(self.area.width) // columns
        element = new("w:tbl")
        tbl_pr = sub(element, "w:tblPr")
        val(tbl_pr, "w:tblStyle", st.TABLE_GRID)
        if art.rtl:
            sub(tbl_pr, "w:bidiVisual")
        sub(tbl_pr, "w:tblW", {"w:w": "5000", "w:type": "pct"})
        sub(tbl_pr, "w:tblLook", {"w:val": "04A0", "w:firstRow": "1", "w:lastRow": "0", "w:firstColumn": "0",
                                  "w:lastColumn": "0", "w:noHBand": "1", "w:noVBand": "1"})  # fmt: skip
        grid = sub(element, "w:tblGrid")
        for _ in range(columns):
            sub(grid, "w:gridCol", {"w:w": str(width)})
        header_fill = hex_colour(self.sheet.boxes.table_header_background)
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
                sub(tc_pr, "w:tcW", {"w:w": str(width), "w:type": "dxa"})
                if is_header:
                    sub(tc_pr, "w:shd", {"w:val": "clear", "w:color": "auto", "w:fill": header_fill})
                runs = [] if cell is None else self.inlines(cell.children, _Fmt(bold=is_header), art)
                align = "" if cell is None else cell.align
                tc.append(paragraph(ParaProps(style=st.TABLE_TEXT, align=align, bidi=art.bidi), runs))
        out.append(element)
        return out

    # ------------------------------------------------------------------
    # Inlines
    # ------------------------------------------------------------------

    def _run_props(self, fmt: _Fmt, art: ArticleContext) -> etree._Element | None:
        key = (fmt, art.run_base)
        if key not in self._rpr_cache:
            if fmt.link:
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
                art.run_base, style=style, bold=True if bold else None, italic=True if italic else None
            ))  # fmt: skip
        return self._rpr_cache[key]

    def inlines(self, nodes: tuple[Inline, ...], fmt: _Fmt, art: ArticleContext) -> list[etree._Element]:
        """Runs (and hyperlinks) for a run of inlines."""
        out: list[etree._Element] = []
        for node in nodes:
            match node:
                case Text(text=text):
                    if text:
                        out.append(text_run(text, self._run_props(fmt, art)))
                case Emphasis(children=children):
                    out.extend(self.inlines(children, replace(fmt, italic=True), art))
                case Strong(children=children):
                    out.extend(self.inlines(children, replace(fmt, bold=True), art))
                case Code():
                    if node.text:
                        out.append(text_run(node.text, self._run_props(replace(fmt, code=True), art)))
                case Link():
                    out.extend(self._inline_link(node, fmt, art))
                case LineBreak():
                    out.append(break_run(self._run_props(fmt, art)))
                case _:
                    assert_never(node)
        return out

    def _inline_link(self, link: Link, fmt: _Fmt, art: ArticleContext) -> list[etree._Element]:
        if fmt.link:  # hyperlinks do not nest: the outer one wins
            return self.inlines(link.children, fmt, art)
        url = link.url.strip()
        runs = self.inlines(link.children, replace(fmt, link=True), art)
        if not runs:
            runs = [text_run(url, self._run_props(replace(fmt, link=True), art))]
        if is_safe_url(url):
            rid = self.part.relate_to(_url_target(url), RT.HYPERLINK, is_external=True)
            return [hyperlink(runs, rid=rid, tooltip=link.title)]
        if url.startswith("#") and url[1:] in art.anchors:
            return [hyperlink(runs, anchor=art.anchors[url[1:]], tooltip=link.title)]
        self.diagnostics.append(Diagnostic(
            "writer.unsafe-link",
            "link kept as text: only http, https, mailto and links to headings of the article are followed",
            text=url,
        ))  # fmt: skip
        return self.inlines(link.children, fmt, art) or [text_run(url, self._run_props(fmt, art))]
