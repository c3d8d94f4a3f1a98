"""Lines for display: glyph runs in visual order, justified and aligned.

:func:`layout_paragraph` prepares a paragraph, breaks it into lines for a width,
and builds each line: its characters' glyphs (sliced from the shaped items, or
reshaped where a line edge cuts a cluster or a kerning pair), the inserted hyphen,
justification (extra width after each word space, never beyond the style's
limits), bidi reordering (rule L2 over runs of equal level) and alignment.

Every glyph carries the text it stands for (its cluster's characters for the
first glyph of a cluster, nothing for the others; the inserted hyphen stands for a
soft hyphen, U+00AD), which the renderer writes as the font's ``ToUnicode`` so
extraction gives the text as written. A right-to-left glyph standing for several characters (the
lam-alef ligature) keeps the first and hands each further character to an
invisible zero-width glyph on its left, so extractors that reverse right-to-left
text character by character get the letters in order. After a run set in the
direction opposite to the paragraph's, a zero-width bidi mark of the paragraph's
direction (LRM/RLM) ends that run for extractors that guess direction from
characters (poppler's ``pdftotext``).
"""

from __future__ import annotations

import bisect
import itertools
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field

from briefpub.writers.pdf.typeset import bidi
from briefpub.writers.pdf.typeset._unicode import CLOSING, OPENING, is_cjk, is_invisible
from briefpub.writers.pdf.typeset.breaking import BreakResult, LineSpec, break_paragraph
from briefpub.writers.pdf.typeset.fonts import FontData, font_data
from briefpub.writers.pdf.typeset.itemize import Item, Prepared, prepare
from briefpub.writers.pdf.typeset.model import Align, FaceLike, TextBlock
from briefpub.writers.pdf.typeset.shaping import Shaped, shape
from briefpub.writers.pdf.typeset.tagging import SOFT_HYPHEN

__all__ = ["GlyphRun", "Layout", "Line", "layout_paragraph", "layout_prepared"]

_WORD_SPACES = frozenset(" \t\u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2008\u2009\u200a\u205f\u3000")
LRM = "\u200e"
RLM = "\u200f"
_SEPARATORS = frozenset(("CS", "ES", "ET"))


@dataclass(slots=True)
class GlyphRun:
    """Glyphs of one item on one line, left to right, with the text each stands for."""

    item: Item
    start: int
    end: int
    level: int
    gids: list[int]
    clusters: list[int]
    texts: list[str]
    advances: list[float]
    x_off: list[float]
    y_off: list[float]
    x: float = 0.0
    width: float = 0.0
    #: Index of the inserted hyphen glyph, or -1.
    hyphen: int = -1
    #: A zero-width bidi mark for extraction (LRM or RLM); ``start`` is its logical place.
    mark: bool = False
    #: Indexes of glyphs that are word spaces (justification goes after them).
    spaces: list[int] = field(default_factory=list)

    @property
    def run(self) -> int:
        """The index of the input run this glyph run comes from."""
        return self.item.run

    @property
    def rtl(self) -> bool:
        """Right to left."""
        return bool(self.level % 2)

    @property
    def font(self) -> FontData:
        """The face."""
        return self.item.font

    @property
    def size(self) -> float:
        """The font size."""
        return self.item.size


@dataclass(slots=True)
class Line:
    """A line ready to draw."""

    start: int
    end: int
    runs: list[GlyphRun]
    #: Left edge, from the paragraph's left edge (indents and alignment included).
    x: float
    width: float
    available: float
    #: 2: ends with an inserted hyphen; 1: with a hyphen of the text; 0: neither.
    hyphen: int
    justified: bool
    ratio: float
    size: float
    #: The drawn width of each word space (for measurements).
    word_spaces: list[float]
    #: The line has right-to-left text (or the paragraph is right to left).
    bidi: bool


