"""Marked content for tagged PDF: every text operator inside a sequence the tagger opened, links apart."""

from __future__ import annotations

import io

import pytest

from briefpub.writers.pdf.typeset import ParaStyle, RecordingTagger, Run, Tag, TextBlock, TextFlowable

pikepdf = pytest.importorskip("pikepdf")
LEADING = 14.5
BODY = ParaStyle(LEADING, hyphenate="en", lang="en")
TEXT_OPERATORS = {"Tj", "TJ", "'", '"'}


def _walk(data):
    """Per page: (operator, stack of open marked content, operands) for every operator."""
    pdf = pikepdf.open(io.BytesIO(data))
    pages = []
    for page in pdf.pages:
        stack: list[tuple[str, object]] = []
        events = []
        for operands, operator in pikepdf.parse_content_stream(page):
            op = str(operator)
            if op == "BDC":
                tag = str(operands[0])
                props = operands[1]
                mcid = int(props.MCID) if isinstance(props, pikepdf.Dictionary) and "/MCID" in props else None
                stack.append((tag, mcid if mcid is not None else props))
                events.append(("BDC", list(stack), operands))
            elif op == "BMC":
                stack.append((str(operands[0]), None))
                events.append(("BMC", list(stack), operands))
            elif op == "EMC":
                events.append(("EMC", list(stack), operands))
                stack.pop()
            else:
                events.append((op, list(stack), operands))
        assert not stack, "unbalanced marked content"
        pages.append((page, events))
    return pages


def _story(fonts, tagger=None):
    chain = fonts.chain()
    paragraphs = [
        TextFlowable(TextBlock.of([Run("Astana Hosts Preparatory Syria Peace Talks",
                                       fonts.chain(bold=True, base="sans"), 20)], ParaStyle(24, balanced=True)),
                     tag=Tag("H1")),
        TextFlowable(TextBlock.of([
            Run("Parties to the meeting on the Syrian crisis held preliminary talks, reported by ", chain, 10.5),
            Run("the Astana Times and several regional news agencies", chain, 10.5,
                link="https://astanatimes.com/2017/01/astana-hosts-preparatory-syria-peace-talks/", underline=True,
                colour="#1f4e8c"),
            Run(", on the eve of negotiations between the Syrian government and opposition groups; the envoy "
                "(سيرجي لافروف) and Prime Minister ", chain, 10.5),
            Run("בנימין נתניהו", chain, 10.5, lang="he"),
            Run(" were not there. See ", chain, 10.5),
            Run("the background", chain, 10.5, link="#background"),
            Run(" for the representatives' internationalization responsibilities.", chain, 10.5),
        ], BODY), tag=Tag("P")),
    ]
    return paragraphs


@pytest.fixture(scope="module")
def tagged(tools, fonts):
    from reportlab.platypus import PageBreak

    tagger = RecordingTagger()
    target = TextFlowable(TextBlock.of([Run("Background", fonts.chain(bold=True), 14)], ParaStyle(18)),
                          tag=Tag("H2"))
    from briefpub.writers.pdf.typeset import Bookmark

    target.bookmark = Bookmark("background", None)
    long_text = " ".join(["The opposition group comprises field commanders of Turkey-backed armed groups that joined "
                          "a ceasefire agreement and not the political opposition."] * 12)
    story = [*_story(fonts), PageBreak(), target,
             TextFlowable(TextBlock.of([Run(long_text, fonts.chain(), 10.5)], BODY), tag=Tag("P"))]
    return tagger, tools.build(story, tagger=tagger, pagesize=(595.2756, 420))


def test_every_text_operator_is_inside_an_mcid_sequence(tagged):
    _tagger, data = tagged
    count = 0
    for _page, events in _walk(data):
        for op, stack, _operands in events:
            if op in TEXT_OPERATORS:
                mcids = [m for _t, m in stack if isinstance(m, int)]
                assert len(mcids) == 1, stack
                count += 1
            if op == "BDC" and isinstance(stack[-1][1], int):
                assert sum(isinstance(m, int) for _t, m in stack) == 1, "nested MCID sequences"
    assert count > 20


def test_mcids_match_the_recording_and_are_unique_per_page(tagged):
    tagger, data = tagged
    for number, (_page, events) in enumerate(_walk(data), start=1):
        written = [stack[-1][1] for op, stack, _ in events if op == "BDC" and isinstance(stack[-1][1], int)]
        recorded = [s.mcid for s in tagger.sequences if s.page == number]
        assert written == recorded
        assert len(set(written)) == len(written)
        roles = [stack[-1][0] for op, stack, _ in events if op == "BDC" and isinstance(stack[-1][1], int)]
        assert set(roles) <= {"/H1", "/H2", "/P", "/Link", "/Span"}


