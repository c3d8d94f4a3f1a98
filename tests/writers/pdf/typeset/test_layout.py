"""Lines of glyphs (``briefpub.writers.pdf.typeset.layout``): the shortcuts for runs of one glyph per
character or per cluster (ligatures) give the glyph-by-glyph result."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as hs

from briefpub.pipeline import style_fonts
from briefpub.styling import load_style
from briefpub.writers.pdf.typeset import layout
from briefpub.writers.pdf.typeset.itemize import prepare
from briefpub.writers.pdf.typeset.model import ParaStyle, Run, TextBlock

CHAIN = tuple(style_fonts(load_style()).families("body")[0].faces)
PIECES = ["talks", " ", "\u00a0", "Astana", "\u201cquoted\u201d", "it\u2019s", "\u2013", "office", "ffi",
          "x\u00adtra", "e\u0301te\u0301", "a\u200db", "\u05d1\u05e0\u05d9\u05de\u05d9\u05df", "\u0644\u0627\u0641",
          "\u043f\u0435\u0440\u0435", "\u4e2d\u6587", "1,000", "\u2009", "\ufe0f", "(TASS)", "\t"]


@settings(max_examples=150, deadline=None)
@given(words=hs.lists(hs.sampled_from(PIECES), min_size=1, max_size=14), ligatures=hs.booleans(),
       cut=hs.integers(min_value=0, max_value=40))
def test_the_shortcut_matches_the_glyph_by_glyph_run(words: list[str], ligatures: bool, cut: int) -> None:
    prepared = prepare(TextBlock.of([Run("".join(words), CHAIN, 10.5)], ParaStyle(14.5, ligatures=ligatures)))
    for item in prepared.items:
        bounds = {(item.start, item.end)}
        middle = item.start + cut % max(item.end - item.start, 1)
        bounds |= {(item.start, middle), (middle, item.end)}
        for a, b in sorted(bounds):
            if a >= b:
                continue
            span = item.shaped.glyph_span(a - item.start, b - item.start)
            if span is None:
                continue  # (shaped again on its own: both paths start from that)
            general = layout._general_run(prepared, item, item.shaped, item.start, *span, a, b)
            assert layout._glyph_run(prepared, item, a, b) == general
