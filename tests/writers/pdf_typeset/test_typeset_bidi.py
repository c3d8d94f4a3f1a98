"""Right-to-left and mixed-direction text: order, shaping, fallback fonts, extraction."""

from __future__ import annotations

import io
import re

import pytest

from briefpub.writers.pdf.typeset import ParaStyle, Run, Tag, TextBlock, TextFlowable

LEADING = 14.5
ENGLISH = (
    "Delegations from the harbour authority and the dockworkers' union held preliminary talks in the coastal "
    "capital, on the eve of negotiations between the port's owners and the opposition groups."
)
MIXED_AR = "The envoy (سيرجي لافروف) said the talks would go on; the delegation arrived on Sunday."
MIXED_HE = "Prime Minister בנימין נתניהו (ראש הממשלה) was not invited, according to officials."
ARABIC = (
    "بدأت المحادثات التمهيدية في العاصمة الكازاخستانية يوم الأحد، ووصل الوفد الحكومي السوري برئاسة بشار "
    "الجعفري. وقال إن المحادثات لا تزال في مرحلتها الأولى، وإن الأطراف ستلتقي للمرة الأولى منذ بداية الصراع."
)
ARABIC_WITH_LATIN = "وقال Sergey Lavrov (TASS) إن المحادثات لا تزال في مرحلتها الأولى، وإن الوفد وصل يوم الأحد."
PRESENTATION_FORMS = re.compile("[\ufb50-\ufdff\ufe70-\ufeff]")


def _block(text, chain, **style):
    return TextBlock.of([Run(text, chain, 10.5)], ParaStyle(LEADING, **style))


@pytest.fixture(scope="module")
def english_page(tools, fonts):
    """An English page (poppler reads it left to right) with Arabic and Hebrew names."""
    chain = (fonts.serif, fonts.arabic, fonts.hebrew)  # no DejaVu Sans: Arabic and Hebrew come from Noto
    story = [TextFlowable(_block(t, chain, hyphenate="en")) for t in (ENGLISH, MIXED_AR, ENGLISH, MIXED_HE, ENGLISH)]
    return tools.build(story)


@pytest.fixture(scope="module")
def arabic_page(tools, fonts):
    """An Arabic page: an Arabic paragraph and one with English inside."""
    chain = (fonts.arabic, fonts.sans)
    story = [TextFlowable(_block(t, chain)) for t in (ARABIC, ARABIC_WITH_LATIN, ARABIC)]
    return tools.build(story)


def test_mixed_paragraphs_extract_in_logical_order(tools, english_page):
    expected = tools.words(" ".join((ENGLISH, MIXED_AR, ENGLISH, MIXED_HE, ENGLISH)))
    poppler = tools.pdftotext(english_page)
    pypdf = tools.pypdf_text(english_page)
    assert tools.words(poppler) == expected
    assert tools.words(pypdf) == expected
    for text in (poppler, pypdf):
        assert not PRESENTATION_FORMS.search(text)
        assert "سيرجي لافروف" in text.translate({0x200E: None, 0x202B: None, 0x202C: None})


def test_arabic_paragraphs_extract_in_logical_order(tools, arabic_page):
    expected = tools.words(" ".join((ARABIC, ARABIC_WITH_LATIN, ARABIC)))
    for text in (tools.pdftotext(arabic_page), tools.pypdf_text(arabic_page)):
        assert tools.words(text) == expected
        assert not PRESENTATION_FORMS.search(text)


def test_lam_alef_ligature_extracts_as_two_letters(tools, fonts):
    data = tools.build([TextFlowable(_block("لا السلام الاتفاق", (fonts.arabic,)))])
    for text in (tools.pdftotext(data), tools.pypdf_text(data)):
        assert tools.words(text) == ["لا", "السلام", "الاتفاق"]


def test_visual_order_of_a_right_to_left_name(fonts):
    """The Arabic name sits between the brackets, drawn right to left; the brackets (level 0) are not mirrored."""
    layout = TextFlowable(_block(MIXED_AR, (fonts.serif, fonts.arabic))).layout(500)
    runs = [run for run in layout.lines[0].runs if not run.mark]
    texts = ["".join(run.texts) for run in runs]
    assert texts[0].endswith("(")
    assert runs[1].level == 1
    # left to right on the page: the name's last letter first; each glyph stands for its letters
    logical = "".join(reversed(runs[1].texts))
    assert logical == "سيرجي لافروف"
    assert texts[2].startswith(")")
    assert runs[0].x < runs[1].x < runs[2].x


def test_brackets_inside_right_to_left_text_are_mirrored(fonts):
    layout = TextFlowable(_block("قال (رويترز) إن", (fonts.arabic, fonts.sans))).layout(400)
    run = next(r for r in layout.lines[0].runs if "(" in r.texts)
    face = run.item.font
    # the logical "(" is drawn with the ")" glyph (rule L4, HarfBuzz mirroring) and extracts as "("
    assert run.gids[run.texts.index("(")] == face.nominal_glyph(")")


def test_latin_inside_arabic_keeps_bracket_pairs_together(fonts):
    """Rule N0: "(TASS)" after Latin text inside an Arabic paragraph keeps both brackets with TASS."""
    layout = TextFlowable(_block(ARABIC_WITH_LATIN, (fonts.arabic, fonts.sans))).layout(800)
    latin = [run for run in layout.lines[0].runs if run.level == 2]
    assert "".join("".join(r.texts) for r in latin) == "Sergey Lavrov (TASS)"


