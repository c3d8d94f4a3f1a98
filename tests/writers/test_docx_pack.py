"""The DOCX writer's briefing packs: cover, filled-in contents, summary page, sections, attribution.

Packs are written once per module (a 32-article pack with every sample tree
and generated articles sharing heading texts, its duplex twin, a right-to-left
pack with a hostile article, a small pack without summary page) and read back
with zipfile and lxml. The body is split into its sections (the front matter,
then one per article) so each article's text, headers and attribution are
checked where they belong. LibreOffice's page numbers for the same packs are
checked in ``test_docx_libreoffice.py``.
"""

from __future__ import annotations

import hashlib
import io
import itertools
import os
import re
import subprocess
import sys
import zipfile
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cached_property
from pathlib import Path

import docx as python_docx
import pytest
from fontTools.ttLib import TTFont
from lxml import etree

from briefpub.cli import main
from briefpub.pipeline import style_fonts
from briefpub.styling import load_style, with_overrides
from briefpub.styling.model import StyleSheet
from briefpub.tree import Document, Meta, PackMeta, Paragraph, Publication, Table, TableCell, TableRow, Text
from briefpub.writers import WriteOptions, WriteResult
from briefpub.writers.common.frame import frames
from briefpub.writers.common.typography import smarten
from briefpub.writers.docx import WRITER
from briefpub.writers.docx.build import build
from briefpub.writers.docx.estimate import PageEstimator, break_opportunities, pages_of
from briefpub.writers.docx.furniture import text_area
from briefpub.writers.docx.oxml import ParaProps, paragraph, text_run
from fidelity import assert_faithful
from samples import (
    arabic_document,
    briefing_pack,
    figure_resources,
    long_document,
    pack,
    pack_article,
    para,
    rich_document,
    rtl_pack,
    single,
)
from shared_data import ROOT

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
NS = {"w": W, "r": R}
BUILD = datetime(2024, 3, 5, 6, 7, 8, tzinfo=UTC)
BRIEFING = load_style("briefing")
DUPLEX = with_overrides(BRIEFING, [("page.duplex", "true")])
NO_KEY_POINTS = "No key points were given for this article."


def marking_of(pub: Publication, doc: Document) -> str:
    """An article's marking in a pack: its own, else the pack's."""
    return doc.meta.marking or (pub.pack.marking if pub.pack is not None else "")
BLANK = "This page is intentionally left blank"
ISOLATES = dict.fromkeys(map(ord, "\u2066\u2067\u2068\u2069"))


def w(tag: str) -> str:
    return f"{{{W}}}{tag}"


def write(pub: Publication, style: StyleSheet = BRIEFING, **options: object) -> WriteResult:
    options.setdefault("fonts", style_fonts(style))
    return WRITER.write(pub, style, WriteOptions(build_time=BUILD, **options))  # type: ignore[arg-type]


def text(p: etree._Element) -> str:
    """A paragraph's text as a reader shows it: w:t, tabs as a tab, line breaks as spaces (no field codes)."""
    out: list[str] = []
    for element in p.iter(w("t"), w("br"), w("tab")):
        if element.tag == w("t"):
            out.append(element.text or "")
        else:
            out.append("\t" if element.tag == w("tab") else " ")
    return "".join(out).replace("\u00a0", " ")  # a heading's last two words are tied: words all the same


def style_of(p: etree._Element) -> str:
    style = p.find("w:pPr/w:pStyle", NS)
    return "" if style is None else style.get(w("val"), "")


