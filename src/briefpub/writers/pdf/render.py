"""Publication to PDF bytes: the PDF writer's driver (writer stage).

:func:`render` resolves the fonts, builds the story and lays it out with
:class:`~briefpub.writers.pdf.furniture.BriefingDocTemplate`. A single article
is one :class:`~briefpub.writers.pdf.layout.ArticleLayout`. A pack is its
front matter (:class:`~briefpub.writers.pdf.front.PackFront`: cover, contents,
summary page) and then one ``ArticleLayout`` per article, each after a
:class:`~briefpub.writers.pdf.flowables.RectoBreak` (a new page; a right-hand
one in duplex). The story is built with ``multiBuild``: a pack's contents
learns its page numbers in the first pass and prints them in the second.

Metadata (title, author, subject, keywords, creator, producer, ``/Lang``,
display-title preference) is set explicitly, and ``invariant`` is passed
explicitly so that reportlab's global settings cannot make builds differ.
"""

from __future__ import annotations

import functools
import io

import reportlab
from reportlab.platypus import Flowable

import briefpub
from briefpub.diagnostics import Diagnostic
from briefpub.errors import ConversionError
from briefpub.styling.model import StyleSheet
from briefpub.tree import Publication
from briefpub.writers import WriteOptions
from briefpub.writers._common import document_language, marking_of, publication_language
from briefpub.writers.pdf._rlbidi import reportlab_has_rtl
from briefpub.writers.pdf.flowables import PageState, RectoBreak
from briefpub.writers.pdf.fonts import FontChain
from briefpub.writers.pdf.front import PackFront, blank_page_factory
from briefpub.writers.pdf.furniture import BriefingCanvas, BriefingDocTemplate, Furniture
from briefpub.writers.pdf.layout import ArticleLayout, Frame
from briefpub.writers.pdf.markup import analyse
from briefpub.writers.pdf.styles import PdfStyles, hyphenator_for, make_chains

__all__ = ["render"]


def _chains(sheet: StyleSheet) -> dict[str, FontChain]:
    try:
        return make_chains(sheet)
    except ValueError as exc:
        raise ConversionError(
            f"PDF: {exc}; install one of the style's font families (for example the fonts-dejavu "
            "package) or list an installed TrueType family in the style sheet's [fonts]"
        ) from exc


def _cover_marking(pub: Publication) -> str:
    if pub.pack is not None and pub.pack.marking:
        return pub.pack.marking
    return next((d.meta.marking for d in pub.documents if d.meta.marking), "")


def render(pub: Publication, sheet: StyleSheet, options: WriteOptions) -> tuple[bytes, list[Diagnostic]]:
    """Lay out ``pub`` and return the PDF's bytes and what could not be rendered.

    reportlab 5.1 can fail on shaped words set in several fonts (it shapes them
    with the first font's glyphs); the publication is then laid out again
    without shaping, and that is reported.
    """
    try:
        return _render(pub, sheet, options, allow_shaping=True)
    except ConversionError:
        data, diagnostics = _render(pub, sheet, options, allow_shaping=False)
        diagnostics.append(Diagnostic(
            "writer.not-rendered",
            "reportlab failed on shaped text, so the PDF was laid out without shaping: "
            "Arabic letters are not joined and right-to-left text may read in the wrong order",
        ))
        return data, diagnostics


