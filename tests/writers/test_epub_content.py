"""The EPUB writer on the shared layer: images anywhere, internal links, language of parts, emphasis.

Every check reads the written EPUB back (zipfile + lxml). The trees go through
the pipeline's own transforms (:func:`briefpub.transforms.prepare`: heading ids,
``#fragment`` links retargeted) exactly as ``briefpub convert`` would, and one
test converts a Markdown file end to end with :func:`briefpub.pipeline.prepare_article`.
"""

from __future__ import annotations

from datetime import UTC, datetime
from functools import cached_property
from pathlib import Path

from lxml import etree

from briefpub.pipeline import prepare_article, style_fonts
from briefpub.styling import load_style
from briefpub.transforms import prepare
from briefpub.tree import (
    Document,
    Emphasis,
    Heading,
    Image,
    Link,
    Meta,
    Paragraph,
    Publication,
    Span,
    Text,
)
from briefpub.writers import WriteOptions, WriteResult
from briefpub.writers.epub import WRITER
from epub_package import EpubPackage
from samples import images_everywhere_document, images_everywhere_resources, pack, para, single, t

NS = {"x": "http://www.w3.org/1999/xhtml", "opf": "http://www.idpf.org/2007/opf",
      "epub": "http://www.idpf.org/2007/ops"}
X = "{http://www.w3.org/1999/xhtml}"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
BUILD = datetime(2024, 5, 6, 7, 8, 9, tzinfo=UTC)
STYLE = load_style("briefing")


def write(pub: Publication, resources: dict[str, bytes] | None = None) -> WriteResult:
    return WRITER.write(pub, STYLE, WriteOptions(build_time=BUILD, resources=resources or {},
                                                 fonts=style_fonts(STYLE)))


class Epub(EpubPackage):
    """The EPUB parts this module reads."""

    @cached_property
    def manifest(self) -> dict[str, str]:
        return {el.get("href"): el.get("media-type") for el in self.opf.iter("{*}item")}

    def hrefs(self) -> list[tuple[str, str]]:
        """Every (document, href) of an ``<a>`` in every content document, the navigation included."""
        return [(name, a.get("href")) for name in self.documents for a in self.doc(name).iter(f"{X}a")]

    def broken_links(self) -> list[tuple[str, str]]:
        """Internal hrefs whose file is not in the package or whose fragment names no id in it."""
        broken = []
        for name, href in self.hrefs():
            if href.startswith(("http://", "https://", "mailto:")):
                continue
            file, _, fragment = href.partition("#")
            if file not in self.manifest or (fragment and not self.doc(file).xpath(f"//*[@id='{fragment}']")):
                broken.append((name, href))
        return broken


RESOURCES = images_everywhere_resources()


def images_everywhere() -> Document:
    return images_everywhere_document()


def test_images_anywhere_are_embedded_with_their_alt_text() -> None:
    result = write(single(images_everywhere()), RESOURCES)
    book = Epub(result.data)
    body = book.doc("article-001.xhtml").find("x:body", NS)
    where = {img.get("alt"): etree.QName(img.getparent()).localname for img in body.iter(f"{X}img")}
    assert where == {"Delegates in a hall": "figure", "A hotel entrance": "figure", "Blue flag": "td",
                     "info icon": "p"}
    assert body.xpath(".//x:li/x:figure/x:img/@alt", namespaces=NS) == ["Delegates in a hall"]
    assert body.xpath(".//x:blockquote/x:figure/x:img/@alt", namespaces=NS) == ["A hotel entrance"]
    for img in body.iter(f"{X}img"):
        assert book.manifest[img.get("src")].startswith("image/")
        assert book.zip.read(f"EPUB/{img.get('src')}")[:4] in (b"\x89PNG", b"\xff\xd8\xff\xe0", b"\xff\xd8\xff\xdb")
    assert len([h for h in book.manifest if h.startswith("images/img-")]) == 4
    assert result.diagnostics == ()


