"""XHTML content documents generated from the document tree (writer stage).

One XHTML document per article, built element by element with lxml (so every
string is escaped by construction and the result is always well-formed), then
serialised without pretty-printing. The bytes are handed to ebooklib as they
are: ebooklib's own ``EpubHtml`` re-parses content with an HTML parser and
pretty-prints it, which silently drops text that sits directly in ``<body>``
and inserts spaces between adjacent inline elements (``<em>a</em><strong>b</strong>``
reads "a b"), so we never let it touch the markup (see ``book.py``).

Nothing active is ever emitted: no ``<script>``, no event-handler attributes,
and links only for http, https and mailto URLs (others are kept as plain text
and reported). Heading anchors are derived deterministically when the tree has
none (in a pack, every anchor of an article starts with its own prefix). One
function renders one article, so a pack is a sequence of documents; its
contents and summary pages are built in ``pack_pages.py`` with the same helpers.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import assert_never
from urllib.parse import quote, urlsplit, urlunsplit

from lxml import etree

from briefpub.diagnostics import Diagnostic
from briefpub.styling.model import StyleSheet
from briefpub.transforms.ids import slug
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
from briefpub.writers.epub.css import CSS_FILE
from briefpub.writers.epub.images import ImageAsset, ImageError, prepare_image

__all__ = [
    "ArticleXhtml",
    "HeadingRef",
    "ImageStore",
    "Language",
    "render_article",
    "render_cover_page",
    "safe_href",
]

XHTML_NS = "http://www.w3.org/1999/xhtml"
EPUB_NS = "http://www.idpf.org/2007/ops"
XML_NS = "http://www.w3.org/XML/1998/namespace"
_NSMAP: dict[str | None, str] = {None: XHTML_NS, "epub": EPUB_NS}
_DOCTYPE = "<!DOCTYPE html>"

#: Anchors the article template uses itself; derived heading anchors avoid them.
RESERVED_IDS = frozenset({"article", "title", "key-points", "attribution", "marking-top", "marking-bottom"})


_VOID = frozenset({"br", "hr", "img", "link", "meta"})


def _q(tag: str) -> str:
    return f"{{{XHTML_NS}}}{tag}"


@dataclass(frozen=True, slots=True)
class Language:
    """A content document's language and direction."""

    tag: str
    rtl: bool = False

    @property
    def direction(self) -> str:
        """``rtl`` or ``ltr``."""
        return "rtl" if self.rtl else "ltr"


@dataclass(frozen=True, slots=True)
class HeadingRef:
    """A heading of an article as navigation needs it: tree level, anchor, text."""

    level: int
    anchor: str
    text: str


@dataclass(frozen=True, slots=True)
class ArticleXhtml:
    """One rendered article: its XHTML bytes and what navigation needs to know."""

    file_name: str
    title: str
    data: bytes
    headings: tuple[HeadingRef, ...]
    diagnostics: tuple[Diagnostic, ...]


@dataclass
class ImageStore:
    """Images of a whole publication, prepared once each and named by content."""

    resources: Mapping[str, bytes]
    assets: dict[str, ImageAsset] = field(default_factory=dict)
    _by_key: dict[str, ImageAsset | str] = field(default_factory=dict)

    def get(self, key: str) -> ImageAsset | str:
        """The asset for resource ``key``, or the reason it cannot be embedded."""
        if key not in self._by_key:
            data = self.resources.get(key)
            if data is None:
                self._by_key[key] = "no image data was supplied for it"
            else:
                try:
                    asset = prepare_image(data)
                except ImageError as exc:
                    self._by_key[key] = str(exc)
                else:
                    self.assets.setdefault(asset.file_name, asset)
                    self._by_key[key] = asset
        return self._by_key[key]


# --------------------------------------------------------------------------
# URLs
# --------------------------------------------------------------------------

