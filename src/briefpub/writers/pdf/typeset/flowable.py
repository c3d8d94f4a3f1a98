"""The text engine as a reportlab platypus flowable: :class:`TextFlowable`.

``wrap`` lays the paragraph out for the available width (cached per width),
``split`` cuts it between lines for the page (widow and orphan rules, no
hyphenated line at a page's foot), ``draw`` writes its lines through the tagger
(only the bookmark in a template's draft pass, ``bp_draft``), then releases the
shaped text and lines until they are needed again.
The parts of a split paragraph share the layout; a part laid out again in another
width (a narrower frame) re-breaks its remaining text.

The layout can also ask the flowable about its text without drawing it: the
number of lines and their widths for a width (headline balancing, the contents'
dot leaders), its plain text, and what to report (:class:`Report`).
"""

from __future__ import annotations

import copy
import math
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

from reportlab.platypus import Flowable

from briefpub.writers.pdf.typeset.fonts import FontData, font_data
from briefpub.writers.pdf.typeset.itemize import HARD_BREAK, Prepared, prepare
from briefpub.writers.pdf.typeset.layout import Layout, layout_prepared
from briefpub.writers.pdf.typeset.model import FaceLike, Run, TextBlock
from briefpub.writers.pdf.typeset.render import Extraction, draw_lines, link_infos
from briefpub.writers.pdf.typeset.tagging import Tagger, find_tagger

__all__ = ["DEST_EVENT", "Bookmark", "Report", "TextFlowable"]

#: The ``notify`` kind sent when a bookmarked paragraph is drawn (as ``HeadingParagraph`` does).
DEST_EVENT = "bpDestination"


@dataclass(frozen=True, slots=True)
class Bookmark:
    """A destination at the paragraph's first line, and optionally an outline entry.

    ``level`` is the outline depth (0 = top) or None for a destination alone;
    ``title`` the entry's text; ``closed`` folds the entry's children.
    """

    key: str
    level: int | None = 0
    title: str = ""
    closed: bool = False


@dataclass(frozen=True, slots=True)
class Report:
    """What the writer should turn into diagnostics for a paragraph."""

    #: Code points no face of their run's chain has (printed as U+FFFD).
    missing: frozenset[int]
    #: A justified paragraph that could not be justified within the word-space limits: set ragged.
    ragged_fallback: bool
    #: The hyphenation language pyphen does not know (the paragraph was not hyphenated).
    unknown_language: str | None
    #: Words wider than the column, broken at URL-safe points or anywhere.
    overlong: tuple[str, ...]
    #: Link targets that were neither http(s)/mailto URLs nor ``#destinations`` (kept as text).
    unsafe_links: tuple[str, ...]


