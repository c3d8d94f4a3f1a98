"""Justified English text: measure, word spaces, hyphens, last lines, whole words in extraction."""

from __future__ import annotations

import re
import statistics

import pytest

from briefpub.writers.pdf.typeset import Align, ParaStyle, Run, TextBlock, TextFlowable

LEADING = 14.5
BODY = ParaStyle(LEADING, hyphenate="en", space_after=6)


def _lines_of_paragraphs(tools, data):
    """pdftotext's lines, grouped into paragraphs by vertical gaps larger than the leading."""
    paragraphs: list[list] = []
    for page in tools.bbox_lines(data):
        previous = None
        for line in page:
            top = line.words[0].y0
            if previous is None or top - previous > LEADING + 1:
                paragraphs.append([])
            paragraphs[-1].append(line)
            previous = top
    return paragraphs


@pytest.fixture(scope="module")
def article_pdf(tools, fonts, story, article):
    return article, tools.build(story(article, fonts.chain(), BODY))


def test_justified_lines_fill_the_measure_with_similar_character_counts(tools, fonts, article_pdf):
    _texts, data = article_pdf
    width = tools.frame_width()
    left = 62.36 + 6
    counts = []
    for paragraph in _lines_of_paragraphs(tools, data):
        for line in paragraph[:-1]:  # the last line of a paragraph is not justified
            assert line.x0 == pytest.approx(left, abs=0.6), line.text
            assert line.x1 == pytest.approx(left + width, abs=0.6), line.text
            counts.append(len(line.text))
    assert len(counts) > 20
    median = statistics.median(counts)
    assert 70 <= median <= 100  # DejaVu Serif 10.5 pt across A4 less 22 mm margins
    assert all(0.8 * median <= c <= 1.2 * median for c in counts), counts


def test_word_spaces_stay_within_limits(tools, fonts, article_pdf):
    _texts, data = article_pdf
    widest = 0.0
    for paragraph in _lines_of_paragraphs(tools, data):
        for line in paragraph[:-1]:
            gaps = [b.x0 - a.x1 for a, b in zip(line.words, line.words[1:], strict=False)]
            widest = max(widest, *gaps)
            natural_space = 0.318 * 10.5  # DejaVu Serif's space
            assert min(gaps) >= 0.8 * natural_space - 0.05, line.text
    assert widest <= 0.45 * LEADING + 0.05
    assert widest > 3.4  # (spaces do stretch)


def test_hyphenation_limits(tools, fonts, article_pdf):
    _texts, data = article_pdf
    hyphenated = 0
    for paragraph in _lines_of_paragraphs(tools, data):
        ends = [line.words[-1].text.endswith("-") for line in paragraph]
        hyphenated += sum(ends)
        streak = 0
        for end in ends:
            streak = streak + 1 if end else 0
            assert streak <= 2
        if len(paragraph) >= 2 and paragraph[-2].words[-1].text.endswith("-"):
            # a hyphen on the penultimate line: never leaves a fragment alone on the last line
            assert len(paragraph[-1].words) >= 2
    assert hyphenated > 0  # the article is long enough to need some


def test_extraction_gives_whole_words(tools, fonts, article_pdf):
    texts, data = article_pdf
    expected = tools.words(" ".join(texts))
    assert tools.words(tools.pdftotext(data)) == expected
    assert tools.words(tools.pypdf_text(data)) == expected


