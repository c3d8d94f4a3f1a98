"""Line breaking: break opportunities and a whole-paragraph Knuth-Plass breaker.

:func:`break_items` turns a prepared paragraph into Knuth-Plass items (boxes,
glue, penalties) over UAX #14-like break opportunities:

* spaces (glue; a run of spaces breaks as one), never before closing punctuation
  or after opening punctuation; no-break spaces stretch but never break;
* after a hyphen between letters and after dashes (``anti-|terror``; the line
  counts as hyphenated when it ends in a hyphen);
* between CJK ideographs (zero-width glue, so CJK lines justify too), except
  before closing punctuation and small kana, and inside a Korean word;
* hyphenation points from the paragraph's language (a run's own ``lang``, when it
  is another language, for its words) (:mod:`.hyphenation`) or soft
  hyphens in the text (a hyphen is inserted there);
* for a word wider than the line (a URL): after ``/ . - ? & = _ # :``, and as a
  last resort between any two grapheme clusters, with no hyphen.

:func:`knuth_plass` finds the breaks with the least total demerits (fitness
classes, adjacent-hyphen and final-hyphen demerits) under hard limits: a
justified line's spaces stay within ``[min_word_space x natural,
max_word_space x leading]``; at most two consecutive hyphenated lines; no
inserted hyphen on the penultimate line (so no word fragment stands alone on the
last line); in balanced mode, no single word alone on the last line.
:func:`break_paragraph` applies it: justified when feasible; else TeX's
emergency pass (the least bad breaks, where a line that cannot be justified
within the limit keeps its spaces at the limit and stops short of the margin,
an underfull line); else ragged (the caller is told); or balanced (lines of
similar length) for headings.
"""

from __future__ import annotations

import bisect
import itertools
from collections.abc import Sequence
from dataclasses import dataclass, field

from briefpub._lazyre import lazy_re
from briefpub.writers.pdf.typeset._unicode import CLOSING, OPENING, cluster_bounds, is_cjk
from briefpub.writers.pdf.typeset.hyphenation import NEVER_HYPHENATED, Hyphenator, hyphenator
from briefpub.writers.pdf.typeset.itemize import HARD_BREAK, Prepared
from briefpub.writers.pdf.typeset.model import Align

__all__ = ["INFINITY", "BreakItems", "LineSpec", "break_items", "break_paragraph", "knuth_plass"]

INFINITY = 10000
BOX, GLUE, PENALTY = 0, 1, 2

#: Demerits and penalties (TeX's defaults, tuned for news columns).
LINE_PENALTY = 10
HYPHEN_PENALTY = 50
EX_HYPHEN_PENALTY = 50
DASH_PENALTY = 30
URL_PENALTY = 100
URL_HYPHEN_PENALTY = 800
ANYWHERE_PENALTY = 3000
ADJ_DEMERITS = 10000
DOUBLE_HYPHEN_DEMERITS = 10000
FINAL_HYPHEN_DEMERITS = 5000
MAX_HYPHEN_STREAK = 2
#: The adjustment ratio accepted in the emergency pass: any (the line's spaces are then capped at the limit).
EMERGENCY_TOLERANCE = 1e6
#: The loosest adjustment ratio accepted in the first pass, without hyphenation (spaces up to 3/4 of
#: the way from natural to the limit).
PRETOLERANCE = 0.75
#: Balanced settings (titles, headings, standfirsts) longer than this many lines are set ragged instead.
BALANCE_MAX_LINES = 8

_HYPHENS = "-\u2010"
_DASHES = "\u2013\u2014"
#: Where an overlong address breaks (after "-" only at a higher cost: poppler drops a hyphen ending a line).
_URL_BREAK_AFTER = frozenset("/.?&=_#:,;~+|\\")
_SPACE_RUN = lazy_re(r"[ \t\u1680\u2000-\u2006\u2008-\u200a\u205f\u3000]+")
#: Spaces (group 1), a hard break (2) or a word (3).
_TOKEN = lazy_re(r"([ \t\u1680\u2000-\u2006\u2008-\u200a\u205f\u3000]+)|(\u2028)"
                    r"|([^ \t\u1680\u2000-\u2006\u2008-\u200a\u205f\u3000\u2028]+)")
