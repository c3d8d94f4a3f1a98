"""DOCX writer: every output is read back (package, styles, properties, text, determinism).

The LibreOffice round trip (a real client laying out the pages) is in
``test_docx_libreoffice.py``; this file checks the package itself.
"""

from __future__ import annotations

import hashlib
import io
import os
import re
import struct
import subprocess
import sys
import zipfile
import zlib
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import docx
import pytest
from docx.enum.style import WD_STYLE_TYPE
from hypothesis import given
from lxml import etree

from briefpub.pipeline import style_fonts
from briefpub.styling import load_style, with_overrides
from briefpub.styling.model import StyleSheet
from briefpub.tree import (
    Block,
    BlockQuote,
    BulletList,
    Code,
    Document,
    Emphasis,
    Figure,
    Heading,
    Inline,
    Link,
    Meta,
    OrderedList,
    PackMeta,
    Paragraph,
    Publication,
    Strong,
    Table,
    TableCell,
    TableRow,
    Text,
)
from briefpub.writers import WriteOptions, WriteResult, get_writer
from briefpub.writers._zip import zip_time
from briefpub.writers.docx import WRITER
from briefpub.writers.docx.oxml import Fonts
from briefpub.writers.docx.styles import fonts_for
from fidelity import assert_faithful
from samples import (
    arabic_document,
    hostile_document,
    long_document,
    pack,
    rich_document,
    scripts_document,
    single,
)
from shared_data import REFERENCE, ROOT, require_shared
from strategies import documents

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
NS = {
    "w": W,
    "r": R,
    "wp": "http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing",
    "cp": "http://schemas.openxmlformats.org/package/2006/metadata/core-properties",
    "dc": "http://purl.org/dc/elements/1.1/",
    "dcterms": "http://purl.org/dc/terms/",
    "ct": "http://schemas.openxmlformats.org/package/2006/content-types",
    "rel": "http://schemas.openxmlformats.org/package/2006/relationships",
}
BUILD = datetime(2024, 3, 5, 6, 7, 8, tzinfo=UTC)
BRIEFING = load_style("briefing")
TEXT_WIDTH_EMU = round((595.2756 - (42 + 47) * 72 / 25.4) * 12700)  # A4 less 42 mm inner and 47 mm outer


def w(tag: str) -> str:
    return f"{{{W}}}{tag}"


def png(width: int, height: int) -> bytes:
    """A grey RGB PNG (no pHYs chunk: python-docx assumes 72 dpi, so 1 px = 1 pt)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    raw = b"".join(b"\x00" + b"\x80\x80\x80" * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b"")


def write(pub: Publication, style: StyleSheet = BRIEFING, **options: object) -> WriteResult:
    options.setdefault("fonts", style_fonts(style))
    return WRITER.write(pub, style, WriteOptions(build_time=BUILD, **options))  # type: ignore[arg-type]


def part(data: bytes, name: str) -> etree._Element:
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        return etree.fromstring(z.read(name))


def parts_named(data: bytes, pattern: str) -> list[str]:
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        return sorted(n for n in z.namelist() if re.fullmatch(pattern, n))


def paragraph_text(p: etree._Element) -> str:
    """A paragraph's text as a reader sees it: w:t, line breaks as spaces (no field codes)."""
    out: list[str] = []
    for element in p.iter(w("t"), w("br"), w("tab")):
        out.append(element.text or "" if element.tag == w("t") else " ")
    return "".join(out).replace("\u00a0", " ")  # a heading's last two words are tied: read as a space


def body_paragraphs(data: bytes) -> list[etree._Element]:
    body = part(data, "word/document.xml").find(w("body"))
    assert body is not None
    return list(body.iter(w("p")))


def body_text(data: bytes) -> str:
    return "\n".join(paragraph_text(p) for p in body_paragraphs(data))


def style_of(p: etree._Element) -> str:
    style = p.find(f"{w('pPr')}/{w('pStyle')}")
    return "" if style is None else style.get(w("val"), "")


def figure_document(image: str = "photo.png", alt: str = "Delegates at the table") -> Document:
    return Document(
        meta=Meta(title="Figure test"),
        blocks=(
            Paragraph((Text("Before the figure."),)),
            Figure(caption=(Text("The negotiating table"),), image=image, alt=alt),
            Paragraph((Text("After the figure."),)),
        ),
    )


SAMPLES: dict[str, Publication] = {
    "rich": single(rich_document()),
    "long": single(long_document()),
    "hostile": single(hostile_document()),
    "scripts": single(scripts_document()),
    "arabic": single(arabic_document()),
    "pack": pack([rich_document(), arabic_document(), long_document(20)], marking="OFFICIAL"),
    "figure": single(figure_document()),
}
RESOURCES = {"photo.png": png(2000, 1000), "small.png": png(40, 20), "broken.png": b"\x89PNG not really"}


@pytest.fixture(scope="module")
def outputs() -> dict[str, WriteResult]:
    return {name: write(pub, resources=RESOURCES) for name, pub in SAMPLES.items()}


# --------------------------------------------------------------------------
# The writer and the package
# --------------------------------------------------------------------------


