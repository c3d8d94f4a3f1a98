"""The PDF writer on the writers' shared layer: localised frame, internal links, images anywhere,
language spans, and where each page begins (``WriteResult.pages``).

Expectations are read from the PDF itself (pypdf, ``pdftotext -layout``) and compared with literal
labels or with the tree, never with the writer's own bookkeeping.
"""

from __future__ import annotations

import io
import re
import subprocess
import tempfile
import unicodedata
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pypdf
import pytest

from briefpub.pipeline import prepare_article, style_fonts
from briefpub.pipeline.resources import image_refs
from briefpub.styling import load_style, with_overrides
from briefpub.transforms import prepare
from briefpub.tree import (
    Block,
    BlockPath,
    BlockQuote,
    BulletList,
    Document,
    Emphasis,
    Figure,
    Heading,
    Image,
    Inline,
    Link,
    ListItem,
    Meta,
    OrderedList,
    PackMeta,
    Paragraph,
    Publication,
    Span,
    Table,
    TableCell,
    TableRow,
    Text,
    block_inlines,
    enumerate_blocks,
    inline_text,
    iter_inlines,
)
from briefpub.writers import WriteOptions, WriteResult
from briefpub.writers.pdf import WRITER
from extract import pdf_pages
from fidelity import assert_faithful
from images import png
from samples import LOREM, pack_article, para
from tools import require_tool

BUILD = datetime(2024, 5, 6, 7, 8, 9, tzinfo=UTC)
STYLE = load_style("briefing")
FONTS = style_fonts(STYLE)


def write(pub: Publication, style=STYLE, resources: dict[str, bytes] | None = None) -> WriteResult:
    return WRITER.write(pub, style, WriteOptions(build_time=BUILD, fonts=FONTS, resources=resources or {}))


def layout_pages(data: bytes) -> list[list[str]]:
    """Non-empty lines of every page as ``pdftotext -layout`` places them."""
    require_tool("pdftotext")
    out = subprocess.run(["pdftotext", "-layout", "-", "-"], input=data, capture_output=True, check=True).stdout
    return [[line for line in page.splitlines() if line.strip()] for page in out.decode("utf-8").split("\f")]


def warnings(result: WriteResult) -> list[str]:
    return [f"{d.code}: {d.message}" for d in result.diagnostics if d.severity != "info"]


def image_xobjects(data: bytes) -> set[int]:
    """Object numbers of every image XObject the pages draw (inside forms too)."""
    found: set[int] = set()

    def visit(resources: Any) -> None:
        for ref in (resources or {}).get("/XObject", {}).values():
            obj = ref.get_object()
            if obj.get("/Subtype") == "/Image":
                found.add(ref.idnum)
            elif obj.get("/Subtype") == "/Form":
                visit(obj.get("/Resources"))

    for page in pypdf.PdfReader(io.BytesIO(data)).pages:
        visit(page.get("/Resources"))
    return found


def internal_links(data: bytes) -> list[tuple[int, int, float]]:
    """(page of the link, target page, target top) of every internal link, in page order."""
    r = pypdf.PdfReader(io.BytesIO(data))
    out = []
    for number, page in enumerate(r.pages):
        for annot in page.get("/Annots", []):
            a = annot.get_object()
            if a.get("/Subtype") != "/Link" or ("/A" in a and a["/A"].get("/S") == "/URI"):
                continue
            dest = a.get("/Dest") if "/Dest" in a else a["/A"]["/D"]  # a destination, or a GoTo action's
            if isinstance(dest, (str, pypdf.generic.NameObject, pypdf.generic.TextStringObject)):
                dest = r.named_destinations[str(dest).lstrip("/")]
                out.append((number, r.get_destination_page_number(dest), float(dest.top)))
            else:
                out.append((number, r.get_page_number(dest[0].get_object()), float(dest[3])))
    return out


