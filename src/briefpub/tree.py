"""The document tree: the one intermediate form between readers and writers.

Every reader produces a :class:`Document`; every writer consumes a
:class:`Publication` (one document, or a pack of several). Nodes are frozen,
slotted dataclasses with tuple children, so trees are immutable, hashable and
comparable, and writers can dispatch with ``match`` ending in ``assert_never``
(mypy then names any node kind a writer forgot).

Text is sanitised once, here, at construction: every string that reaches a
node is NFC-normalised, line ends and tabs inside a run become spaces, and
characters XML 1.0 cannot carry (C0/C1 controls, lone surrogates,
non-characters) are removed. Each change is recorded in the innermost active
:func:`sanitisation_report` so the reader can report it; writers never have to
re-sanitise. This module imports nothing outside the standard library.
"""

from __future__ import annotations

import contextlib
import contextvars
import unicodedata
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, fields, replace
from typing import TypeAlias

from briefpub._lazyre import lazy_re

__all__ = [
    "Block",
    "BlockPath",
    "BlockQuote",
    "BulletList",
    "Code",
    "Document",
    "Emphasis",
    "Figure",
    "Heading",
    "Image",
    "Inline",
    "LineBreak",
    "Link",
    "ListItem",
    "Meta",
    "OrderedList",
    "PackMeta",
    "PageBreak",
    "Paragraph",
    "Publication",
    "SanitisationFix",
    "Span",
    "Strong",
    "Table",
    "TableCell",
    "TableRow",
    "Text",
    "ThematicBreak",
    "block_inlines",
    "block_text",
    "document_words",
    "enumerate_blocks",
    "inline_text",
    "iter_blocks",
    "iter_inlines",
    "map_blocks",
    "map_inline_runs",
    "map_inlines",
    "reading_runs",
    "sanitisation_report",
    "sanitise",
]

# --------------------------------------------------------------------------
# Sanitisation
# --------------------------------------------------------------------------

# Characters XML 1.0 cannot carry, plus C1 controls and non-characters, which
# it can but which are never intended text. Tab/CR/LF are handled separately.
_INVALID = lazy_re(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufdd0-\ufdef\ufffe\uffff"
    "\U0001fffe\U0001ffff\U0002fffe\U0002ffff\U0003fffe\U0003ffff"
    "\U0010fffe\U0010ffff]"
)
# The same, for a quick check: the astral non-characters in a character class make a regex scan
# five times slower, and a page is scanned whole before parsing.
_INVALID_BMP = lazy_re("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufdd0-\ufdef\ufffe\uffff]")
_INVALID_ASCII = tuple(map(chr, (*range(0x09), 0x0B, 0x0C, *range(0x0E, 0x20), 0x7F)))  # those of _INVALID_BMP (tests)
_INVALID_ASTRAL = ("\U0001fffe", "\U0001ffff", "\U0002fffe", "\U0002ffff", "\U0003fffe", "\U0003ffff",
                   "\U0010fffe", "\U0010ffff")
_LINE_WHITESPACE = lazy_re("\r\n|[\r\n\t\v\f\x85\u2028\u2029]")


@dataclass(frozen=True, slots=True)
class SanitisationFix:
    """One change made to text at construction: which characters, and where."""

    removed: str
    context: str


_REPORT: contextvars.ContextVar[list[SanitisationFix] | None] = contextvars.ContextVar(
    "briefpub_sanitisation_report", default=None
)


@contextlib.contextmanager
def sanitisation_report() -> Iterator[list[SanitisationFix]]:
    """Collect every :class:`SanitisationFix` made while the block runs."""
    fixes: list[SanitisationFix] = []
    token = _REPORT.set(fixes)
    try:
        yield fixes
    finally:
        _REPORT.reset(token)


def sanitise(value: str, *, keep_newlines: bool = False) -> str:
    """Return ``value`` fit for every output format, recording what changed.

    NFC-normalises, removes XML-invalid characters and (unless
    ``keep_newlines``) turns line ends and tabs into single spaces.
    """
    if value.isprintable():  # no line end, tab, control, separator other than " ", or noncharacter
        return value if value.isascii() else unicodedata.normalize("NFC", value)
    if not keep_newlines:
        value = _LINE_WHITESPACE.sub(" ", value)
        if value.isprintable():  # only line ends or tabs made it unprintable: nothing invalid (no regex scan)
            return value if value.isascii() else unicodedata.normalize("NFC", value)
    if value.isascii():  # on a long text, a scan a character is faster than the regex
        invalid = any(c in value for c in _INVALID_ASCII) if len(value) > 1000 else bool(_INVALID_BMP.search(value))
    else:
        invalid = bool(_INVALID_BMP.search(value)) or any(c in value for c in _INVALID_ASTRAL)
    if invalid:
        removed = "".join(_INVALID.findall(value))
        clean = _INVALID.sub("", value)
        report = _REPORT.get()
        if report is not None:
            report.append(SanitisationFix(removed=removed, context=clean[:80]))
        value = clean
    if not value.isascii():
        value = unicodedata.normalize("NFC", value)
    return value


