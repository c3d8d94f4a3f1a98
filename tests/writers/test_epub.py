"""The EPUB writer: structure, text fidelity, metadata, safety, determinism, CSS and cover.

Every test reads the written bytes back independently of ebooklib (zipfile +
lxml), except one round-trip through ebooklib's own reader. EPUBCheck runs in
``test_epub_epubcheck.py`` (one JVM start for every output).
"""

from __future__ import annotations

import dataclasses
import io
import re
import struct
import uuid
import zipfile
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from functools import cached_property
from pathlib import Path

import pytest
from lxml import etree

from briefpub.errors import BriefpubError, ConversionError
from briefpub.fonts import FontSet, coverage
from briefpub.pipeline import style_fonts
from briefpub.styling import load_style
from briefpub.tree import (
    BlockQuote,
    Document,
    Emphasis,
    Heading,
    Link,
    Meta,
    Paragraph,
    Publication,
    Strong,
    Table,
    TableCell,
    TableRow,
    Text,
)
from briefpub.writers import WriteOptions, WriteResult, get_writer
from briefpub.writers.epub import WRITER
from briefpub.writers.epub.cover import CoverText, render_cover
from briefpub.writers.epub.css import stylesheet
from briefpub.writers.epub.metadata import language_tag, w3c_date
from fidelity import assert_faithful
from samples import (
    arabic_document,
    figure_resources,
    figures_document,
    hostile_document,
    long_document,
    pack,
    para,
    rich_document,
    scripts_document,
    single,
    t,
)
from shared_data import REFERENCE, require_shared

NS = {
    "opf": "http://www.idpf.org/2007/opf",
    "dc": "http://purl.org/dc/elements/1.1/",
    "x": "http://www.w3.org/1999/xhtml",
    "epub": "http://www.idpf.org/2007/ops",
    "ncx": "http://www.daisy.org/z3986/2005/ncx/",
    "c": "urn:oasis:names:tc:opendocument:xmlns:container",
}
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
EPUB_TYPE = "{http://www.idpf.org/2007/ops}type"
BUILD = datetime(2024, 5, 6, 7, 8, 9, tzinfo=UTC)
STYLE = load_style("briefing")
BLOCK_TAGS = {
    "p",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "li",
    "td",
    "th",
    "caption",
    "figcaption",
    "div",
    "section",
    "header",
    "footer",
    "blockquote",
    "table",
    "tr",
    "ul",
    "ol",
    "figure",
    "br",
    "hr",
}


def write(
    pub: Publication,
    *,
    build: datetime = BUILD,
    resources: dict[str, bytes] | None = None,
    style_name: str = "briefing",
) -> WriteResult:
    style = load_style(style_name)
    return WRITER.write(pub, style, WriteOptions(build_time=build, resources=resources or {}, fonts=style_fonts(style)))


def text_of(element: etree._Element) -> str:
    """The text a reader would show: block elements separated by newlines, inlines joined as written."""
    parts: list[str] = []

    def walk(el: etree._Element) -> None:
        local = etree.QName(el).localname
        block = local in BLOCK_TAGS
        if block:
            parts.append("\n")
        if el.text:
            parts.append(el.text)
        for child in el:
            walk(child)
            if child.tail:
                parts.append(child.tail)
        if block:
            parts.append("\n")

    walk(element)
    return "".join(parts)


@dataclass
class Epub:
    """An EPUB read back with zipfile and lxml only."""

    data: bytes

    @cached_property
    def zip(self) -> zipfile.ZipFile:
        return zipfile.ZipFile(io.BytesIO(self.data))

    def xml(self, name: str) -> etree._Element:
        return etree.fromstring(self.zip.read(name))

    @cached_property
    def opf_path(self) -> str:
        container = self.xml("META-INF/container.xml")
        return str(container.xpath("//c:rootfile/@full-path", namespaces=NS)[0])

    @cached_property
    def opf(self) -> etree._Element:
        return self.xml(self.opf_path)

    def path(self, href: str) -> str:
        base = self.opf_path.rpartition("/")[0]
        return f"{base}/{href}" if base else href

    @cached_property
    def manifest(self) -> dict[str, etree._Element]:
        return {el.get("id"): el for el in self.opf.xpath("//opf:manifest/opf:item", namespaces=NS)}

    @cached_property
    def spine(self) -> list[str]:
        ids = self.opf.xpath("//opf:spine/opf:itemref/@idref", namespaces=NS)
        return [self.manifest[i].get("href") for i in ids]

    def doc(self, href: str) -> etree._Element:
        return self.xml(self.path(href))

    @cached_property
    def articles(self) -> list[str]:
        return [h for h in self.spine if h.startswith("article-")]

    def article_text(self, index: int = 0) -> str:
        return text_of(self.doc(self.articles[index]).find("x:body", NS))

    def dc(self, name: str) -> list[str]:
        return [el.text or "" for el in self.opf.xpath(f"//opf:metadata/dc:{name}", namespaces=NS)]

    def meta(self, prop: str) -> list[str]:
        return [el.text or "" for el in self.opf.xpath(f"//opf:metadata/opf:meta[@property='{prop}']", namespaces=NS)]

    @cached_property
    def nav(self) -> etree._Element:
        (item,) = [el for el in self.manifest.values() if "nav" in (el.get("properties") or "").split()]
        return self.doc(item.get("href"))

    @cached_property
    def ncx(self) -> etree._Element:
        (item,) = [el for el in self.manifest.values() if el.get("media-type") == "application/x-dtbncx+xml"]
        return self.doc(item.get("href"))