def text_positions(data: bytes, text: str) -> list[tuple[int, float]]:
    """(page, baseline y) of every piece of extracted text equal to ``text``."""
    out: list[tuple[int, float]] = []
    for number, page in enumerate(pypdf.PdfReader(io.BytesIO(data)).pages):
        def visit(t: str, cm: Any, tm: Any, _font: Any, _size: Any, number: int = number) -> None:
            if t.strip() == text:
                out.append((number, tm[5] * cm[3] + cm[5]))

        page.extract_text(visitor_text=visit)
    return out


# -- labels and dates in the publication's language ------------------------------------------------------


def german_article(title: str = "Gespräche in Genf", summary: tuple[str, ...] = ("Die Gespräche beginnen am Montag.",),
                   **meta: Any) -> Document:
    blocks = [para(f"Absatz {i}. Die Delegationen trafen sich am Samstag in der Hauptstadt, um die "
                   "Tagesordnung, die Sitzordnung und den Wortlaut einer gemeinsamen Erklärung festzulegen.")
              for i in range(40)]
    return prepare(Document(Meta(title=title, language="de", authors=("Anna Beispiel",), date="2017-01-23",
                                 source="Beispielzeitung", url="https://zeitung.example.de/genf",
                                 summary=summary, **meta), tuple(blocks)))


def test_german_article_prints_german_labels_and_dates():
    result = write(Publication((german_article(),)))
    pages = pdf_pages(result.data)
    assert len(pages) >= 2
    for number, text in enumerate(pages, start=1):
        assert f"Seite {number} von {len(pages)}" in text
        assert "Page " not in text
    first = pages[0]
    assert "Von Anna Beispiel · 23. Januar 2017 · Beispielzeitung" in first
    assert "Kernpunkte" in first and "Key points" not in first
    last = pages[-1]
    for label in ("Quelle", "Autor", "Veröffentlicht", "Link"):
        assert re.search(rf"^{label}\b", last, re.M), label
    assert "Source" not in last
    assert not warnings(result)


def test_german_pack_prints_german_front_matter():
    docs = (german_article("Erster Artikel", summary=()), german_article("Zweiter Artikel"),
            Document(Meta(language="de")))
    pack = PackMeta(title="Lagebild", date="2026-12-01", reference="LB-7", version="2", compiled_by="Lagezentrum",
                    marking="VS-NfD", language="de", summary_page=True)
    result = write(Publication(docs, pack), with_overrides(STYLE, [("page.duplex", "true")]))
    pages = pdf_pages(result.data)
    total = len(pages)
    for number, text in enumerate(pages, start=1):
        assert f"LB-7 · Version 2 · Seite {number} von {total}" in text
    cover = pages[0]
    for line in ("Datum: 1. Dezember 2026", "Referenz: LB-7", "Zusammengestellt von: Lagezentrum"):
        assert line in cover
    assert re.search(r"^Inhalt$", cover, re.M) and "Contents" not in cover
    summary = next(t for t in pages if t.startswith("Kernpunkte"))
    assert "Erster Satz: Absatz 0." in summary  # the first article has no key points: its opening sentence
    assert "Die Gespräche beginnen am Montag." in summary
    assert "Ohne Titel" in cover  # the untitled article
    assert any("Diese Seite bleibt absichtlich leer" in t for t in pages)
    assert any("Artikel 2 von 3" in t for t in pages)
    assert "Ende der Briefingmappe" in pages[-1]
    assert not any("Page " in t or "This page is intentionally" in t for t in pages)


# -- images anywhere and internal links, end to end from Markdown ----------------------------------------

ARTICLE_MD = """---
title: Images Everywhere
language: en
---

Jump to [the first background](#background), [the second one](#background-1) or [the outlook](#outlook).

## Background

An inline icon ![small icon](icon.png) in running text.

{filler}

- A list item with an image:

  ![A red square in a list](list.png)

- Another item.

> A quotation with a picture:
>
> ![A green square in a quote](quote.png)

| Flag | Name |
|------|------|
| ![A blue square in a cell](cell.png) | Blue |

## Background

{filler}

Back to [the first background](#background).

## Outlook

Closing words.
"""