def test_internal_links_point_at_the_headings_in_their_document() -> None:
    result = write(single(images_everywhere()), RESOURCES)
    book = Epub(result.data)
    body = book.doc("article-001.xhtml").find("x:body", NS)
    links = [(a.get("href"), "".join(a.itertext())) for a in body.iter(f"{X}a")]
    assert links[:2] == [("article-001.xhtml#background", "the first background"),
                         ("article-001.xhtml#background-1", "the second")]
    assert [h.text for h in body.xpath(".//x:h2[@id='background' or @id='background-1']", namespaces=NS)] == [
        "Background", "Background"]
    assert book.broken_links() == []
    assert not [d for d in result.diagnostics if d.code == "writer.unsafe-link"]


def test_internal_links_in_a_pack_carry_the_articles_prefix_and_file() -> None:
    first = prepare(Document(Meta(title="First"), (Heading(2, (t("Background"),)), para("One."))))
    third = images_everywhere()
    result = write(pack([first, Document(Meta(title="Second"), (para("Two."),)), third]), RESOURCES)
    book = Epub(result.data)
    hrefs = book.doc("article-003.xhtml").xpath("//x:p/x:a/@href", namespaces=NS)
    assert hrefs[:2] == ["article-003.xhtml#a3-background", "article-003.xhtml#a3-background-1"]
    assert book.doc("article-001.xhtml").xpath("//x:h2[@class='heading2']/@id", namespaces=NS) == ["a1-background"]
    assert book.broken_links() == []


def test_a_fragment_naming_no_heading_and_an_address_with_no_host_are_refused() -> None:
    doc = prepare(Document(Meta(title="Links"), (
        Heading(2, (t("Here"),)),
        Paragraph((Link("#nowhere", (t("lost"),)), t(" "), Link("https://", (t("no host"),)), t(" "),
                   Link("#here", (t("found"),)))),
    )))
    result = write(single(doc))
    body = Epub(result.data).doc("article-001.xhtml").find("x:body", NS)
    assert body.xpath("//x:p/x:a/@href", namespaces=NS) == ["article-001.xhtml#here"]
    assert "lost no host found" in " ".join("".join(body.itertext()).split())
    assert [(d.code, d.text) for d in result.diagnostics] == [("writer.unsafe-link", "#nowhere"),
                                                               ("writer.unsafe-link", "https://")]


def test_a_link_inside_a_link_is_one_link() -> None:
    doc = Document(Meta(title="Nested"), (Paragraph((
        Link("https://a.example/", (t("outer "), Link("https://b.example/", (t("inner"),)), t(" end"))),)),))
    body = Epub(write(single(doc)).data).doc("article-001.xhtml").find("x:body", NS)
    anchors = list(body.iter(f"{X}a"))
    assert [(a.get("href"), "".join(a.itertext())) for a in anchors] == [("https://a.example/", "outer inner end")]


def test_language_spans_carry_lang_xml_lang_and_direction() -> None:
    doc = Document(Meta(title="Languages", language="en"), (
        Paragraph((t("He said "), Span((t("bonjour"),), lang="fr"), t(" and "),
                   Span((t("مرحبا"),), lang="ar"), t(" and "), Span((t("hello"),), lang="en"), t(" and "),
                   Span((t("kept"),), lang="not a tag"), t("."))),
    ))
    result = write(single(doc))
    body = Epub(result.data).doc("article-001.xhtml").find("x:body", NS)
    spans = [(s.get("lang"), s.get(XML_LANG), s.get("dir"), s.text) for s in body.iter(f"{X}span")]
    assert spans == [("fr", "fr", None, "bonjour"), ("ar", "ar", "rtl", "مرحبا")]
    text = "".join(body.itertext())
    assert "hello and kept." in text
    assert [(d.code, d.text) for d in result.diagnostics] == [("writer.metadata", "not a tag")]


