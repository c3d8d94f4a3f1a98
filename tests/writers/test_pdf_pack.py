"""The PDF writer's briefing packs: cover, contents with page numbers, summary page, duplex, furniture.

Packs are rendered once per module: a 32-article pack with every sample tree
(contents with headings, summary page), its duplex twin, an 80-article pack
whose contents run over several pages, a right-to-left pack and a small pack.
Every check compares the PDF with where things *really* are: an article's
start page is found by its title at the top of a page's text, never taken
from the writer; the contents' printed numbers, its link targets and the
outline's targets must all agree with those pages. Page layout (marking lines
at the top and bottom, running header) is read with ``pdftotext -layout``.
"""

from __future__ import annotations

import io
import itertools
import re
import subprocess
import unicodedata
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cached_property
from typing import Any

import pypdf
import pytest

from briefpub.pipeline import style_fonts
from briefpub.styling import load_style, with_overrides
from briefpub.styling.model import StyleSheet
from briefpub.tree import Document, Heading, Meta, PackMeta, Publication, document_words
from briefpub.writers import WriteOptions, WriteResult
from briefpub.writers.common.frame import Frames, PackFrame, frames
from briefpub.writers.pdf import WRITER
from fidelity import TYPOGRAPHIC, assert_faithful, missing_words
from samples import briefing_pack, figure_resources, pack_article, para, rtl_pack
from tools import require_tool

BUILD = datetime(2024, 5, 6, 7, 8, 9, tzinfo=UTC)
BRIEFING = load_style("briefing")
BLANK = "This page is intentionally left blank"
_BIDI_CONTROLS = dict.fromkeys(map(ord, "\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"))
_RTL_CHAR = re.compile(r"[\u0590-\u08ff\ufb1d-\ufdff\ufe70-\ufeff]")
#: A footer line: the pack's reference and version, then "Page X of Y" (or its Arabic, in visual order).
FOOTER = re.compile(r"(.* · )?(Page \d+ of \d+|.*الصفحة ?\d+ +من ?\d+)")


def style(**overrides: str) -> StyleSheet:
    return with_overrides(BRIEFING, [(k.replace("__", "."), v) for k, v in overrides.items()])


def write(pub: Publication, sheet: StyleSheet = BRIEFING) -> WriteResult:
    return WRITER.write(pub, sheet, WriteOptions(build_time=BUILD, resources=figure_resources(),
                                                 fonts=style_fonts(sheet)))


def norm(text: str) -> str:
    """Text compared loosely: NFKC (Arabic presentation forms back to letters), no bidi controls,
    typographic punctuation as typed, single spaces."""
    return " ".join(unicodedata.normalize("NFKC", text).translate(_BIDI_CONTROLS).translate(TYPOGRAPHIC).split())


def variants(text: str) -> set[str]:
    """``text`` and, for right-to-left text, its words in visual (reversed) order as extracted."""
    base = norm(text)
    return {base, " ".join(reversed(base.split()))} if _RTL_CHAR.search(base) else {base}


def title_of(doc: Document) -> str:
    return doc.meta.title or "Untitled"  # the packs here are in English, or their untitled articles are


def outline_depths(levels: list[int]) -> list[int]:
    """Outline depth of each heading (shallowest = 1, never deeper than the previous + 1)."""
    out: list[int] = []
    previous = 0
    base = min(levels, default=1)
    for level in levels:
        previous = min(level - base + 1, previous + 1)
        out.append(previous)
    return out


def headings(doc: Document) -> list[tuple[int, str]]:
    """(outline depth, text) of every top-level heading."""
    found = [b for b in doc.blocks if isinstance(b, Heading)]
    texts = ["".join(getattr(c, "text", "") for c in h.children) for h in found]
    return list(zip(outline_depths([h.level for h in found]), texts, strict=True))


@dataclass(frozen=True)
class Entry:
    """A contents entry the tree calls for: ``kind`` is summary, article or heading."""

    kind: str
    text: str
    article: int  # index of the article (-1 for the summary page)
    label: str = ""


