"""Custom reportlab flowables of the PDF writer (layout stage).

* :class:`Located` flowables (:class:`LocatedText`, the text engine's
  paragraph, :class:`LocatedTable`, :class:`LocatedImage`, :class:`LocatedRule`)
  carry the place of the tree they render, ``(document, block path)``
  (:data:`Where`), through every split, and tell :class:`PageStarts` about it
  while they are drawn: the canvas records, for each page, where the page's
  first line of text comes from (``WriteResult.pages``, the EPUB page-list's
  source). A title or heading is a :class:`LocatedText` with a bookmark: when
  drawn, it adds a PDF destination where it stands and an outline entry (on
  the page actually drawn, so bookmarks and internal links land right), and
  tells the document template (``notify``, :data:`DEST_EVENT`) on which page
  it landed, which is how a pack's contents learns its page numbers.
* :class:`ArticleStart` is a zero-size marker telling the page furniture which
  article (or part of a pack's front matter) the following pages belong to
  (running header, marking, the "Article 3 of 12" label of its first page).
* :class:`RectoBreak` starts a new page, a right-hand (odd) one when asked:
  :class:`~briefpub.writers.pdf.furniture.BriefingDocTemplate` expands it at
  layout time, when the current page number is known, into page breaks and,
  where needed, a :class:`BlankPage` saying it is blank on purpose.
* :class:`QrCode` is reportlab's QR code flowable, encoded once however many
  layout passes draw it, and drawn as one filled path.
* :class:`Indented` sets content in from the margin, with a rule down the
  indent (block quotes) or a marker in it (list items: bullet or number), and
  splits across pages like the content it wraps.
* :class:`Rule` is a horizontal rule drawn as a ``Layout`` artifact of the
  tagged PDF (decoration); the quote's rule and a blank page's note are
  artifacts too. Text and pictures are tagged by what draws them (see
  :mod:`briefpub.writers.pdf.structure`).

Every flowable here can be drawn again in a later pass of ``multiBuild``: the
state they change (:class:`PageState`) is reset at the start of each pass.
"""

from __future__ import annotations

import io
import warnings
from typing import Any, TypeAlias

from reportlab.graphics.barcode.qr import QrCode as _RlQrCode
from reportlab.lib.colors import Color
from reportlab.lib.utils import ImageReader
from reportlab.platypus import Flowable, KeepInFrame, PageBreak, Table
from reportlab.platypus.flowables import HRFlowable

from briefpub.tree import BlockPath
from briefpub.writers.pdf.structure import artifact
from briefpub.writers.pdf.tagging import Element
from briefpub.writers.pdf.typeset import DEST_EVENT, TextFlowable

__all__ = [
    "DEST_EVENT",
    "ArticleStart",
    "BlankPage",
    "Indented",
    "KeepWithEnd",
    "Located",
    "LocatedImage",
    "LocatedRule",
    "LocatedTable",
    "LocatedText",
    "PageStarts",
    "PageState",
    "QrCode",
    "RectoBreak",
    "Rule",
    "ShrunkToFit",
    "Where",
    "locate",
]

#: Where a flowable's content comes from: (article index, block path); ``(i, None)`` is article
#: ``i``'s title block, ``(None, None)`` a pack's front matter.
Where: TypeAlias = tuple[int | None, BlockPath | None]
FRONT_MATTER: Where = (None, None)


class PageStarts:
    """For each page, where its first line of text comes from (recorded while the pages are drawn).

    :class:`Located` flowables :meth:`enter` their place while they draw; the
    canvas calls :meth:`text_drawn` whenever it draws a text object, and the
    first call on a page made while a located flowable draws records the
    innermost place being drawn. Text outside located flowables (list bullets,
    drawn before their item; furniture; front matter) records nothing: a page
    whose text all comes from there takes the last place entered
    (:meth:`page_ended`): front matter before the first article, the
    article's last block on the blank back of its last sheet.
    """

    def __init__(self) -> None:
        self._stack: list[Where] = []
        self._last: Where = FRONT_MATTER
        self.pages: dict[int, Where] = {}

    def reset(self) -> None:
        """Forget an earlier layout pass."""
        self._stack.clear()
        self._last = FRONT_MATTER
        self.pages.clear()

    def enter(self, where: Where) -> None:
        """A located flowable starts drawing."""
        self._stack.append(where)
        self._last = where

    def leave(self) -> None:
        """The flowable entered last is drawn."""
        self._stack.pop()

    def text_drawn(self, page: int) -> None:
        """Text is being drawn on ``page``: the first time inside a located flowable, record its place."""
        if self._stack and page not in self.pages:
            self.pages[page] = self._stack[-1]

    def page_ended(self, page: int) -> None:
        """``page`` is complete: a page that drew no text takes the last place entered."""
        self.pages.setdefault(page, self._last)