def test_registry_returns_the_docx_writer() -> None:
    writer = get_writer("docx")
    assert writer is WRITER
    assert (writer.name, writer.extension) == ("docx", ".docx")
    assert writer.media_type == "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


@pytest.mark.parametrize("name", sorted(SAMPLES))
def test_package_is_consistent(outputs: dict[str, WriteResult], name: str) -> None:
    data = outputs[name].data
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        names = z.namelist()
        assert names[0] == "[Content_Types].xml"
        assert len(names) == len(set(names))
        types = etree.fromstring(z.read("[Content_Types].xml"))
        defaults = {d.get("Extension", "").lower() for d in types.iterfind("ct:Default", NS)}
        overrides = {o.get("PartName", "") for o in types.iterfind("ct:Override", NS)}
        for override in overrides:
            assert override.lstrip("/") in names, f"content type for missing part {override}"
        for entry in names:
            if entry != "[Content_Types].xml":
                ext = entry.rsplit(".", 1)[-1].lower()
                assert "/" + entry in overrides or ext in defaults, f"{entry} has no content type"
        for rels_name in [n for n in names if n.endswith(".rels")]:
            folder = rels_name.split("_rels/")[0].rstrip("/")  # the source part's folder
            for rel in etree.fromstring(z.read(rels_name)).iterfind("rel:Relationship", NS):
                if rel.get("TargetMode") == "External":
                    continue
                target = rel.get("Target", "")
                resolved = (Path(folder) / target).as_posix() if folder else target
                assert resolved in names, f"{rels_name} points at missing {resolved}"
        for leftover in ("docProps/thumbnail.jpeg", "word/stylesWithEffects.xml", "customXml/item1.xml"):
            assert leftover not in names
        # Every XML part is well-formed.
        for entry in names:
            if entry.endswith((".xml", ".rels")):
                etree.fromstring(z.read(entry))


def test_zip_entries_carry_the_build_time(outputs: dict[str, WriteResult]) -> None:
    with zipfile.ZipFile(io.BytesIO(outputs["rich"].data)) as z:
        assert {info.date_time for info in z.infolist()} == {zip_time(BUILD)}


def test_core_properties_come_from_the_document(outputs: dict[str, WriteResult]) -> None:
    data = outputs["rich"].data
    props = docx.Document(io.BytesIO(data)).core_properties
    assert props.title == "Talks Open on Regional Ceasefire"
    assert props.subject == "Delegations meet for the first time in six years"
    assert props.author == "Jane Example; Ravi Sample"
    assert props.keywords == "diplomacy, ceasefire"
    assert props.language == "en"
    assert props.last_modified_by == "briefpub"
    assert props.revision == 1
    assert props.created == props.modified == BUILD
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        core = z.read("docProps/core.xml").decode()
        app = z.read("docProps/app.xml").decode()
    assert "python-docx" not in core and "2013" not in core
    assert "<Application>briefpub</Application>" in app
    assert "Macintosh" not in app and "Microsoft" not in app


def test_pack_properties_name_the_pack(outputs: dict[str, WriteResult]) -> None:
    props = docx.Document(io.BytesIO(outputs["pack"].data)).core_properties
    assert props.title == "Morning Briefing Pack"
    assert props.author == "Jane Example; Ravi Sample"  # union of the articles' authors


def test_overlong_metadata_is_clipped_not_fatal() -> None:
    title = "Word " * 100
    result = write(single(Document(meta=Meta(title=title, keywords=("k" * 300,)))))
    props = docx.Document(io.BytesIO(result.data)).core_properties
    assert len(props.title) == 255 and title.startswith(props.title)
    assert title.strip() in body_text(result.data)  # the body keeps the whole title
    clipped = [(d.code, d.severity, d.message) for d in result.diagnostics]
    assert clipped == [
        ("writer.metadata", "info", "document property 'title' cut to 255 characters (Word's limit)"),
        ("writer.metadata", "info", "document property 'keywords' cut to 255 characters (Word's limit)"),
    ]


def test_settings_drop_the_preview_and_use_current_compatibility(outputs: dict[str, WriteResult]) -> None:
    settings = part(outputs["rich"].data, "word/settings.xml")
    assert settings.find(w("savePreviewPicture")) is None
    modes = [s.get(w("val")) for s in settings.iter(w("compatSetting")) if s.get(w("name")) == "compatibilityMode"]
    assert modes == ["15"]
    assert settings.find(w("autoHyphenation")) is not None  # briefing hyphenates
    theme_lang = settings.find(w("themeFontLang"))
    assert theme_lang is not None and dict(theme_lang.attrib) == {w("val"): "en"}
    plain = write(SAMPLES["rich"], load_style("plain"))
    assert part(plain.data, "word/settings.xml").find(w("autoHyphenation")) is None


# --------------------------------------------------------------------------
# Text fidelity and styles
# --------------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(SAMPLES))
def test_text_is_faithful_to_the_tree(outputs: dict[str, WriteResult], name: str) -> None:
    text = body_text(outputs[name].data)
    for doc in SAMPLES[name].documents:
        assert_faithful(doc, text, hyphenation=False)


