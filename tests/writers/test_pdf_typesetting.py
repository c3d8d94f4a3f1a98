"""The PDF briefing as a typesetter reviews it, measured from the output (``tests/pdfmeasure.py``).

Every figure is read back from the PDF with poppler's word boxes, never taken from the writer: the
measure (characters per full body line), the loosest word space against the line pitch, runs of
hyphenated line ends, the headline's last line, typographic punctuation, the labelled photo caption,
the source block kept with the article's end, and the pack's furniture (end mark, reference and
version in the footer, binding gutter). The reference article and every article fixture are set in
the ``briefing`` style on A4 and on Letter (and in ``plain``, where the rule applies to it).
"""

from __future__ import annotations

import dataclasses
import re
import subprocess
from datetime import UTC, datetime
from functools import cache
from pathlib import Path

import pypdf
import pytest

from articles import ARTICLES, ARTICLES_AND_REFERENCE, article_id
from briefpub.pipeline import prepare_article, style_fonts
from briefpub.styling import load_style, with_overrides
from briefpub.styling.model import StyleSheet
from briefpub.tree import Document, Meta, PackMeta, Publication
from briefpub.writers import WriteOptions, WriteResult
from briefpub.writers.pdf import WRITER
from pdfmeasure import Line, lines_of, measure, title_lines
from samples import pack_article, para
from shared_data import REFERENCE, require_shared, shared_or_none
from tools import require_tool

BUILD = datetime(2024, 5, 6, 7, 8, 9, tzinfo=UTC)
SIZES = ("A4", "Letter")
STYLES = ("briefing", "plain")


def sheet(name: str, size: str) -> StyleSheet:
    base = load_style(name)
    return dataclasses.replace(base, page=dataclasses.replace(base.page, size=size))


def write(pub: Publication, style: StyleSheet) -> WriteResult:
    return WRITER.write(pub, style, WriteOptions(build_time=BUILD, fonts=style_fonts(style)))


@cache
def document(path: Path) -> Document:
    if path == REFERENCE:
        require_shared(REFERENCE)
    return prepare_article(str(path)).document


@cache
def rendered(path: Path, style: str, size: str, folder: Path) -> tuple[Path, WriteResult]:
    """The article set in ``style`` on ``size`` paper, written to ``folder`` (one file per case)."""
    require_tool("pdftotext")
    result = write(Publication((document(path),)), sheet(style, size))
    out = folder / f"{article_id(path).replace('/', '_')}-{style}-{size}.pdf"
    out.write_bytes(result.data)
    return out, result


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("typesetting")


# -- the measure and the spacing -----------------------------------------------------------------------------


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("path", ARTICLES_AND_REFERENCE, ids=article_id)
def test_body_lines_are_60_to_75_characters(path, size, folder):
    """The briefing's measure: the median full body line holds 60-75 characters (a book typesetter's range).

    A short article with fewer than eight full lines has no meaningful median: each of its full lines
    must then hold 50-85 characters (a justified line of 60-75 on average varies by about a tenth)."""
    pdf, _result = rendered(path, "briefing", size, folder)
    setting = measure(pdf)
    assert setting.full_lines >= 1, setting
    if setting.full_lines >= 8:
        assert 60 <= setting.median_chars <= 75, setting
    else:
        assert setting.min_chars >= 50 and setting.max_chars <= 85, setting


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("path", ARTICLES_AND_REFERENCE, ids=article_id)
def test_no_word_space_wider_than_045_of_the_line_pitch(path, size, folder):
    """Justified lines never open rivers: the widest word space on a full line is at most 0.45 of the pitch,
    and at most two consecutive lines end in a hyphen."""
    pdf, _result = rendered(path, "briefing", size, folder)
    setting = measure(pdf)
    assert setting.loosest_space <= 0.45, (setting.loosest_space, setting.loosest_line)
    assert setting.hyphenated_runs <= 2, setting


def test_ragged_fallback_is_rare(folder):
    """A justified paragraph the engine cannot justify within the limits is set ragged and reported: on the
    fixtures and the reference article that happens to at most one paragraph in fifty."""
    paragraphs = ragged = 0
    for path in ARTICLES_AND_REFERENCE:
        if path == REFERENCE and shared_or_none(REFERENCE) is None:
            continue
        for size in SIZES:
            _pdf, result = rendered(path, "briefing", size, folder)
            ragged += sum(d.code == "writer.loose-justification" for d in result.diagnostics)
            paragraphs += sum(1 for _ in document(path).blocks)
    assert paragraphs > 100
    assert ragged * 50 <= paragraphs, (ragged, paragraphs)


def test_the_measure_check_can_fail(folder):
    """The old setting (10.5 pt DejaVu Serif across 22 mm margins) measured 85 characters: the check sees it."""
    old = with_overrides(load_style("briefing"), [
        ("page.margin_inner", "22mm"), ("page.margin_outer", "22mm"), ("body.size", "10.5pt"),
        ("body.leading", "14.5pt"), ("fonts.body", '["DejaVu Serif"]'),
    ])
    path = ARTICLES[0].parent.parent / "txt" / "geneva-round.txt"
    out = folder / "old-setting.pdf"
    out.write_bytes(write(Publication((document(path),)), old).data)
    assert measure(out).median_chars > 75