@dataclass
class Docx:
    """A written pack, read back: its body split into sections, its header/footer parts."""

    result: WriteResult

    @cached_property
    def zip(self) -> zipfile.ZipFile:
        return zipfile.ZipFile(io.BytesIO(self.result.data))

    def part(self, name: str) -> etree._Element:
        return etree.fromstring(self.zip.read(name))

    @cached_property
    def root(self) -> etree._Element:
        return self.part("word/document.xml")

    @cached_property
    def sections(self) -> list[list[etree._Element]]:
        """Body elements by section; the last paragraph of each carries the section's ``w:sectPr``."""
        body = self.root.find("w:body", NS)
        assert body is not None
        out: list[list[etree._Element]] = [[]]
        for child in body:
            if child.tag == w("sectPr"):
                continue
            out[-1].append(child)
            if child.find("w:pPr/w:sectPr", NS) is not None:
                out.append([])
        return out

    @cached_property
    def sect_prs(self) -> list[etree._Element]:
        return self.root.findall(".//w:sectPr", NS)

    def paragraphs(self, section: int) -> list[etree._Element]:
        return [p for element in self.sections[section] for p in element.iter(w("p"))]

    def section_text(self, section: int) -> str:
        return "\n".join(text(p) for p in self.paragraphs(section))

    def furniture(self, section: int, kind: str, which: str = "default") -> list[str]:
        """Lines of a section's header or footer."""
        refs = [r for r in self.sect_prs[section].iterfind(f"w:{kind}Reference", NS) if r.get(w("type")) == which]
        assert len(refs) == 1, f"{len(refs)} {which} {kind} references"
        rels = self.part("word/_rels/document.xml.rels")
        target = next(r.get("Target") for r in rels if r.get("Id") == refs[0].get(f"{{{R}}}id"))
        return [text(p) for p in self.part(f"word/{target}").iter(w("p"))]

    @cached_property
    def bookmarks(self) -> dict[str, tuple[int, etree._Element]]:
        """Bookmark name -> (section index, the paragraph holding its start)."""
        found: dict[str, tuple[int, etree._Element]] = {}
        for index in range(len(self.sections)):
            for p in self.paragraphs(index):
                for start in p.iterfind("w:bookmarkStart", NS):
                    found[start.get(w("name"), "")] = (index, p)
        return found

    def entries(self, style: str = "") -> list[Entry]:
        """The contents page's entries (``toc N`` paragraphs of the front matter)."""
        out = []
        for p in self.paragraphs(0):
            if style_of(p) in ((style,) if style else ("TOC1", "TOC2", "TOC3")):
                out.append(Entry.read(p))
        return out

    def is_blank(self, section: int) -> bool:
        """A duplex blank verso: a section holding only the "intentionally blank" note."""
        styles = {style_of(p) for p in self.paragraphs(section)}
        return section > 0 and styles == {"BlankPageNote"}

    @cached_property
    def article_sections(self) -> list[int]:
        """The section index of each article, in order (blank versos skipped)."""
        return [i for i in range(1, len(self.sections) - 1 + 1) if self.sections[i] and not self.is_blank(i)]


@dataclass
class Entry:
    """One contents entry: its text, the hyperlink's anchor, the PAGEREF's target and stored page."""

    style: str
    title: str
    anchor: str
    target: str
    page: int

    @classmethod
    def read(cls, p: etree._Element) -> Entry:
        links = p.findall("w:hyperlink", NS)
        assert len(links) == 1, "one hyperlink per entry"
        instructions = ["".join(i.text or "" for i in link.iter(w("instrText"))) for link in links]
        match = re.fullmatch(r" PAGEREF (\S+) \\h ", instructions[0])
        assert match, instructions
        before, _, after = text(p).partition("\t")
        return cls(style_of(p), before, links[0].get(w("anchor"), ""), match.group(1), int(after))


@pytest.fixture(scope="module")
def packs() -> dict[str, Docx]:
    resources = figure_resources()
    return {
        "big": Docx(write(briefing_pack(32), resources=resources)),
        "duplex": Docx(write(briefing_pack(32), DUPLEX, resources=resources)),
        "rtl": Docx(write(rtl_pack())),
        "small": Docx(write(pack([rich_document(), arabic_document(), long_document(20)], marking="OFFICIAL"))),
    }


BIG = briefing_pack(32)


# --------------------------------------------------------------------------
# Front matter: cover, contents, summary page
# --------------------------------------------------------------------------


def test_cover_names_the_pack(packs: dict[str, Docx]) -> None:
    lines = [text(p) for p in packs["big"].paragraphs(0)[:6]]
    assert lines == [
        "Morning Briefing Pack",
        "Regional talks, trade and energy",
        "Date: 24 January 2017",
        "Reference: BP/2017/014",
        "Version: 3",
        "Compiled by: Desk Officer",
    ]
    assert style_of(packs["big"].paragraphs(0)[0]) == "Title"


def test_front_matter_carries_the_marking_top_and_bottom_and_no_page_number(packs: dict[str, Docx]) -> None:
    big = packs["big"]
    assert big.furniture(0, "header") == ["OFFICIAL"]
    assert big.furniture(0, "footer") == ["OFFICIAL"]
    assert big.sect_prs[0].find("w:titlePg", NS) is None
    small = packs["small"]  # the pack's marking, not the first article's
    assert small.furniture(0, "header") == small.furniture(0, "footer") == ["OFFICIAL"]


