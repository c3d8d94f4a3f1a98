"""The PDF writer's tagged PDF (PDF/UA-1) on real input: the reference article, every article fixture,
right-to-left and mixed-direction samples, and packs.

Each publication is written once per module; every structure check of ``tests/pdfstructure.py`` runs on
it (word breaks included), the PyPI ``pdfua`` checker runs once over all of them, and poppler says
``Tagged: yes``. Text is read back three ways: through the structure tree (what a screen reader gets),
with ``pdftotext`` and with pypdf.
"""

from __future__ import annotations

import io
import re
import subprocess
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import pikepdf
import pytest

from articles import ARTICLES_AND_REFERENCE, article_id
from briefpub.pipeline import prepare_article, style_fonts
from briefpub.styling import load_style, with_overrides
from briefpub.styling.model import StyleSheet
from briefpub.tree import (
    Document,
    Figure,
    Heading,
    Image,
    Meta,
    Paragraph,
    Publication,
    Span,
    Text,
    document_words,
)
from briefpub.writers import WriteOptions, WriteResult
from briefpub.writers.common.frame import frames
from briefpub.writers.pdf import WRITER
from briefpub.writers.pdf.render import render
from fidelity import missing_words
from pdfstructure import StructureReport, assert_tagged, inspect_pdf
from pdfua_runner import PdfuaResult, run_pdfua
from rtl_samples import (
    ARABIC_NAME,
    HEBREW_NAME,
    arabic_with_english,
    english_with_arabic_name,
    english_with_hebrew_name,
)
from rtl_samples import rtl_pack as mixed_rtl_pack
from samples import (
    arabic_document,
    briefing_pack,
    figure_resources,
    images_everywhere_document,
    images_everywhere_resources,
    rich_document,
    rtl_pack,
)
from shared_data import REFERENCE, require_shared, shared_or_none
from tools import require_tool

BUILD = datetime(2024, 5, 6, 7, 8, 9, tzinfo=UTC)
BRIEFING = load_style("briefing")
DUPLEX = with_overrides(BRIEFING, [("page.duplex", "true"), ("furniture.contents_depth", "2")])
BIDI_CONTROLS = dict.fromkeys(map(ord, "\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"))
SOFT_HYPHEN = "\u00ad"


@dataclass
class Case:
    """A publication written as a tagged PDF, and what the checks found."""

    pub: Publication
    result: WriteResult
    path: Path
    report: StructureReport = field(init=False)

    def __post_init__(self) -> None:
        self.report = inspect_pdf(self.data, word_breaks=True, expected_text=self.expected_text)

    @property
    def data(self) -> bytes:
        return self.result.data

    @property
    def words(self) -> list[str]:
        return [w for doc in self.pub.documents for w in document_words(doc)]

    @property
    def expected_text(self) -> str:
        return " ".join(self.words)


def write(pub: Publication, sheet: StyleSheet = BRIEFING, resources: dict[str, bytes] | None = None,
          *, tagged: bool = True) -> WriteResult:
    options = WriteOptions(build_time=BUILD, resources=resources or {}, fonts=style_fonts(sheet))
    return render(pub, sheet, options, tagged=tagged)


def poppler(data: bytes, *args: str) -> str:
    require_tool("pdftotext")
    return subprocess.run(["pdftotext", *args, "-", "-"], input=data, capture_output=True,
                          check=True).stdout.decode("utf-8")


def pypdf_text(data: bytes) -> str:
    import pypdf

    return "\n".join(page.extract_text() or "" for page in pypdf.PdfReader(io.BytesIO(data)).pages)


