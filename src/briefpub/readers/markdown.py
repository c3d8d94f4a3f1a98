"""The Markdown reader (reader stage): CommonMark + tables, YAML front matter -> the document tree.

Parsing is markdown-it-py's CommonMark preset with GFM tables; its tokens never
leave this module. The rules on top of it:

- **Front matter**: a leading ``---`` ... ``---`` (or ``...``) block of YAML
  (safe loader, no aliases, at most 64 KiB) gives the metadata: ``title``,
  ``subtitle``, ``author``/``authors``, ``date``, ``source``, ``url``,
  ``language``/``lang``, ``marking``/``classification``, ``summary`` (key points),
  ``keywords``/``tags``, ``retrieved``; other scalar keys go to ``extras``.
- **Title**: a first-level heading equal to the front-matter title is dropped;
  without a title, a leading first-level heading becomes it. Other headings keep
  their level (``##`` is level 2).
- **Images** keep their path as written (the pipeline reads them relative to
  the input's folder); an image alone in a paragraph is a figure whose caption
  is its title, else its alt text; images inside text follow their paragraph.
- **Quotations**: a last line opening with an em dash or ``--`` is the attribution.
- **Code blocks** become paragraphs of code runs, one per line.
- **Links**: only http, https and mailto targets stay links; ``javascript:``,
  ``data:`` and the like are reported and kept as text, relative links kept as text.
- **Raw HTML** never passes through: HTML blocks are cleaned and converted by
  the HTML reader's converter (scripts and the like removed and reported);
  inline tags are removed with their text kept (``<br>`` is a line break), and
  the content of ``<script>``/``<style>``-like tags is dropped and reported.
- Footnotes, definition lists and strikethrough are not Markdown extensions this
  reader enables: their markup stays as literal text, nothing is lost.
- Nesting deeper than :data:`~briefpub.readers._build.MAX_BLOCK_DEPTH` levels is
  flattened (reported); deeper than markdown-it's limit it is refused with an error.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from pathlib import Path
from typing import Any

import yaml
from markdown_it import MarkdownIt
from markdown_it.token import Token
from markdown_it.tree import SyntaxTreeNode

from briefpub.dates import parse_date
from briefpub.errors import InputError
from briefpub.language import valid_tag
from briefpub.readers import ReadResult
from briefpub.readers._build import (
    MAX_BLOCK_DEPTH,
    MAX_INLINE_DEPTH,
    SOFT,
    Notes,
    RawInline,
    SoftBreak,
    comparable,
    image_source,
    link_target,
    normalise_inlines,
    shows_url,
    strip_leading_dash,
    url_scheme,
)
from briefpub.readers._decode import decode
from briefpub.readers.text import linkify
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
    Meta,
    OrderedList,
    Paragraph,
    Strong,
    Table,
    TableCell,
    TableRow,
    Text,
    ThematicBreak,
    inline_text,
)

__all__ = ["MarkdownReader", "front_matter_meta", "split_front_matter"]

#: markdown-it's nesting limit: deeper input is refused (markdown-it would drop it silently).
MAX_NESTING = 100
MAX_FRONT_MATTER = 64 * 1024

_OPEN = re.compile(r"^---[ \t]*$")
_CLOSE = re.compile(r"^(?:---|\.\.\.)[ \t]*$")
_TAG = re.compile(r"^<\s*(/?)\s*([A-Za-z][A-Za-z0-9-]*)([^>]*?)(/?)\s*>$", re.DOTALL)
_HANDLER = re.compile(r"\bon[a-z]+\s*=|(?:java|vb)script\s*:", re.IGNORECASE)
_ALIGN = re.compile(r"text-align\s*:\s*(left|center|right)")
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
_EXTRA_KEY = re.compile(r"^[a-z][a-z0-9_-]{0,40}$")


# ----------------------------------------------------------------------------- front matter


class _NoAliasLoader(yaml.SafeLoader):
    """YAML safe loader refusing anchors/aliases (no "billion laughs")."""

    def compose_node(self, parent: Any, index: Any) -> Any:
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()  # type: ignore[no-untyped-call]
            raise yaml.composer.ComposerError(None, None, "aliases are not allowed", event.start_mark)
        return super().compose_node(parent, index)


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
    try:
        data = yaml.load(front, Loader=_NoAliasLoader)  # noqa: S506 - a SafeLoader subclass
    except (yaml.YAMLError, RecursionError) as exc:
        problem = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        notes.add("reader.metadata", f"front matter is not valid YAML ({problem}): ignored", front, 1, "warning")
        return {}
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
    # Every URL reaches the reader's own policy (reported there), as written.
    md.validateLink = lambda url: True  # type: ignore[method-assign]
    md.normalizeLink = lambda url: url  # type: ignore[method-assign]
    return md


class _Converter:
    """markdown-it syntax tree -> tree blocks (see the module docstring)."""

    def __init__(self, notes: Notes, line_offset: int) -> None:
        self.notes = notes
        self.offset = line_offset
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
            raw, figures = self.paragraph_raw(node)
            inlines = normalise_inlines(raw)
            return ([Paragraph(inlines)] if inlines else []) + figures
        if kind == "heading":
            raw, figures = self.paragraph_raw(node)
            inlines = normalise_inlines(raw)
            return ([Heading(int(node.tag[1]), inlines)] if inlines else []) + figures
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

    # ---------------------------------------------------------------- containers

    def quote(self, node: SyntaxTreeNode, depth: int) -> list[Block]:
        children = list(node.children)
        attribution: tuple[Inline, ...] = ()
        blocks: list[Block] = []
        last = children[-1] if children else None
        for child in children:
            if child is last and child.type == "paragraph":
                raw, figures = self.paragraph_raw(child)
                body, attribution = _attribution(raw, alone=len(children) > 1)
                if body:
                    blocks.append(Paragraph(body))
                blocks.extend(figures)
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
                    raw, figures = self.paragraph_raw(cell)
                    inlines = list(normalise_inlines(raw))
                    for fig in figures:  # an image in a cell: keep its caption text
                        if isinstance(fig, Figure) and fig.caption:
                            inlines.extend((LineBreak(), *fig.caption))
                    style = str(cell.attrs.get("style", ""))
                    m = _ALIGN.search(style)
                    cells.append(TableCell(tuple(inlines), m.group(1) if m else ""))
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
        blocks = html_blocks(content, self.notes, line_offset=(line or 1) - 1)
        self.notes.add("reader.unsupported", "raw HTML block converted (tags not passed through)", content, line)
        return blocks

    # ---------------------------------------------------------------- inlines

    def paragraph_raw(self, node: SyntaxTreeNode) -> tuple[list[RawInline], list[Block]]:
        """Raw inlines of a paragraph-like node, and the figures for its images."""
        figures: list[Block] = []
        raw: list[RawInline] = []
        self.current = self.line(node)
        for child in node.children:
            if child.type == "inline":
                suppress: list[str] = []
                raw.extend(self.inlines(self.inline_tokens.get(id(child.token), []), figures, suppress))
                if suppress:
                    self.notes.add("reader.active-content", f"unclosed <{suppress[0]}>: rest of the paragraph removed",
                                   child.content, self.line(node), "warning")
        only_images = figures and all(
            isinstance(n, SoftBreak) or (isinstance(n, Text) and not n.text.strip()) for n in raw
        )
        if only_images:
            raw = []
        return raw, figures

    def inlines(
        self, tokens: list[Token], figures: list[Block], suppress: list[str], *, in_link: bool = False
    ) -> list[RawInline]:
        """Inlines from markdown-it's flat inline token list, without recursion.

        Emphasis can nest thousands deep in pathological input ("****...a...****");
        formatting deeper than :data:`~briefpub.readers._build.MAX_INLINE_DEPTH` is
        dropped, its text kept.
        """
        # Each frame: (opening token or None for the root, collected children).
        stack: list[tuple[Token | None, list[RawInline]]] = [(None, [])]
        links = 0  # open links on the stack
        for tok in tokens:
            kind = tok.type
            out = stack[-1][1]
            if kind == "html_inline":
                out.extend(self.html_inline(tok.content, suppress))
                continue
            if kind.endswith("_open"):
                links += kind == "link_open"
                stack.append((tok, []))
                continue
            if kind.endswith("_close") and len(stack) > 1:
                opener, children = stack.pop()
                assert opener is not None
                links -= opener.type == "link_open"
                stack[-1][1].extend(self._close(opener, children, len(stack)))
                continue
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
                figure = self.image(tok)
                if figure is not None:
                    figures.append(figure)
            else:
                self.notes.add("reader.unsupported", f"Markdown inline {kind!r} kept as text", tok.content,
                               self.current, "warning")
                out.append(Text(tok.content))
        while len(stack) > 1:  # unbalanced (should not happen): keep the text
            _, children = stack.pop()
            stack[-1][1].extend(children)
        return stack[0][1]

    def _close(self, opener: Token, children: list[RawInline], depth: int) -> list[RawInline]:
        kind = opener.type
        if kind == "link_open":
            return self.link(opener, children)
        if depth > MAX_INLINE_DEPTH or not children:
            return children
        if kind == "em_open":
            return [Emphasis(_no_soft(children))]
        if kind == "strong_open":
            return [Strong(_no_soft(children))]
        return children

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

    def image(self, tok: Token) -> Figure | None:
        alt_inlines = normalise_inlines(self.inlines(tok.children or [], [], [], in_link=True))
        alt = " ".join(inline_text(alt_inlines).split())
        src = str(tok.attrs.get("src", ""))
        title = " ".join(str(tok.attrs.get("title", "") or "").split())
        ref, problem = image_source(src)
        if problem == "data":
            self.notes.add("reader.image-refused", "inline data: image not kept", alt or src[:40], self.current,
                           "warning")
        elif problem == "unsafe":
            self.notes.add("reader.active-content", "image with a script or local-file URL removed", src,
                           self.current, "warning")
        caption_text = title or alt
        caption = (Text(caption_text),) if caption_text else ()
        if not ref and not caption:
            return None
        return Figure(caption=caption, image=ref, alt=alt)

    def html_inline(self, markup: str, suppress: list[str]) -> list[RawInline]:
        m = _TAG.match(markup.strip())
        if not m:  # a comment, declaration or processing instruction: invisible when rendered
            return []
        closing, name, attrs, self_closing = m.group(1) == "/", m.group(2).lower(), m.group(3), m.group(4)
        if suppress:
            if closing and name == suppress[-1]:
                suppress.pop()
            return []
        if name in _SUPPRESS and not closing and not self_closing:
            suppress.append(name)
            self.notes.add("reader.active-content", f"inline <{name}> removed", markup, self.current, "warning")
            return []
        if _HANDLER.search(attrs):
            self.notes.add("reader.active-content", "inline HTML with event handlers or script URLs removed", markup,
                           self.current, "warning")
        elif name in _SUPPRESS:
            self.notes.add("reader.active-content", f"inline <{name}> removed", markup, self.current, "warning")
        if name == "br" and not closing:
            return [LineBreak()]
        self.removed_tags[name] += 1
        return []

    def finish(self) -> None:
        if self.removed_tags:
            tags = ", ".join(f"<{t}>" for t in sorted(self.removed_tags))
            self.notes.add("reader.unsupported", f"inline HTML tags removed, their text kept: {tags}")
        if self.counts["relative"]:
            self.notes.add("reader.unsupported", f"{self.counts['relative']} relative link(s) kept as text")
        if self.flattened:
            self.notes.add("reader.unsupported",
                           f"quotations or lists nested more than {MAX_BLOCK_DEPTH} deep were flattened",
                           severity="warning")


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
        notes.items.extend(decoded.diagnostics)
        document = self.parse(decoded.text, notes)
        ordered = sorted(notes.items, key=lambda d: d.line or 0)
        return ReadResult(document, tuple(ordered), decoded.encoding)

    def parse(self, text: str, notes: Notes) -> Document:
        """Parse decoded Markdown (LF line ends) into a document."""
        front, body, offset = split_front_matter(text)
        meta = front_matter_meta(front, notes) if front is not None else {}
        tokens = _parser().parse(body)
        if _max_level(tokens) >= MAX_NESTING - 1:
            raise InputError(f"{notes.source}: Markdown nested more than {MAX_NESTING - 1} levels deep")
        converter = _Converter(notes, offset)
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
