"""The tagger on its own: MCIDs per page, links, artifacts, no nesting, passes, problems (a stand-in canvas)."""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest

from briefpub.writers.pdf.tagging import (
    AnnotationRef,
    ContentRef,
    StructTree,
    StructureError,
    StructureTagger,
)
from briefpub.writers.pdf.typeset import Annotation, LinkInfo, MarkedContent, Tag, Tagger


@dataclass
class Canvas:
    """What the tagger uses of a reportlab canvas."""

    page: int = 1
    code: list[str] = field(default_factory=list)

    def getPageNumber(self) -> int:
        return self.page

    def addLiteral(self, text: str) -> None:
        self.code.append(text)


def setup() -> tuple[StructTree, StructureTagger, Canvas]:
    tree = StructTree("en-GB", "t")
    return tree, StructureTagger(tree), Canvas()


def test_it_is_the_engines_tagger() -> None:
    _tree, tagger, _canvas = setup()
    assert isinstance(tagger, Tagger)


def test_mcids_count_per_page_and_are_recorded_against_elements() -> None:
    tree, tagger, canvas = setup()
    p1, p2 = tree.root.add("P"), tree.root.add("H1")
    ops = [tagger.begin(canvas, MarkedContent(p1, None, 1)), tagger.end(canvas, MarkedContent(p1, None, 1)),
           tagger.begin(canvas, MarkedContent(Tag("H1", p2), None, 1)), tagger.end(canvas, MarkedContent(p2, None, 1))]
    assert ops == ["/P <</MCID 0>> BDC", "EMC", "/H1 <</MCID 1>> BDC", "EMC"]
    canvas.page = 2
    assert tagger.begin(canvas, MarkedContent(p1, None, 2)) == "/P <</MCID 0>> BDC"
    tagger.end(canvas, MarkedContent(p1, None, 2))
    recording = tagger.recording()
    assert recording.content[p1] == (ContentRef(1, 0), ContentRef(2, 0))
    assert recording.content[p2] == (ContentRef(1, 1),)
    assert recording.pages == 2 and not recording.problems


def test_a_link_gets_one_link_element_inside_its_paragraph() -> None:
    tree, tagger, canvas = setup()
    p = tree.root.add("P")
    link = LinkInfo(0, "https://example.org/", "example")
    for piece in (None, link, None, link):  # "text [link] text" then the link's second line
        tagger.begin(canvas, MarkedContent(p, piece, 1))
        tagger.end(canvas, MarkedContent(p, piece, 1))
    entries = tagger.link_annotation(canvas, Annotation(p, link, 1, (0, 0, 10, 10), "a1"))
    assert entries == {"StructParent": 0}
    recording = tagger.recording()
    kids = recording.content[p]
    assert [type(k).__name__ for k in kids] == ["ContentRef", "Element", "ContentRef"]
    link_element = kids[1]
    assert link_element.role == "Link" and link_element.parent is p and link_element not in p.children
    assert recording.content[link_element] == (ContentRef(1, 1), ContentRef(1, 3), AnnotationRef(0, 1, "example"))
    assert recording.annotations == {0: link_element}
    assert recording.next_key == 1


def test_annotations_the_layout_adds() -> None:
    tree, tagger, canvas = setup()
    link = tree.root.add("TOC").add("TOCI").add("Link")
    assert tagger.annotation(canvas, link, "Go to the summary") == {"StructParent": 0}
    with pytest.raises(StructureError):
        tagger.annotation(canvas, tree.root.add("P"))
    assert tagger.recording().content[link] == (AnnotationRef(0, 1, "Go to the summary"),)


def test_artifacts_and_marked_blocks_write_operators() -> None:
    tree, tagger, canvas = setup()
    figure = tree.root.add("Figure", alt="A map")
    with tagger.artifact(canvas, "Pagination", "Header"):
        canvas.code.append("(header) Tj")
    with tagger.marked(canvas, figure, bbox=(1, 2, 3, 4)):
        canvas.code.append("/Im1 Do")
    assert canvas.code == ["/Artifact <</Type /Pagination /Subtype /Header>> BDC", "(header) Tj", "EMC",
                           "/Figure <</MCID 0>> BDC", "/Im1 Do", "EMC"]
    assert tagger.recording().bboxes[figure] == ((1, (1, 2, 3, 4)),)
    with pytest.raises(StructureError):
        tagger.open_artifact(canvas, "Pagination", "Sidebar")