class Located:
    """Mixin for a flowable that renders one place of the tree (:data:`Where`).

    The place survives splits (every part carries it) and is entered in the
    canvas's :class:`PageStarts` (``canvas.bp_page_starts``) while the flowable
    draws, nested ones innermost.
    """

    bp_where: Where | None = None

    def drawOn(self, canvas: Any, x: float, y: float, _sW: float = 0) -> None:
        """Draw, with this flowable's place entered in the canvas's page starts."""
        starts: PageStarts | None = getattr(canvas, "bp_page_starts", None)
        if starts is None or self.bp_where is None:
            super().drawOn(canvas, x, y, _sW)  # type: ignore[misc]
            return
        starts.enter(self.bp_where)
        try:
            super().drawOn(canvas, x, y, _sW)  # type: ignore[misc]
        finally:
            starts.leave()

    def split(self, availWidth: float, availHeight: float) -> list[Any]:
        """Split as the flowable does; every part keeps the place."""
        parts: list[Any] = super().split(availWidth, availHeight)  # type: ignore[misc]
        for part in parts:
            if isinstance(part, Located) and part.bp_where is None:
                part.bp_where = self.bp_where
        return parts


class LocatedText(Located, TextFlowable):
    """A paragraph of the text engine that knows which block it renders (every split part keeps it).

    The engine writes its glyphs straight into the page's content stream, so it
    tells the page starts itself that the page has text (reportlab's text objects
    do it through :meth:`~briefpub.writers.pdf.furniture.BriefingCanvas.drawText`).
    ``bp_size`` is the paragraph's font size (a list marker's baseline follows it).
    """

    bp_size: float = 0.0

    def draw(self) -> None:
        """Tell the page starts, then draw the lines."""
        starts: PageStarts | None = getattr(self.canv, "bp_page_starts", None)
        if starts is not None and self.height > 0:
            starts.text_drawn(self.canv.getPageNumber())
        super().draw()


class ShrunkToFit(KeepInFrame):  # type: ignore[misc]
    """A flowable taller than the whole text area, scaled down to fit it; ``shown`` says what it is (the
    document template reports it as ``writer.shrunk``)."""

    def __init__(self, flowable: Flowable, width: float, height: float, shown: str) -> None:
        super().__init__(width, height, [flowable], mode="shrink")
        self.shown = shown


class LocatedTable(Located, Table):  # type: ignore[misc]
    """A table that knows which block it renders."""


class LocatedImage(Located, Flowable):  # type: ignore[misc]
    """A picture that knows which block it renders, drawn from encoded bytes it shares with its key's others.

    Unlike reportlab's ``Image`` (which keeps the decoded pixels of its own copy
    for as long as the story lives), the bytes are decoded only while the
    picture is drawn and let go after: the canvas embeds one image object per
    distinct picture, however many flowables draw it.
    """

    _fixedWidth = 1
    _fixedHeight = 1

    def __init__(self, data: bytes, width: float, height: float) -> None:
        super().__init__()
        self._data = data
        self.width = self.drawWidth = width
        self.height = self.drawHeight = height

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:
        """The fixed size it was made with (the caller decides whether it fits)."""
        return self.drawWidth, self.drawHeight

    def draw(self) -> None:
        """Decode, draw and let the pixels go (the bytes were checked: Pillow has nothing left to say)."""
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            reader = ImageReader(io.BytesIO(self._data))
            self.canv.drawImage(reader, 0, 0, self.drawWidth, self.drawHeight, mask="auto")


class Rule(HRFlowable):  # type: ignore[misc]
    """A horizontal rule, drawn as a ``Layout`` artifact (decoration) of the tagged PDF."""

    def draw(self) -> None:
        """The rule, inside an artifact."""
        with artifact(self.canv, "Layout"):
            super().draw()


class LocatedRule(Located, Rule):
    """A horizontal rule (thematic break) that knows which block it renders."""


def locate(flowable: Any, where: Where | None) -> Any:
    """``flowable`` with its place set (when it can carry one); returns it."""
    if isinstance(flowable, Located) and where is not None:
        flowable.bp_where = where
    return flowable