def test_fidelity_check_can_fail(outputs: dict[str, WriteResult]) -> None:
    with pytest.raises(AssertionError):
        assert_faithful(rich_document(), body_text(outputs["long"].data), hyphenation=False)


def test_paragraphs_use_word_built_in_style_names(outputs: dict[str, WriteResult]) -> None:
    document = docx.Document(io.BytesIO(outputs["rich"].data))
    used = {p.style.name for p in document.paragraphs}
    for table in document.tables:
        for row in table.rows:
            for cell in row.cells:
                used |= {p.style.name for p in cell.paragraphs}
    expected = {
        "Heading 1",
        "Subtitle",
        "Heading 2",
        "Heading 3",
        "Body Text",
        "Quote",
        "Caption",
        "List Bullet",
        "List Number",
        "Byline",
        "Key Points Heading",
        "Key Point",
        "Table Text",
        "Attribution",
    }
    assert expected <= used, expected - used
    hyperlink = document.styles["Hyperlink"]
    assert hyperlink.type == WD_STYLE_TYPE.CHARACTER
    assert hyperlink.font.color.rgb is not None and str(hyperlink.font.color.rgb) == "1F4E8C"
    assert document.styles["TOC Heading"].font.name == "Source Sans Pro"
    runs = part(outputs["rich"].data, "word/document.xml").iterfind(".//w:hyperlink/w:r/w:rPr/w:rStyle", NS)
    assert {r.get(w("val")) for r in runs} == {"Hyperlink"}


def test_styles_pin_all_four_font_slots_and_no_theme_fonts(outputs: dict[str, WriteResult]) -> None:
    styles = part(outputs["rich"].data, "word/styles.xml")
    text = etree.tostring(styles).decode()
    assert "Theme" not in re.sub(r"<w:latentStyles.*?</w:latentStyles>", "", text, flags=re.S)
    assert "w:cstheme" not in text and "themeColor" not in text
    by_id = {s.get(w("styleId")): s for s in styles.iterfind("w:style", NS)}
    for style_id in (
        "Normal",
        "BodyText",
        "Title",
        "Subtitle",
        "Heading1",
        "Heading2",
        "Heading3",
        "Quote",
        "Caption",
        "ListBullet",
        "ListNumber",
        "TOCHeading",
        "Header",
        "Footer",
        "HTMLCode",
    ):
        fonts = by_id[style_id].find("w:rPr/w:rFonts", NS)
        assert fonts is not None, style_id
        assert {k.split("}")[1] for k in fonts.attrib} == {"ascii", "hAnsi", "eastAsia", "cs"}, style_id
    title = by_id["Heading1"].find("w:rPr", NS)  # an article's title
    assert title is not None
    assert title.find("w:rFonts", NS).get(w("ascii")) == "Source Sans Pro"  # type: ignore[union-attr]
    assert title.find("w:rFonts", NS).get(w("eastAsia")) == "WenQuanYi Zen Hei"  # type: ignore[union-attr]
    assert title.find("w:rFonts", NS).get(w("cs")) == "DejaVu Sans"  # type: ignore[union-attr]
    assert title.find("w:color", NS).get(w("val")) == "10243E"  # type: ignore[union-attr]
    assert title.find("w:sz", NS).get(w("val")) == "44"  # type: ignore[union-attr]
    body = by_id["BodyText"].find("w:rPr/w:rFonts", NS)
    assert body is not None and body.get(w("ascii")) == "Source Serif Pro"
    assert by_id["BodyText"].find("w:pPr/w:jc", NS).get(w("val")) == "both"  # type: ignore[union-attr]
    defaults = styles.find("w:docDefaults/w:rPrDefault/w:rPr/w:rFonts", NS)
    assert defaults is not None and defaults.get(w("asciiTheme")) is None


def test_restyling_through_the_style_sheet_changes_the_styles() -> None:
    sheet = with_overrides(BRIEFING, [("title.colour", "#ff0000"), ("fonts.heading", '["Noto Sans"]')])
    styles = part(write(SAMPLES["rich"], sheet).data, "word/styles.xml")
    for style_id in ("Title", "Heading1"):  # the cover's title and the articles' titles
        title = next(s for s in styles.iterfind("w:style", NS) if s.get(w("styleId")) == style_id)
        assert title.find("w:rPr/w:color", NS).get(w("val")) == "FF0000"  # type: ignore[union-attr]
        assert title.find("w:rPr/w:rFonts", NS).get(w("ascii")) == "Noto Sans"  # type: ignore[union-attr]


def test_theme_fonts_follow_the_style_sheet(outputs: dict[str, WriteResult]) -> None:
    theme = part(outputs["rich"].data, "word/theme/theme1.xml")
    a = "{http://schemas.openxmlformats.org/drawingml/2006/main}"
    assert theme.find(f".//{a}majorFont/{a}latin").get("typeface") == "Source Sans Pro"  # type: ignore[union-attr]
    assert theme.find(f".//{a}minorFont/{a}latin").get("typeface") == "Source Serif Pro"  # type: ignore[union-attr]


