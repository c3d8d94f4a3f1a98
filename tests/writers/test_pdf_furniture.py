"""The PDF writer's page furniture: the running head's fitter (writers/pdf/furniture.py)."""

from __future__ import annotations

from typing import Any

import pytest

from briefpub.pipeline import style_fonts
from briefpub.styling import load_style
from briefpub.writers.pdf.flowables import PageState
from briefpub.writers.pdf.fonts import make_chains
from briefpub.writers.pdf.furniture import Furniture
from briefpub.writers.pdf.images import Images
from briefpub.writers.pdf.paragraphs import Setter

STYLE = load_style("briefing")
FONTS = style_fonts(STYLE)
PHRASE = "the council agreed a new framework for regional cooperation on water and energy"


def furniture() -> Furniture:
    setter = Setter(STYLE, make_chains(FONTS), Images({}, []), [], language="en", rtl=False, width=450, height=700)
    return Furniture(STYLE, setter, PageState("", ""), "Page {page} of {pages}")


def title(chars: int) -> str:
    text = PHRASE
    return ((text + " ") * (chars // len(text) + 1))[:chars].strip()


def test_a_short_title_is_kept_whole():
    fur = furniture()
    assert fur._fit("Talks resume in Geneva", 8.0) == "Talks resume in Geneva"


def test_a_long_title_is_cut_at_a_word_with_an_ellipsis_and_fits():
    fur = furniture()
    text = title(400)
    fitted = fur._fit(text, 8.0, 200.0)
    assert fitted.endswith(" \u2026")
    kept = fitted.removesuffix(" \u2026")
    assert text.startswith(kept) and text[len(kept)] == " "
    assert fur._fit_width(fitted, 8.0) <= 200.0
    # the next word would not have fitted
    following = text[: text.index(" ", len(kept) + 1)] if " " in text[len(kept) + 1:] else text
    assert fur._fit_width(following + " \u2026", 8.0) > 200.0


def test_a_single_overlong_word_is_cut_inside_it():
    fur = furniture()
    fitted = fur._fit("x" * 5_000, 8.0, 100.0)
    assert fitted.endswith("\u2026") and set(fitted[:-1]) == {"x"}
    assert fur._fit_width(fitted, 8.0) <= 100.0
    assert fur._fit_width("x" * len(fitted) + "\u2026", 8.0) > 100.0  # one more letter would not fit


@pytest.mark.parametrize("chars", [100_000])
def test_fitting_a_huge_title_measures_a_bounded_amount_of_text(chars):
    """The fitter's work does not grow with the title: 1x, 16x and 256x titles cost about the same
    (before, a 100,000-character title measured every shorter prefix: minutes)."""
    work = []
    for n in (chars // 256, chars // 16, chars):
        fur = furniture()
        measured: list[int] = []
        line = fur._line

        def counting(text: str, *args: Any, measured: list[int] = measured, line: Any = line,
                     **kwargs: Any) -> Any:
            measured.append(len(text))
            return line(text, *args, **kwargs)

        fur._line = counting  # type: ignore[method-assign]
        fitted = fur._fit(title(n), 8.0)
        assert fitted.endswith("\u2026") and len(fitted) < 400
        work.append(sum(measured))
    assert work[2] < 3 * work[0] + 2_000
    assert work[2] < 40_000