_HOST = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?$")
_BAD_PERCENT = re.compile(r"%(?![0-9A-Fa-f]{2})")
# Characters kept as they are in each part of a URL; everything else is percent-encoded
# (brackets only belong in an IPv6 host; "#" only once, before the fragment).
_URL_SAFE = "!$%&'()*+,-./:;=@_~"
_URL_SAFE_QUERY = _URL_SAFE + "?"


def safe_href(url: str) -> str | None:
    """``url`` as a valid href if it may become a link (http, https, mailto), else None.

    Characters a URL cannot contain are percent-encoded (existing escapes kept),
    international host names are IDNA-encoded; a URL without a usable host is
    refused, because validators and readers reject it.
    """
    url = url.strip()
    if not is_safe_url(url):
        return None
    url = _BAD_PERCENT.sub("%25", url)
    if url.lower().startswith("mailto:"):
        rest = quote(url[len("mailto:") :], safe=_URL_SAFE_QUERY)
        return "mailto:" + rest if rest else None
    try:
        parts = urlsplit(url)
        host = parts.hostname or ""
        port = parts.port
    except ValueError:
        return None
    if host and not host.isascii():
        try:
            host = host.encode("idna").decode("ascii")
        except UnicodeError:
            return None
    if ":" in host:  # an IPv6 literal (urlsplit drops its brackets)
        try:
            ipaddress.IPv6Address(host)
        except ValueError:
            return None
    elif not host or not _HOST.match(host):
        return None
    netloc = host if ":" not in host or host.startswith("[") else f"[{host}]"
    if port is not None:
        netloc = f"{netloc}:{port}"
    userinfo = parts.netloc.rpartition("@")[0] if "@" in parts.netloc else ""
    if userinfo:
        netloc = f"{quote(userinfo, safe=_URL_SAFE.replace('@', '').replace('/', ''))}@{netloc}"
    return urlunsplit(
        (
            parts.scheme.lower(),
            netloc,
            quote(parts.path, safe=_URL_SAFE),
            quote(parts.query, safe=_URL_SAFE_QUERY),
            quote(parts.fragment, safe=_URL_SAFE_QUERY),
        )
    )


# --------------------------------------------------------------------------
# Element helpers
# --------------------------------------------------------------------------


def _sub(
    parent: etree._Element,
    tag: str,
    attrib: Mapping[str, str] | None = None,
    text: str | None = None,
    *,
    block: bool = False,
) -> etree._Element:
    """Append ``<tag>`` to ``parent``; block elements get a newline after them (readability only)."""
    el = etree.SubElement(parent, _q(tag), dict(attrib or {}))
    if text:
        el.text = text
    elif tag not in _VOID:
        el.text = ""  # <div></div>, never <div/>: safe even for readers that parse content as HTML
    if block:
        el.tail = "\n"
    return el


def _append_text(parent: etree._Element, text: str) -> None:
    """Append text at the end of ``parent``'s content (into the last child's tail if any)."""
    if not text:
        return
    if len(parent):
        last = parent[-1]
        last.tail = (last.tail or "") + text
    else:
        parent.text = (parent.text or "") + text


_VALID_ID = re.compile(r"^[A-Za-z][A-Za-z0-9_.-]*$")


class _Anchors:
    """Deterministic, unique anchors for one document.

    Every anchor starts with ``prefix`` (a pack gives each article its own, such
    as ``a003-``), so anchors are unique across a whole pack even when articles
    share heading texts or tree ids.
    """

    def __init__(self, prefix: str = "") -> None:
        self.prefix = prefix
        self.used: set[str] = {prefix + name for name in RESERVED_IDS}
        self.count = 0

    def make(self, wanted: str, text: str) -> str:
        self.count += 1
        base = wanted if _VALID_ID.match(wanted) else ""
        if not base:
            text_slug = slug(text, fallback="")
            base = f"s-{text_slug}" if text_slug else f"section-{self.count}"
        base = self.prefix + base
        anchor, n = base, 1
        while anchor in self.used:
            n += 1
            anchor = f"{base}-{n}"
        self.used.add(anchor)
        return anchor


