"""PDF writer internals: fallback chains on the conversion's fonts, bidi stand-in, paragraph analysis,
styles, and the font files a PDF reports."""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest

from briefpub.fonts import FontSet
from briefpub.pipeline import style_fonts
from briefpub.styling import load_style, with_overrides
from briefpub.tree import Code, Document, Meta, Paragraph, Publication, Text
from briefpub.writers import WriteOptions
from briefpub.writers.pdf import _rlbidi
from briefpub.writers.pdf.fonts import FontChain, make_chains

# What the writer does before importing reportlab (tests import its modules directly).
_rlbidi.install()

from briefpub.writers.pdf import WRITER  # noqa: E402
from briefpub.writers.pdf.markup import analyse  # noqa: E402
from tools import require_tool  # noqa: E402

STYLE = load_style("briefing")
FONTS = style_fonts(STYLE)
BUILD = datetime(2024, 5, 6, tzinfo=UTC)


def chain(role: str) -> FontChain:
    return make_chains(FONTS)[role]


def test_chains_are_the_font_sets_families_in_order():
    chains = make_chains(FONTS)
    for role in ("body", "heading", "mono"):
        assert [f.name for f in chains[role].families] == [f.name for f in FONTS.families(role)]
    assert chains["body"].primary.name == "DejaVu Serif"


def test_a_role_without_fonts_is_a_conversion_error():
    from briefpub.errors import ConversionError

    empty = FontSet({"body": FONTS.families("body"), "heading": (), "mono": FONTS.families("mono")}, ("Nope Sans",))
    with pytest.raises(ConversionError, match="heading.*Nope Sans"):
        WRITER.write(Publication((Document(Meta(title="x")),)), STYLE, WriteOptions(fonts=empty))


def test_no_fonts_passed_is_a_conversion_error():
    from briefpub.errors import ConversionError

    with pytest.raises(ConversionError, match="style_fonts"):
        WRITER.write(Publication((Document(Meta(title="x")),)), STYLE, WriteOptions())


def test_segment_falls_back_per_character_and_reports_what_no_font_has():
    body = chain("body")
    runs = body.segment("Лавров, Νίκος, وزير, 外交部 and 🕊 end")
    fonts = [face.family if face else None for face, _text in runs]
    assert fonts[0] == "DejaVu Serif"
    assert None in fonts
    assert "".join(text for _f, text in runs).replace("🕊", "") == "Лавров, Νίκος, وزير, 外交部 and  end"
    cjk = next(face for face, text in runs if "外交部" in text)
    assert cjk is not None and cjk.family in ("WenQuanYi Zen Hei", "Droid Sans Fallback")
    latin_after_cjk = next(face for face, text in runs if "end" in text)
    assert latin_after_cjk is not None and latin_after_cjk.family == "DejaVu Serif"
    assert body.missing == {0x1F54A}


def test_plain_text_in_the_primary_font_is_one_run():
    runs = chain("heading").segment("Talks Open on Regional Ceasefire", bold=True)
    assert len(runs) == 1 and runs[0][0] is not None and runs[0][0].bold


def test_a_language_puts_its_scripts_family_first():
    body = chain("body")
    names = [f.name for f in body.families]
    if "Noto Sans Arabic" not in names:
        pytest.skip("fonts-noto-core not installed")
    arabic = body.for_language("ar-EG")
    assert arabic.primary.name == "Noto Sans Arabic"
    assert arabic.missing is body.missing and arabic is body.for_language("ar")
    assert [f for f in arabic.families if f.name != "Noto Sans Arabic"] == [f for f in body.families
                                                                           if f.name != "Noto Sans Arabic"]
    face, text = arabic.segment("وزير")[0]
    assert face is not None and face.family == "Noto Sans Arabic" and text == "وزير"
    assert body.segment("وزير")[0][0].family == "DejaVu Sans"  # without the span: first family with the letters
    assert body.for_language("de") is body and body.for_language("") is body


def test_rtl_run_order_matches_python_bidi():
    from bidi.algorithm import get_display

    text = "Arabic: وزير الخارجية 12 and more"
    positions: list[int] = []
    visual = _rlbidi.log2vis(text, "LTR", positions_V_to_L=positions)
    assert visual == get_display(text)
    assert sorted(positions) == list(range(len(text)))
    assert [text[i] for i in positions] != list(text)
    assert _rlbidi.log2vis("שלום", "RTL") == "םולש"