def test_nothing_nests_inside_a_sequence() -> None:
    tree, tagger, canvas = setup()
    figure, p = tree.root.add("Figure", alt="chart"), tree.root.add("P")
    with tagger.marked(canvas, figure):
        # text drawn inside a figure belongs to the figure; an underline inside it is not an artifact
        assert tagger.begin(canvas, MarkedContent(p, None, 1)) == ""
        assert tagger.begin_artifact(canvas, p) == ""
        assert tagger.end_artifact(canvas, p) == ""
        assert tagger.end(canvas, MarkedContent(p, None, 1)) == ""
    with tagger.artifact(canvas):
        assert tagger.begin(canvas, MarkedContent(None, None, 1)) == ""  # no element needed: an artifact
        assert tagger.end(canvas, MarkedContent(None, None, 1)) == ""
        assert tagger.in_artifact()
    assert canvas.code == ["/Figure <</MCID 0>> BDC", "EMC", "/Artifact <</Type /Layout>> BDC", "EMC"]
    recording = tagger.recording()
    assert p not in recording.content and not recording.problems


def test_a_link_inside_an_artifact_is_reported() -> None:
    tree, tagger, canvas = setup()
    p = tree.root.add("P")
    with tagger.artifact(canvas, "Pagination"):
        assert tagger.link_annotation(canvas, Annotation(p, LinkInfo(0, "https://x.org/", "x"), 1, (0, 0, 1, 1),
                                                         "a")) == {}
    assert any("inside an artifact" in p for p in tagger.recording().problems)


def test_content_without_an_element_is_kept_and_reported() -> None:
    tree, tagger, canvas = setup()
    tagger.begin(canvas, MarkedContent(Tag("P"), None, 1))
    tagger.end(canvas, MarkedContent(Tag("P"), None, 1))
    tagger.begin(canvas, MarkedContent(object(), None, 1))
    tagger.end(canvas, MarkedContent(object(), None, 1))
    other = StructTree("en", "other").root.add("P")  # an element of another tree
    tagger.begin(canvas, MarkedContent(other, None, 1))
    tagger.end(canvas, MarkedContent(other, None, 1))
    recording = tagger.recording()
    fallback = recording.content[tree.root][0]
    assert fallback.role == "P"
    assert recording.content[fallback] == (ContentRef(1, 0), ContentRef(1, 1), ContentRef(1, 2))
    assert len(recording.problems) == 3
    assert all("without a structure element" in p for p in recording.problems)


def test_unbalanced_sequences_are_reported() -> None:
    tree, tagger, canvas = setup()
    p = tree.root.add("P")
    assert tagger.end(canvas, MarkedContent(p, None, 1)) == ""
    tagger.begin(canvas, MarkedContent(p, None, 1))
    problems = tagger.recording().problems
    assert any("not open" in p for p in problems) and any("left open" in p for p in problems)


def test_a_new_canvas_is_a_new_pass() -> None:
    tree, tagger, first = setup()
    p = tree.root.add("P")
    link = LinkInfo(0, "https://example.org/", "e")
    tagger.begin(first, MarkedContent(p, link, 1))
    tagger.end(first, MarkedContent(p, link, 1))
    tagger.link_annotation(first, Annotation(p, link, 1, (0, 0, 1, 1), "a"))
    second = Canvas()
    tagger.begin(second, MarkedContent(p, link, 1))
    tagger.end(second, MarkedContent(p, link, 1))
    assert tagger.link_annotation(second, Annotation(p, link, 1, (0, 0, 1, 1), "a")) == {"StructParent": 0}
    recording = tagger.recording()
    (link_element,) = recording.content[p]
    assert recording.content[link_element] == (ContentRef(1, 0), AnnotationRef(0, 1, "e"))
    tagger.reset()
    assert tagger.recording().content == {}