SAMPLES = {
    "rich": lambda: single(rich_document()),
    "long": lambda: single(long_document()),
    "hostile": lambda: single(hostile_document()),
    "scripts": lambda: single(scripts_document()),
    "arabic": lambda: single(arabic_document()),
}


@pytest.fixture(scope="module")
def outputs() -> dict[str, tuple[Publication, WriteResult]]:
    result = {name: (make(), write(make())) for name, make in SAMPLES.items()}
    the_pack = pack(
        [rich_document(), arabic_document(), scripts_document()],
        date="2017-01-24",
        compiled_by="Desk Officer",
        marking="OFFICIAL-SENSITIVE",
    )
    result["pack"] = (the_pack, write(the_pack))
    figs = single(figures_document())
    result["figures"] = (figs, write(figs, resources=figure_resources()))
    return result


@pytest.fixture(scope="module")
def books(outputs: dict[str, tuple[Publication, WriteResult]]) -> dict[str, Epub]:
    return {name: Epub(result.data) for name, (_, result) in outputs.items()}


# --------------------------------------------------------------------------
# Registry and container
# --------------------------------------------------------------------------


def test_registered_as_epub() -> None:
    writer = get_writer("epub")
    assert writer is WRITER
    assert (writer.name, writer.extension, writer.media_type) == ("epub", ".epub", "application/epub+zip")


@pytest.mark.parametrize("name", ["rich", "pack", "figures"])
def test_zip_container_mimetype_first_and_stored(books: dict[str, Epub], name: str) -> None:
    infos = books[name].zip.infolist()
    assert infos[0].filename == "mimetype"
    assert infos[0].compress_type == zipfile.ZIP_STORED
    assert books[name].zip.read("mimetype") == b"application/epub+zip"
    assert books[name].data[30:38] == b"mimetype"  # no extra field: readers sniff this offset
    assert all(i.date_time == (2024, 5, 6, 7, 8, 8) for i in infos)


# --------------------------------------------------------------------------
# Text fidelity and the XHTML itself
# --------------------------------------------------------------------------


@pytest.mark.parametrize("name", list(SAMPLES))
def test_every_word_survives_in_order(
    outputs: dict[str, tuple[Publication, WriteResult]], books: dict[str, Epub], name: str
) -> None:
    pub, _ = outputs[name]
    assert_faithful(pub.documents[0], books[name].article_text(), hyphenation=False)


def test_reference_article_is_faithful() -> None:
    require_shared(REFERENCE)
    from briefpub.readers import read_path

    doc = read_path(REFERENCE).document
    book = Epub(write(single(doc)).data)
    assert_faithful(doc, book.article_text(), hyphenation=False)
    assert book.dc("title") == [doc.meta.title]
    assert book.dc("language") == ["en"]


FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"
FIXTURE_FILES = sorted(p for p in FIXTURES.rglob("*") if p.is_file()) if FIXTURES.is_dir() else []


@pytest.mark.parametrize("path", FIXTURE_FILES, ids=lambda p: p.relative_to(FIXTURES).as_posix())
def test_fixture_articles_are_faithful(path: Path) -> None:
    try:
        from briefpub.readers import read_path
    except ImportError:
        pytest.skip("briefpub.readers.read_path is not available yet")
    try:
        doc = read_path(path).document
    except BriefpubError as exc:
        pytest.skip(f"the reader refuses this fixture: {exc}")
    assert_faithful(doc, Epub(write(single(doc)).data).article_text(), hyphenation=False)


def test_pack_articles_are_faithful_each_in_its_own_document(
    outputs: dict[str, tuple[Publication, WriteResult]], books: dict[str, Epub]
) -> None:
    pub, _ = outputs["pack"]
    book = books["pack"]
    assert len(book.articles) == len(pub.documents) == 3
    for index, doc in enumerate(pub.documents):
        assert_faithful(doc, book.article_text(index), hyphenation=False)


def test_adjacent_inlines_are_not_separated_and_no_text_is_dropped() -> None:
    # ebooklib's EpubHtml would print "<em>a</em> <strong>b</strong>" (pretty-printing) and drop body text.
    doc = Document(
        meta=Meta(title="Adjacent"),
        blocks=(Paragraph((Emphasis((t("Bold"),)), Strong((t("face"),)), t("d"), Link("https://e.org", (t("!"),)))),),
    )
    text = Epub(write(single(doc)).data).article_text()
    assert "Boldfaced!" in text


def test_no_text_sits_directly_in_body(books: dict[str, Epub]) -> None:
    for name, book in books.items():
        for href in book.spine:
            body = book.doc(href).find("x:body", NS)
            loose = [(body.text or "").strip()] + [(child.tail or "").strip() for child in body]
            assert not any(loose), (name, href, loose)