def test_contents_and_summary_each_start_a_page(packs: dict[str, Docx]) -> None:
    starts = [p for p in packs["big"].paragraphs(0) if p.find("w:pPr/w:pageBreakBefore", NS) is not None]
    assert [(style_of(p), text(p)) for p in starts] == [("TOCHeading", "Contents"), ("TOCHeading", "Key points")]
    starts = [p for p in packs["small"].paragraphs(0) if p.find("w:pPr/w:pageBreakBefore", NS) is not None]
    assert [text(p) for p in starts] == ["Contents"]  # no summary page unless asked for


@pytest.mark.parametrize("name", ["big", "duplex", "rtl", "small"])
def test_contents_lists_every_article_linked_with_a_pageref(packs: dict[str, Docx], name: str) -> None:
    docx = packs[name]
    pub = {"big": BIG, "duplex": BIG, "rtl": rtl_pack()}.get(name)
    entries = docx.entries()
    summary = [e for e in entries if e.target == "summary"]
    articles = [e for e in entries if e.target != "summary"]
    assert len(summary) == (0 if name == "small" else 1)
    assert len(articles) == len(docx.article_sections)
    for number, entry in enumerate(articles, start=1):
        assert entry.style == "TOC1"
        assert entry.anchor == entry.target == f"article_{number}"
        section, holder = docx.bookmarks[entry.target]
        assert section == docx.article_sections[number - 1], "the bookmark sits in the article's own section"
        if pub is not None:
            doc = pub.documents[number - 1]
            expected = doc.meta.title or "Untitled"
            marking = marking_of(pub, doc)
            if marking and marking != (pub.pack.marking if pub.pack else ""):
                expected += f" [{marking}]"
            assert entry.title.translate(ISOLATES) == expected
            assert style_of(holder) == "Heading1" and text(holder) == (doc.meta.title or "Untitled")
    if summary:
        assert docx.bookmarks["summary"][0] == 0


def test_contents_is_a_toc_field_whose_result_is_filled_in(packs: dict[str, Docx]) -> None:
    """One TOC field Word and LibreOffice can refresh; its stored result already lists every entry."""
    for docx in packs.values():
        instructions = [(i.text or "").split()[0] for i in docx.root.iter(w("instrText"))]
        assert instructions.count("TOC") == 1 and set(instructions) == {"TOC", "PAGEREF"}
        toc = next(i for i in docx.root.iter(w("instrText")) if (i.text or "").startswith(" TOC"))
        assert re.fullmatch(r' TOC \\o "1-1" \\h \\z \\u ', toc.text or "")
        entries = [p for p in docx.paragraphs(0) if style_of(p).startswith("TOC") and style_of(p) != "TOCHeading"]
        first, last = entries[0], entries[-1]
        assert first.find("w:r/w:instrText", NS) is not None, "the field begins in the first entry"
        chars = [c.get(w("fldCharType")) for c in last.iterfind("w:r/w:fldChar", NS)]
        assert chars == ["end"], "and ends after the last"
        assert all(e.title.strip() and e.page >= 1 for e in docx.entries())
        settings = docx.part("word/settings.xml")
        assert settings.find("w:updateFields", NS) is None  # no "update fields?" prompt in Word


def test_stored_page_numbers_are_a_sensible_estimate(packs: dict[str, Docx]) -> None:
    for name, odd in (("big", False), ("duplex", True)):
        entries = packs[name].entries()
        summary, articles = entries[0], entries[1:]
        assert summary.page == (4 if odd else 3)  # cover, (blank verso,) contents, then the summary
        pages = [e.page for e in articles]
        assert pages[0] > summary.page
        assert all(b > a for a, b in itertools.pairwise(pages)), pages
        if odd:
            assert all(p % 2 == 1 for p in pages), pages
        assert pages[2] - pages[1] >= 6, "the 120-paragraph article takes several pages"


def test_contents_can_list_headings_too() -> None:
    pub = briefing_pack(12)
    docx = Docx(build(pub, BRIEFING, WriteOptions(build_time=BUILD, fonts=style_fonts(BRIEFING)), contents_depth=2))
    entries = docx.entries()
    level2 = [e for e in entries if e.style == "TOC2"]
    framed = frames(pub, BRIEFING)
    expected = [entry.text for article in framed.articles for entry in article.outline if entry.depth == 1]
    assert [e.title.translate(ISOLATES) for e in level2] == expected
    for entry in level2:
        section, holder = docx.bookmarks[entry.target]
        assert entry.anchor == entry.target and section >= 1
        assert style_of(holder) == "Heading2"  # an article's top sections, under its Heading 1 title
        assert text(holder) == entry.title.translate(ISOLATES)
    # Each heading entry follows its article's entry.
    owners = [docx.bookmarks[e.target][0] for e in entries if e.target != "summary"]
    assert owners == sorted(owners)
    assert len({e.target for e in level2}) == len(level2)  # shared heading texts get unique bookmarks


