"""The PDF writer end to end: fidelity, structure, fonts, outline, metadata, furniture, reproducibility.

Every sample is rendered once per session (module-scoped fixtures) and the PDF
is inspected with pypdf; poppler's ``pdffonts`` and ``qpdf --check`` are used
when installed (CI installs them) and the checks skip otherwise.
"""

from __future__ import annotations

import dataclasses
import io
import os
import re
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pypdf
import pytest

from briefpub.pipeline import style_fonts
from briefpub.styling import load_style, with_overrides
from briefpub.tree import (
    Document,
    Figure,
    Heading,
    Link,
    Meta,
    Paragraph,
    Publication,
    Table,
    TableCell,
    TableRow,
    Text,
    document_words,
)
from briefpub.writers import WriteOptions, WriteResult, get_writer
from briefpub.writers.pdf import WRITER
from fidelity import assert_faithful, missing_words
from samples import (
    HOSTILE_TEXT,
    LOREM,
    arabic_document,
    hostile_document,
    long_document,
    pack,
    para,
    rich_document,
    scripts_document,
    single,
)
from tools import require_tool

BUILD = datetime(2024, 5, 6, 7, 8, 9, tzinfo=UTC)
STYLE = load_style("briefing")
FONTS = style_fonts(STYLE)


def write(pub: Publication, style=STYLE, **kw) -> WriteResult:
    return WRITER.write(pub, style, WriteOptions(build_time=BUILD, fonts=style_fonts(style), **kw))


def reader(data: bytes) -> pypdf.PdfReader:
    return pypdf.PdfReader(io.BytesIO(data))


def page_texts(data: bytes) -> list[str]:
    return [p.extract_text() or "" for p in reader(data).pages]


_RTL_WORD = re.compile(r"[\u0590-\u08ff\ufb1d-\ufdff\ufe70-\ufeff]")


@pytest.fixture(scope="module")
def rendered() -> dict[str, tuple[Publication, WriteResult]]:
    pubs = {
        "rich": single(rich_document()),
        "long": single(long_document()),
        "hostile": single(hostile_document()),
        "scripts": single(scripts_document()),
        "arabic": single(arabic_document()),
        "pack": pack([rich_document(), long_document(30), arabic_document()], marking="OFFICIAL",
                     date="6 May 2024", compiled_by="Briefing Unit"),
    }
    return {name: (pub, write(pub)) for name, pub in pubs.items()}


def data_of(rendered, name: str) -> bytes:
    return rendered[name][1].data


def codes(result: WriteResult) -> list[str]:
    return [d.code for d in result.diagnostics]


# -- registry and basics ---------------------------------------------------------------------


def test_registered_writer_is_this_one():
    writer = get_writer("pdf")
    assert writer is WRITER
    assert (writer.extension, writer.media_type) == (".pdf", "application/pdf")


@pytest.mark.parametrize("name", ["rich", "long", "hostile", "scripts", "arabic", "pack"])
def test_output_is_a_pdf_with_pages(rendered, name):
    data = data_of(rendered, name)
    assert data.startswith(b"%PDF-1.")
    assert len(reader(data).pages) >= 1


# -- text fidelity ------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["rich", "long", "hostile"])
def test_every_word_in_order(rendered, name):
    pub, result = rendered[name]
    text = "\n".join(page_texts(result.data))
    words = document_words(pub.documents[0])
    # Words wider than a line are split across lines without a hyphen: look for them joined up.
    long_words = [w for w in words if len(w) > 100]
    assert not missing_words([w for w in words if len(w) <= 100], text)
    furniture = {pub.documents[0].meta.title}
    joined = "".join(line for line in text.splitlines()
                     if line not in furniture and not re.fullmatch(r"Page \d+ of \d+", line))
    assert all(w in joined for w in long_words)
    if name != "hostile":
        assert_faithful(pub.documents[0], text)


def test_fidelity_check_can_fail(rendered):
    pub, result = rendered["rich"]
    text = "\n".join(page_texts(result.data)).replace("guarantor", "")
    assert missing_words(document_words(pub.documents[0]), text) == ["guarantor"]


_BIDI = dict.fromkeys(map(ord, "\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"))
_CJK_SPLIT = re.compile(r"([\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af])\n([\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af])")