@pytest.mark.parametrize("width", [180, 240, 300, 360])
def test_narrow_columns_keep_the_rules(tools, fonts, article, width):
    """Many paragraphs at narrow widths: limits hold or the paragraph is set ragged and reported."""
    texts = article
    flowables = [TextFlowable(TextBlock.of([Run(t, fonts.chain(), 10.5)], BODY)) for t in texts]
    margins = (595.2756 - width - 12) / 2
    data = tools.build(flowables, margins=margins)
    ragged = [f for f in flowables if f.report(width).ragged_fallback]
    for f in flowables:
        layout = f.layout(width)
        for line in layout.lines:
            assert line.width <= width + 0.01
            if line.justified:
                assert max(line.word_spaces, default=0) <= 0.45 * LEADING + 1e-6
        ends = [line.hyphen > 0 for line in layout.lines]
        assert "111" not in "".join("1" if e else "0" for e in ends)
        if len(layout.lines) > 1 and layout.lines[-2].hyphen == 2:
            last = layout.prepared.text[layout.lines[-1].start : layout.lines[-1].end]
            assert " " in last
    assert len(ragged) < len(flowables)
    assert tools.words(tools.pypdf_text(data)) == tools.words(" ".join(texts))
    # poppler drops a hard hyphen that ends a line (its dehyphenation): "Turkey-|backed" -> "Turkeybacked"
    expected = tools.words(" ".join(texts))
    got = tools.words(tools.pdftotext(data))
    assert len(got) == len(expected)
    for a, b in zip(got, expected, strict=True):
        assert a == b or (a == b.replace("-", "", 1) and "-" in b), (a, b)


def test_ragged_fallback_is_reported(tools, fonts):
    # words of about two fifths of the measure: two to a line leave gaps no space may fill, one alone is too short
    text = "Establishment representatives" + " establishment representatives" * 5
    block = TextBlock.of([Run(text, fonts.chain(), 10.5)], ParaStyle(LEADING))  # no hyphenation
    flowable = TextFlowable(block)
    flowable.wrap(190, 1000)
    report = flowable.report()
    assert report.ragged_fallback
    layout = flowable.layout(190)
    assert all(not line.justified for line in layout.lines)
    assert all(line.x == 0 for line in layout.lines)  # set flush left


