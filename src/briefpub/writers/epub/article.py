"""One article as an XHTML content document: its frame and its body (writer stage).

Everything printed around the article text comes from the article's frame
(:class:`~briefpub.writers.common.frame.ArticleFrame`): the marking banners,
the "Article 3 of 12" label of a pack, the title (or the localised "Untitled"),
the standfirst, the byline with the outlet linked, the key-points box and the
source-attribution block, with their labels in the article's language. The
body is walked with the tree's own :func:`~briefpub.tree.enumerate_blocks`, so
blocks inside quotes and list items (figures included) are rendered like any
other, and each block's :data:`~briefpub.tree.BlockPath` places the print
edition's page-break markers (``pages.py``).

Heading anchors are the frame's (the ``ids`` transform's ids; in a pack with
the article's ``a<n>-`` prefix, so they are unique in the whole publication),
never re-derived here. Heading elements follow the outline depth, so the
title is the only ``<h1>`` and levels never skip (an H2 followed by an H4 in
the tree is ``<h2>`` then ``<h3>``); empty headings are not rendered.

A figure whose image is embedded is a ``<figure>``; a caption with no image
(the photo caption of an article pasted from a web page) is a labelled
paragraph ("Photo: ..."), never an empty ``<figure>`` and never mistaken for a
standfirst. Roles match every ``epub:type`` (``doc-chapter``, ``doc-abstract``,
``doc-pagebreak``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from lxml import etree

from briefpub.diagnostics import Diagnostic
from briefpub.styling.model import StyleSheet
from briefpub.tree import (
    Block,
    BlockPath,
    BlockQuote,
    BulletList,
    Figure,
    Heading,
    OrderedList,
    PageBreak,
    Paragraph,
    Table,
    TableRow,
    Text,
    ThematicBreak,
    enumerate_blocks,
    inline_text,
)
from briefpub.writers import PageStart
from briefpub.writers.common.frame import SEPARATOR, ArticleFrame, Detail, outline_depths
from briefpub.writers.common.links import Internal, LinkTarget, Refused, refusal_diagnostic, resolve_link
from briefpub.writers.common.typography import smarten
from briefpub.writers.epub.accessibility import AccessibilityChecks
from briefpub.writers.epub.images import ImageAsset, ImageStore
from briefpub.writers.epub.inline import InlineRenderer
from briefpub.writers.epub.pages import page_anchor, page_label
from briefpub.writers.epub.xhtml import (
    EPUB_TYPE,
    Language,
    append_text,
    html_root,
    label_prefix,
    mark_language,
    serialise,
    sub,
    tie_last_words,
)

__all__ = ["ArticleXhtml", "Context", "NavHeading", "in_language", "render_article", "render_byline", "render_marks"]


@dataclass(frozen=True, slots=True)
class NavHeading:
    """A rendered heading as navigation lists it."""

    anchor: str
    depth: int
    text: str


@dataclass(frozen=True, slots=True)
class ArticleXhtml:
    """One rendered article: its bytes and what navigation needs."""

    file_name: str
    title: str
    language: Language
    data: bytes
    headings: tuple[NavHeading, ...]
    diagnostics: tuple[Diagnostic, ...]


@dataclass
class Context:
    """What every content document of one publication shares."""

    style: StyleSheet
    images: ImageStore
    checks: AccessibilityChecks
    file_of: Callable[[int], str]
    css: str
    diagnostics: list[Diagnostic] = field(default_factory=list)

    @property
    def smart(self) -> bool:
        """Typographic punctuation on (``paragraphs.smart_punctuation``)."""
        return self.style.paragraphs.smart_punctuation

    def text(self, value: str, language: str) -> str:
        """A plain string with typographic punctuation in ``language`` when the style asks for it."""
        return smarten(value, language) if self.smart and value else value

    def internal_href(self, target: Internal) -> str:
        """``article-003.xhtml#a3-background`` for a heading anchor of article ``target.document``."""
        return f"{self.file_of(target.document)}#{target.anchor}"

    def inlines(self, resolve: Callable[[str], LinkTarget], language: Language) -> InlineRenderer:
        """An inline renderer for one article (or front-matter page) in ``language``."""
        return InlineRenderer(
            resolve=resolve,
            internal_href=self.internal_href,
            images=self.images,
            language=language,
            smart=self.smart,
            diagnostics=self.diagnostics,
            checks=self.checks,
        )