@dataclass
class Pack:
    """A rendered pack and what the tests find in it."""

    pub: Publication
    sheet: StyleSheet
    result: WriteResult

    @property
    def data(self) -> bytes:
        return self.result.data

    @cached_property
    def reader(self) -> pypdf.PdfReader:
        return pypdf.PdfReader(io.BytesIO(self.data))

    @cached_property
    def texts(self) -> list[str]:
        """pypdf's text of every page (content-stream order: page body first, furniture after)."""
        return [p.extract_text() or "" for p in self.reader.pages]

    @cached_property
    def poppler(self) -> list[str]:
        """poppler's text of every page (right-to-left runs in logical order), without bidi controls."""
        out = subprocess.run(["pdftotext", "-", "-"], input=self.data, capture_output=True,
                             check=True).stdout.decode("utf-8")
        return [page.translate(_BIDI_CONTROLS) for page in out.split("\f")[: len(self.texts)]]

    @cached_property
    def layout(self) -> list[list[str]]:
        """The non-empty lines of every page as ``pdftotext -layout`` places them."""
        out = subprocess.run(["pdftotext", "-layout", "-", "-"], input=self.data, capture_output=True,
                             check=True).stdout.decode("utf-8")
        pages = out.split("\f")[: len(self.texts)]
        return [[line for line in page.splitlines() if line.strip()] for page in pages]

    @property
    def pack(self) -> PackMeta:
        assert self.pub.pack is not None
        return self.pub.pack

    @cached_property
    def frame(self) -> Frames:
        """The shared frame: the labels, markings and attribution rows the PDF must print."""
        return frames(self.pub, self.sheet)

    @property
    def labels(self) -> PackFrame:
        assert self.frame.pack is not None
        return self.frame.pack

    def marking(self, index: int) -> str:
        return self.frame.articles[index].marking

    def starts_with(self, page: int, text: str) -> bool:
        body = norm(self.texts[page])
        return any(body.startswith(v) for v in variants(text))

    @cached_property
    def starts(self) -> list[int]:
        """The page index where each article really starts: its title opens the page's text."""
        found: list[int] = []
        page = 0
        for doc in self.pub.documents:
            page = next(p for p in range(page + 1, len(self.texts)) if self.starts_with(p, title_of(doc)))
            found.append(page)
        return found

    @cached_property
    def summary_page(self) -> int | None:
        pages = [p for p in range(self.starts[0]) if self.starts_with(p, self.labels.summary_label)]
        return pages[0] if pages else None

    @cached_property
    def blank_pages(self) -> list[int]:
        return [i for i, t in enumerate(self.texts) if any(v in norm(t) for v in variants(self.labels.blank_page))]

    @cached_property
    def contents_pages(self) -> list[int]:
        """The pages the contents occupy (the cover holds them in a short pack)."""
        first = next(i for i, t in enumerate(self.texts) if self.labels.contents_label in map(norm, t.splitlines()))
        end = self.summary_page if self.summary_page is not None else self.starts[0]
        return [p for p in range(first, end) if p not in self.blank_pages]

    def article_of(self, page: int) -> int | None:
        """The article whose pages (blank verso included) hold ``page``; None for front matter."""
        index = None
        for i, start in enumerate(self.starts):
            if page >= start:
                index = i
        return index

    def page_range(self, index: int) -> range:
        end = self.starts[index + 1] if index + 1 < len(self.starts) else len(self.texts)
        return range(self.starts[index], end)

    def expected_entries(self) -> list[Entry]:
        """The contents the tree calls for (summary, articles with numbers and markings, headings)."""
        entries: list[Entry] = []
        if self.pack.summary_page:
            entries.append(Entry("summary", self.labels.summary_label, -1))
        depth = self.sheet.furniture.contents_depth
        for i, doc in enumerate(self.pub.documents):
            text = title_of(doc)
            marking = self.marking(i)
            if marking and marking != self.pack.marking:
                text += f" [{marking}]"
            entries.append(Entry("article", text, i, str(i + 1)))
            entries += [Entry("heading", t, i) for d, t in headings(doc) if d <= depth - 1 and t.strip()]
        return entries

    def entry_page(self, entry: Entry) -> int:
        """Where an entry's target really is (page index), found from the text."""
        if entry.kind == "summary":
            assert self.summary_page is not None
            return self.summary_page
        if entry.kind == "article":
            return self.starts[entry.article]
        return next(p for p in self.page_range(entry.article)
                    if any(norm(line) in variants(entry.text) for line in self.texts[p].splitlines()))

    def contents_numbers(self) -> list[tuple[Entry, str, int]]:
        """Each expected entry with the label and page number printed next to it in the contents.

        The contents lines are read in order from the layout text; an entry's line is the next one
        whose text, without the article number and the page number, is the entry's text.
        """
        rtl = any(_RTL_CHAR.search(norm(line)) for line in [self.pack.title])
        lines = [norm(line) for p in self.contents_pages for line in self.layout[p]]
        pattern = re.compile(r"^(\d+ )?(.*?) (\d+)$") if not rtl else re.compile(r"^(\d+) (.*?) ?(\d+)?$")
        out: list[tuple[Entry, str, int]] = []
        position = 0
        for entry in self.expected_entries():
            for k in range(position, len(lines)):
                match = pattern.match(lines[k])
                if not match:
                    continue
                if rtl:
                    page, text, label = match.group(1), match.group(2), (match.group(3) or "").strip()
                else:
                    label, text, page = (match.group(1) or "").strip(), match.group(2), match.group(3)
                if text in variants(entry.text) or (not label and f"{label} {text}" in variants(entry.text)):
                    out.append((entry, label, int(page)))
                    position = k + 1
                    break
            else:
                pytest.fail(f"contents entry {entry} not found after line {position}: {lines[position:position + 5]}")
        return out

    def link_targets(self, pages: list[int]) -> list[int]:
        """Target page indexes of the internal links on ``pages``, in drawing order."""
        named = self.reader.named_destinations
        out = []
        for p in pages:
            for annot in self.reader.pages[p].get("/Annots", []):
                a = annot.get_object()
                if a.get("/Subtype") != "/Link" or ("/A" in a and a["/A"].get("/S") == "/URI"):
                    continue
                dest = a.get("/Dest")
                if dest is None and "/A" in a:
                    dest = a["/A"].get("/D")
                if isinstance(dest, (str, pypdf.generic.NameObject, pypdf.generic.TextStringObject)):
                    out.append(self.reader.get_destination_page_number(named[str(dest).lstrip("/")]))
                else:
                    out.append(self.reader.get_page_number(dest[0].get_object()))
        return out

    def uris(self, pages: range) -> set[str]:
        out = set()
        for p in pages:
            for annot in self.reader.pages[p].get("/Annots", []):
                action = annot.get_object().get("/A")
                if action is not None and action.get("/S") == "/URI":
                    out.add(str(action["/URI"]))
        return out

    def outline(self) -> list[tuple[int, str, int]]:
        """(depth, title, page index) of every outline entry."""
        out: list[tuple[int, str, int]] = []

        def walk(items: list[Any], depth: int) -> None:
            for item in items:
                if isinstance(item, list):
                    walk(item, depth + 1)
                else:
                    out.append((depth, item.title, self.reader.get_destination_page_number(item)))

        walk(self.reader.outline, 0)
        return out


