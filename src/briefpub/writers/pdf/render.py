"""Publication to PDF bytes: the PDF writer's driver (writer stage).

:func:`render` takes the publication's frames
(:func:`briefpub.writers.common.frame.frames`) and the conversion's fonts
(:func:`briefpub.writers.require_fonts`), builds the story and lays it out with
:class:`~briefpub.writers.pdf.furniture.BriefingDocTemplate`. A single article
is one :class:`~briefpub.writers.pdf.layout.ArticleLayout`. A pack is its
front matter (:class:`~briefpub.writers.pdf.front.PackFront`: cover, contents,
summary page), then one ``ArticleLayout`` per article, each after a
:class:`~briefpub.writers.pdf.flowables.RectoBreak` (a new page; a right-hand
one in duplex), then the end mark. The story is built with ``multiBuild``: a
pack's contents learns its page numbers in the first pass and prints them in
the second.

The result carries the font files the PDF really embeds (``WriteResult.fonts``)
and one :class:`~briefpub.writers.PageStart` per page: the article and block
where the page's first line of text sits.

Metadata (title, author, subject, keywords, creator, producer, ``/Lang``,
display-title preference) is set explicitly, and ``invariant`` is passed
explicitly so that reportlab's global settings cannot make builds differ.
"""

from __future__ import annotations

import functools
import io
from dataclasses import dataclass

import reportlab
from reportlab.platypus import Flowable

import briefpub
from briefpub.diagnostics import Diagnostic
from briefpub.errors import ConversionError
from briefpub.fonts import FontSet
from briefpub.styling.model import StyleSheet
from briefpub.tree import Publication
from briefpub.writers import PageStart, WriteOptions, WriteResult, require_fonts
from briefpub.writers.common.frame import Frames, frames
from briefpub.writers.pdf._rlbidi import reportlab_has_rtl
from briefpub.writers.pdf.flowables import PageState, RectoBreak
from briefpub.writers.pdf.fonts import FontChain, font_file, make_chains, standard_ligatures_only
from briefpub.writers.pdf.front import PackFront, blank_page_factory
from briefpub.writers.pdf.furniture import BriefingCanvas, BriefingDocTemplate, Furniture
from briefpub.writers.pdf.images import Images
from briefpub.writers.pdf.layout import ArticleLayout, TextArea
from briefpub.writers.pdf.markup import analyse
from briefpub.writers.pdf.styles import PdfStyles, hyphenator_for

__all__ = ["render"]


def _chains(fonts: FontSet) -> dict[str, FontChain]:
    try:
        return make_chains(fonts)
    except ValueError as exc:
        missing = ", ".join(fonts.missing) or "none named"
        raise ConversionError(
            f"PDF: {exc} (families not found: {missing}); install one of the style's font families (for "
            "example the fonts-dejavu package) or list an installed TrueType family in the style sheet's [fonts]"
        ) from exc


def render(pub: Publication, sheet: StyleSheet, options: WriteOptions) -> WriteResult:
    """Lay out ``pub`` and return the PDF, what could not be rendered, the fonts and the page starts.

    reportlab 5.1 can fail on shaped words set in several fonts (it shapes them
    with the first font's glyphs); the publication is then laid out again
    without shaping, and that is reported.
    """
    fonts = require_fonts(options)
    standard_ligatures_only()
    try:
        return _render(pub, sheet, options, fonts, allow_shaping=True)
    except ConversionError:
        result = _render(pub, sheet, options, fonts, allow_shaping=False)
        note = Diagnostic(
            "writer.not-rendered",
            "reportlab failed on shaped text, so the PDF was laid out without shaping: "
            "Arabic letters are not joined and right-to-left text may read in the wrong order",
        )
        return WriteResult(result.data, (*result.diagnostics, note), result.fonts, result.pages)


@dataclass(slots=True)
class _Story:
    """The flowables of a publication and what laying them out needs to know."""

    flowables: list[Flowable]
    state: PageState
    styles: PdfStyles
    blank_note: str
    needs_rtl: bool