@dataclass(slots=True)
class Layout:
    """A paragraph broken into lines for one width.

    The breaks (:attr:`specs`) are computed at once; the lines' glyphs are built on
    first use of :attr:`lines` (wrapping and splitting only need the breaks).
    :meth:`release` forgets the lines, and the prepared text when it can be made
    again: a long document's paragraphs then hold only their breaks between uses.
    """

    _prepared: Prepared | None
    width: float
    specs: list[LineSpec]
    #: A justified paragraph set ragged because no line breaks kept the spaces within limits.
    ragged_fallback: bool
    #: The hyphenation language was unknown to pyphen (the paragraph was not hyphenated).
    unknown_language: str | None
    #: Words wider than the column, broken at URL-safe points or anywhere.
    overlong: list[str]
    _lines: list[Line] | None = None
    #: Makes the prepared text again after :meth:`release` (the same text, shaped the same way).
    _remake: Callable[[], Prepared] | None = None

    @property
    def prepared(self) -> Prepared:
        """The paragraph's prepared text (made again when it was released)."""
        if self._prepared is None:
            assert self._remake is not None
            self._prepared = self._remake()
        return self._prepared

    @property
    def lines(self) -> list[Line]:
        """The lines, built on first use."""
        if self._lines is None:
            self._lines = [_build_line(self.prepared, spec, i, self.ragged_fallback)
                           for i, spec in enumerate(self.specs)]
        return self._lines

    def release(self) -> None:
        """Forget the built lines, and the prepared text when it can be made again (a layout made with
        ``remake``); the breaks stay, the rest is made again on next use.

        The glyphs and shaped text of a pack's every paragraph, held from one layout pass to the next,
        were most of the PDF writer's memory (0.8 MiB an article); making them again costs a few percent.
        """
        self._lines = None
        if self._remake is not None:
            self._prepared = None

    @property
    def count(self) -> int:
        """The number of lines."""
        return len(self.specs)

    @property
    def leading(self) -> float:
        """The style's leading."""
        return self.prepared.block.style.leading

    @property
    def missing(self) -> set[int]:
        """Code points no face of their run's chain has (printed as U+FFFD)."""
        return self.prepared.missing

    def first_baseline(self, first: int = 0) -> float:
        """Distance from the top of the part starting at line ``first`` to its first baseline."""
        if not self.specs:
            return 0.0
        return self.lines[first].size


def _cluster_ends(clusters: list[int], end: int) -> dict[int, int]:
    ordered = sorted(set(clusters))
    return {c: (ordered[k + 1] if k + 1 < len(ordered) else end) for k, c in enumerate(ordered)}


def _glyph_run(p: Prepared, item: Item, a: int, b: int) -> GlyphRun:
    text = p.text
    shaped = item.shaped
    span = shaped.glyph_span(a - item.start, b - item.start)
    if span is None:
        shaped = shape(item.font, text[a:b], rtl=item.rtl, script=item.script, lang=item.lang,
                       ligatures=p.block.style.ligatures)
        offset, g0, g1 = a, 0, len(shaped.gids)
    else:
        offset = item.start
        g0, g1 = span
    scale = item.size / item.font.upem
    segment = text[a:b]
    if not item.rtl and (segment.isascii() or not any(is_invisible(c) for c in segment if not c.isascii())):
        # the common cases: left to right, nothing invisible, one glyph per character or per cluster (what the
        # loop below does for such a run, without its per-glyph work)
        local = shaped.clusters[g0:g1]
        first = a - offset
        if g1 - g0 == b - a and local == tuple(range(first, first + g1 - g0)):
            chars = list(segment)
            x_offs = shaped.x_off[g0:g1]
            y_offs = shaped.y_off[g0:g1]
            zeros = [0.0] * (g1 - g0)
            return GlyphRun(item, a, b, item.level, list(shaped.gids[g0:g1]), list(range(a, b)), chars,
                            [v * scale for v in shaped.x_adv[g0:g1]],
                            [v * scale for v in x_offs] if any(x_offs) else zeros,
                            [v * scale for v in y_offs] if any(y_offs) else list(zeros),
                            spaces=[i for i, c in enumerate(chars) if c in _WORD_SPACES])
        if local and local[0] >= first and local[-1] < b - offset \
                and all(x < y for x, y in itertools.pairwise(local)):
            return _ligated_run(item, shaped, offset, g0, g1, a, b, text)
    return _general_run(p, item, shaped, offset, g0, g1, a, b)


