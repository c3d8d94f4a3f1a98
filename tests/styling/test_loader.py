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
        ("[body]\nsize = -3\n", "body.size = -3: expected a length from 1pt to 72pt"),
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


# ----------------------------------------------------------------------------- usable-looking values (issue 14)


@pytest.mark.parametrize(
    ("setting", "message"),
    [
        ("body.size=0", "--set: body.size = 0: expected a length from 1pt to 72pt"),
        ("body.size=-4", "--set: body.size = -4: expected a length from 1pt to 72pt"),
        ("body.size=nan", "--set: body.size = nan: expected a length from 1pt to 72pt"),
        ("body.size=inf", "--set: body.size = inf: expected a length from 1pt to 72pt"),
        ("body.size=1e9", "--set: body.size = 1000000000.0: expected a length from 1pt to 72pt"),
        ("title.size=1e9pt", "expected a length such as"),
        ("body.size=\"30mm\"", "--set: body.size = '30mm': expected a length from 1pt to 72pt"),
        ("body.leading=0", "--set: body.leading = 0: expected a length from 1pt to 144pt"),
        ("heading2.leading=-inf", "--set: heading2.leading = -inf: expected a length from 1pt to 144pt"),
        ("furniture.size=0", "--set: furniture.size = 0: expected a length from 1pt to 72pt"),
        ("marking.size=0", "--set: marking.size = 0: expected a length from 1pt to 72pt"),
        ("body.space_after=2000", "--set: body.space_after = 2000: expected a length from 0pt to 288pt"),
        ("paragraphs.quote_indent=1000", "--set: paragraphs.quote_indent = 1000: expected a length from 0pt to 144pt"),
        ("paragraphs.list_indent=-1", "--set: paragraphs.list_indent = -1: expected a length from 0pt to 144pt"),
        ("page.margin_top=nan", "--set: page.margin_top = nan: expected a length from 0pt to 2000pt"),
        ("page.margin_inner=1900", "--set: page.margin_inner = 1900pt: expected 0 to 318.047pt on a A4 page with the "
         "other margins (margin_inner, margin_outer, gutter must leave the text column at least 144pt)"),
        ("page.gutter=400", "--set: page.gutter = 400pt: expected 0 to 198.992pt on a A4 page"),
        ("page.margin_bottom=\"25cm\"", "--set: page.margin_bottom = 708.661pt: expected 0 to 629.858pt on a A4 page"
         " with the other margins (margin_top, margin_bottom must leave a text area at least 144pt)"),
    ],
)
def test_unusable_values_name_key_value_and_range(setting: str, message: str) -> None:
    key, _, value = setting.partition("=")
    with pytest.raises(StyleError) as info:
        with_overrides(load_style(), [(key, value)])
    assert message in str(info.value)
    assert str(info.value).startswith("--set: ")


def test_margins_are_checked_against_the_page_in_a_sheet_file(tmp_path: Path) -> None:
    path = write(tmp_path, '[page]\nsize = "Letter"\nmargin_inner = "4in"\nmargin_outer = "4in"\n')
    with pytest.raises(StyleError, match=r"sheet.toml: page.margin_inner = 288pt: expected 0 to 180pt on a Letter"):
        load_style(str(path))
    ok = write(tmp_path, '[page]\nmargin_inner = "2.5in"\nmargin_outer = "2in"\n', "ok.toml")
    assert load_style(str(ok)).page.margin_inner == 180.0


def test_the_widest_allowed_margins_still_convert(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from clirun import run

    src = tmp_path / "a.md"
    src.write_text("# Title\n\nBody text that wraps.\n\n- one\n  - two\n\n> quote\n", encoding="utf-8")
    code, _, err = run(["convert", str(src), "-o", str(tmp_path / "out"), "--set", "page.margin_inner=225",
                        "--set", "page.margin_outer=225", "--set", "page.margin_top=348",
                        "--set", "page.margin_bottom=348", "--set", "paragraphs.quote_indent=144"], capsys)
    assert code == 0, err
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["a.docx", "a.epub", "a.pdf"]


def test_cli_refuses_an_unusable_value_with_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from clirun import run

    src = tmp_path / "a.txt"
    src.write_text("Headline\n\nText.\n")
    code, out, err = run(["convert", str(src), "-o", str(tmp_path / "out"), "--set", "body.size=nan"], capsys)
    assert code == 2 and out == ""
    assert err == "error: --set: body.size = nan: expected a length from 1pt to 72pt\n"
    assert not (tmp_path / "out").exists()


def test_an_edited_base_sheet_is_read_again_in_the_same_process(tmp_path: Path) -> None:
    (tmp_path / "base.toml").write_text('extends = "briefing"\n[page]\nsize = "A4"\n')
    (tmp_path / "top.toml").write_text('extends = "base.toml"\n')
    assert load_style(str(tmp_path / "top.toml")).page.size == "A4"
    (tmp_path / "base.toml").write_text('extends = "briefing"\n[page]\nsize = "Letter"\n')  # size changes too
    assert load_style(str(tmp_path / "top.toml")).page.size == "Letter"