def render_marks(parent: etree._Element, starts: list[PageStart], *, before: etree._Element | None = None) -> None:
    """Page-break markers for ``starts``: appended to ``parent``, or inserted before its child ``before``."""
    for start in starts:
        attrib = {EPUB_TYPE: "pagebreak", "role": "doc-pagebreak", "id": page_anchor(start),
                  "aria-label": page_label(start)}
        mark = sub(parent, "span", attrib)
        if before is not None:
            parent.insert(parent.index(before), mark)  # moves it


class _Body:
    """Renders one article's blocks into its ``<section>`` (see the module docstring)."""

    def __init__(self, frame: ArticleFrame, ctx: Context, inline: InlineRenderer,
                 marks: dict[BlockPath | None, list[PageStart]]) -> None:
        self.frame = frame
        self.ctx = ctx
        self.inline = inline
        self.marks = marks
        self.pending: list[PageStart] = []
        self.headings: list[NavHeading] = []
        self.figures = 0
        self.heading_index = 0
        visible = [n for n, entry in enumerate(frame.outline) if entry.text]
        depths = outline_depths([frame.outline[n].level for n in visible])
        self.depths = dict(zip(visible, depths, strict=True))

    def placed(self, parent: etree._Element, element: etree._Element) -> etree._Element:
        """Put the pending page markers just before ``element`` (a block that was rendered)."""
        if self.pending:
            render_marks(parent, self.pending, before=element)
            self.pending = []
        return element

    def render(self, section: etree._Element, blocks: tuple[Block, ...]) -> None:
        containers: dict[BlockPath, etree._Element] = {}
        attributions: list[tuple[etree._Element, etree._Element]] = []
        for path, block in enumerate_blocks(blocks):
            self.pending += self.marks.get(path, [])
            parent = containers.get(path[:-1], section) if len(path) > 1 else section
            match block:
                case BlockQuote(attribution=attribution):
                    quote = self.placed(parent, sub(parent, "blockquote", block=True))
                    quote.text = "\n"
                    containers[path] = quote
                    if attribution:
                        cite = sub(quote, "p", {"class": "quote-attribution"}, "\u2014\u00a0", block=True)
                        self.inline.render(cite, attribution)
                        attributions.append((quote, cite))
                case BulletList(items=items) | OrderedList(items=items):
                    attrib = {"start": str(block.start)} if isinstance(block, OrderedList) and block.start != 1 else {}
                    listing = self.placed(parent, sub(parent, "ol" if isinstance(block, OrderedList) else "ul",
                                                      attrib, block=True))
                    listing.text = "\n"
                    for i, _item in enumerate(items):
                        li = sub(listing, "li", block=True)
                        li.text = "\n"
                        containers[(*path, i)] = li
                case _:
                    self.block(parent, block)
        for quote, cite in attributions:
            quote.append(cite)  # after the quote's blocks
        if self.pending:
            render_marks(section, self.pending)
            self.pending = []

    def block(self, parent: etree._Element, block: Block) -> None:
        match block:
            case Heading():
                self.heading(parent, block)
            case Paragraph(children=children):
                if any(not (isinstance(c, Text) and not c.text) for c in children):
                    p = self.placed(parent, sub(parent, "p", block=True))
                    self.inline.render(p, children)
            case Figure():
                self.figure(parent, block)
            case Table():
                self.table(parent, block)
            case ThematicBreak():
                self.placed(parent, sub(parent, "hr", block=True))
            case PageBreak():
                self.placed(parent, sub(parent, "div", {"class": "page-break"}, block=True))
            case BlockQuote() | BulletList() | OrderedList():  # containers are opened by render()
                pass

    def heading(self, parent: etree._Element, heading: Heading) -> None:
        index = self.heading_index
        self.heading_index += 1
        entry = self.frame.outline[index] if index < len(self.frame.outline) else None
        if entry is None:
            return
        if index not in self.depths:
            # An empty heading carries no words and is not rendered (it would only confuse navigation),
            # but a #fragment link may still point at it: its anchor stays, on an empty span.
            sub(parent, "span", {"id": entry.anchor})
            return
        depth = self.depths[index]
        attrib = {"id": entry.anchor, "class": f"heading{min(heading.level, 3)}"}
        element = self.placed(parent, sub(parent, f"h{min(depth + 1, 6)}", attrib, block=True))
        self.inline.render(element, heading.children)
        tie_last_words(element)
        self.headings.append(NavHeading(entry.anchor, depth, self.inline.text(entry.text)))

    def figure(self, parent: etree._Element, fig: Figure) -> None:
        self.figures += 1
        caption_text = inline_text(fig.caption).strip()
        asset: ImageAsset | None = None
        if fig.image:
            found = self.ctx.images.get(fig.image)
            if isinstance(found, str):
                self.ctx.diagnostics.append(Diagnostic(
                    "writer.image-missing", f"image {fig.image!r} was not embedded ({found}); its caption was kept",
                    text=fig.image))
            else:
                asset = found
        labels = self.frame.labels
        if asset is None:
            # A caption without its image: a labelled photo caption, never an empty <figure>.
            if not caption_text and not fig.alt.strip():
                return
            p = self.placed(parent, sub(parent, "p", {"class": "photo-caption"}, block=True))
            sub(p, "span", {"class": "label"}, label_prefix(labels.photo, self.frame.language))
            if caption_text:
                self.inline.render(p, fig.caption)
            else:
                append_text(p, self.inline.text(fig.alt.strip()))
            return
        figure = self.placed(parent, sub(parent, "figure", {"class": "figure"}, block=True))
        figure.text = "\n"
        alt = fig.alt.strip() or caption_text
        self.ctx.checks.image(alt)
        sub(figure, "img", {"src": asset.file_name, "alt": alt or f"{labels.figure} {self.figures}"}, block=True)
        if caption_text:
            self.inline.render(sub(figure, "figcaption", block=True), fig.caption)

    def table(self, parent: etree._Element, table: Table) -> None:
        header = [r for r in table.header if r.cells]
        rows = [r for r in table.rows if r.cells]
        if not header and not rows:
            if table.caption:
                p = self.placed(parent, sub(parent, "p", {"class": "table-caption"}, block=True))
                self.inline.render(p, table.caption)
            return
        table_el = self.placed(parent, sub(parent, "table", block=True))
        table_el.text = "\n"
        if table.caption:
            self.inline.render(sub(table_el, "caption", block=True), table.caption)
        if header:
            thead = sub(table_el, "thead", block=True)
            for row in header:
                self.row(thead, row, "th")
        if rows:
            tbody = sub(table_el, "tbody", block=True)
            for row in rows:
                self.row(tbody, row, "td")

    def row(self, parent: etree._Element, row: TableRow, cell_tag: str) -> None:
        tr = sub(parent, "tr", block=True)
        for cell in row.cells:
            attrib: dict[str, str] = {}
            if cell.align:
                attrib["class"] = f"align-{cell.align}"
            if cell_tag == "th":
                attrib["scope"] = "col"
            self.inline.render(sub(tr, cell_tag, attrib), cell.children)


