"""The post-processor on small hand-drawn PDFs: what it writes for each feature of the model."""

from __future__ import annotations

import io
import re
import subprocess
from typing import Any

import pikepdf
import pytest

from briefpub.writers.pdf.tagging import StructTree, StructureTagger, finish
from pdfstructure import assert_tagged, inspect_pdf
from tagging_samples import canvas_font
from tools import require_tool


def draw(tree: StructTree, pages: list[list[tuple[Any, str]]], fonts: Any, *,
         extra: Any = None) -> tuple[bytes, StructureTagger]:
    """A PDF with one line of text per (element, text) on each page (element None: an artifact)."""
    from reportlab.pdfgen.canvas import Canvas

    font = canvas_font(fonts)
    tagger = StructureTagger(tree)
    buffer = io.BytesIO()
    canvas = Canvas(buffer, invariant=1, initialFontName=font)
    canvas.setTitle(tree.title)
    for number, lines in enumerate(pages, start=1):
        canvas.setFont(font, 10)
        for i, (element, text) in enumerate(lines):
            y = 780 - 14 * i
            if element is None:
                with tagger.artifact(canvas, "Pagination", "Footer"):
                    canvas.drawString(40, y, text)
            else:
                with tagger.marked(canvas, element):
                    canvas.drawString(40, y, text)
        if extra is not None:
            extra(canvas, tagger, number)
        canvas.showPage()
    canvas.save()
    return buffer.getvalue(), tagger


def test_notes_custom_roles_and_languages(fonts):
    tree = StructTree("en-GB", "Notes", role_map={"Byline": "P"})
    art = tree.root.add("Art")
    byline = art.add("Byline")
    quote = art.add("BlockQuote", lang="fr")
    inner = quote.add("P")
    same = quote.add("P", lang="fr")  # same as inherited: no /Lang written
    note = art.add("Note")
    data, tagger = draw(tree, [[(byline, "By A. Writer"), (inner, "Un premier pas."), (same, "Encore."),
                                (note, "1. A note.")]], fonts)
    finished = finish(data, tagger.recording())
    report = assert_tagged(finished.data)
    assert [n.role for n in report.nodes] == ["Document", "Art", "Byline", "BlockQuote", "P", "P", "Note"]
    assert report.find("Byline")[0].standard == "P"
    assert [n.lang for n in report.nodes] == [None, None, None, "fr", None, None, None]
    with pikepdf.open(io.BytesIO(finished.data)) as pdf:
        root = pdf.Root.StructTreeRoot
        assert str(root.RoleMap.Byline) == "/P"
        names = list(root.IDTree.Names)
        assert str(names[0]) == note.id and str(names[1].S) == "/Note" and str(names[1].ID) == note.id


def test_empty_elements_are_left_out_but_empty_cells_stay(fonts):
    tree = StructTree("en", "Empty")
    art = tree.root.add("Art")
    kept = art.add("P")
    art.add("P")  # nothing drawn
    art.add("Sect").add("H1")  # nothing drawn, nor in its parent
    row = art.add("Table").add("TR")
    filled, empty = row.add("TD"), row.add("TD")
    data, tagger = draw(tree, [[(kept, "Text."), (filled, "Cell")]], fonts)
    finished = finish(data, tagger.recording())
    report = assert_tagged(finished.data)
    assert [n.role for n in report.nodes] == ["Document", "Art", "P", "Table", "TR", "TD", "TD"]
    assert finished.pruned == 3 and finished.elements == 7
    assert report.find("TD")[1].mcids == [] and empty.role == "TD"


def test_an_element_over_pages_uses_mcrs_and_the_parent_tree(fonts):
    tree = StructTree("en", "Pages")
    p = tree.root.add("P")
    data, tagger = draw(tree, [[(p, "First page."), (None, "Page 1")], [(p, "Second page."), (None, "Page 2")]],
                        fonts)
    finished = finish(data, tagger.recording())
    report = assert_tagged(finished.data)
    (node,) = report.find("P")
    assert node.mcids == [(0, 0), (1, 0)]
    with pikepdf.open(io.BytesIO(finished.data)) as pdf:
        kids = list(node_obj(pdf, "/P").K)
        assert kids[0] == 0 and str(kids[1].Type) == "/MCR" and kids[1].Pg.objgen == pdf.pages[1].objgen
        assert [int(page.StructParents) for page in pdf.pages] == [0, 1]
        assert int(pdf.Root.StructTreeRoot.ParentTreeNextKey) == 2


def node_obj(pdf: pikepdf.Pdf, role: str) -> Any:
    stack = [pdf.Root.StructTreeRoot.K]
    while stack:
        node = stack.pop()
        for item in (list(node) if isinstance(node, pikepdf.Array) else [node]):
            if isinstance(item, pikepdf.Dictionary) and "/S" in item:
                if str(item.S) == role:
                    return item
                if "/K" in item:
                    stack.append(item.K)
    raise LookupError(role)