#: Tokens that are addresses, paths or codes rather than words: never hyphenated.
_NOT_A_WORD = lazy_re(r"[/@\\=&?#_]|://|^www\.|\.[a-z]{2,4}$|\d")
_WORD_CORE = lazy_re(r"[^\W\d_]+(?:['’][^\W\d_]+)*")


_Row = tuple[int, float, float, float, float, int, int, int, bool, bool]


@dataclass(slots=True)
class BreakItems:
    """Knuth-Plass items in parallel sequences (positions are character offsets).

    Items are appended as rows (:meth:`add`, or ``rows.append`` in hot loops) and
    turned into the parallel sequences by :meth:`finish`.
    """

    rows: list[_Row] = field(default_factory=list)
    kind: Sequence[int] = ()
    width: Sequence[float] = ()
    stretch: Sequence[float] = ()
    shrink: Sequence[float] = ()
    penalty: Sequence[float] = ()
    #: 0: not a hyphen break; 1: after an explicit hyphen; 2: inserted hyphen.
    hyphen: Sequence[int] = ()
    start: Sequence[int] = ()
    end: Sequence[int] = ()
    breakable: Sequence[bool] = ()
    #: True for glue that separates words (a space), False for CJK and emergency glue.
    word_glue: Sequence[bool] = ()
    widest_box: float = 0.0
    #: No inserted hyphens (neither from patterns nor from soft hyphens).
    no_hyphens: bool = False
    #: The language asked for hyphenation was unknown to pyphen (reported).
    unknown_language: str | None = None
    #: Words broken at URL-safe points or anywhere because they were wider than the line.
    overlong: list[str] = field(default_factory=list)

    def add(self, kind: int, width: float, start: int, end: int, *, stretch: float = 0.0, shrink: float = 0.0,
            penalty: float = 0.0, hyphen: int = 0, breakable: bool = True, word_glue: bool = False) -> None:
        """Append one item."""
        self.rows.append((kind, width, stretch, shrink, penalty, hyphen, start, end, breakable, word_glue))

    def finish(self) -> BreakItems:
        """Fill the parallel sequences from the rows."""
        if self.rows:
            (self.kind, self.width, self.stretch, self.shrink, self.penalty, self.hyphen, self.start, self.end,
             self.breakable, self.word_glue) = zip(*self.rows, strict=True)
        return self


@dataclass(slots=True)
class LineSpec:
    """One line chosen by the breaker."""

    start: int
    end: int
    #: 2: the line ends with an inserted hyphen; 1: with a hyphen of the text; 0: neither.
    hyphen: int
    #: True for the last line and lines ending at a hard break (never justified).
    last: bool
    #: The adjustment ratio of justified lines (0 for others).
    ratio: float
    #: The width the line was broken for.
    width: float
    #: Justified (spaces adjusted) or not.
    justified: bool


class _Glue:
    """Glue parameters per mode."""

    def __init__(self, prepared: Prepared, justify: bool) -> None:
        style = prepared.block.style
        self.justify = justify
        self.max_space = style.max_word_space * style.leading * 0.985
        self.min_factor = style.min_word_space

    def space(self, natural: float) -> tuple[float, float]:
        if not self.justify:
            return 0.0, 0.0
        return max(self.max_space - natural, 0.0), natural * (1.0 - self.min_factor)


_HYPHEN_WIDTHS: dict[tuple[tuple[str, int], float], float] = {}


def _hyphen_width(prepared: Prepared, pos: int) -> float:
    item = prepared.item_at(pos)
    key = (item.font.key, item.size)
    found = _HYPHEN_WIDTHS.get(key)
    if found is None:
        gid = item.font.nominal_glyph("-")
        found = _HYPHEN_WIDTHS[key] = -1.0 if gid is None else item.font.advance(gid) * item.size / item.font.upem
    return found


