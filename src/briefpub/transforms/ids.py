"""Heading ids: stable, unique, readable anchors, assigned once (transform stage).

Every heading gets an id here and nowhere else; writers only consume them
(the frame prefixes them per article in a pack). Ids are ASCII slugs of the
heading's own id or text (``[a-z][a-z0-9-]*``, at most 32 characters, so that
every format can use them: XHTML ids, Word bookmark names, PDF destinations),
unique within the article the way pandoc and GitHub number repeats
(``background``, ``background-1``, ``background-2``), and never one of the
frame's own anchors (:data:`RESERVED_IDS`).

Internal links are rewritten in the same pass: a ``#fragment`` naming a
heading's original id, or the slug of one, is pointed at that heading's final
id, so ``[see](#background-1)`` in Markdown and ``<a href="#Background">`` in
HTML reach the right heading in every format.
"""

from __future__ import annotations

import dataclasses
import unicodedata

from briefpub._lazyre import lazy_re
from briefpub.tree import Block, Document, Heading, Inline, Link, inline_text, iter_blocks, map_blocks, map_inlines

__all__ = ["MAX_ID_LENGTH", "RESERVED_IDS", "assign_heading_ids", "slug"]

_NON_ID = lazy_re(r"[^a-z0-9]+")
#: Longest heading id (a pack's ``a123-`` prefix and Word's 40-character bookmark limit leave room).
MAX_ID_LENGTH = 32
#: Anchors the writers' frame uses itself (title, cover, contents...): never a heading's id.
RESERVED_IDS = frozenset({"article", "cover", "contents", "summary", "key-points", "source", "title"})


def slug(text: str, fallback: str = "section") -> str:
    """An ASCII id for ``text``: letters/digits joined by hyphens, starting with a letter."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    value = _NON_ID.sub("-", ascii_text.lower()).strip("-")[:MAX_ID_LENGTH].rstrip("-")
    if not value or not value[0].isalpha():
        value = f"{fallback}-{value}" if value else fallback
        value = value[:MAX_ID_LENGTH].rstrip("-")
    return value


def assign_heading_ids(doc: Document) -> Document:
    """Give every heading a unique slug id and point ``#fragment`` links at the headings' final ids."""
    used: set[str] = set(RESERVED_IDS)
    seen: dict[str, int] = {}
    aliases: dict[str, str] = {}

    def unique(base: str) -> str:
        count = seen.get(base, 0)
        while True:
            suffix = f"-{count}" if count else ""
            candidate = base[: MAX_ID_LENGTH - len(suffix)].rstrip("-") + suffix
            count += 1
            if candidate not in used:
                seen[base] = count
                used.add(candidate)
                return candidate

    # Headings never contain blocks, so their order is the same in every traversal order.
    ids: list[str] = []
    for block in iter_blocks(doc.blocks):
        if isinstance(block, Heading):
            base = slug(block.id or inline_text(block.children))
            ident = unique(base)
            ids.append(ident)
            for alias in (block.id, ident, base):
                if alias:
                    aliases.setdefault(alias, ident)
    if not ids:
        return doc

    def retarget(node: Inline) -> Inline:
        if isinstance(node, Link):
            url = node.url.strip()
            if url.startswith("#") and len(url) > 1:
                fragment = url[1:]
                target = aliases.get(fragment) or aliases.get(slug(fragment))
                if target is not None and target != fragment:
                    return dataclasses.replace(node, url=f"#{target}")
        return node

    remaining = iter(ids)

    def set_id(block: Block) -> Block:
        if isinstance(block, Heading):
            ident = next(remaining)
            if ident != block.id:
                return dataclasses.replace(block, id=ident)
        return block

    return dataclasses.replace(doc, blocks=map_blocks(map_inlines(doc.blocks, retarget), set_id))
