"""EPUB Accessibility 1.1: DAISY Ace finds nothing, the page list follows the PDF, the metadata tells the truth.

* **Ace** (``ace_runner.py``): every EPUB below, checked in one Node process,
  has 0 violations: the reference article, every fixture (read and prepared as
  ``briefpub convert`` does), a 32-article pack, a right-to-left pack, a pack
  with a page list, images everywhere, every sample. Two EPUBs broken on
  purpose prove the harness reports violations. Skipped without Node, Ace or
  Chromium; fails under ``BRIEFPUB_REQUIRE_TOOLS=1``.
* **Page list**: with the print edition's page starts (``WriteOptions.print_pages``,
  built by hand here as the PDF writer would report them) every page has a
  ``doc-pagebreak`` marker where its first block starts and an entry in the
  ``page-list`` navigation, in order, and ``pageBreakSource`` names the PDF
  edition; without them there is no page list at all.
* **Metadata and roles**: ``xml:lang`` on ``<package>`` and every document, a
  role matching every ``epub:type``, the schema.org properties, and the
  conformance claim only when the writer's checks pass and an evaluator is named.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest
from lxml import etree

from briefpub.errors import BriefpubError
from briefpub.pipeline import prepare_article, style_fonts
from briefpub.styling import load_style
from briefpub.styling.loader import with_overrides
from briefpub.styling.model import StyleSheet
from briefpub.tree import Document, Figure, Heading, Image, Meta, Paragraph, Publication, Span, enumerate_blocks
from briefpub.writers import PageStart, WriteOptions, WriteResult
from briefpub.writers.epub import WRITER
from briefpub.writers.epub.accessibility import CONFORMANCE
from epub_package import EpubPackage, rewrite_entry
from samples import (
    arabic_document,
    briefing_pack,
    figure_resources,
    figures_document,
    hostile_document,
    images_everywhere_document,
    images_everywhere_resources,
    long_document,
    para,
    print_pages,
    rich_document,
    rtl_pack,
    scripts_document,
    single,
    t,
)
from shared_data import REFERENCE, shared_or_none

NS = {"x": "http://www.w3.org/1999/xhtml", "opf": "http://www.idpf.org/2007/opf",
      "epub": "http://www.idpf.org/2007/ops"}
X = "{http://www.w3.org/1999/xhtml}"
EPUB_TYPE = "{http://www.idpf.org/2007/ops}type"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
BUILD = datetime(2024, 5, 6, 7, 8, 9, tzinfo=UTC)
ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "fixtures"


def write(pub: Publication, style: StyleSheet | str = "briefing", *, resources: dict[str, bytes] | None = None,
          pages: tuple[PageStart, ...] = ()) -> WriteResult:
    sheet = load_style(style) if isinstance(style, str) else style
    return WRITER.write(pub, sheet, WriteOptions(build_time=BUILD, resources=resources or {},
                                                 fonts=style_fonts(sheet), print_pages=pages))


class Epub(EpubPackage):
    """The EPUB parts this module reads."""

    def meta(self, prop: str) -> list[str]:
        return [el.text or "" for el in self.opf.xpath(f"//opf:meta[@property='{prop}']", namespaces=NS)]

    def page_list(self) -> list[tuple[str, str]]:
        navs = self.doc("nav.xhtml").xpath("//x:nav[@epub:type='page-list']", namespaces=NS)
        return [(a.text, a.get("href")) for nav in navs for a in nav.iter(f"{X}a")]

    def markers(self, href: str) -> list[etree._Element]:
        return self.doc(href).xpath("//x:span[@epub:type='pagebreak']", namespaces=NS)


# --------------------------------------------------------------------------
# Page list mapped to the PDF edition
# --------------------------------------------------------------------------


def pdf_like_pages(pub: Publication, front: int = 2, per_article: int = 3) -> tuple[PageStart, ...]:
    """Page starts as the PDF writer reports them: front matter, then each article's title page and some blocks."""
    return tuple(p for p in print_pages(pub, front, per_article) if isinstance(p, PageStart))