def _render(pub: Publication, sheet: StyleSheet, options: WriteOptions, *,
            allow_shaping: bool) -> tuple[bytes, list[Diagnostic]]:
    diagnostics: list[Diagnostic] = []
    chains = _chains(sheet)
    language = publication_language(pub, sheet)
    width, height = sheet.page_size
    page = sheet.page
    frame = Frame(width - page.margin_inner - page.margin_outer, height - page.margin_top - page.margin_bottom)
    first = pub.documents[0]
    front_marking = _cover_marking(pub) if pub.pack else marking_of(pub, first)
    state = PageState(title=pub.title, marking=front_marking)
    cover_styles = PdfStyles.build(sheet, language, chains, allow_shaping)
    warned_languages: set[str] = set()
    needs_rtl = False
    layouts: list[ArticleLayout] = []
    article_story: list[Flowable] = []
    for index, doc in enumerate(pub.documents):
        doc_language = document_language(doc, sheet)
        if sheet.paragraphs.hyphenate and doc_language not in warned_languages:
            hyphenator, warn = hyphenator_for(doc_language)
            if hyphenator is None and warn:
                diagnostics.append(Diagnostic(
                    "writer.hyphenation-unavailable",
                    f"no hyphenation patterns for language {doc_language!r}; text is not hyphenated",
                    text=doc_language, severity="info",
                ))
            warned_languages.add(doc_language)
        styles = PdfStyles.build(sheet, doc_language, chains, allow_shaping)
        if pub.pack is not None or index:
            article_story.append(RectoBreak(sheet.page.duplex and pub.pack is not None))
        layout = ArticleLayout(pub=pub, doc=doc, index=index, sheet=sheet, styles=styles, frame=frame,
                               state=state, resources=options.resources, diagnostics=diagnostics,
                               outline_base=1 if pub.pack is not None else 0)
        layouts.append(layout)
        article_story.extend(layout.flowables())
        needs_rtl = needs_rtl or any(analyse(w).rtl for w in (doc.meta.title, *doc.meta.summary)) or \
            layout.doc_rtl
    story: list[Flowable] = []
    if pub.pack is not None:
        front = PackFront(pub, pub.pack, sheet, cover_styles, state, frame, layouts, front_marking)
        story.extend(front.flowables())
    story.extend(article_story)
    furniture = Furniture(sheet, cover_styles, state)
    body_font = cover_styles.font_name(cover_styles.primary_face(sheet.body))
    meta = first.meta
    authors = sorted(dict.fromkeys(a for d in pub.documents for a in d.meta.authors), key=str.casefold) \
        if pub.pack else list(meta.authors)
    keywords = list(dict.fromkeys(k for d in pub.documents for k in d.meta.keywords))
    subject = (pub.pack.subtitle if pub.pack else meta.subtitle) or (
        " ".join(meta.summary) if not pub.pack else "")
    out = io.BytesIO()
    template = BriefingDocTemplate(
        out,
        sheet=sheet,
        furniture=furniture,
        blank_page=blank_page_factory(sheet, cover_styles),
        title=pub.title or "Untitled",
        author=", ".join(authors),
        subject=subject,
        keywords=keywords,
        creator=options.generator,
        producer=f"briefpub {briefpub.__version__} PDF writer (reportlab {reportlab.Version})",
        lang=language,
        displayDocTitle=1,
        invariant=1,
        pageCompression=1,
        initialFontName=body_font,
        initialFontSize=sheet.body.size,
        initialLeading=sheet.body.leading,
    )
    maker = functools.partial(BriefingCanvas, furniture=furniture, build_time=options.build_time)
    try:
        template.multiBuild(story, maxPasses=6, canvasmaker=maker)
    except Exception as exc:  # reportlab's LayoutError and friends: a writer bug on valid input
        raise ConversionError(f"PDF layout failed: {type(exc).__name__}: {exc}") from exc
    for role, chain in sorted(chains.items()):
        if chain.missing:
            points = " ".join(f"U+{c:04X}" for c in sorted(chain.missing))
            diagnostics.append(Diagnostic(
                "writer.missing-glyph",
                f"no installed font ({role} chain) has {points}; printed as \ufffd",
                text="".join(chr(c) for c in sorted(chain.missing)),
            ))
    if needs_rtl and not reportlab_has_rtl():
        diagnostics.append(Diagnostic(
            "writer.not-rendered",
            "reportlab was imported before the PDF writer could enable right-to-left layout; "
            "right-to-left paragraphs may read in the wrong order",
        ))
    return out.getvalue(), _unique(diagnostics)


def _unique(diagnostics: list[Diagnostic]) -> list[Diagnostic]:
    """Diagnostics without exact repeats, in first-seen order."""
    return list(dict.fromkeys(diagnostics))
