"""reportlab helpers that mark what they draw (PDF writer, layout stage).

* :class:`Marked` wraps a flowable whose drawing is one element's content: an
  image (``Figure`` with ``/Alt``), the QR code of the source URL (``Figure``
  whose alternative text names the URL), a list bullet or number drawn by
  reportlab (``Lbl``). It records where the flowable was drawn (the
  element's ``/BBox``).
* :class:`Artifact` wraps a flowable that is decoration: rules
  (``HRFlowable``), bars, a blank page's note.
* :class:`TableTagging` is a reportlab ``Table`` ``renderCB``: cell
  backgrounds become ``Background`` artifacts, grid lines ``Layout``
  artifacts, and header rows that reportlab repeats at the top of a
  continuation page ``Pagination`` artifacts (they are read once, where the
  table starts). The cells' content is tagged by the cells' own flowables
  (``TextFlowable(..., tag=td_element)``); a cell given as a plain string is
  drawn untagged, so the structure checks report it: give every cell a flowable.

Outside a :class:`~briefpub.writers.pdf.tagging.tagger.StructureTagger` (no
``bp_tagger`` on the canvas) they draw exactly what they wrap.
"""

from __future__ import annotations

from typing import Any

from reportlab.platypus import Flowable

from briefpub.writers.pdf.tagging.model import Element
from briefpub.writers.pdf.tagging.tagger import StructureTagger

__all__ = ["Artifact", "Marked", "TableTagging", "find_structure_tagger"]


def find_structure_tagger(canvas: Any, explicit: StructureTagger | None = None) -> StructureTagger | None:
    """``explicit``, else the canvas's ``bp_tagger`` when it is a :class:`StructureTagger`, else None."""
    if explicit is not None:
        return explicit
    found = getattr(canvas, "bp_tagger", None)
    return found if isinstance(found, StructureTagger) else None


def _page_box(canvas: Any, width: float, height: float) -> tuple[float, float, float, float]:
    """The rectangle (0, 0, width, height) of the current coordinates, in default user space."""
    corners = [canvas.absolutePosition(x, y) for x in (0.0, width) for y in (0.0, height)]
    xs = [c[0] for c in corners]
    ys = [c[1] for c in corners]
    return (round(min(xs), 3), round(min(ys), 3), round(max(xs), 3), round(max(ys), 3))


class _Wrapper(Flowable):  # type: ignore[misc]
    """A flowable drawing another one (size, spacing, alignment and splitting are the content's)."""

    def __init__(self, content: Flowable) -> None:
        super().__init__()
        self.content = content
        self.hAlign = getattr(content, "hAlign", "LEFT")
        self.vAlign = getattr(content, "vAlign", "BOTTOM")
        self.keepWithNext = getattr(content, "keepWithNext", 0)
        self.width = getattr(content, "width", 0)
        self.height = getattr(content, "height", 0)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.content!r})"

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:
        """The content's size."""
        width, height = self.content.wrap(availWidth, availHeight)
        self.width, self.height = width, height
        return width, height

    def split(self, availWidth: float, availHeight: float) -> list[Flowable]:
        """The content's parts, each wrapped the same way."""
        return [self._again(part) for part in self.content.split(availWidth, availHeight)]

    def _again(self, part: Flowable) -> Flowable:
        raise NotImplementedError

    def getSpaceBefore(self) -> float:
        """The content's."""
        return float(self.content.getSpaceBefore())

    def getSpaceAfter(self) -> float:
        """The content's."""
        return float(self.content.getSpaceAfter())


class Marked(_Wrapper):
    """Draws ``content`` as the content of ``element`` (one marked-content sequence per page)."""

    def __init__(self, content: Flowable, element: Element, *, tagger: StructureTagger | None = None) -> None:
        super().__init__(content)
        self.element = element
        self.tagger = tagger

    def _again(self, part: Flowable) -> Flowable:
        return Marked(part, self.element, tagger=self.tagger)

    def draw(self) -> None:
        """The content, inside the element's sequence; its rectangle is the element's BBox."""
        canvas = self.canv
        tagger = find_structure_tagger(canvas, self.tagger)
        if tagger is None:
            self.content.drawOn(canvas, 0, 0)
            return
        with tagger.marked(canvas, self.element, bbox=_page_box(canvas, self.width, self.height)):
            self.content.drawOn(canvas, 0, 0)


class Artifact(_Wrapper):
    """Draws ``content`` as an artifact of ``kind`` (and ``subtype``, for ``Pagination``)."""

    def __init__(self, content: Flowable, kind: str = "Layout", subtype: str | None = None, *,
                 tagger: StructureTagger | None = None) -> None:
        super().__init__(content)
        self.kind = kind
        self.subtype = subtype
        self.tagger = tagger

    def _again(self, part: Flowable) -> Flowable:
        return Artifact(part, self.kind, self.subtype, tagger=self.tagger)

    def draw(self) -> None:
        """The content, inside an artifact sequence."""
        canvas = self.canv
        tagger = find_structure_tagger(canvas, self.tagger)
        if tagger is None:
            self.content.drawOn(canvas, 0, 0)
            return
        with tagger.artifact(canvas, self.kind, self.subtype):
            self.content.drawOn(canvas, 0, 0)


class TableTagging:
    """A ``Table(..., renderCB=TableTagging(table_element))`` callback: the table's decoration as artifacts.

    ``element`` (the ``Table`` element, optional) gets the table's ``/BBox``
    when the whole table is on one page.
    """

    def __init__(self, element: Element | None = None, *, tagger: StructureTagger | None = None) -> None:
        self.element = element
        self.tagger = tagger
        self._canvas: Any = None
        self._seen: set[tuple[int, ...]] = set()
        self._open: list[bool] = []

    def __call__(self, table: Any, event: str, *args: Any) -> None:
        """reportlab's table rendering events (``startBG``, ``startRow``, ``startLines``...)."""
        canvas = table.canv
        tagger = find_structure_tagger(canvas, self.tagger)
        if tagger is None:
            return
        if canvas is not self._canvas:  # a new build pass
            self._canvas = canvas
            self._seen = set()
            self._open = []
        if event == "startTable":
            if self.element is not None:
                tagger.note_bbox(canvas, self.element, _page_box(canvas, table._width, table._height))
        elif event == "startBG":
            tagger.open_artifact(canvas, "Background")
        elif event == "startLines":
            tagger.open_artifact(canvas, "Layout")
        elif event in ("endBG", "endLines"):
            tagger.close(canvas)
        elif event == "startRow":
            repeated = self._repeated(table, int(args[0]))
            self._open.append(repeated)
            if repeated:
                tagger.open_artifact(canvas, "Pagination")
        elif event == "endRow" and self._open and self._open.pop():
            tagger.close(canvas)

    def _repeated(self, table: Any, row: int) -> bool:
        """True for a header row drawn again at the top of a continuation (the same cell objects again)."""
        repeat = table.repeatRows
        header_rows = set(repeat) if isinstance(repeat, (tuple, list)) else set(range(int(repeat or 0)))
        if row not in header_rows:
            return False
        key = tuple(id(value) for value in table._cellvalues[row])
        if key in self._seen:
            return True
        self._seen.add(key)
        return False