def test_without_print_pages_there_is_no_page_list() -> None:
    book = Epub(write(briefing_pack(6), resources=figure_resources()).data)
    assert book.page_list() == []
    assert all(book.markers(href) == [] for href in book.documents)
    assert book.meta("pageBreakSource") == []
    assert not {"pageBreakMarkers", "pageNavigation"} & set(book.meta("schema:accessibilityFeature"))


def test_every_printed_page_has_a_marker_where_its_block_starts_and_a_page_list_entry() -> None:
    pub = briefing_pack(6)
    pages = pdf_like_pages(pub)
    book = Epub(write(pub, resources=figure_resources(), pages=pages).data)
    entries = book.page_list()
    assert [label for label, _ in entries] == [p.label for p in pages]  # every page, in order
    for (label, href), start in zip(entries, pages, strict=True):
        file, _, anchor = href.partition("#")
        (marker,) = book.doc(file).xpath(f"//*[@id='{anchor}']")
        assert (marker.get(EPUB_TYPE), marker.get("role"), marker.get("aria-label")) == (
            "pagebreak", "doc-pagebreak", label)
        if start.document is None:
            assert file == "contents.xhtml"  # front matter pages: on the contents page
            continue
        assert file == f"article-{start.document + 1:03d}.xhtml"
        following = marker.getnext()
        if start.path is None:
            assert marker.getparent().tag == f"{X}header"  # the title block
        else:
            # The marker sits right before the element of the block the page starts in.
            block = dict(enumerate_blocks(pub.documents[start.document].blocks))[start.path]
            expected = {"Paragraph": {"p"}, "Heading": {"h2", "h3", "h4"}, "BulletList": {"ul"},
                        "OrderedList": {"ol"}, "Table": {"table"}, "BlockQuote": {"blockquote"},
                        "Figure": {"figure", "p"}}.get(type(block).__name__)
            while following is not None and following.get(EPUB_TYPE) == "pagebreak":
                following = following.getnext()
            assert following is not None and (expected is None or etree.QName(following).localname in expected), (
                start, block, following)
    # The navigation declares the page list the accessible way; the OPF names the print edition.
    (nav,) = book.doc("nav.xhtml").xpath("//x:nav[@epub:type='page-list']", namespaces=NS)
    assert nav.get("role") == "doc-pagelist" and nav.get("hidden") == "hidden"
    (source,) = book.meta("pageBreakSource")
    assert source == (f"Morning Briefing Pack, PDF edition, Reference BP/2017/014, Version 3, {len(pages)} pages, "
                      "built 2024-05-06T07:08:09Z")
    assert {"pageBreakMarkers", "pageNavigation"} <= set(book.meta("schema:accessibilityFeature"))


def test_the_contents_page_says_where_each_article_starts_in_print() -> None:
    pub = briefing_pack(4)
    pages = pdf_like_pages(pub)  # 2 front pages, then 3 pages per article: articles start on 3, 6, 9, 12
    book = Epub(write(pub, resources=figure_resources(), pages=pages).data)
    shown = book.doc("contents.xhtml").xpath("//x:p[@class='contents-print-page']/text()", namespaces=NS)
    assert shown == [f"Page {n} of {len(pages)}" for n in (3, 6, 9, 12)]
    assert Epub(write(pub, resources=figure_resources()).data).doc("contents.xhtml").xpath(
        "//x:p[@class='contents-print-page']", namespaces=NS) == []
    arabic = Epub(write(rtl_pack(), pages=pdf_like_pages(rtl_pack())).data)
    assert arabic.doc("contents.xhtml").xpath("//x:p[@class='contents-print-page']/text()", namespaces=NS)[0] == (
        "الصفحة 3 من 17")


def test_a_single_articles_front_matter_pages_go_before_its_title() -> None:
    pub = single(rich_document())
    pages = (PageStart(1, "i"), PageStart(2, "1", 0, None), PageStart(3, "2", 0, (4,)))
    book = Epub(write(pub, pages=pages).data)
    header = book.doc("article-001.xhtml").find(".//x:header", NS)
    assert [m.get("aria-label") for m in header.findall("x:span", NS)] == ["i", "1"]
    assert book.page_list() == [("i", "article-001.xhtml#page_1"), ("1", "article-001.xhtml#page_2"),
                                ("2", "article-001.xhtml#page_3")]