def in_language(parent: etree._Element, text: str, language: Language, around: Language) -> None:
    """Append ``text`` to ``parent``, in a ``<span>`` with its language where it differs from ``around``."""
    if language.tag.lower() == around.tag.lower() and language.rtl == around.rtl:
        append_text(parent, text)
    else:
        mark_language(sub(parent, "span", text=text), language, around)


def render_byline(
    parent: etree._Element,
    frame: ArticleFrame,
    ctx: Context,
    *,
    article: Language,
    dates: Language,
    around: Language,
    link: bool,
) -> None:
    """The byline parts (names, date, outlet): names and outlet in the article's language, the date in the
    language the frame formatted it in (a pack's), each marked where it differs from ``around``."""
    byline = frame.byline
    first = True
    for kind, value in (("names", byline.names), ("date", byline.date), ("source", byline.source)):
        if not value:
            continue
        if not first:
            append_text(parent, SEPARATOR)
        first = False
        language = dates if kind == "date" and _formatted(byline.date, frame) else article
        if kind == "source" and link and byline.source_link is not None:
            mark_language(sub(parent, "a", {"href": byline.source_link.href}, value), language, around)
        else:
            in_language(parent, ctx.text(value, language.tag) if kind == "names" else value, language, around)


def _formatted(value: str, frame: ArticleFrame) -> bool:
    """True when the frame formatted a date (in the publication's language) rather than printing it as written."""
    meta = frame.document.meta
    return value.strip() not in (meta.date.strip(), meta.retrieved.strip())