def _sanitise_fields(node: object) -> None:
    """Sanitise every ``str`` and ``tuple[str, ...]`` field of a dataclass node."""
    for f in fields(node):  # type: ignore[arg-type]
        current = getattr(node, f.name)
        if isinstance(current, str):
            clean = sanitise(current)
            if clean is not current:
                object.__setattr__(node, f.name, clean)
        elif isinstance(current, tuple) and current and isinstance(current[0], str):
            object.__setattr__(node, f.name, tuple(sanitise(s) for s in current))


# --------------------------------------------------------------------------
# Inlines
# --------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Text:
    """A run of plain text: the only leaf that carries words."""

    text: str

    def __post_init__(self) -> None:
        # _sanitise_fields for the commonest node, without walking its fields (a web page makes thousands)
        clean = sanitise(self.text) if isinstance(self.text, str) else self.text
        if clean is not self.text:
            object.__setattr__(self, "text", clean)


@dataclass(frozen=True, slots=True)
class Emphasis:
    """Emphasised (usually italic) inlines."""

    children: tuple[Inline, ...]


@dataclass(frozen=True, slots=True)
class Strong:
    """Strongly emphasised (usually bold) inlines."""

    children: tuple[Inline, ...]


@dataclass(frozen=True, slots=True)
class Code:
    """Inline code: monospaced text, never restyled or hyphenated."""

    children: tuple[Text, ...]

    @property
    def text(self) -> str:
        """The code's text."""
        return "".join(t.text for t in self.children)


@dataclass(frozen=True, slots=True)
class Link:
    """A hyperlink. ``url`` is kept as written; writers apply their own scheme policy."""

    url: str
    children: tuple[Inline, ...]
    title: str = ""

    def __post_init__(self) -> None:
        _sanitise_fields(self)


@dataclass(frozen=True, slots=True)
class LineBreak:
    """A hard line break inside a paragraph."""


@dataclass(frozen=True, slots=True)
class Image:
    """An image inside a run of text (a table cell, a line of a list item).

    ``src`` is a resource key like :attr:`Figure.image`; ``alt`` is its text
    alternative (kept in every format). A paragraph that is only an image is
    read as a :class:`Figure` instead.
    """

    src: str
    alt: str = ""
    title: str = ""

    def __post_init__(self) -> None:
        _sanitise_fields(self)


@dataclass(frozen=True, slots=True)
class Span:
    """Inlines in another language than the text around them (WCAG 3.1.2, language of parts).

    ``lang`` is a BCP 47 tag; writers mark the change of language (``lang`` in
    XHTML, ``w:lang`` in DOCX, ``/Lang`` in a tagged PDF) and pick fonts and
    hyphenation for it.
    """

    children: tuple[Inline, ...]
    lang: str = ""

    def __post_init__(self) -> None:
        _sanitise_fields(self)


Inline: TypeAlias = Text | Emphasis | Strong | Code | Link | LineBreak | Image | Span

# --------------------------------------------------------------------------
# Blocks
# --------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Heading:
    """A section heading, level 1 (highest) to 6. ``id`` is set by a transform."""

    level: int
    children: tuple[Inline, ...]
    id: str = ""

    def __post_init__(self) -> None:
        if not 1 <= self.level <= 6:
            raise ValueError(f"heading level must be 1..6, not {self.level}")
        _sanitise_fields(self)


@dataclass(frozen=True, slots=True)
class Paragraph:
    """A paragraph of inlines."""

    children: tuple[Inline, ...]


@dataclass(frozen=True, slots=True)
class Figure:
    """An image with caption and alt text; ``image`` may be empty (caption only).

    ``image`` is a resource key (a path as the article named it, resolved by the
    pipeline); writers receive the bytes through their options, never by reading
    files themselves.
    """

    caption: tuple[Inline, ...]
    image: str = ""
    alt: str = ""

    def __post_init__(self) -> None:
        _sanitise_fields(self)