def test_a_page_map_that_does_not_fit_never_breaks_the_epub() -> None:
    pub = single(Document(Meta(title="Short"), (para("One."), Heading(2, (t(""),)), para("Two."))))
    pages = (
        PageStart(3, "3", 0, (2,)),
        PageStart(1, "1", 0, None),
        PageStart(2, "2", 0, (0, 5, 1)),  # a path this tree does not have: its nearest block, (0,)
        PageStart(2, "2", 0, (2,)),  # a page number given twice: used once
        PageStart(4, "4", 7, (0,)),  # an article that does not exist: front matter, kept in reading order
        PageStart(5, "5", 0, (1,)),  # an empty heading, not rendered: the next block that is
    )
    book = Epub(write(pub, pages=pages).data)
    assert [label for label, _ in book.page_list()] == ["1", "2", "3", "4", "5"]
    body = book.doc("article-001.xhtml").find(".//x:section", NS)
    order = [el.get("aria-label") or el.get("id") or etree.QName(el).localname for el in body
             if el.tag != f"{X}header"]
    # 4 and 5 never go back before page 3; the empty heading keeps only its anchor ("section").
    assert order == ["2", "p", "section", "3", "4", "5", "p"]


# --------------------------------------------------------------------------
# Languages, roles, metadata, conformance
# --------------------------------------------------------------------------


def test_package_and_every_document_name_their_language() -> None:
    for pub, expected in ((rtl_pack(), "ar"), (single(rich_document(language="de")), "de")):
        book = Epub(write(pub).data)
        assert book.opf.get(XML_LANG) == expected
        for href in [*book.documents]:
            html = book.doc(href)
            assert html.get("lang") == html.get(XML_LANG) and html.get("lang"), href


ROLES = {"chapter": "doc-chapter", "toc": "doc-toc", "pagebreak": "doc-pagebreak", "page-list": "doc-pagelist",
         "abstract": "doc-abstract", "cover": "doc-cover"}


def test_every_epub_type_has_its_matching_role() -> None:
    pub = briefing_pack(8)
    book = Epub(write(pub, resources=figure_resources(), pages=pdf_like_pages(pub)).data)
    seen = set()
    for href in book.documents:
        for el in book.doc(href).xpath("//*[@epub:type]", namespaces=NS):
            kind = el.get(EPUB_TYPE)
            seen.add(kind)
            if el.getparent() is not None and el.tag == f"{X}a":
                continue  # landmark links name their target, they are not structures
            if kind == "landmarks":
                assert el.get("hidden") == "hidden"  # navigation for reading systems, no ARIA role exists
                continue
            assert el.get("role") == ROLES[kind], (href, kind)
    assert {"chapter", "toc", "pagebreak", "page-list", "abstract", "cover", "landmarks"} <= seen


def test_accessibility_metadata_without_an_evaluator_claims_no_conformance() -> None:
    book = Epub(write(single(images_everywhere_document()), resources=images_everywhere_resources()).data)
    assert book.meta("schema:accessMode") == ["textual", "visual"]
    assert book.meta("schema:accessModeSufficient") == ["textual", "textual,visual"]
    assert set(book.meta("schema:accessibilityFeature")) == {
        "structuralNavigation", "tableOfContents", "readingOrder", "displayTransformability", "ARIA",
        "alternativeText"}
    assert book.meta("schema:accessibilityHazard") == ["none"]
    (summary,) = book.meta("schema:accessibilitySummary")
    assert "no evaluator was named, so no conformance is claimed" in summary
    assert book.meta("dcterms:conformsTo") == [] and book.meta("a11y:certifiedBy") == []


def certified(name: str = "briefing") -> StyleSheet:
    return with_overrides(load_style(name), [("accessibility.certified_by", "Briefing Desk QA")])