def _ligated_run(item: Item, shaped: Shaped, offset: int, g0: int, g1: int, a: int, b: int,
                 text: str) -> GlyphRun:
    """What :func:`_general_run` gives for left-to-right glyphs of one cluster each, nothing invisible
    (ligatures), without its per-glyph work."""
    scale = item.size / item.font.upem
    clusters = [offset + c for c in shaped.clusters[g0:g1]]
    texts = [text[c:e] for c, e in zip(clusters, [*clusters[1:], b], strict=True)]
    return GlyphRun(item, a, b, item.level, list(shaped.gids[g0:g1]), clusters, texts,
                    [v * scale for v in shaped.x_adv[g0:g1]], [v * scale for v in shaped.x_off[g0:g1]],
                    [v * scale for v in shaped.y_off[g0:g1]],
                    spaces=[i for i, t in enumerate(texts) if t and t[0] in _WORD_SPACES])


def _general_run(p: Prepared, item: Item, shaped: Shaped, offset: int, g0: int, g1: int, a: int,
                 b: int) -> GlyphRun:
    """Glyphs ``[g0, g1)`` of ``shaped`` (whose clusters count from ``offset``) as the run of text
    ``[a, b)``, glyph by glyph: clusters of several characters or glyphs, invisible characters,
    right-to-left text."""
    text = p.text
    scale = item.size / item.font.upem
    clusters = [offset + c for c in shaped.clusters[g0:g1]]
    ends = _cluster_ends(clusters, b)
    gids: list[int] = []
    out_clusters: list[int] = []
    texts: list[str] = []
    advances: list[float] = []
    x_off: list[float] = []
    y_off: list[float] = []
    spaces: list[int] = []
    seen: set[int] = set()
    rtl = item.rtl
    zero = item.font.zero_width_glyph if rtl else None
    for k in range(g0, g1):
        cluster = offset + shaped.clusters[k]
        cluster_text = text[cluster : ends[cluster]]
        adv = shaped.x_adv[k] * scale
        if cluster in seen:
            glyph_text = ""
        else:
            seen.add(cluster)
            glyph_text = cluster_text
            if adv == 0 and all(is_invisible(c) for c in cluster_text):
                continue  # soft hyphens, joiners, selectors: nothing to draw or extract
        if rtl and zero is not None and len(glyph_text) > 1:
            # extra characters of a right-to-left ligature: invisible zero-width glyphs on its left
            for char in reversed(glyph_text[1:]):
                gids.append(zero)
                out_clusters.append(cluster)
                texts.append(char)
                advances.append(0.0)
                x_off.append(0.0)
                y_off.append(0.0)
            glyph_text = glyph_text[0]
        if glyph_text and glyph_text[0] in _WORD_SPACES:
            spaces.append(len(gids))
        if (rtl and zero is not None and len(glyph_text) == 1 and cluster + 1 < b
                and unicodedata.bidirectional(glyph_text) in _SEPARATORS):
            # a separator inside right-to-left text (the Arabic comma): poppler reads it as part of a
            # number and moves the space after it; a right-to-left mark after it keeps it in place
            gids.append(zero)
            out_clusters.append(cluster)
            texts.append(RLM)
            advances.append(0.0)
            x_off.append(0.0)
            y_off.append(0.0)
        gids.append(shaped.gids[k])
        out_clusters.append(cluster)
        texts.append(glyph_text)
        advances.append(adv)
        x_off.append(shaped.x_off[k] * scale)
        y_off.append(shaped.y_off[k] * scale)
    return GlyphRun(item, a, b, item.level, gids, out_clusters, texts, advances, x_off, y_off, spaces=spaces)