def _story(pub: Publication, sheet: StyleSheet, frame: Frames, chains: dict[str, FontChain], images: Images,
           diagnostics: list[Diagnostic], allow_shaping: bool) -> _Story:
    width, height = sheet.page_size
    page = sheet.page
    area = TextArea(width - page.margin_inner - page.margin_outer, height - page.margin_top - page.margin_bottom)
    pack = frame.pack
    first = frame.articles[0]
    state = PageState(title=pack.running_header if pack else first.running_header,
                      marking=pack.marking if pack else first.marking)
    front_styles = PdfStyles.build(sheet, frame.language, chains, allow_shaping)
    warned: set[str] = set()
    needs_rtl = False
    layouts: list[ArticleLayout] = []
    articles: list[Flowable] = []
    for art in frame.articles:
        if sheet.paragraphs.hyphenate and art.language not in warned:
            hyphenator, warn = hyphenator_for(art.language)
            if hyphenator is None and warn:
                diagnostics.append(Diagnostic(
                    "writer.hyphenation-unavailable",
                    f"no hyphenation patterns for language {art.language!r}; text is not hyphenated",
                    text=art.language, severity="info",
                ))
            warned.add(art.language)
        if pack is not None or art.index:
            articles.append(RectoBreak(sheet.page.duplex and pack is not None))
        styles = PdfStyles.build(sheet, art.language, chains, allow_shaping)
        layout = ArticleLayout(frame=art, sheet=sheet, styles=styles, area=area, state=state, images=images,
                               diagnostics=diagnostics, outline_base=1 if pack is not None else 0)
        layouts.append(layout)
        articles.extend(layout.flowables())
        needs_rtl = needs_rtl or art.rtl or any(analyse(w).rtl for w in (art.title, *art.key_points))
    needs_rtl = needs_rtl or (pack is not None and pack.rtl)
    story: list[Flowable] = []
    if pack is not None:
        front = PackFront(pack, sheet, front_styles, state, area, layouts)
        story.extend(front.flowables())
        articles.extend(front.end())
    story.extend(articles)
    return _Story(story, state, front_styles, pack.blank_page if pack else first.labels.blank_page, needs_rtl)


def _render(pub: Publication, sheet: StyleSheet, options: WriteOptions, fonts: FontSet, *,
            allow_shaping: bool) -> WriteResult:
    diagnostics: list[Diagnostic] = []
    chains = _chains(fonts)
    frame = frames(pub, sheet)
    story = _story(pub, sheet, frame, chains, Images(options.resources, diagnostics), diagnostics, allow_shaping)
    styles = story.styles
    furniture = Furniture(sheet, styles, story.state, frame.footer_template)
    first = pub.documents[0].meta
    authors = sorted(dict.fromkeys(a for d in pub.documents for a in d.meta.authors), key=str.casefold) \
        if pub.pack else list(first.authors)
    keywords = list(dict.fromkeys(k for d in pub.documents for k in d.meta.keywords))
    subject = (pub.pack.subtitle if pub.pack else first.subtitle) or (
        " ".join(first.summary) if not pub.pack else "")
    out = io.BytesIO()
    template = BriefingDocTemplate(
        out,
        sheet=sheet,
        furniture=furniture,
        blank_page=blank_page_factory(sheet, styles, story.blank_note),
        title=frame.pack.title if frame.pack else frame.articles[0].title,
        author=", ".join(authors),
        subject=subject,
        keywords=keywords,
        creator=options.generator,
        producer=f"briefpub {briefpub.__version__} PDF writer (reportlab {reportlab.Version})",
        lang=frame.language,
        displayDocTitle=1,
        invariant=1,
        pageCompression=1,
        initialFontName=styles.font_name(styles.primary_face(sheet.body)),
        initialFontSize=sheet.body.size,
        initialLeading=sheet.body.leading,
    )
    maker = functools.partial(BriefingCanvas, furniture=furniture, build_time=options.build_time)
    try:
        template.multiBuild(story.flowables, maxPasses=6, canvasmaker=maker)
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
    if story.needs_rtl and not reportlab_has_rtl():
        diagnostics.append(Diagnostic(
            "writer.not-rendered",
            "reportlab was imported before the PDF writer could enable right-to-left layout; "
            "right-to-left paragraphs may read in the wrong order",
        ))
    used = {path for name in furniture.fonts if (path := font_file(name)) is not None}
    starts = story.state.starts.pages
    pages = tuple(PageStart(page, str(page), *starts.get(page, (None, None))) for page in furniture.pages)
    return WriteResult(out.getvalue(), tuple(dict.fromkeys(diagnostics)), tuple(sorted(used)), pages)