def render(pub: Publication, sheet: StyleSheet = BRIEFING) -> Pack:
    return Pack(pub, sheet, write(pub, sheet))


@pytest.fixture(scope="module")
def packs() -> dict[str, Pack]:
    require_tool("pdftotext")
    return {
        "pack32": render(briefing_pack(32), style(furniture__contents_depth="2")),
        "duplex32": render(briefing_pack(33), style(page__duplex="true")),
        "pack80": render(briefing_pack(80, summary_page=False), style(furniture__contents_depth="3")),
        "rtl": render(rtl_pack(), style(page__duplex="true", furniture__contents_depth="2")),
    }


ALL = ["pack32", "duplex32", "pack80", "rtl"]
LTR = ["pack32", "duplex32", "pack80"]


# -- contents: numbers, links, several pages ---------------------------------------------------------


@pytest.mark.parametrize("name", LTR)
def test_contents_numbers_are_the_pages_where_articles_start(packs, name):
    pack = packs[name]
    numbers = pack.contents_numbers()
    articles = [(e, label, n) for e, label, n in numbers if e.kind == "article"]
    assert len(articles) == len(pack.pub.documents) >= 32
    for entry, label, number in numbers:
        assert number == pack.entry_page(entry) + 1, (entry, number)
        if entry.kind == "article":
            assert label == entry.label
    if name == "pack32":  # headings listed too (depth 2), each with the page where it is printed
        assert sum(e.kind == "heading" for e, _l, _n in numbers) >= 3 * 25


