"""Images anywhere in the tree are loaded: figures in lists and quotes, inline images in cells."""

from __future__ import annotations

from pathlib import Path

from briefpub.pipeline.resources import image_refs, load_resources
from briefpub.tree import (
    BlockQuote,
    BulletList,
    Document,
    Figure,
    Image,
    ListItem,
    OrderedList,
    Paragraph,
    Table,
    TableCell,
    TableRow,
    Text,
    iter_blocks,
    iter_inlines,
)
from images import png


def _doc() -> Document:
    return Document(blocks=(
        BulletList((ListItem((Figure((Text("list"),), image="list.png", alt="a list image"),)),)),
        BlockQuote((Figure((Text("quote"),), image="quote.png"),)),
        Table((), (TableRow((TableCell((Image("cell.png", "a cell image"), Text(" caption"))),)),)),
        OrderedList((ListItem((BulletList((ListItem((Paragraph((Image("deep.png", "deep"),)),)),)),)),)),
        Paragraph((Image("missing.png", "gone"),)),
    ))


def test_every_image_is_found_in_reading_order() -> None:
    assert image_refs(_doc()) == ["list.png", "quote.png", "cell.png", "deep.png", "missing.png"]


def test_images_in_lists_quotes_and_cells_are_loaded(tmp_path: Path) -> None:
    for i, name in enumerate(("list.png", "quote.png", "cell.png", "deep.png")):
        (tmp_path / name).write_bytes(png(10 + i, 10))
    doc, resources, diagnostics = load_resources(_doc(), tmp_path, "a.md")
    figures = [b.image for b in iter_blocks(doc.blocks) if isinstance(b, Figure)]
    inline = [(n.src, n.alt) for n in iter_inlines(doc.blocks) if isinstance(n, Image)]
    assert all(key in resources for key in figures) and len(figures) == 2
    assert [alt for _src, alt in inline] == ["a cell image", "deep", "gone"]
    assert all(src in resources for src, _alt in inline[:2]) and inline[2][0] == ""
    assert len(resources) == 4
    assert [(d.code, d.text) for d in diagnostics] == [("reader.image-missing", "missing.png")]