def test_font_slot_choice() -> None:
    """Slots are filled from the conversion's FontSet by coverage, never by scanning or a fixed list."""
    fonts = style_fonts(BRIEFING)
    assert fonts_for(fonts, BRIEFING, "body", "en").latin == "Source Serif Pro"
    assert fonts_for(fonts, BRIEFING, "body", "en").east_asia == "WenQuanYi Zen Hei"
    assert fonts_for(fonts, BRIEFING, "body", "en").cs == "DejaVu Sans"
    assert fonts_for(fonts, BRIEFING, "body", "ar-SY").cs == "Noto Sans Arabic"
    assert fonts_for(fonts, BRIEFING, "body", "he").cs == "Noto Sans Hebrew"
    bare = with_overrides(BRIEFING, [("fonts.fallback", '["Droid Sans Fallback"]')])
    assert fonts_for(style_fonts(bare), bare, "heading", "en").east_asia == "Droid Sans Fallback"
    none = with_overrides(BRIEFING, [("fonts.fallback", '["Gentium"]'), ("fonts.body", '["Gentium"]')])
    assert fonts_for(style_fonts(none), none, "body", "zh") == Fonts("Gentium", "Gentium", "Gentium")


def test_widow_control_and_keep_with_next(outputs: dict[str, WriteResult]) -> None:
    styles = part(outputs["rich"].data, "word/styles.xml")
    by_id = {s.get(w("styleId")): s for s in styles.iterfind("w:style", NS)}
    assert by_id["Normal"].find("w:pPr/w:widowControl", NS) is not None
    for heading in ("Heading1", "Heading2", "Heading3", "Title"):
        assert by_id[heading].find("w:pPr/w:keepNext", NS) is not None, heading
    paragraphs = body_paragraphs(outputs["rich"].data)
    table_caption = next(p for p in paragraphs if paragraph_text(p) == "Delegation sizes")
    assert table_caption.find("w:pPr/w:keepNext", NS) is not None


def test_lists_restart_and_use_the_style_bullet(outputs: dict[str, WriteResult]) -> None:
    data = outputs["rich"].data
    step = next(p for p in body_paragraphs(data) if paragraph_text(p) == "Step one")
    assert style_of(step) == "ListNumber"
    num_id = step.find("w:pPr/w:numPr/w:numId", NS).get(w("val"))  # type: ignore[union-attr]
    numbering = part(data, "word/numbering.xml")
    num = next(n for n in numbering.iterfind("w:num", NS) if n.get(w("numId")) == num_id)
    assert num.find("w:lvlOverride/w:startOverride", NS).get(w("val")) == "3"  # type: ignore[union-attr]
    bullets = [
        lvl.find("w:lvlText", NS).get(w("val"))
        for lvl in numbering.iterfind(".//w:lvl", NS)  # type: ignore[union-attr]
        if lvl.find("w:numFmt", NS).get(w("val")) == "bullet"
    ]  # type: ignore[union-attr]
    assert bullets and set(bullets) == {"\u2022"}


def assert_no_junk_paragraphs(name: str, data: bytes) -> None:
    """Every empty paragraph is there on purpose: a section break or a thematic-break rule."""
    for p in body_paragraphs(data):
        if paragraph_text(p).strip() or p.find(".//w:drawing", NS) is not None:
            continue
        properties = p.find("w:pPr", NS)
        purposeful = properties is not None and (
            properties.find("w:sectPr", NS) is not None or properties.find("w:pBdr", NS) is not None
        )
        assert purposeful, f"{name}: empty paragraph {etree.tostring(p)[:200]!r}"


@pytest.mark.parametrize("name", sorted(SAMPLES))
def test_no_junk_paragraphs(outputs: dict[str, WriteResult], name: str) -> None:
    assert_no_junk_paragraphs(name, outputs[name].data)


# --------------------------------------------------------------------------
# Language and direction
# --------------------------------------------------------------------------


def test_language_and_direction(outputs: dict[str, WriteResult]) -> None:
    lang = part(outputs["rich"].data, "word/styles.xml").find("w:docDefaults/w:rPrDefault/w:rPr/w:lang", NS)
    assert lang is not None and lang.get(w("val")) == "en"
    assert not part(outputs["scripts"].data, "word/document.xml").findall(".//w:pPr/w:bidi", NS)

    arabic = outputs["arabic"].data
    lang = part(arabic, "word/styles.xml").find("w:docDefaults/w:rPrDefault/w:rPr/w:lang", NS)
    assert lang is not None and lang.get(w("bidi")) == "ar"
    styles = part(arabic, "word/styles.xml")
    body_style = next(s for s in styles.iterfind("w:style", NS) if s.get(w("styleId")) == "BodyText")
    assert body_style.find("w:pPr/w:bidi", NS) is not None
    assert body_style.find("w:rPr/w:rFonts", NS).get(w("cs")) == "Noto Sans Arabic"  # type: ignore[union-attr]
    assert part(arabic, "word/document.xml").find(".//w:body/w:sectPr/w:bidi", NS) is not None
    (section,) = _sections(arabic)
    footer = furniture(arabic, section, "footer")[0]
    # The page line is in the article's language (the label catalogue), right to left like the page.
    assert paragraph_text(footer) == "\u0627\u0644\u0635\u0641\u062d\u0629 1 \u0645\u0646 1"
    assert footer.find("w:pPr/w:bidi", NS) is None
    english = with_overrides(BRIEFING, [("furniture.footer", "Page {page} of {pages}")])
    data = write(SAMPLES["arabic"], english).data
    (section,) = _sections(data)
    footer = furniture(data, section, "footer")[0]
    assert paragraph_text(footer) == "Page 1 of 1"
    assert footer.find("w:pPr/w:bidi", NS).get(w("val")) == "0"  # type: ignore[union-attr]