class TextFlowable(Flowable):  # type: ignore[misc]
    """A paragraph set by the text engine.

    ``tag`` is opaque to the engine and handed to the tagger with every
    marked-content sequence (a structure element reference and its role).
    ``tagger`` defaults to the canvas's ``bp_tagger`` attribute, else none.
    ``bookmark`` adds a destination (and an outline entry) where the paragraph starts.
    """

    def __init__(
        self,
        block: TextBlock,
        *,
        tag: object = None,
        tagger: Tagger | None = None,
        bookmark: Bookmark | None = None,
        resolve: Callable[[FaceLike], FontData] = font_data,
        extraction: Extraction | None = None,
    ) -> None:
        super().__init__()
        self.block = block
        self.tag = tag
        self.tagger = tagger
        self.bookmark = bookmark
        self.resolve = resolve
        self.extraction = extraction or Extraction()
        self.keepWithNext = block.style.keep_with_next
        self._layouts: dict[float, Layout] = {}
        self._layout: Layout | None = None
        self._first = 0
        self._last: int | None = None
        self._is_first = True
        self._is_last = True
        self._source = _Source(block, resolve)
        self.width = 0.0
        self.height = 0.0
        # Set by reportlab's frame when it places the flowable: declared here, so that adding them later
        # does not turn each paragraph's compact attribute storage into a full dict (35 KB an article).
        self._frame: Any = None
        self.canv: Any = None

    # -- reportlab's flowable protocol ------------------------------------------------

    def __repr__(self) -> str:
        text = self.block.plain_text()
        return f"TextFlowable({text[:40]!r}{'...' if len(text) > 40 else ''})"

    def getSpaceBefore(self) -> float:
        """The style's space before (first part only)."""
        return self.block.style.space_before if self._is_first else 0.0

    def getSpaceAfter(self) -> float:
        """The style's space after (last part only)."""
        return self.block.style.space_after if self._is_last else 0.0

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:
        """Lay out for ``availWidth``; the height is the lines' count times the leading."""
        layout = self._layout_for(availWidth)
        self.width = availWidth
        self.height = self._count(layout) * layout.leading
        return availWidth, self.height

    def split(self, availWidth: float, availHeight: float) -> list[Any]:
        """Two parts, the first fitting ``availHeight``, or [] (move the paragraph whole).

        A paragraph of fewer than ``orphans + widows`` lines never splits; otherwise
        at least ``orphans`` lines stay at the foot of the page and ``widows`` go to
        the next. The split moves up a line (two at most) rather than end the page
        with a hyphenated line. At the top of a frame too short for ``orphans`` lines
        (type as large as the style allows on a small text area), the rules give way:
        any number of lines may stand alone rather than the paragraph never fitting.
        """
        layout = self._layout_for(availWidth)
        style = self.block.style
        total = self._count(layout)
        fit = math.floor((availHeight + 1e-6) / layout.leading)
        if fit >= total:
            return [self]
        orphans, widows = max(style.orphans, 1), max(style.widows, 1)
        if getattr(getattr(self, "_frame", None), "_atTop", False) and fit < orphans + widows:
            orphans = widows = 1
        if total < orphans + widows:
            return []
        cut = min(fit, total - widows)
        if cut < orphans:
            return []
        best = cut
        while best >= orphans and layout.specs[self._first + best - 1].hyphen:
            best -= 1
        if best >= orphans:
            cut = best
        head = self._part(layout, self._first, self._first + cut, first=self._is_first, last=False)
        tail = self._part(layout, self._first + cut, self._end(layout), first=False, last=self._is_last)
        return [head, tail]

    def draw(self) -> None:
        """Draw the lines (and the bookmark, on the first part)."""
        canvas = self.canv
        layout = self._layout or self._layout_for(self.width)
        if self.bookmark is not None and self._is_first:
            self._draw_bookmark(canvas)
        end = self._end(layout)
        # In a layout pass whose pages are thrown away (a pack's first, which learns the contents' page
        # numbers) the destination is all a paragraph needs: drawing its text was a third of a pack's time.
        if not getattr(getattr(canvas, "_doctemplate", None), "bp_draft", False):
            tagger = find_tagger(canvas, self.tagger)
            draw_lines(canvas, layout, self._first, end, top=self.height, tagger=tagger, tag=self.tag,
                       links=link_infos(layout), extraction=self.extraction)
        if end >= layout.count:
            self.release()  # the paragraph's last part is drawn: until the next pass it needs only its breaks

    def release(self) -> None:
        """Forget the paragraph's shaped text and built lines (kept: its line breaks for each width); they
        are made again when next needed. Bounds a long document's memory between layout passes."""
        if self._layout is not None:
            self._layout.release()
        for layout in self._layouts.values():
            layout.release()
        self._source.release()

    # -- measurement and reports ---------------------------------------------------

    def layout(self, width: float) -> Layout:
        """The paragraph (this part) laid out for ``width``."""
        return self._layout_for(width)

    def line_count(self, width: float) -> int:
        """How many lines the paragraph takes at ``width``."""
        return self._count(self._layout_for(width))

    def line_widths(self, width: float) -> list[float]:
        """The drawn width of each line at ``width`` (the last one gives a contents line's dot leader start)."""
        layout = self._layout_for(width)
        return [line.width for line in layout.lines[self._first : self._end(layout)]]

    def plain_text(self) -> str:
        """The paragraph's text (hard breaks as newlines)."""
        return self.block.plain_text()

    def report(self, width: float | None = None) -> Report:
        """What happened laying the paragraph out (at ``width``, or the last wrapped width)."""
        layout = self._layout_for(width if width is not None else self.width)
        missing, unsafe_links = self._source.facts()
        return Report(missing, layout.ragged_fallback, layout.unknown_language, tuple(layout.overlong),
                      unsafe_links)

    # -- internals -------------------------------------------------------------------

    def _end(self, layout: Layout) -> int:
        return layout.count if self._last is None else self._last

    def _count(self, layout: Layout) -> int:
        return self._end(layout) - self._first

    def _layout_for(self, width: float) -> Layout:
        if self._layout is not None and abs(self._layout.width - width) < 1e-6:
            return self._layout
        key = round(width, 4)
        found = self._layouts.get(key)
        if found is None:
            if self._layout is not None and self._first > 0:
                # a continuation laid out in another width: re-break the remaining text
                # (from then on this part is that remainder, in every width: earlier layouts are of the whole)
                self._source = _Source(_remainder(self._layout, self._first), self.resolve)
                self._first, self._last = 0, None
                self._layouts = {}
            found = layout_prepared(self._source.get(), width, self._source.get)
            self._layouts[key] = found
        self._layout = found
        return found

    def _part(self, layout: Layout, start: int, stop: int, *, first: bool, last: bool) -> TextFlowable:
        # a copy keeps the class and whatever a subclass or the layout attached (say, the block it renders)
        part = copy.copy(self)
        part.__dict__.pop("_postponed", None)  # reportlab's count of page moves belongs to the whole
        part.bookmark = self.bookmark if first else None
        part._layouts = {round(layout.width, 4): layout}
        part._layout = layout
        part._source = self._source
        part._first = start
        part._last = stop
        part._is_first = first
        part._is_last = last
        part.keepWithNext = self.keepWithNext if last else False
        part.width = self.width
        part.height = (stop - start) * layout.leading
        return part

    def _draw_bookmark(self, canvas: Any) -> None:
        bookmark = self.bookmark
        assert bookmark is not None
        canvas.bookmarkHorizontal(bookmark.key, 0, self.height)
        if bookmark.level is not None:
            level = min(bookmark.level, getattr(canvas, "_bp_outline_level", -1) + 1)
            canvas._bp_outline_level = level
            canvas.addOutlineEntry(bookmark.title or self.block.plain_text() or " ", bookmark.key, level=level,
                                   closed=bookmark.closed)
        template = getattr(canvas, "_doctemplate", None)
        if template is not None:
            template.notify(DEST_EVENT, (bookmark.key, canvas.getPageNumber()))