def test_one_document_per_article_each_with_lang_dir_and_title(books: dict[str, Epub]) -> None:
    book = books["pack"]
    assert book.spine[0] == "cover.xhtml"
    langs = []
    for href in book.articles:
        html = book.doc(href)
        assert html.get("lang") == html.get(XML_LANG)
        langs.append((html.get("lang"), html.get("dir")))
        assert html.findtext("x:head/x:title", namespaces=NS).strip()
        assert html.find("x:head/x:link[@rel='stylesheet']", NS) is not None
    assert langs == [("en", "ltr"), ("ar", "rtl"), ("en", "ltr")]


def test_rich_document_renders_every_construct(books: dict[str, Epub]) -> None:
    html = books["rich"].doc("article-001.xhtml")
    body = html.find("x:body", NS)

    def count(path: str) -> int:
        return len(body.xpath(path, namespaces=NS))

    # the headline's last two words are tied: no line of it holds one word alone
    assert body.findtext(".//x:h1", namespaces=NS) == "Talks Open on Regional\u00a0Ceasefire"
    assert count(".//x:figure") == 0  # the figure has no image: a labelled photo caption
    assert [text_of(p) for p in body.xpath(".//x:p[@class='photo-caption']", namespaces=NS)] == [
        "\nPhoto: The hotel where the talks are held\n"
    ]
    assert count(".//x:a[@href='https://example.org/agenda']") == 1
    assert count(".//x:em") == 1 and count(".//x:strong") == 1 and count(".//x:code") == 1
    assert count(".//x:br") == 1
    assert count(".//x:blockquote/x:p") == 2
    assert count(".//x:ul/x:li") == 2 + 2  # key points + bullet list
    assert body.xpath(".//x:ol/@start", namespaces=NS) == ["3"]
    assert count(".//x:table/x:thead/x:tr/x:th") == 2
    assert count(".//x:table/x:tbody/x:tr") == 2
    assert body.xpath(".//x:table/x:caption/text()", namespaces=NS) == ["Delegation sizes"]
    assert count(".//x:td[@class='align-right']") == 2
    assert count(".//x:hr") == 1
    headings = body.xpath(".//x:h2[@id][not(@class='box-title')] | .//x:h3[@id]", namespaces=NS)
    assert [(h.tag.split("}")[1], h.get("id")) for h in headings] == [("h2", "platform"), ("h3", "next-steps")]
    assert body.findtext(".//x:p[@class='byline']", namespaces=NS).startswith("By Jane Example and Ravi Sample")
    attribution = text_of(body.find(".//x:footer", NS))
    assert "Source: Example News" in attribution and "news.example.org" in attribution


def test_heading_levels_are_shifted_below_the_title_and_anchors_unique() -> None:
    doc = Document(
        meta=Meta(title="Levels"),
        blocks=(
            Heading(1, (t("Alpha"),)),
            Heading(2, (t("Beta"),), id="same"),
            Heading(2, (t("Gamma"),), id="same"),
            Heading(1, (t("title"),), id="title"),  # collides with the template's own anchor
            Heading(3, (t(""),)),  # empty: not rendered
            Heading(1, (t("Ωμέγα"),)),
        ),
    )
    book = Epub(write(single(doc)).data)
    body = book.doc(book.articles[0]).find("x:body", NS)
    found = [
        (etree.QName(h).localname, h.get("id"), h.text) for h in body.iter(*[f"{{{NS['x']}}}h{n}" for n in range(1, 7)])
    ]
    # A tree that did not go through the pipeline gets its ids from the ids transform (unique, never a
    # structural id); levels follow the outline depth, so they never skip, and empty headings are left out.
    assert found == [
        ("h1", "title", "Levels"),
        ("h2", "alpha", "Alpha"),
        ("h3", "same", "Beta"),
        ("h3", "same-1", "Gamma"),
        ("h2", "title-1", "title"),
        ("h2", "section-1", "Ωμέγα"),
    ]


# --------------------------------------------------------------------------
# Navigation
# --------------------------------------------------------------------------


def _nav_links(book: Epub, kind: str) -> list[tuple[str, str]]:
    (nav,) = book.nav.xpath(f"//x:nav[@epub:type='{kind}']", namespaces=NS)
    return [(a.get("href"), "".join(a.itertext())) for a in nav.iter(f"{{{NS['x']}}}a")]


def test_nav_toc_lists_articles_and_headings_in_reading_order(books: dict[str, Epub]) -> None:
    assert _nav_links(books["rich"], "toc") == [
        ("article-001.xhtml", "Talks Open on Regional Ceasefire"),
        ("article-001.xhtml#platform", "Platform for Discussions"),
        ("article-001.xhtml#next-steps", "Next steps"),
    ]
    pack_toc = [href for href, _ in _nav_links(books["pack"], "toc") if "#" not in href]
    assert pack_toc == ["article-001.xhtml", "article-002.xhtml", "article-003.xhtml"]


def test_every_nav_and_ncx_target_exists(books: dict[str, Epub]) -> None:
    for name, book in books.items():
        targets = [href for href, _ in _nav_links(book, "toc") + _nav_links(book, "landmarks")]
        targets += book.ncx.xpath("//ncx:content/@src", namespaces=NS)
        assert targets, name
        for target in targets:
            href, _, anchor = target.partition("#")
            assert href in book.spine, (name, target)
            if anchor:
                assert book.doc(href).xpath(f"//*[@id='{anchor}']"), (name, target)