def test_single_articles_have_no_front_matter() -> None:
    docx = Docx(write(Publication((rich_document(),))))
    assert docx.entries() == [] and len(docx.sections) == 1
    assert "PAGEREF" not in docx.zip.read("word/document.xml").decode()


def test_summary_page_gathers_key_points_under_each_title(packs: dict[str, Docx]) -> None:
    docx = packs["big"]
    paragraphs = docx.paragraphs(0)
    start = next(i for i, p in enumerate(paragraphs) if text(p) == "Key points" and style_of(p) == "TOCHeading")
    titles: list[str] = []
    points: dict[str, list[str]] = {}
    num_ids: set[str] = set()
    for p in paragraphs[start + 1 :]:
        if style_of(p) == "SummaryEntry":
            link = p.find("w:hyperlink", NS)
            assert link is not None and link.get(w("anchor")) == f"article_{len(titles) + 1}"
            titles.append(text(p).translate(ISOLATES))
            points[titles[-1]] = []
        elif style_of(p) == "ListBullet":
            points[titles[-1]].append(text(p))
            num = p.find("w:pPr/w:numPr/w:numId", NS)
            assert num is not None
            num_ids.add(num.get(w("val"), ""))
        else:
            points[titles[-1]].append(text(p).translate(ISOLATES))
    expected_titles = []
    framed = frames(BIG, BRIEFING)
    assert framed.pack is not None
    for doc, entry in zip(BIG.documents, framed.pack.summary, strict=True):
        title = doc.meta.title or "Untitled"
        marking = marking_of(BIG, doc)
        expected_titles.append(title + (f" [{marking}]" if marking != "OFFICIAL" else ""))
        # An article without key points is represented by its opening sentence, labelled.
        lede = [f"{entry.lede_label}: {smarten(entry.lede, 'en')}"] if entry.lede else [NO_KEY_POINTS]
        assert points[expected_titles[-1]] == (list(doc.meta.summary) or lede)
    assert titles == expected_titles
    with_points = [d for d in BIG.documents if d.meta.summary]
    assert len(num_ids) == len(with_points), "each article's key points are a list of their own"


def test_duplex_cover_has_a_blank_verso_that_says_so(packs: dict[str, Docx]) -> None:
    paragraphs = packs["duplex"].paragraphs(0)
    blank = [p for p in paragraphs if text(p) == BLANK]
    assert len(blank) == 1 and blank[0].find("w:pPr/w:pageBreakBefore", NS) is not None
    assert paragraphs.index(blank[0]) < next(i for i, p in enumerate(paragraphs) if text(p) == "Contents")
    assert not [p for p in packs["big"].paragraphs(0) if text(p) == BLANK]


# --------------------------------------------------------------------------
# Articles: sections, headers, attribution, text
# --------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["big", "duplex"])
def test_each_article_is_a_section_with_its_own_header(packs: dict[str, Docx], name: str) -> None:
    """Running head on every page but the first (w:titlePg), markings and the pack's footer on all."""
    docx = packs[name]
    assert len(docx.article_sections) == len(BIG.documents)
    footer = "BP/2017/014 \u00b7 Version 3 \u00b7 Page 1 of 1"
    for number, doc in zip(docx.article_sections, BIG.documents, strict=True):
        sect_pr = docx.sect_prs[number]
        kind = sect_pr.find("w:type", NS)
        assert kind is not None and kind.get(w("val")) == "nextPage"
        marking = marking_of(BIG, doc)
        # an untitled article runs under the pack's title
        assert docx.furniture(number, "header") == [marking, doc.meta.title or BIG.title]
        assert docx.furniture(number, "footer") == [footer, marking]
        assert sect_pr.find("w:titlePg", NS) is not None
        assert docx.furniture(number, "header", "first") == [marking]
        assert docx.furniture(number, "footer", "first") == [footer, marking]
    for blank in [i for i in range(len(docx.sections)) if docx.is_blank(i)]:
        assert docx.furniture(blank, "header") == ["OFFICIAL"]  # markings, no running head
        assert docx.furniture(blank, "footer") == [footer, "OFFICIAL"]
    assert any(docx.is_blank(i) for i in range(len(docx.sections))) == (name == "duplex")


