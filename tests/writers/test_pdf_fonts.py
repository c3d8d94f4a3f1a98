"""PDF writer internals: font discovery and fallback, bidi stand-in, paragraph analysis, outline depths."""

from __future__ import annotations

import struct
import subprocess
import sys
from pathlib import Path

import pytest

from briefpub.styling import load_style
from briefpub.writers.pdf import _rlbidi
from briefpub.writers.pdf.fonts import Family, make_chain, scan_fonts

# What the writer does before importing reportlab (tests import its modules directly).
_rlbidi.install()

from briefpub.writers.pdf.layout import outline_levels  # noqa: E402
from briefpub.writers.pdf.markup import analyse  # noqa: E402

STYLE = load_style("briefing")


def test_scan_finds_truetype_families_and_their_four_styles():
    fonts = scan_fonts()
    assert "dejavu serif" in fonts
    family = Family.find("DejaVu Serif")
    assert family is not None
    paths = {slot: Path(face.path).name for slot, face in family.faces.items()}
    assert paths == {
        (False, False): "DejaVuSerif.ttf",
        (True, False): "DejaVuSerif-Bold.ttf",
        (False, True): "DejaVuSerif-Italic.ttf",
        (True, True): "DejaVuSerif-BoldItalic.ttf",
    }
    assert Family.find("No Such Family Anywhere") is None


def test_scan_skips_cff_fonts_and_garbage(tmp_path):
    # A minimal sfnt whose outlines are CFF: reportlab cannot embed it, so it must not be listed.
    tables = [b"CFF ", b"cmap", b"name"]
    header = struct.pack(">4sHHHH", b"OTTO", len(tables), 0, 0, 0)
    directory = b"".join(struct.pack(">4sIII", tag, 0, 0, 0) for tag in tables)
    (tmp_path / "cff.otf").write_bytes(header + directory)
    (tmp_path / "broken.ttf").write_bytes(b"\x00\x01")
    assert scan_fonts((tmp_path,)) == {}


def test_missing_styles_borrow_the_nearest_face():
    family = Family.find("WenQuanYi Zen Hei")
    if family is None:
        pytest.skip("fonts-wqy-zenhei not installed")
    assert len({face.path for face in family.faces.values()}) == 1


def test_segment_falls_back_per_character_and_reports_what_no_font_has():
    chain = make_chain("body", STYLE.families("body"))
    runs = chain.segment("Лавров, Νίκος, وزير, 外交部 and 🕊 end")
    fonts = [face.family if face else None for face, _text in runs]
    assert fonts[0] == "DejaVu Serif"
    assert None in fonts
    assert "".join(text for _f, text in runs).replace("🕊", "") == "Лавров, Νίκος, وزير, 外交部 and  end"
    cjk = next(face for face, text in runs if "外交部" in text)
    assert cjk is not None and cjk.family in ("WenQuanYi Zen Hei", "Droid Sans Fallback")
    latin_after_cjk = next(face for face, text in runs if "end" in text)
    assert latin_after_cjk is not None and latin_after_cjk.family == "DejaVu Serif"
    assert chain.missing == {0x1F54A}


def test_plain_text_in_the_primary_font_is_one_run():
    chain = make_chain("heading", STYLE.families("heading"))
    runs = chain.segment("Talks Open on Regional Ceasefire", bold=True)
    assert len(runs) == 1 and runs[0][0] is not None and runs[0][0].bold


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
        "from briefpub.styling import load_style\n"
        "from briefpub.writers import WriteOptions\n"
        "from briefpub.writers.pdf import WRITER\n"
        "r = WRITER.write(single(arabic_document()), load_style('briefing'), WriteOptions())\n"
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


@pytest.mark.parametrize(
    ("levels", "expected"),
    [
        ([], []),
        ([2, 2, 3, 2], [1, 1, 2, 1]),
        ([1, 3, 2, 4], [1, 2, 2, 3]),
        ([3, 1, 2], [1, 1, 2]),
        ([2, 6, 6, 1], [1, 2, 3, 1]),
    ],
)
def test_outline_levels_never_skip(levels, expected):
    assert outline_levels(levels) == expected


def test_body_styles_forbid_widows_and_orphans_and_set_embedded_fonts():
    from briefpub.writers.pdf.styles import PdfStyles, make_chains

    styles = PdfStyles.build(STYLE, "en", make_chains(STYLE))
    body = styles.paragraph(STYLE.body, name="body", hyphenate=True)
    assert (body.allowWidows, body.allowOrphans) == (0, 0)
    assert body.fontName.startswith("bp-") and body.bulletFontName.startswith("bp-")
    assert callable(body.hyphenationLang)
    heading = styles.paragraph(STYLE.heading1, name="h1")
    assert heading.hyphenationLang == "" and heading.embeddedHyphenation == 0