def test_link_text_has_its_own_sequences(tagged):
    tagger, _data = tagged
    links = [s for s in tagger.sequences if s.link is not None]
    assert {s.link.target for s in links} == {
        "https://astanatimes.com/2017/01/astana-hosts-preparatory-syria-peace-talks/", "#background"}
    # the paragraph's sequences around each link belong to the paragraph (P), the link's to Link
    p_sequences = [s for s in tagger.sequences if s.role == "P" and s.page == 1]
    assert p_sequences and all(s.link is None for s in p_sequences)
    first_link = min(tagger.sequences.index(s) for s in links)
    assert tagger.sequences[first_link - 1].role == "P"
    assert tagger.sequences[first_link + 1].role in ("P", "Link")


def test_link_annotations_are_announced_with_struct_parents(tagged):
    tagger, data = tagged
    pdf = pikepdf.open(io.BytesIO(data))
    annotations = [a for page in pdf.pages for a in page.get("/Annots", [])]
    assert len(annotations) == len(tagger.annotations)
    assert sorted(int(a.StructParent) for a in annotations) == list(range(len(annotations)))
    for annotation in annotations:
        assert str(annotation.Contents)
        assert int(annotation.F) == 4
    uri = [a for a in annotations if "/A" in a]
    assert uri and all(str(a.A.URI).startswith("https://astanatimes.com/") for a in uri)
    internal = [a for a in annotations if "/Dest" in a]
    assert internal


def test_languages_and_hyphens_have_sequences_of_their_own(tagged):
    """A run in another language and an inserted hyphen get sequences of their own, never marked content
    nested in one (poppler's structure-text reader stops at nested marked content): the language and the
    hyphen's ActualText ("-", for poppler) are in the sequence's property list."""
    tagger, data = tagged
    assert {s.lang for s in tagger.sequences if s.lang} == {"he"}
    hyphens = [s for s in tagger.sequences if s.hyphen]
    assert hyphens and all(s.role == "Span" for s in hyphens)
    langs, actual = 0, 0
    for _page, events in _walk(data):
        for op, stack, operands in events:
            if op != "BDC" or stack[-1][0] == "/Artifact":
                continue
            props = operands[1]
            assert isinstance(props, pikepdf.Dictionary) and "/MCID" in props, props
            if "/Lang" in props:
                langs += 1
                assert str(props.Lang) == "he"
            if "/ActualText" in props:
                actual += 1
                assert str(props.ActualText) == "-" and stack[-1][0] == "/Span"
    assert langs >= 1
    assert actual == len(hyphens) >= 1  # the long paragraph needs hyphens


def test_without_a_tagger_the_engine_writes_its_own_spans(tools, fonts):
    """Untagged output keeps the language and the hyphen's ActualText in spans of the engine's own."""
    from briefpub.writers.pdf.typeset import Bookmark

    long_text = " ".join(["The opposition group comprises field commanders of Turkey-backed armed groups that joined "
                          "a ceasefire agreement and not the political opposition."] * 12)
    target = TextFlowable(TextBlock.of([Run("Background", fonts.chain(), 14)], ParaStyle(18)),
                          bookmark=Bookmark("background", None))
    story = [*_story(fonts), target, TextFlowable(TextBlock.of([Run(long_text, fonts.chain(), 10.5)], BODY))]
    data = tools.build(story, pagesize=(595.2756, 420))
    found = {"/Lang": 0, "/ActualText": 0}
    for _page, events in _walk(data):
        for op, _stack, operands in events:
            if op == "BDC":
                props = operands[1]
                assert "/MCID" not in props
                for key in found:
                    found[key] += key in props
    assert found["/Lang"] >= 1 and found["/ActualText"] >= 1


def test_underlines_are_artifacts(tagged):
    tagger, data = tagged
    assert tagger.artifacts >= 1
    found = False
    for _page, events in _walk(data):
        for op, stack, _operands in events:
            if op == "S":
                assert stack and stack[-1][0] == "/Artifact"
                found = True
    assert found


def test_parts_of_a_split_paragraph_open_their_own_sequences(tagged):
    tagger, _data = tagged
    long_p = [s for s in tagger.sequences if s.role == "P" and s.page >= 2]
    pages = {s.page for s in long_p}
    assert len(pages) >= 2  # split across pages 2 and 3
    tags = {id(s.tag) for s in long_p}
    assert len(tags) == 1


def test_without_a_tagger_no_mcids(tools, fonts):
    from briefpub.writers.pdf.typeset import Bookmark

    target = TextFlowable(TextBlock.of([Run("Background", fonts.chain(), 14)], ParaStyle(18)),
                          bookmark=Bookmark("background", None))
    data = tools.build([*_story(fonts), target])
    for _page, events in _walk(data):
        assert not any(op == "BDC" and isinstance(stack[-1][1], int) for op, stack, _ in events)
