"""Page furniture and the document template of the PDF writer (layout stage).

Every page gets the protective marking centred at the top and bottom (when
set), a running header (the frame's, for the current article or the pack's
front matter; on the page where an article's title stands, the pack's "Article
3 of 12" label instead), a thin rule under it and over the footer, and the
footer: the frame's footer template ("Page X of Y" in the publication's
language, with a pack's reference and version) with ``{page}`` and ``{pages}``
filled in.

In the tagged PDF all of it is an artifact (``Pagination``: ``Header`` for the
running header, the top marking and the header rule, ``Footer`` for the footer,
the bottom marking and the footer rule; the marking's band is drawn inside
them), except, on the page where an article or the pack's cover starts, the top
marking and the "Article 3 of 12" label: they are content of the elements the
layout made for them (:class:`~briefpub.writers.pdf.flowables.PageState`), so a
screen-reader user hears them once.

"Page X of Y" needs the total before it is known. The widely copied
"NumberedCanvas" recipe defers every page to the end and so sends every
bookmark and internal link to page 1. Here each page's footer is instead a
reference to a form XObject (``doForm``) that :class:`BriefingCanvas` defines
in :meth:`~BriefingCanvas.save`, once the total is known: one pass, exact
totals, centred footers, and destinations left alone. The form is drawn inside
the footer's artifact; its own content carries no marked content (forms never
carry MCIDs, PDF/UA-1 7.20), so the structure tagger is taken off the canvas
while the forms are written.

:class:`BriefingCanvas` also pins the PDF's timestamp and ``/ID`` to the
build time it is given, so neither the clock nor ``SOURCE_DATE_EPOCH`` read
behind our back can change the bytes. It tells the page state whenever it draws
text (where each page's first line comes from, see
:class:`~briefpub.writers.pdf.flowables.PageStarts`) and, when it saves, which
fonts the file really embeds.

:class:`BriefingDocTemplate` is built with ``multiBuild`` (a pack's contents
needs the page numbers of a first pass). Only the last pass's canvas is saved,
and each pass starts from a clean :class:`Furniture` and
:class:`~briefpub.writers.pdf.flowables.PageState`, so the footers' total is the
last pass's page count and bookmarks and links point at the last pass's pages.
A pass that cannot be the last (the contents has no page numbers yet) is a
*draft*: page furniture and QR codes, which do not change the layout, are not
drawn in it.
The template also expands :class:`~briefpub.writers.pdf.flowables.RectoBreak`
markers (right-hand article starts with blank versos in duplex) and, in duplex
with different inner and outer margins, mirrors the margins on left-hand pages.
"""

from __future__ import annotations

import dataclasses
import hashlib
from collections.abc import Callable
from contextlib import nullcontext
from datetime import UTC, datetime
from typing import Any

from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import BaseDocTemplate, Flowable, Frame, PageTemplate

from briefpub.diagnostics import excerpt
from briefpub.styling.model import StyleSheet, TextStyle
from briefpub.tree import Publication, Table, iter_blocks, iter_inlines
from briefpub.writers.pdf.flowables import LocatedText, PageStarts, PageState, RectoBreak, ShrunkToFit
from briefpub.writers.pdf.paragraphs import ParagraphSpec, Setter
from briefpub.writers.pdf.structure import artifact
from briefpub.writers.pdf.styles import colour
from briefpub.writers.pdf.tagging import Element, StructureTagger

__all__ = ["BriefingCanvas", "BriefingDocTemplate", "Furniture", "inner_margin"]


class _FixedTimeStamp:
    """What reportlab's ``TimeStamp`` provides, for a given UTC instant."""

    def __init__(self, when: datetime) -> None:
        utc = when.astimezone(UTC)
        self.t = utc.timestamp()
        self.lt = utc.timetuple()
        self.YMDhms = tuple(self.lt)[:6]
        self.dhh = 0
        self.dmm = 0
        self.tzname = "UTC"


def inner_margin(sheet: StyleSheet) -> float:
    """The inside margin: the style's, plus the binding gutter."""
    return sheet.page.margin_inner + sheet.page.gutter


#: The narrowest advance a running head's character is assumed to have, in ems: a prefix of the
#: title with more characters than the line holds at this advance is certainly cut.
_NARROWEST_EM = 0.1


def _fit_prefix(width: float, size: float) -> int:
    """How many characters of a running head can matter on a line ``width`` wide at ``size``."""
    return int(max(width, 0.0) / (max(size, 1.0) * _NARROWEST_EM)) + 64


