"""The EPUB 3 navigation document: table of contents, landmarks, page list (writer stage).

ebooklib's own navigation document has no ``dir``, English headings and no
page list, so the writer builds it like every other content document and
ebooklib only declares it (``properties="nav"``) and derives the NCX from the
same entries:

* ``toc`` (``role="doc-toc"``): the summary page of a pack, then every
  article, each with its headings nested by outline depth (never an empty
  ``<ol>``, never a skipped level), in reading order; an article's entries
  carry its language where it differs from the publication's;
* ``landmarks`` (hidden): cover, contents page (packs), first article;
* ``page-list`` (``role="doc-pagelist"``, hidden), only when the print
  edition's page starts were given: one entry per printed page, in order,
  pointing at its marker.
"""

from __future__ import annotations

from dataclasses import dataclass

from lxml import etree

from briefpub.writers.epub.article import NavHeading
from briefpub.writers.epub.xhtml import EPUB_TYPE, Language, html_root, mark_language, q, serialise, sub

__all__ = ["NavArticle", "render_nav"]


@dataclass(frozen=True, slots=True)
class NavArticle:
    """An article as navigation lists it."""

    file_name: str
    title: str
    language: Language
    headings: tuple[NavHeading, ...]


def _link(parent: etree._Element, href: str, text: str, lang: Language | None, page: Language) -> None:
    link = sub(parent, "a", {"href": href}, text or href)
    if lang is not None:
        mark_language(link, lang, page)


def _headings(item: etree._Element, article: NavArticle, page: Language) -> None:
    """The article's headings nested under its entry: a heading goes under the nearest shallower one."""
    stack: list[tuple[int, etree._Element]] = [(0, item)]
    for heading in article.headings:
        while len(stack) > 1 and stack[-1][0] >= heading.depth:
            stack.pop()
        owner = stack[-1][1]
        if len(owner) and owner[-1].tag == q("ol"):
            listing = owner[-1]
        else:
            listing = sub(owner, "ol", block=True)
            listing.text = "\n"
        li = sub(listing, "li", block=True)
        _link(li, f"{article.file_name}#{heading.anchor}", heading.text, article.language, page)
        stack.append((heading.depth, li))


def render_nav(
    *,
    page: Language,
    title: str,
    css: str,
    front: list[tuple[str, str]],
    articles: list[NavArticle],
    landmarks: list[tuple[str, str, str]],
    page_list_label: str,
    page_list: list[tuple[str, str]],
) -> bytes:
    """The navigation document. ``front``: (file, label) before the articles; ``landmarks``: (type, href,
    label); ``page_list``: (label, href) in page order (empty: no page list)."""
    html, body = html_root(page, title, body_class="nav-page", css=css)
    toc = sub(body, "nav", {EPUB_TYPE: "toc", "role": "doc-toc", "id": "toc", "aria-labelledby": "toc_title"},
              block=True)
    toc.text = "\n"
    sub(toc, "h1", {"class": "title", "id": "toc_title"}, title, block=True)
    listing = sub(toc, "ol", block=True)
    listing.text = "\n"
    for href, label in front:
        _link(sub(listing, "li", block=True), href, label, None, page)
    for article in articles:
        item = sub(listing, "li", block=True)
        _link(item, article.file_name, article.title, article.language, page)
        _headings(item, article, page)
    marks = sub(body, "nav", {EPUB_TYPE: "landmarks", "id": "landmarks", "hidden": "hidden"}, block=True)
    marks.text = "\n"
    marks_list = sub(marks, "ol", block=True)
    marks_list.text = "\n"
    for kind, href, label in landmarks:
        li = sub(marks_list, "li", block=True)
        sub(li, "a", {EPUB_TYPE: kind, "href": href}, label or href)
    if page_list:
        pages = sub(body, "nav", {EPUB_TYPE: "page-list", "role": "doc-pagelist", "id": "page-list",
                                  "hidden": "hidden", "aria-labelledby": "page-list_title"}, block=True)
        pages.text = "\n"
        sub(pages, "h2", {"id": "page-list_title"}, page_list_label, block=True)
        pages_list = sub(pages, "ol", block=True)
        pages_list.text = "\n"
        for label, href in page_list:
            sub(sub(pages_list, "li", block=True), "a", {"href": href}, label)
    return serialise(html)
