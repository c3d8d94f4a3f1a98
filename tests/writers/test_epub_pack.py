"""The EPUB writer's briefing packs: cover, contents and summary pages, navigation, anchors, markings.

A 32-article pack (every sample tree plus generated articles that share heading
texts and ids), a right-to-left pack with a hostile article, and a small pack
without summary page or marking are written once per module and read back with
zipfile and lxml only. EPUBCheck validates the same packs in
``test_epub_epubcheck.py`` (one JVM start for every output).
"""

from __future__ import annotations

import dataclasses
import io
from collections import Counter
from datetime import UTC, datetime
from functools import cached_property
from typing import Any

import pytest
from lxml import etree
from PIL import Image

from briefpub.pipeline import style_fonts
from briefpub.styling import load_style
from briefpub.transforms.ids import assign_heading_ids
from briefpub.tree import Document, Heading, Meta, Publication, inline_text
from briefpub.writers import WriteOptions, WriteResult
from briefpub.writers.common import Frames, frames
from briefpub.writers.common.typography import smarten
from briefpub.writers.epub import WRITER, book, cover
from briefpub.writers.epub.metadata import article_language
from epub_package import EpubPackage
from fidelity import assert_faithful
from samples import briefing_pack, figure_resources, pack, para, rich_document, rtl_pack, single, t

NS = {
    "opf": "http://www.idpf.org/2007/opf",
    "x": "http://www.w3.org/1999/xhtml",
    "epub": "http://www.idpf.org/2007/ops",
    "ncx": "http://www.daisy.org/z3986/2005/ncx/",
}
X = "{http://www.w3.org/1999/xhtml}"
EPUB_TYPE = "{http://www.idpf.org/2007/ops}type"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
BUILD = datetime(2024, 5, 6, 7, 8, 9, tzinfo=UTC)
BLOCK_TAGS = frozenset(
    {"p", "h1", "h2", "h3", "h4", "h5", "h6", "li", "td", "th", "caption", "figcaption", "div", "section"}
    | {"header", "footer", "blockquote", "table", "tr", "ul", "ol", "figure", "br", "hr"}
)


def write(pub: Publication, *, style: str = "briefing", resources: dict[str, bytes] | None = None) -> WriteResult:
    sheet = load_style(style)
    return WRITER.write(pub, sheet, WriteOptions(build_time=BUILD, resources=resources or {},
                                                 fonts=style_fonts(sheet)))


def frame_of(pub: Publication, style: str = "briefing") -> Frames:
    """The shared frame the EPUB must render (what the PDF and DOCX print around the articles too).

    The sample trees did not go through the pipeline, so their heading ids are given by the ids transform
    first, as the writer does.
    """
    prepared = Publication(tuple(assign_heading_ids(d) for d in pub.documents), pub.pack)
    return frames(prepared, load_style(style))


def shown(text: str, language: str = "en") -> str:
    """A title as printed: with the briefing style's typographic punctuation."""
    return smarten(text, language)


def text_of(element: etree._Element) -> str:
    """The text a reader shows: block elements on their own lines, inlines joined as written."""
    parts: list[str] = []

    def walk(el: etree._Element) -> None:
        block = etree.QName(el).localname in BLOCK_TAGS
        parts.append("\n" if block else "")
        parts.append(el.text or "")
        for child in el:
            walk(child)
            parts.append(child.tail or "")
        parts.append("\n" if block else "")

    walk(element)
    return "".join(parts)


def words(element: etree._Element) -> str:
    return " ".join("".join(element.itertext()).split())