class PageState:
    """What the page furniture needs to know about the page being laid out.

    ``title`` feeds the running header and ``marking`` the banners; both change
    when an :class:`ArticleStart` is drawn, as does ``label``, printed in place of
    the running header on the page where an article's title stands. ``starts``
    records where each page's text begins. :meth:`reset` restores the values
    given here (each ``multiBuild`` pass starts from them).

    The furniture is an artifact of the tagged PDF, except where it says what a
    reader must hear once: on the page where an article (or the pack's cover)
    starts, the top marking is the content of ``marking_element`` and the
    "Article 3 of 12" label of ``label_element``.
    """

    def __init__(self, title: str, marking: str) -> None:
        self._initial = (title, marking)
        self.title = title
        self.marking = marking
        self.label = ""
        #: The pages belong to a right-to-left article (or pack): the running head starts on the right.
        self.rtl = False
        #: The page on which the current title block stands (no running header there).
        self.title_page = 0
        #: The last page left blank on purpose (no running header there).
        self.blank_page = 0
        #: The structure elements of the title page's marking and label (see the class docstring).
        self.marking_element: Element | None = None
        self.label_element: Element | None = None
        self.starts = PageStarts()

    def reset(self) -> None:
        """Back to the state before the first page (start of a layout pass)."""
        self.title, self.marking = self._initial
        self.label = ""
        self.rtl = False
        self.title_page = 0
        self.blank_page = 0
        self.marking_element = self.label_element = None
        self.starts.reset()


class ArticleStart(Flowable):  # type: ignore[misc]
    """Zero-size marker: from here on, pages belong to an article (or front matter) whose running
    header is ``title``, with ``marking``.

    ``title_here`` says that a title block stands on this page, so the running
    header is left out there (it would repeat the title just below it); ``label``
    ("Article 3 of 12") is printed in its place; ``rtl`` puts the running head on the right.
    ``marking_element`` and ``label_element`` are what the marking and the label
    printed on that page are content of (see :class:`PageState`).
    """

    def __init__(self, state: PageState, title: str, marking: str, *, title_here: bool = True,
                 label: str = "", rtl: bool = False, marking_element: Element | None = None,
                 label_element: Element | None = None) -> None:
        super().__init__()
        self.state = state
        self.title = title
        self.marking = marking
        self.title_here = title_here
        self.label = label
        self.rtl = rtl
        self.marking_element = marking_element
        self.label_element = label_element
        self.width = self.height = 0

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:
        """Take no room."""
        return 0, 0

    def draw(self) -> None:
        """Switch the furniture to this article."""
        self.state.title = self.title
        self.state.marking = self.marking
        self.state.label = self.label
        self.state.rtl = self.rtl
        if self.title_here:
            self.state.title_page = self.canv.getPageNumber()
            self.state.marking_element = self.marking_element
            self.state.label_element = self.label_element


class RectoBreak(Flowable):  # type: ignore[misc]
    """Start a new page; with ``recto``, a right-hand (odd-numbered) one.

    Never drawn: the document template replaces it, when it reaches it, by the
    page breaks (and the :class:`BlankPage`) that the current page number calls for.
    """

    def __init__(self, recto: bool) -> None:
        super().__init__()
        self.recto = recto
        self.width = self.height = 0

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:
        """Take no room (the template expands this marker before it is laid out)."""
        return 0, 0

    def expand(self, page: int, page_has_content: bool, blank: Flowable) -> list[Flowable]:
        """What replaces this marker when layout reaches it on ``page``.

        The next content goes on ``page`` itself when nothing is on it yet, else on
        the next page; when that page is even and a right-hand start is wanted, a
        blank page (``blank``, then a break) comes first.
        """
        target = page if not page_has_content else page + 1
        out: list[Flowable] = [PageBreak()] if page_has_content else []
        if self.recto and target % 2 == 0:
            out += [blank, PageBreak()]
        return out


class BlankPage(Flowable):  # type: ignore[misc]
    """A deliberately blank page's only content: ``note`` a third of the way down; the page gets no
    running header (its markings and footer stay). The note is an artifact of the tagged PDF (``Page``):
    it speaks of the printed sheet, not of the publication."""

    def __init__(self, note: Flowable, state: PageState | None = None) -> None:
        super().__init__()
        self.note = note
        self.state = state

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:
        """Take the top 40% of the frame; the notice sits at its bottom."""
        _w, h = self.note.wrap(availWidth, availHeight)
        self.width, self.height = availWidth, max(availHeight * 0.4, h)
        return self.width, self.height

    def draw(self) -> None:
        """Draw the notice; tell the furniture this page is blank."""
        if self.state is not None:
            self.state.blank_page = self.canv.getPageNumber()
        with artifact(self.canv, "Page"):
            self.note.drawOn(self.canv, 0, 0)