def _detail_row(parent: etree._Element, detail: Detail, frame: ArticleFrame, article: Language,
                dates: Language) -> None:
    p = sub(parent, "p", block=True)
    sub(p, "span", {"class": "label"}, label_prefix(detail.label, frame.language))
    if detail.link is not None:
        sub(p, "a", {"href": detail.link.href}, detail.value)
    elif detail.key in ("published", "retrieved") and _formatted(detail.value, frame):
        in_language(p, detail.value, dates, article)
    else:
        append_text(p, detail.value)


def render_article(
    frame: ArticleFrame,
    ctx: Context,
    *,
    language: Language,
    marks: dict[BlockPath | None, list[PageStart]],
    dates: Language | None = None,
    end_mark: str = "",
) -> ArticleXhtml:
    """Render one article (its frame and body) as a complete XHTML content document.

    ``language`` is the article's well-formed language; ``dates`` the language
    the frame formats dates in (a pack's; default the article's); ``marks`` the
    print edition's page starts in this article (None: its title block);
    ``end_mark`` the pack's closing line, given to the last article only.
    """
    file_name = ctx.file_of(frame.index)
    start = len(ctx.diagnostics)
    inline = ctx.inlines(frame.resolve, language)
    title = inline.text(frame.title)
    html, body = html_root(language, title, body_class="article", css=ctx.css)
    if frame.marking:
        sub(body, "p", {"class": "marking marking-top"}, frame.marking, block=True)
    section = sub(body, "section", {EPUB_TYPE: "chapter", "role": "doc-chapter", "id": frame.title_anchor,
                                    "aria-labelledby": "title"}, block=True)
    section.text = "\n"

    header = sub(section, "header", block=True)
    header.text = "\n"
    render_marks(header, marks.get(None, []))
    if frame.article_label:  # the pack's furniture, in the pack's language
        label = sub(header, "p", {"class": "article-label"}, frame.article_label, block=True)
        mark_language(label, dates or language, language)
    tie_last_words(sub(header, "h1", {"class": "title", "id": "title"}, title, block=True))
    if frame.subtitle.strip():
        sub(header, "p", {"class": "subtitle"}, inline.text(frame.subtitle.strip()), block=True)
    if frame.byline.parts:
        p = sub(header, "p", {"class": "byline"}, block=True)
        render_byline(p, frame, ctx, article=language, dates=dates or language, around=language, link=True)

    if frame.key_points:
        box = sub(section, "section", {"class": "key-points", EPUB_TYPE: "abstract", "role": "doc-abstract",
                                       "id": "key-points", "aria-labelledby": "key-points_title"}, block=True)
        box.text = "\n"
        sub(box, "h2", {"class": "box-title", "id": "key-points_title"}, frame.key_points_label, block=True)
        points = sub(box, "ul", block=True)
        points.text = "\n"
        for point in frame.key_points:
            if point.strip():
                sub(points, "li", text=inline.text(point.strip()), block=True)

    renderer = _Body(frame, ctx, inline, marks)
    renderer.render(section, frame.document.blocks)

    url = frame.document.meta.url
    if url.strip():
        target = resolve_link(url, lambda _fragment: None, frame.index)
        if isinstance(target, Refused):
            ctx.diagnostics.append(refusal_diagnostic(url, target))
    if frame.attribution:
        footer = sub(section, "footer", {"class": "attribution", "id": "source"}, block=True)
        footer.text = "\n"
        for detail in frame.attribution:
            _detail_row(footer, detail, frame, language, dates or language)
    if end_mark:
        sub(body, "p", {"class": "end-mark"}, end_mark, block=True)
    if frame.marking:
        sub(body, "p", {"class": "marking marking-bottom"}, frame.marking, block=True)
    return ArticleXhtml(
        file_name=file_name,
        title=title,
        language=language,
        data=serialise(html),
        headings=tuple(renderer.headings),
        diagnostics=tuple(ctx.diagnostics[start:]),
    )

