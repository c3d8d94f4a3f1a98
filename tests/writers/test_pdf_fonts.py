"""PDF writer fonts: fallback chains on the conversion's fonts, the packaged text faces, every glyph
through the text engine (each face embedded once, nothing unembedded), and the font files a PDF reports."""

from __future__ import annotations

import subprocess
from datetime import UTC, datetime
from pathlib import Path

import pytest

from briefpub.fonts import FontSet
from briefpub.pipeline import style_fonts
from briefpub.styling import load_style, with_overrides
from briefpub.tree import Code, Document, Meta, Paragraph, Publication, Span, Text
from briefpub.writers import WriteOptions
from briefpub.writers.pdf import WRITER
from briefpub.writers.pdf.fonts import FontChain, make_chains
from tools import require_tool

STYLE = load_style("briefing")
FONTS = style_fonts(STYLE)
BUILD = datetime(2024, 5, 6, tzinfo=UTC)


def chain(role: str) -> FontChain:
    return make_chains(FONTS)[role]


def test_chains_are_the_font_sets_families_in_order():
    chains = make_chains(FONTS)
    for role in ("body", "heading", "mono"):
        assert [f.name for f in chains[role].families] == [f.name for f in FONTS.families(role)]


@pytest.mark.parametrize(("style", "role", "family", "package"), [
    ("briefing", "body", "Source Serif Pro", "font_source_serif_pro"),
    ("briefing", "heading", "Source Sans Pro", "font_source_sans_pro"),
    ("plain", "body", "Source Serif Pro", "font_source_serif_pro"),
    ("plain", "heading", "Source Sans Pro", "font_source_sans_pro"),
])
def test_text_faces_are_the_packaged_source_families(style, role, family, package):
    """The main text faces come from the PyPI font packages, not from whatever the machine has."""
    primary = make_chains(style_fonts(load_style(style)))[role].primary
    assert primary.name == family
    for bold in (False, True):
        for italic in (False, True):
            face = primary.face(bold, italic)
            assert f"{package}/files/" in face.path.replace("\\", "/") and face.path.endswith(".ttf")
            assert face.bold == bold and face.italic == italic


@pytest.mark.parametrize("role", ["body", "heading"])
def test_source_faces_cover_latin_greek_and_cyrillic(role):
    """Western, Central and Eastern European Latin, modern Greek and Russian Cyrillic, and the punctuation
    the typography module prints; rarer letters (Ŋ, Ĳ, Latin Extended-B) fall back to DejaVu."""
    from briefpub.fonts import coverage

    face = chain(role).primary.face(False, False)
    cov = coverage(face)
    european = "ĄąĆćĘęŁłŃńŚśŹźŻżČčĎďĚěŇňŘřŠšŤťŮůŽžŐőŰűĞğİıŞşĀāĒēĪīŪūĶķĻļŅņȘșȚțŒœ"
    needed = [*range(0x20, 0x7F), *range(0xA0, 0x100), *map(ord, european), *range(0x391, 0x3AA),
              *range(0x3B1, 0x3CA), *range(0x410, 0x450), *map(ord, "‘’‚“”„«»‹›–—…•€")]
    assert not [hex(c) for c in needed if c not in cov and c not in (0x3A2, 0xAD)]


def test_a_role_without_fonts_is_a_conversion_error():
    from briefpub.errors import ConversionError

    empty = FontSet({"body": FONTS.families("body"), "heading": (), "mono": FONTS.families("mono")}, ("Nope Sans",))
    with pytest.raises(ConversionError, match="heading.*Nope Sans"):
        WRITER.write(Publication((Document(Meta(title="x")),)), STYLE, WriteOptions(fonts=empty))


def test_no_fonts_passed_is_a_conversion_error():
    from briefpub.errors import ConversionError

    with pytest.raises(ConversionError, match="style_fonts"):
        WRITER.write(Publication((Document(Meta(title="x")),)), STYLE, WriteOptions())


def test_a_language_puts_its_scripts_family_first():
    body = chain("body")
    names = [f.name for f in body.families]
    if "Noto Sans Arabic" not in names:
        pytest.skip("fonts-noto-core not installed")
    arabic = body.for_language("ar-EG")
    assert arabic.primary.name == "Noto Sans Arabic"
    assert arabic is body.for_language("ar")
    assert [f for f in arabic.families if f.name != "Noto Sans Arabic"] == [f for f in body.families
                                                                           if f.name != "Noto Sans Arabic"]
    assert body.for_language("de") is body and body.for_language("") is body


def test_characters_no_font_has_are_reported_once():
    doc = Document(Meta(title="Doves"), (Paragraph((Text("A dove \U0001F54A flew, another \U0001F54A."),)),))
    result = WRITER.write(Publication((doc,)), STYLE, WriteOptions(build_time=BUILD, fonts=FONTS))
    missing = [d for d in result.diagnostics if d.code == "writer.missing-glyph"]
    assert len(missing) == 1 and "U+1F54A" in missing[0].message


def _pdffonts(data: bytes, tmp_path: Path) -> list[str]:
    require_tool("pdffonts")
    path = tmp_path / "fonts.pdf"
    path.write_bytes(data)
    out = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True).stdout
    return out.splitlines()[2:]


def test_every_face_is_embedded_once_and_nothing_unembedded(tmp_path):
    """All text goes through the engine's fonts: no Helvetica from reportlab's defaults, and no face
    embedded a second time by reportlab's own font objects (bullets, table cells, furniture)."""
    doc = Document(Meta(title="Once", source="Example News", url="https://example.org/a", date="2024-05-06",
                        marking="OFFICIAL", summary=("One point.", "Another point.")), (
        Paragraph((Text("Body text with "), Code((Text("code"),)), Text(" and "),
                   Span((Text("Deutsch"),), lang="de"), Text("."))),
    ))
    result = WRITER.write(Publication((doc,)), STYLE, WriteOptions(build_time=BUILD, fonts=FONTS))
    rows = _pdffonts(result.data, tmp_path)
    assert rows and all(row.split()[-5] == "yes" for row in rows), rows
    names = [row.split()[0].split("+", 1)[-1] for row in rows]
    assert len(names) == len(set(names)), names
    assert not any("Helvetica" in name for name in names)


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