def test_conformance_is_claimed_when_the_checks_pass_and_an_evaluator_is_named() -> None:
    result = write(single(images_everywhere_document()), certified(), resources=images_everywhere_resources())
    book = Epub(result.data)
    assert book.meta("dcterms:conformsTo") == [CONFORMANCE] == ["EPUB Accessibility 1.1 - WCAG 2.1 Level AA"]
    assert book.meta("a11y:certifiedBy") == ["Briefing Desk QA"]
    assert book.meta("schema:accessibilitySummary")[0].endswith(f"Meets {CONFORMANCE}.")
    assert result.diagnostics == ()


@pytest.mark.parametrize(
    ("case", "reason"),
    [
        (lambda: Document(Meta(title="No alt"), (Figure((), image="map.webp"),)), "1 image has no text alternative"),
        (lambda: Document(Meta(title="No alt"), (Paragraph((Image("photo.png"),)),)),
         "1 image has no text alternative"),
        (lambda: Document(Meta(title="Bad tag", language="English (UK)"), (para("x"),)),
         "the publication's language tag is not well-formed"),
        (lambda: Document(Meta(title="Bad span"), (Paragraph((t("x"),)), Paragraph((Span((t("y"),), lang="xx yy"),)))),
         "a part of the text has a language tag that is not well-formed"),
    ],
)
def test_no_conformance_claim_when_a_check_fails_and_the_reason_is_reported(
    case: Callable[[], Document], reason: str
) -> None:
    result = write(single(case()), certified(), resources=figure_resources())
    book = Epub(result.data)
    assert book.meta("dcterms:conformsTo") == [] and book.meta("a11y:certifiedBy") == []
    notes = [d.message for d in result.diagnostics if d.code == "writer.metadata" and "conformance" in d.message]
    assert len(notes) == 1 and reason in notes[0]
    if "image" in reason:
        assert "alternativeText" not in book.meta("schema:accessibilityFeature")
        assert book.meta("schema:accessModeSufficient") == ["textual,visual"]


def test_links_are_underlined_in_every_style() -> None:
    for name in ("briefing", "plain"):
        css = Epub(write(single(rich_document()), name).data).zip.read("EPUB/style/briefpub.css").decode()
        (rule,) = re.findall(r"\na \{([^}]*)\}", css)
        assert "text-decoration: underline" in rule and "color: inherit" in rule, name


# --------------------------------------------------------------------------
# DAISY Ace: 0 violations, one Node process for every EPUB
# --------------------------------------------------------------------------

Case = Callable[[], tuple[Publication, dict[str, bytes], StyleSheet, tuple[PageStart, ...]] | None]


def _fixture_case(path: Path) -> Case:
    def make() -> tuple[Publication, dict[str, bytes], StyleSheet, tuple[PageStart, ...]] | None:
        try:
            article = prepare_article(str(path))
        except BriefpubError:
            return None  # a fixture the reader refuses on purpose
        return single(article.document), dict(article.resources), load_style("briefing"), ()

    return make


def _reference() -> tuple[Publication, dict[str, bytes], StyleSheet, tuple[PageStart, ...]] | None:
    if shared_or_none(REFERENCE) is None:
        return None
    article = prepare_article(str(REFERENCE))
    pub = single(article.document)
    return pub, dict(article.resources), certified(), pdf_like_pages(pub, front=0)


def _with_pages(pub: Publication, resources: dict[str, bytes], style: StyleSheet
                ) -> tuple[Publication, dict[str, bytes], StyleSheet, tuple[PageStart, ...]]:
    return pub, resources, style, pdf_like_pages(pub)


