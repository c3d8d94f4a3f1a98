"""Assembling a DOCX from a publication (DOCX writer stage).

The order matters and is the whole recipe: start from python-docx's template,
drop its leftovers, configure styles, numbering and settings from the style
sheet and the conversion's fonts, set up the page, then lay out the body
section by section (each section gets its header and footer *before* it is
closed, since closing copies its properties into its last paragraph), declare
and embed the fonts, set the properties, save, and rewrite the zip
deterministically.

Everything printed around the article bodies comes from the shared frame
(:func:`~briefpub.writers.common.frame.frames`). A pack's articles are laid
out before its front matter: the contents needs every article's bookmark and,
for the page numbers it stores, an estimate of where each article starts
(:mod:`.estimate`). In duplex, that estimate also decides where an explicit
"intentionally blank" verso goes (its own section: markings, no running head)
so that every article opens on a right-hand page. Articles start with
next-page section breaks, not odd-page ones: LibreOffice leaves the blank
pages an odd-page break inserts out of its PDFs, and shows an odd-page
section's first-page header on its second page too (the running head would
go missing there).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from lxml import etree

from briefpub.fonts import FontSet
from briefpub.language import is_rtl_language
from briefpub.styling.model import StyleSheet
from briefpub.tree import Publication
from briefpub.writers import WriteOptions, WriteResult, require_fonts
from briefpub.writers.common.frame import Frames, PackFrame, frames
from briefpub.writers.docx import fonttable, furniture, package
from briefpub.writers.docx.estimate import PageEstimator, pages_of
from briefpub.writers.docx.front import FrontMatter
from briefpub.writers.docx.layout import Layout
from briefpub.writers.docx.oxml import ParaProps, paragraph, qn
from briefpub.writers.docx.styles import NORMAL, Numbering, StyleContext, configure_styles, language_attrs


def _pack(
    pack: PackFrame,
    style: StyleSheet,
    layout: Layout,
    document: Any,
    parts: furniture.HeaderFooterParts,
    sentinel: etree._Element,
    contents_depth: int,
    fontset: FontSet,
) -> None:
    """Front matter (cover, contents, summary) in the first section, then one section per article.

    Articles are laid out first: the contents page needs their bookmarks and
    the estimated page on which each one starts (its cached PAGEREF results).
    """
    duplex = style.page.duplex
    articles = [layout.article_context(frame) for frame in pack.articles]
    front = FrontMatter(layout, pack, articles)
    bodies = [layout.article(art) for art in articles]
    bodies[-1].append(front.end_mark())
    estimator = PageEstimator.for_document(document, fontset, layout.area)
    cover = front.cover()
    # Duplex: the back of the cover is blank, and says so (the cover always fits one page).
    verso = front.blank_page() if duplex and pages_of(estimator, cover) == 1 else []
    summary = front.summary() if pack.summary_page else []
    draft = front.contents({}, depth=contents_depth, summary=bool(summary))
    estimator.flow([*cover, *verso, *draft, *summary])
    blanks: list[bool] = []
    for body in bodies:
        blank = duplex and estimator.page % 2 == 1  # the next page would be a left-hand one
        if blank:
            estimator.new_section()
            estimator.flow(front.blank_page(page_break=False))
        blanks.append(blank)
        estimator.new_section(odd=duplex)
        estimator.flow(body)
    contents = front.contents(estimator.bookmarks, depth=contents_depth, summary=bool(summary))

    furniture.furnish(parts, sentinel, header="", marking=pack.marking, footer="", base_rtl=layout.style_ctx.rtl)
    _place(sentinel, [*cover, *verso, *contents, *summary])
    for art, body, blank in zip(articles, bodies, blanks, strict=True):
        frame = art.frame
        if blank:
            furniture.end_section(sentinel, "nextPage")
            furniture.furnish(parts, sentinel, header="", marking=pack.marking, footer=pack.footer_template,
                              base_rtl=layout.style_ctx.rtl)  # fmt: skip
            _place(sentinel, front.blank_page(page_break=False))
        furniture.end_section(sentinel, "nextPage")
        furniture.furnish(parts, sentinel, header=frame.running_header, marking=frame.marking,
                          footer=pack.footer_template, base_rtl=layout.style_ctx.rtl, title_page=True)  # fmt: skip
        _place(sentinel, body)


def _place(sentinel: etree._Element, elements: Sequence[etree._Element]) -> None:
    for element in elements:
        sentinel.addprevious(element)


def build(
    pub: Publication, style: StyleSheet, options: WriteOptions, *, contents_depth: int | None = None
) -> WriteResult:
    """Lay out ``pub`` as a DOCX and return its bytes, diagnostics and the font files embedded.

    ``contents_depth`` is how deep a pack's contents goes: 1 lists the
    articles, 2 (3) also their top (second-level) sections; by default the
    style sheet's ``furniture.contents_depth``.
    """
    fontset = require_fonts(options)
    framed: Frames = frames(pub, style)
    language = framed.language
    rtl = is_rtl_language(language)
    document = package.new_document()
    style_ctx = StyleContext.of(style, language, rtl, fontset)
    configure_styles(document, style_ctx)
    numbering = Numbering(document, style_ctx)
    package.configure_settings(document, style, *language_attrs(language, rtl))

    body = document.element.body
    sentinel = body.find(qn("w:sectPr"))
    for child in list(body):
        if child is not sentinel:
            body.remove(child)
    furniture.setup_page(sentinel, style, rtl=rtl)
    layout = Layout(document, style, style_ctx, numbering, options.resources, furniture.text_area(style), fontset)
    parts = furniture.HeaderFooterParts(document)

    if framed.pack is None:
        frame = framed.articles[0]
        art = layout.article_context(frame)
        furniture.furnish(parts, sentinel, header=frame.running_header, marking=frame.marking,
                          footer=framed.footer_template, base_rtl=rtl, title_page=frame.has_title)  # fmt: skip
        _place(sentinel, layout.article(art))
    else:
        depth = contents_depth if contents_depth is not None else style.furniture.contents_depth
        _pack(framed.pack, style, layout, document, parts, sentinel, depth, fontset)
    if sentinel.getprevious() is None:
        sentinel.addprevious(paragraph(ParaProps(style=NORMAL)))  # Word wants one paragraph at least

    roots = [document.element.body, *parts.roots]
    fonts = fonttable.embed_and_declare(document, style, fontset, dict(style_ctx.role_fonts), roots)
    diagnostics = [*layout.diagnostics, *package.set_core_properties(document, pub, framed, options)]
    data = package.finish(
        document, options.build_time, options.generator,
        major=style_ctx.fonts("heading"), minor=style_ctx.fonts("body"), marking=_marking(framed),
    )  # fmt: skip
    return WriteResult(data, tuple(diagnostics), fonts=fonts)


def _marking(framed: Frames) -> str:
    """The publication's protective marking (the pack's, or the single article's)."""
    if framed.pack is not None:
        return framed.pack.marking
    return framed.articles[0].marking
