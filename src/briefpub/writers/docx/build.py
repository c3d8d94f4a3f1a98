"""Assembling a DOCX from a publication (DOCX writer stage).

The order matters and is the whole recipe: start from python-docx's template,
drop its leftovers, configure styles, numbering and settings from the style
sheet, set up the page, then lay out the cover and articles section by
section (each section gets its header and footer *before* it is closed, since
closing copies its properties into its last paragraph), set the core
properties, save, and rewrite the zip deterministically.
"""

from __future__ import annotations

import io
from collections.abc import Sequence

from lxml import etree

from briefpub.styling.model import StyleSheet
from briefpub.tree import Document, Publication
from briefpub.writers import WriteOptions, WriteResult
from briefpub.writers._common import (
    document_language,
    header_text,
    is_rtl_language,
    marking_of,
    publication_language,
)
from briefpub.writers.docx import furniture, package
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


def build(pub: Publication, style: StyleSheet, options: WriteOptions) -> WriteResult:
    """Lay out ``pub`` as a DOCX and return its bytes and diagnostics."""
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
        place(layout.cover(pub.pack))
        start = "oddPage" if style.page.duplex else "nextPage"
        for index, doc in enumerate(pub.documents, start=1):
            furniture.end_section(sentinel, start)
            doc_language = _article_language(pub, doc, style)
            art = layout.article_context(doc, index, doc_language, is_rtl_language(doc_language))
            title = header_text(style, doc.meta.title or pub.pack.title)
            furniture.furnish(document, sentinel, style, header=title, marking=marking_of(pub, doc),
                              base_rtl=rtl, title_page=bool(doc.meta.title))  # fmt: skip
            place(layout.article(doc, art))
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
