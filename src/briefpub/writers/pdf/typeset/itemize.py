"""From runs to shaped items: text, font fallback, bidi levels, scripts, shaping.

:func:`prepare` turns a :class:`~briefpub.writers.pdf.typeset.model.TextBlock`
into a :class:`Prepared` paragraph:

1. the runs' texts are joined into one logical string (hard line breaks become
   U+2028);
2. each run's characters go to the first face of its chain that has their glyphs,
   per grapheme cluster (spaces and punctuation stay in the current face when it
   has them); a cluster no face has is replaced by U+FFFD (from the first face
   that has it) and its code points are reported in :attr:`Prepared.missing`;
3. bidi embedding levels are resolved for the whole paragraph (skipped for text
   without right-to-left characters);
4. the text is cut into *items* (same run, face, level and script) and each item
   is shaped whole by HarfBuzz (cached);
5. each character gets its advance in points (a cluster's advance goes to its
   first character), with prefix sums so that any range's width costs two lookups.
"""

from __future__ import annotations

import bisect
import itertools
import unicodedata
from array import array
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from briefpub._lazyre import lazy_re
from briefpub.writers.pdf.typeset import bidi
from briefpub.writers.pdf.typeset._unicode import cluster_bounds, is_invisible, script_runs
from briefpub.writers.pdf.typeset.fonts import FontData, font_data
from briefpub.writers.pdf.typeset.model import FaceLike, LineBreak, Run, TextBlock
from briefpub.writers.pdf.typeset.shaping import Shaped, shape

__all__ = ["HARD_BREAK", "REPLACEMENT", "Item", "Prepared", "prepare"]

_SPACES = lazy_re(r"[ \t]+")

#: The character a hard line break becomes in the paragraph text.
HARD_BREAK = "\u2028"
#: Printed for a grapheme cluster that no face of its chain has.
REPLACEMENT = "\ufffd"

FontResolver = Callable[[FaceLike], FontData]


@dataclass(slots=True)
class Item:
    """A stretch of the paragraph shaped as one: same run, face, bidi level and script."""

    start: int
    end: int
    run: int
    font: FontData
    size: float
    level: int
    script: str | None
    lang: str | None
    shaped: Shaped

    @property
    def scale(self) -> float:
        """Points per font unit."""
        return self.size / self.font.upem

    @property
    def rtl(self) -> bool:
        """True for an odd (right-to-left) level."""
        return bool(self.level % 2)


@dataclass(slots=True)
class Prepared:
    """A paragraph ready for line breaking."""

    block: TextBlock
    text: str
    runs: list[Run]
    run_starts: list[int]
    items: list[Item]
    item_starts: list[int]
    base_level: int
    #: Per character: its level (None when the whole paragraph is at level 0).
    levels: list[int] | None
    adv: array[float]  # per character; arrays of doubles: a pack holds thousands of paragraphs
    cum: array[float]
    missing: set[int] = field(default_factory=set)
    #: Runs with a link target that is neither http(s)/mailto nor ``#name`` (kept as text).
    unsafe_links: list[str] = field(default_factory=list)

    def width(self, start: int, end: int) -> float:
        """The natural width of characters ``[start, end)``, in points."""
        return self.cum[end] - self.cum[start]

    def item_at(self, pos: int) -> Item:
        """The item holding character ``pos``."""
        return self.items[bisect.bisect_right(self.item_starts, pos) - 1]

    def run_at(self, pos: int) -> int:
        """The index of the run holding character ``pos``."""
        return bisect.bisect_right(self.run_starts, pos) - 1


def _neutral(cluster: str) -> bool:
    return not unicodedata.category(cluster[0]).startswith(("L", "N", "M"))


def _visible(cluster: str) -> str:
    return "".join(c for c in cluster if not is_invisible(c)) or cluster


def assign_faces(text: str, chain: Sequence[FontData], missing: set[int]) -> list[tuple[str, FontData]]:
    """``text`` as ``(text, face)`` pieces by grapheme cluster (U+FFFD for clusters no face has)."""
    primary = chain[0]
    if primary.covers(text):
        return [(text, primary)]
    if all(is_invisible(c) or primary.has(c) for c in text):
        return [(text, primary)]
    pieces: list[tuple[list[str], FontData]] = []
    current = primary
    bounds = cluster_bounds(text)
    for a, b in itertools.pairwise(bounds):
        cluster = text[a:b]
        visible = _visible(cluster)
        face: FontData | None = None
        if _neutral(cluster) and current.covers(visible):
            face = current
        else:
            face = next((f for f in chain if f.covers(visible)), None)
        if face is None:
            if all(is_invisible(c) for c in cluster):
                face = current
            else:
                missing.update(ord(c) for c in visible)
                cluster = REPLACEMENT
                face = next((f for f in chain if f.has(REPLACEMENT)), primary)
        if pieces and pieces[-1][1] is face:
            pieces[-1][0].append(cluster)
        else:
            pieces.append(([cluster], face))
        current = face
    return [("".join(parts), face) for parts, face in pieces]