@pytest.fixture(scope="module")
def markdown_article(tmp_path_factory: pytest.TempPathFactory) -> tuple[Any, WriteResult]:
    folder = tmp_path_factory.mktemp("md")
    for name, colour in (("list.png", (200, 30, 30)), ("quote.png", (30, 160, 60)), ("cell.png", (30, 60, 200)),
                         ("icon.png", (200, 160, 0))):
        (folder / name).write_bytes(png(160, 90, colour))
    filler = "\n\n".join(f"Filler paragraph {i}. {LOREM}" for i in range(14))
    (folder / "article.md").write_text(ARTICLE_MD.format(filler=filler), encoding="utf-8")
    article = prepare_article(str(folder / "article.md"))
    result = WRITER.write(Publication((article.document,)), STYLE,
                          WriteOptions(build_time=BUILD, fonts=FONTS, resources=article.resources))
    return article, result


def _reader_gives(doc: Document, kind: str) -> bool:
    """Whether the Markdown reader of this checkout keeps images in table cells / ``#fragment`` links."""
    if kind == "cell images":
        return any(isinstance(node, Image) for block in doc.blocks if isinstance(block, Table)
                   for node in iter_inlines((block,)))
    return any(isinstance(node, Link) and node.url.startswith("#") for node in iter_inlines(doc.blocks))


def test_markdown_article_embeds_every_image_and_warns_of_nothing(markdown_article):
    article, result = markdown_article
    refs = image_refs(article.document)
    assert len(refs) >= 3 and set(refs) == set(article.resources)  # running text, list item, quote (cell)
    assert len(image_xobjects(result.data)) == len(refs)
    assert not [d for d in article.diagnostics if d.severity != "info"]
    assert not warnings(result)
    assert_faithful(article.document, "\n".join(pdf_pages(result.data)))


def test_markdown_table_cell_image_is_embedded(markdown_article):
    article, result = markdown_article
    if not _reader_gives(article.document, "cell images"):
        pytest.skip("the Markdown reader of this checkout reads no images in table cells (readers branch)")
    assert len(image_refs(article.document)) == len(image_xobjects(result.data)) == 4


def _check_fragment_links(data: bytes, count: int) -> None:
    """The internal links go, in order, to the first "Background", the second, "Outlook", the first."""
    backgrounds = text_positions(data, "Background")
    outlook = text_positions(data, "Outlook")
    assert len(backgrounds) == 2 and len(outlook) == 1
    assert backgrounds[0][0] != backgrounds[1][0]  # the two "Background" headings are on different pages
    links = internal_links(data)
    assert len(links) == count
    expected = [backgrounds[0], backgrounds[1], outlook[0], backgrounds[0]][:count]
    for (_page, target, top), (heading_page, baseline) in zip(links, expected, strict=True):
        assert target == heading_page
        assert 0 < top - baseline < 30  # the destination is the top of that heading


def test_markdown_fragment_links_go_to_the_right_heading(markdown_article):
    article, result = markdown_article
    if not _reader_gives(article.document, "fragment links"):
        pytest.skip("the Markdown reader of this checkout keeps #fragment links as text (readers branch)")
    _check_fragment_links(result.data, 4)


def test_fragment_links_to_two_headings_with_one_text_go_to_each():
    filler = tuple(para(f"Filler paragraph {i}. {LOREM}") for i in range(14))
    doc = prepare(Document(Meta(title="Links"), (
        Paragraph((Link("#background", (Text("first"),)), Text(", "), Link("#background-1", (Text("second"),)),
                   Text(", "), Link("#Outlook", (Text("outlook"),)))),
        Heading(2, (Text("Background"),)), *filler,
        Heading(2, (Text("Background"),)), *filler, Paragraph((Link("#background", (Text("back"),)),)),
        Heading(2, (Text("Outlook"),)), para("Closing words."),
    )))
    result = write(Publication((doc,)))
    assert not warnings(result)
    _check_fragment_links(result.data, 4)