def test_fonts_used_and_no_missing_glyphs(tools, english_page, arabic_page):
    fontTools = pytest.importorskip("fontTools.ttLib")
    pikepdf = pytest.importorskip("pikepdf")
    names = {row[0].split("+", 1)[-1] for row in tools.pdffonts(english_page)}
    assert {"DejaVuSerif", "NotoSansArabic-Regular", "NotoSansHebrew-Regular"} <= names
    for data in (english_page, arabic_page):
        pdf = pikepdf.open(io.BytesIO(data))
        for page in pdf.pages:
            fonts = page.Resources.Font
            current = None
            cmaps: dict[str, dict[int, str]] = {}
            for operands, operator in pikepdf.parse_content_stream(page):
                op = str(operator)
                if op == "Tf":
                    current = str(operands[0])
                    if current not in cmaps:
                        font = fonts[current]
                        tt = fontTools.TTFont(io.BytesIO(font.FontDescriptor.FontFile2.read_bytes()))
                        cmaps[current] = tt["cmap"].getcmap(1, 0).cmap
                elif op in ("Tj", "TJ"):
                    strings = [operands[0]] if op == "Tj" else [o for o in operands[0] if isinstance(o, pikepdf.String)]
                    for s in strings:
                        for code in bytes(s):
                            glyph = cmaps[current].get(code, ".notdef")
                            assert glyph != ".notdef", (current, code)


def test_missing_characters_print_a_replacement_and_are_reported(tools, fonts):
    text = "A symbol no font has: \U0001f9ec here."  # (emoji not in these fonts)
    flowable = TextFlowable(_block(text, (fonts.serif, fonts.sans)))
    data = tools.build([flowable])
    report = flowable.report(400)
    assert report.missing == frozenset({0x1F9EC})
    assert "\ufffd" in tools.pypdf_text(data)


def test_inline_markup_inside_right_to_left_text(tools, fonts):
    """Bold, a link and a fallback font inside an Arabic paragraph keep their places."""
    chain = (fonts.arabic, fonts.sans)
    bold = (fonts.sans_bold, fonts.arabic)
    runs = [
        Run("قال المتحدث ", chain, 10.5),
        Run("باسم الوفد", bold, 10.5),
        Run(" في ", chain, 10.5),
        Run("مؤتمر صحفي", chain, 10.5, link="https://example.org/ar", underline=True),
        Run(" إن الجولة انتهت.", chain, 10.5),
    ]
    flowable = TextFlowable(TextBlock.of(runs, ParaStyle(LEADING)))
    data = tools.build([flowable])
    expected = tools.words("".join(r.text for r in runs))
    assert tools.words(tools.pypdf_text(data)) == expected
    assert tools.words(tools.pdftotext(data)) == expected
    line = flowable.layout(tools.frame_width()).lines[0]
    # right to left: the first run is drawn rightmost
    first = next(r for r in line.runs if r.run == 0)
    last = next(r for r in line.runs if r.run == 4)
    assert first.x > last.x


def test_right_to_left_glyphs_carry_their_logical_text(tools, fonts):
    """Glyphs of right-to-left text are drawn in visual order (what poppler and pypdf expect); each group's
    sequence carries its logical text, which a structure tagger makes a Span's ActualText."""
    from briefpub.writers.pdf.typeset import RecordingTagger

    tagger = RecordingTagger()
    chain = (fonts.arabic, fonts.sans)
    tools.build([TextFlowable(_block(t, chain), tag=Tag("P")) for t in (ARABIC, ARABIC_WITH_LATIN)], tagger=tagger)
    logical = [s.logical for s in tagger.sequences if s.logical is not None]
    assert logical and all(s.role == "Span" for s in tagger.sequences if s.logical is not None)
    for text in logical:  # plain letters in reading order, no bidi marks
        assert not PRESENTATION_FORMS.search(text) and "\u200e" not in text and "\u200f" not in text
    joined = " ".join("".join(logical).split())
    for phrase in ("بدأت المحادثات التمهيدية في العاصمة", "وإن الوفد وصل يوم الأحد."):
        assert phrase in joined
    assert "Sergey" not in joined  # left-to-right text inside Arabic is drawn in logical order already


def test_bidi_marks_fall_back_to_a_face_that_has_a_zero_width_glyph(tools, fonts):
    """Source Serif Pro has no zero-width glyph: the marks around English inside Arabic are drawn with the
    Arabic run's face, and poppler keeps the words around the direction boundary apart."""
    from briefpub.fonts import find_family

    serif = find_family("Source Serif Pro")
    if serif is None:
        pytest.skip("Source Serif Pro is not installed (the source-serif-pro package)")
    face = serif.face(False, False)
    from briefpub.writers.pdf.typeset import font_data

    assert font_data(face).zero_width_glyph is None
    text = "وقال وزير الخارجية الروسي Sergey Lavrov (سيرغي لافروف) لوكالة TASS إن المحادثات ستبدأ يوم 23 يناير."
    flowable = TextFlowable(_block(text, (face, fonts.sans), direction="rtl"))
    marks = [run for line in flowable.layout(800).lines for run in line.runs if run.mark]
    assert len(marks) >= 4
    data = tools.build([flowable] * 2)
    assert tools.words(tools.pdftotext(data)) == text.split() * 2