# -- headlines --------------------------------------------------------------------------------------------------


HEADLINES = (
    "Astana Hosts Preparatory Syria Peace Talks",
    "Talks on the Regional Ceasefire Resume in Geneva After a Week of Quiet Diplomacy",
    "Ministers Agree Outline of a Water-Sharing Deal",
    "Budget Vote Delayed",
)


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("style", STYLES)
@pytest.mark.parametrize("title", HEADLINES)
def test_headline_never_ends_with_one_word_alone(title, style, size, folder):
    doc = Document(Meta(title=title), (para("Text of the article. " * 20),))
    out = folder / f"headline-{abs(hash((title, style, size)))}.pdf"
    out.write_bytes(write(Publication((doc,)), sheet(style, size)).data)
    lines = title_lines(out)
    assert " ".join(line.text for line in lines) == title
    if len(title.split()) > 2:
        assert len(lines[-1].words) > 1, [line.text for line in lines]
    if len(lines) > 1:  # balanced: no line much shorter than the others
        widths = [line.x1 - line.x0 for line in lines]
        assert min(widths) > 0.45 * max(widths), [line.text for line in lines]


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("style", STYLES)
@pytest.mark.parametrize("path", ARTICLES_AND_REFERENCE, ids=article_id)
def test_fixture_headlines_and_headings_have_no_lone_last_word(path, style, size, folder):
    pdf, _result = rendered(path, style, size, folder)
    lines = title_lines(pdf)
    if len(" ".join(line.text for line in lines).split()) > 2:
        assert len(lines[-1].words) > 1, [line.text for line in lines]


# -- punctuation, captions, the source block ---------------------------------------------------------------


_URL = re.compile(r"\S*(://|www\.|@)\S*")


@pytest.mark.parametrize("path", ARTICLES_AND_REFERENCE, ids=article_id)
def test_briefing_text_has_no_straight_quotes(path, folder):
    """Typographic quotes and apostrophes in the text (addresses and code keep theirs)."""
    pdf, _result = rendered(path, "briefing", "A4", folder)
    text = "\n".join(page.extract_text() or "" for page in pypdf.PdfReader(pdf).pages)
    words = [w for w in _URL.sub(" ", text).split() if not w.startswith("<")]
    straight = [w for w in words if "'" in w or '"' in w]
    assert not straight, straight[:10]


def test_a_caption_without_its_photo_is_a_labelled_photo_caption(folder):
    """The pasted article's caption (pasted twice, no image) prints once, as "Photo: ..." in the caption
    style (smaller than the body, italic), after the title block's rule: never as the headline's deck."""
    pdf, result = rendered(REFERENCE, "briefing", "A4", folder)
    lines = lines_of(pdf, 1, 1)
    captions = [line for line in lines if line.text.startswith("Photo:")]
    assert len(captions) == 1
    text = " ".join(line.text for line in lines)
    assert text.count("Rixos President Hotel") == 1
    body = measure(pdf).pitch
    assert captions[0].height < body * 0.8  # caption size, not a standfirst's
    title = title_lines(pdf)
    assert captions[0].y0 - title[-1].y0 > title[-1].height * 1.5  # set apart from the headline
    reader = pypdf.PdfReader(pdf)
    fonts: set[str] = set()

    def visit(t: str, _cm: object, _tm: object, font: dict[str, object] | None, _size: object) -> None:
        if "Rixos" in t and font is not None:
            fonts.add(str(font["/BaseFont"]))

    reader.pages[0].extract_text(visitor_text=visit)
    assert fonts and all(f.endswith("It") or "Italic" in f for f in fonts), fonts
    assert not [d for d in result.diagnostics if d.severity != "info"]


def _page_lines(pdf: Path) -> dict[int, list[Line]]:
    out: dict[int, list[Line]] = {}
    for line in lines_of(pdf):
        out.setdefault(line.page, []).append(line)
    return out


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("style", STYLES)
@pytest.mark.parametrize("path", ARTICLES, ids=article_id)
def test_the_source_block_is_never_alone_on_a_page(path, style, size, folder):
    """The source block comes with at least the article's last two lines on its page; an article with
    nothing to attribute gets no empty source block."""
    pdf, _result = rendered(path, style, size, folder)
    doc = document(path)
    pages = _page_lines(pdf)
    if not (doc.meta.source or doc.meta.url or doc.meta.authors):
        assert not any(line.text == "Source" for lines in pages.values() for line in lines)
        return
    label = next(p for p in sorted(pages) if any(line.text == "Source" for line in pages[p]))
    heading = next(line for line in pages[label] if line.text == "Source")
    above = [line for line in pages[label] if line.y0 < heading.y0 and abs(line.height - body_height(pdf)) < 0.5]
    assert len(above) >= 2 or label == 1, [line.text for line in pages[label]][:6]