def test_internal_link_to_a_missing_heading_and_a_hostless_url_stay_text():
    doc = prepare(Document(Meta(title="Links"), (
        Paragraph((Link("#nowhere", (Text("no such heading"),)), Text(" and "),
                   Link("https://", (Text("no host"),)), Text(" and "),
                   Link("https://example.org/ok", (Text("fine"),)))),
    )))
    result = write(Publication((doc,)))
    refused = [d for d in result.diagnostics if d.code == "writer.unsafe-link"]
    assert sorted(d.text for d in refused) == ["#nowhere", "https://"]
    assert internal_links(result.data) == []
    r = pypdf.PdfReader(io.BytesIO(result.data))
    uris = [str(a.get_object()["/A"]["/URI"]) for a in r.pages[0].get("/Annots", []) if "/A" in a.get_object()]
    assert uris == ["https://example.org/ok"]
    assert "no such heading and no host and fine" in pdf_pages(result.data)[0]


# -- images in every place, from trees ---------------------------------------------------------------------


def _images_doc(cell_image: str = "cell.png") -> Document:
    return Document(Meta(title="Images"), (
        Paragraph((Text("An icon "), Image("icon.png", "a small icon"), Text(" in running text."))),
        BulletList((ListItem((para("Item with a figure"), Figure((Text("In a list"),), "list.png", "red"))),)),
        BlockQuote((Figure((Text("In a quote"),), "quote.png", "green"),), attribution=(Text("Someone"),)),
        OrderedList((ListItem((BlockQuote((Figure((), "nested.png", "nested deep"),)),)),)),
        Table((TableRow((TableCell((Text("Flag"),)), TableCell((Text("Name"),)))),),
              (TableRow((TableCell((Image(cell_image, "a blue flag"), Text(" Blue"))), TableCell((Text("Blue"),)))),)),
    ))


IMAGES = {name: png(120 + 10 * i, 60, (40 * i, 90, 160)) for i, name in
          enumerate(("icon.png", "list.png", "quote.png", "nested.png", "cell.png"))}


def test_images_in_paragraphs_lists_quotes_and_cells_are_all_embedded():
    result = write(Publication((_images_doc(),)), resources=IMAGES)
    assert len(image_xobjects(result.data)) == 5
    assert not warnings(result)
    text = pdf_pages(result.data)[0]
    for words in ("An icon", "in running text.", "In a list", "In a quote", "Blue"):
        assert words in text
    assert "a blue flag" not in text and "a small icon" not in text  # alt text is not printed when shown


def test_an_inline_image_that_cannot_be_shown_prints_its_alt_text_and_is_reported():
    resources = {k: v for k, v in IMAGES.items() if k != "cell.png"}
    result = write(Publication((_images_doc(),)), resources={**resources, "icon.png": b"not an image"})
    assert len(image_xobjects(result.data)) == 3
    missing = sorted(d.text for d in result.diagnostics if d.code == "writer.image-missing")
    assert missing == ["cell.png", "icon.png"]
    text = pdf_pages(result.data)[0]
    assert "An icon a small icon in running text." in text and "a blue flag Blue" in text