def test_one_line_that_cannot_be_justified_is_set_short_not_the_whole_paragraph(fonts):
    """TeX's emergency pass: a line whose spaces would exceed the limit keeps them at the limit and stops
    short of the margin; the paragraph's other lines stay justified and nothing is reported."""
    text = ("Three options have been discussed by officials of the basin commission, and a fourth one was "
            "put forward by the delegation of the upper riparian states at the last meeting of the council.")
    style = ParaStyle(LEADING, hyphenate="en")
    emergencies = 0
    for width in range(150, 330, 3):
        flowable = TextFlowable(TextBlock.of([Run(text, fonts.chain(), 10.5)], style))
        layout = flowable.layout(width)
        if not flowable.report(width).ragged_fallback:
            short = [line for line in layout.lines[:-1] if line.width < line.available - 0.5]
            assert len(short) <= max(1, len(layout.lines) // 4)
            assert all(max(line.word_spaces, default=0) <= 0.45 * LEADING + 1e-6 for line in layout.lines)
            emergencies += bool(short)
    assert emergencies


def test_hyphen_limits_on_a_hyphen_hungry_text(tools, fonts):
    words = ["internationalization", "representatives", "establishment", "conversations", "understanding",
             "responsibilities", "administration", "extraordinarily", "constitutional"]
    text = " ".join(words * 6)
    block = TextBlock.of([Run(text, fonts.chain(), 10.5)], BODY)
    for width in (140, 170, 200, 230):
        layout = TextFlowable(block).layout(width)
        flags = "".join("1" if line.hyphen else "0" for line in layout.lines)
        assert "111" not in flags, flags
        assert layout.lines[-2].hyphen != 2 or " " in layout.prepared.text[layout.lines[-1].start:]


def test_minimum_fragments_and_word_length(fonts):
    from briefpub.writers.pdf.typeset.hyphenation import hyphenator

    hyph = hyphenator("en-US")
    assert hyph is not None
    for word in ("opposition", "preliminary", "negotiations", "Vandersloot", "ceasefire"):
        for point in hyph.points(word):
            assert point >= 2 and len(word) - point >= 3
    assert hyph.points("talks") == ()  # shorter than six letters
    assert hyph.points("NATO") == ()


def test_language_tags_map_to_patterns():
    from briefpub.writers.pdf.typeset import pyphen_language

    assert pyphen_language("en-US") == "en_US"
    assert pyphen_language("en-GB") == "en_GB"
    assert pyphen_language("en") == "en_US"
    assert pyphen_language("de-CH-1996") == "de_CH"
    assert pyphen_language("xx-YY") is None


def test_unknown_language_is_reported_and_not_hyphenated(fonts):
    text = "opposition representatives negotiations " * 10
    report = TextFlowable(TextBlock.of([Run(text, fonts.chain(), 10.5)],
                                       ParaStyle(LEADING, hyphenate="xx"))).report(200)
    assert report.unknown_language == "xx"
    quiet = TextFlowable(TextBlock.of([Run(text, fonts.chain(), 10.5)],
                                      ParaStyle(LEADING, hyphenate="ar"))).report(200)
    assert quiet.unknown_language is None  # Arabic is never hyphenated: nothing to report


def test_soft_hyphens_are_the_only_points_in_their_word(fonts):
    text = ("Extra\u00adordinarily " * 30).strip()
    layout = TextFlowable(TextBlock.of([Run(text, fonts.chain(), 10.5)], BODY)).layout(120)
    for line in layout.lines:
        if line.hyphen == 2:
            text = layout.prepared.text
            assert text[line.end - 1] == "\u00ad" or text[line.end - 5 : line.end] == "Extra"


def test_overlong_url_breaks_inside_the_frame(tools, fonts):
    url = "https://www.example.org/news/2017/01/22/astana-hosts-preparatory-syria-peace-talks?utm_source=feed&x=1"
    text = f"Read the original report at {url} for details of the talks."
    flowable = TextFlowable(TextBlock.of([Run(text, fonts.chain(), 10.5)], BODY))
    width = 200.0
    margins = (595.2756 - width - 12) / 2
    data = tools.build([flowable], margins=margins)
    assert flowable.report(width).overlong
    left = margins + 6
    for page in tools.bbox_lines(data):
        for line in page:
            assert line.x1 <= left + width + 0.5, line.text
    assert "".join(tools.words(tools.pypdf_text(data))) == "".join(text.split())
    assert "".join(tools.pdftotext(data).split()) == "".join(text.split())


def test_alignments(tools, fonts):
    text = "The talks follow a December 20 meeting between the foreign ministers of Russia, Iran and Turkey."
    width = 200.0
    for align, check in ((Align.LEFT, "left"), (Align.RIGHT, "right"), (Align.CENTER, "center")):
        block = TextBlock.of([Run(text, fonts.chain(), 10.5)], ParaStyle(LEADING, align=align))
        layout = TextFlowable(block).layout(width)
        for line in layout.lines:
            if check == "left":
                assert line.x == 0
            elif check == "right":
                assert line.x + line.width == pytest.approx(width)
            else:
                assert line.x + line.width / 2 == pytest.approx(width / 2)


def test_first_line_indent_and_side_indents(fonts):
    text = "The talks follow a December 20 meeting between the foreign ministers of Russia, Iran and Turkey " * 3
    style = ParaStyle(LEADING, first_indent=15, left_indent=10, right_indent=20, hyphenate="en")
    layout = TextFlowable(TextBlock.of([Run(text, fonts.chain(), 10.5)], style)).layout(300)
    assert layout.lines[0].x == pytest.approx(25)
    assert layout.lines[0].x + layout.lines[0].width == pytest.approx(280, abs=0.01)
    assert layout.lines[1].x == pytest.approx(10)
    assert layout.lines[1].x + layout.lines[1].width == pytest.approx(280, abs=0.01)


def test_hard_line_breaks(tools, fonts):
    from briefpub.writers.pdf.typeset import LINE_BREAK

    block = TextBlock.of([Run("First line", fonts.chain(), 10.5), LINE_BREAK, Run("second line\nthird", fonts.chain(),
                                                                                 10.5)], BODY)
    flowable = TextFlowable(block)
    assert flowable.line_count(400) == 3
    data = tools.build([flowable])
    assert [line.text for line in tools.bbox_lines(data)[0]] == ["First line", "second line", "third"]


def test_collapsed_spaces(fonts):
    layout = TextFlowable(TextBlock.of([Run("  Jan. 23-24   Astana’s  Rixos ", fonts.chain(), 10.5)], BODY)).layout(400)
    assert layout.prepared.text == "Jan. 23-24 Astana’s Rixos"
    assert re.fullmatch(r"[^ ].*[^ ]", layout.prepared.text)