class Epub(EpubPackage):
    """An EPUB read back with zipfile and lxml only (package folder ``EPUB/``)."""

    @cached_property
    def manifest(self) -> dict[str, etree._Element]:
        return {el.get("id"): el for el in self.opf.xpath("//opf:manifest/opf:item", namespaces=NS)}

    @cached_property
    def spine(self) -> list[str]:
        return [self.manifest[i].get("href") for i in self.opf.xpath("//opf:spine/opf:itemref/@idref", namespaces=NS)]

    @cached_property
    def articles(self) -> list[str]:
        return [h for h in self.spine if h.startswith("article-")]

    def body(self, href: str) -> etree._Element:
        return self.doc(href).find("x:body", NS)

    @cached_property
    def nav(self) -> etree._Element:
        return self.doc("nav.xhtml")

    @cached_property
    def ncx(self) -> etree._Element:
        return self.doc("toc.ncx")

    def nav_tree(self) -> list[tuple[str, str, list[Any]]]:
        """The toc nav as nested ``(href, label, children)``."""
        (nav,) = self.nav.xpath("//x:nav[@epub:type='toc']", namespaces=NS)

        def entries(ol: etree._Element | None) -> list[tuple[str, str, list[Any]]]:
            if ol is None:
                return []
            out = []
            for li in ol.findall("x:li", NS):
                a = li.find("x:a", NS)
                out.append((a.get("href"), words(a), entries(li.find("x:ol", NS))))
            return out

        return entries(nav.find("x:ol", NS))

    def ncx_tree(self) -> list[tuple[str, str, list[Any]]]:
        """The NCX navMap as nested ``(src, label, children)``."""

        def entries(parent: etree._Element) -> list[tuple[str, str, list[Any]]]:
            return [
                (
                    point.find("ncx:content", NS).get("src"),
                    " ".join(point.findtext("ncx:navLabel/ncx:text", namespaces=NS).split()),
                    entries(point),
                )
                for point in parent.findall("ncx:navPoint", NS)
            ]

        return entries(self.ncx.find("ncx:navMap", NS))

    def landmarks(self) -> dict[str, str]:
        (nav,) = self.nav.xpath("//x:nav[@epub:type='landmarks']", namespaces=NS)
        return {a.get(EPUB_TYPE): a.get("href") for a in nav.iter(f"{X}a")}


def plain_pack() -> Publication:
    """A small pack without summary page, marking, subtitle, reference or version."""
    docs = [rich_document(marking=""), Document(Meta(title="Second", source="Wire"), (para("Second body."),))]
    return pack(docs, date="2017-01-24", compiled_by="Desk")


@pytest.fixture(scope="module")
def packs() -> dict[str, tuple[Publication, WriteResult]]:
    big = briefing_pack()
    rtl = rtl_pack()
    small = plain_pack()
    return {
        "big": (big, write(big, resources=figure_resources())),
        "rtl": (rtl, write(rtl)),
        "plain": (small, write(small, style="plain")),
    }


@pytest.fixture(scope="module")
def books(packs: dict[str, tuple[Publication, WriteResult]]) -> dict[str, Epub]:
    return {name: Epub(result.data) for name, (_, result) in packs.items()}


def article_files(pub: Publication) -> list[str]:
    return [f"article-{n:03d}.xhtml" for n in range(1, len(pub.documents) + 1)]


# --------------------------------------------------------------------------
# Spine, landmarks, guide
# --------------------------------------------------------------------------


def test_the_sample_pack_is_big_enough() -> None:
    assert len(briefing_pack().documents) == 32


def test_spine_is_cover_contents_summary_then_every_article(
    packs: dict[str, tuple[Publication, WriteResult]], books: dict[str, Epub]
) -> None:
    for name in ("big", "rtl"):
        pub, _ = packs[name]
        assert books[name].spine == ["cover.xhtml", "contents.xhtml", "summary.xhtml", *article_files(pub)], name
    pub, _ = packs["plain"]
    assert books["plain"].spine == ["cover.xhtml", "contents.xhtml", *article_files(pub)]
    assert "EPUB/summary.xhtml" not in books["plain"].zip.namelist()


def test_landmarks_and_guide_reach_cover_contents_and_body(books: dict[str, Epub]) -> None:
    for name, b in books.items():
        assert b.landmarks() == {"cover": "cover.xhtml", "toc": "contents.xhtml", "bodymatter": "article-001.xhtml"}
        guide = {r.get("type"): r.get("href") for r in b.opf.xpath("//opf:guide/opf:reference", namespaces=NS)}
        assert guide == {"cover": "cover.xhtml", "toc": "contents.xhtml", "text": "article-001.xhtml"}, name


def test_single_articles_have_no_front_matter_and_unprefixed_anchors() -> None:
    b = Epub(write(single(rich_document())).data)
    assert b.spine == ["cover.xhtml", "article-001.xhtml"]
    assert "toc" not in b.landmarks()
    assert b.body("article-001.xhtml").xpath("//x:h2[@class='heading2']/@id", namespaces=NS)[0] == "platform"


# --------------------------------------------------------------------------
# Cover
# --------------------------------------------------------------------------