def poppler_text(data: bytes) -> str:
    """The text as poppler's ``pdftotext`` reads it (right-to-left runs in logical order), without its
    bidi embedding controls, NFKC-normalised, CJK lines broken between two ideographs joined up."""
    import unicodedata

    require_tool("pdftotext")
    out = subprocess.run(["pdftotext", "-", "-"], input=data, capture_output=True, check=True).stdout
    text = unicodedata.normalize("NFKC", out.decode("utf-8")).translate(_BIDI)
    return _CJK_SPLIT.sub(r"\1\2", text)


def test_scripts_print_and_missing_glyph_is_reported(rendered):
    pub, result = rendered["scripts"]
    text = poppler_text(result.data)
    expected = [w for w in document_words(pub.documents[0]) if "\U0001f54a" not in w]
    assert not missing_words(expected, text)
    for name in ("Александр", "Νίκος", "外交部发言人", "외교부", "وزير الخارجية السوري", "שר החוץ"):
        assert name in text
    missing = [d for d in result.diagnostics if d.code == "writer.missing-glyph"]
    assert len(missing) == 1 and "U+1F54A" in missing[0].message
    assert "\ufffd" in text  # a visible replacement, never a silent gap


def test_arabic_reads_right_to_left_in_logical_order_with_plain_letters(rendered):
    """The engine joins the letters (contextual forms are drawn) but they extract as the letters typed,
    in reading order, in both pypdf and poppler."""
    pub, result = rendered["arabic"]
    raw = "\n".join(page_texts(result.data)).translate(_BIDI)
    assert not re.search("[\ufe70-\ufeff]", raw)  # no presentation forms in the text layer
    assert_faithful(pub.documents[0], raw)
    assert_faithful(pub.documents[0], poppler_text(result.data))
    first_line = next(line for line in raw.splitlines() if "بدأت" in line)
    assert first_line.split()[0] == "بدأت"
    assert "writer.not-rendered" not in codes(result)
    # and the glyphs drawn are the joined forms: the shaped run is narrower than the isolated letters
    pdf = reader(result.data)
    assert any("/ToUnicode" in f.get_object() for f in pdf.pages[0]["/Resources"]["/Font"].values())


def test_arabic_paragraph_is_right_aligned(rendered, tmp_path):
    from pdfmeasure import lines_of

    path = tmp_path / "ar.pdf"
    path.write_bytes(data_of(rendered, "arabic"))
    lines = lines_of(path)
    body = [line for line in lines[1:] if _RTL_WORD.search(line.text) and line.y0 < 700]  # not title, footer
    right = max(line.x1 for line in lines)
    assert len(body) == 2 and all(abs(line.x1 - right) < 2 for line in body)  # flush right
    left = STYLE.page.margin_inner + STYLE.page.gutter
    assert all(line.x0 > left + 20 for line in body)  # short lines: the space is on the left


# -- hostile text ----------------------------------------------------------------------------------


def test_hostile_text_prints_literally_and_unsafe_links_are_not_links(rendered):
    pub, result = rendered["hostile"]
    text = "\n".join(page_texts(result.data))
    for fragment in ("<b", "&", "</para>", "<font", "<script>alert(1)</script>", "&amp;", "<h1>not a tag</h1>"):
        assert fragment in text.replace("\n", " ")
    assert "<b>Title</b> & </para>" in text
    uris = [a.get_object()["/A"].get("/URI") for p in reader(result.data).pages
            for a in p.get("/Annots", []) if "/A" in a.get_object()]
    assert all(str(u).startswith(("http://", "https://", "mailto:")) for u in uris if u)
    assert codes(result).count("writer.unsafe-link") == 2
    assert HOSTILE_TEXT.split()[0] in text


