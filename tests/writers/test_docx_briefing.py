"""DOCX: the shared layer (issue 11), the typesetter's briefing (issue 12) and accessibility (issue 13).

Read from the package's XML parts; what needs a real client to lay out the
pages (pictures inside the margins, the embedded font really used) is
checked in LibreOffice at the end of this file.
"""

from __future__ import annotations

import io
import re
import shutil
import subprocess
import zipfile
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest
from fontTools.ttLib import TTFont
from lxml import etree

from briefpub.fonts import resolve_fonts
from briefpub.pipeline import prepare_article, style_fonts
from briefpub.styling import load_style, with_overrides
from briefpub.styling.model import StyleSheet
from briefpub.transforms import prepare
from briefpub.tree import (
    BlockQuote,
    Document,
    Emphasis,
    Figure,
    Heading,
    Image,
    Link,
    Meta,
    Paragraph,
    Publication,
    Span,
    Table,
    TableCell,
    TableRow,
    Text,
)
from briefpub.writers import WriteOptions, WriteResult
from briefpub.writers.docx import WRITER
from briefpub.writers.docx.fonttable import obfuscate
from samples import image_bytes, pack, pack_article, rich_document, single
from shared_data import ROOT
from tools import require_tool

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
NS = {
    "w": W,
    "r": "http://schemas.openxmlformats.org/officeDocument/2006/relationships",
    "wp": "http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing",
    "a": "http://schemas.openxmlformats.org/drawingml/2006/main",
    "pic": "http://schemas.openxmlformats.org/drawingml/2006/picture",
    "cp": "http://schemas.openxmlformats.org/package/2006/metadata/core-properties",
    "dc": "http://purl.org/dc/elements/1.1/",
}
RID = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
REMBED = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}embed"
BRIEFING = load_style("briefing")
BUILD = datetime(2024, 3, 5, tzinfo=UTC)
IMAGES = ROOT / "tests" / "writers" / "data" / "images-and-links.md"


def w(name: str) -> str:
    return f"{{{W}}}{name}"


def write(pub: Publication, style: StyleSheet = BRIEFING, **options: object) -> WriteResult:
    options.setdefault("fonts", style_fonts(style))
    return WRITER.write(pub, style, WriteOptions(build_time=BUILD, **options))  # type: ignore[arg-type]


def part(data: bytes, name: str) -> etree._Element:
    return etree.fromstring(zipfile.ZipFile(io.BytesIO(data)).read(name))


def names(data: bytes) -> list[str]:
    return zipfile.ZipFile(io.BytesIO(data)).namelist()


def text(p: etree._Element) -> str:
    """A paragraph's words (a heading's last two are tied with a no-break space: read as a space)."""
    return "".join(t.text or "" for t in p.iter(w("t"))).replace("\u00a0", " ")


def style_of(p: etree._Element) -> str:
    style = p.find("w:pPr/w:pStyle", NS)
    return "" if style is None else style.get(w("val"), "")


def paragraphs(data: bytes) -> list[etree._Element]:
    return part(data, "word/document.xml").findall(".//w:body//w:p", NS)


# --------------------------------------------------------------------------
# Issue 11: the shared layer
# --------------------------------------------------------------------------


@pytest.fixture(scope="module")
def images_and_links() -> WriteResult:
    article = prepare_article(str(IMAGES))
    assert not article.diagnostics
    return write(Publication((article.document,)), resources=dict(article.resources))


def test_figures_in_list_items_and_quotes_are_embedded_with_their_alt_text(images_and_links: WriteResult) -> None:
    """The Markdown article: a figure in a list item, one in a block quote, one in a list line, one in a cell."""
    data = images_and_links.data
    root = part(data, "word/document.xml")
    pictures = root.findall(".//w:drawing//wp:docPr", NS)
    assert sorted(str(p.get("descr")) for p in pictures) == [
        "A chart of delegates", "A map of the region", "Russian flag", "tiny map"]
    rels = part(data, "word/_rels/document.xml.rels")
    targets = {r.get("Id"): str(r.get("Target")) for r in rels}
    blips = {b.get(REMBED) for b in root.iter(f"{{{NS['a']}}}blip")}
    assert all(targets[str(b)].startswith("media/") for b in blips)
    assert sum(1 for n in names(data) if n.startswith("word/media/")) == 2  # two images, each stored once
    assert images_and_links.diagnostics == ()