def _add_hyphen(run: GlyphRun) -> None:
    font = run.item.font
    gid = font.nominal_glyph("-")
    if gid is None:
        return
    adv = font.advance(gid) * run.item.size / font.upem
    at = 0 if run.rtl else len(run.gids)
    run.gids.insert(at, gid)
    run.clusters.insert(at, run.end)
    run.texts.insert(at, SOFT_HYPHEN)
    run.advances.insert(at, adv)
    run.x_off.insert(at, 0.0)
    run.y_off.insert(at, 0.0)
    if at == 0:
        run.spaces = [i + 1 for i in run.spaces]
    run.hyphen = at


def _mark(runs: list[GlyphRun], char: str, position: int, level: int) -> GlyphRun | None:
    """A zero-width mark drawn with the first of ``runs``' faces that has a zero-width glyph.

    The run beside the mark comes first; a face without one (Source Serif Pro has none) hands the mark
    to the run on its other side, else to any face of the line: without the marks poppler attaches the
    neutral characters at a direction boundary to the wrong side ("Lavrov (سيرغي" read as
    "( Lavrovسيرغي").
    """
    for run in runs:
        zero = run.item.font.zero_width_glyph
        if zero is not None:
            return GlyphRun(run.item, position, position, level, [zero], [position], [char], [0.0], [0.0], [0.0],
                            mark=True)
    return None


#: Below this no character is CJK (:func:`is_cjk`).
_FIRST_CJK = "\u1100"


def _justify(p: Prepared, line_runs: list[GlyphRun], spec: LineSpec) -> tuple[float, float]:
    """Add justification to word spaces (and CJK gaps); returns (ratio, natural width)."""
    style = p.block.style
    natural = sum(sum(r.advances) for r in line_runs)
    if not spec.justified and natural <= spec.width + 1e-6:
        return 0.0, natural  # (a last line wider than the measure still shrinks its spaces)
    limit = style.max_word_space * style.leading
    low = style.min_word_space
    stretches: list[tuple[GlyphRun, int, float, float]] = []
    for run in line_runs:
        for i in run.spaces:
            adv = run.advances[i]
            stretches.append((run, i, max(limit - adv, 0.0), adv * (1.0 - low)))
        if not run.item.shaped.text.isascii() and run.clusters \
                and max(p.text[min(run.clusters) : max(run.clusters) + 1], default="") >= _FIRST_CJK \
                and any(is_cjk(p.text[c]) for c in run.clusters if c < len(p.text)):
            size = run.item.size
            last_index: dict[int, int] = {}
            for i, c in enumerate(run.clusters):
                last_index[c] = i
            for c, i in last_index.items():
                nxt = c + 1
                if nxt >= spec.end or c >= len(p.text):
                    continue
                left, right = p.text[c], p.text[nxt]
                if (is_cjk(left) or is_cjk(right)) and right not in CLOSING and left not in OPENING \
                        and not (left.isascii() and right.isascii()) and left not in _WORD_SPACES:
                    stretches.append((run, i, 0.08 * size, 0.0))
    total_y = sum(s[2] for s in stretches)
    total_z = sum(s[3] for s in stretches)
    gap = spec.width - natural
    if gap >= 0:
        ratio = min(gap / total_y, 1.0) if total_y > 0 else 0.0
        for run, i, y, _z in stretches:
            run.advances[i] += ratio * y
    else:
        ratio = max(gap / total_z, -1.0) if total_z > 0 else 0.0
        for run, i, _y, z in stretches:
            run.advances[i] += ratio * z
    return ratio, natural