def _lines(p: etree._Element) -> list[str]:
    """A paragraph's text split at its line breaks."""
    out = [""]
    for node in p.iter(w("t"), w("br")):
        if node.tag == w("br"):
            out.append("")
        else:
            out[-1] += node.text or ""
    return out


def test_every_article_ends_with_its_source_attribution(packs: dict[str, Docx]) -> None:
    docx = packs["big"]
    rels = {r.get("Id"): r.get("Target") for r in docx.part("word/_rels/document.xml.rels")}
    checked = 0
    framed = frames(BIG, BRIEFING)
    for number, frame in enumerate(framed.articles, start=1):
        rows = [(d.label, d.value, d.link) for d in frame.attribution]
        tail = [p for p in docx.paragraphs(number) if style_of(p) == "Attribution"]
        # one paragraph kept whole, a line per row (label: value)
        assert [_lines(p) for p in tail] == ([[f"{label}: {value}" for label, value, _ in rows]] if rows else [])
        content = [p for p in docx.paragraphs(number) if text(p).strip() and style_of(p) != "EndMark"]
        if rows:
            assert content[-1] is tail[0], "the attribution block ends the article"
            assert tail[0].find("w:pPr/w:keepLines", NS) is not None
            checked += 1
        links = [rels[link.get(f"{{{R}}}id")] for p in tail for link in p.iter(w("hyperlink"))]
        assert links == [target.href for _label, _value, target in rows if target is not None]
    assert checked == sum(1 for f in framed.articles if f.attribution) >= 25
    assert "Retrieved: 1 March 2017" in docx.section_text(BIG.documents.index(pack_article(1)) + 1)


@pytest.mark.parametrize("name", ["big", "duplex", "rtl"])
def test_every_article_of_the_pack_is_faithful(packs: dict[str, Docx], name: str) -> None:
    pub = rtl_pack() if name == "rtl" else BIG
    docx = packs[name]
    for number, doc in zip(docx.article_sections, pub.documents, strict=True):
        assert_faithful(doc, docx.section_text(number), hyphenation=False)


def test_untitled_article_gets_a_localised_heading_in_its_own_section(packs: dict[str, Docx]) -> None:
    """An untitled article is still a Heading 1 ("Untitled"), so contents and navigation list it."""
    docx = packs["big"]
    number = next(i for i, d in enumerate(BIG.documents, start=1) if not d.meta.title)
    section, holder = docx.bookmarks[f"article_{number}"]
    assert section == number
    assert (style_of(holder), text(holder)) == ("Heading1", "Untitled")
    assert docx.furniture(number, "header")[0] == "OFFICIAL"
    assert docx.furniture(number, "header")[1] != "Untitled"  # it runs under the pack's title


@pytest.mark.parametrize("name", ["big", "duplex", "rtl", "small"])
def test_bookmarks_are_unique_and_every_internal_link_lands(packs: dict[str, Docx], name: str) -> None:
    docx = packs[name]
    starts = docx.root.findall(".//w:bookmarkStart", NS)
    names = [b.get(w("name"), "") for b in starts]
    assert len({n.casefold() for n in names}) == len(names)
    assert all(re.fullmatch(r"_?[A-Za-z][A-Za-z0-9_]{0,39}", n) for n in names), names
    assert {b.get(w("id")) for b in starts} == {e.get(w("id")) for e in docx.root.iterfind(".//w:bookmarkEnd", NS)}
    anchors = {h.get(w("anchor")) for h in docx.root.iterfind(".//w:hyperlink", NS) if h.get(w("anchor"))}
    assert anchors <= set(names)


# --------------------------------------------------------------------------
# Right-to-left and hostile articles
# --------------------------------------------------------------------------