def _largest(count: int, ok: Callable[[int], bool]) -> int:
    """The largest ``k`` in 1..``count`` with ``ok(k)`` (0 if none), by binary search (``ok`` monotone)."""
    lo, hi = 0, count
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if ok(mid):
            lo = mid
        else:
            hi = mid - 1
    return lo


class Furniture:
    """Draws the furniture of each page; knows the style, the fonts and the page geometry."""

    def __init__(self, sheet: StyleSheet, setter: Setter, state: PageState, footer: str) -> None:
        self.sheet = sheet
        self.setter = setter
        self.state = state
        #: The footer template: ``{page}`` and ``{pages}`` are filled in.
        self.footer = footer
        self.width, self.height = sheet.page_size
        page = sheet.page
        self.left = inner_margin(sheet)
        self.right = self.width - page.margin_outer
        self.top = self.height - page.margin_top
        self.bottom = page.margin_bottom
        self.pages: list[int] = []
        #: The font files the last saved file embeds.
        self.fonts: tuple[str, ...] = ()
        self._lines: dict[tuple[str, str, float, bool, str], LocatedText] = {}
        self._fitted: dict[str, str] = {}
        self._widths: dict[tuple[str, float], float] = {}

    def reset(self) -> None:
        """Forget the pages of an earlier layout pass."""
        self.pages = []
        self.fonts = ()
        self.state.reset()

    def left_margin(self, page: int) -> float:
        """The left margin of ``page``: the inner one (with the gutter), or in duplex the outer one on even
        (left-hand) pages."""
        page_style = self.sheet.page
        if page_style.duplex and page % 2 == 0:
            return page_style.margin_outer
        return inner_margin(self.sheet)

    def _set_page(self, page: int) -> None:
        self.left = self.left_margin(page)
        self.right = self.left + (self.width - inner_margin(self.sheet) - self.sheet.page.margin_outer)

    # -- text helpers -------------------------------------------------------

    def _line(self, text: str, align: str, *, size: float, bold: bool = False, colour_hex: str | None = None,
              kind: str = "furniture") -> LocatedText:
        """A one-line piece of furniture, set by the engine (made once per text and look)."""
        key = (text, align, size, bold, colour_hex or "")
        found = self._lines.get(key)
        if found is None:
            base = self.sheet.byline
            style = TextStyle(font=base.font, size=size, leading=size * 1.2,
                              colour=colour_hex or self.sheet.furniture.colour, bold=bold, align="left",
                              space_after=0.0)
            found = self._lines[key] = self.setter.text(text, ParagraphSpec(
                style, kind, align=align, direction="auto", space_before=0.0, space_after=0.0))
        return found

    def _draw_line(self, canv: Canvas, text: str, y: float, align: str, *, size: float, bold: bool = False,
                   colour_hex: str | None = None, name: str = "furniture") -> None:
        if not text:
            return
        line = self._line(text, align, size=size, bold=bold, colour_hex=colour_hex, kind=name)
        line.wrapOn(canv, self.right - self.left, size * 4)
        line.drawOn(canv, self.left, y)

    def _fit(self, text: str, size: float, room: float | None = None) -> str:
        """``text`` shortened with an ellipsis to fit on one line of the header (``room`` wide).

        Bounded work whatever the text's length: only a prefix that is certainly
        wider than the line when cut (:func:`_fit_prefix`) is ever measured, and
        the cut is found by binary search over its words (then over the first
        word's characters), so a 100,000-character title costs a few dozen
        measurements of a few hundred characters.
        """
        width = room if room is not None else self.right - self.left
        key = f"{width:.1f}|{text}"
        cached = self._fitted.get(key)
        if cached is not None:
            return cached

        def fits(s: str) -> bool:
            line = self._line(s, "page-left", size=size, kind="measure")
            widths = line.line_widths(10_000.0)
            line.release()  # measured once (the result is cached): no glyphs kept for it
            return max(widths, default=0.0) <= width

        prefix = text[:_fit_prefix(width, size)]
        cut = len(prefix) < len(text)
        fitted = text
        if cut or not fits(text):
            words = prefix.split()
            if cut and len(words) > 1 and not text[len(prefix)].isspace():
                words.pop()  # the prefix ends inside a word: not a whole word
            count = _largest(len(words), lambda k: fits(" ".join(words[:k]) + " \u2026"))
            if count:
                fitted = " ".join(words[:count]) + " \u2026"
            else:  # not even the first word fits: cut it
                first = words[0] if words else prefix
                chars = _largest(len(first), lambda k: fits(first[:k] + "\u2026"))
                fitted = first[:max(chars, 1)] + "\u2026"
        self._fitted[key] = fitted
        return fitted

    # -- the page ----------------------------------------------------------

    def draw_page(self, canv: Canvas, doc: Any) -> None:
        """Draw this page's header, markings and rules, and place its footer form."""
        fur = self.sheet.furniture
        page = canv.getPageNumber()
        self.pages.append(page)
        if getattr(doc, "bp_draft", False):  # a pass whose pages are thrown away: count them only
            self.state.starts.page_ended(page)
            return
        self._set_page(page)
        canv.saveState()
        marking = self.state.marking
        title_page = self.state.title_page == page
        blank = self.state.blank_page == page
        label = self.state.label
        header_y = self.top + 10
        # the title page shows the article's number in the pack (nothing in a single article: the title is
        # the page's head); a blank page shows none
        show_header = not blank and bool(label if title_page else self.state.title)
        with artifact(canv, "Pagination", "Header"):
            if marking:
                self._marking(canv, marking, self.height - self.sheet.page.margin_top / 2 + 2,
                              self.state.marking_element if title_page else None)
            if show_header:
                rtl = self.state.rtl
                start, end = ("page-right", "page-left") if rtl else ("page-left", "page-right")
                if title_page:  # the title stands below: the article's number in the pack instead
                    with self._content(canv, self.state.label_element):
                        self._draw_line(canv, self._fit(label, fur.size), header_y, start, size=fur.size,
                                        name="header")
                else:
                    # the running head at the start side, the article's number in the pack at the end side
                    room = self.right - self.left
                    if label:
                        room -= self._fit_width(label, fur.size) + 18
                    self._draw_line(canv, self._fit(self.state.title, fur.size, room), header_y, start,
                                    size=fur.size, name="header")
                    if label:
                        self._draw_line(canv, label, header_y, end, size=fur.size, name="header")
            if fur.rule and show_header:
                canv.setStrokeColor(colour(fur.colour))
                canv.setLineWidth(0.4)
                canv.line(self.left, self.top + 6, self.right, self.top + 6)
        with artifact(canv, "Pagination", "Footer"):  # (drawn in the order the untagged writer drew them)
            if marking:
                self._marking(canv, marking, self.sheet.page.margin_bottom / 2 - self.sheet.marking.size / 2 - 2)
            if fur.rule:
                canv.setStrokeColor(colour(fur.colour))
                canv.setLineWidth(0.4)
                canv.line(self.left, self.bottom - 8, self.right, self.bottom - 8)
            canv.doForm(self.form_name(page))
        canv.restoreState()
        self.state.starts.page_ended(page)

    @staticmethod
    def _content(canv: Canvas, element: Element | None) -> Any:
        """Inside the page's artifact, ``element``'s content instead (when there is one)."""
        tagger = getattr(canv, "bp_tagger", None)
        if element is None or not isinstance(tagger, StructureTagger):
            return nullcontext()
        return _Interrupted(canv, tagger, element)

    def _marking(self, canv: Canvas, marking: str, y: float, element: Element | None = None) -> None:
        mark = self.sheet.marking
        if mark.background.lower() not in ("#ffffff", "#fff"):
            canv.saveState()
            canv.setFillColor(colour(mark.background))
            canv.rect(self.left, y - mark.size * 0.45, self.right - self.left, mark.size * 1.8, stroke=0, fill=1)
            canv.restoreState()
        with self._content(canv, element):
            self._draw_line(canv, marking, y, "center", size=mark.size, bold=mark.bold, colour_hex=mark.colour,
                            name="marking")

    def _fit_width(self, text: str, size: float) -> float:
        key = (text, size)
        found = self._widths.get(key)
        if found is None:
            line = self._line(text, "page-left", size=size, kind="measure")
            found = self._widths[key] = max(line.line_widths(10_000.0), default=0.0)
            line.release()  # no glyphs kept for a measurement
        return found

    @staticmethod
    def form_name(page: int) -> str:
        """The name of a page's footer form."""
        return f"bpFooter{page}"

    def draw_footer(self, canv: Canvas, page: int, total: int) -> None:
        """Draw the footer of ``page`` (called in the footer's form, when ``total`` is known)."""
        fur = self.sheet.furniture
        text = self.footer.replace("{page}", str(page)).replace("{pages}", str(total))
        self._set_page(page)
        self._draw_line(canv, text, self.bottom - 8 - fur.size * 1.2 - 4, "center", size=fur.size,
                        name="footer")


