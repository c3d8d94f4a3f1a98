"""The Markdown reader (reader stage): CommonMark + tables, YAML front matter -> the document tree.

Parsing is markdown-it-py's CommonMark preset with GFM tables and the attributes
plugin of mdit-py-plugins (bracketed spans); its tokens never leave this module.
What the readers share (decoding, links, images, language spans, inline
tidying) comes from :mod:`briefpub.readers.common`. The rules on top of it:

- **Front matter**: a leading ``---`` ... ``---`` (or ``...``) block of YAML
  (safe loader, no aliases, at most 64 KiB) gives the metadata: ``title``,
  ``subtitle``, ``author``/``authors``, ``date``, ``source``, ``url``,
  ``language``/``lang``, ``marking``/``classification``, ``summary`` (key points),
  ``keywords``/``tags``, ``retrieved``; other scalar keys go to ``extras``.
- **Title**: a first-level heading equal to the front-matter title is dropped;
  without a title, a leading first-level heading becomes it. Other headings keep
  their level (``##`` is level 2).
- **Images** keep their path as written (the pipeline reads them relative to
  the input's folder). An image on a line of its own (alone in its paragraph,
  in a list item or a quotation, or between hard breaks) is a figure whose
  caption is its title, else its alt text; an image inside text or in a table
  cell stays there as an inline image; one in a heading follows it as a figure
  (:mod:`briefpub.readers.common.images`).
- **Quotations**: a last line opening with an em dash or ``--`` is the attribution.
- **Code blocks** become paragraphs of code runs, one per line.
- **Links**: http, https and mailto targets stay links, and so do in-page
  ``#fragment`` links (the ids transform points them at the heading's final
  id); ``javascript:``, ``data:`` and the like are reported and kept as text,
  relative links kept as text (reported).
- **Language of parts**: an inline ``<span lang=..>`` (any inline HTML element
  with a ``lang``), a bracketed span ``[text]{lang=..}`` and a link followed by
  ``{lang=..}`` become :class:`~briefpub.tree.Span` when the tag is valid BCP 47
  and differs from the language around it
  (:mod:`briefpub.readers.common.languages`); other ``{...}`` attributes are
  ignored and reported.
- **Raw HTML** never passes through: HTML blocks are cleaned and converted by
  the HTML reader's converter (scripts and the like removed and reported);
  inline tags are removed with their text kept (``<br>`` is a line break,
  ``<img>`` an image, a ``lang`` a language span), and the content of
  ``<script>``/``<style>``-like tags is dropped and reported.
- Footnotes, definition lists and strikethrough are not Markdown extensions this
  reader enables: their markup stays as literal text, nothing is lost.
- Nesting deeper than :data:`~briefpub.readers.common.limits.MAX_BLOCK_DEPTH` levels is
  flattened (reported); deeper than markdown-it's limit it is refused with an error.
"""

from __future__ import annotations

import datetime as dt
import html
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from markdown_it import MarkdownIt
from markdown_it.token import Token
from markdown_it.tree import SyntaxTreeNode
from mdit_py_plugins.attrs import attrs_plugin

from briefpub._lazyre import lazy_re
from briefpub.dates import parse_date
from briefpub.errors import InputError
from briefpub.language import valid_tag
from briefpub.readers import ReadResult
from briefpub.readers.common.compare import comparable
from briefpub.readers.common.decode import decode
from briefpub.readers.common.images import (
    alt_text,
    image_source,
    images_only,
    paragraph_parts,
    refused_as_text,
    take_images,
)
from briefpub.readers.common.inlines import SOFT, RawInline, SoftBreak, normalise_inlines, strip_leading_dash
from briefpub.readers.common.languages import declared_language, differs
from briefpub.readers.common.limits import MAX_BLOCK_DEPTH, MAX_INLINE_DEPTH
from briefpub.readers.common.links import link_target, linkify, shows_url, url_scheme
from briefpub.readers.common.notes import Notes, read_result
from briefpub.tree import (
    Block,
    BlockQuote,
    BulletList,
    Code,
    Document,
    Emphasis,
    Figure,
    Heading,
    Image,
    Inline,
    LineBreak,
    Link,
    ListItem,
    Meta,
    OrderedList,
    Paragraph,
    Span,
    Strong,
    Table,
    TableCell,
    TableRow,
    Text,
    ThematicBreak,
    inline_text,
    sanitise,
)

