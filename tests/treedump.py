"""A stable, readable text dump of a document tree, for golden reader cases."""

from __future__ import annotations

from typing import assert_never

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
    OrderedList,
    PageBreak,
    Paragraph,
    Strong,
    Table,
    Text,
    ThematicBreak,
)


def inl(nodes: tuple[Inline, ...]) -> str:
    out: list[str] = []
    for n in nodes:
        match n:
            case Text():
                out.append(n.text)
            case Emphasis():
                out.append(f"*{inl(n.children)}*")
            case Strong():
                out.append(f"**{inl(n.children)}**")
            case Code():
                out.append(f"`{n.text}`")
            case Link():
                out.append(f"[{inl(n.children)}]({n.url})")
            case LineBreak():
                out.append("\\n")
            case _:
                assert_never(n)
    return "".join(out)


def dump_block(b: Block, indent: str = "") -> list[str]:
    match b:
        case Heading():
            return [f"{indent}h{b.level}: {inl(b.children)}"]
        case Paragraph():
            return [f"{indent}p: {inl(b.children)}"]
        case Figure():
            extra = "".join(f" [{k}={v}]" for k, v in (("image", b.image), ("alt", b.alt)) if v)
            return [f"{indent}figure: {inl(b.caption)}{extra}"]
        case BlockQuote():
            lines = [f"{indent}quote:"]
            for inner in b.blocks:
                lines += dump_block(inner, indent + "  ")
            if b.attribution:
                lines.append(f"{indent}  -- {inl(b.attribution)}")
            return lines
        case BulletList() | OrderedList():
            head = "ul:" if isinstance(b, BulletList) else f"ol({b.start}):"
            lines = [indent + head]
            for item in b.items:
                sub = [x for inner in item.blocks for x in dump_block(inner, indent + "    ")]
                lines.append(indent + "  - " + sub[0].strip().removeprefix("p: "))
                lines += sub[1:]
            return lines
        case Table():
            lines = [f"{indent}table: {inl(b.caption)}".rstrip()]
            for row in b.header:
                lines.append(indent + "  th: " + " | ".join(inl(c.children) for c in row.cells))
            for row in b.rows:
                lines.append(indent + "  td: " + " | ".join(inl(c.children) for c in row.cells))
            return lines
        case ThematicBreak():
            return [f"{indent}hr"]
        case PageBreak():
            return [f"{indent}pagebreak"]
        case _:
            assert_never(b)


def dump(doc: Document) -> str:
    m = doc.meta
    lines = [f"title: {m.title}"]
    for key in ("subtitle", "date", "date_iso", "source", "url", "language", "marking", "retrieved"):
        value = getattr(m, key)
        if value:
            lines.append(f"{key}: {value}")
    for key in ("authors", "summary", "keywords"):
        value = getattr(m, key)
        if value:
            lines.append(f"{key}: " + "; ".join(value))
    for block in doc.blocks:
        lines += dump_block(block)
    return "\n".join(lines)
