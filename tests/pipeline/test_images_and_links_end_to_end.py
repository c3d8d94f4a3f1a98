"""Issue 11's acceptance case, end to end: a Markdown article with pictures in a list item, a block quote,
a table cell and running text, and ``#fragment`` links to headings (two with the same text), converted by
the pipeline to all three formats: every picture embedded, every internal link working, no warning.

Read back from the files: PDF image placements and GoTo links (pikepdf), EPUB ``<img>`` parts and
``href`` targets (zip + lxml), DOCX drawings and bookmark hyperlinks (zip + lxml).
"""

from __future__ import annotations

import re
import shutil
import zipfile
from datetime import UTC, datetime
from pathlib import Path

import pikepdf
import pytest
from lxml import etree

from briefpub.pipeline import convert_one
from briefpub.styling import load_style
from shared_data import ROOT

DATA = ROOT / "tests" / "writers" / "data"
#: The pictures of ``images-and-links.md``: the list item's figure, the inline one, the quote's, the cell's.
PICTURES = 4
#: Its internal links: the first "Background", the second (``#background-1``), "Next steps".
INTERNAL_LINKS = 3
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
XHTML = "{http://www.w3.org/1999/xhtml}"


@pytest.fixture(scope="module")
def converted(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[str]]:
    folder = tmp_path_factory.mktemp("end-to-end")
    for name in ("images-and-links.md", "chart.png", "map.png"):
        shutil.copy(DATA / name, folder / name)
    report = convert_one(str(folder / "images-and-links.md"), ["pdf", "epub", "docx"], folder / "out",
                         load_style("briefing"), build_time=datetime(2024, 5, 6, tzinfo=UTC))  # fmt: skip
    assert report.exit_code == 0 and not report.error, report.error
    return folder / "out", [f"{d.severity} {d.code}: {d.message}" for d in report.diagnostics]


def test_no_warning(converted: tuple[Path, list[str]]) -> None:
    _out, diagnostics = converted
    assert not [d for d in diagnostics if not d.startswith("info")], diagnostics


def test_pdf_embeds_every_picture_and_links_to_each_heading(converted: tuple[Path, list[str]]) -> None:
    out, _ = converted
    with pikepdf.open(out / "images-and-links.pdf") as pdf:
        placed = 0
        for page in pdf.pages:
            xobjects = page.obj.get("/Resources", {}).get("/XObject", {})
            images = {str(name) for name, x in xobjects.items() if x.get("/Subtype") == "/Image"}
            placed += sum(1 for op in pikepdf.parse_content_stream(page, "Do") if str(op.operands[0]) in images)
        assert placed == PICTURES
        targets: list[tuple[int, float]] = []
        named = dict(_name_tree(pdf))
        pages = [page.obj.objgen for page in pdf.pages]
        for page in pdf.pages:
            for annot in page.get("/Annots", []):
                action = annot.get("/A")
                dest = action.get("/D") if action is not None and action.get("/S") == "/GoTo" else annot.get("/Dest")
                if dest is None:
                    continue
                if not isinstance(dest, pikepdf.Array):  # a named destination
                    dest = named[str(dest)]
                    dest = dest.get("/D", dest) if isinstance(dest, pikepdf.Dictionary) else dest
                assert dest[0].objgen in pages, dest  # a page of this document
                targets.append((pages.index(dest[0].objgen), float(dest[3])))
        # three links, three different places (the two "Background" headings are told apart)
        assert len(targets) == INTERNAL_LINKS and len(set(targets)) == INTERNAL_LINKS, targets


def _name_tree(pdf: pikepdf.Pdf) -> list[tuple[object, object]]:
    """Every named destination (``/Dests`` name tree or the old ``/Dests`` dictionary)."""
    root = pdf.Root
    if "/Names" in root and "/Dests" in root.Names:
        return list(pikepdf.NameTree(root.Names.Dests).items())
    if "/Dests" in root:
        return [(k, v) for k, v in root.Dests.items()]
    return []


def test_epub_embeds_every_picture_and_every_internal_href_resolves(converted: tuple[Path, list[str]]) -> None:
    out, _ = converted
    book = zipfile.ZipFile(out / "images-and-links.epub")
    names = set(book.namelist())
    article = next(n for n in names if re.search(r"article-\d+\.xhtml$", n))
    html = etree.fromstring(book.read(article))
    imgs = [img.get("src") for img in html.iter(f"{XHTML}img")]
    assert len(imgs) == PICTURES and all(f"EPUB/{src}" in names for src in imgs), imgs
    internal = []
    for a in html.iter(f"{XHTML}a"):
        href = a.get("href") or ""
        if href.startswith(("http:", "https:", "mailto:")):
            continue
        file, _, fragment = href.partition("#")
        target = etree.fromstring(book.read(f"EPUB/{file}")) if file else html
        assert fragment and target.xpath(f"//*[@id='{fragment}']"), href
        internal.append(href)
    assert len(internal) == INTERNAL_LINKS and len(set(internal)) == INTERNAL_LINKS, internal


def test_docx_embeds_every_picture_and_links_to_bookmarks(converted: tuple[Path, list[str]]) -> None:
    out, _ = converted
    body = etree.fromstring(zipfile.ZipFile(out / "images-and-links.docx").read("word/document.xml"))
    assert len(list(body.iter(f"{W}drawing"))) == PICTURES
    bookmarks = {b.get(f"{W}name") for b in body.iter(f"{W}bookmarkStart")}
    anchors = [h.get(f"{W}anchor") for h in body.iter(f"{W}hyperlink") if h.get(f"{W}anchor")]
    assert len(anchors) == INTERNAL_LINKS and len(set(anchors)) == INTERNAL_LINKS, anchors
    assert set(anchors) <= bookmarks, (anchors, bookmarks)
