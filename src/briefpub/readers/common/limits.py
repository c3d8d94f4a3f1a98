"""Limits every reader applies, so that no input costs more than linear work (reader stage, shared).

Deeper structure is flattened rather than lost: its text is kept and the
flattening is reported (:data:`MAX_BLOCK_DEPTH`, :data:`MAX_INLINE_DEPTH`).

Sizes are bounded in :func:`briefpub.readers.read_bytes`, one place for every
reader (built-in or plugin), see ``docs/cli.md``, "Limits":

* before reading, an input of more than :data:`MAX_LINES` lines is refused
  (:func:`check_lines`): it bounds the parsers' work and memory (markdown-it
  keeps about 2 KB per block) before the exact count below can be made;
* a link address or an image reference longer than :data:`MAX_URL_CHARS` is
  dropped, the link's text and the image's alternative text kept, and reported
  (:func:`drop_long_urls`);
* then a document with more than :data:`MAX_BLOCKS` blocks, a block of more
  than :data:`MAX_BLOCK_CHARS` characters (its text, and its link addresses,
  titles and alternative texts: every character a writer has to carry), or a
  metadata value that long, or a title of more than :data:`MAX_TITLE_CHARS`, is refused
  (:func:`check_document`). A pack's title (:func:`check_title`) and its articles' blocks
  in all (:data:`MAX_PACK_BLOCKS`) are bounded by :mod:`briefpub.pipeline.pack`.

The HTML reader also considers at most :data:`MAX_ATTRIBUTES` attributes of an
element and refuses a page of more than :data:`MAX_HTML_ELEMENTS` elements
(:mod:`briefpub.readers.html._parse`).
"""

from __future__ import annotations

from dataclasses import fields, replace

from briefpub.diagnostics import Diagnostic, excerpt
from briefpub.errors import InputError
from briefpub.tree import (
    Block,
    BulletList,
    Document,
    Emphasis,
    Figure,
    Heading,
    Image,
    Inline,
    Link,
    Meta,
    OrderedList,
    Paragraph,
    Span,
    Strong,
    Table,
    Text,
    iter_blocks,
    iter_inlines,
    map_blocks,
    map_inline_runs,
)

__all__ = [
    "MAX_ATTRIBUTES",
    "MAX_BLOCKS",
    "MAX_BLOCK_CHARS",
    "MAX_BLOCK_DEPTH",
    "MAX_HTML_ELEMENTS",
    "MAX_INLINE_DEPTH",
    "MAX_LINES",
    "MAX_PACK_BLOCKS",
    "MAX_TITLE_CHARS",
    "MAX_URL_CHARS",
    "block_count",
    "block_size",
    "check_document",
    "check_lines",
    "check_title",
    "drop_long_urls",
]

#: Quotations and lists nested deeper than this are flattened into their parent.
MAX_BLOCK_DEPTH = 10
#: Inline formatting (emphasis in emphasis...) deeper than this is dropped, text kept.
MAX_INLINE_DEPTH = 10
#: A paragraph (or any block's text) longer than this is refused: it is data, not an
#: article, and laying it out would tie up the PDF engine.
MAX_BLOCK_CHARS = 100_000
#: A title longer than this is refused: real headlines are under 300 characters, and the
#: PDF sets a title on its first page (100,000 characters make its layout run away).
MAX_TITLE_CHARS = 10_000
#: More blocks than this (paragraphs, headings, list items, table rows... nested ones
#: included) are refused: the longest real pages have about a thousand.
MAX_BLOCKS = 20_000
#: A pack whose articles hold more blocks than this in all is refused (200 long articles).
MAX_PACK_BLOCKS = 100_000
#: An input of more lines than this is refused before it is parsed (the longest real
#: pages have under 10,000).
MAX_LINES = 100_000
#: A link address or image reference longer than this is dropped (browsers' practical
#: limits are 2,000 to 64,000 characters; real addresses are under 2,000).
MAX_URL_CHARS = 8_192
#: The HTML reader considers this many attributes of an element (real pages: under 100).
MAX_ATTRIBUTES = 1_000
#: A web page of more elements than this is refused (real pages: under 10,000).
MAX_HTML_ELEMENTS = 100_000


def check_lines(data: bytes, source: str) -> None:
    """Refuse an input of more than :data:`MAX_LINES` lines, before any parser sees it."""
    lines = max(data.count(b"\n"), data.count(b"\r"))
    if lines > MAX_LINES:
        raise InputError(
            f"{source}: {lines:,} lines (the limit is {MAX_LINES:,}): this does not look like an article"
        )


def _unlink(run: tuple[Inline, ...], dropped: list[str]) -> tuple[Inline, ...]:
    """``run`` without the links and images whose address is too long (their text kept)."""
    out: list[Inline] = []
    changed = False
    for node in run:
        match node:
            case Link(url=url, children=children) if len(url) > MAX_URL_CHARS:
                dropped.append(url)
                out.extend(_unlink(children, dropped))
                changed = True
                continue
            case Image(src=src, alt=alt) if len(src) > MAX_URL_CHARS:
                dropped.append(src)
                if alt:
                    out.append(Text(alt))
                changed = True
                continue
            case Link(children=children) | Emphasis(children=children) | Strong(children=children) | Span(
                children=children
            ):
                new = _unlink(children, dropped)
                if new is not children:
                    node = replace(node, children=new)
                    changed = True
            case _:
                pass
        out.append(node)
    return tuple(out) if changed else run