def test_nested_emphasis_stays_nested_and_is_set_upright() -> None:
    doc = Document(Meta(title="Emphasis"), (
        Paragraph((Emphasis((t("Italic "), Emphasis((t("roman"),)), t(" italic"))),)),))
    book = Epub(write(single(doc)).data)
    p = book.doc("article-001.xhtml").find(".//x:section/x:p", NS)
    assert etree.tostring(p, encoding="unicode").endswith("<em>Italic <em>roman</em> italic</em></p>\n")
    css = book.zip.read("EPUB/style/briefpub.css").decode()
    assert "em em {\n  font-style: normal;\n}" in css
    assert "em em em {\n  font-style: italic;\n}" in css


def test_an_inline_image_that_cannot_be_embedded_keeps_its_alt_text_and_is_reported() -> None:
    doc = Document(Meta(title="Missing"), (Paragraph((t("A "), Image("gone.png", alt="red square"), t(" here."))),))
    result = write(single(doc))
    body = Epub(result.data).doc("article-001.xhtml").find("x:body", NS)
    assert body.find(".//x:img", NS) is None
    assert "A red square here." in "".join(body.itertext())
    assert [(d.code, d.text) for d in result.diagnostics] == [("writer.image-missing", "gone.png")]


def test_a_prepared_tree_keeps_its_ids_and_an_unprepared_one_gets_the_transforms() -> None:
    prepared = images_everywhere()
    ids = [b.id for b in prepared.blocks if isinstance(b, Heading)]
    body = Epub(write(single(prepared), RESOURCES).data).doc("article-001.xhtml")
    assert body.xpath("//x:h2[@class='heading2']/@id", namespaces=NS) == ids == ["background", "background-1"]
    raw = Document(Meta(title="Raw"), (Heading(2, (t("Same"),), id="x y"), Heading(2, (t("Same"),), id="x y"),
                                       Paragraph((Link("#x y", (t("first"),)),))))
    body = Epub(write(single(raw)).data).doc("article-001.xhtml")
    assert body.xpath("//x:h2[@class='heading2']/@id", namespaces=NS) == ["x-y", "x-y-1"]
    assert body.xpath("//x:p/x:a/@href", namespaces=NS) == ["article-001.xhtml#x-y"]


MARKDOWN = """---
title: Images everywhere
language: en
---

See [the first background](#background) and [the second](#background-1).

## Background

- A list item with a photo:

  ![Delegates in a hall](list.png)

> A quote with an image:
>
> ![A hotel entrance](quote.jpg)

| Flag | Country |
|---|---|
| ![Blue flag](flag.png) | Blueland |

## Background

The end.
"""


def test_a_markdown_article_converts_with_every_image_and_internal_link(tmp_path: Path) -> None:
    for name in ("list.png", "quote.jpg", "flag.png"):
        (tmp_path / name).write_bytes(RESOURCES[name])
    source = tmp_path / "article.md"
    source.write_text(MARKDOWN, encoding="utf-8")
    article = prepare_article(str(source))
    result = write(single(article.document), dict(article.resources))
    book = Epub(result.data)
    alts = sorted(img.get("alt") for img in book.doc("article-001.xhtml").iter(f"{X}img"))
    assert alts == ["A hotel entrance", "Blue flag", "Delegates in a hall"]
    assert book.broken_links() == []
    internal = [h for _, h in book.hrefs() if h.startswith("article-001.xhtml#background")]
    assert {"article-001.xhtml#background", "article-001.xhtml#background-1"} <= set(internal)
    assert not [d for d in (*article.diagnostics, *result.diagnostics) if d.severity == "warning"]


def test_text_around_inline_nodes_is_never_lost() -> None:
    doc = Document(Meta(title="Kept"), (Paragraph((Text("a"), Span((Text("b"),), lang="de"), Text("c"))),))
    body = Epub(write(single(doc)).data).doc("article-001.xhtml").find("x:body", NS)
    assert "abc" in "".join(body.itertext())