def test_rtl_article_in_an_english_pack(outputs: dict[str, WriteResult]) -> None:
    paragraphs = body_paragraphs(outputs["pack"].data)
    arabic = next(p for p in paragraphs if paragraph_text(p).startswith("بدأت"))
    assert arabic.find("w:pPr/w:bidi", NS) is not None
    assert arabic.find("w:r/w:rPr/w:lang", NS).get(w("bidi")) == "ar"  # type: ignore[union-attr]
    assert arabic.find("w:r/w:rPr/w:rFonts", NS).get(w("cs")) == "Noto Sans Arabic"  # type: ignore[union-attr]
    english = next(p for p in paragraphs if paragraph_text(p) == "Talks resume in Geneva on February 8.")
    assert english.find("w:pPr/w:bidi", NS) is None


# --------------------------------------------------------------------------
# Pages: setup, header, footer, sections
# --------------------------------------------------------------------------


def _sections(data: bytes) -> list[etree._Element]:
    return part(data, "word/document.xml").findall(".//w:sectPr", NS)


def furniture(data: bytes, section: etree._Element, kind: str, which: str = "default") -> list[etree._Element]:
    """Paragraphs of a section's header or footer (``which``: default or first)."""
    refs = [r for r in section.iterfind(f"w:{kind}Reference", NS) if r.get(w("type")) == which]
    assert len(refs) == 1, f"{len(refs)} {which} {kind} references"
    rels = part(data, "word/_rels/document.xml.rels")
    target = next(r.get("Target") for r in rels if r.get("Id") == refs[0].get(f"{{{R}}}id"))
    return list(part(data, f"word/{target}").iter(w("p")))


def lines(paragraphs: list[etree._Element]) -> list[str]:
    return [paragraph_text(p) for p in paragraphs]


def test_page_setup_from_the_style(outputs: dict[str, WriteResult]) -> None:
    (section,) = _sections(outputs["rich"].data)
    size, margins = section.find("w:pgSz", NS), section.find("w:pgMar", NS)
    assert size is not None and margins is not None
    assert (size.get(w("w")), size.get(w("h"))) == ("11906", "16838")  # A4
    sides = [margins.get(w(side)) for side in ("top", "bottom", "left", "right")]
    assert sides == ["1361", "1474", "2381", "2665"]  # 24 and 26 mm; 42 mm inside (left), 47 mm outside
    letter = with_overrides(BRIEFING, [("page.size", "Letter"), ("page.margin_inner", "1in")])
    (section,) = _sections(write(SAMPLES["rich"], letter).data)
    size, margins = section.find("w:pgSz", NS), section.find("w:pgMar", NS)
    assert size is not None and margins is not None
    assert (size.get(w("w")), size.get(w("h"))) == ("12240", "15840")
    assert margins.get(w("left")) == "1440"


def _field_sequence(root: etree._Element) -> list[str]:
    seq: list[str] = []
    for element in root.iter(w("fldChar"), w("instrText")):
        seq.append(element.get(w("fldCharType"), "") if element.tag == w("fldChar") else (element.text or "").strip())
    return seq


def test_header_and_footer_carry_title_marking_and_page_fields(outputs: dict[str, WriteResult]) -> None:
    data = outputs["rich"].data
    (section,) = _sections(data)
    assert section.find("w:titlePg", NS) is not None
    assert lines(furniture(data, section, "header")) == ["OFFICIAL", "Talks Open on Regional Ceasefire"]
    # The first page shows the title itself: its header carries the marking only, as in the PDF.
    assert lines(furniture(data, section, "header", "first")) == ["OFFICIAL"]
    for which in ("default", "first"):
        footer = furniture(data, section, "footer", which)
        root = footer[0].getroottree().getroot()
        assert _field_sequence(root) == ["begin", "PAGE", "separate", "end", "begin", "NUMPAGES", "separate", "end"]
        assert lines(footer) == ["Page 1 of 1", "OFFICIAL"]  # cached results until a reader lays out pages
        assert [style_of(p) for p in footer] == ["Footer", "ProtectiveMarking"]


def test_no_marking_line_without_a_marking(outputs: dict[str, WriteResult]) -> None:
    data = outputs["scripts"].data
    (section,) = _sections(data)
    assert [style_of(p) for p in furniture(data, section, "header")] == ["Header"]