class BriefingCanvas(Canvas):  # type: ignore[misc]
    """A canvas with a fixed timestamp that writes the footer forms when it saves, and the structure tagger
    the text engine and the layout's helpers find as ``bp_tagger``."""

    def __init__(self, *args: Any, furniture: Furniture, build_time: datetime,
                 tagger: StructureTagger | None = None, **kw: Any) -> None:
        super().__init__(*args, **kw)
        self._bp_furniture = furniture
        #: The structure tagger that records what this canvas draws (None: an untagged PDF).
        self.bp_tagger = tagger
        #: Where the pages begin: :class:`~briefpub.writers.pdf.flowables.Located` flowables enter their
        #: place here while they draw.
        self.bp_page_starts: PageStarts | None = furniture.state.starts
        #: The font files this file embeds (known once it is saved).
        self.bp_fonts: tuple[str, ...] = ()
        stamp = _FixedTimeStamp(build_time)
        doc = self._doc
        doc._timeStamp = stamp
        # reportlab seeds the /ID digest with its own timestamp (the clock or the
        # SOURCE_DATE_EPOCH variable); seed it with the build time instead.
        signature = hashlib.md5(usedforsecurity=False)
        signature.update(b"a reportlab document")
        signature.update(ascii(stamp.t).encode("ascii"))
        doc.signature = signature

    def drawText(self, aTextObject: Any) -> None:
        """Draw a text object, telling the page starts that this page has text."""
        if self.bp_page_starts is not None:
            self.bp_page_starts.text_drawn(self.getPageNumber())
        super().drawText(aTextObject)

    def save(self) -> None:
        """Define every page's footer form with the final page total, then write the file."""
        if len(self._code):
            self.showPage()
        furniture = self._bp_furniture
        total = len(furniture.pages)
        self.bp_page_starts = None  # the footers are not page content
        tagger, self.bp_tagger = self.bp_tagger, None  # nor marked content: each page draws them in an artifact
        for page in furniture.pages:
            self.beginForm(furniture.form_name(page))
            furniture.draw_footer(self, page, total)
            self.endForm()
        self.bp_tagger = tagger
        # TrueType fonts join this list when text is first set in them: exactly the fonts embedded.
        self.bp_fonts = tuple(str(font.face.filename) for font in self._doc.delayedFonts)
        furniture.fonts = self.bp_fonts
        super().save()


