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
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field, fields
from typing import TypeAlias

__all__ = [
    "Block",
    "BlockQuote",
    "BulletList",
    "Code",
    "Document",
    "Emphasis",
    "Figure",
    "Heading",
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
    "Strong",
    "Table",
    "TableCell",
    "TableRow",
    "Text",
    "ThematicBreak",
    "block_text",
    "document_words",
    "inline_text",
    "sanitisation_report",
    "sanitise",
]

# --------------------------------------------------------------------------
# Sanitisation
# --------------------------------------------------------------------------

# Characters XML 1.0 cannot carry, plus C1 controls and non-characters, which
# it can but which are never intended text. Tab/CR/LF are handled separately.
_INVALID = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufdd0-\ufdef\ufffe\uffff"
    "\U0001fffe\U0001ffff\U0002fffe\U0002ffff\U0003fffe\U0003ffff"
    "\U0010fffe\U0010ffff]"
)
_LINE_WHITESPACE = re.compile("\r\n|[\r\n\t\v\f\x85\u2028\u2029]")


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
    if value.isascii() and value.isprintable():
        return value
    if not keep_newlines:
        value = _LINE_WHITESPACE.sub(" ", value)
    if _INVALID.search(value):
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
        _sanitise_fields(self)


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


Inline: TypeAlias = Text | Emphasis | Strong | Code | Link | LineBreak

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
            case Emphasis(children=c) | Strong(children=c) | Link(children=c):
                parts.append(inline_text(c))
            case Code():
                parts.append(node.text)
            case LineBreak():
                parts.append(" ")
    return "".join(parts)


def block_text(block: Block) -> Iterator[str]:
    """Yield the plain text of a block's parts in reading order."""
    match block:
        case Heading(children=c) | Paragraph(children=c):
            yield inline_text(c)
        case Figure(caption=c):
            yield inline_text(c)
        case BlockQuote(blocks=bs, attribution=a):
            for b in bs:
                yield from block_text(b)
            if a:
                yield inline_text(a)
        case BulletList(items=items) | OrderedList(items=items):
            for item in items:
                for b in item.blocks:
                    yield from block_text(b)
        case Table(header=h, rows=r, caption=cap):
            if cap:
                yield inline_text(cap)
            for row in (*h, *r):
                for cell in row.cells:
                    yield inline_text(cell.children)
        case ThematicBreak() | PageBreak():
            return


def document_words(doc: Document, *, include_meta: bool = True) -> list[str]:
    """Every word of the document in reading order (title first), for fidelity checks."""
    parts: list[str] = []
    if include_meta:
        parts.append(doc.meta.title)
    for block in doc.blocks:
        parts.extend(block_text(block))
    return " ".join(parts).split()