_SPECIAL_IN_WORD = lazy_re("[-\u2010\u2013\u2014\u200b\u00ad]")


_POINTS_CACHE: dict[tuple[str, str], tuple[tuple[int, int], ...]] = {}


def _hyphenation_points(prepared: Prepared, hyph: Hyphenator | None, a: int, b: int) -> list[tuple[int, int]]:
    """(position, kind) break points inside the word ``[a, b)``: 1 explicit hyphen, 2 inserted, 3 dash.

    Cached per word and language (left-to-right paragraphs only).
    """
    word = prepared.text[a:b]
    if prepared.levels is not None:
        return _word_points(prepared, hyph, a, b, word)
    key = (word, hyph.dictionary if hyph is not None else "")
    found = _POINTS_CACHE.get(key)
    if found is None:
        if len(_POINTS_CACHE) > 100_000:
            _POINTS_CACHE.clear()
        found = _POINTS_CACHE[key] = tuple((p - a, k) for p, k in _word_points(prepared, hyph, a, b, word))
    return [(a + p, k) for p, k in found]


def _word_points(prepared: Prepared, hyph: Hyphenator | None, a: int, b: int, word: str) -> list[tuple[int, int]]:
    points: list[tuple[int, int]] = []
    if not word.isalpha():
        if _NOT_A_WORD.search(word) and ("/" in word or "@" in word or "www." in word):
            return points  # an address: broken only if it does not fit (URL-safe points), never after its hyphens
        if _SPECIAL_IN_WORD.search(word):
            for i in range(2, len(word) - 1):
                char = word[i - 1]
                if char in _HYPHENS and word[i - 2].isalpha() and word[i].isalpha():
                    points.append((a + i, 1))
                elif (char in _DASHES and word[i] not in CLOSING) or char == "\u200b":
                    points.append((a + i, 3))
            if "\u00ad" in word:
                points.extend((a + i + 1, 2) for i, c in enumerate(word) if c == "\u00ad" and 0 < i < len(word) - 1)
                return sorted(points)
    if hyph is not None and len(word) >= 6 and (word.isalpha() or not _NOT_A_WORD.search(word)):
        cores = [(0, word)] if word.isalpha() else [(m.start(), m.group()) for m in _WORD_CORE.finditer(word)]
        for offset, core in cores:
            if len(core) < 6:
                continue
            if prepared.levels is not None and prepared.levels[a + offset] % 2:
                continue  # right-to-left words are not hyphenated
            points.extend((a + offset + p, 2) for p in hyph.points(core))
        points.sort()
    return points


def break_items(prepared: Prepared, line_width: float, *, justify: bool, hyphenate: bool = True) -> BreakItems:
    """The Knuth-Plass items of a prepared paragraph (``line_width``: the narrowest line)."""
    text = prepared.text
    n = len(text)
    style = prepared.block.style
    out = BreakItems(no_hyphens=not hyphenate)
    glue = _Glue(prepared, justify)
    hyph: Hyphenator | None = None
    if hyphenate and style.hyphenate:
        hyph = hyphenator(style.hyphenate)
        if hyph is None and style.hyphenate.split("-")[0].split("_")[0].lower() not in NEVER_HYPHENATED:
            out.unknown_language = style.hyphenate
    cum = prepared.cum
    content_end = len(text.rstrip(" \t"))
    rows = out.rows
    space = glue.space
    for match in _TOKEN.finditer(text, 0, content_end):
        pos, end = match.span()
        kind = match.lastindex
        if kind == 1:  # spaces
            if pos == 0:
                continue  # leading spaces are dropped
            if text[pos - 1] == HARD_BREAK:
                continue
            natural = cum[end] - cum[pos]
            count = end - pos
            stretch, shrink = space(natural / count)
            after = text[end] if end < n else ""
            can_break = text[pos - 1] not in OPENING and after not in CLOSING and after != HARD_BREAK
            rows.append((GLUE, natural, stretch * count, shrink * count, 0.0, 0, pos, end, can_break, True))
        elif kind == 2:  # hard break
            out.add(PENALTY, 0.0, pos, pos + 1, penalty=-INFINITY)
        else:
            word = match.group(3)
            if word.isascii() and "-" not in word and (hyph is None or end - pos < 6):
                # (an ASCII word without hyphens that no pattern hyphenates: no break points, what _word
                # finds for it)
                box = cum[end] - cum[pos]
                if box <= line_width:
                    rows.append((BOX, box, 0.0, 0.0, 0.0, 0, pos, end, True, False))
                    if box > out.widest_box:
                        out.widest_box = box
                    continue
            _word(prepared, out, glue, hyph, pos, end, line_width)
    out.add(GLUE, 0.0, content_end, content_end, stretch=float(INFINITY), breakable=False)
    out.add(PENALTY, 0.0, content_end, content_end, penalty=-INFINITY)
    return out.finish()


