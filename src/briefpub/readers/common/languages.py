"""Language of parts (WCAG 3.1.2): which declared languages become spans (reader stage, shared).

An HTML ``lang`` (or ``xml:lang``) attribute, a Markdown inline ``<span
lang=..>`` or a bracketed span ``[text]{lang=..}`` names the language of a part
of the text. It becomes a :class:`~briefpub.tree.Span` when it is a well-formed
BCP 47 tag (:func:`briefpub.language.valid_tag`, ``_`` read as ``-``) and
differs from the language around it: the document's, or an enclosing part's.
A tag does not differ from a more or less specific form of itself (``en`` and
``en-US``; ``en-GB`` inside ``en``), only from another language or another
region (``en-GB`` inside ``en-US``). An empty value declares nothing; a
malformed one is reported by the reader and ignored.
"""

from __future__ import annotations

from dataclasses import replace

from briefpub.language import normalise_tag, valid_tag
from briefpub.tree import (
    Block,
    BlockQuote,
    Figure,
    Heading,
    Inline,
    Paragraph,
    Span,
    Table,
    TableCell,
    TableRow,
    map_blocks,
)


def declared_language(value: str) -> str | None:
    """The tag a ``lang`` value declares (``""`` for none), or None when it is not BCP 47."""
    tag = normalise_tag(value)
    if not tag:
        return ""
    return tag if valid_tag(tag) else None


def differs(tag: str, around: str) -> bool:
    """True when text in ``tag`` inside text in ``around`` is a change of language worth marking."""
    if not tag:
        return False
    if not around:
        return True
    inner, outer = tag.lower().split("-"), around.lower().split("-")
    shorter = min(len(inner), len(outer))
    return inner[:shorter] != outer[:shorter]


def in_language(inlines: tuple[Inline, ...], lang: str) -> tuple[Inline, ...]:
    """``inlines`` as one span in ``lang`` (nothing when they are empty)."""
    return (Span(inlines, lang),) if inlines and lang else inlines


def blocks_in_language(blocks: list[Block], lang: str) -> list[Block]:
    """``blocks`` with every run of inlines they hold (nested blocks' too) as a span in ``lang``."""
    if not lang:
        return blocks

    def run(inlines: tuple[Inline, ...]) -> tuple[Inline, ...]:
        if len(inlines) == 1 and isinstance(inlines[0], Span):
            return inlines  # already wholly in a language of its own
        return in_language(inlines, lang)

    def rows(rs: tuple[TableRow, ...]) -> tuple[TableRow, ...]:
        return tuple(TableRow(tuple(TableCell(run(c.children), c.align) for c in r.cells)) for r in rs)

    def wrap(block: Block) -> Block:
        match block:
            case Heading() | Paragraph():
                return replace(block, children=run(block.children))
            case Figure():
                return replace(block, caption=run(block.caption))
            case BlockQuote():
                return replace(block, attribution=run(block.attribution))
            case Table():
                return Table(rows(block.header), rows(block.rows), run(block.caption))
            case _:
                return block

    return list(map_blocks(tuple(blocks), wrap))
