"""Assembling a DOCX from a publication (DOCX writer stage).

The order matters and is the whole recipe: start from python-docx's template,
drop its leftovers, configure styles, numbering and settings from the style
sheet, set up the page, then lay out the body section by section (each
section gets its header and footer *before* it is closed, since closing
copies its properties into its last paragraph), set the core properties,
save, and rewrite the zip deterministically.

A pack's articles are laid out before its front matter (cover, contents,
summary page): the contents needs every article's bookmark and, for the page
numbers it stores, an estimate of where each article starts (:mod:`.estimate`).
"""

from __future__ import annotations

import io
from collections.abc import Callable, Sequence
from typing import Any

from lxml import etree

from briefpub.styling.model import StyleSheet
from briefpub.tree import Document, PackMeta, Publication
from briefpub.writers import WriteOptions, WriteResult
from briefpub.writers._common import (
    document_language,
    header_text,
    is_rtl_language,
    marking_of,
    publication_language,
)
from briefpub.writers.docx import furniture, package
from briefpub.writers.docx.estimate import PageEstimator, pages_of
from briefpub.writers.docx.front import Entry, FrontMatter
from briefpub.writers.docx.layout import Layout
from briefpub.writers.docx.oxml import ParaProps, paragraph, qn
from briefpub.writers.docx.styles import (
    NORMAL,
    Numbering,
    StyleContext,
    configure_styles,
    language_attrs,
)


def _article_language(pub: Publication, doc: Document, style: StyleSheet) -> str:
    """An article's language; in a pack, an article naming none takes the pack's."""
    if not doc.meta.language and pub.pack is not None and pub.pack.language:
        return pub.pack.language
    return document_language(doc, style)


def _pack(
    pub: Publication,
    pack: PackMeta,
    style: StyleSheet,
    layout: Layout,
    document: Any,
    sentinel: etree._Element,
    place: Callable[[Sequence[etree._Element]], None],
    contents_depth: int,
) -> None:
    """Front matter (cover, contents, summary) in the first section, then one section per article.

    Articles are laid out first: the contents page needs their bookmarks and
    the estimated page on which each one starts (its cached PAGEREF results).
    """
    front = FrontMatter(layout, pack)
    duplex = style.page.duplex
    entries: list[Entry] = []
    bodies: list[list[etree._Element]] = []
    for index, doc in enumerate(pub.documents, start=1):
        doc_language = _article_language(pub, doc, style)
        art = layout.article_context(doc, index, doc_language, is_rtl_language(doc_language))
        bodies.append(layout.article(doc, art))
        marking = marking_of(pub, doc).strip()
        entries.append(Entry(doc, art, marking if marking and marking != pack.marking.strip() else ""))
    estimator = PageEstimator(style, layout.area)
    cover = front.cover()
    # Duplex: the back of the cover is blank, and says so; the cover always fits one page, so
    # this blank page is known in advance (unlike those before odd-page section breaks).
    verso = front.blank_page() if duplex and pages_of(estimator, cover) == 1 else []
    summary = front.summary(entries) if pack.summary_page else []
    draft = front.contents(entries, {}, depth=contents_depth, summary=bool(summary))
    estimator.flow([*cover, *verso, *draft, *summary])
    for body in bodies:
        estimator.new_section(odd=duplex)
        estimator.flow(body)
    contents = front.contents(entries, estimator.bookmarks, depth=contents_depth, summary=bool(summary))

    place([*cover, *verso, *contents, *summary])
    start = "oddPage" if duplex else "nextPage"
    for doc, body in zip(pub.documents, bodies, strict=True):
        furniture.end_section(sentinel, start)
        title = header_text(style, doc.meta.title or pack.title)
        # LibreOffice shows an odd-page section's first-page header on its second page too:
        # in duplex every page of an article carries the running title.
        furniture.furnish(document, sentinel, style, header=title, marking=marking_of(pub, doc),
                          base_rtl=layout.style_ctx.rtl, title_page=bool(doc.meta.title) and not duplex)  # fmt: skip
        place(body)


def build(
    pub: Publication, style: StyleSheet, options: WriteOptions, *, contents_depth: int | None = None
) -> WriteResult:
    """Lay out ``pub`` as a DOCX and return its bytes and diagnostics.

    ``contents_depth`` is how deep a pack's contents page goes: 1 lists the
    articles, 2 also their level-1 and level-2 headings; by default the style
    sheet's ``furniture.contents_depth``.
    """
    language = publication_language(pub, style)
    rtl = is_rtl_language(language)
    document = package.new_document()
    style_ctx = StyleContext(style, language, rtl)
    configure_styles(document, style_ctx)
    numbering = Numbering(document, style_ctx)
    package.configure_settings(document, style, *language_attrs(language, rtl))

    body = document.element.body
    sentinel = body.find(qn("w:sectPr"))
    for child in list(body):
        if child is not sentinel:
            body.remove(child)
    furniture.setup_page(sentinel, style, rtl=rtl)
    layout = Layout(
        document, style, style_ctx, numbering, options.resources, furniture.text_area(style),
        is_pack=pub.is_pack,
    )  # fmt: skip

    def place(elements: Sequence[etree._Element]) -> None:
        for element in elements:
            sentinel.addprevious(element)

    if pub.pack is None:
        doc = pub.documents[0]
        art = layout.article_context(doc, 1, language, rtl)
        furniture.furnish(
            document, sentinel, style, header=header_text(style, pub.title), marking=marking_of(pub, doc),
            base_rtl=rtl, title_page=bool(doc.meta.title),
        )  # fmt: skip
        place(layout.article(doc, art))
    else:
        furniture.furnish(document, sentinel, style, header="", marking=marking_of(pub), base_rtl=rtl,
                          page_numbers=False)  # fmt: skip
        depth = contents_depth if contents_depth is not None else style.furniture.contents_depth
        _pack(pub, pub.pack, style, layout, document, sentinel, place, depth)
    if sentinel.getprevious() is None:
        sentinel.addprevious(paragraph(ParaProps(style=NORMAL)))  # Word wants one paragraph at least

    diagnostics = [*layout.diagnostics, *package.set_core_properties(document, pub, options, language)]
    buffer = io.BytesIO()
    document.save(buffer)
    data = package.finish(
        buffer.getvalue(), options.build_time, options.generator,
        major=style_ctx.fonts("heading"), minor=style_ctx.fonts("body"),
    )  # fmt: skip
    return WriteResult(data, tuple(diagnostics))