ACE_CASES: dict[str, Case] = {
    "reference": _reference,
    "pack-32": lambda: (briefing_pack(32), figure_resources(), load_style("briefing"), ()),
    "pack-rtl": lambda: (rtl_pack(), {}, load_style("briefing"), ()),
    "pack-print-pages": lambda: _with_pages(briefing_pack(10), figure_resources(), certified()),
    "pack-rtl-print-pages": lambda: _with_pages(rtl_pack(), {}, load_style("briefing")),
    "pack-plain": lambda: (briefing_pack(9, summary_page=False), figure_resources(), load_style("plain"), ()),
    "images-everywhere": lambda: (single(images_everywhere_document()), images_everywhere_resources(), certified(),
                                  ()),
    "rich": lambda: (single(rich_document()), {}, load_style("briefing"), ()),
    "rich-plain": lambda: (single(rich_document(marking="")), {}, load_style("plain"), ()),
    "long": lambda: (single(long_document()), {}, load_style("briefing"), ()),
    "hostile": lambda: (single(hostile_document()), {}, load_style("briefing"), ()),
    "scripts": lambda: (single(scripts_document()), {}, load_style("briefing"), ()),
    "arabic": lambda: (single(arabic_document()), {}, load_style("briefing"), ()),
    "figures": lambda: (single(figures_document()), figure_resources(), load_style("briefing"), ()),
    "empty": lambda: (single(Document()), {}, load_style("briefing"), ()),
}
for _path in sorted(p for p in FIXTURES.rglob("*") if p.is_file()) if FIXTURES.is_dir() else []:
    ACE_CASES[f"fixture:{_path.relative_to(FIXTURES).as_posix()}"] = _fixture_case(_path)


# Broken on purpose: (name, entry, change, the Ace rule that must report it).
ACE_MUTANTS: list[tuple[str, str, Callable[[bytes], bytes], str]] = [
    ("mutant-no-package-language", "EPUB/content.opf", lambda opf: opf.replace(b' xml:lang="en"', b""), "epub-lang"),
    ("mutant-no-role", "EPUB/article-001.xhtml",
     lambda html: html.replace(b' role="doc-chapter"', b""), "epub-type-has-matching-role"),
]


@pytest.fixture(scope="session")
def ace_results(tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    """Every case written to one folder and checked by Ace in one Node process."""
    from ace_runner import run_ace

    workdir = tmp_path_factory.mktemp("ace")
    files: dict[str, Path] = {}
    for name, case in ACE_CASES.items():
        made = case()
        if made is None:
            continue
        pub, resources, style, pages = made
        files[name] = workdir / f"{re.sub(r'[^A-Za-z0-9.-]+', '_', name)}.epub"
        files[name].write_bytes(write(pub, style, resources=resources, pages=pages).data)
    rich = files["rich"].read_bytes()
    for name, entry, change, _rule in ACE_MUTANTS:
        files[name] = workdir / f"{name}.epub"
        files[name].write_bytes(rewrite_entry(rich, entry, change))
    results = run_ace(list(files.values()), workdir)
    return {name: results.get(str(path)) for name, path in files.items()}


# One test, not one per file: under pytest-xdist each worker using the session fixture would start Ace again.
@pytest.mark.slow
def test_ace_finds_no_violation_and_the_harness_catches_them(ace_results: dict[str, object]) -> None:
    from ace_runner import AceResult

    problems = []
    checked = 0
    for name in ACE_CASES:
        result = ace_results.get(name)
        if result is None:
            if name == "reference" or name.startswith("fixture:"):
                continue  # the reference article is absent, or a fixture the reader refuses
            problems.append(f"{name}: Ace produced no result")
            continue
        assert isinstance(result, AceResult)
        checked += 1
        if result.error or result.violations:
            details = "\n  ".join(map(str, result.violations))
            problems.append(f"{name}: {result.error or result.by_rule()}\n  {details}")
    for name, _entry, _change, rule in ACE_MUTANTS:
        result = ace_results.get(name)
        if not isinstance(result, AceResult) or rule not in result.by_rule().__str__():
            problems.append(f"{name}: Ace should report {rule}, got {result}")
    assert not problems, "\n".join(problems)
    assert checked >= 15
    certified_case = ace_results["images-everywhere"]
    assert isinstance(certified_case, AceResult)
    assert "dcterms:conformsTo" in certified_case.metadata.get("present", [])
    assert "a11y:certifiedBy" in certified_case.metadata.get("present", [])


def test_style_override_for_the_evaluator_is_a_plain_string() -> None:
    sheet = certified("plain")
    assert sheet.accessibility.certified_by == "Briefing Desk QA"
    assert dataclasses.replace(sheet.accessibility, certified_by="").certified_by == ""