def test_ncx_matches_nav_and_identifier(books: dict[str, Epub]) -> None:
    book = books["long"]
    labels = book.ncx.xpath("//ncx:navPoint/ncx:navLabel/ncx:text/text()", namespaces=NS)
    assert labels == [label for _, label in _nav_links(book, "toc")]
    assert labels[0] == "A Long Article" and len(labels) == 1 + 12
    uid = book.ncx.xpath("//ncx:meta[@name='dtb:uid']/@content", namespaces=NS)
    assert uid == book.dc("identifier")


def test_landmarks_reach_the_cover_and_the_body(books: dict[str, Epub]) -> None:
    for name, book in books.items():
        (nav,) = book.nav.xpath("//x:nav[@epub:type='landmarks']", namespaces=NS)
        kinds = {a.get(EPUB_TYPE): a.get("href") for a in nav.iter(f"{{{NS['x']}}}a")}
        contents = {"toc": "contents.xhtml"} if name == "pack" else {}  # a pack's contents page (test_epub_pack.py)
        assert kinds == {"cover": "cover.xhtml", **contents, "bodymatter": "article-001.xhtml"}


# --------------------------------------------------------------------------
# Cover
# --------------------------------------------------------------------------


def test_cover_declared_the_epub3_and_epub2_ways_and_first_in_spine(books: dict[str, Epub]) -> None:
    book = books["rich"]
    cover_items = [el for el in book.manifest.values() if el.get("properties") == "cover-image"]
    assert [(el.get("id"), el.get("href"), el.get("media-type")) for el in cover_items] == [
        ("cover-img", "images/cover.jpg", "image/jpeg")
    ]
    assert book.opf.xpath("//opf:meta[@name='cover']/@content", namespaces=NS) == ["cover-img"]
    assert book.opf.xpath("//opf:guide/opf:reference[@type='cover']/@href", namespaces=NS) == ["cover.xhtml"]
    assert book.spine[0] == "cover.xhtml"
    assert book.opf.xpath("//opf:spine/opf:itemref[1]/@linear", namespaces=NS) in ([], ["yes"])
    img = book.doc("cover.xhtml").find(".//x:img", NS)
    assert img.get("src") == "images/cover.jpg"
    assert img.get("alt") == (
        "OFFICIAL. Talks Open on Regional Ceasefire. Delegations meet for the first time in six years. "
        "23 January 2017. Example News"
    )


def test_pack_cover_has_pack_title_date_and_marking(books: dict[str, Epub]) -> None:
    alt = books["pack"].doc("cover.xhtml").find(".//x:img", NS).get("alt")
    # The cover details are the pack frame's (as in the PDF and DOCX): date, then compiled by.
    assert alt == "OFFICIAL-SENSITIVE. Morning Briefing Pack. Date: 24 January 2017. Compiled by: Desk Officer"


def _jpeg_markers(data: bytes) -> list[int]:
    """The JPEG's marker codes up to the start of the scan."""
    assert data[:2] == b"\xff\xd8"
    markers, pos = [], 2
    while pos < len(data):
        marker = data[pos + 1]
        markers.append(marker)
        if marker == 0xDA:  # start of scan: entropy-coded data follows
            break
        (length,) = struct.unpack(">H", data[pos + 2 : pos + 4])
        pos += 2 + length
    return markers


def test_cover_jpeg_is_deterministic_and_carries_no_metadata() -> None:
    text = CoverText("A Title", "A subtitle", ("1 May 2024", "Outlet"), "OFFICIAL")
    fonts = style_fonts(STYLE)
    first, second = render_cover(text, STYLE, fonts), render_cover(text, STYLE, fonts)
    assert first == second
    markers = _jpeg_markers(first.jpeg)
    # JFIF header, tables, a baseline frame (SOF0) and the scan: no EXIF (APP1), no comment (COM)
    assert markers[0] == 0xE0 and 0xC0 in markers and markers[-1] == 0xDA, [hex(m) for m in markers]
    assert not {0xE1, 0xFE, 0xC2} & set(markers), [hex(m) for m in markers]
    assert render_cover(dataclasses.replace(text, marking="SECRET"), STYLE, fonts).jpeg != first.jpeg


def test_cover_falls_back_to_pillows_font_without_fonts() -> None:
    from PIL import Image

    import briefpub.writers.epub.cover as cover

    text = CoverText("No fonts here", marking="OFFICIAL")
    drawn = render_cover(text, STYLE, FontSet())
    assert drawn == render_cover(text, STYLE, FontSet())
    assert drawn.fonts == ()
    with Image.open(io.BytesIO(drawn.jpeg)) as img:
        assert img.size == cover.COVER_SIZE
        assert img.convert("L").getextrema()[0] < 128  # something dark was drawn