@pytest.fixture(scope="module")
def linked() -> WriteResult:
    """Inline pictures (a table cell, a paragraph) and #fragment links to two headings with the same text,
    through the ids transform as the pipeline runs it."""
    doc = prepare(Document(Meta(title="Links"), (
        Paragraph((Text("See "), Link("#background", (Text("the background"),)), Text(", "),
                   Link("#background-1", (Text("the later one"),)), Text(" and "), Image("map.png", "A small map"))),
        Heading(2, (Text("Background"),)),
        Paragraph((Text("First."),)),
        Heading(2, (Text("Background"),)),
        Table(header=(TableRow((TableCell((Text("Country"),)), TableCell((Text("Flag"),)))),),
              rows=(TableRow((TableCell((Text("Russia"),)), TableCell((Image("flag.png", "Russian flag"),)))),)),
    )))  # fmt: skip
    resources = {"map.png": image_bytes("PNG", (40, 40)), "flag.png": image_bytes("PNG", (90, 60), "#b00020")}
    return write(single(doc), resources=resources)


def test_inline_pictures_in_cells_and_text_are_embedded(linked: WriteResult) -> None:
    root = part(linked.data, "word/document.xml")
    cell = root.find(".//w:tbl//w:drawing//wp:docPr", NS)
    assert cell is not None and cell.get("descr") == "Russian flag"
    inline = root.find(".//w:body/w:p//w:drawing//wp:docPr", NS)
    assert inline is not None and inline.get("descr") == "A small map"
    assert linked.diagnostics == ()


def test_fragment_links_land_on_heading_bookmarks(linked: WriteResult) -> None:
    """Two headings with the same text get distinct bookmarks; each #fragment link lands on its own."""
    root = part(linked.data, "word/document.xml")
    bookmarks = {b.get(w("name")): b.getparent() for b in root.iter(w("bookmarkStart"))}
    anchors = [h.get(w("anchor")) for h in root.iterfind(".//w:hyperlink", NS) if h.get(w("anchor"))]
    assert anchors == ["background", "background_1"]
    assert [style_of(bookmarks[a]) for a in anchors] == ["Heading2", "Heading2"]
    assert text(bookmarks["background"]) == text(bookmarks["background_1"]) == "Background"
    assert all(re.fullmatch(r"[A-Za-z][A-Za-z0-9_]{0,39}", str(n)) for n in bookmarks)


def test_images_and_links_article_converts_in_libreoffice(images_and_links: WriteResult, tmp_path: Path) -> None:
    require_tool("soffice")
    pdf = _libreoffice(images_and_links.data, tmp_path, "images")
    assert pdf.stat().st_size > 1000


def test_nested_emphasis_is_roman_and_spans_carry_their_language() -> None:
    doc = Document(Meta(title="T", language="en"), (
        Paragraph((Emphasis((Text("outer "), Emphasis((Text("inner"),)), Text(" outer"))),)),
        Paragraph((Text("He said "), Span((Text("Guten Tag"),), lang="de"), Text(" and "),
                   Span((Text("مرحبا"),), lang="ar"), Text("."))),
    ))  # fmt: skip
    body = paragraphs(write(single(doc)).data)
    runs = {text(r): r.find("w:rPr", NS) for p in body for r in p.iter(w("r"))}
    assert runs["outer "].find("w:rStyle", NS).get(w("val")) == "Emphasis"  # type: ignore[union-attr]
    assert runs["inner"] is None, "emphasis inside emphasis is set upright"
    german = runs["Guten Tag"].find("w:lang", NS)  # type: ignore[union-attr]
    assert german is not None and german.get(w("val")) == "de"
    arabic = runs["مرحبا"].find("w:lang", NS)  # type: ignore[union-attr]
    assert arabic is not None and arabic.get(w("bidi")) == "ar"
    assert runs["مرحبا"].find("w:rFonts", NS).get(w("cs")) == "Noto Sans Arabic"  # type: ignore[union-attr]