def _build_line(p: Prepared, spec: LineSpec, number: int, ragged: bool) -> Line:
    style = p.block.style
    items = p.items
    runs: list[GlyphRun] = []
    k = max(bisect.bisect_right(p.item_starts, spec.start) - 1, 0)
    while k < len(items) and items[k].start < spec.end:
        item = items[k]
        a, b = max(spec.start, item.start), min(spec.end, item.end)
        if a < b:
            runs.append(_glyph_run(p, item, a, b))
        k += 1
    if spec.hyphen == 2 and runs:
        _add_hyphen(runs[-1])
    ratio, _natural = _justify(p, runs, spec)
    base = p.base_level
    has_bidi = base == 1 or any(r.level for r in runs)
    if has_bidi and runs:
        order = bidi.visual_order([r.level for r in runs], base)
        visual = [runs[i] for i in order]
        visual = _with_marks(visual, base)
    else:
        visual = runs
    x = 0.0
    for run in visual:
        run.x = x
        run.width = sum(run.advances)
        x += run.width
    width = x
    rtl = base == 1
    available = spec.width
    align = style.align
    if align == Align.JUSTIFY:
        short = ratio >= 1.0 - 1e-9 and width < available - 0.01
        align = Align.START if (not spec.justified or short) else Align.LEFT
    if ragged and style.align == Align.JUSTIFY:
        align = Align.START
    if align == Align.START:
        align = Align.RIGHT if rtl else Align.LEFT
    elif align == Align.END:
        align = Align.LEFT if rtl else Align.RIGHT
    if width > available:
        offset = 0.0  # a cluster wider than the column: it overflows on the right, whatever the alignment
    elif align == Align.RIGHT:
        offset = available - width
    elif align == Align.CENTER:
        offset = (available - width) / 2
    else:
        offset = 0.0
    left = style.left_indent + (style.first_indent if number == 0 and not rtl else 0.0)
    size = max((r.item.size for r in runs), default=0.0)
    if not runs:
        size = _fallback_size(p, spec.start)
    spaces = [r.advances[i] for r in runs for i in r.spaces]
    return Line(spec.start, spec.end, visual, left + offset, width, available, spec.hyphen, spec.justified,
                ratio, size, spaces, has_bidi)


def _fallback_size(p: Prepared, pos: int) -> float:
    if not p.runs:
        return p.block.style.leading
    return p.runs[min(max(p.run_at(pos), 0), len(p.runs) - 1)].size


def _with_marks(visual: list[GlyphRun], base: int) -> list[GlyphRun]:
    """Zero-width bidi marks around each embedded opposite-direction sequence, for extractors.

    Before the sequence (logically) a mark of its own direction, after it a mark of
    the paragraph's: poppler groups neutral characters at a sequence's edges with
    the neighbouring text of the other direction, and these stop it.
    """
    out: list[GlyphRun] = []
    n = len(visual)
    i = 0
    while i < n:
        run = visual[i]
        if run.level <= base:
            out.append(run)
            i += 1
            continue
        j = i
        while j < n and visual[j].level > base:
            j += 1
        sequence = visual[i:j]
        start = min(r.start for r in sequence)
        end = max(r.end for r in sequence)
        # the mark logically before the sequence faces the text before it (left in a left-to-right
        # paragraph, right in a right-to-left one); the mark after it faces the text after it
        left_faces = [sequence[0], visual[i - 1], *visual] if i > 0 else []
        right_faces = [sequence[-1], visual[j], *visual] if j < n else []
        if base == 0:
            left_mark = _mark(left_faces, RLM, start, base) if i > 0 else None
            right_mark = _mark(right_faces, LRM, end, base) if j < n else None
        else:
            left_mark = _mark(left_faces, RLM, end, base) if i > 0 else None
            right_mark = _mark(right_faces, LRM, start, base) if j < n else None
        if left_mark is not None:
            # strictly left of the sequence, so that poppler sorts it before a glyph starting there
            left_mark.x_off[0] = -0.02
            out.append(left_mark)
        out.extend(sequence)
        if right_mark is not None:
            out.append(right_mark)
        i = j
    return out


def layout_prepared(prepared: Prepared, width: float, remake: Callable[[], Prepared] | None = None) -> Layout:
    """Break and build the lines of a prepared paragraph for ``width``.

    ``remake`` makes the same prepared text again: with it, :meth:`Layout.release` may drop it.
    """
    result: BreakResult = break_paragraph(prepared, width)
    return Layout(prepared, width, result.lines, result.ragged_fallback, result.unknown_language, result.overlong,
                  _remake=remake)


def layout_paragraph(block: TextBlock, width: float,
                     resolve: Callable[[FaceLike], FontData] = font_data) -> Layout:
    """Prepare ``block`` and lay it out for ``width``."""
    return layout_prepared(prepare(block, resolve), width)