def _span_hyphenator(prepared: Prepared, a: int, hyph: Hyphenator) -> Hyphenator | None:
    """The hyphenator for the word at ``a``: a run in another language than the paragraph's (a ``lang``
    span) is hyphenated by its own language's patterns, or not at all when pyphen has none."""
    run = prepared.runs[bisect.bisect_right(prepared.run_starts, a) - 1]
    lang = run.lang
    if not lang or lang.split("-")[0].lower() == (prepared.block.style.hyphenate or "").split("-")[0].lower():
        return hyph
    return hyphenator(lang)


def _word(prepared: Prepared, out: BreakItems, glue: _Glue, hyph: Hyphenator | None, a: int, b: int,
          line_width: float) -> None:
    text = prepared.text
    cum = prepared.cum
    word_width = cum[b] - cum[a]
    points: list[tuple[int, int]] = []
    if b - a > 1:
        if hyph is not None:
            hyph = _span_hyphenator(prepared, a, hyph)
        points = _hyphenation_points(prepared, hyph, a, b)
        if out.no_hyphens and points:
            points = [p for p in points if p[1] != 2]
        word = text[a:b]
        if not word.isascii() and max(word) >= "\u1100" and any(is_cjk(c) for c in word):
            points.extend(_cjk_points(text, a, b))
            points.sort()
    if not points and word_width <= line_width:
        out.rows.append((BOX, word_width, 0.0, 0.0, 0.0, 0, a, b, True, False))
        if word_width > out.widest_box:
            out.widest_box = word_width
        return
    width = prepared.width
    # Pieces between break points wider than the line get URL-safe and, failing those, anywhere breaks.
    bounds = [a, *(p for p, _k in points), b]
    extra: list[tuple[int, int]] = []
    for x, y in itertools.pairwise(bounds):
        if width(x, y) > line_width:
            out.overlong.append(text[x:y])
            safe = [i for i in range(x + 1, y) if text[i - 1] in _URL_BREAK_AFTER and text[i] not in _URL_BREAK_AFTER]
            extra.extend((i, 4) for i in safe)
            # after a hyphen too, at a higher cost: poppler drops a hyphen ending a line
            extra.extend((i, 7) for i in range(x + 2, y - 1) if text[i - 1] == "-" and text[i] != "-")
            sub = [x, *safe, y]
            for u, v in itertools.pairwise(sub):
                if width(u, v) > line_width:
                    extra.extend((u + c, 5) for c in cluster_bounds(text[u:v])[1:-1])
    if extra:
        points = sorted(set(points) | set(extra))
    start = a
    for p, kind in points:
        if p <= start or p >= b:
            continue
        box = width(start, p)
        out.add(BOX, box, start, p)
        out.widest_box = max(out.widest_box, box)
        if kind == 2:
            hw = _hyphen_width(prepared, p - 1)
            if hw < 0:
                start = p
                continue
            out.add(PENALTY, hw, p, p, penalty=HYPHEN_PENALTY, hyphen=2)
        elif kind == 1:
            out.add(PENALTY, 0.0, p, p, penalty=EX_HYPHEN_PENALTY, hyphen=1)
        elif kind == 3:
            out.add(PENALTY, 0.0, p, p, penalty=DASH_PENALTY)
        elif kind == 4:
            out.add(PENALTY, 0.0, p, p, penalty=URL_PENALTY)
        elif kind == 5:
            out.add(PENALTY, 0.0, p, p, penalty=ANYWHERE_PENALTY)
        elif kind == 7:
            out.add(PENALTY, 0.0, p, p, penalty=URL_HYPHEN_PENALTY)
        elif kind == 6:  # CJK: zero-width glue that stretches a little
            size = prepared.item_at(p - 1).size
            stretch = 0.08 * size if glue.justify else 0.0
            out.add(GLUE, 0.0, p, p, stretch=stretch)
        start = p
    box = width(start, b)
    out.add(BOX, box, start, b)
    out.widest_box = max(out.widest_box, box)