@cache
def body_height(pdf: Path) -> float:
    from pdfmeasure import body_lines

    lines = body_lines(lines_of(pdf))
    return lines[0].height if lines else 0.0


# -- packs ------------------------------------------------------------------------------------------------------


def _pack(count: int, **overrides: str) -> tuple[Publication, StyleSheet]:
    style = with_overrides(load_style("briefing"), list(overrides.items()))
    pub = Publication(tuple(pack_article(n) for n in range(1, count + 1)),
                      PackMeta(title="Morning Briefing Pack", marking="OFFICIAL", date="2024-05-06",
                               reference="BP/2024/001", version="2", compiled_by="Briefing Unit",
                               summary_page=True))
    return pub, style


def test_a_pack_ends_with_its_end_mark_and_carries_reference_and_version_in_every_footer(folder):
    require_tool("pdftotext")
    pub, style = _pack(3)
    result = write(pub, style)
    out = folder / "pack3.pdf"
    out.write_bytes(result.data)
    pages = subprocess.run(["pdftotext", str(out), "-"], capture_output=True, text=True, check=True).stdout
    texts = pages.split("\f")[:-1]
    for number, text in enumerate(texts, start=1):
        assert f"BP/2024/001 · Version 2 · Page {number} of {len(texts)}" in text
    assert "End of briefing pack" in texts[-1]
    assert texts[-1].index("End of briefing pack") > texts[-1].index("Source")  # after the last article


def test_the_gutter_widens_the_inside_margin_mirrored_in_duplex(folder):
    """``page.gutter`` moves the text column away from the binding: right on right-hand pages, left on
    left-hand ones (duplex), the column's width less the gutter."""
    require_tool("pdftotext")
    lefts: dict[str, dict[int, float]] = {}
    long_one = Document(Meta(title="Long"), tuple(para(f"Paragraph {i}. " + "Words to fill the line. " * 12)
                                                  for i in range(40)))
    for gutter in ("0mm", "12mm"):
        pub, style = _pack(2, **{"page.duplex": "true", "page.gutter": gutter})
        pub = Publication((long_one, *pub.documents), pub.pack)
        out = folder / f"gutter-{gutter}.pdf"
        out.write_bytes(write(pub, style).data)
        lefts[gutter] = {p: min(line.x0 for line in lines) for p, lines in _page_lines(out).items()
                         if not any("intentionally" in line.text for line in lines)}  # blank versos: centred
    shift = 12 * 72 / 25.4
    odd = [p for p in lefts["0mm"] if p % 2 == 1 and p in lefts["12mm"]]
    even = [p for p in lefts["0mm"] if p % 2 == 0 and p in lefts["12mm"]]
    assert odd and even
    assert all(abs(lefts["12mm"][p] - lefts["0mm"][p] - shift) < 1.0 for p in odd), odd
    assert all(abs(lefts["12mm"][p] - lefts["0mm"][p]) < 1.0 for p in even), even


# -- the tagger's hooks ----------------------------------------------------------------------------------------


def test_every_text_operator_of_a_pack_is_inside_a_tagger_sequence():
    """The writer's text, furniture and front matter included, is drawn inside marked content: a structure
    element's sequence or an artifact, never both, never nested (the full checks: ``tests/pdfstructure.py``)."""
    import io

    pikepdf = pytest.importorskip("pikepdf")
    pub, style = _pack(3, **{"page.duplex": "true"})
    data = write(pub, style).data
    pdf = pikepdf.open(io.BytesIO(data))
    shown = 0
    for page in pdf.pages:
        streams = [page, *(x for x in page.Resources.get("/XObject", {}).values() if x.get("/Subtype") == "/Form")]
        for stream in streams:
            stack: list[str] = []  # open marked content: "mcid", "artifact" or "other"
            inside_form = stream is not page
            for operands, operator in pikepdf.parse_content_stream(stream):
                op = str(operator)
                if op == "BDC":
                    props = operands[1]
                    kind = ("mcid" if isinstance(props, pikepdf.Dictionary) and "/MCID" in props else
                            "artifact" if str(operands[0]) == "/Artifact" else "other")
                    stack.append(kind)
                    assert stack.count("mcid") + stack.count("artifact") <= 1, "nested tagger sequences"
                elif op == "BMC":
                    stack.append("artifact" if str(operands[0]) == "/Artifact" else "other")
                elif op == "EMC":
                    stack.pop()
                elif op in ("Tj", "TJ", "'", '"'):
                    # (a footer form's text is drawn inside the page's footer artifact)
                    assert inside_form or stack.count("mcid") + stack.count("artifact") == 1, \
                        f"text outside a tagger sequence: {operands}"
                    assert not (inside_form and "mcid" in stack), "a form with marked content"
                    shown += 1
            assert not stack
    assert shown > 200