__all__ = ["MarkdownReader", "front_matter_meta", "split_front_matter"]

#: markdown-it's nesting limit: deeper input is refused (markdown-it would drop it silently).
MAX_NESTING = 100
MAX_FRONT_MATTER = 64 * 1024

_OPEN = lazy_re(r"^---[ \t]*$")
_CLOSE = lazy_re(r"^(?:---|\.\.\.)[ \t]*$")
_TAG = lazy_re(r"^<\s*(/?)\s*([A-Za-z][A-Za-z0-9-]*)([^>]*?)(/?)\s*>$", re.DOTALL)
_HANDLER = lazy_re(r"\bon[a-z]+\s*=|(?:java|vb)script\s*:", re.IGNORECASE)
_ALIGN = lazy_re(r"text-align\s*:\s*(left|center|right)")
_ATTRIBUTE = lazy_re(r"""([^\s"'>/=]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'=<>`]+)))?""")
#: Inline HTML elements that have no content (never opened, never closed): HTML5's void
#: elements and obsolete ones browsers still parse as void.
_VOID = frozenset({"br", "img", "wbr", "hr", "input", "area", "col", "embed", "source", "track", "meta", "link",
                   "keygen", "param", "base", "basefont", "bgsound", "frame", "command", "nextid", "isindex"})
#: Inline HTML elements whose content is never text for the reader.
_SUPPRESS = frozenset(
    {"script", "style", "iframe", "object", "embed", "template", "textarea", "title", "noscript", "svg", "applet"}
)

_FIELDS = {
    "title": "title", "headline": "title",
    "subtitle": "subtitle", "subhead": "subtitle", "standfirst": "subtitle", "dek": "subtitle",
    "author": "authors", "authors": "authors", "byline": "authors",
    "date": "date", "published": "date", "pubdate": "date",
    "source": "source", "publication": "source", "outlet": "source", "site": "source", "publisher": "source",
    "url": "url", "link": "url", "canonical": "url", "source_url": "url",
    "language": "language", "lang": "language",
    "marking": "marking", "classification": "marking", "protective_marking": "marking",
    "summary": "summary", "key_points": "summary", "keypoints": "summary",
    "keywords": "keywords", "tags": "keywords",
    "retrieved": "retrieved", "accessed": "retrieved", "retrieved_on": "retrieved",
}
_LIST_FIELDS = frozenset({"authors", "summary", "keywords"})
_EXTRA_KEY = lazy_re(r"^[a-z][a-z0-9_-]{0,40}$")


# ----------------------------------------------------------------------------- front matter


class _NoAliasLoader(yaml.SafeLoader):
    """YAML safe loader refusing anchors/aliases (no "billion laughs").

    A typed scalar whose text is not of its type (``date: 2020-13-45``,
    ``!!bool maybe``, ``!!int abc``, a 5,000-digit number) is kept as its text
    and listed in :attr:`invalid` (tag, line in the front matter, text) to be
    reported; PyYAML's own constructors would raise ValueError and the like.
    """

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self.invalid: list[tuple[str, int, str]] = []

    def compose_node(self, parent: Any, index: Any) -> Any:
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()  # type: ignore[no-untyped-call]
            raise yaml.composer.ComposerError(None, None, "aliases are not allowed", event.start_mark)
        return super().compose_node(parent, index)


def _lenient(tag: str) -> Any:
    strict = yaml.SafeLoader.yaml_constructors[tag]

    def construct(loader: _NoAliasLoader, node: yaml.Node) -> Any:
        try:
            return strict(loader, node)
        except (ValueError, TypeError, KeyError, AttributeError, OverflowError, yaml.constructor.ConstructorError):
            if not isinstance(node, yaml.ScalarNode):
                raise
            text = str(node.value)
            loader.invalid.append((tag.rsplit(":", 1)[-1], node.start_mark.line, text))
            return text

    return construct