@dataclass(frozen=True, slots=True)
class BlockQuote:
    """A quotation of blocks, with an optional attribution (who said it)."""

    blocks: tuple[Block, ...]
    attribution: tuple[Inline, ...] = ()


@dataclass(frozen=True, slots=True)
class ListItem:
    """One item of a list: blocks (usually a single paragraph, maybe a nested list)."""

    blocks: tuple[Block, ...]


@dataclass(frozen=True, slots=True)
class BulletList:
    """An unordered list."""

    items: tuple[ListItem, ...]


@dataclass(frozen=True, slots=True)
class OrderedList:
    """A numbered list starting at ``start``."""

    items: tuple[ListItem, ...]
    start: int = 1


@dataclass(frozen=True, slots=True)
class TableCell:
    """A table cell of inlines; ``align`` is ``""``, ``left``, ``center`` or ``right``."""

    children: tuple[Inline, ...]
    align: str = ""

    def __post_init__(self) -> None:
        if self.align not in ("", "left", "center", "right"):
            raise ValueError(f"bad cell alignment {self.align!r}")


@dataclass(frozen=True, slots=True)
class TableRow:
    """A table row."""

    cells: tuple[TableCell, ...]


@dataclass(frozen=True, slots=True)
class Table:
    """A table: header rows (repeated across pages where the format can) and body rows."""

    header: tuple[TableRow, ...]
    rows: tuple[TableRow, ...]
    caption: tuple[Inline, ...] = ()


@dataclass(frozen=True, slots=True)
class ThematicBreak:
    """A section break (a rule or ornament)."""


@dataclass(frozen=True, slots=True)
class PageBreak:
    """A forced page break (formats without pages ignore it)."""


Block: TypeAlias = (
    Heading
    | Paragraph
    | Figure
    | BlockQuote
    | BulletList
    | OrderedList
    | Table
    | ThematicBreak
    | PageBreak
)

# --------------------------------------------------------------------------
# Documents
# --------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Meta:
    """What is known about an article besides its body.

    ``date`` is the date as the article wrote it; ``date_iso`` its ISO 8601 form
    when it parses (never the build time). ``language`` is a BCP 47 tag, empty
    when unknown (the style sheet's default then applies, never the machine
    locale). ``marking`` is the protective marking, e.g. ``OFFICIAL``.
    ``extras`` holds any other metadata as sorted ``(key, value)`` pairs.
    """

    title: str = ""
    subtitle: str = ""
    authors: tuple[str, ...] = ()
    date: str = ""
    date_iso: str = ""
    source: str = ""
    url: str = ""
    language: str = ""
    marking: str = ""
    summary: tuple[str, ...] = ()
    keywords: tuple[str, ...] = ()
    retrieved: str = ""
    extras: tuple[tuple[str, str], ...] = ()

    def __post_init__(self) -> None:
        _sanitise_fields(self)
        if self.extras:
            clean = tuple(sorted((sanitise(k), sanitise(v)) for k, v in self.extras))
            object.__setattr__(self, "extras", clean)


@dataclass(frozen=True, slots=True)
class Document:
    """One article: its metadata and its body blocks."""

    meta: Meta = field(default_factory=Meta)
    blocks: tuple[Block, ...] = ()


@dataclass(frozen=True, slots=True)
class PackMeta:
    """Metadata of a briefing pack (several articles in one publication)."""

    title: str
    subtitle: str = ""
    date: str = ""
    compiled_by: str = ""
    reference: str = ""
    version: str = ""
    marking: str = ""
    language: str = ""
    summary_page: bool = False

    def __post_init__(self) -> None:
        _sanitise_fields(self)


@dataclass(frozen=True, slots=True)
class Publication:
    """What a writer lays out: one article (``pack is None``) or a pack of several."""

    documents: tuple[Document, ...]
    pack: PackMeta | None = None

    def __post_init__(self) -> None:
        if not self.documents:
            raise ValueError("a publication needs at least one document")
        if self.pack is None and len(self.documents) != 1:
            raise ValueError("several documents need pack metadata")

    @property
    def is_pack(self) -> bool:
        """True when this is a briefing pack rather than a single article."""
        return self.pack is not None

    @property
    def title(self) -> str:
        """The pack's title, or the single article's."""
        return self.pack.title if self.pack is not None else self.documents[0].meta.title