def test_inline_image_flowables_keep_their_alt_text():
    """The engine sets text only: an inline image is set as an image after its paragraph (in a table cell,
    between the cell's paragraphs), its alt text and place kept on it."""
    from briefpub.writers.common.frame import frames
    from briefpub.writers.pdf.flowables import LocatedImage, LocatedText, PageState
    from briefpub.writers.pdf.fonts import make_chains
    from briefpub.writers.pdf.images import Images
    from briefpub.writers.pdf.layout import ArticleLayout, TextArea
    from briefpub.writers.pdf.paragraphs import Setter
    from briefpub.writers.pdf.tagging import Marked

    pub = Publication((_images_doc(),))
    frame = frames(pub, STYLE).articles[0]
    images = Images(IMAGES, [])
    setter = Setter(STYLE, make_chains(FONTS), images, [], language="en", rtl=False, width=450, height=700)
    layout = ArticleLayout(frame=frame, sheet=STYLE, setter=setter, area=TextArea(450, 700), state=PageState("", ""),
                           images=images, diagnostics=[])
    table = layout.block(frame.document.blocks[4], (4,), 450)[-1]
    cell = table._cellvalues[1][0]
    # each image is drawn as a Figure of the tagged PDF, its alt text the Figure's /Alt
    assert isinstance(cell[0], Marked) and cell[0].element.alt == "a blue flag"
    assert cell[0].element.parent.role == "TD"
    assert isinstance(cell[0].content, LocatedImage) and cell[0].content.bp_where == (0, (4,))
    assert isinstance(cell[1], LocatedText)
    paragraph, image = layout.block(frame.document.blocks[0], (0,), 450)
    assert isinstance(paragraph, LocatedText) and "a small icon" not in paragraph.plain_text()
    assert isinstance(image, Marked) and image.element.alt == "a small icon" and image.element.parent is paragraph.tag
    assert isinstance(image.content, LocatedImage) and image.content.bp_where == (0, (0,))


# -- language spans: fonts and hyphenation -----------------------------------------------------------------


def _fonts_of_text(data: bytes, needle: str) -> set[str]:
    """The fonts of the text pieces that hold ``needle`` (compared after NFKC: shaped Arabic extracts as
    presentation forms)."""
    found: set[str] = set()
    for page in pypdf.PdfReader(io.BytesIO(data)).pages:
        def visit(t: str, _cm: Any, _tm: Any, font: Any, _size: Any) -> None:
            if needle in unicodedata.normalize("NFKC", t) and font is not None:
                found.add(str(font["/BaseFont"]).split("+")[-1])

        page.extract_text(visitor_text=visit)
    return found


def test_an_arabic_span_is_set_in_the_arabic_family():
    names = [f.name for f in FONTS.families("body")]
    if "Noto Sans Arabic" not in names:
        pytest.skip("fonts-noto-core not installed")
    doc = Document(Meta(title="Spans"), (
        Paragraph((Text("The minister, "), Span((Text("وزير"),), "ar"), Text(", spoke.")),),
        Paragraph((Text("Without a span: وزير"),)),
    ))
    data = write(Publication((doc,))).data
    fonts = _fonts_of_text(data, "وزير")
    assert any(name.startswith("NotoSansArabic") for name in fonts), fonts
    assert any(name.startswith("DejaVuSans") for name in fonts), fonts  # the unmarked one keeps the chain's order


@pytest.mark.parametrize("span", [False, True])
def test_a_word_in_parentheses_or_quotes_is_set_in_one_font(span):
    """reportlab shapes a word set in several fonts with the first font's glyphs: "(" in the Latin font
    and the Arabic letters in another printed the letters as empty boxes."""
    def arabic(text: str) -> Inline:
        return Span((Text(text),), "ar") if span else Text(text)

    doc = Document(Meta(title="Punctuation"), (Paragraph((
        Text("The envoy ("), arabic("وزير"), Text(") and «"), arabic("وزير"), Text("» spoke, "), arabic("وزير"),
        Text(", at last.")),),))
    result = write(Publication((doc,)))
    raw = pdf_pages(result.data)[0]
    text = unicodedata.normalize("NFKC", raw)
    assert text.count("وزير") == 3, text
    assert "at last." in raw  # shaped Latin without HarfBuzz's discretionary ligatures ("la\ufb06t")
    assert not [d for d in result.diagnostics if d.code == "writer.missing-glyph"]


