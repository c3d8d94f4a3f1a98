"""The EPUB style sheet (``briefpub.writers.epub.css``): kept per process per style sheet, never stale."""

from __future__ import annotations

from dataclasses import replace

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