def test_links_follow_the_shared_policy() -> None:
    doc = Document(Meta(title="T"), (
        Paragraph((Link("https://", (Text("no host"),)), Text(" "), Link("javascript:x()", (Text("js"),)), Text(" "),
                   Link("https://example.org/a b", (Text("ok"),)))),
    ))  # fmt: skip
    result = write(single(doc))
    refused = sorted(d.text for d in result.diagnostics if d.code == "writer.unsafe-link")
    assert refused == ["https://", "javascript:x()"]
    rels = part(result.data, "word/_rels/document.xml.rels")
    assert [r.get("Target") for r in rels if r.get("TargetMode") == "External"] == ["https://example.org/a%20b"]


def test_writer_needs_the_pipelines_fonts() -> None:
    from briefpub.errors import ConversionError

    with pytest.raises(ConversionError, match="style_fonts"):
        WRITER.write(single(rich_document()), BRIEFING, WriteOptions(build_time=BUILD))


# --------------------------------------------------------------------------
# Issue 12: a briefing a typesetter signs off
# --------------------------------------------------------------------------


def test_article_titles_are_heading_1_and_title_is_the_cover_only() -> None:
    data = write(pack([rich_document(), pack_article(1)], marking="OFFICIAL")).data
    styles = [(style_of(p), text(p)) for p in paragraphs(data)]
    assert [t for s, t in styles if s == "Title"] == ["Morning Briefing Pack"]
    titles = [t for s, t in styles if s == "Heading1"]
    assert titles == ["Talks Open on Regional Ceasefire", "Pack article 1: Trade update"]
    assert ("ArticleNumber", "Article 1 of 2") in styles
    sheet = part(data, "word/styles.xml")
    heading1 = next(s for s in sheet.iterfind("w:style", NS) if s.get(w("styleId")) == "Heading1")
    assert heading1.find("w:pPr/w:outlineLvl", NS).get(w("val")) == "0"  # type: ignore[union-attr]
    # The article's own top sections are one level down.
    assert ("Heading2", "Background") in styles


def test_single_article_first_page_has_no_running_head() -> None:
    data = write(single(rich_document())).data
    sect = part(data, "word/document.xml").find(".//w:body/w:sectPr", NS)
    assert sect is not None and sect.find("w:titlePg", NS) is not None
    rels = {r.get("Id"): r.get("Target") for r in part(data, "word/_rels/document.xml.rels")}
    refs = {r.get(w("type")): rels[r.get(RID)] for r in sect.iterfind("w:headerReference", NS)}
    first = [text(p) for p in part(data, f"word/{refs['first']}").iter(w("p"))]
    default = [text(p) for p in part(data, f"word/{refs['default']}").iter(w("p"))]
    assert first == ["OFFICIAL"]
    assert default == ["OFFICIAL", "Talks Open on Regional Ceasefire"]


def test_german_article_gets_german_labels_and_dates() -> None:
    doc = Document(Meta(title="Gespräche in Astana", authors=("Anna Beispiel", "Ben Muster"), date_iso="2017-01-23",
                        date="23. Januar 2017", source="Beispiel-Zeitung", language="de",
                        summary=("Die Gespräche beginnen am Montag.",)),
                   (Paragraph((Text("Die Delegationen trafen am Samstag ein."),)),))  # fmt: skip
    data = write(single(doc)).data
    texts = [text(p) for p in paragraphs(data)]
    assert "Kernpunkte" in texts
    assert "Von Anna Beispiel und Ben Muster · 23. Januar 2017 · Beispiel-Zeitung" in texts
    footers = [n for n in names(data) if n.startswith("word/footer")]
    lines = {text(p) for n in footers for p in part(data, n).iter(w("p"))}
    assert "Seite 1 von 1" in lines
    lang = part(data, "word/styles.xml").find("w:docDefaults/w:rPrDefault/w:rPr/w:lang", NS)
    assert lang is not None and lang.get(w("val")) == "de"