def test_a_german_span_in_an_english_paragraph_is_hyphenated_by_german_patterns():
    word = "Verkehrsministerium"
    words = ["Words", "to", "fill", "the", "line", "before", "the", "long", "one", "arrives", "here"]
    runs: list[Inline] = []
    for i in range(30):
        runs += [Text(" ".join(words[: 4 + i % 7]) + " "), Span((Text(word),), "de"), Text(" ")]
    doc = Document(Meta(title="Hyphenation", language="en"), (Paragraph(tuple(runs)),))
    from pdfmeasure import lines_of

    path = Path(tempfile.mkdtemp()) / "span.pdf"
    path.write_bytes(write(Publication((doc,))).data)
    import pyphen

    german = {word[: len(head)] for head, _tail in pyphen.Pyphen(lang="de_DE", left=3, right=3).iterate(word)}
    english = {word[: len(head)] for head, _tail in pyphen.Pyphen(lang="en_US", left=3, right=3).iterate(word)}
    breaks = {line.words[-1].text[:-1] for line in lines_of(path)
              if line.words[-1].text.startswith(word[:3]) and line.words[-1].text.endswith("-")}
    assert breaks, "the German word was never hyphenated"
    assert breaks <= german, breaks - german  # never at an English-only break ("Verkehrsmin-")
    assert breaks & (german - english), breaks  # and at least once where only German breaks it


def test_nested_emphasis_turns_back_to_roman():
    doc = Document(Meta(title="Emphasis"), (Paragraph((Emphasis((Text("outer "), Emphasis((Text("inner"),)),
                                                                 Text(" outer again"))),)),))
    data = write(Publication((doc,))).data

    def italic(name: str) -> bool:
        return "Italic" in name or name.endswith("It")

    assert _fonts_of_text(data, "outer") and all(italic(f) for f in _fonts_of_text(data, "outer"))
    assert _fonts_of_text(data, "inner") and not any(italic(f) for f in _fonts_of_text(data, "inner"))


# -- where each page begins ----------------------------------------------------------------------------------


def _words(prefix: str, count: int) -> str:
    return " ".join(f"{prefix}w{k}" for k in range(count))


def _page_start_doc() -> Document:
    """A long article whose every word names its block: ``p3w7`` is word 7 of block p3."""
    blocks: list[Block] = []
    for i in range(48):
        match i % 6:
            case 1:
                blocks.append(BulletList(tuple(
                    ListItem((para(_words(f"l{i}i{j}x", 45)),
                              *((OrderedList((ListItem((para(_words(f"n{i}i{j}x", 30)),)),)),) if j == 1 else ())))
                    for j in range(3))))
            case 3:
                blocks.append(BlockQuote((para(_words(f"q{i}a", 50)), para(_words(f"q{i}b", 50))),
                                         attribution=(Text(f"s{i}"),)))
            case 4:
                blocks.append(Table((TableRow((TableCell((Text(f"h{i}a"),)), TableCell((Text(f"h{i}b"),)))),),
                                    tuple(TableRow((TableCell((Text(f"t{i}r{r}a"),)),
                                                    TableCell((Text(_words(f"t{i}r{r}b", 6)),))))
                                          for r in range(14))))
            case 5:
                blocks.append(Heading(2, (Text(f"g{i}"),)))
            case _:
                blocks.append(para(_words(f"p{i}", 70)))
    return prepare(Document(Meta(title="Where Pages Begin", marking="OFFICIAL"), tuple(blocks)))


def _owners(doc: Document) -> dict[str, BlockPath]:
    """Each word of the article and the path of the block whose own text holds it."""
    owners: dict[str, BlockPath] = {}
    for path, block in enumerate_blocks(doc.blocks):
        for run in block_inlines(block):
            for word in inline_text(run).split():
                owners.setdefault(word, path)
    return owners


