"""Images anywhere in the tree are loaded: figures in lists and quotes, inline images in cells."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from briefpub.pipeline.resources import ImageRecord, image_refs, images_unchanged, load_resources
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


def _figure_doc(*names: str) -> Document:
    return Document(blocks=tuple(Figure((Text(f"caption of {name}"),), image=name) for name in names))


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no named pipes on this platform")
def test_a_fifo_named_like_an_image_is_refused_not_read(tmp_path: Path) -> None:
    """Opening a FIFO blocks until something writes to it: the whole conversion used to hang. Run in a
    child with a timeout, so that a regression fails instead of hanging the test run."""
    os.mkfifo(tmp_path / "pipe.png")
    (tmp_path / "real.png").write_bytes(png(12, 10))
    (tmp_path / "a.md").write_text("# Pipes\n\n![A pipe](pipe.png)\n\n![A picture](real.png)\n", encoding="utf-8")
    script = (
        "import sys\nfrom pathlib import Path\n"
        "from briefpub.pipeline.resources import load_resources\n"
        "from briefpub.tree import Document, Figure, Text\n"
        "doc = Document(blocks=(Figure((Text('a pipe'),), image='pipe.png'), "
        "Figure((Text('a picture'),), image='real.png')))\n"
        "doc, resources, diagnostics = load_resources(doc, Path(sys.argv[1]), 'a.md')\n"
        "print(len(resources), [(d.code, d.text) for d in diagnostics])\n"
    )
    done = subprocess.run([sys.executable, "-c", script, str(tmp_path)], capture_output=True, text=True,
                          timeout=60, check=False)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "1 [('reader.image-refused', 'pipe.png')]"
    proc = subprocess.run([sys.executable, "-m", "briefpub", "convert", "-t", "pdf,epub,docx", "-o", "out", "a.md"],
                          cwd=tmp_path, capture_output=True, text=True, timeout=300, check=False)
    assert proc.returncode == 0, proc.stderr
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["a.docx", "a.epub", "a.pdf"]
    assert "not a regular file" in proc.stderr and "[reader.image-refused]" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_a_device_or_folder_named_like_an_image_is_refused(tmp_path: Path) -> None:
    (tmp_path / "folder.png").mkdir()
    names = ["folder.png"]
    if Path("/dev/zero").exists() and hasattr(os, "symlink"):  # endless: reading it would never stop
        os.symlink("/dev/zero", tmp_path / "zero.png")
        names.append("zero.png")
    _doc_out, resources, diagnostics = load_resources(_figure_doc(*names), tmp_path, "a.md")
    assert not resources
    # /dev/zero through a link resolves outside the folder: refused before anything else is looked at
    assert [(d.code, d.text) for d in diagnostics] == [("reader.image-refused", n) for n in names]
    assert "not a regular file" in diagnostics[0].message


def test_a_link_leading_outside_the_folder_stays_refused(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    inside = tmp_path / "article"
    outside.mkdir()
    inside.mkdir()
    (outside / "secret.png").write_bytes(png(10, 10))
    os.symlink(outside / "secret.png", inside / "link.png")
    (inside / "own.png").write_bytes(png(11, 10))
    os.symlink(inside / "own.png", inside / "alias.png")  # a link that stays inside is read
    doc, resources, diagnostics = load_resources(_figure_doc("link.png", "alias.png"), inside, "a.md")
    assert [(d.code, d.text) for d in diagnostics] == [("reader.image-refused", "link.png")]
    assert "outside" in diagnostics[0].message
    assert len(resources) == 1 and png(11, 10) in resources.values()


def test_an_image_over_the_size_limit_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import briefpub.pipeline.resources as resources_module

    monkeypatch.setattr(resources_module, "MAX_IMAGE_BYTES", 100)
    (tmp_path / "big.png").write_bytes(png(200, 200, (1, 2, 3)) + b"\0" * 200)
    _doc_out, resources, diagnostics = load_resources(_figure_doc("big.png"), tmp_path, "a.md")
    assert not resources and [d.code for d in diagnostics] == ["reader.image-refused"]


def test_a_refused_data_address_is_quoted_by_an_excerpt(tmp_path: Path) -> None:
    """A ``data:`` image of a megabyte is refused in a diagnostic of bounded length."""
    ref = "data:image/png;base64," + "A" * 1_000_000
    _doc_out, resources, diagnostics = load_resources(_figure_doc(ref), tmp_path, "a.md")
    assert not resources
    (refused,) = diagnostics
    assert refused.code == "reader.image-refused"
    assert len(refused.text) <= 120 and ref.startswith(refused.text[:-1])


def test_the_image_record_notices_an_edited_added_or_removed_image(tmp_path: Path) -> None:
    for name in ("list.png", "quote.png", "cell.png", "deep.png"):
        (tmp_path / name).write_bytes(png())
    record: ImageRecord = []
    load_resources(_doc(), tmp_path, "a.md", record=record)
    assert [ref for ref, _outcome in record] == image_refs(_doc())
    assert record[-1][1].startswith("!reader.image-missing")
    assert images_unchanged(record, tmp_path, "a.md")
    (tmp_path / "cell.png").write_bytes(png(colour=(1, 2, 3)))
    assert not images_unchanged(record, tmp_path, "a.md")
    record = []
    load_resources(_doc(), tmp_path, "a.md", record=record)
    (tmp_path / "missing.png").write_bytes(png())
    assert not images_unchanged(record, tmp_path, "a.md")
    (tmp_path / "missing.png").unlink()
    (tmp_path / "deep.png").unlink()
    assert not images_unchanged(record, tmp_path, "a.md")