def test_annotations_the_layout_adds_get_contents_and_an_objr(fonts):
    tree = StructTree("en", "Links")
    toci = tree.root.add("TOC").add("TOCI")
    link = toci.add("Link")
    figure = tree.root.add("Figure", alt="Logo", bbox=(10, 20, 30, 40))

    def extra(canvas: Any, tagger: StructureTagger, page: int) -> None:
        with tagger.marked(canvas, link):
            canvas.drawString(40, 600, "Summary")
        canvas.linkURL("https://example.org/summary", (40, 595, 120, 610), relative=0,
                       **tagger.annotation(canvas, link, "Go to the summary"))
        with tagger.marked(canvas, figure):
            canvas.rect(10, 20, 20, 20, fill=1)

    data, tagger = draw(tree, [[]], fonts, extra=extra)
    finished = finish(data, tagger.recording())
    report = assert_tagged(finished.data)
    with pikepdf.open(io.BytesIO(finished.data)) as pdf:
        (annotation,) = pdf.pages[0].Annots
        assert str(annotation.Contents) == "Go to the summary"  # linkURL wrote none: the description
        assert report.annotation_owner[annotation.objgen].role == "Link"
    (node,) = report.find("Figure")
    assert [float(v) for v in node.attributes["/BBox"]] == [10, 20, 30, 40]


def test_problems_are_reported_not_raised(fonts):
    tree = StructTree("en", "Problems")
    table = tree.root.add("Table")
    head = table.add("TR")
    th = head.add("TH")  # no Scope
    row = table.add("TR")
    td = row.add("TD", col_span=2)
    extra_td = row.add("TD")
    h3 = tree.root.add("H3")
    h = tree.root.add("H")
    figure = tree.root.add("Figure", alt=" ")
    data, tagger = draw(tree, [[(th, "Head"), (td, "a"), (extra_td, "b"), (h3, "Title"), (h, "Heading"),
                                (figure, "chart")]], fonts)
    finished = finish(data, tagger.recording())
    problems = "\n".join(finished.problems)
    for expected in ("has no Scope", "is irregular", "first heading is H3", "both H and H1-H6",
                     "no alternative text"):
        assert expected in problems
    assert inspect_pdf(finished.data).codes() == {"th-scope", "table-irregular", "heading-order", "heading-kind",
                                                   "figure-alt"}


def test_info_title_comes_from_the_tree_when_reportlab_has_none(fonts):
    from reportlab.pdfgen.canvas import Canvas

    tree = StructTree("de", "Ein Bericht")
    p = tree.root.add("P")
    tagger = StructureTagger(tree)
    buffer = io.BytesIO()
    canvas = Canvas(buffer, invariant=1, initialFontName=canvas_font(fonts))
    with tagger.marked(canvas, p):
        canvas.drawString(40, 700, "Text")
    canvas.showPage()
    canvas.save()
    report = assert_tagged(finish(buffer.getvalue(), tagger.recording()).data)
    assert report.info["/Title"] == report.xmp["dc:title"] == "Ein Bericht"
    assert report.catalog_lang == "de" and report.xmp["dc:language"] == ["de"]


def test_poppler_reads_the_same_structure(conforming):
    """poppler's own reading of the structure tree (pdfinfo -struct) lists the same elements in the same order."""
    require_tool("pdfinfo")
    done = subprocess.run(["pdfinfo", "-struct", "-"], input=conforming.data, capture_output=True, check=True)
    roles = []
    for line in done.stdout.decode().splitlines():
        text = line.strip()
        if not text or text.startswith(("/", "Object ", '"')):
            continue
        roles.append(re.split(r"[ :]", text)[0])
    assert roles == [n.role for n in inspect_pdf(conforming.data).nodes]


@pytest.mark.parametrize("kind", ["Pagination/Watermark", "Layout", "Page", "Background"])
def test_artifact_kinds(fonts, kind):
    from reportlab.pdfgen.canvas import Canvas

    tree = StructTree("en", "Artifacts")
    tagger = StructureTagger(tree)
    canvas = Canvas(io.BytesIO(), initialFontName=canvas_font(fonts))
    base, _, sub = kind.partition("/")
    with tagger.artifact(canvas, base, sub or None):
        canvas.drawString(0, 0, "x")
    opened = next(op for op in canvas._code if op.startswith("/Artifact"))
    assert opened == f"/Artifact <</Type /{base}" + (f" /Subtype /{sub}" if sub else "") + ">> BDC"


def test_the_word_break_check(fonts):
    tree = StructTree("en", "Word breaks")
    good, bad = tree.root.add("P"), tree.root.add("P")
    data, tagger = draw(tree, [[(good, "ends with a space "), (good, "next line"), (bad, "no space"),
                                (bad, "here")]], fonts)
    report = inspect_pdf(finish(data, tagger.recording()).data, word_breaks=True)
    assert [p.message for p in report.problems] == ["P: no space between 'space' and 'here' at a line end"]


def test_a_file_is_tagged_as_its_bytes_are(fonts, tmp_path):
    """The writer hands reportlab's file to the post-processor as a file (a long pack's PDF is not held in
    memory next to pikepdf's objects): the result is the same bytes as from the PDF's bytes."""
    tree = StructTree("en-GB", "File")
    art = tree.root.add("Art")
    first, second = art.add("P"), art.add("P")
    data, tagger = draw(tree, [[(first, "One.")], [(second, "Two.")]], fonts)
    from_bytes = finish(data, tagger.recording())
    path = tmp_path / "drawn.pdf"
    path.write_bytes(data)
    with path.open("rb") as source:
        from_file = finish(source, tagger.recording())
    assert from_file == from_bytes
    assert_tagged(from_file.data)