def test_page_starts_are_where_each_pages_text_begins():
    doc = _page_start_doc()
    result = write(Publication((doc,)))
    pages = layout_pages(result.data)[: len(result.pages)]
    assert len(pages) >= 6
    assert [p.page for p in result.pages] == list(range(1, len(pages) + 1))
    assert [p.label for p in result.pages] == [str(n) for n in range(1, len(pages) + 1)]
    assert result.pages[0].document == 0 and result.pages[0].path is None  # the title block
    owners = _owners(doc)
    kinds: set[int] = set()
    for start, lines in zip(result.pages[1:], pages[1:], strict=True):
        body = lines[2:]  # below the marking and the running header
        first = next(w for w in body[0].split() if w in owners)
        assert start.document == 0 and start.path == owners[first], (start, body[0])
        kinds.add(len(start.path or ()))
    assert {1, 3} <= kinds  # pages that begin in a top-level block and inside a list item or quote


def test_page_start_check_can_fail():
    doc = _page_start_doc()
    result = write(Publication((doc,)))
    owners = _owners(doc)
    pages = layout_pages(result.data)
    shifted = [(p.document, (p.path[0] + 1, *p.path[1:]) if p.path else None) for p in result.pages[1:]]
    assert any(owners[next(w for w in lines[2][: 200].split() if w in owners)] != where[1]
               for where, lines in zip(shifted, pages[1:], strict=False))


def test_pack_page_starts_front_matter_and_articles():
    pub = Publication(tuple(pack_article(n) for n in (1, 2, 3)),
                      PackMeta(title="Starts", marking="OFFICIAL", summary_page=True))
    result = write(pub, with_overrides(STYLE, [("page.duplex", "true")]))
    pages = pdf_pages(result.data)
    assert len(result.pages) == len(pages)
    for start, text in zip(result.pages, pages, strict=True):
        if start.document is None:  # front matter: cover, contents, summary page (and their blank versos)
            assert start.path is None
            continue
        title = pub.documents[start.document].meta.title
        if start.path is None:
            assert text.startswith(title)
        elif "This page is intentionally left blank" not in text:
            assert text.split("\n")[0].split()[0] in inline_text(
                next(iter(block_inlines(dict(enumerate_blocks(pub.documents[start.document].blocks))[start.path]))))
    documents = [s.document for s in result.pages]
    assert documents[0] is None and documents[-1] == 2 and sorted(set(documents) - {None}) == [0, 1, 2]


def test_pages_are_reported_identically_on_a_rebuild(tmp_path: Path):
    doc = _page_start_doc()
    first, second = write(Publication((doc,))), write(Publication((doc,)))
    assert first.pages == second.pages and first.data == second.data and first.fonts == second.fonts


def image_boxes(data: bytes) -> list[tuple[int, float, float, float, float]]:
    """(page, x, y, width, height) of every XObject drawn (reportlab draws each image as one)."""
    out: list[tuple[int, float, float, float, float]] = []
    for number, page in enumerate(pypdf.PdfReader(io.BytesIO(data)).pages):
        def visit(operator: bytes, _args: Any, cm: Any, _tm: Any, number: int = number) -> None:
            if operator == b"Do":
                out.append((number, cm[4], cm[5], cm[0], cm[3]))

        page.extract_text(visitor_operand_before=visit)
    return out


def test_a_tall_inline_image_in_a_first_line_stays_below_the_text_above():
    doc = Document(Meta(title="Tall"), (
        Heading(2, (Text("Above"),)),
        Paragraph((Text("Start "), Image("tall.png", "tall"), Text(" end of the first line."))),
        para("Below"),
    ))
    result = write(Publication((doc,)), resources={"tall.png": png(160, 120)})
    ((page, _x, y, _w, h),) = [box for box in image_boxes(result.data) if box[4] > 50]
    above = text_positions(result.data, "Above")[0]
    below = text_positions(result.data, "Below")[0]
    assert above[0] == below[0] == page
    assert y + h < above[1] - 2  # under the heading, not over it
    assert below[1] < y - 5  # and the next paragraph under the image's line
    assert y - below[1] < 40  # without a gap the height of the image
