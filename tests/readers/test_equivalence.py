"""The same article as .txt, .md and .html gives equivalent trees (fixtures/equivalence/).

The trees are compared after removing, explicitly, what the plain-text grammar
cannot express (``DIFFERENCES``). Each difference is also asserted to exist, so
the list stays accurate: if a reader changes, either the equality or the list fails.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from briefpub.readers import read_path
from briefpub.tree import (
    Block,
    BlockQuote,
    BulletList,
    Document,
    Emphasis,
    Figure,
    Heading,
    Inline,
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
    document_words,
    inline_text,
)
from shared_data import REFERENCE, require_shared

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "fixtures" / "equivalence"

#: What plain text cannot say, and so is ignored when comparing the three trees.
DIFFERENCES = {
    "figure-image": "plain text cannot name an image file: its figures are captions only (no image, no alt text)",
    "inline-formatting": "plain text has no emphasis, strong or named links (only bare URLs become links)",
    "page-metadata": "a web page also states its site name, canonical URL and language in its head",
}


def _plain(inlines: tuple[Inline, ...]) -> tuple[Inline, ...]:
    text = inline_text(inlines)
    return (Text(text),) if text else ()


def _normalise_block(block: Block) -> Block:
    match block:
        case Figure():
            return Figure(caption=_plain(block.caption))  # figure-image, inline-formatting
        case Heading():
            return Heading(block.level, _plain(block.children))
        case Paragraph():
            return Paragraph(_plain(block.children))
        case BlockQuote():
            return BlockQuote(tuple(_normalise_block(b) for b in block.blocks), _plain(block.attribution))
        case BulletList():
            return BulletList(tuple(ListItem(tuple(_normalise_block(b) for b in i.blocks)) for i in block.items))
        case OrderedList():
            items = tuple(ListItem(tuple(_normalise_block(b) for b in i.blocks)) for i in block.items)
            return OrderedList(items, block.start)
        case Table():
            rows = tuple(TableRow(tuple(TableCell(_plain(c.children)) for c in r.cells)) for r in block.rows)
            return Table((), rows)
        case _:
            return block


def normalise(doc: Document) -> Document:
    """``doc`` without what :data:`DIFFERENCES` lists."""
    m = doc.meta
    # page-metadata: only what all three forms can state
    meta = Meta(title=m.title, subtitle=m.subtitle, authors=m.authors, date=m.date, date_iso=m.date_iso)
    return Document(meta, tuple(_normalise_block(b) for b in doc.blocks))


@pytest.fixture(scope="module")
def trees() -> dict[str, Document]:
    return {ext: read_path(FIXTURES / f"article.{ext}").document for ext in ("txt", "md", "html")}


def test_markdown_equals_text_modulo_differences(trees: dict[str, Document]) -> None:
    assert normalise(trees["md"]) == normalise(trees["txt"])


def test_html_equals_text_modulo_differences(trees: dict[str, Document]) -> None:
    assert normalise(trees["html"]) == normalise(trees["txt"])


def test_same_words_in_the_same_order(trees: dict[str, Document]) -> None:
    assert document_words(trees["md"]) == document_words(trees["txt"]) == document_words(trees["html"])


def _inline_kinds(doc: Document) -> set[type]:
    found: set[type] = set()

    def walk(nodes: tuple[Inline, ...]) -> None:
        for node in nodes:
            found.add(type(node))
            if isinstance(node, Emphasis | Strong | Link):
                walk(node.children)

    def blocks(bs: tuple[Block, ...]) -> None:
        for b in bs:
            if isinstance(b, Paragraph | Heading):
                walk(b.children)
            elif isinstance(b, BlockQuote):
                blocks(b.blocks)
            elif isinstance(b, BulletList | OrderedList):
                for item in b.items:
                    blocks(item.blocks)

    blocks(doc.blocks)
    return found


@pytest.mark.parametrize("difference", sorted(DIFFERENCES))
def test_each_listed_difference_is_real(trees: dict[str, Document], difference: str) -> None:
    txt, md, html = trees["txt"], trees["md"], trees["html"]
    if difference == "figure-image":
        figs = [next(b for b in d.blocks if isinstance(b, Figure)) for d in (txt, md, html)]
        assert not figs[0].image and not figs[0].alt
        assert figs[1].image == "images/turbines.jpg" and figs[2].image == "article_files/turbines.jpg"
        assert figs[1].alt == figs[2].alt == inline_text(figs[0].caption)
    elif difference == "inline-formatting":
        assert _inline_kinds(txt) == {Text}
        assert {Emphasis, Strong, Link} <= _inline_kinds(md) == _inline_kinds(html)
    elif difference == "page-metadata":
        assert (html.meta.source, html.meta.language) == ("Island Chronicle", "en-GB")
        assert html.meta.url == "https://chronicle.example/news/tidal-barrage"
        assert not (txt.meta.source or txt.meta.url or md.meta.source or md.meta.url)
    else:  # pragma: no cover - a new entry needs its own check
        pytest.fail(f"no check for difference {difference!r}")


def test_nothing_else_differs(trees: dict[str, Document]) -> None:
    # The un-normalised trees differ only in the listed ways: figures, inlines, metadata.
    txt, md = trees["txt"], trees["md"]
    assert len(txt.blocks) == len(md.blocks)
    assert [type(b) for b in txt.blocks] == [type(b) for b in md.blocks]
    assert dataclasses.replace(md.meta) == txt.meta


def _page_from_tree(doc: Document) -> str:
    """A minimal HTML page holding a tree's text (built at test time, never stored)."""
    from html import escape

    parts = [f"<html><head><title>{escape(doc.meta.title)}</title></head><body><article>",
             f"<h1>{escape(doc.meta.title)}</h1>"]
    for block in doc.blocks:
        if isinstance(block, Heading):
            parts.append(f"<h{block.level}>{escape(inline_text(block.children))}</h{block.level}>")
        elif isinstance(block, Figure):
            parts.append(f"<figure><figcaption>{escape(inline_text(block.caption))}</figcaption></figure>")
        elif isinstance(block, Paragraph):
            parts.append(f"<p>{escape(inline_text(block.children))}</p>")
    parts.append("</article><footer>Add new comment</footer></body></html>")
    return "\n".join(parts)


def test_reference_article_through_html_keeps_every_word(tmp_path: Path) -> None:
    require_shared(REFERENCE)
    txt = read_path(REFERENCE).document
    assert all(isinstance(b, Heading | Paragraph | Figure) for b in txt.blocks), "page builder needs more kinds"
    page = tmp_path / "reference.html"
    page.write_text(_page_from_tree(txt), encoding="utf-8")
    html = read_path(page).document
    assert document_words(html) == document_words(txt)
    assert normalise(html) == normalise(txt)