class _Source:
    """A paragraph's text and its prepared (shaped) form, shared by the parts a split makes.

    :meth:`release` drops the prepared form; :meth:`get` makes it again (the same
    text shaped the same way) when it is needed.
    """

    __slots__ = ("_facts", "block", "prepared", "resolve")

    def __init__(self, block: TextBlock, resolve: Callable[[FaceLike], FontData]) -> None:
        self.block = block
        self.resolve = resolve
        self.prepared: Prepared | None = None
        self._facts: tuple[frozenset[int], tuple[str, ...]] | None = None

    def get(self) -> Prepared:
        """The prepared text (made on first use after creation or release)."""
        if self.prepared is None:
            self.prepared = prepare(self.block, self.resolve)
            self._facts = (frozenset(self.prepared.missing), tuple(self.prepared.unsafe_links))
        return self.prepared

    def facts(self) -> tuple[frozenset[int], tuple[str, ...]]:
        """What preparing the text found to report: code points no face has, unsafe link targets (kept
        when the prepared text is released)."""
        if self._facts is None:
            self.get()
        assert self._facts is not None
        return self._facts

    def release(self) -> None:
        """Forget the prepared text."""
        self.prepared = None


def _remainder(layout: Layout, first_line: int) -> TextBlock:
    """The text of a layout from line ``first_line`` on, as a paragraph with no first-line indent."""
    prepared = layout.prepared
    start = layout.specs[first_line].start
    runs: list[Run] = []
    text = prepared.text
    for i, run in enumerate(prepared.runs):
        a = prepared.run_starts[i]
        b = prepared.run_starts[i + 1] if i + 1 < len(prepared.runs) else len(text)
        a = max(a, start)
        if a >= b:
            continue
        piece = text[a:b].replace(HARD_BREAK, "\n")
        runs.append(replace(run, text=piece))
    style = replace(prepared.block.style, first_indent=0.0, space_before=0.0)
    return TextBlock(tuple(runs), style, prepared.block.label)
