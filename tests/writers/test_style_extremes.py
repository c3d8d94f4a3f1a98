"""Every style sheet the loader accepts converts: type, leading and spacing at the maxima of their ranges,
on the smallest text area the margins may leave and on a page without margins, A4 and Letter, an article
and a pack, in all three formats. Nothing fails the PDF layout: a block taller than the whole text area
is scaled down to fit and reported (``writer.shrunk``); paragraphs split line by line."""

from __future__ import annotations

import math
from dataclasses import fields
from datetime import UTC, datetime
from pathlib import Path

import pytest

from briefpub.pipeline import convert_one, publish
from briefpub.pipeline.pack import assemble_pack
from briefpub.styling import load_style, with_overrides
from briefpub.styling.model import MIN_COLUMN, MIN_FRAME_HEIGHT, PAGE_SIZES, StyleSheet, TextStyle
from briefpub.tree import PackMeta
from shared_data import ROOT

BUILD = datetime(2024, 5, 6, tzinfo=UTC)
ARTICLE = ROOT / "fixtures" / "txt" / "geneva-round.txt"
BLOCKS = ROOT / "fixtures" / "md" / "blocks.txt"  # tables, code, quotes, lists, pictures
FORMATS = ["pdf", "epub", "docx"]


def _maxima(section: str, keys: tuple[str, ...]) -> list[tuple[str, str]]:
    """``section.key`` at the top of its range (read from the model, so the test follows the ranges)."""
    style = getattr(StyleSheet(), section)
    found = {f.name: f.metadata["range"][1] for f in fields(style) if "range" in f.metadata}
    return [(f"{section}.{key}", f"{found[key]:g}") for key in keys]


def _text_sections() -> list[str]:
    return [f.name for f in fields(StyleSheet) if isinstance(getattr(StyleSheet(), f.name), TextStyle)]


def _margins(paper: str, *, smallest_area: bool) -> list[tuple[str, str]]:
    width, height = PAGE_SIZES[paper]
    side = math.floor((width - MIN_COLUMN) / 2 * 100) / 100 if smallest_area else 0.0
    top = math.floor((height - MIN_FRAME_HEIGHT) / 2 * 100) / 100 if smallest_area else 0.0
    return [("page.size", paper), ("page.margin_top", f"{top:g}"), ("page.margin_bottom", f"{top:g}"),
            ("page.margin_inner", f"{side:g}"), ("page.margin_outer", f"{side:g}")]


def _sheet(paper: str, smallest_area: bool, texts: str) -> StyleSheet:
    sections = _text_sections() if texts == "all" else ["body"]
    sets = _margins(paper, smallest_area=smallest_area)
    for section in sections:
        sets += _maxima(section, ("size", "leading", "space_before", "space_after"))
    sets += _maxima("furniture", ("size",)) + _maxima("marking", ("size",))
    sets += _maxima("paragraphs", ("first_line_indent", "list_indent", "quote_indent"))
    return with_overrides(load_style(), sets)


CASES = [
    pytest.param(paper, smallest, texts, id=f"{paper}-{'smallest-area' if smallest else 'no-margins'}-{texts}")
    for paper in PAGE_SIZES for smallest in (True, False) for texts in ("all", "body")
]


def test_the_cases_are_at_the_limits() -> None:
    sheet = _sheet("A4", True, "all")
    width, height = sheet.page_size
    assert width - sheet.page.margin_inner - sheet.page.margin_outer == pytest.approx(MIN_COLUMN, abs=0.02)
    assert height - sheet.page.margin_top - sheet.page.margin_bottom == pytest.approx(MIN_FRAME_HEIGHT, abs=0.02)
    assert sheet.body.size == 72 and sheet.heading1.leading == 144 and sheet.title.space_before == 288


@pytest.mark.parametrize(("paper", "smallest", "texts"), CASES)
def test_an_article_converts_with_the_extreme_values(tmp_path: Path, paper: str, smallest: bool,
                                                     texts: str) -> None:
    sheet = _sheet(paper, smallest, texts)
    report = convert_one(str(ARTICLE), FORMATS, tmp_path, sheet, meta_overrides=[("marking", "OFFICIAL")],
                         build_time=BUILD)
    assert not report.error and report.exit_code == 0, report.error
    assert sorted(a.format for a in report.artifacts) == sorted(FORMATS)
    assert all(a.size > 0 for a in report.artifacts)


@pytest.mark.parametrize(("paper", "smallest", "texts"), CASES)
def test_a_pack_converts_with_the_extreme_values(tmp_path: Path, paper: str, smallest: bool, texts: str) -> None:
    sheet = _sheet(paper, smallest, texts)
    assembled = assemble_pack([str(ARTICLE), str(BLOCKS)], PackMeta("Extremes", summary_page=True,
                                                                    marking="OFFICIAL"))
    targets = [(fmt, tmp_path / f"pack.{fmt}") for fmt in FORMATS]
    artifacts, diagnostics = publish(assembled.publication, assembled.resources, targets, sheet,
                                     build_time=BUILD, image_names=assembled.image_names)
    assert sorted(a.format for a in artifacts) == sorted(FORMATS)
    shrunk = [d for d in diagnostics if d.code == "writer.shrunk"]
    if smallest and texts == "all":  # the pack's title and contents entries cannot fit a 144pt square
        assert shrunk
    for diagnostic in shrunk:
        assert diagnostic.severity == "warning" and 0 < len(diagnostic.text) <= 120