def test_pack_has_a_cover_and_a_section_per_article(outputs: dict[str, WriteResult]) -> None:
    data = outputs["pack"].data
    sections = _sections(data)
    assert len(sections) == 1 + 3
    starts = [s.find("w:type", NS) for s in sections[1:]]
    assert [t.get(w("val")) for t in starts if t is not None] == ["nextPage"] * 3
    first = body_paragraphs(data)[0]
    assert (style_of(first), paragraph_text(first)) == ("Title", "Morning Briefing Pack")
    assert [lines(furniture(data, s, "header")) for s in sections] == [
        ["OFFICIAL"],
        ["OFFICIAL", "Talks Open on Regional Ceasefire"],
        ["OFFICIAL", "محادثات السلام في أستانا"],
        ["OFFICIAL-SENSITIVE", "A Long Article"],
    ]
    # The cover's footer has the marking but no page number (the cover still counts as page 1).
    assert lines(furniture(data, sections[0], "footer")) == ["OFFICIAL"]
    assert sections[0].find("w:titlePg", NS) is None
    for section in sections[1:]:
        assert lines(furniture(data, section, "footer"))[0] == "Page 1 of 1"


def test_duplex_packs_put_explicit_blank_versos_before_articles() -> None:
    """Blank versos are sections of their own: the note, the markings, no running head."""
    duplex = with_overrides(BRIEFING, [("page.duplex", "true")])
    data = write(pack([rich_document(), long_document(5)], marking="OFFICIAL"), duplex).data
    sections = _sections(data)
    types = [s.find("w:type", NS) for s in sections[1:]]
    assert {t.get(w("val")) for t in types if t is not None} == {"nextPage"}
    headers = [lines(furniture(data, s, "header")) for s in sections]
    blank = [i for i, h in enumerate(headers) if h == ["OFFICIAL"] and i > 0]
    assert blank, headers  # at least the verso before the first article (cover, contents, summary: 2 pages)
    texts = [paragraph_text(p) for p in body_paragraphs(data)]
    assert "This page is intentionally left blank" in texts
    assert part(data, "word/settings.xml").find(w("mirrorMargins")) is not None


# --------------------------------------------------------------------------
# Links, bookmarks, images
# --------------------------------------------------------------------------


def _hyperlink_targets(data: bytes) -> list[str]:
    rels = {r.get("Id"): r.get("Target") for r in part(data, "word/_rels/document.xml.rels")}
    links = part(data, "word/document.xml").iterfind(".//w:hyperlink", NS)
    return [str(rels[link.get(f"{{{R}}}id")]) for link in links if link.get(f"{{{R}}}id")]


def test_real_hyperlinks_for_safe_urls_only(outputs: dict[str, WriteResult]) -> None:
    assert _hyperlink_targets(outputs["rich"].data) == [
        "https://news.example.org/2017/01/talks-open",  # the outlet in the byline
        "https://example.org/agenda",
        "https://news.example.org/2017/01/talks-open",  # the attribution's link
    ]
    hostile = outputs["hostile"]
    assert _hyperlink_targets(hostile.data) == []
    flagged = sorted(d.text for d in hostile.diagnostics if d.code == "writer.unsafe-link")
    assert flagged == ["data:text/html,hi", "javascript:alert(1)", "javascript:alert(1)"]
    assert "click me" in body_text(hostile.data)


def test_link_targets_are_valid_uris() -> None:
    doc = Document(blocks=(Paragraph((Link("https://example.org/a path/é?q=1&r=%20", (Text("x"),)),)),))
    assert _hyperlink_targets(write(single(doc)).data) == ["https://example.org/a%20path/%C3%A9?q=1&r=%20"]


def test_internal_links_point_at_heading_bookmarks() -> None:
    doc = Document(blocks=(
        Paragraph((Link("#next", (Text("see below"),)), Text(" "), Link("#nowhere", (Text("lost"),)))),
        Heading(2, (Text("Next steps"),), id="next"),
        Heading(2, (Text("Next steps"),)),
        Heading(2, (Text("Ünïcode ☃ heading"),)),
    ))  # fmt: skip
    result = write(single(doc))
    root = part(result.data, "word/document.xml")
    anchors = [h.get(w("anchor")) for h in root.iterfind(".//w:hyperlink", NS)]
    names = [b.get(w("name")) for b in root.iterfind(".//w:bookmarkStart", NS)]
    assert anchors == ["next"]
    assert names == ["next", "_h2", "_h3"]  # the frame's anchors (no ids transform ran here)
    assert [d.text for d in result.diagnostics] == ["#nowhere"]


@pytest.mark.parametrize("name", sorted(SAMPLES))
def test_bookmarks_are_valid_and_unique(outputs: dict[str, WriteResult], name: str) -> None:
    root = part(outputs[name].data, "word/document.xml")
    starts = root.findall(".//w:bookmarkStart", NS)
    names = [b.get(w("name"), "") for b in starts]
    assert len({n.casefold() for n in names}) == len(names)
    for bookmark_name in names:
        assert re.fullmatch(r"_?[A-Za-z][A-Za-z0-9_]{0,39}", bookmark_name), bookmark_name
    ends = {e.get(w("id")) for e in root.iterfind(".//w:bookmarkEnd", NS)}
    assert {b.get(w("id")) for b in starts} == ends