def test_contents_check_can_fail(packs):
    pack = packs["pack32"]
    starts = list(pack.starts)
    pack.__dict__["starts"] = [starts[0] + 1, *starts[1:]]
    try:
        with pytest.raises(AssertionError):
            test_contents_numbers_are_the_pages_where_articles_start(packs, "pack32")
    finally:
        pack.__dict__["starts"] = starts


def test_right_to_left_contents_numbers(packs):
    pack = packs["rtl"]
    numbers = pack.contents_numbers()
    assert len(numbers) == len(pack.expected_entries())
    for entry, label, number in numbers:
        assert number == pack.entry_page(entry) + 1, (entry, number)
        if entry.kind == "article":
            assert label == entry.label


def test_contents_run_over_several_pages(packs):
    pack = packs["pack80"]
    pages = pack.contents_pages
    assert len(pages) >= 3
    assert pages[0] == 1  # the cover stands alone; the contents start on the next page
    for p in pages[1:]:  # continuation pages carry entries with page numbers and links
        assert re.search(r"Pack article \d+: \w+ update +\d+$", "\n".join(pack.layout[p]), re.M)
        assert pack.link_targets([p])
    assert pack.starts[0] == pages[-1] + 1


@pytest.mark.parametrize("name", ALL)
def test_contents_entries_link_to_their_targets(packs, name):
    pack = packs[name]
    targets = pack.link_targets(pack.contents_pages)
    expected = [pack.entry_page(e) for e in pack.expected_entries()]
    assert targets == expected


def test_short_pack_has_its_contents_on_the_cover():
    pub = Publication(
        tuple(pack_article(n) for n in (1, 2, 3)),
        PackMeta(title="Short Pack", marking="OFFICIAL", date="1 May 2024", summary_page=False),
    )
    pack = render(pub)
    assert pack.contents_pages == [0]
    assert pack.starts == [1, 2, 3]
    assert [n for _e, _l, n in pack.contents_numbers()] == [2, 3, 4]
    assert pack.link_targets([0]) == [1, 2, 3]


# -- outline ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ALL)
def test_outline_is_pack_then_articles_then_headings(packs, name):
    pack = packs[name]
    entries = pack.outline()
    assert entries[0] == (0, pack.pack.title, 0)
    articles = [(t, p) for d, t, p in entries if d == 1]
    assert articles == [(title_of(d), s) for d, s in zip(pack.pub.documents, pack.starts, strict=True)]
    depths = [d for d, _t, _p in entries]
    assert all(b <= a + 1 for a, b in itertools.pairwise(depths))  # never skips a level
    assert all(d >= 1 for d in depths[1:])  # one root: the pack
    current = -1
    for depth, title, page in entries[1:]:
        if depth == 1:
            current += 1
            continue
        assert page in pack.page_range(current), (title, page)
        lines = {norm(line) for line in pack.texts[page].splitlines()}
        assert variants(title) & lines, (title, page)


# -- summary page ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["pack32", "duplex32"])
def test_summary_page_lists_every_article_with_its_key_points(packs, name):
    pack = packs[name]
    assert pack.summary_page is not None
    text = norm("\n".join(pack.poppler[pack.summary_page:pack.starts[0]]))
    position = 0
    for number, doc in enumerate(pack.pub.documents, start=1):
        title = f"{number}. {title_of(doc)}" if not _RTL_CHAR.search(title_of(doc)) else norm(title_of(doc))
        marking = pack.marking(number - 1)
        parts = [title, *([f"[{marking}]"] if marking != pack.pack.marking else [])]
        entry = pack.labels.summary[number - 1]
        assert entry.points == doc.meta.summary
        if not entry.points:  # the opening sentence, labelled (in the pack's language), else the note
            assert entry.lede_label == pack.labels.labels.opening
        if entry.points:
            parts += [norm(p) for p in entry.points]
        elif not entry.lede:
            parts.append("No key points were given for this article.")
        else:
            parts.append(norm(f"{entry.lede_label}: {entry.lede}"))
        for part in parts:
            found = text.find(part, position)
            assert found >= 0, (number, part)
            position = found + len(part)
    assert "Opening sentence: Article 1 opens." in text  # an English article without key points
    # the titles link to the articles
    # (a title set on two lines is one link with a rectangle on each line; right-to-left titles link too)
    targets = [t for t, _group in itertools.groupby(pack.link_targets(list(range(pack.summary_page,
                                                                                   pack.starts[0]))))]
    assert targets == pack.starts