def test_cover_shows_every_pack_detail(books: dict[str, Epub]) -> None:
    # The details are the pack frame's, in its order and language (date, reference, version, compiled by),
    # so the cover says what the PDF and DOCX covers say.
    alt = books["big"].body("cover.xhtml").find(".//x:img", NS).get("alt")
    assert alt == (
        "OFFICIAL. Morning Briefing Pack. Regional talks, trade and energy. Date: 24 January 2017. "
        "Reference: BP/2017/014. Version: 3. Compiled by: Desk Officer"
    )
    # Reference and version only when given; no marking line without a marking.
    alt = books["plain"].body("cover.xhtml").find(".//x:img", NS).get("alt")
    assert alt == "Morning Briefing Pack. Date: 24 January 2017. Compiled by: Desk"
    rtl_alt = books["rtl"].body("cover.xhtml").find(".//x:img", NS).get("alt")
    assert rtl_alt == (
        "OFFICIAL. ملف الإحاطة الصباحية. محادثات أستانا. التاريخ: 24 يناير 2017. المرجع: ME/7. الإصدار: 1. "
        "إعداد: مكتب الشرق الأوسط"
    )


def test_one_cover_image_per_pack(books: dict[str, Epub]) -> None:
    b = books["big"]
    covers = [el.get("href") for el in b.manifest.values() if el.get("properties") == "cover-image"]
    assert covers == ["images/cover.jpg"]
    with Image.open(io.BytesIO(b.zip.read("EPUB/images/cover.jpg"))) as img:
        assert img.size == cover.COVER_SIZE
    assert [n for n in b.zip.namelist() if "cover" in n] == ["EPUB/images/cover.jpg", "EPUB/cover.xhtml"]


