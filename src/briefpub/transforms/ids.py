"""Heading ids: stable, unique, readable anchors for links and bookmarks (transform stage)."""

from __future__ import annotations

import dataclasses
import re
import unicodedata

from briefpub.tree import Block, BlockQuote, Document, Heading, inline_text

_NON_ID = re.compile(r"[^a-z0-9]+")


def slug(text: str, fallback: str = "section") -> str:
    """An ASCII id for ``text``: letters/digits joined by hyphens, starting with a letter."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    value = _NON_ID.sub("-", ascii_text.lower()).strip("-")[:60].rstrip("-")
    if not value or not value[0].isalpha():
        value = f"{fallback}-{value}" if value else fallback
    return value


def assign_heading_ids(doc: Document) -> Document:
    """Give headings without an id a slug of their text; make every id unique."""
    seen: dict[str, int] = {}

    def unique(base: str) -> str:
        count = seen.get(base, 0)
        seen[base] = count + 1
        return base if count == 0 else f"{base}-{count + 1}"

    def visit(block: Block) -> Block:
        match block:
            case Heading():
                base = slug(block.id or inline_text(block.children))
                return dataclasses.replace(block, id=unique(base))
            case BlockQuote():
                return dataclasses.replace(block, blocks=tuple(visit(b) for b in block.blocks))
            case _:
                return block

    return dataclasses.replace(doc, blocks=tuple(visit(b) for b in doc.blocks))