def test_no_summary_page_unless_asked(packs):
    assert packs["pack80"].summary_page is None
    assert "Key points" not in "\n".join(packs["pack80"].layout[1])


# -- cover ----------------------------------------------------------------------------------------------------


def test_cover_carries_the_pack_details(packs):
    pack = packs["pack32"]
    cover = [norm(line) for line in pack.layout[0]]
    details = pack.pack
    for line in ("Morning Briefing Pack", details.subtitle, f"Date: {details.date}", f"Reference: {details.reference}",
                 f"Version: {details.version}", f"Compiled by: {details.compiled_by}"):
        assert line in cover
    assert cover[0] == cover[-1] == "OFFICIAL"


def test_cover_leaves_out_what_is_not_given():
    pub = Publication((pack_article(1), pack_article(2)), PackMeta(title="Bare Pack"))
    pack = render(pub)
    cover = "\n".join(pack.layout[0])
    assert "Bare Pack" in cover
    assert not re.search(r"Date:|Reference:|Version:|Compiled by:", cover)
    assert "OFFICIAL" not in cover.replace("[OFFICIAL-SENSITIVE]", "")


# -- duplex ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["duplex32", "rtl"])
def test_duplex_sections_start_on_right_hand_pages(packs, name):
    pack = packs[name]
    assert all((s + 1) % 2 == 1 for s in pack.starts)
    sections = [*pack.starts, *([pack.summary_page] if pack.summary_page is not None else [])]
    assert all((s + 1) % 2 == 1 for s in sections)
    assert pack.blank_pages
    for p in pack.blank_pages:
        assert (p + 1) % 2 == 0  # a verso
        assert p + 1 in sections or p + 1 == pack.contents_pages[0]  # before a right-hand start
    # no blank page where none is needed: every other page before a section start has content
    for s in sections:
        if s - 1 not in pack.blank_pages and s > 0:
            assert s % 2 == 0  # the page before is odd-numbered (a recto with content)


def test_duplex_blank_pages_carry_the_sentence_and_the_furniture(packs):
    pack = packs["duplex32"]
    total = len(pack.texts)
    assert len(pack.blank_pages) >= 20
    for p in pack.blank_pages:
        text = pack.texts[p]
        assert f"Page {p + 1} of {total}" in text
        lines = [norm(line) for line in pack.layout[p]]
        marking = expected_marking(pack, p)
        assert lines[0] == lines[-1] == marking
        assert BLANK in lines
        # only the sentence and the furniture on the page: no running head on a blank page
        assert len(lines) == 4, lines  # marking, sentence, footer, marking


def test_no_blank_pages_without_duplex(packs):
    assert packs["pack32"].blank_pages == []
    assert packs["pack80"].blank_pages == []


# -- furniture on every page --------------------------------------------------------------------------------


def expected_marking(pack: Pack, page: int) -> str:
    index = pack.article_of(page)
    if index is None:
        return pack.pack.marking
    return pack.marking(index)


@pytest.mark.parametrize("name", ALL)
def test_marking_top_and_bottom_of_every_page(packs, name):
    pack = packs[name]
    assert any(expected_marking(pack, p) != pack.pack.marking for p in range(len(pack.texts)))
    for p, lines in enumerate(pack.layout):
        marking = expected_marking(pack, p)
        assert norm(lines[0]) == norm(lines[-1]) == marking, (p, lines[0], lines[-1])


@pytest.mark.parametrize("name", ALL)
def test_page_x_of_y_on_every_page(packs, name):
    pack = packs[name]
    total = len(pack.texts)
    for p, text in enumerate(pack.texts):
        if name == "rtl":  # in the pack's language, read in visual order: "الصفحة 3 من 12"
            assert f"الصفحة{p + 1}من{total}" in re.sub(r"\s", "", norm(text)), text
        else:
            assert f"BP/2017/014 · Version 3 · Page {p + 1} of {total}" in text