@pytest.fixture(scope="module")
def cases(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Case]:
    """Every publication of the module, written once (the reference article when ../shared is there)."""
    folder = tmp_path_factory.mktemp("tagged")
    pubs: dict[str, tuple[Publication, StyleSheet, dict[str, bytes]]] = {}
    for path in ARTICLES_AND_REFERENCE:
        if path == REFERENCE and not path.exists():
            continue
        prepared = prepare_article(str(path))
        pubs[article_id(path)] = (Publication((prepared.document,)), BRIEFING, dict(prepared.resources))
    pubs["rich"] = (Publication((rich_document(),)), BRIEFING, figure_resources())
    pubs["images"] = (Publication((images_everywhere_document(),)), BRIEFING, images_everywhere_resources())
    pubs["rtl:english-arabic-name"] = (Publication((english_with_arabic_name(),)), BRIEFING, {})
    pubs["rtl:english-hebrew-name"] = (Publication((english_with_hebrew_name(),)), BRIEFING, {})
    pubs["rtl:arabic-with-english"] = (Publication((arabic_with_english(),)), BRIEFING, {})
    pubs["rtl:arabic"] = (Publication((arabic_document(),)), BRIEFING, {})
    pubs["rtl:pack"] = (rtl_pack(), DUPLEX, {})
    pubs["rtl:mixed-pack"] = (mixed_rtl_pack(arabic_document()), DUPLEX, {})
    pubs["pack30"] = (briefing_pack(30), DUPLEX, figure_resources())
    out: dict[str, Case] = {}
    for name, (pub, sheet, resources) in pubs.items():
        result = write(pub, sheet, resources)
        path = folder / (re.sub(r"[^\w.-]+", "_", name) + ".pdf")
        path.write_bytes(result.data)
        out[name] = Case(pub, result, path)
    return out


@pytest.fixture(scope="module")
def pdfua(cases: dict[str, Case]) -> dict[str, PdfuaResult]:
    """pdfua's findings on every case (one run)."""
    found = run_pdfua([case.path for case in cases.values()])
    return {name: found[case.path] for name, case in cases.items()}


NAMES = [article_id(p) for p in ARTICLES_AND_REFERENCE] + [
    "rich", "images", "rtl:english-arabic-name", "rtl:english-hebrew-name", "rtl:arabic-with-english", "rtl:arabic",
    "rtl:pack", "rtl:mixed-pack", "pack30"]


def case_of(cases: dict[str, Case], name: str) -> Case:
    if name == "reference":
        require_shared(REFERENCE)
    return cases[name]


# -- every publication: the structure checks, pdfua, poppler ----------------------------------------------------


@pytest.mark.parametrize("name", NAMES)
def test_every_structure_check_passes(cases, name):
    case = case_of(cases, name)
    assert_tagged(case.data, word_breaks=True, expected_text=case.expected_text)
    assert not [d for d in case.result.diagnostics if d.code == "writer.accessibility"]
    assert case.report.text_operators > 5


@pytest.mark.parametrize("name", NAMES)
def test_pdfua_finds_nothing(cases, pdfua, name):
    case_of(cases, name)
    result = pdfua[name]
    assert result.counts == (0, 0, 0), result.findings
    # pdfua 0.1.3's empty-heading rule crashes on a /K array (a heading drawn on two lines) and skips itself;
    # heading-empty in the structure checks covers it
    assert all(s.startswith("UA-14-001: rule raised") for s in result.skipped), result.skipped


@pytest.mark.parametrize("name", NAMES)
def test_poppler_says_tagged(cases, name):
    require_tool("pdfinfo")
    case = case_of(cases, name)
    info = subprocess.run(["pdfinfo", str(case.path)], capture_output=True, text=True, check=True).stdout
    assert re.search(r"^Tagged:\s+yes$", info, re.M)


@pytest.mark.parametrize("name", NAMES)
def test_every_word_reaches_the_structure_tree_in_order(cases, name):
    """What a screen reader reads (the elements' text in reading order) has every word of the article."""
    case = case_of(cases, name)
    assert not missing_words(case.words, case.report.text().translate(BIDI_CONTROLS), hyphenation=False)


# -- the reference article ----------------------------------------------------------------------------------