def test_rtl_pack_front_matter(packs: dict[str, Docx]) -> None:
    docx = packs["rtl"]
    assert all(s.find("w:bidi", NS) is not None for s in docx.sect_prs)
    assert [text(p) for p in docx.paragraphs(0)[:2]] == ["ملف الإحاطة الصباحية", "محادثات أستانا"]
    entries = {e.target: e.title for e in docx.entries()}
    # Left-to-right titles on a right-to-left page are isolated, so "<b>…</para>" keeps its brackets.
    assert entries["article_3"] == "\u2066<b>Title</b> & </para>\u2069"
    assert entries["article_4"] == "\u2066Talks Open on Regional Ceasefire\u2069"
    assert entries["article_1"] == "محادثات السلام في أستانا"
    # the label is the pack's (Arabic), the sentence the article's (English, set left to right)
    lede = next(p for p in docx.paragraphs(0) if "Article 5 opens." in text(p))
    assert "الجملة الأولى" in text(lede)
    assert lede.find("w:pPr/w:bidi", NS).get(w("val")) == "0"  # type: ignore[union-attr]
    english_point = next(p for p in docx.paragraphs(0) if text(p) == "Talks start on Monday.")
    assert english_point.find("w:pPr/w:bidi", NS).get(w("val")) == "0"  # type: ignore[union-attr]
    arabic_point = next(p for p in docx.paragraphs(0) if text(p) == "بدأت المحادثات يوم الأحد.")
    assert arabic_point.find("w:pPr/w:bidi", NS) is None  # the page's (and styles') direction


def test_rtl_title_in_an_english_pack_is_isolated_and_tagged(packs: dict[str, Docx]) -> None:
    docx = packs["big"]
    entry = next(p for p in docx.paragraphs(0) if style_of(p) == "TOC1" and "أستانا" in text(p))
    assert text(entry).startswith("\u2067محادثات السلام في أستانا\u2069\t")
    run_lang = entry.find(".//w:r/w:rPr/w:lang", NS)
    assert run_lang is not None and run_lang.get(w("bidi")) == "ar"


def test_hostile_pack_writes_clean_xml(packs: dict[str, Docx]) -> None:
    docx = packs["big"]
    for name in docx.zip.namelist():
        if name.endswith((".xml", ".rels")):
            raw = docx.zip.read(name)
            assert not re.search(rb"[\x00-\x08\x0b\x0c\x0e-\x1f]", raw), name
            etree.fromstring(raw)
    assert "<b>Title</b> & </para>" in [e.title for e in docx.entries()]
    codes = {d.code for d in docx.result.diagnostics}
    assert codes <= {"writer.unsafe-link", "writer.image-missing"}


def test_control_characters_in_pack_metadata() -> None:
    nasty = "bad\x00\x07 pack\r\ntitle"
    pub = Publication(
        (Document(meta=Meta(title=nasty, summary=(nasty,), marking="SECRET\x1b")), Document(blocks=(para(nasty),))),
        PackMeta(title=nasty, subtitle=nasty, compiled_by=nasty, reference=nasty, marking="OFFICIAL",
                 summary_page=True),
    )  # fmt: skip
    docx = Docx(write(pub))
    assert [e.title for e in docx.entries()] == ["Key points", "bad pack title [SECRET]", "Untitled"]
    assert "SECRET" in docx.furniture(1, "header")
    assert text(docx.paragraphs(0)[0]) == "bad pack title"


# --------------------------------------------------------------------------
# Reproducibility and the command line
# --------------------------------------------------------------------------


def test_same_pack_gives_identical_bytes(packs: dict[str, Docx]) -> None:
    again = write(briefing_pack(32), resources=figure_resources())
    assert again.data == packs["big"].result.data
    assert write(rtl_pack()).data == packs["rtl"].result.data


_SUBPROCESS = """
import hashlib, sys
from datetime import datetime, UTC
sys.path.insert(0, {tests!r})
from samples import briefing_pack, figure_resources
from briefpub.styling import load_style
from briefpub.pipeline import style_fonts
from briefpub.writers import WriteOptions, get_writer
style = load_style("briefing")
options = WriteOptions(build_time=datetime.fromisoformat({when!r}), resources=figure_resources(),
                       fonts=style_fonts(style))
print(hashlib.sha256(get_writer("docx").write(briefing_pack(32), style, options).data).hexdigest())
"""


def test_identical_bytes_in_a_fresh_interpreter_with_another_hash_seed(packs: dict[str, Docx]) -> None:
    script = _SUBPROCESS.format(tests=str(ROOT / "tests"), when=BUILD.isoformat())
    env = {"PYTHONHASHSEED": "7", "PATH": "/usr/bin:/bin",
           "BRIEFPUB_CACHE_DIR": os.environ["BRIEFPUB_CACHE_DIR"]}  # conftest's, not ~/.cache
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, env=env, check=False)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == hashlib.sha256(packs["big"].result.data).hexdigest()