def _hangul(char: str) -> bool:
    code = ord(char)
    return 0xAC00 <= code <= 0xD7AF or 0x1100 <= code <= 0x11FF or 0x3130 <= code <= 0x318F


def _cjk_points(text: str, a: int, b: int) -> list[tuple[int, int]]:
    """Breaks between ideographs and kana; Korean, which puts spaces between words, breaks at the spaces
    (its words are not split between two Hangul syllables, as Korean typesetting does)."""
    points = []
    for i in range(a + 1, b):
        left, right = text[i - 1], text[i]
        if (is_cjk(left) or is_cjk(right)) and right not in CLOSING and left not in OPENING \
                and not (right.isascii() and left.isascii()) and not (_hangul(left) and _hangul(right)):
            points.append((i, 6))
    return points


_NO_DEMERITS = float("inf")


class _Node:
    __slots__ = ("demerits", "fitness", "index", "inserted", "line", "prev", "ratio", "streak", "tw", "ty", "tz")

    def __init__(self, index: int, line: int, fitness: int, streak: int, inserted: bool, tw: float, ty: float,
                 tz: float, demerits: float, prev: _Node | None, ratio: float) -> None:
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


def knuth_plass(items: BreakItems, widths: tuple[float, float], *, justify: bool, ragged_stretch: float = 0.0,
                balanced: bool = False, tolerance: float = 1.0,
                strict_final: bool = True, lone_word: bool = False) -> list[tuple[int, float]] | None:
    """Optimal breaks as ``(item index, ratio)`` pairs, or None when no feasible set exists.

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
    active: list[_Node] = [_Node(-1, 0, 1, 0, False, 0.0, 0.0, 0.0, 0.0, None, 0.0)]
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
        last_line = is_final and not balanced
        measured = justify or last_line  # else: ragged, the line only has to fit
        unstretched = last_line or (forced and justify)
        adjacent = justify and not last_line
        # (d - p * p is d + -(p * p) exactly)
        pen_demerits = pen * pen if pen > 0 else (-(pen * pen) if pen > -INFINITY else 0.0)
        lone_rule = is_final and balanced and many_words and not lone_word
        best: dict[tuple[int, int], tuple[float, _Node, float]] = {}
        keep: list[_Node] = []
        for a in active:
            line = a.line
            line_w = first_width if line == 0 else other_width
            length = sw - a.tw + extra_w
            if measured:
                if length < line_w:
                    if unstretched:
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
                    if ratio < -1:
                        continue  # deactivated (not kept), no break here
                    bad = 100.0 * -ratio * -ratio * -ratio
                else:
                    ratio, bad = 0.0, 0.0
            elif length > line_w + 1e-6:
                continue  # deactivated (not kept), no break here
            else:
                ratio = (line_w - length) / ragged_stretch if ragged_stretch > 0 else 0.0
                bad = min(100.0 * ratio * ratio * ratio, 10000.0)
            if not forced:
                keep.append(a)
            if ratio > tolerance and bad >= 1e9:
                continue
            # hard rules
            streak = a.streak + 1 if flagged else 0
            if streak > MAX_HYPHEN_STREAK:
                continue
            index = a.index
            if is_final and a.inserted and (strict_final or word_glue_before[b] == word_glue_before[index + 1]):
                continue  # an inserted hyphen on the penultimate line (or a fragment alone on the last)
            if lone_rule and line >= 1 and word_glue_before[b] - word_glue_before[index + 1 if index >= 0 else 0] == 0:
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
            d += pen_demerits
            if (flagged or is_final) and index >= 0 and hyphen[index] > 0:
                if flagged:
                    d += DOUBLE_HYPHEN_DEMERITS
                if is_final:
                    d += FINAL_HYPHEN_DEMERITS
            if adjacent and abs(fitness - a.fitness) > 1:
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
            chosen = sorted(best.items())
            if not justify and len(chosen) > 1:
                # Ragged lines: a node's fitness class never counts again, so of the nodes here with one
                # hyphen streak only the least demerits can lead to the best breaks (ties are all kept).
                least: dict[int, float] = {}
                for (_fitness, streak), (d, _a, _ratio) in chosen:
                    if d < least.get(streak, _NO_DEMERITS):
                        least[streak] = d
                chosen = [entry for entry in chosen if entry[1][0] <= least[entry[0][1]]]
            for (fitness, streak), (d, a, ratio) in chosen:
                active.append(_Node(b, a.line + 1, fitness, streak, inserted, tw, ty, tz, d, a, ratio))
        if not active:
            return None
        if k == GLUE:
            sw += width[b]
            sy += stretch[b]
            sz += shrink[b]
    ends = [a for a in active if a.index == final]
    if not ends:
        return None
    node: _Node | None = min(ends, key=lambda a: (a.demerits, a.line))
    breaks: list[tuple[int, float]] = []
    while node is not None and node.index >= 0:
        breaks.append((node.index, node.ratio))
        node = node.prev
    breaks.reverse()
    return breaks


def _greedy(items: BreakItems, widths: tuple[float, float]) -> list[tuple[int, float]]:
    """First-fit breaks: the last resort (every line fits when every box does)."""
    kind, width, penalty, breakable = items.kind, items.width, items.penalty, items.breakable
    n = len(kind)
    cum = [0.0] * (n + 1)
    for i in range(n):
        cum[i + 1] = cum[i] + (width[i] if kind[i] != PENALTY else 0.0)
    breaks: list[tuple[int, float]] = []
    start = 0
    line = 0
    while start < n:
        limit = widths[0] if line == 0 else widths[1]
        best: int | None = None
        for i in range(start, n):
            k = kind[i]
            if not ((k == GLUE and breakable[i] and i > 0 and kind[i - 1] == BOX)
                    or (k == PENALTY and penalty[i] < INFINITY)):
                continue
            length = cum[i] - cum[start] + (width[i] if k == PENALTY else 0.0)
            if length <= limit or best is None:
                best = i
            if length > limit or (k == PENALTY and penalty[i] <= -INFINITY):
                break
        if best is None:
            best = n - 1
        breaks.append((best, 0.0))
        if best >= n - 1:
            break
        start = best + 1
        while start < n and kind[start] != BOX and not (kind[start] == PENALTY and penalty[start] <= -INFINITY):
            start += 1
        line += 1
    return breaks


@dataclass(slots=True)
class BreakResult:
    """Lines and what the caller should report."""

    lines: list[LineSpec]
    #: A justified paragraph that could not be justified within the limits and was set ragged.
    ragged_fallback: bool = False
    unknown_language: str | None = None
    overlong: list[str] = field(default_factory=list)


def _line_specs(prepared: Prepared, items: BreakItems, breaks: list[tuple[int, float]], widths: tuple[float, float],
                justified: bool) -> list[LineSpec]:
    lines: list[LineSpec] = []
    n = len(items.kind)
    start = items.start[0] if n else 0
    # skip leading glue
    i = 0
    while i < n and items.kind[i] == GLUE:
        start = items.end[i]
        i += 1
    for number, (b, ratio) in enumerate(breaks):
        end = items.start[b]
        while end > start and (prepared.text[end - 1] in " \t" or _SPACE_RUN.match(prepared.text, end - 1)):
            end -= 1
        forced = items.kind[b] == PENALTY and items.penalty[b] <= -INFINITY
        hyphen = items.hyphen[b] if items.kind[b] == PENALTY else 0
        width = widths[0] if number == 0 else widths[1]
        lines.append(LineSpec(start, end, hyphen, forced, ratio if justified and not forced else 0.0, width,
                              justified and not forced))
        # the next line starts after the break and the glue after it
        start = items.end[b]
        j = b + 1
        while j < n and (items.kind[j] == GLUE or (items.kind[j] == PENALTY and items.penalty[j] > -INFINITY)):
            if items.kind[j] == GLUE:
                start = items.end[j]
            j += 1
    return lines


def break_paragraph(prepared: Prepared, width: float) -> BreakResult:
    """The lines of a prepared paragraph for a column ``width`` (minus the style's indents)."""
    style = prepared.block.style
    inner = max(width - style.left_indent - style.right_indent, 1.0)
    first = max(inner - style.first_indent, 1.0)
    widths = (first, inner)
    narrowest = min(widths)
    justify = style.align == Align.JUSTIFY and not style.balanced
    if not prepared.text.strip(" \t\u2028"):
        return BreakResult([])
    if style.balanced:
        items = break_items(prepared, narrowest, justify=False, hyphenate=False)
        lines = _line_specs(prepared, items, _balanced(items, widths), widths, False)
        return BreakResult(lines, False, items.unknown_language, items.overlong)
    breaks: list[tuple[int, float]] | None
    if justify:
        # First pass without hyphenation (TeX's pretolerance): taken when every line is set well.
        items = break_items(prepared, narrowest, justify=True, hyphenate=False)
        if "\u00ad" not in prepared.text:
            breaks = knuth_plass(items, widths, justify=True, tolerance=PRETOLERANCE)
            if breaks is not None:
                return BreakResult(_line_specs(prepared, items, breaks, widths, True), False,
                                   _unknown_language(style.hyphenate), items.overlong)
        items = break_items(prepared, narrowest, justify=True)
        breaks = knuth_plass(items, widths, justify=True)
        if breaks is None:
            breaks = knuth_plass(items, widths, justify=True, strict_final=False)
        if breaks is None:
            # TeX's emergency pass: the best breaks with some line looser than the limit allows; that line is
            # set with its spaces at the limit, short of the margin (an underfull line), the rest justified;
            # taken when such lines are few (at most one in four, or one).
            breaks = knuth_plass(items, widths, justify=True, strict_final=False, tolerance=EMERGENCY_TOLERANCE)
            if breaks is not None and sum(ratio > 1.0 for _b, ratio in breaks[:-1]) > max(1, len(breaks) // 4):
                breaks = None  # mostly underfull: a ragged setting reads better
        if breaks is not None:
            return BreakResult(_line_specs(prepared, items, breaks, widths, True), False, items.unknown_language,
                               items.overlong)
    items = break_items(prepared, narrowest, justify=False)
    breaks = knuth_plass(items, widths, justify=False, ragged_stretch=inner * 0.25, tolerance=1e6)
    if breaks is None:
        breaks = knuth_plass(items, widths, justify=False, ragged_stretch=inner * 0.25, tolerance=1e6,
                             strict_final=False)
    if breaks is None:  # (too many hyphens needed in a row: break without inserting any)
        items = break_items(prepared, narrowest, justify=False, hyphenate=False)
        breaks = knuth_plass(items, widths, justify=False, ragged_stretch=inner * 0.25, tolerance=1e6)
    if breaks is None:
        breaks = _greedy(items, widths)
    return BreakResult(_line_specs(prepared, items, breaks, widths, False), justify, items.unknown_language,
                       items.overlong)


def _unknown_language(tag: str | None) -> str | None:
    """``tag`` when pyphen has no patterns for it and its script is one that is hyphenated."""
    if not tag or hyphenator(tag) is not None:
        return None
    return None if tag.split("-")[0].split("_")[0].lower() in NEVER_HYPHENATED else tag


def _balanced(items: BreakItems, widths: tuple[float, float]) -> list[tuple[int, float]]:
    """Ragged breaks with lines of similar length, never one word alone on the last line.

    The fewest lines the text needs at full width are kept; the narrowest measure
    that still gives that many lines is found by bisection, and the breaks found for
    it are used at full width. Text of more than :data:`BALANCE_MAX_LINES` lines is
    set ragged at full width (a long standfirst: the search would cost 15 passes over
    it for lines whose evenness nobody sees). When the last two words cannot share a line, the
    rule against a lone last word is dropped rather than the balance.
    """
    full = widths[1]
    for lone_word in (False, True):

        def run(w: float, lone: bool = lone_word) -> list[tuple[int, float]] | None:
            shrink = full - w
            return knuth_plass(items, (max(widths[0] - shrink, 1.0), w), justify=False, ragged_stretch=w * 0.25,
                               balanced=True, tolerance=1e6, lone_word=lone)

        best = run(full)
        if best is None:
            continue
        count = len(best)
        if count <= 1 or count > BALANCE_MAX_LINES:
            return best  # one line, or so many that evening them out would not show (and costs a search)
        lo, hi = max(items.widest_box, full / (count + 1)), full
        fewest = _FewestLines(items)
        for _ in range(14):
            if hi - lo < 0.5:
                break
            mid = (lo + hi) / 2
            floor = fewest.count(max(widths[0] - (full - mid), 1.0), mid)
            # more lines than ``count`` however the text is broken: the pass would fail, so it is not run
            found = None if floor is not None and floor > count else run(mid)
            if found is not None and len(found) <= count:
                hi, best = mid, found
            else:
                lo = mid
        return best
    return _greedy(items, widths)


class _FewestLines:
    """The fewest lines any :func:`knuth_plass` result can have for given widths (ragged, non-justified).

    First fit, taking the last break that still fits, with the breaker's own rules
    and arithmetic (its legal breaks, its sums accumulated in the same order, its
    test ``length > width + 1e-6``, a line from a break ending before the first
    break it overflows at or the first forced break): at every line it is at least
    as far on as any set of breaks the breaker can accept, so it needs at most as
    many lines. It only proves that a pass would fail; it never replaces one.
    """

    def __init__(self, items: BreakItems) -> None:
        kind, width, penalty, breakable = items.kind, items.width, items.penalty, items.breakable
        n = len(kind)
        sw = 0.0
        #: (item index, the breaker's running width there, its width after the break's glue, the break's
        #: own width (a hyphen), forced) per legal break.
        self.breaks: list[tuple[int, float, float, float, bool]] = []
        for b in range(n):
            k = kind[b]
            if k == BOX:
                sw += width[b]
                continue
            if k == GLUE:
                if not (breakable[b] and b > 0 and kind[b - 1] == BOX):
                    sw += width[b]
                    continue
                pen = 0.0
            else:
                pen = penalty[b]
                if pen >= INFINITY:
                    continue
            forced = pen <= -INFINITY
            tw = sw
            for i in range(b, n):
                ki = kind[i]
                if ki == BOX:
                    break
                if ki == GLUE:
                    tw += width[i]
                elif penalty[i] <= -INFINITY and i > b:
                    break
            self.breaks.append((b, sw, tw, width[b] if k == PENALTY else 0.0, forced))
            if k == GLUE:
                sw += width[b]
        self.final = n - 1

    def count(self, first: float, other: float) -> int | None:
        """The fewest lines at widths ``(first, other)``, or None when first fit gets stuck (no proof)."""
        breaks = self.breaks
        total = len(breaks)
        start_tw = 0.0
        position = 0  # the first break after the current line's start
        lines = 0
        while True:
            limit = (first if lines == 0 else other) + 1e-6
            chosen = -1
            j = position
            while j < total:
                _b, sw, _tw, extra, forced = breaks[j]
                if sw - start_tw + extra > limit:
                    break
                chosen = j
                if forced:
                    break
                j += 1
            if chosen < 0:
                return None
            lines += 1
            b, _sw, start_tw, _extra, _forced = breaks[chosen]
            if b == self.final:
                return lines
            position = chosen + 1