def test_reference_article_structure(cases):
    case = case_of(cases, "reference")
    doc = case.pub.documents[0]
    roles = [role for role, _text in case.report.outline()]
    assert roles[:3] == ["Document", "Art", "H1"]
    assert roles.count("P") == sum(isinstance(b, Paragraph) for b in doc.blocks)
    assert roles.count("H2") == sum(isinstance(b, Heading) for b in doc.blocks)
    (caption,) = case.report.find("Caption")  # the photo caption without its photo, labelled
    assert caption.reading.strip().startswith("Photo:")
    assert case.report.catalog_lang == "en"
    assert case.report.info["/Title"] == doc.meta.title == case.report.xmp["dc:title"]


def test_reference_article_extracts_whole_words(cases):
    """Hyphenated words come out whole: poppler joins them (the hyphen's ActualText is "-"), pypdf reads the
    soft hyphen the glyph maps to inside the word, a screen reader the Span whose ActualText is U+00AD."""
    case = case_of(cases, "reference")
    hyphens = [n for n in case.report.find("Span") if n.actual_text == SOFT_HYPHEN]
    assert hyphens, "the reference article is hyphenated"
    broken = [w for n in case.report.nodes if n.mcids for w in re.findall(r"\w+\u00ad\w+", n.reading)]
    words = {w.casefold() for w in re.findall(r"\w+", " ".join(case.words))}
    assert len(broken) == len(hyphens) and all(w.replace(SOFT_HYPHEN, "").casefold() in words for w in broken)
    text = poppler(case.data)
    assert SOFT_HYPHEN not in text and not missing_words(case.words, text, hyphenation=False)
    # every line-end hyphen poppler prints is one the article has ("face-to-face" broken after "to-")
    for first, second in re.findall(r"(\w+)-\n(\w+)", text):
        assert f"{first}{second}".casefold() not in words
    py = pypdf_text(case.data)
    assert not missing_words(case.words, py, hyphenation=False)
    assert not re.search(r"\s\u00ad|\u00ad\s", py)  # the soft hyphen only ever stands inside a word


def test_tagging_changes_nothing_that_shows(cases, tmp_path):
    """The tagged and the untagged file look the same, page for page (poppler's rendering, 72 dpi)."""
    require_tool("pdftoppm")
    from PIL import Image as PILImage
    from PIL import ImageChops

    for name in ("reference", "pack30"):
        if name == "reference" and shared_or_none(REFERENCE) is None:
            continue
        case = cases[name]
        sheet = DUPLEX if name == "pack30" else BRIEFING
        plain = write(case.pub, sheet, figure_resources() if name == "pack30" else {}, tagged=False)
        assert plain.data != case.data and len(plain.pages) == len(case.result.pages)
        for label, data in (("tagged", case.data), ("plain", plain.data)):
            (tmp_path / f"{name}-{label}.pdf").write_bytes(data)
            subprocess.run(["pdftoppm", "-r", "72", "-png", str(tmp_path / f"{name}-{label}.pdf"),
                            str(tmp_path / f"{name}-{label}")], check=True)
        tagged = sorted(tmp_path.glob(f"{name}-tagged*.png"))
        assert len(tagged) == len(case.result.pages)
        for page in tagged:
            other = Path(str(page).replace("-tagged", "-plain"))
            with PILImage.open(page) as a, PILImage.open(other) as b:
                assert ImageChops.difference(a.convert("RGB"), b.convert("RGB")).getbbox() is None, page.name


# -- right to left and mixed direction ------------------------------------------------------------------------


RTL = ["rtl:english-arabic-name", "rtl:english-hebrew-name", "rtl:arabic-with-english", "rtl:arabic", "rtl:pack",
       "rtl:mixed-pack"]


