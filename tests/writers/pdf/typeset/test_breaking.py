"""Line breaking (``briefpub.writers.pdf.typeset.breaking``): the Knuth-Plass breaker gives the breaks
its previous version gave (kept here as the reference), in every mode; the balanced search skips the
passes that first fit proves would fail and still finds the breaks the plain bisection finds; the items
of plain words are what the word-by-word path gives."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as hs

from briefpub.pipeline import style_fonts
from briefpub.styling import load_style
from briefpub.writers.pdf.typeset import breaking
from briefpub.writers.pdf.typeset._unicode import CLOSING, OPENING
from briefpub.writers.pdf.typeset.breaking import (
    ADJ_DEMERITS,
    BOX,
    DOUBLE_HYPHEN_DEMERITS,
    FINAL_HYPHEN_DEMERITS,
    GLUE,
    INFINITY,
    LINE_PENALTY,
    MAX_HYPHEN_STREAK,
    PENALTY,
    BreakItems,
)
from briefpub.writers.pdf.typeset.hyphenation import Hyphenator, hyphenator
from briefpub.writers.pdf.typeset.itemize import HARD_BREAK, Prepared, prepare
from briefpub.writers.pdf.typeset.model import ParaStyle, Run, TextBlock

CHAIN = tuple(style_fonts(load_style()).families("body")[0].faces)
WORDS = ["Harbour", "talks", "on", "a", "ceasefire", "in", "Astana", "UN", "Security", "Council", "endorses",
         "Russia\u2019s", "anti-terror", "\u2013", "2017", "Moscow-brokered", "www.example.org/a/long/path",
         "\u4e2d\u6587", "of", "nationwide", "x\u00adtra", "\u2028"]

PROSE = ["the", "talks", "in", "Astana", "brokered", "by", "Russia", "and", "Turkey", "ceasefire", "nationwide",
         "humanitarian", "anti-terror", "\u2013", "re\u00adorganisation", "a", "of", "representatives",
         "opposition", "www.example.org/a/very/long/path/to/somewhere", "2017", "\u2028"]


class _RefNode:
    __slots__ = ("demerits", "fitness", "index", "inserted", "line", "prev", "ratio", "streak", "tw", "ty", "tz")

    def __init__(self, index: int, line: int, fitness: int, streak: int, inserted: bool, tw: float, ty: float,
                 tz: float, demerits: float, prev: _RefNode | None, ratio: float) -> None:
        self.index = index
        self.line = line
        self.fitness = fitness
        self.streak = streak
        self.inserted = inserted
        self.tw = tw
        self.ty = ty
        self.tz = tz
        self.demerits = demerits
        self.prev = prev
        self.ratio = ratio


def _reference_knuth_plass(items: BreakItems, widths: tuple[float, float], *, justify: bool,
                           ragged_stretch: float = 0.0, balanced: bool = False, tolerance: float = 1.0,
                           strict_final: bool = True, lone_word: bool = False) -> list[tuple[int, float]] | None:
    """The breaker before its inner loop was reworked and ragged nodes pruned (kept as the reference).

    Optimal breaks as ``(item index, ratio)`` pairs, or None when no feasible set exists.

    ``widths`` is (first line, other lines). In justified mode lines are feasible
    when their adjustment ratio is within [-1, ``tolerance``]; a line with no glue
    to stretch is allowed (set at the start side) at maximal badness. In ragged
    mode (``justify`` False) lines only need to fit; their slack against
    ``ragged_stretch`` is their badness (minimum raggedness). ``balanced`` also
    treats the last line as an ordinary ragged line and forbids a single word on
    it when the paragraph has more than two words (unless ``lone_word``). ``strict_final`` forbids an
    inserted hyphen at the end of the penultimate line; otherwise it is only
    forbidden when the last line would be the word's fragment alone.
    """
    kind, width, stretch, shrink = items.kind, items.width, items.stretch, items.shrink
    penalty, hyphen, breakable = items.penalty, items.hyphen, items.breakable
    n = len(kind)
    final = n - 1
    # breakable word glue before each item (to find a last line made of a single word)
    word_glue_before = [0] * (n + 1)
    count = 0
    for i in range(n):
        word_glue_before[i] = count
        if kind[i] == GLUE and items.word_glue[i] and breakable[i]:
            count += 1
    word_glue_before[n] = count
    many_words = count >= 2
    active: list[_RefNode] = [_RefNode(-1, 0, 1, 0, False, 0.0, 0.0, 0.0, 0.0, None, 0.0)]
    sw = sy = sz = 0.0
    first_width, other_width = widths
    for b in range(n):
        k = kind[b]
        if k == BOX:
            sw += width[b]
            continue
        if k == GLUE:
            if not (breakable[b] and b > 0 and kind[b - 1] == BOX):
                sw += width[b]
                sy += stretch[b]
                sz += shrink[b]
                continue
            pen = 0.0
        else:
            pen = penalty[b]
            if pen >= INFINITY:
                continue
        forced = pen <= -INFINITY
        is_final = b == final
        extra_w = width[b] if k == PENALTY else 0.0
        flagged = hyphen[b] > 0
        best: dict[tuple[int, int], tuple[float, _RefNode, float]] = {}
        keep: list[_RefNode] = []
        for a in active:
            line_w = first_width if a.line == 0 else other_width
            length = sw - a.tw + extra_w
            last_line = is_final and not balanced
            if justify or last_line:
                if length < line_w:
                    if last_line or (forced and justify):
                        ratio = 0.0
                        bad = 0.0
                    else:
                        y = sy - a.ty
                        if y <= 0:
                            # nothing to stretch (one long word, a URL piece): allowed, at the start side,
                            # only when the line is nearly full anyway
                            ratio, bad = (0.0, 10000.0) if length >= 0.7 * line_w else (1e9, 1e9)
                        else:
                            ratio = (line_w - length) / y
                            bad = 100.0 * ratio * ratio * ratio if ratio <= tolerance else 1e9
                elif length > line_w:
                    z = sz - a.tz
                    ratio = (line_w - length) / z if z > 0 else -1e9
                    bad = 100.0 * -ratio * -ratio * -ratio if ratio >= -1 else 1e9
                else:
                    ratio, bad = 0.0, 0.0
            else:
                if length > line_w + 1e-6:
                    ratio, bad = -1e9, 1e9
                else:
                    ratio = (line_w - length) / ragged_stretch if ragged_stretch > 0 else 0.0
                    bad = min(100.0 * ratio * ratio * ratio, 10000.0)
            if ratio < -1 or forced:
                pass  # deactivated (below, by not keeping it)
            else:
                keep.append(a)
            if ratio < -1 or (ratio > tolerance and bad >= 1e9):
                continue
            # hard rules
            streak = a.streak + 1 if flagged else 0
            if streak > MAX_HYPHEN_STREAK:
                continue
            if is_final and a.inserted and (strict_final or word_glue_before[b] == word_glue_before[a.index + 1]):
                continue  # an inserted hyphen on the penultimate line (or a fragment alone on the last)
            if is_final and balanced and many_words and not lone_word and a.line >= 1 \
                    and word_glue_before[b] - word_glue_before[a.index + 1 if a.index >= 0 else 0] == 0:
                continue  # one word alone on the last line of a balanced paragraph
            if ratio < -0.5:
                fitness = 0
            elif ratio <= 0.5:
                fitness = 1
            elif ratio <= 1:
                fitness = 2
            else:
                fitness = 3
            d = LINE_PENALTY + bad
            d *= d
            if pen > 0:
                d += pen * pen
            elif pen > -INFINITY:
                d -= pen * pen
            if flagged and a.index >= 0 and hyphen[a.index] > 0:
                d += DOUBLE_HYPHEN_DEMERITS
            if is_final and a.index >= 0 and hyphen[a.index] > 0:
                d += FINAL_HYPHEN_DEMERITS
            if abs(fitness - a.fitness) > 1 and (justify and not last_line):
                d += ADJ_DEMERITS
            d += a.demerits
            key = (fitness, streak)
            current = best.get(key)
            if current is None or d < current[0]:
                best[key] = (d, a, ratio)
        active = keep
        if best:
            tw, ty, tz = sw, sy, sz
            for i in range(b, n):
                ki = kind[i]
                if ki == BOX:
                    break
                if ki == GLUE:
                    tw += width[i]
                    ty += stretch[i]
                    tz += shrink[i]
                elif penalty[i] <= -INFINITY and i > b:
                    break
            inserted = hyphen[b] == 2
            for (fitness, streak), (d, a, ratio) in sorted(best.items()):
                active.append(_RefNode(b, a.line + 1, fitness, streak, inserted, tw, ty, tz, d, a, ratio))
        if not active:
            return None
        if k == GLUE:
            sw += width[b]
            sy += stretch[b]
            sz += shrink[b]
    ends = [a for a in active if a.index == final]
    if not ends:
        return None
    node: _RefNode | None = min(ends, key=lambda a: (a.demerits, a.line))
    breaks: list[tuple[int, float]] = []
    while node is not None and node.index >= 0:
        breaks.append((node.index, node.ratio))
        node = node.prev
    breaks.reverse()
    return breaks


@settings(max_examples=400, deadline=None)
@given(words=hs.lists(hs.sampled_from(PROSE), min_size=1, max_size=40), width=hs.floats(min_value=30, max_value=420),
       first_indent=hs.sampled_from([0.0, 14.0]), mode=hs.sampled_from(["justify", "ragged", "balanced"]),
       hyphenate=hs.booleans(), tolerance=hs.sampled_from([breaking.PRETOLERANCE, 1.0, breaking.EMERGENCY_TOLERANCE]),
       strict_final=hs.booleans(), lone_word=hs.booleans())
def test_knuth_plass_matches_the_reference(words: list[str], width: float, first_indent: float, mode: str,
                                           hyphenate: bool, tolerance: float, strict_final: bool,
                                           lone_word: bool) -> None:
    justify = mode == "justify"
    style = ParaStyle(14.5, hyphenate="en-GB", balanced=mode == "balanced")
    prepared = prepare(TextBlock.of([Run(" ".join(words), CHAIN, 10.5)], style))
    widths = (max(width - first_indent, 1.0), width)
    items = breaking.break_items(prepared, min(widths), justify=justify, hyphenate=hyphenate)
    options = {"justify": justify, "strict_final": strict_final, "lone_word": lone_word}
    if justify:
        options["tolerance"] = tolerance
    else:
        options |= {"ragged_stretch": width * 0.25, "tolerance": 1e6, "balanced": mode == "balanced"}
    assert breaking.knuth_plass(items, widths, **options) == _reference_knuth_plass(items, widths, **options)


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

ITEM_WORDS = [*PROSE, "Zwei", "Stra\u00dfe", "stop.", "(TASS)", "\u4e2d\u6587", "\u00a0", "  ", "supercalifragilistic",
              "talks,", "said.", "1,000", "a/b", "x@y.org", "ceasefire,", "U.S.", "9/11", "representatives."]


def _reference_break_items(prepared: Prepared, line_width: float, *, justify: bool,
                           hyphenate: bool = True) -> BreakItems:
    """Items with every word through ``_word`` (before plain words took the shortcut)."""
    text = prepared.text
    n = len(text)
    style = prepared.block.style
    out = BreakItems(no_hyphens=not hyphenate)
    glue = breaking._Glue(prepared, justify)
    hyph: Hyphenator | None = hyphenator(style.hyphenate) if hyphenate and style.hyphenate else None
    cum = prepared.cum
    content_end = len(text.rstrip(" \t"))
    for match in breaking._TOKEN.finditer(text, 0, content_end):
        pos, end = match.span()
        kind = match.lastindex
        if kind == 1:
            if pos == 0 or text[pos - 1] == HARD_BREAK:
                continue
            natural = cum[end] - cum[pos]
            count = end - pos
            stretch, shrink = glue.space(natural / count)
            after = text[end] if end < n else ""
            can_break = text[pos - 1] not in OPENING and after not in CLOSING and after != HARD_BREAK
            out.add(GLUE, natural, pos, end, stretch=stretch * count, shrink=shrink * count,
                    breakable=can_break, word_glue=True)
        elif kind == 2:
            out.add(PENALTY, 0.0, pos, pos + 1, penalty=-INFINITY)
        else:
            breaking._word(prepared, out, glue, hyph, pos, end, line_width)
    out.add(GLUE, 0.0, content_end, content_end, stretch=float(INFINITY), breakable=False)
    out.add(PENALTY, 0.0, content_end, content_end, penalty=-INFINITY)
    return out.finish()


@settings(max_examples=300, deadline=None)
@given(words=hs.lists(hs.sampled_from(ITEM_WORDS), min_size=1, max_size=30),
       width=hs.floats(min_value=20, max_value=420), justify=hs.booleans(), hyphenate=hs.booleans(),
       lang=hs.sampled_from(["en-GB", "de", None]))
def test_break_items_match_the_word_by_word_path(words: list[str], width: float, justify: bool, hyphenate: bool,
                                                 lang: str | None) -> None:
    prepared = prepare(TextBlock.of([Run(" ".join(words), CHAIN, 10.5)], ParaStyle(14.5, hyphenate=lang)))
    found = breaking.break_items(prepared, width, justify=justify, hyphenate=hyphenate)
    expected = _reference_break_items(prepared, width, justify=justify, hyphenate=hyphenate)
    assert found.rows == expected.rows
    assert (found.widest_box, found.overlong) == (expected.widest_box, expected.overlong)