# --------------------------------------------------------------------------
# Article rendering
# --------------------------------------------------------------------------


class _ArticleRenderer:
    """Renders one document's blocks and inlines into an XHTML ``<section>``."""

    def __init__(self, doc: Document, images: ImageStore, heading_shift: int, id_prefix: str = "") -> None:
        self.doc = doc
        self.images = images
        self.heading_shift = heading_shift
        self.anchors = _Anchors(id_prefix)
        self.headings: list[HeadingRef] = []
        self.diagnostics: list[Diagnostic] = []
        self.figures = 0

    # ---- inlines -----------------------------------------------------------

    def inlines(self, parent: etree._Element, nodes: tuple[Inline, ...]) -> None:
        for node in nodes:
            match node:
                case Text(text=text):
                    _append_text(parent, text)
                case Emphasis(children=children):
                    self.inlines(_sub(parent, "em"), children)
                case Strong(children=children):
                    self.inlines(_sub(parent, "strong"), children)
                case Code():
                    _sub(parent, "code", text=node.text)
                case Link(url=url, children=children, title=title):
                    self.link(parent, url, children, title)
                case LineBreak():
                    _sub(parent, "br")
                case _:
                    assert_never(node)

    def link(self, parent: etree._Element, url: str, children: tuple[Inline, ...], title: str) -> None:
        href = safe_href(url)
        if href is None:
            self.unsafe_link(url)
            self.inlines(parent, children)
            return
        attrib = {"href": href}
        if title:
            attrib["title"] = title
        anchor = _sub(parent, "a", attrib)
        if children:
            self.inlines(anchor, children)
        else:
            anchor.text = url

    def unsafe_link(self, url: str) -> None:
        self.diagnostics.append(
            Diagnostic(
                "writer.unsafe-link",
                "a link that is not a valid http, https or mailto URL was kept as plain text",
                text=url,
            )
        )

    # ---- blocks ------------------------------------------------------------

    def blocks(self, parent: etree._Element, blocks: tuple[Block, ...]) -> None:
        for block in blocks:
            self.block(parent, block)

    def block(self, parent: etree._Element, block: Block) -> None:
        match block:
            case Heading():
                self.heading(parent, block)
            case Paragraph(children=children):
                self.inlines(_sub(parent, "p", block=True), children)
            case Figure():
                self.figure(parent, block)
            case BlockQuote(blocks=blocks, attribution=attribution):
                quote_el = _sub(parent, "blockquote", block=True)
                quote_el.text = "\n"
                self.blocks(quote_el, blocks)
                if attribution:
                    cite = _sub(quote_el, "p", {"class": "quote-attribution"}, "\u2014 ", block=True)
                    self.inlines(cite, attribution)
            case BulletList(items=items):
                self.list_items(_sub(parent, "ul", block=True), items)
            case OrderedList(items=items, start=start):
                attrib = {"start": str(start)} if start != 1 else {}
                self.list_items(_sub(parent, "ol", attrib, block=True), items)
            case Table():
                self.table(parent, block)
            case ThematicBreak():
                _sub(parent, "hr", block=True)
            case PageBreak():
                _sub(parent, "div", {"class": "page-break"}, block=True)
            case _:
                assert_never(block)

    def heading(self, parent: etree._Element, heading: Heading) -> None:
        text = inline_text(heading.children).strip()
        if not text:
            return  # an empty heading carries no words; emitting it would only confuse navigation
        anchor = self.anchors.make(heading.id, text)
        level = min(max(heading.level + self.heading_shift, 2), 6)
        attrib = {"id": anchor, "class": f"heading{min(heading.level, 3)}"}
        self.inlines(_sub(parent, f"h{level}", attrib, block=True), heading.children)
        self.headings.append(HeadingRef(heading.level, anchor, text))

    def list_items(self, list_el: etree._Element, items: tuple[ListItem, ...]) -> None:
        list_el.text = "\n"
        for item in items:
            li = _sub(list_el, "li", block=True)
            li.text = "\n"
            self.blocks(li, item.blocks)

    def figure(self, parent: etree._Element, fig: Figure) -> None:
        self.figures += 1
        caption_text = inline_text(fig.caption).strip()
        asset: ImageAsset | None = None
        if fig.image:
            found = self.images.get(fig.image)
            if isinstance(found, str):
                self.diagnostics.append(
                    Diagnostic(
                        "writer.image-missing",
                        f"image {fig.image!r} was not embedded ({found}); its caption was kept",
                        text=fig.image,
                    )
                )
            else:
                asset = found
        if asset is None and not caption_text and not fig.alt.strip():
            return
        figure = _sub(parent, "figure", {"class": "figure" if asset else "figure no-image"}, block=True)
        figure.text = "\n"
        if asset is not None:
            alt = fig.alt.strip() or caption_text or f"Figure {self.figures}"
            _sub(figure, "img", {"src": asset.file_name, "alt": alt}, block=True)
        if fig.caption and caption_text:
            self.inlines(_sub(figure, "figcaption", block=True), fig.caption)
        elif asset is None:
            _sub(figure, "figcaption", text=fig.alt.strip(), block=True)

    def table(self, parent: etree._Element, table: Table) -> None:
        header = [r for r in table.header if r.cells]
        rows = [r for r in table.rows if r.cells]
        if not header and not rows:
            if table.caption:
                self.inlines(_sub(parent, "p", {"class": "table-caption"}, block=True), table.caption)
            return
        table_el = _sub(parent, "table", block=True)
        table_el.text = "\n"
        if table.caption:
            self.inlines(_sub(table_el, "caption", block=True), table.caption)
        if header:
            thead = _sub(table_el, "thead", block=True)
            for row in header:
                self.row(thead, row, "th")
        if rows:
            tbody = _sub(table_el, "tbody", block=True)
            for row in rows:
                self.row(tbody, row, "td")

    def row(self, parent: etree._Element, row: TableRow, cell_tag: str) -> None:
        tr = _sub(parent, "tr", block=True)
        for cell in row.cells:
            attrib: dict[str, str] = {}
            if cell.align:
                attrib["class"] = f"align-{cell.align}"
            if cell_tag == "th":
                attrib["scope"] = "col"
            self.inlines(_sub(tr, cell_tag, attrib), cell.children)


