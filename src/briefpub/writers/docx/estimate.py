"""A rough page layout of the body, for the cached page numbers of the contents (DOCX writer stage).

A DOCX has no pages: Word and LibreOffice paginate when they open it. The
contents page's ``PAGEREF`` fields are recomputed by LibreOffice (and by Word
when fields are updated), but a reader that never evaluates fields shows the
result stored in the file. :class:`PageEstimator` stores a sensible guess
there: it flows the body elements the writer built (``w:p`` and ``w:tbl``)
through pages of the style sheet's text block, with line counts from the
character count, each paragraph style's size, leading and spacing, and an
average advance width per font role (calibrated against DejaVu, the style
sheets' fonts, as LibreOffice 7.4 sets them). Like LibreOffice it collapses
the space below one paragraph with the space above the next (the larger
wins), keeps the space above a paragraph that opens a page after a page or
section break but drops it at the top of a page the text filled, honours
page breaks, keeps a heading with the next lines, keeps two lines at each
side of a page break, and never splits a table row.

Paragraph borders count (the attribution's rule, the key-points box drawn
once around its group). Checked against LibreOffice 7.4 on the test packs
(115 entries: every stored number is the printed one) and on a held-out
pack of the 20 fixture and reference articles: exact with the briefing
sheet at depth 1 and on Letter/duplex/11.5 pt/gutter at depth 2; with the
plain sheet one article ends within a point of the page foot, LibreOffice
pushes its attribution block over and the later entries are one page low.
It is still a guess (fonts other than DejaVu, big tables, images and Word's own
layout will differ), which is why the numbers are fields. It reads no fonts
and has no side effects.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from functools import cache

from lxml import etree

from briefpub.styling.model import StyleSheet, TextStyle
from briefpub.writers.docx import styles as st
from briefpub.writers.docx.furniture import TextArea
from briefpub.writers.docx.oxml import EMU_PER_POINT, qn

#: Average advance of a narrow character in em, by font role and weight (DejaVu, with spaces).
_ADVANCE = {("body", False): 0.51, ("body", True): 0.56, ("heading", False): 0.51, ("heading", True): 0.57,
            ("mono", False): 0.61, ("mono", True): 0.61}  # fmt: skip
#: Lines never fill to the last point: a wrapped word leaves a gap at the line end.
_WRAP_WASTE = 1.03
#: A line is at least this many times the font size (DejaVu's ascent + descent).
_LINE_FACTOR = 1.17
#: Lines holding Arabic script are taller (Noto Sans Arabic, the Arabic complex-script font).
_ARABIC_LINE_FACTOR = 1.89
_ARABIC = re.compile("[\u0600-\u06ff\u0750-\u077f\u08a0-\u08ff\ufb50-\ufdff\ufe70-\ufeff]")
#: Lines kept together at each side of a page break (widow and orphan control).
_WIDOW = 2
#: The key-points box's border above and below: its space (4 pt) and line (0.75 pt).
_BOX_BORDER = 4.75
#: Tolerance for rounding: a line that overshoots the text block by less than this still fits.
_SLACK = 1.0


@dataclass(frozen=True, slots=True)
class _Metrics:
    """What the estimate needs of a paragraph style."""

    size: float
    leading: float
    before: float
    after: float
    advance: float
    indent: float = 0.0  # left + right indentation
    keep_next: bool = False
    keep_lines: bool = False
    box: float = 0.0  # a style's own top and bottom borders (space + line), drawn once around a group


def _metrics(text: TextStyle, *, before: float | None = None, after: float | None = None, bold: bool | None = None,
             indent: float = 0.0, keep_next: bool = False, keep_lines: bool = False,
             box: float = 0.0) -> _Metrics:  # fmt: skip
    heavy = text.bold if bold is None else bold
    return _Metrics(
        size=text.size,
        leading=max(text.leading, text.size * _LINE_FACTOR),
        before=text.space_before if before is None else before,
        after=text.space_after if after is None else after,
        advance=_ADVANCE.get((text.font, heavy), 0.55),
        indent=indent,
        keep_next=keep_next,
        keep_lines=keep_lines,
        box=box,
    )


def style_metrics(sheet: StyleSheet) -> dict[str, _Metrics]:
    """Metrics of every paragraph style the writer uses, keyed by style id (mirrors :mod:`.styles`)."""
    body = _metrics(sheet.body)
    quote = sheet.paragraphs.quote_indent
    box = st.KEY_POINT_INDENT + 12.0  # the box's indents (left and right)
    table: dict[str, _Metrics] = {
        st.NORMAL: body,
        st.BODY: body,
        st.TITLE: _metrics(replace(sheet.title, size=round(sheet.title.size * 4 / 3, 1),
                                   leading=sheet.title.leading * 4 / 3), keep_next=True),
        st.SUBTITLE: _metrics(sheet.subtitle, keep_next=True),
        st.BYLINE: _metrics(sheet.byline),
        st.ARTICLE_LABEL: _metrics(sheet.byline, after=2.0, bold=True, keep_next=True),
        st.ATTRIBUTION: _metrics(sheet.byline, after=2.0),
        st.QUOTE: _metrics(sheet.quote, indent=2 * quote),
        st.CAPTION: _metrics(sheet.caption),
        st.TABLE_TEXT: _metrics(sheet.table),
        st.KEY_POINTS: _metrics(sheet.heading3, before=0.0, after=3.0, bold=True, keep_next=True, indent=box,
                                box=_BOX_BORDER),
        st.KEY_POINT: _metrics(sheet.body, before=0.0, after=3.0, indent=box, box=_BOX_BORDER),
        st.SUMMARY_ENTRY: _metrics(sheet.heading3, bold=True, keep_next=True),
        st.END_MARK: _metrics(sheet.byline, before=24.0, bold=True),
        st.BLANK_NOTE: _metrics(sheet.body, before=0.0),
        st.TOC_HEADING: _metrics(sheet.title, keep_next=True),
        st.TOC1: _metrics(sheet.body, before=4.0, after=2.0, bold=True, indent=24.0, keep_lines=True),
        st.TOC2: _metrics(sheet.body, before=0.0, after=2.0, indent=24.0 + sheet.paragraphs.list_indent,
                          keep_lines=True),
        st.TOC3: _metrics(sheet.body, before=0.0, after=2.0, indent=24.0 + 2 * sheet.paragraphs.list_indent,
                          keep_lines=True),
    }  # fmt: skip
    table[st.heading_id(1)] = _metrics(sheet.title, keep_next=True, keep_lines=True)
    for level in range(2, 10):
        table[f"Heading{level}"] = _metrics(sheet.heading(level - 1), keep_next=True, keep_lines=True)
    for depth in range(1, st.MAX_LIST_DEPTH + 1):
        for style_id in (st.bullet_id(depth), st.number_id(depth), st.continue_id(depth)):
            table[style_id] = _metrics(sheet.body, indent=sheet.paragraphs.list_indent * depth)
    return table


@cache
def _is_wide(char: str) -> bool:
    return unicodedata.east_asian_width(char) in ("W", "F")


@cache
def _is_zero_width(char: str) -> bool:
    return unicodedata.category(char) in ("Mn", "Me", "Cf")


def text_ems(text: str, advance: float) -> float:
    """Width of ``text`` in em: wide (CJK) characters one em, marks nothing, the rest ``advance``."""
    if text.isascii():
        return len(text) * advance
    total = 0.0
    for char in text:
        if _is_wide(char):
            total += 1.0
        elif not _is_zero_width(char):
            total += advance
    return total


_T, _BR = qn("w:t"), qn("w:br")
_WP_EXTENT = "{http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing}extent"
_BOOKMARK = qn("w:bookmarkStart")
_TYPE = qn("w:type")
_VAL = qn("w:val")


@dataclass(slots=True)
class _Paragraph:
    """One paragraph reduced to what the estimate needs."""

    metrics: _Metrics
    leading: float
    lines: int
    before: float
    after: float
    extra: float  # height of pictures
    border: float  # the paragraph's own top and bottom borders (space + line)
    page_break_before: bool
    keep_next: bool
    keep_lines: bool
    bookmarks: list[str] = field(default_factory=list)


@dataclass(slots=True)
class PageEstimator:
    """Flows body elements through pages; records on which page each bookmark lands.

    Pages are counted from 1 across calls: :meth:`new_section` starts the next
    section on a new (or, with ``odd``, a new odd) page, as section breaks do.
    """

    sheet: StyleSheet
    area: TextArea
    page: int = 1
    y: float = 0.0
    gap: float = 0.0  # the space below the last paragraph placed (already in ``y``)
    forced: bool = True  # the current page began at a page or section break (its first space above counts)
    in_box: float = 0.0  # the border still to close below the current group of boxed paragraphs
    bookmarks: dict[str, int] = field(default_factory=dict)
    _styles: dict[str, _Metrics] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self._styles = style_metrics(self.sheet)

    # -- sections and pages ------------------------------------------------

    def new_page(self, *, forced: bool = False) -> None:
        """Continue on the next page (``forced``: at a page or section break, not because the page is full)."""
        self.page += 1
        self.y = 0.0
        self.gap = 0.0
        self.forced = forced

    def new_section(self, *, odd: bool = False) -> None:
        """Start a section: a new page, odd-numbered when ``odd`` (duplex)."""
        self.new_page(forced=True)
        if odd and self.page % 2 == 0:
            self.page += 1

    @property
    def at_top(self) -> bool:
        """Nothing has been placed on the current page yet."""
        return self.y <= 0.0

    # -- elements ----------------------------------------------------------

    def flow(self, elements: Iterable[etree._Element]) -> None:
        """Place body elements (``w:p``, ``w:tbl``) one after another."""
        items = list(elements)
        ahead: _Paragraph | None = None  # the next paragraph, when already read for keep-with-next
        for index, element in enumerate(items):
            if element.tag == qn("w:tbl"):
                self._table(element)
                continue
            if element.tag != qn("w:p"):
                continue
            para = ahead if ahead is not None else self._read(element, self.area.width)
            ahead = None
            follow = 0.0
            if para.keep_next and index + 1 < len(items):
                following = items[index + 1]
                if following.tag == qn("w:p"):
                    ahead = nxt = self._read(following, self.area.width)
                    follow = (max(0.0, nxt.before - para.after) + min(nxt.lines, _WIDOW) * nxt.leading + nxt.extra
                              + nxt.border)
                else:
                    follow = 3 * self._styles[st.BODY].leading
            self._place(para, follow)

    def _style(self, p: etree._Element) -> tuple[_Metrics, etree._Element | None]:
        properties = p.find(qn("w:pPr"))
        style_id = st.NORMAL
        if properties is not None:
            style = properties.find(qn("w:pStyle"))
            if style is not None:
                style_id = style.get(_VAL, st.NORMAL)
        return self._styles.get(style_id, self._styles[st.NORMAL]), properties

    def _read(self, p: etree._Element, width: float) -> _Paragraph:
        metrics, properties = self._style(p)
        before, after, indent = metrics.before, metrics.after, metrics.indent
        page_break = keep_next = False
        keep_lines = metrics.keep_lines
        if properties is not None:
            spacing = properties.find(qn("w:spacing"))
            if spacing is not None:
                if spacing.get(qn("w:before")) is not None:
                    before = int(spacing.get(qn("w:before"), "0")) / 20
                if spacing.get(qn("w:after")) is not None:
                    after = int(spacing.get(qn("w:after"), "0")) / 20
            ind = properties.find(qn("w:ind"))
            if ind is not None:
                indent = sum(int(ind.get(qn(f"w:{side}"), "0")) / 20 for side in ("left", "right"))
            page_break = properties.find(qn("w:pageBreakBefore")) is not None
            keep_next = properties.find(qn("w:keepNext")) is not None
            keep_lines = keep_lines or properties.find(qn("w:keepLines")) is not None
        keep_next = keep_next or metrics.keep_next
        available = max(width - indent, width / 4)
        segments: list[str] = [""]
        extra = 0.0
        for element in p.iter(_T, _BR, _WP_EXTENT):
            if element.tag == _T:
                segments[-1] += element.text or ""
            elif element.tag == _BR:
                if element.get(_TYPE) == "page":
                    page_break = True
                else:
                    segments.append("")
            else:
                extra += int(element.get("cy", "0")) / EMU_PER_POINT
        lines = 0
        for text in segments:
            ems = text_ems(text, metrics.advance) * _WRAP_WASTE
            lines += max(1, math.ceil(ems * metrics.size / available)) if text or extra == 0 else 0
        bookmarks = [str(b.get(qn("w:name"))) for b in p.iter(_BOOKMARK)]
        leading = metrics.leading
        if any(_ARABIC.search(text) for text in segments):
            leading = max(leading, metrics.size * _ARABIC_LINE_FACTOR)
        border = 0.0
        borders = properties.find(qn("w:pBdr")) if properties is not None else None
        if borders is not None:
            for side in borders:
                if side.tag in (qn("w:top"), qn("w:bottom")):
                    border += int(side.get(qn("w:space"), "0")) + int(side.get(qn("w:sz"), "0")) / 8
        return _Paragraph(metrics, leading, lines, before, after, extra, border, page_break, keep_next, keep_lines,
                          bookmarks)

    def _place(self, para: _Paragraph, follow: float) -> None:
        height_limit = self.area.height + _SLACK
        leading = para.leading
        box = para.metrics.box
        if self.in_box and not box:  # the group above ends: its bottom border
            self.y = min(self.y + self.in_box, height_limit)
        extra = para.extra + para.border + (box if box and not self.in_box else 0.0)
        self.in_box = box
        if para.page_break_before and not self.at_top:
            self.new_page(forced=True)
        first = para.lines if para.keep_lines else min(para.lines, _WIDOW)
        above = max(0.0, para.before - self.gap)  # space above and below collapse, as LibreOffice lays them out
        need = above + first * leading + extra + follow
        if not self.at_top and self.y + need > height_limit:
            self.new_page()
        for name in para.bookmarks:
            self.bookmarks.setdefault(name, self.page)
        if not self.at_top or self.forced:  # space above is dropped at the top of a page the text filled
            self.y += above
        self.y += extra
        remaining = para.lines
        while remaining:
            fit = int((height_limit - self.y) // leading)
            if remaining <= fit:
                self.y += remaining * leading
                break
            take = fit if remaining - fit >= _WIDOW else remaining - _WIDOW
            if take < _WIDOW or para.keep_lines:
                if self.at_top:  # taller than a page: it must break somewhere
                    take = max(fit, 1)
                else:
                    self.new_page()
                    continue
            remaining -= take
            self.new_page()
        self.y = min(self.y + para.after, height_limit)
        self.gap = para.after
        self.forced = False

    def _table(self, table: etree._Element) -> None:
        grid = [int(c.get(qn("w:w"), "0")) / 20 for c in table.findall(f"{qn('w:tblGrid')}/{qn('w:gridCol')}")]
        margins = table.find(f"{qn('w:tblPr')}/{qn('w:tblCellMar')}")
        padding = 0.0
        if margins is not None:
            padding = sum(int(m.get(qn("w:w"), "0")) / 20 for m in margins if m.tag in (qn("w:top"), qn("w:bottom")))
        for row in table.iterfind(qn("w:tr")):
            height = padding + 2.0
            for column, cell in enumerate(row.iterfind(qn("w:tc"))):
                cell_height = 0.0
                width = (grid[column] if column < len(grid) else self.area.width) - 11.0  # cell margins
                for p in cell.iterfind(qn("w:p")):
                    para = self._read(p, width)
                    cell_height += para.before + para.lines * para.leading + para.extra + para.after
                    for name in para.bookmarks:
                        self.bookmarks.setdefault(name, self.page)
                height = max(height, cell_height + padding + 2.0)
            if not self.at_top and self.y + height > self.area.height + _SLACK:
                self.new_page()
            self.y += height
            while self.y > self.area.height:  # a row taller than a page
                self.y -= self.area.height
                self.page += 1
        self.y += 6.0 if self.y else 0.0
        self.gap = 0.0


def pages_of(estimator: PageEstimator, elements: Sequence[etree._Element]) -> int:
    """How many pages ``elements`` take from the top of a fresh page (a scratch run of ``estimator``)."""
    scratch = PageEstimator(estimator.sheet, estimator.area)
    scratch.flow(elements)
    return scratch.page
