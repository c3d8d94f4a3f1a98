"""Line breaking (``briefpub.writers.pdf.typeset.breaking``): the balanced search skips the passes that
first fit proves would fail and still finds the breaks the plain bisection finds."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as hs

from briefpub.pipeline import style_fonts
from briefpub.styling import load_style
from briefpub.writers.pdf.typeset import breaking
from briefpub.writers.pdf.typeset.itemize import prepare
from briefpub.writers.pdf.typeset.model import ParaStyle, Run, TextBlock

CHAIN = tuple(style_fonts(load_style()).families("body")[0].faces)
WORDS = ["Harbour", "talks", "on", "a", "ceasefire", "in", "Astana", "UN", "Security", "Council", "endorses",
         "Russia\u2019s", "anti-terror", "\u2013", "2017", "Moscow-brokered", "www.example.org/a/long/path",
         "\u4e2d\u6587", "of", "nationwide", "x\u00adtra", "\u2028"]


def _reference_balanced(items: breaking.BreakItems, widths: tuple[float, float]) -> list[tuple[int, float]]:
    """The bisection before first fit was consulted (every pass run)."""
    full = widths[1]
    for lone_word in (False, True):

        def run(w: float, lone: bool = lone_word) -> list[tuple[int, float]] | None:
            shrink = full - w
            return breaking.knuth_plass(items, (max(widths[0] - shrink, 1.0), w), justify=False,
                                        ragged_stretch=w * 0.25, balanced=True, tolerance=1e6, lone_word=lone)

        best = run(full)
        if best is None:
            continue
        count = len(best)
        if count <= 1 or count > breaking.BALANCE_MAX_LINES:
            return best
        lo, hi = max(items.widest_box, full / (count + 1)), full
        for _ in range(14):
            if hi - lo < 0.5:
                break
            mid = (lo + hi) / 2
            found = run(mid)
            if found is not None and len(found) <= count:
                hi, best = mid, found
            else:
                lo = mid
        return best
    return breaking._greedy(items, widths)


@settings(max_examples=300, deadline=None)
@given(words=hs.lists(hs.sampled_from(WORDS), min_size=1, max_size=18),
       width=hs.floats(min_value=40, max_value=520), first_indent=hs.sampled_from([0.0, 12.0, -8.0]),
       size=hs.sampled_from([10.5, 16.0, 22.0]))
def test_balanced_breaks_match_the_plain_bisection(words: list[str], width: float, first_indent: float,
                                                    size: float) -> None:
    style = ParaStyle(size * 1.2, balanced=True, first_indent=first_indent)
    prepared = prepare(TextBlock.of([Run(" ".join(words), CHAIN, size)], style))
    items = breaking.break_items(prepared, width - max(first_indent, 0.0), justify=False, hyphenate=False)
    widths = (max(width - first_indent, 1.0), width)
    assert breaking._balanced(items, widths) == _reference_balanced(items, widths)


@settings(max_examples=200, deadline=None)
@given(words=hs.lists(hs.sampled_from(WORDS), min_size=1, max_size=18),
       first=hs.floats(min_value=1, max_value=400), other=hs.floats(min_value=1, max_value=400))
def test_first_fit_never_counts_more_lines_than_the_breaker_finds(words: list[str], first: float,
                                                                   other: float) -> None:
    prepared = prepare(TextBlock.of([Run(" ".join(words), CHAIN, 16.0)], ParaStyle(19, balanced=True)))
    items = breaking.break_items(prepared, min(first, other), justify=False, hyphenate=False)
    floor = breaking._FewestLines(items).count(first, other)
    for lone_word in (False, True):
        found = breaking.knuth_plass(items, (first, other), justify=False, ragged_stretch=other * 0.25,
                                     balanced=True, tolerance=1e6, lone_word=lone_word)
        if found is not None and floor is not None:
            assert floor <= len(found)