def test_typographic_punctuation_follows_the_style_sheet() -> None:
    body = Paragraph((Text("The army's 23-24 January talks -- \"soon\"..."),))
    doc = Document(Meta(title="It's \"quoted\""), (body,))
    smart = [text(p) for p in paragraphs(write(single(doc)).data)]
    assert "It\u2019s \u201cquoted\u201d" in smart
    assert "The army\u2019s 23\u201324 January talks \u2013 \u201csoon\u201d\u2026" in smart
    plain = with_overrides(BRIEFING, [("paragraphs.smart_punctuation", "false")])
    as_written = [text(p) for p in paragraphs(write(single(doc), plain).data)]
    assert "The army's 23-24 January talks -- \"soon\"..." in as_written


def test_caption_without_picture_is_a_labelled_photo_caption() -> None:
    doc = Document(Meta(title="T"), (Figure((Text("Delegates at the table"),)), Paragraph((Text("Body."),))))
    (caption,) = [p for p in paragraphs(write(single(doc)).data) if "Delegates" in text(p)]
    assert style_of(caption) == "Caption"
    assert text(caption) == "Photo: Delegates at the table"


def test_table_columns_are_sized_by_content() -> None:
    notes = "Arrived on Saturday with a large team of advisers and interpreters"
    header = TableRow((TableCell((Text("Country"),)), TableCell((Text("Delegates"),)), TableCell((Text("Notes"),))))
    row = TableRow((TableCell((Text("Russia"),)), TableCell((Text("12"),)), TableCell((Text(notes),))))
    table = Table(header=(header,), rows=(row,))
    root = part(write(single(Document(Meta(title="T"), (table,)))).data, "word/document.xml")
    grid = [int(c.get(w("w"), "0")) for c in root.iterfind(".//w:tblGrid/w:gridCol", NS)]
    assert len(set(grid)) == 3 and grid[2] > grid[0] > 0 and grid[2] > grid[1]
    text_width = BRIEFING.page_size[0] - BRIEFING.page.margin_inner - BRIEFING.page.margin_outer
    assert abs(sum(grid) - text_width * 20) < 4
    assert root.find(".//w:tblPr/w:tblLayout", NS).get(w("type")) == "fixed"  # type: ignore[union-attr]
    header = root.find(".//w:tr", NS)
    assert header is not None and header.find("w:trPr/w:tblHeader", NS) is not None


def test_gutter_widens_the_inside_margin_and_narrows_the_text() -> None:
    gutter = with_overrides(BRIEFING, [("page.gutter", "10mm")])
    doc = Document(Meta(title="T"), (Figure((Text("wide"),), image="w.png", alt="wide"),))
    resources = {"w.png": image_bytes("PNG", (3000, 300))}
    plain = write(single(doc), resources=resources).data
    bound = write(single(doc), gutter, resources=resources).data
    margin = part(bound, "word/document.xml").find(".//w:sectPr/w:pgMar", NS)
    assert margin is not None and margin.get(w("gutter")) == str(round(10 / 25.4 * 72 * 20))
    extents = [int(part(d, "word/document.xml").find(".//wp:extent", NS).get("cx", "0")) for d in (plain, bound)]  # type: ignore[union-attr]
    assert extents[0] - extents[1] == pytest.approx(10 / 25.4 * 72 * 12700, abs=2)
    assert BRIEFING.page.gutter == 0


def test_pack_front_matter_from_the_frame() -> None:
    pub = Publication(
        (replace(pack_article(1), meta=replace(pack_article(1).meta, summary=())), pack_article(3)),
        pack([rich_document()]).pack.__class__(title="Pack", date="2017-01-24", reference="R/1", version="2",
                                               compiled_by="Desk", marking="OFFICIAL", summary_page=True),
    )  # fmt: skip
    data = write(pub).data
    texts = [text(p) for p in paragraphs(data)]
    assert texts[:5] == ["Pack", "Date: 24 January 2017", "Reference: R/1", "Version: 2", "Compiled by: Desk"]
    assert any(t.startswith("Opening sentence: Article 1 opens.") for t in texts)
    assert texts[-1] == "\u2014 End of briefing pack \u2014"
    footers = {text(p) for n in names(data) if n.startswith("word/footer") for p in part(data, n).iter(w("p"))}
    assert "R/1 \u00b7 Version 2 \u00b7 Page 1 of 1" in footers


