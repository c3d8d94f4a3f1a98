"""Edge cases and properties: any text lays out inside its column and extracts as written."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from briefpub.writers.pdf.typeset import LINE_BREAK, Align, ParaStyle, Run, TextBlock, TextFlowable

LEADING = 14.5

WORDS = ["talks", "opposition", "Astana", "representatives", "24-hour", "face-to-face", "(TASS)", "U.N.",
         "سيرجي", "لافروف", "المحادثات", "בנימין", "נתניהו", "переговоры", "Ελληνικά", "https://example.org/a/b?c=d",
         "internationalization", "“quoted”", "co-operation,", "1,000", "٢٠١٧", "e\u0301te\u0301",
         "x\u00adtra\u00adordinary"]


def test_empty_and_blank_paragraphs(tools, fonts):
    for items in ([], [Run("", fonts.chain(), 10.5)], [Run("   ", fonts.chain(), 10.5)], [LINE_BREAK]):
        flowable = TextFlowable(TextBlock.of(items, ParaStyle(LEADING)))
        assert flowable.wrap(300, 1000) == (300, 0)
    data = tools.build([TextFlowable(TextBlock.of([Run("  ", fonts.chain(), 10.5)], ParaStyle(LEADING))),
                        TextFlowable(TextBlock.of([Run("after", fonts.chain(), 10.5)], ParaStyle(LEADING)))])
    assert tools.words(tools.pypdf_text(data)) == ["after"]


def test_hard_breaks_at_the_edges(fonts):
    block = TextBlock.of([LINE_BREAK, Run("a\nb\n", fonts.chain(), 10.5), LINE_BREAK], ParaStyle(LEADING))
    flowable = TextFlowable(block)
    assert flowable.line_count(300) >= 2


def test_a_single_huge_word_in_a_tiny_column(tools, fonts):
    word = "Antidisestablishmentarianism" * 3
    flowable = TextFlowable(TextBlock.of([Run(word, fonts.chain(), 10.5)], ParaStyle(LEADING, balanced=True)))
    layout = flowable.layout(40)
    assert all(line.width <= 40 + 0.01 for line in layout.lines)
    assert "".join(layout.prepared.text[line.start : line.end] for line in layout.lines) == word


@given(
    words=st.lists(st.sampled_from(WORDS), min_size=1, max_size=40),
    width=st.floats(min_value=60, max_value=470),
    align=st.sampled_from(list(Align)),
    balanced=st.booleans(),
    direction=st.sampled_from(["auto", "ltr", "rtl"]),
)
def test_any_text_fits_and_extracts(fonts, words, width, align, balanced, direction):
    text = " ".join(words)
    style = ParaStyle(LEADING, align=align, balanced=balanced, direction=direction, hyphenate="en")
    flowable = TextFlowable(TextBlock.of([Run(text, fonts.chain(), 10.5)], style))
    layout = flowable.layout(width)
    for line in layout.lines:
        assert line.x >= -0.01
        assert line.x + line.width <= width + 0.01
        if line.justified:
            assert max(line.word_spaces, default=0) <= 0.45 * LEADING + 1e-6
    flags = "".join("1" if line.hyphen else "0" for line in layout.lines)
    assert "111" not in flags
    # every character is on exactly one line, in order
    pieces = [layout.prepared.text[line.start : line.end] for line in layout.lines]
    assert "".join(pieces).replace(" ", "") == layout.prepared.text.replace(" ", "")


@given(words=st.lists(st.sampled_from(WORDS), min_size=1, max_size=30), width=st.floats(min_value=120, max_value=470))
def test_any_text_extracts_as_written_with_pypdf(tools, fonts, words, width):
    text = " ".join(words)
    flowable = TextFlowable(TextBlock.of([Run(text, fonts.chain(), 10.5)], ParaStyle(LEADING, hyphenate="en")))
    margins = (595.2756 - width - 12) / 2
    data = tools.build([flowable], margins=margins)
    expected = "".join(text.replace("\u00ad", "").split())
    assert "".join(tools.words(tools.pypdf_text(data))) == expected


@pytest.mark.parametrize("direction", ["ltr", "rtl"])
def test_direction_overrides_rule_p2(fonts, direction):
    layout = TextFlowable(TextBlock.of([Run("Talks (محادثات) 2017", fonts.chain(), 10.5)],
                                       ParaStyle(LEADING, direction=direction, align=Align.START))).layout(400)
    assert layout.prepared.base_level == (1 if direction == "rtl" else 0)
    line = layout.lines[0]
    if direction == "rtl":
        assert line.x + line.width == pytest.approx(400)
    else:
        assert line.x == 0
