"""The plain-text reader: golden cases, fixtures, encodings and the reference article."""

from __future__ import annotations

from pathlib import Path

import pytest

from briefpub.readers import read_bytes, read_path
from briefpub.tree import Figure, Heading, Paragraph, document_words, inline_text
from samples import load_reader_cases, outline
from shared_data import REFERENCE, require_shared

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
FIXTURES = ROOT / "fixtures" / "txt"


def _cases() -> list[tuple[str, str, str, list[str]]]:
    """The golden cases, with {NBSP}/{TAB} markers expanded and the ``! code`` lines as a list."""
    cases = []
    for name, source, expected, checks in load_reader_cases(HERE / "cases" / "text.cases"):
        source = source.replace("{NBSP}", "\u00a0").replace("{TAB}", "\t")
        cases.append((name, source, expected, [c[1:].strip() for c in checks]))
    return cases


CASES = _cases()


@pytest.mark.parametrize(("name", "source", "expected", "codes"), CASES, ids=[c[0] for c in CASES])
def test_case(name: str, source: str, expected: str, codes: list[str]) -> None:
    result = read_bytes(source.encode("utf-8"), source="case.txt")
    assert outline(result.document) == expected
    # exactly these reader diagnostics, in this order (not just "among them")
    reader_codes = [d.code for d in result.diagnostics if d.code.startswith("reader.")]
    assert reader_codes == codes


def test_every_removal_names_its_text_and_line() -> None:
    src = "Headline\n\nText.\n\nAdd new comment\n\n3 comments\n"
    result = read_bytes(src.encode(), source="a.txt")
    removed = [(d.text, d.line, d.source) for d in result.diagnostics if d.code == "reader.boilerplate-removed"]
    assert removed == [("Add new comment", 5, "a.txt"), ("3 comments", 7, "a.txt")]


# --------------------------------------------------------------------------- fixtures


def test_geneva_fixture_shape() -> None:
    doc = read_path(FIXTURES / "geneva-round.txt").document
    assert doc.meta.title == "Geneva Round Opens With Cautious Optimism"
    figures = [b for b in doc.blocks if isinstance(b, Figure)]
    assert len(figures) == 1 and not figures[0].image
    headings = [inline_text(b.children) for b in doc.blocks if isinstance(b, Heading)]
    assert headings == ["Corridors and Prisoner Exchanges"]
    assert sum(isinstance(b, Paragraph) for b in doc.blocks) == 10
    assert "\u00a0" not in "".join(document_words(doc))


def test_bom_crlf_fixture() -> None:
    result = read_path(FIXTURES / "harbour-bom-crlf.txt")
    doc = result.document
    assert result.encoding == "utf-8"
    assert doc.meta.authors == ("Maria Okonkwo", "Tomas Lindqvist")
    assert doc.meta.title == "Port Authority Approves Harbour Expansion Plan"
    assert "\ufeff" not in doc.meta.title
    codes = [d.code for d in result.diagnostics]
    assert codes.count("reader.boilerplate-removed") == 4
    assert "decode.bom" in codes
    assert "\r" not in outline(doc)


def test_cp1252_fixture_is_detected_and_reported() -> None:
    result = read_path(FIXTURES / "cafe-cp1252.txt")
    assert result.encoding == "cp1252"
    assert result.document.meta.title == "Café Owners Protest New Licensing Rules"
    assert "Naïve" in outline(result.document)
    assert "council’s" in outline(result.document)
    assert [d.code for d in result.diagnostics] == ["decode.legacy-encoding"]


@pytest.mark.parametrize("name", ["rail-utf16.txt", "rail-cr.txt"])
def test_utf16_and_cr_fixtures_give_the_same_tree(name: str) -> None:
    doc = read_path(FIXTURES / name).document
    assert outline(doc) == (
        "META title: Rail Strike Called Off After Late-Night Deal\n"
        "P: Unions called off Friday’s rail strike after a late-night agreement on pay and rosters.\n"
        "H2: What the deal includes\n"
        "P: The agreement raises pay by 4 per cent this year and 3 per cent next year.\n"
        "P: Commuters were told to expect a normal service."
    )


@pytest.mark.parametrize(
    ("encoding", "sample"),
    [("cp1251", "Делегации прибыли в субботу, сообщили в министерстве."),
     ("utf-16-be", "Talks “resumed” on Monday."),
     ("utf-32", "Talks resumed on Monday.")],
)
def test_other_encodings(encoding: str, sample: str) -> None:
    data = f"Headline\n\n{sample}\n".encode(encoding)
    if encoding == "utf-16-be":
        data = b"\xfe\xff" + data
    doc = read_bytes(data, source="x.txt").document
    assert outline(doc) == f"META title: Headline\nP: {sample}"


def test_control_characters_are_removed_and_reported() -> None:
    result = read_bytes(b"Head\x07line\n\nText\x0b with\x1b junk.\n", source="c.txt")
    assert outline(result.document) == "META title: Headline\nP: Text with junk."
    assert [d.code for d in result.diagnostics].count("text.invalid-character") == 2


# --------------------------------------------------------------------------- the reference article

@pytest.fixture
def reference() -> Path:
    """The reference article (skips without ../shared; fails under BRIEFPUB_REQUIRE_TOOLS=1)."""
    return require_shared(REFERENCE)


needs_reference = pytest.mark.usefixtures("reference")


@needs_reference
def test_reference_article_structure() -> None:
    result = read_path(REFERENCE)
    doc = result.document
    assert doc.meta.title == "Astana Hosts Preparatory Syria Peace Talks"
    figures = [b for b in doc.blocks if isinstance(b, Figure)]
    assert len(figures) == 1
    caption = inline_text(figures[0].caption)
    assert caption.startswith("Astana’s Rixos President Hotel") and caption.count("Rixos") == 1
    headings = [inline_text(b.children) for b in doc.blocks if isinstance(b, Heading)]
    assert headings == ["Platform for Wide-Ranging Discussions"]
    paragraphs = [inline_text(b.children) for b in doc.blocks if isinstance(b, Paragraph)]
    assert len(paragraphs) == 20
    assert paragraphs[0].startswith("Parties to the Astana meeting")
    assert paragraphs[-1].startswith("Iranian officials had voiced")
    removed = [d.text for d in result.diagnostics if d.code == "reader.boilerplate-removed"]
    assert removed == ["Add new comment", "Read our comment policy before posting your viewpoints"]


@needs_reference
def test_reference_article_every_other_word_in_order() -> None:
    result = read_path(REFERENCE)
    raw_words = REFERENCE.read_text(encoding="utf-8").split()
    removed_words = [w for d in result.diagnostics for w in d.text.split()]
    # Expected: the file's words minus the duplicate caption copy and removed furniture.
    dup = next(d.text for d in result.diagnostics if d.code == "reader.duplicate-caption").split()
    expected = list(raw_words)
    start = next(i for i in range(len(expected)) if expected[i : i + len(dup)] == dup and i > 10)
    del expected[start : start + len(dup)]
    furniture = [d.text.split() for d in result.diagnostics if d.code == "reader.boilerplate-removed"]
    for words in furniture:
        idx = max(i for i in range(len(expected)) if expected[i : i + len(words)] == words)
        del expected[idx : idx + len(words)]
    assert document_words(result.document) == expected
    assert removed_words  # the removals were reported with their text


@needs_reference
def test_reference_article_keeps_apostrophes_as_written() -> None:
    words = document_words(read_path(REFERENCE).document)
    assert "Army's" in words
    assert "Astana’s" in words