class LayoutRunaway(RuntimeError):
    """The layout kept adding pages: a flowable that never fits and never shrinks."""


def page_budget(pub: Publication, sheet: StyleSheet | None = None) -> int:
    """The most pages ``pub`` could need, with a wide margin: a page holds about 3,000 characters, and
    every block, table row and article may start a page of its own (with a blank verso in duplex).

    With ``sheet``, a page is counted as holding no more characters than its text area has room
    for in the sheet's largest type, a full em each (72pt type on the smallest text area the
    margins allow holds a few characters a page, and such a document is long, not runaway).
    """
    per_page = 400
    if sheet is not None:
        width, height = sheet.page_size
        page = sheet.page
        column = width - page.margin_inner - page.margin_outer - page.gutter
        area = height - page.margin_top - page.margin_bottom
        styles = [getattr(sheet, f.name) for f in dataclasses.fields(sheet)]
        texts = [t for t in styles if isinstance(t, TextStyle)]
        size = max(t.size for t in texts)
        leading = max(max(t.leading, t.size) for t in texts)
        per_page = max(1, min(per_page, int(column // size) * int(area // leading)))
    blocks = rows = chars = 0
    for doc in pub.documents:
        for block in iter_blocks(doc.blocks):
            blocks += 1
            if isinstance(block, Table):
                rows += len(block.header) + len(block.rows)
        chars += sum(len(getattr(node, "text", "")) for node in iter_inlines(doc.blocks))
    return 40 + 10 * len(pub.documents) + 2 * (blocks + rows) + chars // per_page


def _describe(flowable: Any) -> str:
    """What a flowable shows, for a diagnostic: an excerpt of its text, else its kind."""
    content = getattr(flowable, "_content", None)  # a group kept together (a heading and what follows)
    if isinstance(content, list) and content:
        return _describe(content[0])
    block = getattr(flowable, "block", None)
    if block is not None and hasattr(block, "plain_text"):
        return excerpt(block.plain_text())
    lines = getattr(flowable, "lines", None)
    if isinstance(lines, list) and lines and hasattr(lines[0], "text"):
        return excerpt(f"contents: {lines[0].text}")
    return {"LocatedTable": "a table", "Table": "a table", "LocatedImage": "a picture"}.get(
        type(flowable).__name__, "a block")


class BriefingDocTemplate(BaseDocTemplate):  # type: ignore[misc]
    """One frame per page inside the style's margins, with the furniture drawn at page end.

    ``blank_page`` makes the content of a deliberately blank page (a
    :class:`~briefpub.writers.pdf.flowables.BlankPage`), used where a
    :class:`~briefpub.writers.pdf.flowables.RectoBreak` needs one.
    """

    def __init__(self, target: Any, *, sheet: StyleSheet, furniture: Furniture,
                 blank_page: Callable[[], Flowable] | None = None, max_pages: int = 0, **kw: Any) -> None:
        width, height = sheet.page_size
        page = sheet.page
        super().__init__(target, pagesize=(width, height), leftMargin=inner_margin(sheet),
                         rightMargin=page.margin_outer, topMargin=page.margin_top,
                         bottomMargin=page.margin_bottom, **kw)
        self._bp_furniture = furniture
        self._bp_blank_page = blank_page
        #: A layout that needs more pages than this is running away (0: no limit): see :func:`page_budget`.
        self.bp_max_pages = max_pages
        #: True during a layout pass that cannot be the last one (its canvas is thrown away), so
        #: flowables may skip costly drawing that has no effect on layout.
        self.bp_draft = False
        #: What was scaled down to fit the text area in the last layout pass (see :meth:`_fit_frame`).
        self.bp_shrunk: dict[str, None] = {}
        self._bp_frame = Frame(inner_margin(sheet), page.margin_bottom, self.width, self.height, id="body",
                               leftPadding=0, rightPadding=0, topPadding=0, bottomPadding=0)
        self.addPageTemplates([PageTemplate(id="page", frames=[self._bp_frame], onPageEnd=furniture.draw_page,
                                            pagesize=(width, height))])

    def beforeDocument(self) -> None:
        """Start a layout pass from clean furniture and page state; find out if it is a draft."""
        self._bp_furniture.reset()
        self.bp_shrunk = {}
        self.bp_draft = any(not getattr(f, "can_be_final", lambda: True)() for f in self._indexingFlowables)

    def handle_pageBegin(self) -> None:
        """Place the frame inside this page's margins (mirrored on left-hand pages in duplex); stop a
        layout that runs away (more pages than the content could ever need)."""
        if self.bp_max_pages and self.page + 1 > self.bp_max_pages:
            raise LayoutRunaway(f"more than {self.bp_max_pages} pages for this content: the layout does not converge")
        self._bp_frame.x1 = self._bp_furniture.left_margin(self.page + 1)
        super().handle_pageBegin()

    def handle_flowable(self, flowables: list[Any]) -> None:
        """Expand a :class:`RectoBreak` into page breaks (and a blank page); handle the rest as usual."""
        first = flowables[0]
        if isinstance(first, RectoBreak):
            del flowables[0]
            if self._bp_blank_page is None:
                raise ValueError("RectoBreak needs the template's blank_page factory")
            flowables[0:0] = first.expand(self.page, self._curPageFlowableCount > 0, self._bp_blank_page())
            return
        if getattr(first, "_postponed", False) and self.frame._atTop:
            flowables[0] = self._fit_frame(first)
        super().handle_flowable(flowables)

    def _fit_frame(self, flowable: Any) -> Any:
        """A flowable that did not fit at the top of the last frame, now at the top of an empty one: itself
        if it fits or splits here, else scaled down to fit (a table row, a contents entry or a title taller
        than the whole text area: type as large as the style allows on the smallest text area), reported
        in :attr:`bp_shrunk` rather than failing the document."""
        frame = self.frame
        width, height = frame._getAvailableWidth(), frame._aH
        _w, needed = flowable.wrapOn(self.canv, width, height)
        if needed <= height + 1e-6 or frame.split(flowable, self.canv):
            return flowable
        return ShrunkToFit(flowable, width, height, _describe(flowable))

    def afterFlowable(self, flowable: Any) -> None:
        """Note what was scaled down to fit the text area (:class:`ShrunkToFit`)."""
        if isinstance(flowable, ShrunkToFit):
            self.bp_shrunk.setdefault(flowable.shown, None)
        super().afterFlowable(flowable)



class _Interrupted:
    """Content of ``element`` drawn in the middle of an artifact: the artifact is closed, the element's
    sequence opened, and the artifact reopened after (sequences never nest)."""

    def __init__(self, canv: Canvas, tagger: StructureTagger, element: Element) -> None:
        self.canv = canv
        self.tagger = tagger
        self.element = element
        self.reopen = False

    def __enter__(self) -> None:
        self.reopen = self.tagger.in_artifact()
        if self.reopen:
            self.tagger.close(self.canv)
        self.tagger.open_marked(self.canv, self.element)

    def __exit__(self, *exc: object) -> None:
        self.tagger.close(self.canv)
        if self.reopen:
            self.tagger.open_artifact(self.canv, "Pagination", "Header")