class QrCode(_RlQrCode):  # type: ignore[misc]
    """A QR code that is encoded once (reportlab encodes it again on every draw: in a pack's two
    layout passes that was a third of the writer's time) and drawn as a single path.

    The modules are drawn as filled rectangles straight on the canvas: reportlab's
    graphics-drawing version would set its default (unembedded Helvetica) font.
    """

    def draw(self) -> None:
        """Draw the dark modules, one rectangle per run of dark modules in a row (nothing in a draft pass)."""
        if getattr(getattr(self.canv, "_doctemplate", None), "bp_draft", False):
            return
        if not getattr(self, "_bp_made", False):
            self.qr.make()
            self._bp_made = True
        modules = self.qr.modules
        count = len(modules)
        border = self.qrBorder
        xsize = self.width / (count + border * 2.0)
        ysize = self.height / (count + border * 2.0)
        path = self.canv.beginPath()
        for r, row in enumerate(modules):
            y = self.height - (r + border + 1) * ysize
            c = 0
            while c < count:
                if not row[c]:
                    c += 1
                    continue
                start = c
                while c < count and row[c]:
                    c += 1
                # 5% taller than a module: no hairline gaps between rows in viewers
                path.rect((start + border) * xsize, y, (c - start) * xsize, ysize * 1.05)
        self.canv.drawPath(path, stroke=0, fill=1)