def test_briefpub_pack_command_writes_the_front_matter(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1485129600")
    inputs = sorted(str(p) for p in (ROOT / "fixtures" / "txt").glob("*.txt"))
    args = ["pack", *inputs, "--title", "T", "--compiled-by", "X", "--reference", "R", "--version", "1",
            "--marking", "OFFICIAL", "--summary-page", "--duplex", "--to", "docx", "-o", str(tmp_path),
            "-q"]  # fmt: skip
    try:
        main(args)
    except SystemExit as exc:  # pragma: no cover - main exits only on errors here
        assert not exc.code, capsys.readouterr().err
    docx = Docx(WriteResult((tmp_path / "t.docx").read_bytes()))
    assert [text(p) for p in docx.paragraphs(0)[:5]] == [
        "T", "Date: 23 January 2017", "Reference: R", "Version: 1", "Compiled by: X",
    ]  # fmt: skip
    entries = docx.entries()
    assert [e.target for e in entries] == ["summary", *(f"article_{n}" for n in range(1, len(inputs) + 1))]
    assert all(e.page % 2 == 1 for e in entries[1:])
    assert BLANK in docx.section_text(0)
    assert {s.find("w:type", NS).get(w("val")) for s in docx.sect_prs[1:]} == {"nextPage"}  # type: ignore[union-attr]


# --------------------------------------------------------------------------
# The page estimate
# --------------------------------------------------------------------------


def _body(count: int, words: int = 40) -> list[etree._Element]:
    sentence = " ".join(["word"] * words)
    return [paragraph(ParaProps(style="BodyText"), [text_run(sentence, None)]) for _ in range(count)]


def _estimator(sheet: StyleSheet = BRIEFING) -> PageEstimator:
    """An estimator reading the styles and numbering of a document the writer configured for ``sheet``."""
    document = python_docx.Document(io.BytesIO(write(single(Document(Meta(title="x"), ())), sheet).data))
    return PageEstimator.for_document(document, style_fonts(sheet), text_area(sheet))


def _advance(text: str, face_path: str, size: float) -> float:
    """Width of ``text`` from the font's hmtx table (independent of the HarfBuzz shaping the estimator uses)."""
    font = TTFont(face_path)
    cmap, hmtx = font.getBestCmap(), font["hmtx"]
    return sum(hmtx[cmap[ord(c)]][0] for c in text) * size / font["head"].unitsPerEm


def test_estimator_sets_lines_with_the_fonts_advances_and_metrics() -> None:
    """Lines break where the words stop fitting the column (widths from the font file); a line is as tall as
    the face's ascent + descent (hhea) when that exceeds the style's at-least leading."""
    estimator = _estimator()
    face = style_fonts(BRIEFING).families("body")[0].face(False, False)
    assert face.family == "Source Serif Pro"
    width = text_area(BRIEFING).width
    word, space = _advance("word", face.path, 11), _advance(" ", face.path, 11)
    per_line = int((width + space) // (word + space))
    lines = estimator.typesetter.set(_body(1, 3 * per_line + 1)[0], width)
    assert [len(text.split()) for text in lines.texts] == [per_line, per_line, per_line, 1]
    metrics = TTFont(face.path)["hhea"]
    assert lines.heights[0] == pytest.approx(max(15.0, (metrics.ascent - metrics.descent) * 11 / 1000), abs=0.05)
    assert lines.heights[0] > BRIEFING.body.leading  # 15.1 pt: Source Serif's line is taller than 15 pt
    narrow = estimator.typesetter.set(_body(1, 3 * per_line + 1)[0], width - word)
    assert len(narrow.texts) == 4 and len(narrow.texts[0].split()) == per_line - 1


def test_estimator_counts_pages_sections_and_breaks() -> None:
    estimator = _estimator()
    height = text_area(BRIEFING).height
    one = estimator.typesetter.set(_body(1)[0], text_area(BRIEFING).width)
    block = sum(one.heights) + BRIEFING.body.space_after  # collapsed with the next one's space above
    per_page = int((height + BRIEFING.body.space_after) // block)
    assert pages_of(estimator, _body(per_page)) == 1
    assert pages_of(estimator, _body(per_page + 1)) == 2
    breaking = _body(3)
    breaking[1] = paragraph(ParaProps(style="BodyText", page_break_before=True), [text_run("x", None)])
    assert pages_of(estimator, breaking) == 2
    estimator.flow(_body(1))
    estimator.new_section(odd=True)
    assert estimator.page == 3
    estimator.new_section(odd=True)
    assert estimator.page == 5
    estimator.new_section()
    assert estimator.page == 6


def test_estimator_keeps_headings_with_the_next_lines_and_two_lines_each_side_of_a_break() -> None:
    estimator = _estimator()
    width, height = text_area(BRIEFING).width, text_area(BRIEFING).height
    line = estimator.typesetter.set(_body(1, 1)[0], width).heights[0]
    filler = [paragraph(ParaProps(style="Normal", space_after=0), [text_run("x", None)])]
    lines_per_page = int(height // line)
    # The page is full but for two lines: a heading and a 5-line paragraph after it go to the next page.
    heading = paragraph(ParaProps(style="Heading2", space_before=0, space_after=0), [text_run("Heading", None)])
    rest = filler * (lines_per_page - 2)
    scratch = estimator.fresh()
    scratch.flow([*rest, heading, *_body(1, 60)])
    assert scratch.page == 2 and scratch.y > 0
    scratch = estimator.fresh()
    scratch.trace = []
    scratch.flow([*filler * (lines_per_page - 4), heading, *_body(1, 60)])
    assert [page for page, _, text in scratch.trace if text == "Heading"] == [1], "room for it and two lines"
    # Widows and orphans: a 3-line paragraph with room for 2 lines moves whole (1 line would be left alone).
    scratch = estimator.fresh()
    three = paragraph(ParaProps(style="Normal", space_before=0), [text_run(" ".join(["word"] * 3 * 12), None)])
    assert len(estimator.typesetter.set(three, width).heights) == 3
    scratch.flow([*filler * (lines_per_page - 2), three])
    assert scratch.page == 2 and scratch.y == pytest.approx(3 * line + BRIEFING.body.space_after, abs=0.2)


def test_estimator_table_rows_hold_cell_margins_and_borders() -> None:
    """A row is its cell's lines plus the top and bottom cell margins and one border; header rows repeat."""
    estimator = _estimator()
    pub = single(Document(Meta(title="T"), (Table(header=(TableRow((TableCell((Text("Head"),)),)),),
                                                  rows=tuple(TableRow((TableCell((Text(f"Row {n}"),)),))
                                                             for n in range(80))),)))  # fmt: skip
    body = etree.fromstring(zipfile.ZipFile(io.BytesIO(write(pub).data)).read("word/document.xml")).find("w:body", NS)
    assert body is not None
    table = body.find("w:tbl", NS)
    assert table is not None
    item = estimator._read_table(table)
    line = estimator.typesetter.set(table.find(".//w:p", NS), 100).heights[0]  # type: ignore[arg-type]
    margins = table.find("w:tblPr/w:tblCellMar", NS)
    assert margins is not None
    pad = sum(int(m.get(w("w"), "0")) / 20 for m in margins if m.tag in (w("top"), w("bottom")))
    assert pad >= 4, "cells have room above and below their text"
    assert item.rows[1].height == pytest.approx(line + pad + 0.5, abs=0.01)
    scratch = estimator.fresh()
    scratch.flow([table])
    per_page = int(text_area(BRIEFING).height // item.rows[1].height) - 1  # the header row repeats on each page
    assert scratch.page == -(-80 // per_page) > 1


def test_break_opportunities() -> None:
    assert break_opportunities("two words") == [4]
    assert break_opportunities("Late-Night deal") == [5, 11]
    assert break_opportunities("pages 10-12 and a\u00a0b") == [6, 12, 16]
    assert break_opportunities("https://example.org/a/b") == []
    assert break_opportunities("\u4e2d\u6587\u3002") == [1]  # not before the full stop


def test_estimator_records_bookmarks_where_they_land() -> None:
    pub = pack([rich_document(), long_document(30), Document(blocks=(Paragraph((Text("x"),)),))])
    data = write(pub)
    estimator = PageEstimator.for_document(python_docx.Document(io.BytesIO(data.data)), style_fonts(BRIEFING),
                                           text_area(BRIEFING))  # fmt: skip
    document = Docx(data)
    estimator.flow(document.sections[0])
    for section in document.sections[1:]:
        estimator.new_section()
        estimator.flow(section)
    stored = {e.target: e.page for e in document.entries()}
    assert {k: estimator.bookmarks[k] for k in stored} == stored
    assert list(stored) == ["article_1", "article_2", "article_3"]
    assert stored["article_1"] == 3 and stored["article_1"] < stored["article_2"] < stored["article_3"]