def _is_safe_link(target: str) -> bool:
    lowered = target.strip().lower()
    return lowered.startswith(("http://", "https://", "mailto:")) or (target.startswith("#") and len(target) > 1)


def prepare(block: TextBlock, resolve: FontResolver = font_data) -> Prepared:
    """Join, fall back, resolve levels, itemize and shape ``block``."""
    style = block.style
    missing: set[int] = set()
    runs: list[Run] = []
    run_starts: list[int] = []
    pieces: list[tuple[int, str, FontData]] = []  # (run index, text, face)
    texts: list[str] = []
    pos = 0
    unsafe_links: list[str] = []
    last_run: Run | None = None
    for item in block.items:
        if isinstance(item, LineBreak):
            if last_run is None:
                continue
            item = Run(HARD_BREAK, last_run.font, last_run.size, last_run.colour)
        text = item.text.replace("\r\n", "\n").replace("\n", HARD_BREAK).replace("\r", HARD_BREAK)
        if not style.preserve_spaces:
            text = _SPACES.sub(" ", text)
            if text.startswith(" ") and (not texts or texts[-1].endswith((" ", HARD_BREAK))):
                text = text[1:]
        if not text:
            continue
        if item.link is not None and not _is_safe_link(item.link):
            unsafe_links.append(item.link)
            item = Run(item.text, item.font, item.size, item.colour, None, item.lang, item.underline)
        chain = [resolve(face) for face in item.faces]
        index = len(runs)
        runs.append(item)
        run_starts.append(pos)
        last_run = item
        for piece_text, face in assign_faces(text, chain, missing):
            pieces.append((index, piece_text, face))
            texts.append(piece_text)
            pos += len(piece_text)
    if not style.preserve_spaces:
        # no spaces at the paragraph's end or before a hard break
        while pieces and pieces[-1][1].endswith(" "):
            index, piece_text, face = pieces.pop()
            texts.pop()
            if piece_text.rstrip(" "):
                pieces.append((index, piece_text.rstrip(" "), face))
                texts.append(pieces[-1][1])
    text = "".join(texts)
    # A run's text may have changed length (replacement characters): recompute run starts.
    run_starts = []
    starts_by_run: dict[int, int] = {}
    pos = 0
    for index, piece_text, _face in pieces:
        starts_by_run.setdefault(index, pos)
        pos += len(piece_text)
    run_starts = [starts_by_run.get(i, len(text)) for i in range(len(runs))]

    if style.direction == "rtl":
        base = 1
    elif style.direction == "ltr":
        base = 0
    else:
        base = bidi.base_level(text)
    levels: list[int] | None = None
    if base == 1 or bidi.needs_bidi(text):
        levels = bidi.embedding_levels(text, base)

    items: list[Item] = []
    pos = 0
    for index, piece_text, face in pieces:
        run = runs[index]
        lang = run.lang or style.lang or style.hyphenate
        for s0, s1, script in script_runs(piece_text):
            a, b = pos + s0, pos + s1
            for c0, c1, level in _level_runs(levels, a, b):
                for d0, d1 in _split_breaks(text, c0, c1):
                    sub = text[d0:d1]
                    shaped = shape(face, sub, rtl=bool(level % 2), script=script, lang=lang,
                                   ligatures=style.ligatures)
                    items.append(Item(d0, d1, index, face, run.size, level, script, lang, shaped))
        pos += len(piece_text)

    adv = array("d", bytes(8 * len(text)))
    for it in items:
        scale = it.size / it.font.upem
        adv[it.start : it.end] = array("d", [a * scale for a in it.shaped.char_adv])
    cum = array("d", [0.0])
    cum.extend(itertools.accumulate(adv))
    item_starts = [it.start for it in items]
    return Prepared(block, text, runs, run_starts, items, item_starts, base, levels, adv, cum, missing,
                    unsafe_links)


def _level_runs(levels: list[int] | None, start: int, end: int) -> list[tuple[int, int, int]]:
    if levels is None:
        return [(start, end, 0)]
    out: list[tuple[int, int, int]] = []
    a = start
    for i in range(start + 1, end + 1):
        if i == end or levels[i] != levels[a]:
            out.append((a, i, levels[a]))
            a = i
    return out


def _split_breaks(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """``[start, end)`` without its hard-break characters (they are not shaped)."""
    if HARD_BREAK not in text[start:end]:
        return [(start, end)]
    out: list[tuple[int, int]] = []
    a = start
    for i in range(start, end):
        if text[i] == HARD_BREAK:
            if i > a:
                out.append((a, i))
            a = i + 1
    if end > a:
        out.append((a, end))
    return out