def test_cover_uses_a_font_of_the_font_set_that_has_the_glyphs() -> None:
    fonts = style_fonts(STYLE)
    drawn = render_cover(CoverText("外交部发言人", language="zh"), STYLE, fonts)
    cjk = [face for family in fonts.families("heading") for face in family.faces
           if {ord(c) for c in "外交部发言人"} <= coverage(face)]
    if not cjk:
        pytest.skip("no font of the font set covers CJK here")
    assert drawn.fonts and all(any(f == face.path for face in cjk) for f in drawn.fonts)
    assert set(drawn.fonts) <= {face.path for face in fonts.faces()}  # only files of the font set


def test_the_writer_reports_the_font_files_it_used_and_needs_a_font_set() -> None:
    result = write(single(rich_document()))
    fonts = style_fonts(STYLE)
    assert result.fonts and set(result.fonts) <= {face.path for face in fonts.faces()}
    with pytest.raises(ConversionError, match="no fonts were passed"):
        WRITER.write(single(rich_document()), STYLE, WriteOptions(build_time=BUILD))


# --------------------------------------------------------------------------
# Metadata
# --------------------------------------------------------------------------


def test_metadata_of_a_single_article(books: dict[str, Epub]) -> None:
    book = books["rich"]
    assert book.dc("title") == ["Talks Open on Regional Ceasefire"]
    assert book.dc("creator") == ["Jane Example", "Ravi Sample"]
    assert book.dc("date") == ["2017-01-23"]
    assert book.dc("publisher") == ["Example News"]
    assert book.dc("source") == ["https://news.example.org/2017/01/talks-open"]
    assert book.dc("description") == ["Talks start on Monday. The US sends an observer only."]
    assert book.dc("subject") == ["diplomacy", "ceasefire"]
    assert book.dc("language") == ["en"]
    expected = uuid.uuid5(uuid.NAMESPACE_URL, "https://news.example.org/2017/01/talks-open")
    assert book.dc("identifier") == [f"urn:uuid:{expected}"]
    assert book.opf.get("unique-identifier") == "id"
    assert book.meta("dcterms:modified") == ["2024-05-06T07:08:09Z"]
    assert book.meta("dcterms:accessRights") == ["OFFICIAL"]


def test_accessibility_metadata(books: dict[str, Epub]) -> None:
    book = books["figures"]
    assert book.meta("schema:accessMode") == ["textual", "visual"]
    assert book.meta("schema:accessModeSufficient") == ["textual", "textual,visual"]
    assert {"structuralNavigation", "tableOfContents", "alternativeText"} <= set(
        book.meta("schema:accessibilityFeature")
    )
    assert book.meta("schema:accessibilityHazard") == ["none"]
    assert book.meta("schema:accessibilitySummary")[0].strip()


def test_modified_is_the_build_time_in_utc_and_never_the_article_date() -> None:
    plus_five = timezone(timedelta(hours=5))
    book = Epub(write(single(rich_document()), build=datetime(2030, 1, 2, 3, 4, 5, 999, tzinfo=plus_five)).data)
    assert book.meta("dcterms:modified") == ["2030-01-01T22:04:05Z"]
    assert book.dc("date") == ["2017-01-23"]
    assert book.zip.infolist()[0].date_time == (2030, 1, 1, 22, 4, 4)


def test_language_never_comes_from_the_locale(monkeypatch: pytest.MonkeyPatch) -> None:
    for var in ("LANG", "LC_ALL", "LANGUAGE"):
        monkeypatch.setenv(var, "fr_FR.UTF-8")
    doc = Document(meta=Meta(title="No language"), blocks=(para("Hello."),))
    assert Epub(write(single(doc)).data).dc("language") == ["en"]
    german = dataclasses.replace(STYLE, paragraphs=dataclasses.replace(STYLE.paragraphs, language="de"))
    data = WRITER.write(single(doc), german, WriteOptions(build_time=BUILD, fonts=style_fonts(german))).data
    assert Epub(data).dc("language") == ["de"]
    assert Epub(data).doc("article-001.xhtml").get("lang") == "de"


def test_ill_formed_language_falls_back_with_a_diagnostic() -> None:
    doc = Document(meta=Meta(title="Bad language", language="English (UK)"), blocks=(para("Hello."),))
    result = write(single(doc))
    assert Epub(result.data).dc("language") == ["en"]
    assert [d.code for d in result.diagnostics] == ["writer.metadata"]


def test_rtl_document(books: dict[str, Epub]) -> None:
    book = books["arabic"]
    assert book.dc("language") == ["ar"]
    html = book.doc("article-001.xhtml")
    assert (html.get("lang"), html.get(XML_LANG), html.get("dir")) == ("ar", "ar", "rtl")
    assert "rtl" in html.find("x:body", NS).get("class").split()
    assert book.opf.xpath("//opf:spine/@page-progression-direction", namespaces=NS) == ["rtl"]
    assert book.doc("cover.xhtml").get("dir") == "rtl"


def test_pack_metadata(books: dict[str, Epub]) -> None:
    book = books["pack"]
    assert book.dc("title") == ["Morning Briefing Pack"]
    assert book.dc("creator") == ["Desk Officer"]
    assert book.dc("contributor") == ["Jane Example", "Ravi Sample"]
    assert book.dc("date") == ["2017-01-24"]
    assert book.meta("dcterms:accessRights") == ["OFFICIAL-SENSITIVE"]


