"""Splitting across pages: widows, orphans, no hyphenated line at a page's foot, bookmarks."""

from __future__ import annotations

import pytest

from briefpub.writers.pdf.typeset import Bookmark, ParaStyle, Run, TextBlock, TextFlowable

LEADING = 14.5
BODY = ParaStyle(LEADING, hyphenate="en")
TEXT = (
    "The opposition group comprises field commanders of Turkey-backed armed groups that joined a ceasefire "
    "agreement of December 29 and not the political opposition. The nationwide ceasefire, which was mediated by "
    "Russia, Turkey and Iran, took effect at midnight of December 30 and was endorsed by the United Nations "
    "Security Council on December 31. It came after a deal brokered by the trio to evacuate militants from "
    "Aleppo late last month, handing the Syrian troops a major victory in liberating the second biggest Syrian "
    "city. Delegations of the three countries, which are in charge of overseeing the talks, arrived in the "
    "Kazakh capital on Saturday."
)
HUNGRY = " ".join(["internationalization", "representatives", "establishment", "conversations",
                   "understanding", "responsibilities", "administration", "extraordinarily",
                   "constitutional"] * 4)


def _flowable(fonts, text=TEXT, style=BODY):
    return TextFlowable(TextBlock.of([Run(text, fonts.chain(), 10.5)], style))


def _build_after_spacer(tools, flowable, free_lines: float):
    """The paragraph after a spacer leaving room for ``free_lines`` lines on the first page."""
    from reportlab.lib.pagesizes import A4
    from reportlab.platypus import Spacer

    frame_height = A4[1] - 2 * 62.36 - 12
    spacer = Spacer(1, frame_height - free_lines * LEADING - 0.5)
    return tools.build([spacer, flowable])


@pytest.mark.parametrize("free", range(1, 9))
def test_widows_and_orphans(tools, fonts, free):
    flowable = _flowable(fonts)
    total = flowable.line_count(tools.frame_width())
    assert total >= 6
    data = _build_after_spacer(tools, flowable, free + 0.5)
    pages = tools.bbox_lines(data)
    first = len(pages[0]) if pages[0] else 0
    second = sum(len(p) for p in pages[1:])
    assert first + second == total
    if first:
        assert (first >= 2 and second >= 2) or second == 0
    assert first <= free
    lines_first = pages[0]
    if lines_first and second:
        assert not lines_first[-1].words[-1].text.endswith("-")
    expected = tools.words(TEXT)
    assert tools.words(tools.pypdf_text(data)) == expected


def test_short_paragraphs_move_whole(tools, fonts):
    text = "The talks follow a December 20 meeting between the foreign ministers of Russia, Iran and Turkey in " \
           "Moscow, where they agreed on principles any settlement of the Syria crisis should adhere to, " \
           "officials said on Sunday."
    flowable = _flowable(fonts, text)
    assert flowable.line_count(tools.frame_width()) in (2, 3)
    data = _build_after_spacer(tools, flowable, 1.5)
    pages = tools.bbox_lines(data)
    assert not pages[0]
    assert len(pages[1]) == flowable.line_count(tools.frame_width())


def test_split_moves_up_rather_than_end_a_page_with_a_hyphen(tools, fonts):
    width = 220.0
    flowable = _flowable(fonts, HUNGRY)
    layout = flowable.layout(width)
    hyphenated = [i for i, line in enumerate(layout.lines) if line.hyphen]
    assert hyphenated, "the text should need hyphens at this width"
    checked = 0
    for index in hyphenated:
        fit = index + 1  # the split would end the page with this hyphenated line
        if fit < 2 or len(layout.lines) - fit < 2:
            continue
        parts = _flowable(fonts, HUNGRY).split(width, fit * LEADING + 0.5)
        assert len(parts) == 2
        head = parts[0]
        cut = head._last
        assert cut <= fit
        assert cut >= 2
        if any(not layout.lines[k - 1].hyphen for k in range(2, fit + 1)):
            assert not layout.lines[cut - 1].hyphen
        checked += 1
    assert checked


def test_parts_share_tag_and_keep_space_before_and_after(fonts):
    style = ParaStyle(LEADING, hyphenate="en", space_before=5, space_after=7, keep_with_next=True)
    flowable = TextFlowable(TextBlock.of([Run(TEXT, fonts.chain(), 10.5)], style), tag=("P", 1),
                            bookmark=Bookmark("k1", 0, "Title"))
    head, tail = flowable.split(300, 4 * LEADING)
    assert head.getSpaceBefore() == 5 and head.getSpaceAfter() == 0
    assert tail.getSpaceBefore() == 0 and tail.getSpaceAfter() == 7
    assert head.tag == tail.tag == ("P", 1)
    assert head.bookmark is not None and tail.bookmark is None
    assert not head.keepWithNext and tail.keepWithNext
    assert head.wrap(300, 1000)[1] == 4 * LEADING
    assert head.line_widths(300) + tail.line_widths(300) == flowable.line_widths(300)


def test_continuation_in_a_narrower_frame_rebreaks(fonts):
    flowable = _flowable(fonts)
    head, tail = flowable.split(400, 3 * LEADING)
    tail.wrap(250, 1000)
    text = " ".join(tail.layout(250).prepared.text.split())
    assert TEXT.endswith(text)
    assert tail.line_count(250) > flowable.line_count(400) - 3


def test_a_rebroken_continuation_stays_the_remainder_in_every_width(fonts):
    """A table cell's continuation is wrapped in more than one width: once re-broken, it is the rest of the
    text in each of them, never the whole paragraph again (a huge table cell looped over pages)."""
    flowable = _flowable(fonts)
    head, tail = flowable.split(400, 3 * LEADING)
    tail.wrap(390, 1000)
    for width in (400, 390, 250):
        tail.wrap(width, 1000)
        assert TEXT.endswith(" ".join(tail.layout(width).prepared.text.split()))
    assert tail.line_count(400) < flowable.line_count(400)


def test_bookmark_and_outline(tools, fonts):
    import io

    from pypdf import PdfReader

    heading = TextFlowable(TextBlock.of([Run("Astana talks", fonts.chain(bold=True), 16)],
                                        ParaStyle(20, balanced=True)), bookmark=Bookmark("astana", 0, "Astana talks"))
    data = tools.build([heading, _flowable(fonts)])
    reader = PdfReader(io.BytesIO(data))
    outline = reader.outline
    assert [item.title for item in outline] == ["Astana talks"]
    assert reader.get_destination_page_number(outline[0]) == 0


def test_a_paragraph_longer_than_five_pages_builds(tools, fonts):
    """Parts are copies of the paragraph; reportlab's count of how often a flowable was moved to the next
    page must not be inherited by them (a paragraph over more than five pages failed as "too large")."""
    from reportlab.platypus import Spacer

    text = "Before " + "x" * 30_000 + " after."
    data = tools.build([Spacer(1, 200), TextFlowable(TextBlock.of([Run(text, fonts.chain(), 10.5)], BODY))])
    import io

    import pypdf

    assert len(pypdf.PdfReader(io.BytesIO(data)).pages) > 5
