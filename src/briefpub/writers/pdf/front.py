"""A pack's front matter in the PDF: cover, contents, summary page, blank pages (layout stage).

:class:`PackFront` renders the pack's frame
(:class:`~briefpub.writers.common.frame.PackFrame`: every label, date and
detail comes from there, in the pack's language):

* the **cover**: pack title, subtitle, then the frame's details ("Date: …",
  "Reference: …", "Version: …", "Compiled by: …", those given, in its order),
  carrying the pack's marking;
* the **contents** (:class:`Contents`): one numbered entry per article (its
  title, the localised "Untitled" when it has none, and a "[MARKING]" when its
  marking differs from the pack's, with the outlet and date below), and with
  ``furniture.contents_depth`` 2 or 3 the article's headings, each with dot
  leaders to its page number, the whole row a link to its destination. A short
  pack's contents sit on the cover, under the pack's details; when they do not
  fit there, they start on the page after the cover and run over as many pages
  as they need;
* the **summary page** (``pack.summary_page``): every article's key points
  under its linked title, or its opening sentence, labelled as such;
* the **end mark** after the last article.

The contents is an ``IndexingFlowable`` for ``multiBuild``. Every entry is
known before layout and a page number never changes the height of an entry
(numbers are drawn in a fixed-width column), so the first pass already lays
the contents out on exactly the pages it will finally take: the second pass
only fills in the numbers the first pass recorded, and the build stops there
(two passes). The numbers come from :data:`~briefpub.writers.pdf.flowables.DEST_EVENT`
notifications sent by the titles and headings when they are drawn.

In the tagged PDF's structure tree (:mod:`briefpub.writers.pdf.structure`) the
front matter comes first, in reading order: the cover is a ``Sect`` (the
marking, the pack's title as ``H1``, subtitle and details as paragraphs), the
contents a ``Sect`` with its heading and a ``TOC`` of ``TOCI`` entries (the
article's number a ``Span``, its title a ``Link`` that owns the row's link
annotation, the page number a ``Reference``, outlet and date a ``P``; the dot
leaders are artifacts), the summary page a ``Sect`` with its heading and a
numbered list; the end mark a paragraph after the last article.

Front matter carries the pack's marking and running header (none on the
cover). In duplex, the cover, the contents (when on their own pages), the
summary page and every article start on a right-hand page; blank versos carry
the frame's blank-page note and the furniture of the pages before them.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from typing import Any

from reportlab.lib.colors import Color
from reportlab.platypus import Flowable, Spacer
from reportlab.platypus.doctemplate import IndexingFlowable

from briefpub.diagnostics import excerpt
from briefpub.styling.model import StyleSheet, TextStyle
from briefpub.writers.common.frame import SEPARATOR, PackFrame
from briefpub.writers.common.inlines import Run, RunStyle, TextRun
from briefpub.writers.pdf.flowables import (
    DEST_EVENT,
    ArticleStart,
    BlankPage,
    LocatedRule,
    LocatedText,
    PageState,
    RectoBreak,
    Rule,
    ShrunkToFit,
)
from briefpub.writers.pdf.layout import ArticleLayout, TextArea
from briefpub.writers.pdf.paragraphs import HeadingMark, ParagraphSpec, Setter
from briefpub.writers.pdf.structure import Structure, artifact, language_of, link_rect, marked
from briefpub.writers.pdf.styles import colour
from briefpub.writers.pdf.tagging import Element

__all__ = [
    "Contents",
    "ContentsLine",
    "EntryTags",
    "PackFront",
    "PackSections",
    "blank_page_factory",
]

_LEADER_GAP = 4.0  # space between an entry's text, its dot leader and its page number
_CONTENTS_WIDOWS = 3  # the fewest entries carried over to the contents' last page
_CONTENTS_ORPHANS = 2  # the fewest entries at the foot of a page before the contents go on


@dataclasses.dataclass(frozen=True, slots=True)
class ContentsLine:
    """One entry of the contents: ``level`` 0 is an article (or the summary page), 1 and 2 headings."""

    key: str
    level: int
    text: str
    number: str = ""  # the article's number in the pack, printed before its title
    marking: str = ""  # the article's marking when it differs from the pack's
    note: str = ""  # a small line under an article entry: outlet and date


@dataclasses.dataclass(frozen=True, slots=True)
class EntryTags:
    """The structure elements of one contents entry (a ``TOCI``): what its parts are content of."""

    number: Element | None = None
    title: Element | None = None
    page: Element | None = None
    note: Element | None = None


@dataclasses.dataclass(frozen=True, slots=True)
class PackSections:
    """The front matter's top-level elements, made before the articles' (reading order is creation order)."""

    cover: Element
    contents: Element
    summary: Element | None

    @staticmethod
    def make(structure: Structure, pack: PackFrame) -> PackSections:
        """The cover, contents and (when the pack has one) summary sections, first under the document."""
        root = structure.root
        return PackSections(root.add("Sect", title=pack.labels.cover), root.add("Sect", title=pack.contents_label),
                            root.add("Sect", title=pack.summary_label) if pack.summary_page else None)


@dataclasses.dataclass(slots=True)
class _Row:
    """A contents entry laid out at one width."""

    line: ContentsLine
    title: LocatedText
    note: LocatedText | None
    height: float
    space_before: float


class _ContentsLook:
    """How contents entries are set: text styles, indents, the number and page columns."""

    def __init__(self, sheet: StyleSheet, setter: Setter, rtl: bool) -> None:
        self.sheet = sheet
        self.setter = setter
        self.rtl = rtl
        base = sheet.body
        self.levels: tuple[TextStyle, ...] = (
            dataclasses.replace(sheet.heading2, bold=True, size=base.size, leading=base.leading,
                                space_before=7.0, space_after=0.0, align="left"),
            dataclasses.replace(base, size=base.size - 1, leading=base.leading - 1.5, colour=sheet.subtitle.colour,
                                space_before=1.5, space_after=0.0, align="left"),
            dataclasses.replace(base, size=base.size - 1.5, leading=base.leading - 2.5, italic=True,
                                colour=sheet.subtitle.colour, space_before=1.0, space_after=0.0, align="left"),
        )
        self.note_text = dataclasses.replace(sheet.byline, size=sheet.byline.size - 0.5,
                                             leading=sheet.byline.leading - 1, space_after=0.0, align="left")
        #: Page numbers are set in each level's style, upright and regular, with lining figures.
        self.page_text = tuple(dataclasses.replace(t, bold=False, italic=False) for t in self.levels)
        self.page_width = max(self._width("0000", t) for t in self.page_text) + 2
        self.label_width = self._width("000", self.levels[0]) + 8
        self.indent = (self.label_width, self.label_width + 12, self.label_width + 24)
        self.leader_colour: Color = colour(sheet.boxes.border)
        self._numbers: dict[tuple[str, int, str], LocatedText] = {}

    def _width(self, value: str, text: TextStyle) -> float:
        para = self.setter.text(value, ParagraphSpec(text, "measure", align="left", direction="ltr"))
        self.setter.made.pop()
        return max(para.line_widths(10_000.0), default=0.0)

    def _align(self) -> str:
        return "page-right" if self.rtl else "page-left"

    def text_width(self, level: int, width: float) -> float:
        """Width left for an entry's text at ``level``: the line minus indent and page column."""
        return float(max(width - self.indent[min(level, 2)] - self.page_width - 3 * _LEADER_GAP, 20.0))

    def number(self, value: str, level: int, align: str) -> LocatedText:
        """A page or article number in the entry's style (made once per value)."""
        key = (value, level, align)
        found = self._numbers.get(key)
        if found is None:
            text = self.page_text[level] if align != "number" else self.levels[0]
            side = "page-left" if (align == "number") == self.rtl else "page-right"
            found = self._numbers[key] = self.setter.text(value, ParagraphSpec(
                text, "contents-number", align=side, direction="ltr", space_before=0.0, space_after=0.0))
        return found

    def row(self, line: ContentsLine, width: float) -> _Row:
        """Lay out one entry at ``width``."""
        level = min(line.level, 2)
        text = self.levels[level]
        runs: list[Run] = [TextRun(line.text, RunStyle(bold=text.bold, italic=text.italic))]
        if line.marking:
            runs += [TextRun(" ", RunStyle()), TextRun(f"[{line.marking}]", RunStyle(bold=True))]
        title = self.setter.paragraph(runs, ParagraphSpec(text, f"toc{level}", align=self._align(),
                                                          direction="auto", space_before=0.0))
        _w, height = title.wrap(self.text_width(level, width), 10_000)
        note = None
        if line.note:
            note = self.setter.text(line.note, ParagraphSpec(self.note_text, "toc-note", align=self._align(),
                                                              direction="auto"))
            _w, note_height = note.wrap(self.text_width(level, width), 10_000)
            height += note_height + 1
        return _Row(line, title, note, height, text.space_before)

    def draw_row(self, canv: Any, row: _Row, top: float, width: float, page: int | None,
                 tags: EntryTags | None = None) -> None:
        """Draw ``row`` with its top at ``top``: number, text, dot leader, page number, link (each part
        content of its element in ``tags``, the dot leader an artifact)."""
        tags = tags or EntryTags()
        level = min(row.line.level, 2)
        text = self.levels[level]
        text_w = self.text_width(level, width)
        indent = self.indent[level]
        x_text = width - indent - text_w if self.rtl else indent
        title = row.title
        widths = title.line_widths(text_w)
        lines = max(len(widths), 1)
        baseline = top - text.size - (lines - 1) * text.leading
        # Drawn in reading order (number, title, page), which is also the order text extraction sees.
        if row.line.number:
            number = self.number(row.line.number, 0, "number")
            room = self.label_width - 6
            number.wrapOn(canv, room, 100)
            with marked(canv, tags.number):
                number.drawOn(canv, width - room if self.rtl else 0.0, top - number.height)
        title.wrapOn(canv, text_w, 10_000)
        with marked(canv, tags.title):
            title.drawOn(canv, x_text, top - title.height)
        used = widths[-1] if widths else 0.0
        if page is not None:
            figure = self.number(str(page), level, "page")
            figure.wrapOn(canv, self.page_width, 100)
            # the number's baseline on the entry's last line
            with marked(canv, tags.page):
                figure.drawOn(canv, 0.0 if self.rtl else width - self.page_width,
                              baseline + self.page_text[level].size - figure.height)
        # Dot leader from the end of the text's last line to the page column.
        if self.rtl:
            start, end = self.page_width + _LEADER_GAP, x_text + text_w - used - _LEADER_GAP
        else:
            start, end = x_text + used + _LEADER_GAP, width - self.page_width - _LEADER_GAP
        if end - start > 6:
            with artifact(canv, "Layout"):
                canv.saveState()
                canv.setStrokeColor(self.leader_colour)
                canv.setLineWidth(0.9)
                canv.setLineCap(1)
                canv.setDash(0.01, 3.2)
                canv.line(start, baseline + 1, end, baseline + 1)
                canv.restoreState()
        if row.note is not None:
            row.note.wrapOn(canv, text_w, 10_000)
            with marked(canv, tags.note):
                row.note.drawOn(canv, x_text, top - row.height)
        x0 = 0.0 if self.rtl else indent
        x1 = width - indent if self.rtl else width
        link_rect(canv, (x0, top - row.height - 1, x1, top + 1), row.line.key, tags.title,
                  row.line.text + (f" ({row.line.marking})" if row.line.marking else ""))