def test_identifier_from_content_when_there_is_no_url() -> None:
    doc = Document(meta=Meta(title="No URL"), blocks=(para("One."),))
    first = Epub(write(single(doc)).data).dc("identifier")
    assert first == Epub(write(single(doc), build=BUILD + timedelta(days=9)).data).dc("identifier")
    changed = Document(meta=doc.meta, blocks=(para("Two."),))
    assert Epub(write(single(changed)).data).dc("identifier") != first
    assert re.fullmatch(r"urn:uuid:[0-9a-f-]{36}", first[0])
    assert uuid.UUID(first[0][9:]).version == 5


def test_pack_identifier_depends_on_every_article_and_the_title() -> None:
    base = Epub(write(pack([rich_document(), arabic_document()])).data).dc("identifier")
    assert base == Epub(write(pack([rich_document(), arabic_document()])).data).dc("identifier")
    assert base != Epub(write(pack([rich_document(), scripts_document()])).data).dc("identifier")
    retitled = Publication(
        (rich_document(), arabic_document()), dataclasses.replace(pack([rich_document()]).pack, title="Evening Pack")
    )  # type: ignore[type-var]
    assert base != Epub(write(retitled).data).dc("identifier")


def test_untitled_document_gets_a_fallback_title() -> None:
    doc = Document(blocks=(para("First words of an article without a title, long enough to be cut off somewhere."),))
    book = Epub(write(single(doc)).data)
    (title,) = book.dc("title")
    assert title.startswith("First words of an article") and title.endswith("\u2026")
    # On the page and in the navigation the frame's localised "Untitled" stands for the title.
    assert book.doc("article-001.xhtml").findtext("x:head/x:title", namespaces=NS) == "Untitled"
    assert book.doc("article-001.xhtml").findtext(".//x:h1", namespaces=NS) == "Untitled"
    assert Epub(write(single(Document())).data).dc("title") == ["Untitled"]
    german = Document(meta=Meta(language="de"))
    assert Epub(write(single(german)).data).dc("title") == ["Ohne Titel"]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2017-01-23", "2017-01-23"),
        ("2017", "2017"),
        ("2017-01", "2017-01"),
        ("2017-02-30", ""),
        ("2017-01-23T10:00:00Z", "2017-01-23T10:00:00Z"),
        ("23 January 2017", ""),
        ("", ""),
    ],
)
def test_w3c_date(value: str, expected: str) -> None:
    assert w3c_date(value) == expected


@pytest.mark.parametrize(
    ("tag", "expected"),
    [
        ("en", ("en", False)),
        ("en-GB", ("en-GB", False)),
        ("zh-Hant-TW", ("zh-Hant-TW", False)),
        ("pt_BR", ("pt-BR", False)),
        ("English", ("English", False)),
        ("en GB", ("en", True)),
        ("", ("en", False)),
        ("x", ("en", True)),
    ],
)
def test_language_tag(tag: str, expected: tuple[str, bool]) -> None:
    assert language_tag(tag, STYLE) == expected


# --------------------------------------------------------------------------
# Figures
# --------------------------------------------------------------------------


def test_figures_embed_images_with_alt_text(
    outputs: dict[str, tuple[Publication, WriteResult]], books: dict[str, Epub]
) -> None:
    book = books["figures"]
    body = book.doc("article-001.xhtml").find("x:body", NS)
    imgs = body.findall(".//x:img", NS)
    assert [img.get("alt") for img in imgs] == [
        "Delegates around a table",
        "The hotel entrance",
        "A chart in GIF",
        "A map of the region",
        "Delegates again",
    ]
    manifest_images = {
        el.get("href"): el.get("media-type")
        for el in book.manifest.values()
        if el.get("media-type", "").startswith("image/")
    }
    # the JPEG photo, the cover (a JPEG), and three PNGs (a photo, the GIF re-encoded, the map)
    assert sorted(manifest_images.values()) == ["image/jpeg", "image/jpeg", "image/png", "image/png", "image/png"]
    assert imgs[0].get("src") == imgs[-1].get("src")  # the same bytes are stored once
    png = figure_resources()["photo.png"]
    assert book.zip.read(book.path(imgs[0].get("src"))) == png  # PNG kept byte for byte
    gif_name = book.path(imgs[2].get("src"))
    assert gif_name.endswith(".png") and book.zip.read(gif_name)[:8] == b"\x89PNG\r\n\x1a\n"
    captions = [text_of(c).strip() for c in body.findall(".//x:figcaption", NS)]
    assert captions == ["A photo in PNG", "A photo in JPEG", "A chart in GIF", "The same PNG again"]
    # An image that cannot be embedded leaves its caption, labelled, outside any <figure>.
    kept = [text_of(p).strip() for p in body.xpath(".//x:p[@class='photo-caption']", namespaces=NS)]
    assert kept == [
        "Photo: A broken image keeps its caption",
        "Photo: An SVG with a script is refused",
        "Photo: A missing image keeps its caption",
    ]
    _, result = outputs["figures"]
    missing = [d for d in result.diagnostics if d.code == "writer.image-missing"]
    assert sorted(d.text for d in missing) == ["broken.png", "drawing.svg", "missing.png"]
    assert not any(name.endswith(".svg") for name in book.zip.namelist())