def _long_reference(node: Inline | Block) -> bool:
    match node:
        case Link(url=ref) | Image(src=ref) | Figure(image=ref):
            return len(ref) > MAX_URL_CHARS
        case _:
            return False


def drop_long_urls(doc: Document, source: str) -> tuple[Document, list[Diagnostic]]:
    """``doc`` without link addresses and image references longer than :data:`MAX_URL_CHARS`: a link
    keeps its text, an image its alternative text, a figure its caption; each is reported."""
    if not any(map(_long_reference, iter_inlines(doc.blocks))) and not any(
        map(_long_reference, iter_blocks(doc.blocks))
    ) and len(doc.meta.url) <= MAX_URL_CHARS:
        return doc, []
    dropped: list[str] = []

    def figure(block: Block) -> Block:
        if isinstance(block, Figure) and len(block.image) > MAX_URL_CHARS:
            dropped.append(block.image)
            return replace(block, image="")
        return block

    blocks = map_inline_runs(doc.blocks, lambda run: _unlink(run, dropped))
    blocks = map_blocks(blocks, figure)
    meta = doc.meta
    diagnostics = [
        Diagnostic(
            "reader.unsupported",
            f"a link address or image reference of {len(ref):,} characters (the limit is {MAX_URL_CHARS:,}) "
            "was dropped; its text was kept",
            excerpt(ref),
            source,
        )
        for ref in dropped
    ]
    if len(meta.url) > MAX_URL_CHARS:
        diagnostics.append(Diagnostic(
            "reader.metadata",
            f"the article's address has {len(meta.url):,} characters (the limit is {MAX_URL_CHARS:,}); not kept",
            excerpt(meta.url),
            source,
        ))
        meta = replace(meta, url="")
    return Document(meta, blocks), diagnostics


def block_size(block: Block) -> int:
    """The characters a block makes a writer carry: its text (nested blocks' included), its link
    addresses and titles, its images' references, alternative texts and titles, and one for every
    inline element and table cell (so that empty ones count too)."""
    if isinstance(block, (Paragraph, Heading)):  # plain text, the commonest block: no walks
        texts = [n.text for n in block.children if isinstance(n, Text)]
        if len(texts) == len(block.children):
            return sum(map(len, texts))
    size = 0
    for node in iter_inlines((block,)):
        match node:
            case Text(text=text):
                size += len(text)
            case Link(url=url, title=title):
                size += 1 + len(url) + len(title)
            case Image(src=src, alt=alt, title=title):
                size += 1 + len(src) + len(alt) + len(title)
            case _:
                size += 1
    for inner in iter_blocks((block,)):
        match inner:
            case Figure(image=image, alt=alt):
                size += len(image) + len(alt)
            case Table(header=header, rows=rows):
                size += sum(len(row.cells) for row in (*header, *rows))
            case _:
                pass
    return size


def block_count(doc: Document) -> int:
    """The number of blocks, nested ones included, each list item and table row counting as one."""
    count = 0
    for block in iter_blocks(doc.blocks):
        count += 1
        match block:
            case BulletList(items=items) | OrderedList(items=items):
                count += len(items)
            case Table(header=header, rows=rows):
                count += len(header) + len(rows)
            case _:
                pass
    return count


def _meta_values(meta: Meta) -> list[tuple[str, str]]:
    values: list[tuple[str, str]] = []
    for f in fields(meta):
        value = getattr(meta, f.name)
        if isinstance(value, str):
            values.append((f.name, value))
        elif isinstance(value, tuple):
            for item in value:
                values.extend((f.name, part) for part in (item if isinstance(item, tuple) else (item,)))
    return values


_KINDS = {"Paragraph": "paragraph", "Heading": "heading", "BulletList": "list", "OrderedList": "list",
          "Table": "table", "BlockQuote": "quotation", "Figure": "figure"}


def check_document(doc: Document, source: str) -> None:
    """Refuse a document with too many blocks, a block too large or a metadata value that long."""
    count = block_count(doc)
    if count > MAX_BLOCKS:
        raise InputError(
            f"{source}: {count:,} blocks (paragraphs, headings, list items, table rows...; the limit is "
            f"{MAX_BLOCKS:,}): this does not look like an article"
        )
    for block in doc.blocks:
        size = block_size(block)
        if size > MAX_BLOCK_CHARS:
            raise InputError(
                f"{source}: a single {_KINDS.get(type(block).__name__, 'block')} of {size:,} characters (the "
                f"limit is {MAX_BLOCK_CHARS:,}): this does not look like an article"
            )
    check_title(doc.meta.title, source)
    for name, value in _meta_values(doc.meta):
        if len(value) > MAX_BLOCK_CHARS:
            raise InputError(
                f"{source}: a metadata value ({name}) of {len(value):,} characters: this does not look like an article"
            )


def check_title(title: str, where: str) -> None:
    """Refuse a title of more than :data:`MAX_TITLE_CHARS` characters (``where`` names its origin)."""
    if len(title) > MAX_TITLE_CHARS:
        raise InputError(
            f"{where}: a title of {len(title):,} characters (the limit is {MAX_TITLE_CHARS:,}): "
            "this does not look like a headline"
        )