def test_long_words_and_urls_stay_inside_the_frame(rendered, tmp_path):
    require_tool("pdftotext")
    data = data_of(rendered, "hostile")
    path = tmp_path / "out.pdf"
    path.write_bytes(data)
    html = subprocess.run(["pdftotext", "-bbox", str(path), "-"], capture_output=True, text=True,
                          check=True).stdout
    right_edge = STYLE.page_size[0] - STYLE.page.margin_outer
    x_max = [float(v) for v in re.findall(r'xMax="([\d.]+)"', html)]
    assert len(x_max) > 50
    assert max(x_max) <= right_edge + 0.5
    # The URL is printed in full, split across lines without hyphens.
    text = "".join(line for page in page_texts(data) for line in page.splitlines()
                   if not re.fullmatch(r"Page \d+ of \d+|<b>Title</b> & </para>", line))
    assert ("https://example.org/" + "very-long-path-segment/" * 20) in text


# -- fonts ------------------------------------------------------------------------------------------


def _font_dicts(data: bytes):
    seen = {}
    for page in reader(data).pages:
        resources = page["/Resources"]
        fonts = dict(resources.get("/Font", {}))
        for xobj in (resources.get("/XObject") or {}).values():
            fonts.update(xobj.get_object().get("/Resources", {}).get("/Font", {}))
        for font in fonts.values():
            font = font.get_object()
            seen[str(font["/BaseFont"])] = font
    return seen


@pytest.mark.parametrize("name", ["rich", "scripts", "arabic", "pack", "hostile"])
def test_only_embedded_truetype_fonts(rendered, name):
    fonts = _font_dicts(data_of(rendered, name))
    assert fonts
    for base, font in fonts.items():
        assert "Helvetica" not in base and "Times" not in base and "Courier" not in base
        descriptor = font.get("/FontDescriptor")
        if descriptor is None:  # Type0 fonts keep it in their descendant
            descriptor = font["/DescendantFonts"][0].get_object()["/FontDescriptor"]
        assert "/FontFile2" in descriptor.get_object(), base


@pytest.mark.parametrize("name", ["rich", "scripts", "pack"])
def test_pdffonts_says_every_font_is_embedded(rendered, name, tmp_path):
    require_tool("pdffonts")
    path = tmp_path / "out.pdf"
    path.write_bytes(data_of(rendered, name))
    out = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True).stdout
    rows = out.splitlines()[2:]
    assert rows
    for row in rows:
        assert re.search(r"TrueType\s+(Identity-H|WinAnsi|Custom|Builtin)?\s*yes\s+yes", row) or \
            " yes yes " in re.sub(r"\s+", " ", row), row