def test_every_image_has_alt_text(books: dict[str, Epub]) -> None:
    for name, book in books.items():
        for href in book.spine:
            for img in book.doc(href).iter(f"{{{NS['x']}}}img"):
                assert (img.get("alt") or "").strip(), (name, href)


# --------------------------------------------------------------------------
# Nothing active
# --------------------------------------------------------------------------


def _active_content(book: Epub) -> list[str]:
    found = []
    for name in book.zip.namelist():
        if not name.endswith((".xhtml", ".opf", ".ncx")):
            continue
        root = book.xml(name)
        for el in root.iter():
            if not isinstance(el.tag, str):
                continue
            local = etree.QName(el).localname
            if local in ("script", "iframe", "object", "embed", "form", "input", "button", "style"):
                found.append(f"{name}: <{local}>")
            for attr, value in el.attrib.items():
                attr_local = etree.QName(attr).localname.lower()
                if attr_local.startswith("on"):
                    found.append(f"{name}: {attr_local}=")
                if attr_local in ("href", "src") and not re.match(r"^(https?:|mailto:|[\w./-]+(#[\w.-]+)?$)", value):
                    found.append(f"{name}: {attr_local}={value}")
                if "scripted" in (value.split() if attr_local == "properties" else []):
                    found.append(f"{name}: scripted")
    return found


def test_nothing_active_reaches_the_epub(
    outputs: dict[str, tuple[Publication, WriteResult]], books: dict[str, Epub]
) -> None:
    for name, book in books.items():
        assert _active_content(book) == [], name
    _, result = outputs["hostile"]
    assert [d.text for d in result.diagnostics if d.code == "writer.unsafe-link"] == [
        "javascript:alert(1)",
        "data:text/html,hi",
        "javascript:alert(1)",
    ]
    text = books["hostile"].article_text()
    assert "<script>alert(1)</script>" in text  # kept as text, escaped
    assert "click me" in text


def test_the_active_content_check_can_fail() -> None:
    html = (
        b'<html xmlns="http://www.w3.org/1999/xhtml"><body><p onclick="x()">a</p>'
        b'<a href="javascript:alert(1)">b</a><script>1</script></body></html>'
    )
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("a.xhtml", html)
    assert len(_active_content(Epub(buf.getvalue()))) == 3


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://example.org/a b?q=ü#frag", "https://example.org/a%20b?q=%C3%BC#frag"),
        ("HTTP://Example.org/%zz/%41", "http://example.org/%25zz/%41"),
        ("https://bücher.example/x", "https://xn--bcher-kva.example/x"),
        ("https://example.org:8080/p", "https://example.org:8080/p"),
        ("https://a.example/page](https://a.example/page", "https://a.example/page%5D(https://a.example/page"),
        ("https://e.org/p?a[]=1&b=|x|#f#g", "https://e.org/p?a%5B%5D=1&b=%7Cx%7C#f%23g"),
        ("https://[2001:db8::1]:8443/x", "https://[2001:db8::1]:8443/x"),
        ("https://user:pw@e.org/", "https://user:pw@e.org/"),
        ("mailto:desk@example.org", "mailto:desk@example.org"),
        (" https://example.org/ ", "https://example.org/"),
        ("javascript:alert(1)", None),
        ("data:text/html,hi", None),
        ("https://", None),
        ("http://exa mple.org/", None),
        ("http://[::1/", None),
        ("mailto:", None),
        ("file:///etc/passwd", None),
        ("//example.org/x", None),
    ],
)
def test_links_follow_the_shared_link_policy(url: str, expected: str | None) -> None:
    doc = Document(meta=Meta(title="A link"), blocks=(Paragraph((t("see "), Link(url, (t("this"),)))),))
    result = write(single(doc))
    body = Epub(result.data).doc("article-001.xhtml").find("x:body", NS)
    assert [a.get("href") for a in body.iter(f"{{{NS['x']}}}a")] == ([expected] if expected else [])
    assert "see this" in text_of(body)
    refused = [d.text for d in result.diagnostics if d.code == "writer.unsafe-link"]
    assert refused == ([] if expected else [url])


def test_links_with_bad_urls_are_kept_as_text() -> None:
    doc = Document(
        meta=Meta(title="Links"),
        blocks=(
            Paragraph(
                (
                    Link("http://exa mple.org/", (t("bad host"),)),
                    t(" and "),
                    Link("https://example.org/ok", (), title="A title"),
                )
            ),
        ),
    )
    result = write(single(doc))
    body = Epub(result.data).doc("article-001.xhtml").find("x:body", NS)
    anchors = [(a.get("href"), a.get("title"), a.text) for a in body.iter(f"{{{NS['x']}}}a")]
    assert anchors == [("https://example.org/ok", "A title", "https://example.org/ok")]
    assert "bad host" in text_of(body)
    assert [d.code for d in result.diagnostics] == ["writer.unsafe-link"]


# --------------------------------------------------------------------------
# Markings
# --------------------------------------------------------------------------