# --------------------------------------------------------------------------
# Fonts: declared with their fallbacks, embedded as obfuscated subsets
# --------------------------------------------------------------------------


def _deobfuscate(blob: bytes, key: str) -> bytes:
    mask = bytes.fromhex(key.strip("{}").replace("-", ""))[::-1]
    return bytes(b ^ mask[i % 16] for i, b in enumerate(blob[:32])) + blob[32:]


def test_font_table_declares_every_family_with_its_fallbacks() -> None:
    data = write(single(rich_document())).data
    table = part(data, "word/fontTable.xml")
    fonts = {f.get(w("name")): f for f in table.iterfind("w:font", NS)}
    assert {"Source Serif Pro", "Source Sans Pro", "DejaVu Sans Mono", "WenQuanYi Zen Hei"} <= set(fonts)
    serif = fonts["Source Serif Pro"]
    assert [c.tag.split("}")[1] for c in serif][:6] == ["altName", "panose1", "charset", "family", "pitch", "sig"]
    assert serif.find("w:altName", NS).get(w("val")).startswith("DejaVu Serif,Noto Serif")  # type: ignore[union-attr]
    assert serif.find("w:family", NS).get(w("val")) == "roman"  # type: ignore[union-attr]
    assert fonts["Source Sans Pro"].find("w:family", NS).get(w("val")) == "swiss"  # type: ignore[union-attr]
    assert fonts["DejaVu Sans Mono"].find("w:pitch", NS).get(w("val")) == "fixed"  # type: ignore[union-attr]
    assert re.fullmatch(r"[0-9A-F]{20}", serif.find("w:panose1", NS).get(w("val")))  # type: ignore[arg-type, union-attr]
    sig = serif.find("w:sig", NS)
    assert sig is not None and int(sig.get(w("usb0"), "0"), 16) & 1  # Basic Latin


def test_faces_the_text_uses_are_embedded_as_obfuscated_subsets() -> None:
    result = write(single(rich_document()))
    data = result.data
    table = part(data, "word/fontTable.xml")
    rels = {r.get("Id"): r.get("Target") for r in part(data, "word/_rels/fontTable.xml.rels")}
    embedded = {}
    for font in table.iterfind("w:font", NS):
        for slot in font:
            if slot.tag.startswith(w("embed")):
                target = rels[slot.get(RID)]
                blob = zipfile.ZipFile(io.BytesIO(data)).read(f"word/{target}")
                assert blob[:4] not in (b"\x00\x01\x00\x00", b"true"), "obfuscated"
                face = TTFont(io.BytesIO(_deobfuscate(blob, slot.get(w("fontKey"), ""))))
                embedded[(font.get(w("name")), slot.tag.split("}")[1])] = face
                assert slot.get(w("subsetted")) == "1"
    assert ("Source Serif Pro", "embedRegular") in embedded
    assert ("Source Sans Pro", "embedBold") in embedded  # headings
    assert ("DejaVu Sans Mono", "embedRegular") in embedded  # inline code
    cmap = embedded[("Source Serif Pro", "embedRegular")].getBestCmap()
    assert all(ord(c) in cmap for c in "Parties met on Saturday")
    assert len(cmap) < 2000, "a subset, not the whole font"
    assert sorted(result.fonts) == sorted(set(result.fonts)) and all(Path(f).is_file() for f in result.fonts)
    assert len(result.fonts) == sum(1 for _ in embedded)
    settings = part(data, "word/settings.xml")
    assert settings.find("w:embedTrueTypeFonts", NS) is not None and settings.find("w:saveSubsetFonts", NS) is not None
    types = part(data, "[Content_Types].xml")
    assert any(o.get("ContentType") == "application/vnd.openxmlformats-officedocument.obfuscatedFont"
               for o in types)  # fmt: skip


def test_obfuscation_key_is_the_guid_bytes_reversed() -> None:
    data = bytes(range(64))
    blob, key = obfuscate(data)
    assert re.fullmatch(r"\{[0-9A-F]{8}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{12}\}", key)
    assert _deobfuscate(blob, key) == data and blob[32:] == data[32:] and blob[:32] != data[:32]
    assert obfuscate(data) == (blob, key), "deterministic"


