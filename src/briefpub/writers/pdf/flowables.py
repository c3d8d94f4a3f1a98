"""Custom reportlab flowables of the PDF writer (layout stage).

* :class:`HeadingParagraph` is a heading or title that, when drawn, adds a PDF
  destination where it stands and an outline (bookmark) entry. Doing this at
  draw time, on the page actually being drawn, is what makes bookmarks and
  internal links land on the right page.
* :class:`ArticleStart` is a zero-size marker telling the page furniture which
  article the following pages belong to (running header, marking).
* :class:`QuoteBar` draws block-quote content with a rule down its left side and
  splits across pages like the content it wraps.
"""

from __future__ import annotations

from typing import Any

from reportlab.lib.colors import Color
from reportlab.platypus import Flowable, Paragraph

__all__ = ["ArticleStart", "HeadingParagraph", "PageState", "QuoteBar"]


class PageState:
    """What the page furniture needs to know about the page being laid out."""

    def __init__(self, title: str, marking: str, cover: bool = False) -> None:
        self.title = title
        self.marking = marking
        self.cover = cover
        #: The page on which the current article's title block stands (no running header there).
        self.title_page = 0


class HeadingParagraph(Paragraph):  # type: ignore[misc]
    """A paragraph that registers a destination ``key`` and an outline entry when drawn.

    ``level`` is the outline depth (0 = article title); ``outline`` the entry's
    plain text. A heading split across pages bookmarks its first part only.
    """

    def __init__(self, text: str, style: Any, *, key: str = "", level: int = 0, outline: str = "",
                 **kw: Any) -> None:
        super().__init__(text, style, **kw)
        self.bp_key = key
        self.bp_level = level
        self.bp_outline = outline

    def draw(self) -> None:
        """Mark the destination at the top of the heading, then draw it."""
        if self.bp_key:
            canv = self.canv
            canv.bookmarkHorizontal(self.bp_key, 0, self.height)
            # Clamp to one below the last entry drawn: PDF outlines cannot skip a level, whatever
            # order nested headings end up being drawn in.
            level = min(self.bp_level, getattr(canv, "_bp_outline_level", -1) + 1)
            canv._bp_outline_level = level
            canv.addOutlineEntry(self.bp_outline or " ", self.bp_key, level=level, closed=False)
        super().draw()

    def split(self, availWidth: float, availHeight: float) -> list[Any]:
        """Split like a paragraph; only the first part keeps the bookmark."""
        parts: list[Any] = super().split(availWidth, availHeight)
        for i, part in enumerate(parts):
            if isinstance(part, HeadingParagraph):
                part.bp_key = self.bp_key if i == 0 else ""
                part.bp_level = self.bp_level
                part.bp_outline = self.bp_outline
        return parts


class ArticleStart(Flowable):  # type: ignore[misc]
    """Zero-size marker: from here on, pages belong to article ``title`` with ``marking``."""

    def __init__(self, state: PageState, title: str, marking: str) -> None:
        super().__init__()
        self.state = state
        self.title = title
        self.marking = marking
        self.width = self.height = 0

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:
        """Take no room."""
        return 0, 0

    def draw(self) -> None:
        """Switch the furniture to this article."""
        self.state.title = self.title
        self.state.marking = self.marking
        self.state.cover = False
        self.state.title_page = self.canv.getPageNumber()


class QuoteBar(Flowable):  # type: ignore[misc]
    """Flowables indented by ``indent`` with a vertical rule in the indent; splits across pages."""

    def __init__(self, content: list[Any], *, indent: float, colour: Color, width: float = 1.5,
                 right_indent: float = 0.0) -> None:
        super().__init__()
        self.content = content
        self.indent = indent
        self.right_indent = right_indent
        self.colour = colour
        self.rule_width = width
        self.spaceBefore = 0.0
        self.spaceAfter = 0.0

    def _inner_width(self, avail: float) -> float:
        return max(avail - self.indent - self.right_indent, 1.0)

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:
        """Lay out the content in the indented width."""
        inner = self._inner_width(availWidth)
        height = 0.0
        last = len(self.content) - 1
        for i, item in enumerate(self.content):
            _w, h = item.wrapOn(self.canv, inner, availHeight)
            height += h + (item.getSpaceBefore() if i else 0) + (item.getSpaceAfter() if i < last else 0)
        self.width, self.height = availWidth, height
        return availWidth, height

    def split(self, availWidth: float, availHeight: float) -> list[Any]:
        """Split the content where it would cross the page's bottom."""
        inner = self._inner_width(availWidth)
        first: list[Any] = []
        used = 0.0
        availHeight -= 1e-6
        rest = list(self.content)
        while rest:
            item = rest[0]
            _w, h = item.wrapOn(self.canv, inner, availHeight - used)
            space = item.getSpaceBefore() if first else 0
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
        kw = {"indent": self.indent, "colour": self.colour, "width": self.rule_width,
              "right_indent": self.right_indent}
        head, tail = QuoteBar(first, **kw), QuoteBar(rest, **kw)
        head.canv = self.canv
        if head.wrap(availWidth, availHeight)[1] > availHeight:
            return []
        head.spaceBefore = self.spaceBefore
        tail.spaceAfter = self.spaceAfter
        return [head, tail]

    def draw(self) -> None:
        """Draw the rule, then the content top-down."""
        canv = self.canv
        inner = self._inner_width(self.width)
        canv.saveState()
        canv.setStrokeColor(self.colour)
        canv.setLineWidth(self.rule_width)
        x = self.indent / 3
        canv.line(x, 0, x, self.height)
        canv.restoreState()
        y = self.height
        for i, item in enumerate(self.content):
            if i:
                y -= item.getSpaceBefore()
            _w, h = item.wrapOn(canv, inner, self.height)
            y -= h
            item.drawOn(canv, self.indent, y)
            y -= item.getSpaceAfter()
        # (the last item's space after is left to the flowable's own spaceAfter)
