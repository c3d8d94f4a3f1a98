"""Balanced headings: lines of similar length, never one word alone on the last line."""

from __future__ import annotations

import pytest

from briefpub.writers.pdf.typeset import Align, ParaStyle, Run, TextBlock, TextFlowable

HEADLINES = [
    "Harbour Hosts Preliminary Port Strike Talks",
    "Harbour Hosts Preliminary Port Strike Talks Between Owners and Dockworkers' Union",
    "Russia, Iran and Turkey agree on principles for a settlement of the Syria crisis in Moscow",
    "Ceasefire takes effect at midnight",
    "Talks end with a joint statement on monitoring the nationwide ceasefire and humanitarian access",
    "UN Security Council endorses the ceasefire brokered by Russia and Turkey, clearing the way for talks",
]


def _heading(text, fonts, size=22.0, align=Align.LEFT):
    style = ParaStyle(size * 1.2, align=align, balanced=True)
    return TextFlowable(TextBlock.of([Run(text, fonts.chain(bold=True, base="sans"), size)], style))


def _last_two_fit(text, fonts, width, size=22.0):
    block = TextBlock.of([Run(" ".join(text.split()[-2:]), fonts.chain(bold=True, base="sans"), size)], ParaStyle(30))
    return TextFlowable(block).line_widths(10000)[0] <= width


def _greedy_last_line_words(flowable, width):
    """What an unbalanced ragged layout gives, for comparison."""
    block = flowable.block
    style = ParaStyle(block.style.leading, align=Align.LEFT)
    layout = TextFlowable(TextBlock(block.items, style)).layout(width)
    return layout


@pytest.mark.parametrize("width", [250, 320, 400, 470])
@pytest.mark.parametrize("text", HEADLINES)
def test_no_single_word_on_the_last_line(fonts, text, width):
    flowable = _heading(text, fonts)
    layout = flowable.layout(width)
    lines = [layout.prepared.text[line.start : line.end] for line in layout.lines]
    if len(lines) > 1 and len(text.split()) > 2 and _last_two_fit(text, fonts, width):
        assert len(lines[-1].split()) >= 2, lines
    for line in layout.lines:
        assert line.width <= width + 0.01


@pytest.mark.parametrize("width", [250, 320, 400, 470])
@pytest.mark.parametrize("text", HEADLINES)
def test_lines_are_of_similar_length(fonts, text, width):
    layout = _heading(text, fonts).layout(width)
    if len(layout.lines) < 2:
        return
    widths = [line.width for line in layout.lines]
    ragged = _greedy_last_line_words(_heading(text, fonts), width)
    assert len(layout.lines) == len(ragged.lines)  # balancing never adds a line
    spread = max(widths) - min(widths)
    ragged_spread = max(line.width for line in ragged.lines) - min(line.width for line in ragged.lines)
    assert spread <= ragged_spread + 0.01
    if _last_two_fit(text, fonts, width):
        assert min(widths) >= 0.45 * max(widths), widths


def test_balanced_heading_in_a_pdf(tools, fonts):
    text = HEADLINES[1]
    data = tools.build([_heading(text, fonts)])
    lines = tools.bbox_lines(data)[0]
    assert len(lines) > 1
    assert len(lines[-1].words) >= 2
    assert tools.words(tools.pypdf_text(data)) == text.split()
    assert tools.words(tools.pdftotext(data)) == text.split()


def test_centred_balanced_heading(fonts):
    layout = _heading(HEADLINES[2], fonts, align=Align.CENTER).layout(300)
    for line in layout.lines:
        assert line.x + line.width / 2 == pytest.approx(150, abs=0.01)


def test_two_word_heading_may_wrap_one_word_per_line(fonts):
    layout = _heading("Internationalization Representatives", fonts, size=20).layout(260)
    assert len(layout.lines) == 2


def test_a_long_balanced_text_is_set_in_a_bounded_number_of_passes(fonts, monkeypatch):
    """A standfirst of dozens of lines is set ragged: no 15-pass search for even lines (fuzz case 3977:
    a 6,300-character subtitle took 13 s of CPU in 28 passes)."""
    from briefpub.writers.pdf.typeset import breaking

    calls = []
    real = breaking.knuth_plass

    def counting(*args, **kwargs):
        calls.append(kwargs.get("balanced", False))
        return real(*args, **kwargs)

    monkeypatch.setattr(breaking, "knuth_plass", counting)
    text = " ".join(HEADLINES * 6)
    layout = _heading(text, fonts, size=12.0).layout(300)
    assert len(layout.lines) > breaking.BALANCE_MAX_LINES
    assert len(calls) <= 2, calls
    assert all(line.width <= 300.01 for line in layout.lines)
    calls.clear()
    short = _heading(HEADLINES[4], fonts).layout(300)  # a heading of a few lines is still balanced (searched)
    assert 1 < len(short.lines) <= breaking.BALANCE_MAX_LINES
    assert len(calls) > 2
