"""Style sheets: built-ins, validation errors naming file/key/value, extends, overrides."""

from __future__ import annotations

from pathlib import Path

import pytest

from briefpub.errors import StyleError
from briefpub.styling import builtin_names, load_style, with_overrides
from briefpub.styling.model import PAGE_SIZES, StyleSheet


def test_builtin_sheets_exist_and_load() -> None:
    assert {"briefing", "plain"} <= set(builtin_names())
    briefing = load_style()
    assert briefing.name == "briefing"
    assert briefing.page.size == "A4"
    assert briefing.page_size == PAGE_SIZES["A4"]
    assert briefing.body.align == "justify"
    plain = load_style("plain")
    assert plain.body.align == "left" and plain.paragraphs.hyphenate is False


def test_every_builtin_sheet_is_fully_valid() -> None:
    for name in builtin_names():
        sheet = load_style(name)
        assert isinstance(sheet, StyleSheet)
        assert sheet.description


def write(tmp_path: Path, text: str, name: str = "sheet.toml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_sheet_file_with_units_and_extends(tmp_path: Path) -> None:
    path = write(tmp_path, 'extends = "plain"\n[page]\nsize = "letter"\nmargin_top = "1in"\n'
                           'margin_bottom = "2cm"\nmargin_inner = "20mm"\nmargin_outer = 50\n'
                           '[body]\ncolour = "#ABC"\nsize = 11\n')
    sheet = load_style(str(path))
    assert sheet.page.size == "Letter"
    assert sheet.page.margin_top == 72.0
    assert sheet.page.margin_bottom == pytest.approx(56.6929, abs=1e-3)
    assert sheet.page.margin_inner == pytest.approx(56.6929, abs=1e-3)
    assert sheet.page.margin_outer == 50.0
    assert sheet.body.colour == "#aabbcc"
    assert sheet.body.align == "left"  # from plain
    assert sheet.name == "sheet"


@pytest.mark.parametrize(
    ("toml", "fragment"),
    [
        ("[page]\nsise = 'A4'\n", "page.sise: unknown key"),
        ("[pages]\nsize = 'A4'\n", "pages: unknown key"),
        ("[page]\nsize = 'A3'\n", "page.size = 'A3': expected A4 or Letter"),
        ("[body]\nsize = 'big'\n", "body.size = 'big': expected a length"),
        ("[body]\nsize = -3\n", "body.size = -3: expected a length from 1pt to 200pt"),
        ("[body]\ncolour = 'red'\n", "body.colour = 'red': expected a colour"),
        ("[body]\nbold = 'yes'\n", "body.bold = 'yes': expected true or false"),
        ("[body]\nfont = 'fancy'\n", "body.font = 'fancy': expected body or heading or mono"),
        ("[body]\nalign = 'middle'\n", "body.align = 'middle'"),
        ("[fonts]\nbody = []\n", "fonts.body = []: expected a non-empty list"),
        ("[fonts]\nbody = 'DejaVu'\n", "fonts.body = 'DejaVu'"),
        ("page = 3\n", "page = 3: expected a table"),
        ("name = 3\n", "name = 3: expected a string"),
        ("extends = 'nonexistent'\n", "no built-in style sheet named 'nonexistent'"),
        ("[page\n", "not a valid TOML style sheet"),
    ],
)
def test_errors_name_file_key_and_value(tmp_path: Path, toml: str, fragment: str) -> None:
    path = write(tmp_path, toml)
    with pytest.raises(StyleError) as info:
        load_style(str(path))
    message = str(info.value)
    assert fragment in message
    if "built-in" not in fragment:
        assert str(path) in message


def test_unknown_builtin_lists_available() -> None:
    with pytest.raises(StyleError, match="available: briefing, plain"):
        load_style("fancy")


def test_missing_file() -> None:
    with pytest.raises(StyleError, match="style sheet not found"):
        load_style("no/such/sheet.toml")


def test_circular_extends(tmp_path: Path) -> None:
    write(tmp_path, 'extends = "b.toml"\n', "a.toml")
    write(tmp_path, 'extends = "a.toml"\n', "b.toml")
    with pytest.raises(StyleError, match="circular"):
        load_style(str(tmp_path / "a.toml"))


def test_overrides() -> None:
    sheet = with_overrides(load_style(), [("page.size", "Letter"), ("page.duplex", "true"),
                                          ("body.colour", "#ff0000"), ("body.size", "11pt")])
    assert sheet.page.size == "Letter" and sheet.page.duplex is True
    assert sheet.body.colour == "#ff0000" and sheet.body.size == 11.0
    with pytest.raises(StyleError, match="--set: page.nope: unknown key"):
        with_overrides(sheet, [("page.nope", "1")])
    with pytest.raises(StyleError, match="section.key"):
        with_overrides(sheet, [("a.b.c", "1")])


def test_families_include_fallbacks_without_repeats() -> None:
    sheet = load_style()
    body = sheet.families("body")
    assert body[:2] == ("Source Serif Pro", "DejaVu Serif")
    assert "WenQuanYi Zen Hei" in body
    assert len(body) == len(set(body))
    assert sheet.heading(1) == sheet.heading1 and sheet.heading(5) == sheet.heading3


def test_contents_depth_is_an_integer_between_1_and_3() -> None:
    assert with_overrides(load_style(), [("furniture.contents_depth", "2")]).furniture.contents_depth == 2
    with pytest.raises(StyleError, match="1, 2 or 3"):
        with_overrides(load_style(), [("furniture.contents_depth", "5")])