@pytest.mark.parametrize("name", LTR)
def test_running_header_names_the_current_article(packs, name):
    pack = packs[name]
    titled = set(pack.starts)
    for p, lines in enumerate(pack.layout):
        header = norm(lines[1])
        index = pack.article_of(p)
        if p in pack.blank_pages:  # a blank verso: no running head (markings, the sentence, the footer)
            assert header == BLANK, (p, header)
            continue
        if index is not None and p not in titled:  # the article's number in the pack closes the line
            label = norm(pack.frame.articles[index].article_label)
            assert header.endswith(label), (p, header)
            header = header[: -len(label)].strip()
        if p == 0:  # the cover: the pack's title, no running header
            assert header == norm(pack.pack.title) or header.startswith(norm(pack.pack.title)[:20]), header
            continue
        if p in titled:  # the article's title stands there: its number in the pack instead of a header
            assert index is not None
            label = pack.frame.articles[index].article_label  # in the article's language
            if pack.pub.documents[index].meta.language in ("", "en"):
                assert label == f"Article {index + 1} of {len(pack.pub.documents)}"
            assert header.replace(" ", "") in {v.replace(" ", "") for v in variants(label)}, (p, header)
            continue
        doc = pack.pub.documents[index] if index is not None else None
        expected = pack.pack.title if doc is None else title_of(doc)
        assert header in variants(expected) or (header.endswith("\u2026") and norm(expected).startswith(
            header[:-1].strip())), (p, header, expected)


# -- articles ---------------------------------------------------------------------------------------------------


def check_faithful(doc: Document, text: str, furniture: set[str]) -> None:
    """Every word of ``doc`` in order in ``text`` (its pages); ``furniture`` are the header and
    marking lines, left out where words split across lines (and pages) are joined up."""
    words = [w for w in document_words(doc) if "\U0001f54a" not in w]  # no font has the dove
    long_words = [w for w in words if len(w) > 100]  # split across lines without a hyphen
    assert not missing_words([w for w in words if len(w) <= 100], text), doc.meta.title
    joined = "".join(line.strip() for line in text.splitlines()
                     if norm(line) not in furniture and not FOOTER.fullmatch(norm(line)))
    assert all(w in joined for w in long_words)
    if not long_words and not any(_RTL_CHAR.search(w) for w in words):
        assert_faithful(doc, text)


@pytest.mark.parametrize("name", ALL)
def test_every_article_is_faithful_on_its_own_pages(packs, name):
    pack = packs[name]
    for i, doc in enumerate(pack.pub.documents):
        art = pack.frame.articles[i]
        furniture = {norm(art.running_header), norm(pack.pack.title), norm(art.marking), norm(art.article_label)}
        # poppler reads right-to-left runs in logical order wherever they stand (pypdf, inside a
        # left-to-right line, in visual order; but poppler drops a hard hyphen ending a line, so pypdf
        # reads the others); CJK lines may break between two ideographs
        rtl = any(_RTL_CHAR.search(w) for w in document_words(doc))
        text = "\n".join((pack.poppler if rtl else pack.texts)[p] for p in pack.page_range(i))
        check_faithful(doc, re.sub(r"(?<=[\u3040-\u9fff\uac00-\ud7af])\n(?=[\u3040-\u9fff\uac00-\ud7af])", "",
                                   unicodedata.normalize("NFKC", text)), furniture)


def test_fidelity_check_can_fail(packs):
    pack = packs["pack32"]
    doc = pack.pub.documents[10]
    text = "\n".join(pack.texts[p] for p in pack.page_range(10)).replace("Analysis of article", "")
    with pytest.raises(AssertionError):
        check_faithful(doc, text, set())


@pytest.mark.parametrize("name", ["pack32", "duplex32"])
def test_each_article_ends_with_its_source_attribution(packs, name):
    pack = packs[name]
    checked = 0
    for i, doc in enumerate(pack.pub.documents):
        rows = [(d.label, d.value) for d in pack.frame.articles[i].attribution]
        if not rows:
            continue
        pages = [p for p in pack.page_range(i) if p not in pack.blank_pages]
        last = norm(pack.texts[pages[-1]])
        assert "Source" in last
        position = last.rindex("Source")
        for label, value in rows:
            found = last.find(norm(value), position) if not _RTL_CHAR.search(value) else last.find(label)
            assert found >= 0, (doc.meta.title, label, value)
        if doc.meta.url.startswith("https://"):
            assert doc.meta.url in pack.uris(range(pages[-1], pages[-1] + 1))
            checked += 1
    assert checked >= 25


# -- file-level ---------------------------------------------------------------------------------------------------