class _ContentsRows(Flowable):  # type: ignore[misc]
    """Contents entries laid out one under another; splits between entries, never inside one."""

    def __init__(self, owner: Contents, lines: Sequence[ContentsLine]) -> None:
        super().__init__()
        self.owner = owner
        self.lines = list(lines)
        self._rows: list[_Row] = []
        self._width = -1.0

    def _layout(self, width: float) -> list[_Row]:
        if width != self._width:
            self._rows = [self.owner.row(line, width) for line in self.lines]
            self._width = width
        return self._rows

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:
        """The height of every entry and the space between them."""
        rows = self._layout(availWidth)
        height = sum(r.height for r in rows) + sum(r.space_before for r in rows[1:])
        self.width, self.height = availWidth, height
        return availWidth, height

    def split(self, availWidth: float, availHeight: float) -> list[Flowable]:
        """The entries that fit, then the rest; an article is not left alone above its headings.

        At the top of a frame the rules give way (type as large as the style allows on a small text
        area): as many entries as fit, and a first entry taller than the frame alone, scaled to fit.
        """
        rows = self._layout(availWidth)
        frame = getattr(self, "_frame", None) or getattr(self.owner, "_frame", None)
        if getattr(frame, "_atTop", False):
            return self._split_at_top(rows, availWidth, availHeight)
        used = 0.0
        count = 0
        for i, row in enumerate(rows):
            need = row.height + (row.space_before if i else 0.0)
            if used + need > availHeight + 1e-6:
                break
            used += need
            count += 1
        if 0 < len(rows) - count < _CONTENTS_WIDOWS:
            count = max(len(rows) - _CONTENTS_WIDOWS, 0)  # no page holding the contents' last entry or two alone
        if count < _CONTENTS_ORPHANS:
            count = 0  # nor a page ending with one entry
        if 1 < count < len(rows) and rows[count - 1].line.level == 0 and rows[count].line.level > 0:
            count -= 1  # keep an article entry with its first heading
        if count == 0:
            return []
        if count == len(rows):
            return [self]
        return [_ContentsRows(self.owner, self.lines[:count]), _ContentsRows(self.owner, self.lines[count:])]

    def _split_at_top(self, rows: Sequence[_Row], availWidth: float, availHeight: float) -> list[Flowable]:
        used = 0.0
        count = 0
        for i, row in enumerate(rows):
            used += row.height + (row.space_before if i else 0.0)
            if used > availHeight + 1e-6:
                break
            count += 1
        if count == len(rows):
            return [self]
        rest = _ContentsRows(self.owner, self.lines[max(count, 1):])
        if count:
            return [_ContentsRows(self.owner, self.lines[:count]), rest]
        first = _ContentsRows(self.owner, self.lines[:1])
        shown = excerpt(f"contents: {self.lines[0].text}")
        return [ShrunkToFit(first, availWidth, availHeight, shown), rest] if len(rows) > 1 else []

    def draw(self) -> None:
        """Draw every entry top-down, with the page numbers the last pass recorded."""
        rows = self._layout(self.width)
        top = self.height
        for i, row in enumerate(rows):
            if i:
                top -= row.space_before
            self.owner.look.draw_row(self.canv, row, top, self.width, self.owner.page_of(row.line.key),
                                     self.owner.tags.get(row.line.key))
            top -= row.height