for _tag in ("bool", "int", "float", "timestamp", "binary"):
    _NoAliasLoader.add_constructor(f"tag:yaml.org,2002:{_tag}", _lenient(f"tag:yaml.org,2002:{_tag}"))


def split_front_matter(text: str) -> tuple[str | None, str, int]:
    """(front matter or None, the Markdown body, number of lines before the body)."""
    lines = text.split("\n")
    if not lines or not _OPEN.match(lines[0]):
        return None, text, 0
    for index in range(1, len(lines)):
        if _CLOSE.match(lines[index]):
            return "\n".join(lines[1:index]), "\n".join(lines[index + 1 :]), index + 1
    return None, text, 0


def _scalar(value: object) -> str | None:
    """A YAML scalar as text (None for anything else)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.datetime):
        return value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, str | int | float):
        return " ".join(str(value).split())
    return None


def front_matter_meta(front: str, notes: Notes) -> dict[str, Any]:
    """Metadata fields for :class:`~briefpub.tree.Meta` from YAML front matter (problems reported)."""
    if len(front) > MAX_FRONT_MATTER:
        notes.add("reader.metadata", "front matter larger than 64 KiB ignored", front, 1, "warning")
        return {}
    invalid: list[tuple[str, int, str]] = []
    try:
        # YAML refuses control characters: removed first (reported by read_bytes), as in the body
        loader = _NoAliasLoader(sanitise(front, keep_newlines=True))
        try:
            data = loader.get_single_data()
            invalid = loader.invalid
        finally:
            loader.dispose()
    except (yaml.YAMLError, RecursionError, ValueError, TypeError) as exc:
        problem = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        notes.add("reader.metadata", f"front matter is not valid YAML ({problem}): ignored", front, 1, "warning")
        return {}
    for kind, line, written in invalid:
        # line + 2: the front matter's first line is the file's second (after "---")
        notes.add("reader.metadata", f"front matter line {line + 2}: not a valid {kind}: kept as text", written,
                  line + 2, "warning")
    if data is None:
        return {}
    if not isinstance(data, dict):
        notes.add("reader.metadata", "front matter is not a mapping of keys to values: ignored", front, 1, "warning")
        return {}
    meta: dict[str, Any] = {}
    extras: dict[str, str] = {}
    for raw_key, value in data.items():
        key = str(raw_key).strip().lower().replace("-", "_").replace(" ", "_")
        field = _FIELDS.get(key)
        if value is None or value == "" or value == []:
            continue
        if field is None:
            text = _scalar(value)
            if text is None and isinstance(value, list) and all(_scalar(v) is not None for v in value):
                text = ", ".join(str(_scalar(v)) for v in value)
            if text is None or not _EXTRA_KEY.match(key):
                notes.add("reader.metadata", f"front matter key {raw_key!r}: value not usable, ignored",
                          repr(value)[:120], 1, "warning")
            else:
                extras[key] = text
            continue
        if field in meta:
            notes.add("reader.metadata", f"front matter key {raw_key!r} repeats {field!r}: ignored",
                      repr(value)[:120], 1, "warning")
            continue
        if field in _LIST_FIELDS:
            items = _list_value(value, field)
            if items is None:
                notes.add("reader.metadata", f"front matter {raw_key!r}: expected text or a list of text",
                          repr(value)[:120], 1, "warning")
                continue
            meta[field] = items
            continue
        text = _scalar(value)
        if text is None:
            notes.add("reader.metadata", f"front matter {raw_key!r}: expected text", repr(value)[:120], 1, "warning")
            continue
        if field == "date":
            meta["date"] = text
            meta["date_iso"] = parse_date(text) or ""
        elif field == "language" and not valid_tag(text):
            notes.add("reader.metadata", f"front matter {raw_key!r}: not a BCP 47 language tag", text, 1, "warning")
        elif field == "url" and url_scheme(text) not in ("http", "https"):
            notes.add("reader.metadata", f"front matter {raw_key!r}: only http(s) URLs are kept", text, 1, "warning")
        else:
            meta[field] = text
    if extras:
        meta["extras"] = tuple(sorted(extras.items()))
    return meta


def _list_value(value: object, field: str) -> tuple[str, ...] | None:
    if isinstance(value, list):
        texts = [_scalar(v) for v in value]
        if any(t is None for t in texts):
            return None
        return tuple(t for t in texts if t)
    text = _scalar(value)
    if text is None:
        return None
    if field == "summary":
        return (text,)
    return tuple(part.strip() for part in text.split(",") if part.strip())


# ----------------------------------------------------------------------------- body


def _parser() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": True, "maxNesting": MAX_NESTING}).enable("table")
    # Pandoc-style bracketed spans and attributes after links: only ``lang`` is read.
    md.use(attrs_plugin, spans=True, after=("link_close", "span_close"), allowed=("lang",))
    # Every URL reaches the reader's own policy (reported there), as written.
    md.validateLink = lambda url: True  # type: ignore[method-assign]
    md.normalizeLink = lambda url: url  # type: ignore[method-assign]
    return md


@dataclass(slots=True)
class _Frame:
    """An open inline element while reading a paragraph's flat token list.

    ``opener`` is markdown-it's opening token (None for the root and for inline
    HTML elements, which have their ``tag``); ``lang`` the language the element
    switches to ("" when it does not).
    """

    opener: Token | None
    tag: str = ""
    lang: str = ""
    children: list[RawInline] = field(default_factory=list)


class _Converter:
    """markdown-it syntax tree -> tree blocks (see the module docstring)."""

    def __init__(self, notes: Notes, line_offset: int, language: str) -> None:
        self.notes = notes
        self.offset = line_offset
        self.language = language  # the document's (front matter), "" when unknown
        self.counts: Counter[str] = Counter()
        self.removed_tags: Counter[str] = Counter()
        self.flattened = False
        self.current: int | None = None  # line of the block whose inlines are being read
        self.inline_tokens: dict[int, list[Token]] = {}  # inline token id -> its flat children

    def line(self, node: SyntaxTreeNode) -> int | None:
        """1-based input line of a node (inline nodes: their block's line)."""
        return node.map[0] + self.offset + 1 if node.map else self.current

    def blocks(self, nodes: list[SyntaxTreeNode], depth: int) -> list[Block]:
        out: list[Block] = []
        for node in nodes:
            out.extend(self.block(node, depth))
        return out

    def block(self, node: SyntaxTreeNode, depth: int) -> list[Block]:
        kind = node.type
        if kind == "paragraph":
            return self.paragraph(normalise_inlines(self.paragraph_raw(node)))
        if kind == "heading":
            inlines, images = take_images(normalise_inlines(self.paragraph_raw(node)))
            heading: list[Block] = [Heading(int(node.tag[1]), inlines)] if inlines else []
            return heading + [self.figure(image) for image in images]
        if kind == "blockquote":
            return self.quote(node, depth)
        if kind in ("bullet_list", "ordered_list"):
            return self.list_(node, depth)
        if kind == "table":
            return self.table(node)
        if kind == "hr":
            return [ThematicBreak()]
        if kind in ("code_block", "fence"):
            return self.code(node.content)
        if kind == "html_block":
            return self.html_block(node)
        self.notes.add("reader.unsupported", f"Markdown construct {kind!r} kept as text", node.content,
                       self.line(node), "warning")
        return [Paragraph((Text(node.content),))] if node.content.strip() else []

    def paragraph(self, inlines: tuple[Inline, ...]) -> list[Block]:
        """A paragraph, its images on lines of their own as figures (see :mod:`.common.images`)."""
        blocks: list[Block] = []
        for part in paragraph_parts(inlines):
            if part.images:
                blocks.extend(self.figure(image) for image in part.images)
            elif text := refused_as_text(part.inlines):
                blocks.append(Paragraph(text))
        return blocks

    @staticmethod
    def figure(image: Image) -> Figure:
        """A figure for an image standing alone: captioned by its title, else its alt text."""
        caption_text = image.title or image.alt
        return Figure(caption=(Text(caption_text),) if caption_text else (), image=image.src, alt=image.alt)

    # ---------------------------------------------------------------- containers

    def quote(self, node: SyntaxTreeNode, depth: int) -> list[Block]:
        children = list(node.children)
        attribution: tuple[Inline, ...] = ()
        blocks: list[Block] = []
        last = children[-1] if children else None
        for child in children:
            if child is last and child.type == "paragraph":
                raw = self.paragraph_raw(child)
                if images_only(normalise_inlines(raw)) is not None:
                    blocks.extend(self.paragraph(normalise_inlines(raw)))
                    continue
                body, attribution = _attribution(raw, alone=len(children) > 1)
                blocks.extend(self.paragraph(body))
                attribution = refused_as_text(attribution)
            else:
                blocks.extend(self.block(child, depth + 1))
        if not blocks and not attribution:
            return []
        if depth >= MAX_BLOCK_DEPTH:
            self.flattened = True
            return blocks + ([Paragraph(attribution)] if attribution else [])
        return [BlockQuote(tuple(blocks), attribution)]

    def list_(self, node: SyntaxTreeNode, depth: int) -> list[Block]:
        items: list[ListItem] = []
        flat: list[Block] = []
        for item in node.children:
            blocks = self.blocks(list(item.children), depth + 1)
            flat.extend(blocks)
            items.append(ListItem(tuple(blocks)))
        if depth >= MAX_BLOCK_DEPTH:
            self.flattened = True
            return flat
        if node.type == "ordered_list":
            start = node.attrs.get("start", 1)
            return [OrderedList(tuple(items), start=int(start) if isinstance(start, int | str) else 1)]
        return [BulletList(tuple(items))]

    def table(self, node: SyntaxTreeNode) -> list[Block]:
        header: list[TableRow] = []
        rows: list[TableRow] = []
        for section in node.children:
            for tr in section.children:
                cells = []
                for cell in tr.children:
                    inlines = refused_as_text(normalise_inlines(self.paragraph_raw(cell)))
                    style = str(cell.attrs.get("style", ""))
                    m = _ALIGN.search(style)
                    cells.append(TableCell(inlines, m.group(1) if m else ""))
                (header if section.type == "thead" else rows).append(TableRow(tuple(cells)))
        return [Table(tuple(header), tuple(rows))]

    def code(self, content: str) -> list[Block]:
        lines = content.rstrip("\n").split("\n")
        inlines: list[Inline] = []
        for index, line in enumerate(lines):
            if index:
                inlines.append(LineBreak())
            if line.strip():
                inlines.append(Code((Text(line.rstrip()),)))
        return [Paragraph(tuple(inlines))] if inlines else []

    def html_block(self, node: SyntaxTreeNode) -> list[Block]:
        from briefpub.readers.html import html_blocks

        content = node.content
        if content.lstrip().startswith("<!--") and content.rstrip().endswith("-->"):
            return []  # an HTML comment: invisible in the rendered Markdown too
        line = self.line(node)
        blocks = html_blocks(content, self.notes, line_offset=(line or 1) - 1, language=self.language)
        self.notes.add("reader.unsupported", "raw HTML block converted (tags not passed through)", content, line)
        return blocks

    # ---------------------------------------------------------------- inlines

    def paragraph_raw(self, node: SyntaxTreeNode) -> list[RawInline]:
        """Raw inlines of a paragraph-like node (images in place, see :meth:`inlines`)."""
        raw: list[RawInline] = []
        self.current = self.line(node)
        for child in node.children:
            if child.type == "inline":
                suppress: list[str] = []
                raw.extend(self.inlines(self.inline_tokens.get(id(child.token), []), suppress))
                if suppress:
                    self.notes.add("reader.active-content", f"unclosed <{suppress[0]}>: rest of the paragraph removed",
                                   child.content, self.line(node), "warning")
        return raw

    def inlines(self, tokens: list[Token], suppress: list[str], *, in_link: bool = False) -> list[RawInline]:
        """Inlines from markdown-it's flat inline token list, without recursion.

        Emphasis can nest thousands deep in pathological input ("****...a...****");
        formatting deeper than :data:`~briefpub.readers.common.limits.MAX_INLINE_DEPTH`
        is dropped, its text kept. Inline HTML elements with a ``lang`` are
        elements of the same stack; one left open ends with the paragraph, and
        one closed across emphasis ends where the emphasis does, as in browsers.
        """
        stack = [_Frame(None, lang=self.language)]
        links = 0  # open links on the stack
        for tok in tokens:
            kind = tok.type
            if kind == "html_inline":
                self.html_inline(tok.content, suppress, stack)
                continue
            if kind.endswith("_open"):
                links += kind == "link_open"
                stack.append(_Frame(tok, lang=self.part_language(tok, stack)))
                continue
            if kind.endswith("_close") and len(stack) > 1:
                while len(stack) > 1:
                    frame = stack.pop()
                    links -= frame.opener is not None and frame.opener.type == "link_open"
                    stack[-1].children.extend(self.close(frame, len(stack)))
                    if frame.opener is not None:
                        break
                continue
            out = stack[-1].children
            if suppress:
                if kind in ("text", "text_special", "code_inline") and tok.content.strip():
                    self.notes.add("reader.active-content", f"content of <{suppress[-1]}> removed", tok.content,
                                   self.current, "warning")
                continue
            if kind in ("text", "text_special"):
                linked = in_link or links > 0
                out.extend([Text(tok.content)] if linked else linkify(tok.content))
            elif kind == "softbreak":
                out.append(SOFT)
            elif kind == "hardbreak":
                out.append(LineBreak())
            elif kind == "code_inline":
                out.append(Code((Text(tok.content),)))
            elif kind == "image":
                image = self.image(tok)
                if image is not None:
                    out.append(image)
            else:
                self.notes.add("reader.unsupported", f"Markdown inline {kind!r} kept as text", tok.content,
                               self.current, "warning")
                out.append(Text(tok.content))
        while len(stack) > 1:  # inline HTML left open ends with the paragraph
            frame = stack.pop()
            stack[-1].children.extend(self.close(frame, len(stack)))
        return stack[0].children

    def close(self, frame: _Frame, depth: int) -> list[RawInline]:
        """The inlines of a closed element, in a span when it switches language."""
        children = frame.children
        opener = frame.opener
        if opener is not None and opener.type == "link_open":
            children = self.link(opener, children)
        elif depth > MAX_INLINE_DEPTH or not children:
            return children
        elif opener is not None and opener.type == "em_open":
            children = [Emphasis(_no_soft(children))]
        elif opener is not None and opener.type == "strong_open":
            children = [Strong(_no_soft(children))]
        if frame.lang and children and depth <= MAX_INLINE_DEPTH:
            return [Span(_no_soft(children), frame.lang)]
        return children

    def part_language(self, tok: Token, stack: list[_Frame]) -> str:
        """The language a bracketed span or link switches to ("" for none), bad tags reported."""
        dropped = tok.meta.get("insecure_attrs") if tok.meta else None
        if dropped:
            self.counts["attrs"] += len(dropped)
        value = tok.attrs.get("lang")
        return self.switch_language(str(value), stack) if value is not None else ""

    def switch_language(self, value: str, stack: list[_Frame]) -> str:
        """``value`` when it is a language tag differing from the one around, else ""."""
        tag = declared_language(value)
        if tag is None:
            self.notes.add("reader.metadata", "lang is not a BCP 47 language tag: language not marked", value,
                           self.current, "warning")
            return ""
        around = next((f.lang for f in reversed(stack) if f.lang), self.language)
        return tag if differs(tag, around) else ""

    def link(self, opener: Token, children: list[RawInline]) -> list[RawInline]:
        href = str(opener.attrs.get("href", ""))
        url, problem = link_target(href)
        if problem == "unsafe":
            if shows_url(inline_text(_no_soft(children)), href):
                self.notes.add("reader.active-content", "link showing an unsafe URL removed", href,
                               self.current, "warning")
                return []
            self.notes.add("reader.active-content", "link with an unsafe URL kept as text", href, self.current,
                           "warning")
            return children
        if problem == "relative":
            self.counts["relative"] += 1
            return children
        if problem:
            return children
        return [Link(url, _no_soft(children), str(opener.attrs.get("title", "") or ""))]

    def image(self, tok: Token) -> Image | None:
        alt = alt_text(normalise_inlines(self.inlines(tok.children or [], [], in_link=True)))
        return self.image_node(str(tok.attrs.get("src", "")), alt, str(tok.attrs.get("title", "") or ""))

    def image_node(self, src: str, alt: str, title: str) -> Image | None:
        """An inline image (with no ``src`` when refused, reported), or None when nothing is left of it."""
        title = " ".join(title.split())
        ref, problem = image_source(src)
        if problem == "data":
            self.notes.add("reader.image-refused", "inline data: image not kept", alt or src[:40], self.current,
                           "warning")
        elif problem == "unsafe":
            self.notes.add("reader.active-content", "image with a script or local-file URL removed", src,
                           self.current, "warning")
        if not ref and not (title or alt):
            return None
        return Image(ref, alt, title)

    def html_inline(self, markup: str, suppress: list[str], stack: list[_Frame]) -> None:
        """An inline HTML tag: removed (text kept), except ``<br>``, ``<img>`` and elements with a ``lang``."""
        m = _TAG.match(markup.strip())
        if not m:  # a comment, declaration or processing instruction: invisible when rendered
            return
        closing, name, attrs, self_closing = m.group(1) == "/", m.group(2).lower(), m.group(3), m.group(4)
        if suppress:
            if closing and name == suppress[-1]:
                suppress.pop()
            return
        if name in _SUPPRESS and not closing and not self_closing and name not in _VOID:
            suppress.append(name)
            self.notes.add("reader.active-content", f"inline <{name}> removed", markup, self.current, "warning")
            return
        if _HANDLER.search(attrs):
            self.notes.add("reader.active-content", "inline HTML with event handlers or script URLs removed", markup,
                           self.current, "warning")
        elif name in _SUPPRESS:
            self.notes.add("reader.active-content", f"inline <{name}> removed", markup, self.current, "warning")
        out = stack[-1].children
        if name == "br" and not closing:
            out.append(LineBreak())
            return
        values = _attributes(attrs)
        if name == "img" and not closing:
            image = self.image_node(values.get("src", ""), " ".join(values.get("alt", "").split()),
                                    values.get("title", ""))
            if image is not None:
                out.append(image)
            return
        if closing:
            self.close_html(name, stack)
            return
        lang = values.get("lang", values.get("xml:lang"))
        if lang is None or declared_language(lang) is None:
            self.removed_tags[name] += 1  # a valid lang is read: that tag is not lost
        if name in _VOID or self_closing:
            return
        if lang is not None or any(f.tag == name for f in stack):
            stack.append(_Frame(None, tag=name, lang=self.switch_language(lang, stack) if lang is not None else ""))

    def close_html(self, name: str, stack: list[_Frame]) -> None:
        """Close the innermost open ``name`` element, unless Markdown emphasis or a link is open inside it."""
        for index in range(len(stack) - 1, 0, -1):
            if stack[index].opener is not None:
                return  # closing across emphasis: the element already ended with it
            if stack[index].tag == name:
                while len(stack) > index:
                    frame = stack.pop()
                    stack[-1].children.extend(self.close(frame, len(stack)))
                return

    def finish(self) -> None:
        if self.removed_tags:
            tags = ", ".join(f"<{t}>" for t in sorted(self.removed_tags))
            self.notes.add("reader.unsupported", f"inline HTML tags removed, their text kept: {tags}")
        if self.counts["relative"]:
            self.notes.add("reader.unsupported", f"{self.counts['relative']} relative link(s) kept as text")
        if self.counts["attrs"]:
            self.notes.add("reader.unsupported",
                           f"{self.counts['attrs']} attribute(s) in {{...}} ignored (only lang is read)")
        if self.flattened:
            self.notes.add("reader.unsupported",
                           f"quotations or lists nested more than {MAX_BLOCK_DEPTH} deep were flattened",
                           severity="warning")


def _attributes(markup: str) -> dict[str, str]:
    """The attributes of an HTML start tag's text (names lower-cased, character references decoded)."""
    values: dict[str, str] = {}
    for m in _ATTRIBUTE.finditer(markup):
        name = m.group(1).lower()
        value = next((g for g in m.group(2, 3, 4) if g is not None), "")
        values.setdefault(name, html.unescape(value))
    return values


def _no_soft(nodes: list[RawInline]) -> tuple[Inline, ...]:
    """Inline children with soft breaks as spaces (for nodes that hold only real inlines)."""
    return tuple(Text(" ") if isinstance(n, SoftBreak) else n for n in nodes)


def _attribution(raw: list[RawInline], *, alone: bool) -> tuple[tuple[Inline, ...], tuple[Inline, ...]]:
    """(paragraph, attribution) for a quotation's last paragraph.

    The attribution is the paragraph's last line when it opens with an em dash
    or ``--``; or the whole paragraph when it does and ``alone`` (other blocks
    precede it in the quotation).
    """
    inlines = normalise_inlines(raw)
    if alone and (who := strip_leading_dash(inlines)):
        return (), who
    breaks = [i for i, n in enumerate(raw) if isinstance(n, SoftBreak | LineBreak)]
    if breaks:
        cut = breaks[-1]
        who = strip_leading_dash(normalise_inlines(raw[cut + 1 :]))
        before = normalise_inlines(raw[:cut])
        if who and before:
            return before, who
    return inlines, ()


def _max_level(nodes: list[Any]) -> int:
    return max((t.level for t in nodes), default=0)


class MarkdownReader:
    """Reads Markdown articles with YAML front matter (see the module docstring)."""

    name = "md"

    def read(self, data: bytes, *, source: str, base_dir: Path | None) -> ReadResult:
        """Decode and parse a Markdown article."""
        decoded = decode(data, source)
        notes = Notes(source)
        return read_result(self.parse(decoded.text, notes), notes, decoded)

    def parse(self, text: str, notes: Notes) -> Document:
        """Parse decoded Markdown (LF line ends) into a document."""
        front, body, offset = split_front_matter(text)
        meta = front_matter_meta(front, notes) if front is not None else {}
        tokens = _parser().parse(body)
        if _max_level(tokens) >= MAX_NESTING - 1:
            raise InputError(f"{notes.source}: Markdown nested more than {MAX_NESTING - 1} levels deep")
        converter = _Converter(notes, offset, meta.get("language", ""))
        for token in tokens:  # inline children are read flat (see _Converter.inlines), not as a tree
            if token.type == "inline":
                converter.inline_tokens[id(token)] = token.children or []
                token.children = []
        try:
            blocks = converter.blocks(list(SyntaxTreeNode(tokens).children), 0)
        except RecursionError:
            raise InputError(f"{notes.source}: Markdown nested too deeply to convert") from None
        converter.finish()
        title = meta.get("title", "")
        if title:
            for index, block in enumerate(blocks):
                if isinstance(block, Heading) and block.level == 1:
                    if comparable(inline_text(block.children)) == comparable(title):
                        del blocks[index]
                    break
        elif blocks and isinstance(first := blocks[0], Heading) and first.level == 1:
            meta["title"] = inline_text(first.children)
            del blocks[0]
        return Document(Meta(**meta), tuple(blocks))


READER = MarkdownReader()