def test_images_are_embedded_scaled_with_alt_text_and_captions_kept_with_them(
    outputs: dict[str, WriteResult],
) -> None:
    data = outputs["figure"].data
    assert parts_named(data, r"word/media/image\d+\.png") == ["word/media/image1.png"]
    paragraphs = body_paragraphs(data)
    index = next(i for i, p in enumerate(paragraphs) if p.find(".//w:drawing", NS) is not None)
    picture, caption = paragraphs[index], paragraphs[index + 1]
    assert picture.find("w:pPr/w:keepNext", NS) is not None
    assert (style_of(caption), paragraph_text(caption)) == ("Caption", "The negotiating table")
    extent = picture.find(".//wp:extent", NS)
    assert extent is not None
    cx, cy = int(extent.get("cx", "0")), int(extent.get("cy", "0"))
    assert abs(cx - TEXT_WIDTH_EMU) < 12700 and abs(cx - 2 * cy) <= 2  # fills the text width, aspect kept
    assert picture.find(".//wp:docPr", NS).get("descr") == "Delegates at the table"  # type: ignore[union-attr]
    assert outputs["figure"].diagnostics == ()


def test_small_images_are_not_enlarged() -> None:
    data = write(single(figure_document("small.png")), resources=RESOURCES).data
    extent = part(data, "word/document.xml").find(".//wp:extent", NS)
    assert extent is not None and int(extent.get("cx", "0")) == 40 * 12700


@pytest.mark.parametrize("image", ["missing.png", "broken.png"])
def test_unusable_images_keep_their_caption_and_are_reported(image: str) -> None:
    result = write(single(figure_document(image)), resources=RESOURCES)
    assert [(d.code, d.text) for d in result.diagnostics] == [("writer.image-missing", image)]
    root = part(result.data, "word/document.xml")
    assert root.find(".//w:drawing", NS) is None
    texts = [paragraph_text(p) for p in body_paragraphs(result.data)]
    assert "Photo: The negotiating table" in texts and "" not in texts
    assert parts_named(result.data, r"word/media/.*") == []


# --------------------------------------------------------------------------
# Hostile input
# --------------------------------------------------------------------------


def test_control_characters_never_crash_or_leave_junk() -> None:
    nasty = "bad\x00\x01\x07\x0b\x0c\x1b\x7f\x85\ud800\ufffe text\r\nnext\tcell"
    doc = Document(
        meta=Meta(title=nasty, subtitle=nasty, authors=(nasty,), keywords=(nasty,), summary=(nasty,),
                  source=nasty, url="https://x.test/\x00a", marking="OFFICIAL\x07"),
        blocks=(
            Paragraph((Text(nasty), Link("https://x.test/\x01", (Text(nasty),), title=nasty))),
            Heading(1, (Text(nasty),), id=nasty),
            Figure(caption=(Text(nasty),), image="photo.png", alt=nasty),
            Table(header=(TableRow((TableCell((Text(nasty),)),)),), rows=(), caption=(Text(nasty),)),
        ),
    )  # fmt: skip
    pub = Publication((doc,), PackMeta(title=nasty, compiled_by=nasty, marking=nasty))
    result = write(pub, resources=RESOURCES)
    with zipfile.ZipFile(io.BytesIO(result.data)) as z:
        for entry in z.namelist():
            raw = z.read(entry)
            if entry.endswith(".xml"):
                assert not re.search(rb"[\x00-\x08\x0b\x0c\x0e-\x1f]", raw), entry
                etree.fromstring(raw)
    text = " ".join(body_text(result.data).split())
    assert "bad text next cell" in text
    assert_no_junk_paragraphs("nasty", result.data)


def _leaves(inlines: tuple[Inline, ...]) -> Iterator[str]:
    for node in inlines:
        match node:
            case Text(text=text):
                yield text
            case Code():
                yield node.text
            case Emphasis(children=c) | Strong(children=c) | Link(children=c):
                yield from _leaves(c)
            case _:
                pass


def _block_leaves(block: Block) -> Iterator[str]:
    match block:
        case Heading(children=c) | Paragraph(children=c) | Figure(caption=c):
            yield from _leaves(c)
        case BlockQuote(blocks=blocks, attribution=attribution):
            for inner in blocks:
                yield from _block_leaves(inner)
            yield from _leaves(attribution)
        case BulletList(items=items) | OrderedList(items=items):
            for item in items:
                for inner in item.blocks:
                    yield from _block_leaves(inner)
        case Table(header=header, rows=rows, caption=caption):
            yield from _leaves(caption)
            for row in (*header, *rows):
                for cell in row.cells:
                    yield from _leaves(cell.children)
        case _:
            pass


def assert_text_in_order(doc: Document, text: str) -> None:
    """Every text leaf of the tree (whitespace squashed) appears in the output, in reading order."""
    haystack = " ".join(text.split())
    position = 0
    for piece in [doc.meta.title, *(leaf for block in doc.blocks for leaf in _block_leaves(block))]:
        needle = " ".join(piece.split())
        if needle:
            found = haystack.find(needle, position)
            assert found >= 0, f"{needle!r} missing or out of order"
            position = found + len(needle)