class Contents(IndexingFlowable):  # type: ignore[misc]
    """The pack's contents: entries known up front, page numbers from the previous ``multiBuild`` pass.

    :meth:`notify` records the page on which each entry's destination is drawn
    during a pass; the next pass draws those numbers. The build is done when a
    pass recorded the same pages it drew (:meth:`isSatisfied`).
    """

    def __init__(self, lines: Sequence[ContentsLine], look: _ContentsLook,
                 tags: dict[str, EntryTags] | None = None) -> None:
        super().__init__()
        self.look = look
        self.lines = list(lines)
        #: Each entry's structure elements, by destination key.
        self.tags = tags or {}
        self._keys = frozenset(line.key for line in self.lines)
        self._pages: dict[str, int] = {}  # recorded in this pass
        self._drawn: dict[str, int] = {}  # recorded in the previous pass: what this pass draws
        self._passes = 0
        #: Entries laid out, by entry and width: shared by the parts a split makes (each part laying its
        #: entries out again made a contents of n entries over p pages cost n * p entry layouts).
        self._row_cache: dict[tuple[int, float], _Row] = {}
        self._rows = _ContentsRows(self, self.lines)

    def row(self, line: ContentsLine, width: float) -> _Row:
        """``line`` laid out at ``width`` (once per entry and width)."""
        key = (id(line), width)
        found = self._row_cache.get(key)
        if found is None:
            found = self._row_cache[key] = self.look.row(line, width)
        return found

    def beforeBuild(self) -> None:
        """Draw this pass with what the last pass recorded."""
        self._drawn, self._pages = self._pages, {}
        self._passes += 1

    def notify(self, kind: str, stuff: Any) -> None:
        """Record the page of a destination this contents lists."""
        if kind == DEST_EVENT:
            key, page = stuff
            if key in self._keys:
                self._pages.setdefault(key, page)

    def isSatisfied(self) -> bool:
        """True when the numbers drawn in this pass are the pages recorded in it (never in the first)."""
        return self._passes > 1 and self._pages == self._drawn

    def can_be_final(self) -> bool:
        """False in the first pass (it has no page numbers to print): the template lays out a draft."""
        return self._passes > 1

    def page_of(self, key: str) -> int | None:
        """The page number to print for ``key`` (None in the first pass)."""
        return self._drawn.get(key)

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:
        """The height of all entries."""
        w, h = self._rows.wrap(availWidth, availHeight)
        self.width, self.height = w, h
        return w, h

    def split(self, availWidth: float, availHeight: float) -> list[Flowable]:
        """Split between entries (the parts draw with this contents' page numbers)."""
        parts: list[Flowable] = self._rows.split(availWidth, availHeight)
        if parts == [self._rows]:
            return [self]
        return parts

    def draw(self) -> None:
        """Draw every entry."""
        self._rows.canv = self.canv
        self._rows.width, self._rows.height = self.width, self.height
        self._rows.draw()


