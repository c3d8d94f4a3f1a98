"""The EPUB style sheet (``briefpub.writers.epub.css``): kept per process per style sheet, never stale."""

from __future__ import annotations

from dataclasses import replace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from briefpub.styling import load_style
from briefpub.writers.epub.css import stylesheet


def test_the_css_is_made_once_per_sheet_and_a_changed_sheet_misses() -> None:
    sheet = load_style()
    stylesheet.cache_clear()
    first = stylesheet(sheet)
    assert stylesheet(load_style()) == first  # an equal sheet (loaded again): the same CSS, from the cache
    assert stylesheet.cache_info().hits == 1
    changed = replace(sheet, boxes=replace(sheet.boxes, border="#00aa00"))
    other = stylesheet(changed)
    assert stylesheet.cache_info().misses == 2
    assert other != first
    stylesheet.cache_clear()
    assert stylesheet(changed) == other  # what the cache gave is what is made afresh


def _both_themes_by_trying_every_step(colour: str) -> str:
    """The first implementation of ``both_themes``, kept as the reference: all 101 lightness steps tried."""
    import colorsys

    from briefpub.writers.epub.css import MIN_CONTRAST, _rgb, contrast

    rgb = _rgb(colour)
    white, black = (255, 255, 255), (0, 0, 0)

    def ok(c: tuple[int, int, int]) -> bool:
        return min(contrast(c, white), contrast(c, black)) >= MIN_CONTRAST

    if ok(rgb):
        return "#{:02x}{:02x}{:02x}".format(*rgb)
    hue, light, sat = colorsys.rgb_to_hls(*(c / 255 for c in rgb))
    best: tuple[float, tuple[int, int, int]] | None = None
    for step in range(101):
        candidate_l = step / 100
        r, g, b = colorsys.hls_to_rgb(hue, candidate_l, sat)
        candidate = (round(r * 255), round(g * 255), round(b * 255))
        if ok(candidate) and (best is None or abs(candidate_l - light) < best[0]):
            best = (abs(candidate_l - light), candidate)
    chosen = best[1] if best is not None else (128, 128, 128)
    return "#{:02x}{:02x}{:02x}".format(*chosen)


@settings(max_examples=2000, deadline=None)
@given(st.integers(0, 0xFFFFFF))
def test_both_themes_finds_what_trying_every_step_finds(value: int) -> None:
    """Trying the lightness steps nearest first gives exactly the colour the exhaustive search gives."""
    from briefpub.writers.epub.css import both_themes

    colour = f"#{value:06x}"
    assert both_themes(colour) == _both_themes_by_trying_every_step(colour)


@pytest.mark.parametrize("colour", ["#000000", "#ffffff", "#808080", "#767676", "#959595", "#ff0000", "#00ffff",
                                    "#0000ff", "#ffff00", "not a colour"])
def test_both_themes_on_the_edges(colour: str) -> None:
    from briefpub.writers.epub.css import both_themes

    assert both_themes(colour) == _both_themes_by_trying_every_step(colour)