# --------------------------------------------------------------------------
# Plain-text views (used by writers for alt text, bookmarks, and by tests)
# --------------------------------------------------------------------------


def inline_text(inlines: tuple[Inline, ...]) -> str:
    """The plain text of a run of inlines (line breaks become spaces)."""
    parts: list[str] = []
    for node in inlines:
        match node:
            case Text(text=t):
                parts.append(t)
            case Emphasis(children=c) | Strong(children=c) | Link(children=c) | Span(children=c):
                parts.append(inline_text(c))
            case Code():
                parts.append(node.text)
            case LineBreak():
                parts.append(" ")
            case Image():
                pass  # its alt text is an attribute of the image, not running text
    return "".join(parts)


def block_text(block: Block) -> Iterator[str]:
    """Yield the plain text of a block and of the blocks inside it, in reading order."""
    for run in reading_runs((block,)):
        yield inline_text(run)


def document_words(doc: Document, *, include_meta: bool = True) -> list[str]:
    """Every word of the document in reading order (title first), for fidelity checks."""
    parts: list[str] = []
    if include_meta:
        parts.append(doc.meta.title)
    parts.extend(inline_text(run) for run in reading_runs(doc.blocks))
    return " ".join(parts).split()


# --------------------------------------------------------------------------
# Traversal: the one walk every consumer uses (in the spirit of pandoc's walk/query)
# --------------------------------------------------------------------------

#: Where a block sits: indexes from the document's top level down through
#: containers. A block quote's blocks add one index; a list adds two (item,
#: block within the item). ``(3,)`` is the fourth top-level block, ``(3, 1, 0)``
#: the first block of the second item of a list at the top level.
BlockPath: TypeAlias = tuple[int, ...]


def _children(block: Block) -> Iterator[tuple[BlockPath, Block]]:
    match block:
        case BlockQuote(blocks=inner):
            for i, child in enumerate(inner):
                yield (i,), child
        case BulletList(items=items) | OrderedList(items=items):
            for i, item in enumerate(items):
                for j, child in enumerate(item.blocks):
                    yield (i, j), child
        case _:
            return


def enumerate_blocks(blocks: tuple[Block, ...], prefix: BlockPath = ()) -> Iterator[tuple[BlockPath, Block]]:
    """Every block with its :data:`BlockPath`, in reading (pre-)order, entering quotes and list items."""
    for i, block in enumerate(blocks):
        yield from _enumerate_one(block, (*prefix, i))


def _enumerate_one(block: Block, path: BlockPath) -> Iterator[tuple[BlockPath, Block]]:
    yield path, block
    for sub, child in _children(block):
        yield from _enumerate_one(child, (*path, *sub))


def iter_blocks(blocks: tuple[Block, ...]) -> Iterator[Block]:
    """Every block in reading order, containers before their contents (quotes and list items entered)."""
    for _path, block in enumerate_blocks(blocks):
        yield block


def block_inlines(block: Block) -> Iterator[tuple[Inline, ...]]:
    """The runs of inlines a block holds itself (not those of nested blocks), in reading order."""
    match block:
        case Heading(children=c) | Paragraph(children=c):
            yield c
        case Figure(caption=c):
            yield c
        case BlockQuote(attribution=a):
            if a:
                yield a
        case Table(header=h, rows=r, caption=cap):
            if cap:
                yield cap
            for row in (*h, *r):
                for cell in row.cells:
                    yield cell.children
        case BulletList() | OrderedList() | ThematicBreak() | PageBreak():
            return


def reading_runs(blocks: tuple[Block, ...]) -> Iterator[tuple[Inline, ...]]:
    """Every run of inlines of ``blocks`` in reading order (a quote's attribution after its blocks)."""
    for block in blocks:
        match block:
            case BlockQuote(blocks=inner, attribution=a):
                yield from reading_runs(inner)
                if a:
                    yield a
            case BulletList(items=items) | OrderedList(items=items):
                for item in items:
                    yield from reading_runs(item.blocks)
            case _:
                yield from block_inlines(block)


def _inline_nodes(inlines: tuple[Inline, ...]) -> Iterator[Inline]:
    for node in inlines:
        yield node
        match node:
            case Emphasis(children=c) | Strong(children=c) | Link(children=c) | Span(children=c):
                yield from _inline_nodes(c)
            case Code(children=c):
                yield from c
            case _:
                pass