@pytest.mark.parametrize("name", RTL)
def test_right_to_left_text_has_every_glyph(cases, name):
    """No boxes: no character without a glyph (reported, printed as U+FFFD), no code drawing .notdef."""
    fonttools = pytest.importorskip("fontTools.ttLib")
    case = cases[name]
    assert not [d for d in case.result.diagnostics if d.code == "writer.missing-glyph"]
    assert "\ufffd" not in poppler(case.data)
    with pikepdf.open(io.BytesIO(case.data)) as pdf:
        cmaps: dict[tuple[int, int], dict[int, str]] = {}
        for page in pdf.pages:
            fonts = page.Resources.Font
            current = None
            for operands, operator in pikepdf.parse_content_stream(page):
                op = str(operator)
                if op == "Tf":
                    font = fonts[str(operands[0])]
                    current = font.objgen
                    if current not in cmaps:
                        program = fonttools.TTFont(io.BytesIO(font.FontDescriptor.FontFile2.read_bytes()))
                        cmaps[current] = program["cmap"].getcmap(1, 0).cmap
                elif op in ("Tj", "TJ") and current is not None:
                    strings = [operands[0]] if op == "Tj" else [o for o in operands[0] if isinstance(o, pikepdf.String)]
                    for code in b"".join(bytes(s) for s in strings):
                        assert cmaps[current].get(code, ".notdef") != ".notdef", (name, code)


@pytest.mark.parametrize("name", RTL)
def test_poppler_reads_right_to_left_text_in_logical_order(cases, name):
    case = cases[name]
    text = poppler(case.data).translate(BIDI_CONTROLS)
    # (words longer than a line, broken anywhere, are the hostile sample's: checked elsewhere)
    assert not missing_words([w for w in case.words if len(w) < 40], text)
    assert not re.search(r"[\ufb50-\ufdff\ufe70-\ufefe]", text)  # plain letters, not presentation forms


def test_names_in_the_other_direction_keep_their_brackets(cases):
    """Brackets stand on the right sides of a name in the other direction: poppler reads them back in logical
    order around the name (mirrored glyphs that extract as the brackets of the text)."""
    english = " ".join(poppler(cases["rtl:english-arabic-name"].data).translate(BIDI_CONTROLS).split())
    assert f"al-Muallem ({ARABIC_NAME})," in english
    assert "SANA (\u0633\u0627\u0646\u0627) that" in english
    hebrew = " ".join(poppler(cases["rtl:english-hebrew-name"].data).translate(BIDI_CONTROLS).split())
    assert f"Netanyahu ({HEBREW_NAME}) was" in hebrew
    arabic = " ".join(poppler(cases["rtl:arabic-with-english"].data).translate(BIDI_CONTROLS).split())
    assert "الروسي Sergey Lavrov (سيرغي لافروف) لوكالة TASS إن" in arabic
    assert "بصفة مراقب (Observer)." in " ".join(pypdf_text(cases["rtl:arabic-with-english"].data).translate(
        BIDI_CONTROLS).split())


def test_languages_of_parts_and_spans(cases):
    """An article in another language than the pack's is a Part with /Lang; a phrase marked in another
    language (a Span of the tree) is a Span element with /Lang; the catalog says the publication's."""
    english = cases["rtl:english-arabic-name"].report
    assert english.catalog_lang == "en"
    spans = [(n.lang, " ".join(n.reading.split())) for n in english.find("Span") if n.lang]
    assert ("ar", ARABIC_NAME) in spans
    mixed = cases["rtl:mixed-pack"].report
    assert mixed.catalog_lang == "ar"
    parts = mixed.find("Part")
    assert [p.lang for p in parts] == [None, None, "en", "en"]
    assert not english.span_langs and not mixed.span_langs  # no marked-content /Lang nested in an MCID


# -- packs ------------------------------------------------------------------------------------------------------


def test_pack_structure_in_reading_order(cases):
    case = cases["pack30"]
    report = case.report
    top = [n for n in report.nodes if n.depth == 1]
    assert [n.role for n in top[:3]] == ["Sect", "Sect", "Sect"]  # cover, contents, summary
    assert [n.role for n in top[3:-1]] == ["Part"] * 30 and top[-1].role == "P"  # the end mark
    assert "End of briefing pack" in top[-1].reading
    cover = top[0]
    assert [c.role for c in cover.children[:2]] == ["P", "H1"] and cover.children[0].reading.strip() == "OFFICIAL"
    headings = [n.role for n in report.nodes if re.fullmatch(r"H\d", n.role)]
    assert headings[:3] == ["H1", "H2", "H2"] and headings.count("H1") == 1
    (toc,) = report.find("TOC")
    entries = [n for n in toc.children if n.role == "TOCI"]
    links = [c for e in entries for c in e.children if c.role == "Link"]
    assert len(links) == len(entries) > 30 and all(link.annotations for link in links)
    pages = [c.reading for e in entries for c in e.children if c.role == "Reference"]
    assert all(p.isdigit() for p in pages) and len(pages) == len(entries)
    articles = frames(case.pub, DUPLEX).articles
    for number, (part, frame) in enumerate(zip(top[3:-1], articles, strict=True), start=1):
        # the marking and "Article n of 30" printed in the first page's header, said once, then the title
        first = [(c.role, c.reading.strip()) for c in part.children[:3]]
        assert frame.marking and first[0] == ("P", frame.marking), first
        assert first[1] == ("P", f"Article {number} of 30") and first[2][0] == "H2", first