def test_rebuild_is_byte_identical(packs):
    pack = packs["duplex32"]
    assert write(pack.pub, pack.sheet).data == pack.data


def test_two_layout_passes_for_a_pack(monkeypatch):
    """The contents is sized right in the first pass, so the second pass only fills in the numbers."""
    from briefpub.writers.pdf import furniture

    passes: list[int] = []
    original = furniture.BriefingDocTemplate.multiBuild

    def counting(self: Any, story: Any, **kw: Any) -> int:
        n: int = original(self, story, **kw)
        passes.append(n)
        return n

    monkeypatch.setattr(furniture.BriefingDocTemplate, "multiBuild", counting)
    write(briefing_pack(12), style(page__duplex="true", furniture__contents_depth="3"))
    write(Publication((pack_article(1),)))
    assert passes == [2, 1]


@pytest.mark.parametrize("name", ["duplex32", "rtl"])
def test_every_font_is_embedded(packs, name, tmp_path):
    require_tool("pdffonts")
    path = tmp_path / "pack.pdf"
    path.write_bytes(packs[name].data)
    out = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True).stdout
    header, _rule, *rows = out.splitlines()
    emb = header.index("emb")
    assert rows and all(row[emb:emb + 3] == "yes" for row in rows), out
    assert not any("Helvetica" in row for row in rows)


@pytest.mark.parametrize("name", ["pack32", "duplex32"])
def test_qpdf_check_passes(packs, name, tmp_path):
    require_tool("qpdf")
    path = tmp_path / "pack.pdf"
    path.write_bytes(packs[name].data)
    result = subprocess.run(["qpdf", "--check", str(path)], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_article_with_trailing_page_break_gets_no_empty_page():
    from briefpub.tree import PageBreak

    ending = Document(Meta(title="Ends With A Break"), (para("Text."), PageBreak()))
    pub = Publication((ending, pack_article(1), pack_article(2)), PackMeta(title="Breaks", marking="OFFICIAL"))
    pack = render(pub, style(page__duplex="true"))
    for p, lines in enumerate(pack.layout):  # more than marking, header, footer, marking
        assert len(lines) >= 5 or BLANK in map(norm, lines), f"page {p + 1} is empty: {lines}"
    assert all((s + 1) % 2 == 1 for s in pack.starts)


def test_duplex_mirrors_unequal_margins():
    """In duplex the inner margin is on the left of right-hand (odd) pages and on the right of left-hand ones."""
    sheet = style(page__duplex="true", page__margin_inner="30mm", page__margin_outer="15mm")
    long_one = Document(Meta(title="Long"), tuple(para(f"Paragraph {i}. " + "Words to fill the line. " * 12)
                                                  for i in range(40)))
    pack = render(Publication((long_one, pack_article(1)), PackMeta(title="Margins", summary_page=False)), sheet)
    mm = 72 / 25.4
    checked = 0
    for p in pack.page_range(0):
        xs: list[float] = []

        def visit(text: str, cm: Any, tm: Any, _font: Any, _size: Any, xs: list[float] = xs) -> None:
            if text.startswith(("Paragraph", "Words")):
                xs.append(tm[4] * cm[0] + cm[4])

        pack.reader.pages[p].extract_text(visitor_text=visit)
        if not xs:
            continue
        expected = 30 * mm if (p + 1) % 2 == 1 else 15 * mm
        assert abs(min(xs) - expected) < 1.0, (p + 1, min(xs), expected)
        checked += 1
    assert checked >= 3


def _short_pack(n: int) -> Publication:
    docs = tuple(Document(Meta(title=f"Article {i}"), tuple(para(f"Paragraph {k} of article {i}, long enough to "
                                                                 "wrap over a few lines of the column. " * 3)
                                                            for k in range(6)))
                 for i in range(n))
    return Publication(docs, PackMeta("Memory pack", marking="OFFICIAL"))


def test_contents_entries_are_laid_out_once_per_width(monkeypatch):
    """A contents running over p pages was laid out again for every part a page split made: n entries
    cost n * p entry layouts (quadratic in the articles). The parts share one layout per entry."""
    from briefpub.writers.pdf import front

    rows: list[int] = []
    original = front._ContentsLook.row

    def counting(self: Any, line: Any, width: float) -> Any:
        rows.append(1)
        return original(self, line, width)

    monkeypatch.setattr(front._ContentsLook, "row", counting)
    for n in (12, 96):
        rows.clear()
        data = write(_short_pack(n)).data
        assert len(pypdf.PdfReader(io.BytesIO(data)).pages) > n
        assert len(rows) <= 2 * n, (n, len(rows))  # one layout per entry (and at most one other width)


def test_paragraphs_keep_only_their_breaks_between_layout_passes(monkeypatch):
    """The glyphs and shaped text of every paragraph, kept from one layout pass to the next, were most
    of a pack's memory (a 1,600-article pack would have needed about 1.8 GB). A paragraph drawn whole
    releases them: when the file is finished, the prepared paragraphs and built lines still alive do
    not grow with the articles."""
    import gc

    from briefpub.writers.pdf import render
    from briefpub.writers.pdf.typeset.itemize import Prepared
    from briefpub.writers.pdf.typeset.layout import Line

    alive: list[tuple[int, int]] = []
    original = render.finish

    def counting(data: bytes, recording: Any) -> Any:
        gc.collect()
        objects = gc.get_objects()
        alive.append((sum(isinstance(o, Prepared) for o in objects), sum(isinstance(o, Line) for o in objects)))
        return original(data, recording)

    monkeypatch.setattr(render, "finish", counting)
    for n in (6, 48):
        write(_short_pack(n))
    (prepared_small, lines_small), (prepared_large, lines_large) = alive
    assert prepared_large <= prepared_small + 20 and lines_large <= lines_small + 20, alive


def test_a_draft_pass_draws_no_text(monkeypatch):
    """A pack's first layout pass only learns the contents' page numbers (its pages are thrown away):
    paragraphs record their destinations in it but draw no text (drawing it twice was a third of a
    pack's time). The final pass draws every paragraph."""
    from briefpub.writers.pdf.typeset import flowable

    drawn: list[bool] = []
    original = flowable.draw_lines

    def counting(canvas: Any, *args: Any, **kwargs: Any) -> Any:
        drawn.append(bool(getattr(getattr(canvas, "_doctemplate", None), "bp_draft", False)))
        return original(canvas, *args, **kwargs)

    in_draft: list[bool] = []
    original_draw = flowable.TextFlowable.draw

    def drawing(self: Any) -> Any:
        in_draft.append(bool(getattr(getattr(self.canv, "_doctemplate", None), "bp_draft", False)))
        return original_draw(self)

    monkeypatch.setattr(flowable, "draw_lines", counting)
    monkeypatch.setattr(flowable.TextFlowable, "draw", drawing)
    data = write(_short_pack(6)).data
    assert any(in_draft) and not all(in_draft)  # a draft pass took place (paragraphs were placed in it)
    assert drawn and not any(drawn), drawn
    text = "".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(data)).pages)
    assert "Paragraph 5 of article 5" in text