#: Typographic punctuation changes the text on purpose ("--" becomes a dash): the property test
#: compares the text as written.
AS_WRITTEN = with_overrides(BRIEFING, [("paragraphs.smart_punctuation", "false")])


@given(documents)
def test_any_tree_writes_a_readable_faithful_docx(doc: Document) -> None:
    result = write(single(doc), AS_WRITTEN)
    document = docx.Document(io.BytesIO(result.data))
    assert document.core_properties.author != "python-docx"
    assert_text_in_order(doc, body_text(result.data))


# --------------------------------------------------------------------------
# Reproducibility
# --------------------------------------------------------------------------


def test_same_input_gives_identical_bytes(outputs: dict[str, WriteResult]) -> None:
    for name in ("pack", "figure"):
        assert write(SAMPLES[name], resources=RESOURCES).data == outputs[name].data


def test_build_time_is_the_only_clock() -> None:
    options = WriteOptions(build_time=BUILD.replace(year=2025), fonts=style_fonts(BRIEFING))
    later = WRITER.write(SAMPLES["rich"], BRIEFING, options)
    props = docx.Document(io.BytesIO(later.data)).core_properties
    assert props.created == props.modified == BUILD.replace(year=2025)
    assert later.data != write(SAMPLES["rich"]).data


_SUBPROCESS = """
import hashlib, sys
from datetime import UTC, datetime
sys.path.insert(0, {tests!r})
from samples import pack, rich_document, long_document, arabic_document
from briefpub.styling import load_style
from briefpub.writers import WriteOptions, get_writer
from briefpub.pipeline import build_time_from_env, style_fonts
when = build_time_from_env()
pub = pack([rich_document(), arabic_document(), long_document(20)], marking="OFFICIAL")
style = load_style("briefing")
data = get_writer("docx").write(pub, style, WriteOptions(build_time=when, fonts=style_fonts(style))).data
print(hashlib.sha256(data).hexdigest())
"""


def test_byte_identical_across_processes_with_source_date_epoch() -> None:
    """Same input and SOURCE_DATE_EPOCH in fresh interpreters (different hash seeds): same bytes."""
    epoch = str(int(BUILD.timestamp()))
    script = _SUBPROCESS.format(tests=str(ROOT / "tests"))
    digests = set()
    for seed in ("1", "2"):
        env = {"SOURCE_DATE_EPOCH": epoch, "PYTHONHASHSEED": seed, "PATH": "/usr/bin:/bin",
               "BRIEFPUB_CACHE_DIR": os.environ["BRIEFPUB_CACHE_DIR"]}  # conftest's, not ~/.cache
        proc = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, env=env, check=False)
        assert proc.returncode == 0, proc.stderr
        digests.add(proc.stdout.strip())
    expected = hashlib.sha256(write(SAMPLES["pack"]).data).hexdigest()
    assert digests == {expected}


# --------------------------------------------------------------------------
# The reference article
# --------------------------------------------------------------------------


def test_reference_article_round_trips() -> None:
    require_shared(REFERENCE)
    from briefpub.readers import read_path

    doc = read_path(REFERENCE).document
    result = write(single(doc))
    text = body_text(result.data)
    assert_faithful(doc, text, hyphenation=False)
    assert docx.Document(io.BytesIO(result.data)).core_properties.title == doc.meta.title
    assert doc.meta.title in text


def test_headline_and_headings_never_end_on_a_lone_word() -> None:
    """The last two words of the title and of each heading are tied with a no-break space (Word and
    LibreOffice break the lines; a heading whose last line holds one word reads as a typo)."""
    doc = Document(Meta(title="Talks Open on Regional Ceasefire"), (
        Heading(2, (Text("What the "), Emphasis((Text("deal"),)), Text(" includes"))),
        Heading(2, (Text("Reactions"),)),
        Paragraph((Text("Body text that is not a heading stays as written."),)),
    ))  # fmt: skip
    document = docx.Document(io.BytesIO(write(single(doc)).data))
    texts = {p.style.name: p.text for p in document.paragraphs if p.text}
    assert [p.text for p in document.paragraphs if p.style.name.startswith("Heading")] == [
        "Talks Open on Regional\u00a0Ceasefire", "What the deal\u00a0includes", "Reactions"]  # fmt: skip
    assert texts["Body Text"] == "Body text that is not a heading stays as written."


def test_a_title_cut_to_255_characters_is_quoted_by_an_excerpt() -> None:
    """A 10,000-character title is cut in the properties; the diagnostic quotes a short excerpt, not all of it."""
    title = "Long title " * 909
    result = write(single(Document(meta=Meta(title=title))))
    (cut,) = [d for d in result.diagnostics if d.code == "writer.metadata"]
    assert cut.message == "document property 'title' cut to 255 characters (Word's limit)"
    assert len(cut.text) <= 120 and cut.text.endswith("\u2026") and title.startswith(cut.text[:-1])
    assert len(cut.format()) < 300