def test_pack_furniture_is_artifact(cases):
    """Running headers, footers, markings and blank-page notes print on the pages but belong to no element:
    the only text of a blank verso in the structure is none."""
    case = cases["pack30"]
    tagged_text = "\n".join(n.text for n in case.report.nodes)
    printed = poppler(case.data)
    assert printed.count("This page is intentionally left blank") >= 1
    assert "intentionally left blank" not in tagged_text
    assert re.search(r"Page 1 of \d+", printed) and not re.search(r"Page \d+ of", tagged_text)
    assert case.report.artifact_text_operators > 2 * len(case.result.pages)


# -- pictures without alternative text ----------------------------------------------------------------------------


def _png() -> bytes:
    from PIL import Image as PILImage

    out = io.BytesIO()
    PILImage.new("RGB", (40, 30), (31, 78, 140)).save(out, format="PNG")
    return out.getvalue()


def test_a_picture_gets_its_caption_as_alt_or_is_decoration_and_reported():
    doc = Document(Meta(title="Pictures", language="en"), (
        Figure(caption=(Text("The delegations at the table"),), image="a.png"),  # no alt: the caption is the alt
        Figure(caption=(), image="b.png"),  # neither: decoration, reported
        Paragraph((Text("An icon "), Image("c.png", "", ""), Text(" and a flag "), Image("d.png", "flag", ""))),
    ))
    result = write(Publication((doc,)), resources={k: _png() for k in ("a.png", "b.png", "c.png", "d.png")})
    report = assert_tagged(result.data)
    alts = sorted(n.alt or "" for n in report.find("Figure"))
    assert alts == ["The delegations at the table", "flag"]
    reported = [d for d in result.diagnostics if d.code == "writer.accessibility"]
    assert sorted(d.text for d in reported) == ["b.png", "c.png"]
    assert all("no alternative text" in d.message for d in reported)


def test_problems_finish_finds_are_reported(monkeypatch):
    """What the post-processor could not express becomes a writer.accessibility diagnostic."""
    from briefpub.writers.pdf import render as render_module
    from briefpub.writers.pdf.tagging import finish

    def failing(data, recording):
        done = finish(data, recording)
        return type(done)(done.data, done.elements, done.pruned, ("a figure has no alternative text",))

    monkeypatch.setattr(render_module, "finish", failing)
    result = WRITER.write(Publication((rich_document(),)), BRIEFING,
                          WriteOptions(build_time=BUILD, fonts=style_fonts(BRIEFING)))
    assert [d.message for d in result.diagnostics if d.code == "writer.accessibility"] == [
        "tagged PDF: a figure has no alternative text"]


def test_a_phrase_in_another_language_is_a_span_with_lang():
    doc = Document(Meta(title="Span", language="en"), (Paragraph((
        Text("The French envoy called it "), Span((Text("un premier pas"),), lang="fr"),
        Text(" in Astana.")),),))
    report = assert_tagged(write(Publication((doc,))).data, word_breaks=True)
    (span,) = [n for n in report.find("Span") if n.lang]
    assert span.lang == "fr" and " ".join(span.text.split()) == "un premier pas"
    (paragraph,) = report.find("P")
    assert " ".join(paragraph.reading.split()) == "The French envoy called it un premier pas in Astana."