def test_reportlab_document_is_let_go_before_tagging(monkeypatch):
    """pikepdf's objects are about a third of a long pack's peak memory. Before it tags the file, the
    laid-out story and reportlab's document (every page's content, ~25 KB an article, which the tagger
    and the template kept through the last pass's canvas) are let go, so pikepdf reuses their memory;
    the PDF reaches the post-processor as a file, not as bytes held beside pikepdf's objects."""
    import weakref

    from reportlab.pdfbase.pdfdoc import PDFDocument

    from briefpub.writers.pdf import render

    documents: list[weakref.ref[Any]] = []
    original_init = PDFDocument.__init__

    def tracking(self: Any, *args: Any, **kwargs: Any) -> None:
        documents.append(weakref.ref(self))
        original_init(self, *args, **kwargs)

    seen: list[tuple[bool, int, int]] = []
    original = render.finish

    def checking(data: Any, recording: Any) -> Any:  # no collection here: what the writer left alive
        seen.append((isinstance(data, bytes), len(documents), sum(ref() is not None for ref in documents)))
        return original(data, recording)

    monkeypatch.setattr(PDFDocument, "__init__", tracking)
    monkeypatch.setattr(render, "finish", checking)
    data = write(_short_pack(4)).data
    assert seen == [(False, 2, 0)], seen  # a draft pass and the final one: neither document is alive
    assert "Paragraph 3 of article 3" in "".join(
        page.extract_text() for page in pypdf.PdfReader(io.BytesIO(data)).pages)
