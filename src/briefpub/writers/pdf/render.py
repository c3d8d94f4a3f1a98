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

The PDF is tagged (PDF/UA-1): the layout makes one structure tree per
publication (:class:`~briefpub.writers.pdf.structure.Structure`) in reading
order, the canvas carries its tagger while the pages are drawn, and
:func:`~briefpub.writers.pdf.tagging.finish` writes the structure tree, the
catalog entries and the XMP metadata into reportlab's file (pikepdf). What it
could not express is reported (``writer.accessibility``).

The result carries the font files the PDF really embeds (``WriteResult.fonts``)
and one :class:`~briefpub.writers.PageStart` per page: the article and block
where the page's first line of text sits.

Metadata (title, author, subject, keywords, creator, producer, ``/Lang``,
display-title preference) is set explicitly, and ``invariant`` is passed
explicitly so that reportlab's global settings cannot make builds differ.
"""

from __future__ import annotations

import contextlib
import functools
import tempfile
from collections.abc import Iterator
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
from briefpub.writers.pdf.flowables import PageState, RectoBreak, locate
from briefpub.writers.pdf.fonts import FontChain, canvas_font, make_chains
from briefpub.writers.pdf.front import PackFront, PackSections, blank_page_factory
from briefpub.writers.pdf.furniture import BriefingCanvas, BriefingDocTemplate, Furniture, inner_margin, page_budget
from briefpub.writers.pdf.images import Images
from briefpub.writers.pdf.layout import ArticleLayout, TextArea, keep_with_end
from briefpub.writers.pdf.paragraphs import Setter
from briefpub.writers.pdf.structure import Structure
from briefpub.writers.pdf.tagging import StructureTagger, finish
from briefpub.writers.pdf.typeset import hyphenator
from briefpub.writers.pdf.typeset.hyphenation import NEVER_HYPHENATED

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


def render(pub: Publication, sheet: StyleSheet, options: WriteOptions, *, tagged: bool = True) -> WriteResult:
    """Lay out ``pub`` and return the PDF, what could not be rendered, the fonts and the page starts.

    ``tagged`` False leaves the structure out (reportlab's file as drawn: the pages look the same); it is
    for measuring what tagging costs.
    """
    fonts = require_fonts(options)
    return _render(pub, sheet, options, fonts, tagged=tagged)


@dataclass(slots=True)
class _Story:
    """The flowables of a publication and what laying them out needs to know."""

    flowables: list[Flowable]
    state: PageState
    front: Setter
    setters: list[Setter]
    blank_note: str
    structure: Structure


def _story(sheet: StyleSheet, frame: Frames, chains: dict[str, FontChain], images: Images,
           diagnostics: list[Diagnostic]) -> _Story:
    width, height = sheet.page_size
    page = sheet.page
    area = TextArea(width - inner_margin(sheet) - page.margin_outer, height - page.margin_top - page.margin_bottom)
    pack = frame.pack
    first = frame.articles[0]
    state = PageState(title=pack.running_header if pack else first.running_header,
                      marking=pack.marking if pack else first.marking)
    front = Setter(sheet, chains, images, diagnostics, language=frame.language,
                   rtl=pack.rtl if pack else first.rtl, width=area.width, height=area.height)
    structure = Structure(frame.language, pack.title if pack else first.title)
    sections = PackSections.make(structure, pack) if pack is not None else None  # (before the articles)
    setters = [front]
    warned: set[str] = set()
    layouts: list[ArticleLayout] = []
    articles: list[Flowable] = []
    for art in frame.articles:
        if sheet.paragraphs.hyphenate and art.language not in warned:
            if hyphenator(art.language) is None and art.language.split("-")[0].lower() not in NEVER_HYPHENATED:
                diagnostics.append(Diagnostic(
                    "writer.hyphenation-unavailable",
                    f"no hyphenation patterns for language {art.language!r}; text is not hyphenated",
                    text=art.language, severity="info",
                ))
            warned.add(art.language)
        if pack is not None or art.index:
            articles.append(RectoBreak(sheet.page.duplex and pack is not None))
        setter = Setter(sheet, chains, images, diagnostics, language=art.language, rtl=art.rtl, width=area.width,
                        height=area.height)
        setters.append(setter)
        layout = ArticleLayout(frame=art, sheet=sheet, setter=setter, area=area, state=state, images=images,
                               diagnostics=diagnostics, outline_base=1 if pack is not None else 0,
                               structure=structure)
        layouts.append(layout)
        articles.extend(layout.flowables())
    story: list[Flowable] = []
    if pack is not None:
        pack_front = PackFront(pack, sheet, front, state, area, layouts, structure, sections)
        story.extend(pack_front.flowables())
        end = pack_front.end()
        for flowable in end:
            locate(flowable, layouts[-1].end)
        keep_with_end(articles, end, area.height)
    story.extend(articles)
    return _Story(story, state, front, setters, pack.blank_page if pack else first.labels.blank_page, structure)


@contextlib.contextmanager
def _binary_streams() -> Iterator[None]:
    """Streams deflated only, without reportlab's default ASCII85 layer on top, whatever its global
    settings (``RL_useA85``) say: a quarter smaller, and the encoding (pure Python unless the optional
    ``rl_accel`` package is installed) cost several milliseconds of a one-article PDF."""
    from reportlab import rl_config

    saved = rl_config.useA85
    rl_config.useA85 = 0
    try:
        yield
    finally:
        rl_config.useA85 = saved


def _render(pub: Publication, sheet: StyleSheet, options: WriteOptions, fonts: FontSet, *,
            tagged: bool = True) -> WriteResult:
    diagnostics: list[Diagnostic] = []
    chains = _chains(fonts)
    frame = frames(pub, sheet)
    story = _story(sheet, frame, chains, Images(options.resources, diagnostics, sheet.page_size), diagnostics)
    furniture = Furniture(sheet, story.front, story.state, frame.footer_template)
    first = pub.documents[0].meta
    authors = sorted(dict.fromkeys(a for d in pub.documents for a in d.meta.authors), key=str.casefold) \
        if pub.pack else list(first.authors)
    keywords = list(dict.fromkeys(k for d in pub.documents for k in d.meta.keywords))
    subject = (pub.pack.subtitle if pub.pack else first.subtitle) or (
        " ".join(first.summary) if not pub.pack else "")
    # reportlab writes its file to a temporary file, which pikepdf reads as a stream and tags into
    # another: in a long pack neither file is held in memory next to pikepdf's objects.
    with tempfile.TemporaryFile() as drawn:
        template = BriefingDocTemplate(
            drawn,
            sheet=sheet,
            furniture=furniture,
            blank_page=blank_page_factory(sheet, story.front, story.blank_note, story.state),
            max_pages=page_budget(pub, sheet),
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
            initialFontName=canvas_font(chains),
        )
        tagger = story.structure.tagger if tagged else None
        maker = functools.partial(BriefingCanvas, furniture=furniture, build_time=options.build_time, tagger=tagger)
        try:
            with _binary_streams():
                template.multiBuild(story.flowables, maxPasses=6, canvasmaker=maker)
        except Exception as exc:  # reportlab's LayoutError and friends: a writer bug on valid input
            raise ConversionError(f"PDF layout failed: {type(exc).__name__}: {exc}") from exc
        for setter in story.setters:
            setter.report()
        diagnostics.extend(Diagnostic(
            "writer.shrunk", "a block taller than the page's text area (a table row, a contents entry, a title in "
            "very large type) was scaled down to fit", text=shown) for shown in template.bp_shrunk)
        recording = tagger.recording() if tagger is not None else None
        _release(story, template, tagger)
        del template
        drawn.seek(0)
        if recording is None:
            data = drawn.read()
        else:
            finished = finish(drawn, recording)
            data = finished.data
            diagnostics.extend(Diagnostic("writer.accessibility", f"tagged PDF: {problem}") for problem in
                               finished.problems)
    starts = story.state.starts.pages
    pages = tuple(PageStart(page, str(page), *starts.get(page, (None, None))) for page in furniture.pages)
    return WriteResult(data, tuple(dict.fromkeys(diagnostics)), tuple(sorted(set(furniture.fonts))), pages)



def _release(story: _Story, template: BriefingDocTemplate, tagger: StructureTagger | None) -> None:
    """Let go of the laid-out story and reportlab's document before tagging, so that pikepdf (about a
    third of a long pack's peak memory) reuses their memory rather than adds to it.

    What stays is what tagging and the result need: the structure tree, the page state and the fonts.
    reportlab's document (every page's content stream, ~25 KB an article) hangs off the last pass's
    canvas, which the tagger and the template keep: they drop it here (the layout leaves no cyclic
    garbage: a collection here found nothing to free).
    """
    story.flowables.clear()
    for setter in story.setters:
        setter.made.clear()
    if tagger is not None:
        tagger.reset()  # it held the last pass's canvas
    canvas = getattr(template, "canv", None)
    if canvas is not None:
        canvas.__dict__.pop("_doc", None)  # reportlab's document, written out already
