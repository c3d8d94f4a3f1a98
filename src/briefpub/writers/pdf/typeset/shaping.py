"""Shaping with HarfBuzz: glyphs, positions and per-character advances (cached).

:func:`shape` shapes a whole run of text in one face, direction, script and
language (an *item* of the paragraph) and keeps, besides the glyphs, what line
breaking needs: the advance of each character (a cluster's advance is given to
its first character, the others get 0) and whether the text may be cut before a
character without reshaping (HarfBuzz's ``UNSAFE_TO_BREAK`` flag, cluster
boundaries). Results are cached by face and text, so a paragraph laid out again (a
second layout pass, another width) and repeated words (fragments reshaped at
hyphenation points) cost a dictionary lookup.

All values are in font units; callers scale by ``size / upem``.
"""

from __future__ import annotations

import bisect
import functools
from dataclasses import dataclass, field

import uharfbuzz as hb

from briefpub.writers.pdf.typeset.fonts import FontData

__all__ = ["Shaped", "shape"]

_UNSAFE = int(hb.GlyphFlags.UNSAFE_TO_BREAK)
#: Scripts whose standard ligatures are optional (off unless a paragraph asks for them).
_SIMPLE_SCRIPTS = frozenset({"Latn", "Grek", "Cyrl", "Armn", "Geor", "Cher"})
_NO_LIGATURES = {"liga": False, "clig": False, "dlig": False, "hlig": False}


@dataclass(frozen=True, slots=True)
class Shaped:
    """A shaped text: glyphs in visual order (left to right) and their positions."""

    text: str
    rtl: bool
    gids: tuple[int, ...]
    clusters: tuple[int, ...]
    x_adv: tuple[int, ...]
    x_off: tuple[int, ...]
    y_off: tuple[int, ...]
    #: Per character: the advance of the cluster it starts (0 inside a cluster).
    char_adv: tuple[int, ...]
    #: Per character: True when it starts a cluster.
    starts: tuple[bool, ...]
    #: ``clusters`` made ascending (negated for right-to-left text), for bisection.
    order: tuple[int, ...]
    #: HarfBuzz's glyph infos, read lazily for their ``UNSAFE_TO_BREAK`` flags (slow to read).
    infos: tuple[object, ...] = field(compare=False, repr=False, default=())

    def safe(self, pos: int) -> bool:
        """True when the text can be cut before character ``pos`` without reshaping."""
        if pos <= 0 or pos >= len(self.text):
            return True
        if not self.starts[pos]:
            return False
        if self.rtl:
            first = bisect.bisect_left(self.order, -pos)
            last = bisect.bisect_right(self.order, -pos)
        else:
            first = bisect.bisect_left(self.order, pos)
            last = bisect.bisect_right(self.order, pos)
        return not any(int(self.infos[i].flags) & _UNSAFE for i in range(first, last))  # type: ignore[attr-defined]

    @property
    def width(self) -> int:
        """The total advance."""
        return sum(self.x_adv)

    def glyph_span(self, start: int, end: int) -> tuple[int, int] | None:
        """The glyph index range drawing characters ``[start, end)``, or None when cutting there needs reshaping."""
        n = len(self.text)
        if start >= end:
            return (0, 0)
        if (start > 0 and not self.safe(start)) or (end < n and not self.safe(end)):
            return None
        if self.rtl:
            return (bisect.bisect_right(self.order, -end), bisect.bisect_right(self.order, -start))
        return (bisect.bisect_left(self.order, start), bisect.bisect_left(self.order, end))


@functools.lru_cache(maxsize=2048)
def _shape(font: FontData, text: str, rtl: bool, script: str | None, lang: str | None, ligatures: bool) -> Shaped:
    buf = hb.Buffer()
    buf.add_str(text)
    buf.direction = "rtl" if rtl else "ltr"
    if script:
        buf.script = script
    if lang:
        buf.language = lang
    buf.guess_segment_properties()
    buf.cluster_level = hb.BufferClusterLevel.MONOTONE_CHARACTERS
    features = _NO_LIGATURES if not ligatures and (script in _SIMPLE_SCRIPTS or script is None) else None
    hb.shape(font.hb_font, buf, features)
    infos = buf.glyph_infos
    positions = buf.glyph_positions
    gids = tuple([i.codepoint for i in infos])
    clusters = tuple([i.cluster for i in infos])
    x_adv = tuple([p.x_advance for p in positions])
    n = len(text)
    if text.isascii() and len(clusters) == n and clusters == tuple(range(n)):
        # plain text: no marks to position, one glyph per character
        x_off = y_off = (0,) * n
        char_adv = x_adv
        starts = (True,) * n
    else:
        x_off = tuple([p.x_offset for p in positions])
        y_off = tuple([p.y_offset for p in positions])
        advances = [0] * n
        started = [False] * n
        for cluster, adv in zip(clusters, x_adv, strict=True):
            advances[cluster] += adv
            started[cluster] = True
        char_adv, starts = tuple(advances), tuple(started)
    order = tuple([-c for c in clusters]) if rtl else clusters
    return Shaped(text, rtl, gids, clusters, x_adv, x_off, y_off, char_adv, starts, order, tuple(infos))


def shape(
    font: FontData,
    text: str,
    *,
    rtl: bool = False,
    script: str | None = None,
    lang: str | None = None,
    ligatures: bool = False,
) -> Shaped:
    """``text`` shaped in ``font`` (kerning always; standard ligatures for simple scripts when asked)."""
    return _shape(font, text, rtl, script, lang, ligatures)