def _probe_fonts(folder: Path, fs_type: int = 0) -> Path:
    """DejaVu Serif renamed "Briefpub Probe Serif": a family no machine has installed."""
    folder.mkdir(parents=True, exist_ok=True)
    source = next(f.face(False, False).path for f in style_fonts(BRIEFING).families("body") if f.name == "DejaVu Serif")
    font = TTFont(source)
    for record in font["name"].names:
        if record.nameID in (1, 16):
            record.string = "Briefpub Probe Serif"
        elif record.nameID == 4:
            record.string = "Briefpub Probe Serif Regular"
        elif record.nameID == 6:
            record.string = "BriefpubProbeSerif-Regular"
    font["OS/2"].fsType = fs_type
    font.save(folder / "probe.ttf")
    return folder


def _probe_document(folder: Path) -> WriteResult:
    sheet = replace(BRIEFING, fonts=replace(BRIEFING.fonts, body=("Briefpub Probe Serif",), fallback=()))
    fonts = resolve_fonts({r: sheet.families(r) for r in ("body", "heading", "mono")}, dirs=(folder,))
    doc = Document(Meta(title="Probe"), (Paragraph((Text("Set in a font only the document carries."),)),))
    return WRITER.write(single(doc), sheet, WriteOptions(build_time=BUILD, fonts=fonts))


def test_a_face_whose_licence_forbids_embedding_is_only_declared(tmp_path: Path) -> None:
    result = _probe_document(_probe_fonts(tmp_path / "restricted", fs_type=0x0002))
    table = part(result.data, "word/fontTable.xml")
    probe = next(f for f in table.iterfind("w:font", NS) if f.get(w("name")) == "Briefpub Probe Serif")
    assert probe.find("w:panose1", NS) is not None
    assert not [c for c in probe if c.tag.startswith(w("embed"))]
    assert not [f for f in result.fonts if Path(f).name == "probe.ttf"]  # the heading faces still are


def test_libreoffice_sets_the_text_in_the_embedded_font(tmp_path: Path) -> None:
    """The probe family exists only inside the DOCX: LibreOffice's PDF can only have it from there."""
    require_tool("soffice", "pdffonts")
    result = _probe_document(_probe_fonts(tmp_path / "fonts"))
    assert "probe.ttf" in [Path(f).name for f in result.fonts]
    pdf = _libreoffice(result.data, tmp_path, "probe")
    rows = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True, check=True).stdout
    assert "BriefpubProbeSerif" in rows


# --------------------------------------------------------------------------
# Issue 13: accessibility
# --------------------------------------------------------------------------


def test_links_are_underlined_whatever_the_sheet_says() -> None:
    sheet = with_overrides(BRIEFING, [("links.underline", "false")])
    styles = part(write(single(rich_document()), sheet).data, "word/styles.xml")
    link = next(s for s in styles.iterfind("w:style", NS) if s.get(w("styleId")) == "Hyperlink")
    assert link.find("w:rPr/w:u", NS).get(w("val")) == "single"  # type: ignore[union-attr]


def test_key_points_are_a_bordered_list_not_a_layout_table() -> None:
    data = write(single(rich_document())).data
    body = paragraphs(data)
    box = [p for p in body if style_of(p) in ("KeyPointsHeading", "KeyPoint")]
    assert [text(p) for p in box] == ["Key points", "Talks start on Monday.", "The US sends an observer only."]
    assert all(p.getparent().tag == w("body") for p in box), "not inside a table"
    styles = {s.get(w("styleId")): s for s in part(data, "word/styles.xml").iterfind("w:style", NS)}
    borders = [etree.tostring(styles[s].find("w:pPr/w:pBdr", NS)) for s in ("KeyPointsHeading", "KeyPoint")]
    indents = [etree.tostring(styles[s].find("w:pPr/w:ind", NS)) for s in ("KeyPointsHeading", "KeyPoint")]
    assert borders[0] == borders[1] and indents[0] == indents[1], "one box: equal borders and indents"
    assert styles["KeyPoint"].find("w:pPr/w:numPr", NS) is not None, "the points are a real list"