def test_marking_at_top_and_bottom_of_every_article(books: dict[str, Epub]) -> None:
    for href in books["pack"].articles:
        body = books["pack"].doc(href).find("x:body", NS)
        children = [c for c in body if isinstance(c.tag, str)]
        assert children[0].get("class") == "marking marking-top"
        assert children[-1].get("class") == "marking marking-bottom"
    texts = [books["pack"].doc(h).findtext(".//x:p[@class='marking marking-top']", namespaces=NS)
             for h in books["pack"].articles]
    assert texts == ["OFFICIAL", "OFFICIAL-SENSITIVE", "OFFICIAL-SENSITIVE"]  # article's own, else the pack's


def test_no_marking_banner_without_a_marking() -> None:
    book = Epub(write(single(rich_document(marking=""))).data)
    assert book.doc("article-001.xhtml").xpath("//x:p[contains(@class, 'marking')]", namespaces=NS) == []
    assert book.meta("dcterms:accessRights") == []


# --------------------------------------------------------------------------
# Reproducibility
# --------------------------------------------------------------------------


def test_same_input_gives_identical_bytes(outputs: dict[str, tuple[Publication, WriteResult]]) -> None:
    for name, (pub, result) in outputs.items():
        resources = figure_resources() if name == "figures" else None
        assert write(pub, resources=resources).data == result.data, name


def test_build_time_changes_only_the_modified_date_and_zip_times(books: dict[str, Epub]) -> None:
    later = Epub(write(single(rich_document()), build=BUILD + timedelta(days=400)).data)
    earlier = books["rich"]
    assert later.data != earlier.data
    assert later.zip.namelist() == earlier.zip.namelist()
    for name in earlier.zip.namelist():
        a, b = earlier.zip.read(name), later.zip.read(name)
        if name.endswith(".opf"):
            a, b = (re.sub(rb"dcterms:modified\">[^<]+", b"", x) for x in (a, b))
        assert a == b, name


def test_ebooklib_reads_the_output_back(books: dict[str, Epub]) -> None:
    from ebooklib import ITEM_DOCUMENT, epub

    book = epub.read_epub(io.BytesIO(books["pack"].data), {"ignore_ncx": True})
    assert book.get_metadata("DC", "title")[0][0] == "Morning Briefing Pack"
    names = sorted(item.get_name() for item in book.get_items_of_type(ITEM_DOCUMENT))
    assert names == [
        "article-001.xhtml",
        "article-002.xhtml",
        "article-003.xhtml",
        "contents.xhtml",
        "cover.xhtml",
        "nav.xhtml",
    ]


# --------------------------------------------------------------------------
# CSS
# --------------------------------------------------------------------------


def test_css_follows_the_style_sheet() -> None:
    css = stylesheet(STYLE)
    assert '"Source Serif Pro", "DejaVu Serif", "Noto Serif", serif' in css
    assert '"Source Sans Pro", "DejaVu Sans", "Noto Sans", sans-serif' in css
    # The style's colours survive as rules, lightened just enough to contrast 3:1 with white and black pages.
    assert "border-left: 4px solid #295c9e" in css  # the title colour #10243e
    assert "border-bottom: 2px solid #b80021" in css  # the marking colour #b00020
    assert "border: 1px solid #8294ab" in css  # the border colour #8a9bb0
    title_rule = re.search(r"\.title \{([^}]*)\}", css)
    assert title_rule and "font-size: 2em" in title_rule.group(1)  # 22pt over 11pt
    assert "line-height: 1.182" in title_rule.group(1)  # 26pt leading over 22pt
    assert "hyphens: auto" in css and "text-align: justify" in css
    plain = stylesheet(load_style("plain"))
    assert plain != css and "hyphens: auto" not in plain and "text-align: justify" not in plain
    assert "text-decoration: underline" in plain and "text-decoration: underline" in css  # links, every style
    assert stylesheet(STYLE) == css


def test_css_is_conservative_for_e_ink_readers() -> None:
    for name in ("briefing", "plain"):
        css = stylesheet(load_style(name))
        for banned in ("rem", "calc(", "var(", "flex", "grid", "position:", "@import", "@font-face", "pt;", "px;"):
            assert banned not in css.replace("1px solid", ""), (name, banned)
        assert css.count("{") == css.count("}")


def test_css_escapes_family_names() -> None:
    hostile = dataclasses.replace(STYLE, fonts=dataclasses.replace(STYLE.fonts, body=('Evil"; } body { x',)))
    css = stylesheet(hostile)
    assert '"Evil\\"; } body { x"' in css


# --------------------------------------------------------------------------
# Edge cases
# --------------------------------------------------------------------------


def test_tables_without_rows_and_empty_documents_do_not_break() -> None:
    doc = Document(
        meta=Meta(title="Edges"),
        blocks=(
            Table(header=(), rows=(), caption=(t("An empty table"),)),
            Table(header=(TableRow(()),), rows=(TableRow((TableCell((t("only cell"),)),)),)),
            BlockQuote(()),
            Paragraph(()),
            Paragraph((Text(""),)),
        ),
    )
    book = Epub(write(single(doc)).data)
    body = book.doc("article-001.xhtml").find("x:body", NS)
    assert "An empty table" in text_of(body)
    assert len(body.findall(".//x:table", NS)) == 1
    assert body.find(".//x:thead", NS) is None
    empty = Epub(write(single(Document())).data)
    assert empty.articles == ["article-001.xhtml"]