def blank_page_factory(sheet: StyleSheet, setter: Setter, note: str, state: PageState | None = None
                       ) -> Callable[[], Flowable]:
    """Makes the content of a deliberately blank page: the ``note``, centred, in italics."""
    text = dataclasses.replace(sheet.body, italic=True, colour=sheet.furniture.colour, align="center",
                               space_after=0.0)

    def make() -> Flowable:
        return BlankPage(setter.text(note, ParagraphSpec(text, "blank-page", align="center", direction="auto")),
                         state)

    return make


class PackFront:
    """The front matter of one pack (cover, contents and summary page) and its end mark, as flowables,
    with their structure elements in ``sections`` (made before the articles')."""

    def __init__(self, pack: PackFrame, sheet: StyleSheet, setter: Setter, state: PageState, area: TextArea,
                 layouts: Sequence[ArticleLayout], structure: Structure | None = None,
                 sections: PackSections | None = None) -> None:
        self.pack = pack
        self.sheet = sheet
        self.setter = setter
        self.state = state
        self.area = area
        self.layouts = list(layouts)
        self.rtl = pack.rtl
        self.duplex = sheet.page.duplex
        self.structure = structure or Structure(pack.language, pack.title)
        self.sections = sections or PackSections.make(self.structure, pack)
        cover = self.sections.cover
        # the cover's elements, made once (the cover is laid out twice when the contents may not fit on it)
        self._cover_tags = {"marking": cover.add("P") if pack.marking else None,
                            "title": self.structure.title(cover, 1),
                            "subtitle": cover.add("P") if pack.subtitle else None}
        self._detail_tags = [cover.add("P") for _detail in pack.details]
        contents = self.sections.contents
        self._contents_heading = contents.add("H2")  # (after the pack's H1, as every article's title)
        self._toc = contents.add("TOC")
        tags: dict[str, EntryTags] = {}
        lines = self.contents_lines(tags)
        self.contents = Contents(lines, _ContentsLook(sheet, setter, self.rtl), tags)

    # -- pieces ---------------------------------------------------------------------------

    def _para(self, value: str, text: TextStyle, kind: str, *, key: str = "", level: int | None = None,
              balanced: bool = False, tag: Element | None = None) -> LocatedText:
        """``value`` aligned with the page (right on a right-to-left pack's pages), whatever its own
        direction; with ``key``, a destination (and with ``level`` an outline entry) where it stands."""
        mark = HeadingMark(key, level, value) if key else None
        return self.setter.text(value, ParagraphSpec(text, kind, align="page-right" if self.rtl else "page-left",
                                                     direction="auto", heading=mark, balanced=balanced, tag=tag))

    def contents_lines(self, tags: dict[str, EntryTags] | None = None) -> list[ContentsLine]:
        """Every entry: the summary page, then each article and (by ``contents_depth``) its headings.

        With ``tags``, each entry's structure elements are made (a ``TOCI`` of the contents' ``TOC``) and
        recorded by destination key.
        """
        pack = self.pack
        lines: list[ContentsLine] = []
        if pack.summary_page:
            lines.append(ContentsLine(pack.summary_anchor, 0, pack.summary_label))
            self._entry_tags(tags, lines[-1], "")
        for layout in self.layouts:
            art = layout.frame
            note = SEPARATOR.join(part for part in (art.byline.source, art.byline.date) if part)
            lines.append(ContentsLine(art.title_anchor, 0, art.title, str(art.number), art.portion_marking, note))
            self._entry_tags(tags, lines[-1], art.language)
            for item in layout.outline:
                if item.depth <= pack.contents_depth - 1 and item.text.strip():
                    lines.append(ContentsLine(item.key, item.depth, item.text))
                    self._entry_tags(tags, lines[-1], art.language)
        return lines

    def _entry_tags(self, tags: dict[str, EntryTags] | None, line: ContentsLine, lang: str) -> None:
        if tags is None:
            return
        entry = self._toc.add("TOCI", lang=language_of(self._toc, lang))
        number = entry.add("Span") if line.number else None  # (Lbl belongs in LI only, in PDF 1.7)
        title = entry.add("Link")
        tags[line.key] = EntryTags(number, title, entry.add("Reference"), entry.add("P") if line.note else None)

    def _heading(self, value: str, kind: str, key: str = "", tag: Element | None = None) -> Flowable:
        text = dataclasses.replace(self.sheet.heading1, space_before=0.0, space_after=10.0)
        return self._para(value, text, kind, key=key, tag=tag)

    def cover(self, *, compact: bool) -> list[Flowable]:
        """Title, subtitle and the pack's details; ``compact`` leaves room for the contents below."""
        pack, sheet = self.pack, self.sheet
        title_text = dataclasses.replace(sheet.title, size=sheet.title.size * 1.25,
                                         leading=sheet.title.leading * 1.25, space_after=10.0)
        tags = self._cover_tags
        out: list[Flowable] = [
            ArticleStart(self.state, pack.running_header, pack.marking, rtl=self.rtl,
                         marking_element=tags["marking"]),
            Spacer(1, self.area.height * (0.06 if compact else 0.22)),
            self._para(pack.title, title_text, "cover-title", key=pack.cover_anchor, level=0, balanced=True,
                       tag=tags["title"]),
        ]
        if pack.subtitle:
            out.append(self._para(pack.subtitle, sheet.subtitle, "cover-subtitle", balanced=True,
                                  tag=tags["subtitle"]))
        out.append(Rule(width="100%", thickness=1.2, color=colour(sheet.boxes.border), spaceBefore=4,
                        spaceAfter=12))
        meta_text = dataclasses.replace(sheet.byline, size=sheet.byline.size * 1.15,
                                        leading=sheet.byline.leading * 1.15, space_after=3.0)
        out.extend(self._detail(detail.label, detail.value, meta_text, tag)
                   for detail, tag in zip(pack.details, self._detail_tags, strict=True))
        return out

    def _detail(self, label: str, value: str, text: TextStyle, tag: Element | None = None) -> Flowable:
        """A "Label: value" line of the cover, the label in bold."""
        runs: list[Run] = [TextRun(f"{label}:", RunStyle(bold=True)), TextRun(f" {value}", RunStyle())]
        return self.setter.paragraph(runs, ParagraphSpec(text, "cover-meta",
                                                         align="page-right" if self.rtl else "page-left",
                                                         direction="auto", tag=tag))

    def summary(self) -> list[Flowable]:
        """The summary page: each article's key points (or opening sentence) under its linked title."""
        pack = self.pack
        section = self.sections.summary
        heading = section.add("H2") if section is not None else None
        out: list[Flowable] = [ArticleStart(self.state, pack.running_header, pack.marking, title_here=False,
                                            rtl=self.rtl),
                               self._heading(pack.summary_label, "summary-heading", pack.summary_anchor, heading)]
        entries = section.add("L", list_numbering="Decimal") if section is not None else None
        for layout, entry in zip(self.layouts, pack.summary, strict=True):
            out.extend(layout.summary_entry(entry, page_rtl=self.rtl, parent=entries))
        return out

    def end(self) -> list[Flowable]:
        """The end mark after the last article: a short centred rule and the frame's end mark."""
        text = dataclasses.replace(self.sheet.byline, italic=True, align="center", space_before=6.0)
        rule = LocatedRule(width="20%", thickness=0.8, color=colour(self.sheet.boxes.border), spaceBefore=18,
                           spaceAfter=0, hAlign="CENTER")
        mark = self.setter.text(f"\u2014 {self.pack.end_mark} \u2014",
                                ParagraphSpec(text, "end-mark", align="center", direction="auto",
                                              tag=self.structure.root.add("P")))
        return [rule, mark]

    def _fits(self, flowables: list[Flowable], height: float) -> bool:
        used = 0.0
        for f in flowables:
            _w, h = f.wrap(self.area.width, self.area.height)
            used += h + f.getSpaceBefore() + f.getSpaceAfter()
            if used > height:
                return False
        return True

    def flowables(self) -> list[Flowable]:
        """The whole front matter; the articles follow, each after a :class:`RectoBreak`."""
        pack = self.pack
        contents_head = self._heading(pack.contents_label, "contents-heading", pack.contents_anchor,
                                      self._contents_heading)
        compact = self.cover(compact=True)
        on_cover = self._fits([*compact, Spacer(1, 24), contents_head, self.contents], self.area.height)
        out: list[Flowable]
        if on_cover:
            out = [*compact, Spacer(1, 24), contents_head, self.contents]
        else:
            out = [*self.cover(compact=False), RectoBreak(self.duplex),
                   ArticleStart(self.state, pack.running_header, pack.marking, title_here=False, rtl=self.rtl),
                   contents_head, self.contents]
        if pack.summary_page:
            out += [RectoBreak(self.duplex), *self.summary()]
        return out