def _heading_shift(blocks: tuple[Block, ...]) -> int:
    """How much to add to tree heading levels so the shallowest becomes ``<h2>`` (the title is ``<h1>``)."""
    levels: list[int] = []

    def walk(bs: tuple[Block, ...]) -> None:
        for b in bs:
            if isinstance(b, Heading):
                levels.append(b.level)
            elif isinstance(b, BlockQuote):
                walk(b.blocks)
            elif isinstance(b, BulletList | OrderedList):
                for item in b.items:
                    walk(item.blocks)

    walk(blocks)
    return 2 - min(levels) if levels and min(levels) < 2 else 0


def _html_root(lang: Language, title: str, *, body_class: str) -> tuple[etree._Element, etree._Element]:
    """``<html>`` with head (title, CSS link) and an empty ``<body>``; returns (html, body)."""
    html = etree.Element(_q("html"), nsmap=_NSMAP)  # type: ignore[arg-type]  # stubs lack the None key
    html.set("lang", lang.tag)
    html.set(f"{{{XML_NS}}}lang", lang.tag)
    html.set("dir", lang.direction)
    html.text = "\n"
    head = _sub(html, "head", block=True)
    head.text = "\n"
    _sub(head, "title", text=title, block=True)
    _sub(head, "link", {"rel": "stylesheet", "type": "text/css", "href": CSS_FILE}, block=True)
    classes = body_class + (" rtl" if lang.rtl else "")
    body = _sub(html, "body", {"class": classes}, block=True)
    body.text = "\n"
    return html, body