def test_rlbidi_is_installed_for_reportlab():
    assert "rlbidi" in sys.modules
    assert _rlbidi.reportlab_has_rtl()


def test_reportlab_loaded_too_early_is_reported_not_silent():
    script = (
        "import reportlab.platypus\n"
        "import sys; sys.path.insert(0, sys.argv[1])\n"
        "from samples import arabic_document, single\n"
        "from briefpub.pipeline import style_fonts\n"
        "from briefpub.styling import load_style\n"
        "from briefpub.writers import WriteOptions\n"
        "from briefpub.writers.pdf import WRITER\n"
        "style = load_style('briefing')\n"
        "r = WRITER.write(single(arabic_document()), style, WriteOptions(fonts=style_fonts(style)))\n"
        "print(' '.join(d.code for d in r.diagnostics))\n"
    )
    tests_dir = str(Path(__file__).resolve().parents[1])
    out = subprocess.run([sys.executable, "-c", script, tests_dir], capture_output=True, text=True, check=True)
    assert "writer.not-rendered" in out.stdout


@pytest.mark.parametrize(
    ("text", "rtl", "shaping"),
    [
        ("Plain English.", False, False),
        ("Arabic: وزير", False, True),
        ("وزير الخارجية and English", True, True),
        ("שר החוץ", True, True),
        ("12, 13 —", False, False),
        ("外交部", False, False),
        ("नमस्ते", False, True),
    ],
)
def test_analyse_direction_and_shaping(text, rtl, shaping):
    needs = analyse(text)
    assert (needs.rtl, needs.shaping) == (rtl, shaping)


def test_neutral_paragraph_takes_the_document_direction():
    assert analyse("123 456", default_rtl=True).rtl is True


def test_body_styles_forbid_widows_and_orphans_and_set_embedded_fonts():
    from briefpub.writers.pdf.styles import PdfStyles

    styles = PdfStyles.build(STYLE, "en", make_chains(FONTS))
    body = styles.paragraph(STYLE.body, name="body", hyphenate=True)
    assert (body.allowWidows, body.allowOrphans) == (0, 0)
    assert body.fontName.startswith("bp-") and body.bulletFontName.startswith("bp-")
    assert callable(body.hyphenationLang)
    heading = styles.paragraph(STYLE.heading1, name="h1")
    assert heading.hyphenationLang == "" and heading.embeddedHyphenation == 0


# -- the font files a PDF reports ------------------------------------------------------------------------


def _embedded_postscript_names(data: bytes, tmp_path: Path) -> set[str]:
    require_tool("pdffonts")
    path = tmp_path / "fonts.pdf"
    path.write_bytes(data)
    out = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True).stdout
    rows = out.splitlines()[2:]
    assert rows and all(" yes " in row for row in rows)
    return {row.split()[0].split("+", 1)[-1] for row in rows}


def _reported_postscript_names(paths: tuple[str, ...]) -> set[str]:
    names = set()
    for face in FONTS.faces():
        if face.path in paths:
            names.add(face.psname)
            names.add(f"{face.psname}-{face.index}")  # reportlab names a collection's face with its index
    return names


@pytest.mark.parametrize("with_code", [False, True])
def test_result_lists_exactly_the_font_files_embedded(with_code, tmp_path):
    blocks = [Paragraph((Text("Plain text and Cyrillic: Лавров, and Chinese: 外交部."),))]
    if with_code:
        blocks.append(Paragraph((Text("Run "), Code((Text("make all"),)), Text("."))))
    doc = Document(Meta(title="Fonts"), tuple(blocks))
    result = WRITER.write(Publication((doc,)), with_overrides(STYLE, [("furniture.qr_code", "false")]),
                          WriteOptions(build_time=BUILD, fonts=FONTS))
    embedded = _embedded_postscript_names(result.data, tmp_path)
    reported = _reported_postscript_names(result.fonts)
    assert embedded <= reported, embedded - reported
    # every reported file has an embedded face: only faces really used are listed
    for path in result.fonts:
        assert embedded & _reported_postscript_names((path,)), path
    mono = {f.path for family in FONTS.families("mono")[:1] for f in family.faces}
    assert bool(mono & set(result.fonts)) is with_code
    assert any("wqy" in p.lower() or "droid" in p.lower() for p in result.fonts)  # the CJK fallback
    assert list(result.fonts) == sorted(set(result.fonts))