def iter_inlines(blocks: tuple[Block, ...]) -> Iterator[Inline]:
    """Every inline node of every block (captions, cells and attributions included), outer before inner."""
    for run in reading_runs(blocks):
        yield from _inline_nodes(run)


def _map_inline_run(inlines: tuple[Inline, ...], fn: Callable[[Inline], Inline]) -> tuple[Inline, ...]:
    out: list[Inline] = []
    changed = False
    for node in inlines:
        new = _map_inline(node, fn)
        changed = changed or new is not node
        out.append(new)
    return tuple(out) if changed else inlines


def _map_inline(node: Inline, fn: Callable[[Inline], Inline]) -> Inline:
    match node:
        case Emphasis(children=c) | Strong(children=c) | Link(children=c) | Span(children=c):
            children = _map_inline_run(c, fn)
            if children is not c:
                node = replace(node, children=children)
        case Code(children=c):
            texts = tuple(fn(t) for t in c)
            if any(new is not old for new, old in zip(texts, c, strict=True)):
                node = replace(node, children=tuple(t for t in texts if isinstance(t, Text)))
        case _:
            pass
    return fn(node)


def _map_block(block: Block, fn: Callable[[Block], Block]) -> Block:
    match block:
        case BlockQuote(blocks=inner):
            mapped = map_blocks(inner, fn)
            if mapped is not inner:
                block = replace(block, blocks=mapped)
        case BulletList(items=items) | OrderedList(items=items):
            new_items = tuple(
                item if (b := map_blocks(item.blocks, fn)) is item.blocks else ListItem(b) for item in items
            )
            if any(new is not old for new, old in zip(new_items, items, strict=True)):
                block = replace(block, items=new_items)
        case _:
            pass
    return fn(block)


def map_blocks(blocks: tuple[Block, ...], fn: Callable[[Block], Block]) -> tuple[Block, ...]:
    """``blocks`` rebuilt bottom-up: every block (nested ones first) replaced by ``fn(block)``.

    Unchanged subtrees are returned as the same objects, so a walk that changes
    nothing costs no allocation beyond the traversal.
    """
    out = tuple(_map_block(b, fn) for b in blocks)
    return blocks if all(new is old for new, old in zip(out, blocks, strict=True)) else out


def _with_inlines(block: Block, fn: Callable[[Inline], Inline]) -> Block:
    return _with_runs(block, lambda inlines: _map_inline_run(inlines, fn))


def _with_runs(block: Block, run: Callable[[tuple[Inline, ...]], tuple[Inline, ...]]) -> Block:
    match block:
        case Heading(children=c) | Paragraph(children=c):
            new = run(c)
            return block if new is c else replace(block, children=new)
        case Figure(caption=c):
            new = run(c)
            return block if new is c else replace(block, caption=new)
        case BlockQuote(attribution=a):
            new = run(a)
            return block if new is a else replace(block, attribution=new)
        case Table(header=h, rows=r, caption=cap):

            def rows(rs: tuple[TableRow, ...]) -> tuple[TableRow, ...]:
                out = tuple(
                    TableRow(tuple(
                        cell if (nc := run(cell.children)) is cell.children else replace(cell, children=nc)
                        for cell in row.cells
                    ))
                    for row in rs
                )
                return rs if all(
                    all(a is b for a, b in zip(n.cells, o.cells, strict=True)) for n, o in zip(out, rs, strict=True)
                ) else out

            new_cap, new_h, new_r = run(cap), rows(h), rows(r)
            if new_cap is cap and new_h is h and new_r is r:
                return block
            return replace(block, caption=new_cap, header=new_h, rows=new_r)
        case BulletList() | OrderedList() | ThematicBreak() | PageBreak():
            return block


def map_inlines(blocks: tuple[Block, ...], fn: Callable[[Inline], Inline]) -> tuple[Block, ...]:
    """``blocks`` with every inline (in paragraphs, headings, captions, cells, attributions) rebuilt
    bottom-up through ``fn``."""
    return map_blocks(blocks, lambda block: _with_inlines(block, fn))


def map_inline_runs(
    blocks: tuple[Block, ...], fn: Callable[[tuple[Inline, ...]], tuple[Inline, ...]]
) -> tuple[Block, ...]:
    """``blocks`` with every run of inlines a block holds (see :func:`block_inlines`) replaced by ``fn(run)``;
    ``fn`` returns its argument to leave a run unchanged (it may splice nodes in or out)."""
    return map_blocks(blocks, lambda block: _with_runs(block, fn))