# -- structure -----------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["rich", "long", "hostile", "scripts", "arabic", "pack"])
def test_qpdf_check_passes(rendered, name, tmp_path):
    require_tool("qpdf")
    path = tmp_path / "out.pdf"
    path.write_bytes(data_of(rendered, name))
    proc = subprocess.run(["qpdf", "--check", str(path)], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def _outline(r: pypdf.PdfReader):
    """(depth, title, page index) for every outline entry."""
    out = []

    def walk(items, depth):
        for item in items:
            if isinstance(item, list):
                walk(item, depth + 1)
            else:
                out.append((depth, item.title, r.get_destination_page_number(item)))

    walk(r.outline, 0)
    return out


def test_outline_entries_land_on_their_headings(rendered):
    data = data_of(rendered, "long")
    r = reader(data)
    entries = _outline(r)
    texts = page_texts(data)
    assert entries[0][:2] == (0, "A Long Article")
    sections = [e for e in entries if e[1].startswith("Section")]
    assert [e[1] for e in sections] == [f"Section {i}" for i in range(1, 13)]
    assert all(depth == 1 for depth, _t, _p in sections)
    assert max(p for _d, _t, p in sections) > 3  # the "Page X of Y" trap sends all of them to page 1
    for _depth, title, page in sections:
        assert re.search(rf"^{title}$", texts[page], re.M), (title, page)


def test_no_heading_is_stranded_at_a_page_bottom(rendered):
    texts = page_texts(data_of(rendered, "long"))
    for text in texts:
        lines = [line for line in text.splitlines() if line.strip()]
        body = [line for line in lines if not line.startswith(("Page ", "OFFICIAL", "A Long Article"))]
        for i, line in enumerate(body):
            if re.fullmatch(r"Section \d+", line):
                assert len(body) - i > 3, f"{line!r} has too little text after it on its page"


def test_outline_never_skips_levels():
    doc = Document(
        meta=Meta(title="Levels"),
        blocks=(Heading(1, (Text("One"),)), Heading(3, (Text("Three"),)), Heading(2, (Text("Two"),)),
                Heading(4, (Text("Four"),)), para("text")),
    )
    entries = _outline(reader(write(single(doc)).data))
    assert [(d, t) for d, t, _p in entries] == [(0, "Levels"), (1, "One"), (2, "Three"), (2, "Two"), (3, "Four")]


def test_internal_links_land_on_the_heading_page():
    blocks = [Paragraph((Text("See "), Link("#target", (Text("the target"),)), Text(".")))]
    blocks += [para(f"Filler {i}. {LOREM}") for i in range(40)]
    blocks += [Heading(2, (Text("The Target"),), id="target"), para("Here.")]
    data = write(single(Document(Meta(title="Links"), tuple(blocks)))).data
    r = reader(data)
    annots = [a.get_object() for a in r.pages[0].get("/Annots", [])]
    internal = [a for a in annots if "/Dest" in a or ("/A" in a and a["/A"].get("/S") == "/GoTo")]
    assert len(internal) == 1
    dest = internal[0].get("/Dest") or internal[0]["/A"]["/D"]
    if isinstance(dest, (str, pypdf.generic.NameObject, pypdf.generic.TextStringObject)):
        dest = r.named_destinations[str(dest).lstrip("/")]
        page_index = r.get_destination_page_number(dest)
    else:
        page_index = r.get_page_number(dest[0].get_object())
    assert page_index > 0
    assert "The Target" in page_texts(data)[page_index]


# -- metadata and reproducibility -----------------------------------------------------------------------


def test_metadata(rendered):
    r = reader(data_of(rendered, "rich"))
    info = r.metadata
    assert info.title == "Talks Open on Regional Ceasefire"
    assert info.author == "Jane Example, Ravi Sample"
    assert info.subject == "Delegations meet for the first time in six years"
    assert "diplomacy" in info["/Keywords"] and "ceasefire" in info["/Keywords"]
    assert info.creator == "briefpub"
    assert "briefpub" in info.producer and "reportlab" in info.producer
    assert info["/CreationDate"].startswith("D:20240506070809")
    root = r.trailer["/Root"]
    assert root["/Lang"] == "en"
    assert bool(root["/ViewerPreferences"]["/DisplayDocTitle"]) is True


def test_title_block_and_key_points(rendered):
    first = page_texts(data_of(rendered, "rich"))[0]
    lines = first.splitlines()
    assert lines[0] == "Talks Open on Regional Ceasefire"
    assert "Delegations meet for the first time in six years" in lines[1]
    assert "By Jane Example and Ravi Sample · 23 January 2017 · Example News" in first
    key = first.index("Key points")
    assert key < first.index("Talks start on Monday.") < first.index("The US sends an observer only.")
    assert "Key points" not in page_texts(data_of(rendered, "long"))[0]


def test_build_time_never_replaces_the_article_date(rendered):
    data = data_of(rendered, "rich")
    text = "\n".join(page_texts(data))
    assert "23 January 2017" in text
    assert "2024" not in text


def test_same_input_gives_identical_bytes(rendered):
    pub, result = rendered["rich"]
    assert write(pub).data == result.data
    other = WRITER.write(pub, STYLE, WriteOptions(build_time=datetime(2030, 1, 1, tzinfo=UTC), fonts=FONTS))
    assert other.data != result.data


def test_identical_bytes_in_a_fresh_process_whatever_the_environment(rendered):
    script = (
        "import sys; sys.path.insert(0, sys.argv[1]);"
        "from datetime import datetime, timezone;"
        "from samples import rich_document, single;"
        "from briefpub.pipeline import style_fonts;"
        "from briefpub.styling import load_style;"
        "from briefpub.writers import WriteOptions;"
        "from briefpub.writers.pdf import WRITER;"
        "style = load_style('briefing');"
        "sys.stdout.buffer.write(WRITER.write(single(rich_document()), style,"
        " WriteOptions(build_time=datetime(2024, 5, 6, 7, 8, 9, tzinfo=timezone.utc), fonts=style_fonts(style))).data)"
    )
    env = {"SOURCE_DATE_EPOCH": "1", "PATH": "/usr/bin:/bin", "HOME": str(Path.home()),
           "BRIEFPUB_CACHE_DIR": os.environ["BRIEFPUB_CACHE_DIR"]}  # conftest's, not ~/.cache
    tests_dir = str(Path(__file__).resolve().parents[1])
    out = subprocess.run([sys.executable, "-c", script, tests_dir], capture_output=True, env=env, check=True)
    assert out.stdout == data_of(rendered, "rich")


# -- page furniture -------------------------------------------------------------------------------------


def test_page_x_of_y_and_marking_on_every_page(rendered):
    texts = page_texts(data_of(rendered, "long"))
    total = len(texts)
    assert total > 5
    for number, text in enumerate(texts, start=1):
        assert f"Page {number} of {total}" in text
        assert text.count("OFFICIAL-SENSITIVE") == 2, number  # top and bottom


def test_running_header_from_page_two(rendered):
    texts = page_texts(data_of(rendered, "long"))
    assert all(t.splitlines().count("A Long Article") >= 1 for t in texts[1:])


def test_no_marking_printed_when_none_is_set(rendered):
    assert "OFFICIAL" not in "".join(page_texts(data_of(rendered, "hostile")))


def test_source_attribution_with_qr_code(rendered):
    data = data_of(rendered, "rich")
    texts = page_texts(data)
    last = texts[-1]
    assert "Source" in last and "https://news.example.org/2017/01/talks-open" in last
    uris = [str(a.get_object()["/A"]["/URI"]) for a in reader(data).pages[-1].get("/Annots", [])
            if "/A" in a.get_object()]
    assert "https://news.example.org/2017/01/talks-open" in uris


def test_plain_style_has_no_qr_code(rendered):
    pub, _result = rendered["rich"]
    plain = write(pub, style=load_style("plain"))
    with_qr = data_of(rendered, "rich")
    # The QR code is hundreds of filled rectangles in the last page's content stream.
    count = lambda data: reader(data).pages[-1].get_contents().get_data().count(b" re")  # noqa: E731
    assert count(with_qr) > count(plain.data) + 100


@pytest.mark.parametrize(("size", "expected"), [("A4", (595.28, 841.89)), ("Letter", (612.0, 792.0))])
def test_page_size_from_the_style(size, expected):
    style = with_overrides(STYLE, [("page.size", size)])
    data = write(single(long_document(30)), style=style).data
    for page in reader(data).pages:
        assert (round(float(page.mediabox.width), 2), round(float(page.mediabox.height), 2)) == expected
    assert "Page 1 of" in page_texts(data)[0]


# -- blocks --------------------------------------------------------------------------------------------------


def _png(width: int, height: int) -> bytes:
    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", (width, height), (30, 80, 140)).save(buf, format="PNG")
    return buf.getvalue()


def test_images_are_embedded_scaled_and_missing_ones_reported():
    doc = Document(
        meta=Meta(title="Pictures"),
        blocks=(
            Figure(caption=(Text("A wide picture"),), image="wide.png", alt="blue"),
            Figure(caption=(Text("Nowhere to be found"),), image="http://example.org/x.png"),
            Figure(caption=(Text("Broken bytes"),), image="broken.png"),
        ),
    )
    result = write(single(doc), resources={"wide.png": _png(3000, 1000), "broken.png": b"not an image"})
    r = reader(result.data)
    images = [img for p in r.pages for img in p.images]
    assert len(images) == 1
    text = "\n".join(page_texts(result.data))
    for caption in ("A wide picture", "Nowhere to be found", "Broken bytes"):
        assert caption in text
    assert codes(result).count("writer.image-missing") == 2
    # scaled to the frame width
    content = r.pages[0].get_contents().get_data().decode("latin-1")
    frame_width = STYLE.page_size[0] - STYLE.page.margin_inner - STYLE.page.margin_outer
    scales = [float(m) for m in re.findall(r"q\s+([\d.]+) 0 0 [\d.]+ [\d.-]+ [\d.-]+ cm\s+/FormXob", content)]
    assert scales and max(scales) <= frame_width + 0.01


def test_long_table_repeats_its_header_on_every_page():
    header = (TableRow((TableCell((Text("Name"),)), TableCell((Text("Value"),), align="right"))),)
    rows = tuple(TableRow((TableCell((Text(f"Row {i}"),)), TableCell((Text(str(i)),), align="right")))
                 for i in range(150))
    doc = Document(Meta(title="Table"), (Table(header, rows, caption=(Text("Many rows"),)),))
    texts = page_texts(write(single(doc)).data)
    assert len(texts) >= 3
    for text in texts:
        assert "Name" in text and "Value" in text
    assert "Row 149" in texts[-1]


def test_unsupported_language_has_no_hyphenation_and_no_crash():
    doc = dataclasses.replace(long_document(20), meta=Meta(title="Xx", language="xx-YY"))
    result = write(single(doc))
    assert "writer.hyphenation-unavailable" in codes(result)
    text = "\n".join(page_texts(result.data))
    assert not re.search(r"\w-\n", text)
    assert_faithful(doc, text)


def test_body_is_hyphenated_but_titles_and_headings_are_not(rendered, tmp_path):
    from briefpub.pipeline import prepare_article
    from pdfmeasure import lines_of

    path = tmp_path / "long.pdf"
    fixture = Path(__file__).resolve().parents[2] / "fixtures" / "txt" / "geneva-round.txt"
    path.write_bytes(write(single(prepare_article(str(fixture)).document)).data)
    assert any(re.search(r"[a-z]-$", line.text) for line in lines_of(path))  # a word hyphenated at a line end
    headings = ["Heading " + "Extraordinarily " * 6 + "Long"]
    doc = Document(Meta(title="Incomprehensibilities " * 5),
                   (Heading(1, (Text(headings[0]),)), para(LOREM * 3)))
    path.write_bytes(write(single(doc)).data)
    lines = [line.text for line in lines_of(path)]
    assert any("Incomprehensibilities" in t for t in lines) and any("Extraordinarily" in t for t in lines)
    assert not [t for t in lines if re.search(r"(Incompre|Extraor)\w*-$", t)]


def test_chinese_document_has_no_hyphenation_warning():
    doc = Document(Meta(title="外交部", language="zh"), (para("外交部发言人表示" * 30),))
    result = write(single(doc))
    assert "writer.hyphenation-unavailable" not in codes(result)
    assert "外交部发言人表示" in "".join(page_texts(result.data)).replace("\n", "")


# -- packs -------------------------------------------------------------------------------------------------------


def test_pack_cover_and_articles_on_new_pages(rendered):
    pub, result = rendered["pack"]
    texts = page_texts(result.data)
    cover = texts[0]
    assert "Morning Briefing Pack" in cover and "6 May 2024" in cover and "Briefing Unit" in cover
    starts = [i for i, t in enumerate(texts) if "Talks Open on Regional Ceasefire" in t.splitlines()[:3]]
    assert starts and starts[0] == 1
    long_start = next(i for i, t in enumerate(texts) if t.startswith("A Long Article"))
    assert long_start > 1
    # running header names the current article
    # (with the article's number in the pack at the other end of the line)
    assert all(any(line.startswith("A Long Article") for line in t.splitlines())
               for t in texts[long_start + 1: long_start + 3])
    assert any(line.startswith("Talks Open on Regional Ceasefire") for line in texts[starts[0] + 1].splitlines())
    assert all(t.count("OFFICIAL") >= 2 for t in texts)
    entries = _outline(reader(result.data))
    assert entries[0][:2] == (0, "Morning Briefing Pack")
    assert [t for d, t, _p in entries if d == 1][:2] == ["Talks Open on Regional Ceasefire", "A Long Article"]
    assert_faithful(pub.documents[1], "\n".join(texts))


def test_many_missing_glyphs_are_named_in_a_bounded_line():
    """Hundreds of characters no font has: the diagnostic names the first 20 code points and counts the rest."""
    chars = "".join(chr(c) for c in range(0xE000, 0xE000 + 300))  # private use: in no installed font
    result = write(Publication((Document(meta=Meta(title="T"), blocks=(Paragraph((Text(chars),)),)),)))
    (missing,) = [d for d in result.diagnostics if d.code == "writer.missing-glyph"]
    assert "U+E000" in missing.message and "and 280 more" in missing.message
    assert missing.text == chars[:20]
    assert len(missing.format()) < 400