def test_the_cover_is_drawn_once_whatever_the_number_of_articles(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[str] = []
    real = book.render_cover

    def counting(text: Any, style: Any, fonts: Any) -> cover.Cover:
        calls.append(text.title)
        return real(text, style, fonts)

    monkeypatch.setattr(book, "render_cover", counting)
    write(briefing_pack(12, summary_page=False))
    assert calls == ["Morning Briefing Pack"]


# --------------------------------------------------------------------------
# Contents page
# --------------------------------------------------------------------------


def test_contents_page_lists_every_article_with_link_and_byline(
    packs: dict[str, tuple[Publication, WriteResult]], books: dict[str, Epub]
) -> None:
    for name, (pub, _) in packs.items():
        fr = frame_of(pub, "plain" if name == "plain" else "briefing")
        body = books[name].body("contents.xhtml")
        (listing,) = body.xpath(".//x:ol[@class='contents']", namespaces=NS)
        entries = listing.findall("x:li", NS)
        assert len(entries) == len(pub.documents), name
        for entry, article, href in zip(entries, fr.articles, article_files(pub), strict=True):
            link = entry.find("x:p[@class='contents-title']/x:a", NS)
            expected = article.title if name == "plain" else shown(article.title, article.language)
            assert (link.get("href"), link.text) == (href, expected), name
            bylines = [words(p) for p in entry.findall("x:p[@class='contents-byline']", NS)]
            assert [smarten(b, "en") for b in bylines] == ([smarten(article.byline.text, "en")]
                                                           if article.byline.text else []), name
        summary_links = body.xpath(".//x:p[@class='contents-summary']/x:a/@href", namespaces=NS)
        assert summary_links == (["summary.xhtml"] if pub.pack and pub.pack.summary_page else []), name
        assert fr.pack is not None and words(body.find(".//x:h1", NS)) == fr.pack.contents_label


def test_contents_titles_are_text_never_markup(books: dict[str, Epub]) -> None:
    body = books["rtl"].body("contents.xhtml")
    titles = [words(a) for a in body.xpath(".//x:p[@class='contents-title']/x:a", namespaces=NS)]
    assert "<b>Title</b> & </para>" in titles
    assert body.xpath(".//x:b | .//x:i | .//x:script", namespaces=NS) == []


# --------------------------------------------------------------------------
# Navigation (EPUB 3 nav and NCX)
# --------------------------------------------------------------------------


def expected_depths(doc: Document) -> list[tuple[str, int]]:
    """Each non-empty top-level heading's text and nav depth below its article (nesting by level, no skips)."""
    out: list[tuple[str, int]] = []
    stack: list[int] = []
    for block in doc.blocks:
        if not isinstance(block, Heading) or not inline_text(block.children).strip():
            continue
        while stack and stack[-1] >= block.level:
            stack.pop()
        stack.append(block.level)
        out.append((inline_text(block.children).strip(), len(stack)))
    return out


def flatten(entries: list[tuple[str, str, list[Any]]], depth: int = 1) -> list[tuple[str, str, int]]:
    out: list[tuple[str, str, int]] = []
    for href, label, children in entries:
        out.append((href, label, depth))
        out.extend(flatten(children, depth + 1))
    return out


def test_nav_and_ncx_list_every_article_in_order(
    packs: dict[str, tuple[Publication, WriteResult]], books: dict[str, Epub]
) -> None:
    for name, (pub, _) in packs.items():
        fr = frame_of(pub)
        expected = [(href, article.title if name == "plain" else shown(article.title, article.language))
                    for href, article in zip(article_files(pub), fr.articles, strict=True)]
        for tree in (books[name].nav_tree(), books[name].ncx_tree()):
            top = [(href, label) for href, label, _ in tree if href.startswith("article-")]
            assert top == expected, name
            front = [href for href, _, _ in tree if not href.startswith("article-")]
            assert front == (["summary.xhtml"] if pub.pack and pub.pack.summary_page else []), name
        assert books[name].ncx_tree() == books[name].nav_tree(), name  # same entries, same nesting
        orders = [int(o) for o in books[name].ncx.xpath("//ncx:navPoint/@playOrder", namespaces=NS)]
        assert orders == list(range(1, len(orders) + 1)), name


def test_headings_nest_under_their_article_without_skipping_levels(
    packs: dict[str, tuple[Publication, WriteResult]], books: dict[str, Epub]
) -> None:
    for name, (pub, _) in packs.items():
        articles = [e for e in books[name].nav_tree() if e[0].startswith("article-")]
        for (href, _, children), doc in zip(articles, pub.documents, strict=True):
            got = flatten(children)
            assert [(label, depth) for _, label, depth in got] == expected_depths(doc), (name, href)
            depths = [depth for _, _, depth in got]
            assert all(b <= a + 1 for a, b in zip([0, *depths], depths, strict=False)), (name, href, depths)
            for target, _, _ in got:
                file, _, anchor = target.partition("#")
                assert file == href and books[name].doc(file).xpath(f"//*[@id='{anchor}']"), (name, target)


def test_a_heading_level_skip_is_still_nested_one_level_deeper(books: dict[str, Epub]) -> None:
    # Generated article 4 is "H2 Background, H2 Analysis, H4 Outlook": Outlook sits one level below Analysis.
    (entry,) = [e for e in books["big"].nav_tree() if e[1].startswith("Pack article 4:")]
    assert [(label, depth) for _, label, depth in flatten(entry[2])] == [
        ("Background", 1),
        ("Analysis", 1),
        ("Outlook", 2),
    ]


# --------------------------------------------------------------------------
# Anchors
# --------------------------------------------------------------------------


BODY_HEADINGS = "//x:h2[not(@class='box-title')]/@id | //x:h3/@id | //x:h4/@id | //x:h5/@id | //x:h6/@id"


def test_heading_anchors_are_unique_across_the_whole_pack(books: dict[str, Epub]) -> None:
    for name, b in books.items():
        heading_ids: list[str] = []
        for href in b.spine:
            root = b.doc(href)
            ids = root.xpath("//@id")
            assert [i for i, n in Counter(ids).items() if n > 1] == [], (name, href)  # unique in each document
            heading_ids += root.xpath(BODY_HEADINGS, namespaces=NS) if href.startswith("article-") else []
        assert heading_ids and len(heading_ids) == len(set(heading_ids)), name


def test_each_article_keeps_the_frames_prefixed_anchors(
    packs: dict[str, tuple[Publication, WriteResult]], books: dict[str, Epub]
) -> None:
    b = books["big"]
    pub, _ = packs["big"]
    for article, href in zip(frame_of(pub).articles, b.articles, strict=True):
        root = b.doc(href)
        anchors = root.xpath(BODY_HEADINGS, namespaces=NS)
        assert anchors == [e.anchor for e in article.outline if e.text], href  # the frame's, never re-derived
        assert all(a.startswith(f"a{article.number}-") for a in anchors), (href, anchors)
        assert root.xpath("//x:section[@epub:type='chapter']/@id", namespaces=NS) == [article.title_anchor]
        for ref in root.xpath("//@aria-labelledby"):
            assert root.xpath(f"//*[@id='{ref}']"), (href, ref)
    # Articles sharing the tree id "background" and heading texts get distinct anchors.
    backgrounds = [a for a in _all_heading_anchors(b) if a.endswith("-background")]
    assert len(backgrounds) == len(set(backgrounds)) == 25


def _all_heading_anchors(b: Epub) -> list[str]:
    return [i for href in b.articles for i in b.doc(href).xpath("//x:h2/@id | //x:h3/@id", namespaces=NS)]


# --------------------------------------------------------------------------
# Articles: text, markings, attribution
# --------------------------------------------------------------------------


def test_every_article_is_faithful_in_its_own_document(
    packs: dict[str, tuple[Publication, WriteResult]], books: dict[str, Epub]
) -> None:
    for name, (pub, _) in packs.items():
        assert len(books[name].articles) == len(pub.documents)
        for href, doc in zip(books[name].articles, pub.documents, strict=True):
            assert_faithful(doc, text_of(books[name].body(href)), hyphenation=False)


def test_markings_top_and_bottom_of_every_page(
    packs: dict[str, tuple[Publication, WriteResult]], books: dict[str, Epub]
) -> None:
    for name, (pub, _) in packs.items():
        fr = frame_of(pub)
        assert fr.pack is not None
        pack_marking = fr.pack.marking
        expected = {href: a.marking for href, a in zip(article_files(pub), fr.articles, strict=True)}
        expected |= {href: pack_marking for href in books[name].spine if not href.startswith("article-")}
        expected.pop("cover.xhtml")  # the marking is drawn on the cover image and named in its alt text
        for href, marking in expected.items():
            children = [c for c in books[name].body(href) if isinstance(c.tag, str)]
            if not marking:
                assert not any("marking" in (c.get("class") or "") for c in children), (name, href)
                continue
            assert (children[0].get("class"), children[0].text) == ("marking marking-top", marking), (name, href)
            assert (children[-1].get("class"), children[-1].text) == ("marking marking-bottom", marking), (name, href)
    # The pack is OFFICIAL; the rich and long samples and every fifth generated article say OFFICIAL-SENSITIVE.
    big, _ = packs["big"]
    assert Counter(a.marking for a in frame_of(big).articles) == {"OFFICIAL": 25, "OFFICIAL-SENSITIVE": 7}


def test_every_article_has_its_source_attribution(
    packs: dict[str, tuple[Publication, WriteResult]], books: dict[str, Epub]
) -> None:
    checked = 0
    for name, (pub, _) in packs.items():
        for href, article in zip(books[name].articles, frame_of(pub).articles, strict=True):
            footers = books[name].body(href).xpath(".//x:footer[contains(@class, 'attribution')]", namespaces=NS)
            rows = article.attribution
            if not rows:
                assert footers == [], (name, href)
                continue
            (footer,) = footers
            colon = "\u202f: " if article.language == "fr" else ": "
            assert [" ".join("".join(p.itertext()).split()) for p in footer.findall("x:p", NS)] == [
                " ".join(f"{d.label}{colon}{d.value}".split()) for d in rows], (name, href)
            links = footer.xpath(".//x:a/@href", namespaces=NS)
            assert links == [d.link.href for d in rows if d.link is not None], (name, href)
            assert links == ([article.document.meta.url] if article.document.meta.url.startswith("https://")
                             else []), (name, href)
            checked += 1
    assert checked >= 30


# --------------------------------------------------------------------------
# Summary page
# --------------------------------------------------------------------------


def test_summary_page_gathers_key_points_under_each_article(
    packs: dict[str, tuple[Publication, WriteResult]], books: dict[str, Epub]
) -> None:
    for name in ("big", "rtl"):
        pub, _ = packs[name]
        fr = frame_of(pub)
        assert fr.pack is not None
        body = books[name].body("summary.xhtml")
        assert body.findtext(".//x:h1", namespaces=NS) == fr.pack.summary_label
        entries = body.xpath(".//x:section[@class='summary-entry']", namespaces=NS)
        assert len(entries) == len(pub.documents), name  # articles without key points are listed too
        kinds: Counter[str] = Counter()
        for entry, summary, href in zip(entries, fr.pack.summary, article_files(pub), strict=True):
            article = summary.article
            link = entry.find("x:h2/x:a", NS)
            assert (link.get("href"), link.text) == (href, shown(article.title, article.language))
            points = [words(li) for li in entry.xpath("x:ul[@class='summary-points']/x:li", namespaces=NS)]
            lede = entry.find("x:p[@class='summary-lede']", NS)
            note = entry.find("x:p[@class='no-key-points']", NS)
            if summary.points:
                kinds["points"] += 1
                assert points == [shown(p, article.language) for p in summary.points]
                assert lede is None and note is None
            elif summary.lede:
                # No key points: the opening sentence stands in, clearly labelled as such.
                kinds["lede"] += 1
                assert points == [] and note is None
                assert lede.findtext(".//x:span[@class='label']", namespaces=NS).startswith(summary.lede_label)
                assert words(lede).endswith(" ".join(shown(summary.lede, article.language).split()))
            else:
                kinds["nothing"] += 1
                assert words(note) == article.labels.no_key_points
        assert kinds["points"] >= 2 and kinds["lede"] >= 2, (name, kinds)


def test_entries_of_articles_marked_differently_carry_their_own_marking(
    packs: dict[str, tuple[Publication, WriteResult]], books: dict[str, Epub]
) -> None:
    pub, _ = packs["big"]
    expected = [f"[{a.portion_marking}]" if a.portion_marking else None for a in frame_of(pub).articles]
    contents = books["big"].body("contents.xhtml").xpath(".//x:li[@class='contents-entry']", namespaces=NS)
    summary = books["big"].body("summary.xhtml").xpath(".//x:section[@class='summary-entry']", namespaces=NS)
    assert [e.findtext(".//x:span[@class='entry-marking']", namespaces=NS) for e in contents] == expected
    assert [e.findtext(".//x:span[@class='entry-marking']", namespaces=NS) for e in summary] == expected
    assert expected.count(None) == 25


def test_summary_page_only_when_asked(books: dict[str, Epub]) -> None:
    assert "summary.xhtml" not in books["plain"].spine
    assert all(label != "Key points" for _, label, _ in books["plain"].nav_tree())
    assert all(label == "Key points" for _, label, _ in books["big"].nav_tree()[:1])


# --------------------------------------------------------------------------
# Right-to-left and mixed languages
# --------------------------------------------------------------------------


def test_rtl_pack_direction_and_per_entry_languages(
    packs: dict[str, tuple[Publication, WriteResult]], books: dict[str, Epub]
) -> None:
    b = books["rtl"]
    fr = frame_of(packs["rtl"][0])
    assert b.opf.xpath("//opf:spine/@page-progression-direction", namespaces=NS) == ["rtl"]
    for href in ("contents.xhtml", "summary.xhtml", "nav.xhtml"):
        html = b.doc(href)
        assert (html.get("lang"), html.get(XML_LANG)) == ("ar", "ar"), href
    for href in ("contents.xhtml", "summary.xhtml"):
        assert b.doc(href).get("dir") == "rtl"
        assert "rtl" in b.body(href).get("class").split()
    links = b.body("contents.xhtml").xpath(".//x:p[@class='contents-title']/x:a", namespaces=NS)
    pub, _ = packs["rtl"]
    langs = [(a.get("lang"), a.get(XML_LANG), a.get("dir")) for a in links]
    tags = [article_language(doc, load_style("briefing"))[0] for doc in pub.documents]
    assert langs == [(None, None, None) if tag == "ar" else (tag, tag, "ltr") for tag in tags]
    assert tags.count("ar") == 2
    # Bylines and key points of an English article sit in isolated English spans; the entry keeps the page's
    # direction (alignment, list markers). The page's own labels are the pack's language (Arabic).
    summary = b.body("summary.xhtml")
    (english,) = [e for e in summary.xpath(".//x:section[@class='summary-entry']", namespaces=NS)
                  if words(e.find("x:h2", NS)) == "Talks Open on Regional Ceasefire"]
    spans = english.xpath("x:p[@class='summary-byline']/x:span | x:ul/x:li/x:span", namespaces=NS)
    # Names and outlet are English; the date is printed in the pack's language (Arabic), so it is not marked.
    assert [(s.get("lang"), s.get("dir"), words(s)) for s in spans] == [
        ("en", "ltr", "By Jane Example and Ravi Sample"), ("en", "ltr", "Example News"),
        ("en", "ltr", "Talks start on Monday."), ("en", "ltr", "The US sends an observer only.")]
    assert "23 يناير 2017" in words(english.find("x:p[@class='summary-byline']", NS))
    # In the English article itself, that Arabic date is marked Arabic (language of parts).
    article = b.body("article-004.xhtml")
    assert [(s.get("lang"), s.get("dir"), s.text) for s in article.xpath(
        ".//x:p[@class='byline']/x:span", namespaces=NS)] == [("ar", "rtl", "23 يناير 2017")]
    assert english.get("dir") is None and english.get("lang") is None
    # An English article without key points: the pack's label (Arabic), then its opening sentence in an
    # isolated English span.
    ledes = summary.xpath(".//x:p[@class='summary-lede'][x:span[@lang='en']]", namespaces=NS)
    assert ledes and all(words(p.find("x:span[@class='label']", NS)) == "الجملة الأولى:" for p in ledes)
    assert all(p.find("x:span[@lang='en']", NS).get("dir") == "ltr" for p in ledes)
    assert fr.pack is not None and fr.pack.contents_label == "المحتويات"
    assert [(h.get("lang"), words(h)) for h in b.body("contents.xhtml").xpath(".//x:h1", namespaces=NS)] == [
        (None, "المحتويات")
    ]
    # The other way round: an Arabic article's entry in an English pack.
    big_links = books["big"].body("contents.xhtml").xpath(".//x:p[@class='contents-title']/x:a", namespaces=NS)
    assert big_links[3].get("lang") == "ar" and big_links[3].get("dir") == "rtl"


def test_nothing_loose_in_body_of_front_matter(books: dict[str, Epub]) -> None:
    for name, b in books.items():
        for href in b.spine:
            body = b.body(href)
            loose = [(body.text or "").strip()] + [(child.tail or "").strip() for child in body]
            assert not any(loose), (name, href, loose)


# --------------------------------------------------------------------------
# Reproducibility
# --------------------------------------------------------------------------


def test_same_pack_gives_identical_bytes(packs: dict[str, tuple[Publication, WriteResult]]) -> None:
    pub, result = packs["big"]
    assert write(pub, resources=figure_resources()).data == result.data
    pub, result = packs["rtl"]
    assert write(pub).data == result.data


def test_changing_one_article_changes_only_its_document_and_the_package_files(
    packs: dict[str, tuple[Publication, WriteResult]], books: dict[str, Epub]
) -> None:
    pub, _ = packs["rtl"]
    docs = list(pub.documents)
    docs[4] = dataclasses.replace(docs[4], blocks=(*docs[4].blocks, para("One more paragraph.")))
    changed = Epub(write(Publication(tuple(docs), pub.pack)).data)
    before = books["rtl"]
    differ = sorted(n for n in before.zip.namelist() if before.zip.read(n) != changed.zip.read(n))
    # The identifier (content hash) lives in the OPF and the NCX; the cover and other articles are untouched.
    assert differ == ["EPUB/article-005.xhtml", "EPUB/content.opf", "EPUB/toc.ncx"]


def test_a_pack_of_one_still_has_its_front_matter() -> None:
    b = Epub(write(pack([Document(Meta(title="Only"), (para("Body."),))], summary_page=True)).data)
    assert b.spine == ["cover.xhtml", "contents.xhtml", "summary.xhtml", "article-001.xhtml"]
    assert [label for _, label, _ in b.nav_tree()] == ["Key points", "Only"]
    assert words(b.body("summary.xhtml")).endswith("Opening sentence: Body.")
    empty = Epub(write(pack([Document(Meta(title="Nothing"))], summary_page=True)).data)
    assert words(empty.body("summary.xhtml")).endswith("Nothing No key points were given for this article.")


def test_empty_heading_texts_and_shared_ids_in_a_small_pack() -> None:
    same = Document(Meta(title="Same"), (Heading(2, (t("Same"),), id="same"), Heading(2, (t(""),)), para("x")))
    b = Epub(write(pack([same, same, same])).data)
    assert [children for _, _, children in b.nav_tree()] == [
        [(f"article-00{n}.xhtml#a{n}-same", "Same", [])] for n in (1, 2, 3)
    ]