def _serialise(html: etree._Element) -> bytes:
    return etree.tostring(html, encoding="utf-8", xml_declaration=True, doctype=_DOCTYPE) + b"\n"


def render_article(
    doc: Document,
    style: StyleSheet,
    *,
    file_name: str,
    title: str,
    lang: Language,
    marking: str,
    images: ImageStore,
    id_prefix: str = "",
) -> ArticleXhtml:
    """Render one article as a complete XHTML content document.

    ``title`` is the display title (the article's, or a fallback when it has
    none: the ``<title>`` element may not be empty); ``marking`` is shown at the
    top and bottom when set. ``id_prefix`` starts every anchor of the article's
    content (its section, title, headings, key points and attribution), so a
    pack's anchors are unique across all its documents; the marking banners keep
    the fixed ids ``marking-top`` and ``marking-bottom`` in every document.
    """
    renderer = _ArticleRenderer(doc, images, _heading_shift(doc.blocks), id_prefix)
    html, body = _html_root(lang, title, body_class="article")
    if marking:
        _sub(body, "p", {"class": "marking marking-top", "id": "marking-top"}, marking, block=True)
    section = _sub(body, "section", {f"{{{EPUB_NS}}}type": "chapter", "id": f"{id_prefix}article"}, block=True)
    section.text = "\n"
    meta = doc.meta
    if meta.title or meta.subtitle or byline(doc):
        header = _sub(section, "header", block=True)
        header.text = "\n"
        if meta.title:
            _sub(header, "h1", {"class": "title", "id": f"{id_prefix}title"}, meta.title, block=True)
            section.set("aria-labelledby", f"{id_prefix}title")
        if meta.subtitle:
            _sub(header, "p", {"class": "subtitle"}, meta.subtitle, block=True)
        if line := byline(doc):
            _sub(header, "p", {"class": "byline"}, line, block=True)
    if not meta.title:
        section.set("aria-label", title)
    if meta.summary:
        box = _sub(section, "div", {"class": "key-points", "id": f"{id_prefix}key-points"}, block=True)
        box.text = "\n"
        _sub(box, "h2", {"class": "box-title"}, style.boxes.title or "Key points", block=True)
        points = _sub(box, "ul", block=True)
        points.text = "\n"
        for point in meta.summary:
            _sub(points, "li", text=point, block=True)
    renderer.blocks(section, doc.blocks)
    rows = attribution_lines(doc) if style.furniture.attribution else []
    if rows:
        footer = _sub(section, "footer", {"class": "attribution", "id": f"{id_prefix}attribution"}, block=True)
        footer.text = "\n"
        for label, value in rows:
            p = _sub(footer, "p", block=True)
            _sub(p, "span", {"class": "label"}, f"{label}: ")
            href = safe_href(value) if label == "Link" else None
            if href is not None:
                _sub(p, "a", {"href": href}, value)
            else:
                if label == "Link":
                    renderer.unsafe_link(value)
                _append_text(p, value)
    if marking:
        _sub(body, "p", {"class": "marking marking-bottom", "id": "marking-bottom"}, marking, block=True)
    return ArticleXhtml(
        file_name=file_name,
        title=title,
        data=_serialise(html),
        headings=tuple(renderer.headings),
        diagnostics=tuple(renderer.diagnostics),
    )


def render_cover_page(*, title: str, image_file: str, alt: str, lang: Language) -> bytes:
    """The cover page: the generated cover image, its text as the alternative text."""
    html, body = _html_root(lang, title, body_class="cover-page")
    section = _sub(body, "section", {f"{{{EPUB_NS}}}type": "cover", "class": "cover"}, block=True)
    section.text = "\n"
    _sub(section, "img", {"src": image_file, "alt": alt}, block=True)
    return _serialise(html)