class Indented(Flowable):  # type: ignore[misc]
    """Flowables set in from the start side by ``indent`` (and from the end side by ``end_indent``),
    splitting across pages like the content they hold.

    Optionally a vertical rule down the indent (block quotes: ``rule`` is its colour) and a ``marker`` in
    the indent of the first part (a list item's bullet or number: a flowable the width of the indent less
    a gap, its first baseline on the content's first baseline). ``rtl`` puts the start side on the right.
    ``splittable`` False keeps the content on one page (a figure with its caption).
    """

    def __init__(self, content: list[Any], *, indent: float, end_indent: float = 0.0, rule: Color | None = None,
                 rule_width: float = 1.5, marker: Flowable | None = None, rtl: bool = False,
                 splittable: bool = True) -> None:
        super().__init__()
        self.splittable = splittable
        self.content = content
        self.indent = indent
        self.end_indent = end_indent
        self.rule = rule
        self.rule_width = rule_width
        self.marker = marker
        self.rtl = rtl
        self.spaceBefore = 0.0
        self.spaceAfter = 0.0

    def _inner_width(self, avail: float) -> float:
        return max(avail - self.indent - self.end_indent, 1.0)

    def _gap(self, i: int, item: Any) -> float:
        """The space above content item ``i`` (the first item's is the container's own space before)."""
        return float(item.getSpaceBefore()) if i else 0.0

    def getSpaceBefore(self) -> float:
        """The container's space before, at least its first item's."""
        first = float(self.content[0].getSpaceBefore()) if self.content else 0.0
        return max(float(self.spaceBefore), first)

    def getSpaceAfter(self) -> float:
        """The container's space after, at least its last item's."""
        last = float(self.content[-1].getSpaceAfter()) if self.content else 0.0
        return max(float(self.spaceAfter), last)

    def _room(self, availHeight: float) -> float:
        """The height the content is wrapped in."""
        return availHeight

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:
        """Lay out the content in the indented width."""
        inner = self._inner_width(availWidth)
        height = 0.0
        last = len(self.content) - 1
        for i, item in enumerate(self.content):
            _w, h = item.wrapOn(self.canv, inner, self._room(availHeight))
            height += h + self._gap(i, item) + (item.getSpaceAfter() if i < last else 0)
        if self.marker is not None:
            _w, h = self.marker.wrapOn(self.canv, max(self.indent - 4.0, 1.0), availHeight)
            height = max(height, h)
        self.width, self.height = availWidth, height
        return availWidth, height

    def split(self, availWidth: float, availHeight: float) -> list[Any]:
        """Split the content where it would cross the page's bottom (never, unless ``splittable``)."""
        if not self.splittable:
            return []
        inner = self._inner_width(availWidth)
        first: list[Any] = []
        used = 0.0
        availHeight -= 1e-6
        rest = list(self.content)
        while rest:
            item = rest[0]
            space = self._gap(len(first), item)
            _w, h = item.wrapOn(self.canv, inner, max(availHeight - used - space, 0.0))
            if used + space + h <= availHeight:
                first.append(rest.pop(0))
                used += space + h + item.getSpaceAfter()
                continue
            parts = item.splitOn(self.canv, inner, availHeight - used - space)
            if parts:
                first.append(parts[0])
                rest = list(parts[1:]) + rest[1:]
            break
        if not first:
            return []
        if not rest:
            return [self]
        kw: dict[str, Any] = {"indent": self.indent, "end_indent": self.end_indent, "rule": self.rule,
                              "rule_width": self.rule_width, "rtl": self.rtl}
        head, tail = Indented(first, marker=self.marker, **kw), Indented(rest, **kw)
        head.canv = self.canv
        if head.wrap(availWidth, availHeight)[1] > availHeight:
            return []
        head.spaceBefore = self.spaceBefore
        tail.spaceAfter = self.spaceAfter
        return [head, tail]

    def draw(self) -> None:
        """Draw the rule and the marker, then the content top-down."""
        canv = self.canv
        inner = self._inner_width(self.width)
        x_content = self.end_indent if self.rtl else self.indent
        if self.rule is not None:
            with artifact(canv, "Layout"):
                canv.saveState()
                canv.setStrokeColor(self.rule)
                canv.setLineWidth(self.rule_width)
                x = self.width - self.indent / 3 if self.rtl else self.indent / 3
                canv.line(x, 0, x, self.height)
                canv.restoreState()
        if self.marker is not None:
            room = max(self.indent - 4.0, 1.0)
            _w, h = self.marker.wrapOn(canv, room, self.height)
            drop = 0.0
            first = self.content[0] if self.content else None
            own = float(getattr(self.marker, "bp_size", 0) or 0)
            size = float(getattr(first, "bp_size", 0) or 0)
            if size and own:
                drop = max(0.0, size - own)
            x = self.width - self.indent + 4.0 if self.rtl else 0.0
            self.marker.drawOn(canv, x, self.height - h - drop)
        y = self.height
        for i, item in enumerate(self.content):
            y -= self._gap(i, item)
            w, h = item.wrapOn(canv, inner, self._room(self.height))
            y -= h
            # the item's own alignment in the column, as a frame would place it
            align = str(getattr(item, "hAlign", "LEFT")).upper()
            shift = {"CENTER": (inner - w) / 2, "CENTRE": (inner - w) / 2, "RIGHT": inner - w}.get(align, 0.0)
            item.drawOn(canv, x_content + max(shift, 0.0), y)
            y -= item.getSpaceAfter()


class KeepWithEnd(Indented):
    """An article's last flowable and its end matter (the source block), never parted so that the end
    matter stands alone at the top of a page.

    When the whole does not fit the room left on a page, the last flowable is split
    so that its last lines (at least its widow count) go over with the end matter;
    one that cannot split goes over whole. A group taller than a page splits like
    its content.
    """

    def __init__(self, content: list[Any], *, page_height: float) -> None:
        super().__init__(content, indent=0.0)
        self.page_height = page_height

    def _room(self, availHeight: float) -> float:
        # the whole group's natural height (a KeepTogether wrapped in less room claims it all)
        return max(availHeight, self.page_height)

    def split(self, availWidth: float, availHeight: float) -> list[Any]:
        """Split inside the first flowable, the rest kept whole with its end."""
        _w, height = self.wrap(availWidth, availHeight)
        if height <= availHeight + 1e-6:
            return [self]
        first, rest = self.content[0], self.content[1:]
        _w, h = first.wrapOn(self.canv, availWidth, self.page_height)
        if height > self.page_height:  # cannot be kept on one page anyway
            if h <= availHeight:
                return [first, *rest]
            parts = first.splitOn(self.canv, availWidth, availHeight)
            return [*parts, *rest] if parts else []
        parts = first.splitOn(self.canv, availWidth, min(availHeight, h - 1.0))
        if len(parts) < 2:
            return []
        tail = KeepWithEnd([*parts[1:], *rest], page_height=self.page_height)
        tail.spaceAfter = self.spaceAfter
        return [parts[0], tail]