def test_document_properties_carry_title_language_and_marking() -> None:
    data = write(single(rich_document())).data
    core = part(data, "docProps/core.xml")
    assert core.find("dc:title", NS).text == "Talks Open on Regional Ceasefire"  # type: ignore[union-attr]
    assert core.find("dc:language", NS).text == "en"  # type: ignore[union-attr]
    assert core.find("cp:category", NS).text == "OFFICIAL"  # type: ignore[union-attr]
    custom = part(data, "docProps/custom.xml")
    props = {p.get("name"): "".join(p.itertext()) for p in custom}
    assert props == {"Protective marking": "OFFICIAL", "Classification": "OFFICIAL"}
    assert any(r.get("Target") == "docProps/custom.xml" for r in part(data, "_rels/.rels"))
    settings = part(data, "word/settings.xml")
    assert settings.find("w:themeFontLang", NS).get(w("val")) == "en"  # type: ignore[union-attr]
    untitled = part(write(single(Document(blocks=(Paragraph((Text("x"),)),)))).data, "docProps/core.xml")
    assert untitled.find("dc:title", NS).text == "Untitled"  # type: ignore[union-attr]
    assert "docProps/custom.xml" not in names(write(single(Document(Meta(title="No marking")))).data)


def test_every_picture_has_alt_text() -> None:
    doc = Document(Meta(title="T"), (
        Figure((Text("Caption only"),), image="a.png"),
        BlockQuote((Paragraph((Text("x "), Image("a.png", "Inline picture", "Its title"))),)),
        Heading(2, (Text("H"),)),
    ))  # fmt: skip
    root = part(write(single(doc), resources={"a.png": image_bytes("PNG")}).data, "word/document.xml")
    descriptions = [(d.get("descr"), d.get("title")) for d in root.iter(f"{{{NS['wp']}}}docPr")]
    assert descriptions == [("Caption only", None), ("Inline picture", "Its title")]


# --------------------------------------------------------------------------
# In LibreOffice: pictures inside the margins
# --------------------------------------------------------------------------


def _libreoffice(data: bytes, folder: Path, stem: str) -> Path:
    source = folder / f"{stem}.docx"
    source.write_bytes(data)
    profile = folder / "lo-profile"
    soffice = shutil.which("soffice")
    assert soffice is not None
    subprocess.run([soffice, f"-env:UserInstallation={profile.as_uri()}", "--headless", "--convert-to", "pdf",
                    "--outdir", str(folder), str(source)], capture_output=True, check=False, timeout=180)  # fmt: skip
    pdf = folder / f"{stem}.pdf"
    assert pdf.is_file(), "LibreOffice did not convert the file"
    return pdf


def test_a_full_width_picture_stays_inside_the_margins(tmp_path: Path) -> None:
    """Measured on LibreOffice's page: the picture's coloured pixels lie between the margins."""
    require_tool("soffice", "pdftoppm")
    from PIL import Image as Pil

    doc = Document(Meta(title="Wide"), (Figure((Text("wide"),), image="w.png", alt="A wide picture"),))
    colour = (0x22, 0xAA, 0x55)  # no text on the page has this colour
    solid = io.BytesIO()
    Pil.new("RGB", (3000, 300), colour).save(solid, format="PNG")
    resources = {"w.png": solid.getvalue()}
    pdf = _libreoffice(write(single(doc), resources=resources).data, tmp_path, "wide")
    subprocess.run(["pdftoppm", "-png", "-r", "72", "-f", "1", "-l", "1", str(pdf), str(tmp_path / "page")],
                   check=True)  # fmt: skip
    image = Pil.open(next(tmp_path.glob("page*.png"))).convert("RGB")
    pixels = image.load()
    xs = [x for y in range(image.height) for x in range(0, image.width) if pixels[x, y] == colour]
    margin = BRIEFING.page.margin_inner
    assert xs, "the picture is on the page"
    assert min(xs) >= margin - 1 and max(xs) <= image.width - BRIEFING.page.margin_outer + 1
    text_width = image.width - margin - BRIEFING.page.margin_outer
    assert max(xs) - min(xs) > text_width - 6, "and it uses the whole width"
