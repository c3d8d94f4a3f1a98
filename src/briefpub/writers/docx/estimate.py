"""The page layout of the body, set as LibreOffice sets it: contents numbers and blank versos (DOCX writer stage).

A DOCX has no pages: Word and LibreOffice paginate when they open it. The
contents page's ``PAGEREF`` fields keep the result stored in the file
(LibreOffice prints it as it is; Word until fields are updated), and in duplex
the writer must know where each article starts to put a blank verso before
one that would open on a left-hand page. :class:`PageEstimator` lays the body
elements the writer built (``w:p`` and ``w:tbl``) out on pages the way
LibreOffice does, reading everything from the document itself, so it follows
any style sheet rather than one calibration:

- **Formats** come from the document's own ``styles.xml`` and
  ``numbering.xml`` (:class:`StyleBook`): document defaults, paragraph style
  chains (``w:basedOn``), list levels, character styles and direct
  properties, in Word's order of precedence.
- **Lines** are set greedily, as LibreOffice and Word break them: words
  (with break opportunities after spaces, after a hyphen or dash, around CJK
  ideographs) are measured with the conversion's real fonts
  (:mod:`.measure`: HarfBuzz advances per face and size, glyph fallback),
  on the line's width (text block less indents, a first-line indent or a
  list's hanging indent); a word longer than a line is broken where it
  overflows. Justification stretches spaces but never changes the breaks.
- **Line heights** are the tallest face's ascent + descent on the line (an
  inline picture's height above the baseline), with ``w:line`` as *at
  least*, *exact* or a multiple.
- **Paragraphs**: space above and below collapse (the larger wins), as
  LibreOffice lays out a DOCX; the space above is kept at the top of a page
  after a page or section break and dropped at the top of a page the text
  filled; borders add their distance and width, and a group of paragraphs
  with the same borders (the key-points box) is drawn as one box; widow and
  orphan control keeps two lines each side of a break; "keep with next"
  chains move together with the first lines of what follows; "keep lines
  together" and page breaks are honoured.
- **Tables**: rows are cell content plus the cell margins and borders the
  table (or its style) sets, never split (``w:cantSplit``); header rows repeat
  on every page.

The result is checked against LibreOffice 7.4's own PDFs in
``tests/writers/test_docx_libreoffice.py`` (every contents entry, every
duplex article on an odd page). LibreOffice without hyphenation dictionaries
does not hyphenate (Debian installs none with ``libreoffice-writer``), and
neither does this layout; Word's own layout can still differ, which is why
the numbers are fields. No side effects beyond reading the font files.
"""

from __future__ import annotations

import itertools
import unicodedata
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from lxml import etree

from briefpub.fonts import FontSet
from briefpub.writers.docx.furniture import TextArea
from briefpub.writers.docx.measure import Measurer
from briefpub.writers.docx.oxml import EMU_PER_POINT

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_WP_EXTENT = "{http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing}extent"
_VAL = f"{_W}val"
#: Lines kept together at each side of a page break by widow and orphan control.
_WIDOW = 2
#: A line that overshoots the text block by less than this (points) still fits (rounding).
_SLACK = 0.05
#: Characters after which a line may break (besides spaces): hyphens and dashes.
_BREAK_AFTER = frozenset("-\u2010\u2012\u2013\u2014\u2015\u200b")
_SPACES = frozenset(" \u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2008\u2009\u200a\u205f\u3000\t")
#: Stands for an inline object (picture, tab) in the text a line is broken in.
_OBJECT = "\ufffc"


def _on(element: etree._Element) -> bool:
    return element.get(_VAL, "1") not in ("0", "false", "off")


# --------------------------------------------------------------------------
# Formats from styles.xml and numbering.xml
# --------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class RunFormat:
    """What measuring a run needs: the families of its three slots, size, weight, slant."""

    latin: str = ""
    east_asia: str = ""
    cs: str = ""
    size: float = 10.0
    bold: bool = False
    italic: bool = False


@dataclass(frozen=True, slots=True)
class ParaFormat:
    """What laying out a paragraph needs (points)."""

    before: float = 0.0
    after: float = 0.0
    line: float = 240.0  # w:line in twips (a multiple of 240 for "auto")
    rule: str = "auto"
    left: float = 0.0
    right: float = 0.0
    first: float = 0.0  # first-line indent (negative: hanging)
    numbered: bool = False
    keep_next: bool = False
    keep_lines: bool = False
    widow: bool = False
    page_break: bool = False
    top: float = 0.0  # top border: distance + width
    bottom: float = 0.0
    borders: tuple[tuple[str, ...], ...] = ()  # every border, to tell whether two paragraphs share a box
    run: RunFormat = field(default_factory=RunFormat)


_PPR_KEYS = ("before", "after", "line", "rule", "left", "right", "firstLine", "hanging", "keepNext", "keepLines",
             "widow", "pageBreak", "numId", "ilvl")  # fmt: skip


def _read_ppr(props: dict[str, Any], ppr: etree._Element | None) -> None:
    """Merge a ``w:pPr`` into ``props`` (later elements override attribute by attribute)."""
    if ppr is None:
        return
    for child in ppr:
        tag = child.tag
        if tag == f"{_W}spacing":
            for attr, key in (("before", "before"), ("after", "after"), ("line", "line"), ("lineRule", "rule")):
                value = child.get(f"{_W}{attr}")
                if value is not None:
                    props[key] = value
        elif tag == f"{_W}ind":
            for attr in ("left", "start", "right", "end", "firstLine", "hanging"):
                value = child.get(f"{_W}{attr}")
                if value is not None:
                    key = {"start": "left", "end": "right"}.get(attr, attr)
                    props[key] = value
                    if key == "firstLine":
                        props.pop("hanging", None)
                    elif key == "hanging":
                        props.pop("firstLine", None)
        elif tag == f"{_W}keepNext":
            props["keepNext"] = _on(child)
        elif tag == f"{_W}keepLines":
            props["keepLines"] = _on(child)
        elif tag == f"{_W}widowControl":
            props["widow"] = _on(child)
        elif tag == f"{_W}pageBreakBefore":
            props["pageBreak"] = _on(child)
        elif tag == f"{_W}numPr":
            num = child.find(f"{_W}numId")
            level = child.find(f"{_W}ilvl")
            if num is not None:
                props["numId"] = num.get(_VAL, "0")
            if level is not None:
                props["ilvl"] = level.get(_VAL, "0")
        elif tag == f"{_W}pBdr":
            borders = dict(props.get("pBdr", {}))
            for side in child:
                spec = (side.get(_VAL, "none"), side.get(f"{_W}sz", "0"), side.get(f"{_W}space", "0"),
                        side.get(f"{_W}color", ""))  # fmt: skip
                borders[etree.QName(side).localname] = spec
            props["pBdr"] = borders


def _read_rpr(props: dict[str, Any], rpr: etree._Element | None) -> None:
    if rpr is None:
        return
    for child in rpr:
        tag = child.tag
        if tag == f"{_W}rFonts":
            for attr in ("ascii", "eastAsia", "cs"):
                value = child.get(f"{_W}{attr}")
                if value is not None:
                    props[attr] = value
        elif tag == f"{_W}sz":
            props["sz"] = int(child.get(_VAL, "20")) / 2
        elif tag == f"{_W}b":
            props["b"] = _on(child)
        elif tag == f"{_W}i":
            props["i"] = _on(child)
        elif tag == f"{_W}rStyle":
            props["rStyle"] = child.get(_VAL, "")


def _run_format(props: Mapping[str, Any]) -> RunFormat:
    latin = str(props.get("ascii", ""))
    size, bold, italic = float(props.get("sz", 10.0)), bool(props.get("b", False)), bool(props.get("i", False))
    return RunFormat(latin, str(props.get("eastAsia", latin)), str(props.get("cs", latin)), size, bold, italic)


class StyleBook:
    """Resolved paragraph and run formats of a document, from its styles and numbering parts."""

    def __init__(self, styles: etree._Element, numbering: etree._Element | None) -> None:
        self._styles = {str(s.get(f"{_W}styleId")): s for s in styles.iterfind(f"{_W}style")}
        self._numbering = numbering
        defaults = styles.find(f"{_W}docDefaults")
        self._default_p: dict[str, Any] = {}
        self._default_r: dict[str, Any] = {}
        if defaults is not None:
            _read_ppr(self._default_p, defaults.find(f"{_W}pPrDefault/{_W}pPr"))
            _read_rpr(self._default_r, defaults.find(f"{_W}rPrDefault/{_W}rPr"))
        default_para = next((sid for sid, s in self._styles.items()
                             if s.get(f"{_W}type") == "paragraph" and s.get(f"{_W}default") in ("1", "true")),
                            "Normal")  # fmt: skip
        self.default_style = default_para
        self._para_cache: dict[str, tuple[dict[str, Any], dict[str, Any]]] = {}
        self._char_cache: dict[str, dict[str, Any]] = {}
        self._level_cache: dict[tuple[str, str], dict[str, Any]] = {}

    def _chain(self, style_id: str) -> list[etree._Element]:
        chain: list[etree._Element] = []
        seen: set[str] = set()
        current: str | None = style_id
        while current and current not in seen and current in self._styles:
            seen.add(current)
            element = self._styles[current]
            chain.append(element)
            based = element.find(f"{_W}basedOn")
            current = based.get(_VAL) if based is not None else None
        return list(reversed(chain))

    def paragraph_style(self, style_id: str) -> tuple[dict[str, Any], dict[str, Any]]:
        """(pPr, rPr) properties of a paragraph style with its ancestors and the document defaults."""
        if style_id not in self._styles:
            style_id = self.default_style
        found = self._para_cache.get(style_id)
        if found is None:
            para, run = dict(self._default_p), dict(self._default_r)
            for element in self._chain(style_id):
                _read_ppr(para, element.find(f"{_W}pPr"))
                _read_rpr(run, element.find(f"{_W}rPr"))
            found = self._para_cache[style_id] = (para, run)
        return found

    def character_style(self, style_id: str) -> dict[str, Any]:
        """rPr properties of a character style with its ancestors."""
        found = self._char_cache.get(style_id)
        if found is None:
            run: dict[str, Any] = {}
            for element in self._chain(style_id):
                _read_rpr(run, element.find(f"{_W}rPr"))
            found = self._char_cache[style_id] = run
        return found

    def level(self, num_id: str, ilvl: str) -> dict[str, Any]:
        """pPr properties (indents) of a list level."""
        key = (num_id, ilvl)
        found = self._level_cache.get(key)
        if found is not None:
            return found
        props: dict[str, Any] = {}
        root = self._numbering
        if root is not None:
            abstract_id = None
            for num in root.iterfind(f"{_W}num"):
                if num.get(f"{_W}numId") == num_id:
                    ref = num.find(f"{_W}abstractNumId")
                    abstract_id = ref.get(_VAL) if ref is not None else None
                    break
            for abstract in root.iterfind(f"{_W}abstractNum"):
                if abstract_id is not None and abstract.get(f"{_W}abstractNumId") == abstract_id:
                    for lvl in abstract.iterfind(f"{_W}lvl"):
                        if lvl.get(f"{_W}ilvl") == ilvl:
                            _read_ppr(props, lvl.find(f"{_W}pPr"))
        self._level_cache[key] = props
        return props

    def paragraph(self, p: etree._Element) -> ParaFormat:
        """The format of paragraph ``p`` (style, list level, direct properties)."""
        ppr = p.find(f"{_W}pPr")
        style = ppr.find(f"{_W}pStyle") if ppr is not None else None
        style_id = style.get(_VAL, self.default_style) if style is not None else self.default_style
        base, run = self.paragraph_style(style_id)
        direct: dict[str, Any] = {}
        _read_ppr(direct, ppr)
        num_id = str(direct.get("numId", base.get("numId", "0")))
        props: dict[str, Any] = dict(base)
        numbered = num_id not in ("", "0")
        if numbered:
            level = self.level(num_id, str(direct.get("ilvl", base.get("ilvl", "0"))))
            for key in ("left", "right", "firstLine", "hanging"):
                if key in level and key not in _own_indent(self, style_id):
                    props[key] = level[key]
                    if key == "firstLine":
                        props.pop("hanging", None)
                    elif key == "hanging":
                        props.pop("firstLine", None)
        for key, value in direct.items():
            props[key] = value
            if key == "firstLine":
                props.pop("hanging", None)
            elif key == "hanging":
                props.pop("firstLine", None)
        return _para_format(props, numbered, _run_format(run))

    def run(self, paragraph_style: str, rpr: etree._Element | None) -> RunFormat:
        """The format of a run with properties ``rpr`` in a paragraph of ``paragraph_style``."""
        _, base = self.paragraph_style(paragraph_style)
        props = dict(base)
        direct: dict[str, Any] = {}
        _read_rpr(direct, rpr)
        char = str(direct.get("rStyle", ""))
        if char:
            props.update(self.character_style(char))
        props.update(direct)
        return _run_format(props)


def _own_indent(book: StyleBook, style_id: str) -> frozenset[str]:
    """Indent attributes a paragraph style chain sets itself (they win over its list level's)."""
    keys: set[str] = set()
    for element in book._chain(style_id):
        ind = element.find(f"{_W}pPr/{_W}ind")
        if ind is not None:
            for attr in ("left", "start", "right", "end", "firstLine", "hanging"):
                if ind.get(f"{_W}{attr}") is not None:
                    keys.add({"start": "left", "end": "right"}.get(attr, attr))
    return frozenset(keys)


def _border(spec: tuple[str, str, str, str] | None) -> float:
    """Distance + width (points) of one paragraph border side."""
    if spec is None or spec[0] in ("none", "nil"):
        return 0.0
    return int(spec[2]) + int(spec[1]) / 8


def _para_format(props: Mapping[str, Any], numbered: bool, run: RunFormat) -> ParaFormat:
    first = 0.0
    if "firstLine" in props:
        first = int(props["firstLine"]) / 20
    elif "hanging" in props:
        first = -int(props["hanging"]) / 20
    borders: dict[str, tuple[str, str, str, str]] = props.get("pBdr", {})
    return ParaFormat(
        before=int(props.get("before", 0)) / 20,
        after=int(props.get("after", 0)) / 20,
        line=float(props.get("line", 240)),
        rule=str(props.get("rule", "auto")),
        left=int(props.get("left", 0)) / 20,
        right=int(props.get("right", 0)) / 20,
        first=first,
        numbered=numbered,
        keep_next=bool(props.get("keepNext", False)),
        keep_lines=bool(props.get("keepLines", False)),
        widow=bool(props.get("widow", False)),
        page_break=bool(props.get("pageBreak", False)),
        top=_border(borders.get("top")),
        bottom=_border(borders.get("bottom")),
        borders=tuple(sorted((side, *spec) for side, spec in borders.items() if spec[0] not in ("none", "nil"))),
        run=run,
    )


# --------------------------------------------------------------------------
# Setting lines
# --------------------------------------------------------------------------


@cache
def _wide(char: str) -> bool:
    return unicodedata.east_asian_width(char) in ("W", "F") and unicodedata.category(char)[0] in "LNS"


@cache
def _closing(char: str) -> bool:
    return unicodedata.category(char) in ("Pe", "Pf", "Po") and char not in "-"


def break_opportunities(text: str) -> list[int]:
    """Indexes before which a line may break (UAX #14's common cases, as LibreOffice's ICU rules give them):
    after a run of spaces, after a hyphen or dash followed by a letter, before and after a CJK ideograph."""
    out: list[int] = []
    length = len(text)
    for index in range(1, length):
        prev, char = text[index - 1], text[index]
        if char in _SPACES or char == "\u00a0" or prev == "\u00a0" or prev == "\u2060" or char == "\u2060":
            continue
        if prev in _SPACES:
            out.append(index)
        elif prev in _BREAK_AFTER and index >= 2 and text[index - 2] not in _SPACES and not char.isdigit():
            if char.isalpha() or prev in "\u2014\u200b":
                out.append(index)
        elif (char == "\u2014" and prev not in _SPACES and prev != "\u2014" and not _wide(prev)) or (
            (_wide(char) or _wide(prev)) and not _closing(char)
        ):
            out.append(index)
    return out


@dataclass(slots=True)
class _Piece:
    """A stretch of a paragraph's text in one format (or an inline object)."""

    text: str
    fmt: RunFormat
    object_width: float = 0.0
    object_height: float = 0.0
    tab: bool = False


@dataclass(slots=True)
class Lines:
    """A paragraph set in lines: each line's height, and the paragraph's format."""

    fmt: ParaFormat
    heights: list[float]
    texts: list[str]
    page_break: bool = False  # a page-break run: what follows starts on a new page


class Typesetter:
    """Sets paragraphs in lines with the document's formats and the conversion's fonts."""

    def __init__(self, book: StyleBook, fontset: FontSet) -> None:
        self.book = book
        self.measurer = Measurer(fontset)

    def _pieces(self, p: etree._Element, style_id: str) -> tuple[list[list[_Piece]], bool]:
        """The paragraph's content as lines split at explicit breaks; whether it holds a page break."""
        segments: list[list[_Piece]] = [[]]
        page_break = False
        for run in p.iter(f"{_W}r"):
            fmt = self.book.run(style_id, run.find(f"{_W}rPr"))
            for child in run:
                tag = child.tag
                if tag == f"{_W}t":
                    if child.text:
                        segments[-1].append(_Piece(child.text, fmt))
                elif tag == f"{_W}tab":
                    segments[-1].append(_Piece(_OBJECT, fmt, tab=True))
                elif tag == f"{_W}br":
                    if child.get(f"{_W}type") == "page":
                        page_break = True
                    else:
                        segments.append([])
                elif tag == f"{_W}noBreakHyphen":
                    segments[-1].append(_Piece("\u2011", fmt))
                elif tag == f"{_W}drawing":
                    extent = next(child.iter(_WP_EXTENT), None)
                    if extent is not None:
                        width = int(extent.get("cx", "0")) / EMU_PER_POINT
                        height = int(extent.get("cy", "0")) / EMU_PER_POINT
                        segments[-1].append(_Piece(_OBJECT, fmt, width, height))
        return segments, page_break

    def _family(self, fmt: RunFormat, char: str) -> str:
        from briefpub.writers.docx.fonttable import slot_of

        slot = slot_of(char)
        return fmt.east_asia if slot == "east_asia" else fmt.cs if slot == "cs" else fmt.latin

    def _width(self, text: str, fmt: RunFormat) -> float:
        if not text:
            return 0.0
        total = 0.0
        start = 0
        family = self._family(fmt, text[0])
        for index in range(1, len(text) + 1):
            nxt = self._family(fmt, text[index]) if index < len(text) else None
            if nxt != family:
                total += self.measurer.width(text[start:index], family, fmt.size, fmt.bold, fmt.italic)
                if nxt is not None:
                    start, family = index, nxt
        return total

    def _extent(self, text: str, fmt: RunFormat) -> tuple[float, float]:
        families = {self._family(fmt, char) for char in text} if text else {fmt.latin}
        ascent = descent = 0.0
        for family in families:
            sample = "".join(c for c in text if self._family(fmt, c) == family) if text else ""
            up, down = self.measurer.extent(sample, family, fmt.size, fmt.bold, fmt.italic)
            ascent, descent = max(ascent, up), max(descent, down)
        return ascent, descent

    def set(self, p: etree._Element, width: float) -> Lines:
        """Paragraph ``p`` set in lines on a column ``width`` points wide."""
        fmt = self.book.paragraph(p)
        ppr = p.find(f"{_W}pPr")
        style = ppr.find(f"{_W}pStyle") if ppr is not None else None
        style_id = style.get(_VAL, self.book.default_style) if style is not None else self.book.default_style
        segments, page_break = self._pieces(p, style_id)
        heights: list[float] = []
        texts: list[str] = []
        first = True
        for pieces in segments:
            for line_pieces in self._break(pieces, fmt, width, first):
                heights.append(self._line_height(line_pieces, fmt))
                texts.append("".join(piece.text for piece in line_pieces))
                first = False
        return Lines(fmt, heights, texts, page_break)

    def _line_height(self, pieces: list[_Piece], fmt: ParaFormat) -> float:
        ascent = descent = 0.0
        if not pieces:
            ascent, descent = self._extent("", fmt.run)
        for piece in pieces:
            if piece.object_height:
                _, down = self._extent("", piece.fmt)
                ascent, descent = max(ascent, piece.object_height), max(descent, down)
            else:
                up, down = self._extent(piece.text.replace(_OBJECT, ""), piece.fmt)
                ascent, descent = max(ascent, up), max(descent, down)
        natural = ascent + descent
        value = fmt.line / 20
        if fmt.rule == "exact":
            return value
        if fmt.rule == "atLeast":
            return max(natural, value)
        return natural * fmt.line / 240

    def _break(self, pieces: list[_Piece], fmt: ParaFormat, width: float, first: bool) -> Iterator[list[_Piece]]:
        """Greedy line breaking of one stretch of text between explicit breaks."""
        if not pieces:
            yield []
            return
        text = "".join(piece.text for piece in pieces)
        owner: list[int] = []
        for number, piece in enumerate(pieces):
            owner.extend([number] * len(piece.text))
        cuts = [0, *break_opportunities(text), len(text)]
        words = [(cuts[i], cuts[i + 1]) for i in range(len(cuts) - 1)]
        full = width - fmt.left - fmt.right
        start_first = 0.0 if fmt.numbered else fmt.first
        available = max(full - (start_first if first else 0.0), 1.0)
        line: list[tuple[int, int]] = []
        used = 0.0

        def measure(start: int, end: int) -> tuple[float, float]:
            """(width without trailing spaces, width with them) of text[start:end]."""
            total = trailing = 0.0
            stripped_end = end
            while stripped_end > start and text[stripped_end - 1] in _SPACES:
                stripped_end -= 1
            position = start
            while position < end:
                number = owner[position]
                piece = pieces[number]
                stop = position
                while stop < end and owner[stop] == number:
                    stop += 1
                offset = position - sum(len(pieces[k].text) for k in range(number))
                chunk = piece.text[offset : offset + stop - position]
                if piece.tab:
                    part = 0.0
                elif piece.object_width:
                    part = piece.object_width
                else:
                    part = self._width(chunk.replace(_OBJECT, ""), piece.fmt)
                if stop > stripped_end:
                    inner = max(0, stripped_end - position)
                    inner_part = (0.0 if piece.tab or piece.object_width else
                                  self._width(chunk[:inner], piece.fmt)) if inner else 0.0  # fmt: skip
                    trailing += part - inner_part
                total += part
                position = stop
            return total - trailing, total

        def emit(spans: list[tuple[int, int]]) -> list[_Piece]:
            if not spans:
                return []
            start, end = spans[0][0], spans[-1][1]
            out: list[_Piece] = []
            for number in sorted(set(owner[start:end])):
                piece = pieces[number]
                offset = sum(len(pieces[k].text) for k in range(number))
                lo, hi = max(start, offset) - offset, min(end, offset + len(piece.text)) - offset
                out.append(_Piece(piece.text[lo:hi], piece.fmt, piece.object_width, piece.object_height, piece.tab))
            return out

        for start, end in words:
            content, whole = measure(start, end)
            if line and used + content > available + _SLACK:
                yield emit(line)
                line, used = [], 0.0
                available = max(full, 1.0)
            if not line and content > available + _SLACK:
                # A word longer than the line: broken where it overflows.
                cut = start
                while cut < end:
                    stop = cut + 1
                    while stop < end and measure(cut, stop + 1)[0] <= available + _SLACK:
                        stop += 1
                    if stop >= end:
                        break
                    yield emit([(cut, stop)])
                    available = max(full, 1.0)
                    cut = stop
                content, whole = measure(cut, end)
                line, used = [(cut, end)], whole
                continue
            line.append((start, end))
            used += whole
        yield emit(line)


# --------------------------------------------------------------------------
# Pages
# --------------------------------------------------------------------------


@dataclass(slots=True)
class _Para:
    """A paragraph ready to place."""

    lines: Lines
    bookmarks: list[str]
    top: float = 0.0  # border above (0 when it continues the box of the paragraph before)
    bottom: float = 0.0


@dataclass(slots=True)
class _Row:
    height: float
    header: bool
    bookmarks: list[str]


@dataclass(slots=True)
class _Table:
    rows: list[_Row]


_Item = _Para | _Table


@dataclass(slots=True)
class PageEstimator:
    """Flows body elements through pages; records on which page each bookmark lands.

    Pages are counted from 1 across calls: :meth:`new_section` starts the next
    section on a new (or, with ``odd``, a new odd) page, as section breaks do.
    ``typesetter`` reads the document's styles and the conversion's fonts
    (:meth:`for_document`).
    """

    typesetter: Typesetter
    area: TextArea
    page: int = 1
    y: float = 0.0
    gap: float = 0.0  # the space below the last paragraph placed (already in ``y``)
    forced: bool = True  # the current page began at a page or section break (its first space above counts)
    bookmarks: dict[str, int] = field(default_factory=dict)
    trace: list[tuple[int, float, str]] | None = None  # (page, y of the line's top, text) when recording

    @classmethod
    def for_document(cls, document: Any, fontset: FontSet, area: TextArea) -> PageEstimator:
        """An estimator for a python-docx ``document`` whose styles and numbering are configured."""
        numbering = document.part.numbering_part.element
        return cls(Typesetter(StyleBook(document.styles.element, numbering), fontset), area)

    def fresh(self) -> PageEstimator:
        """A new estimator with the same typesetter and area, on page 1."""
        return PageEstimator(self.typesetter, self.area)

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

    # -- reading -----------------------------------------------------------

    def _read(self, elements: Sequence[etree._Element], width: float) -> list[_Item]:
        items: list[_Item] = []
        for element in elements:
            if element.tag == f"{_W}tbl":
                items.append(self._read_table(element))
            elif element.tag == f"{_W}p":
                lines = self.typesetter.set(element, width)
                marks = [str(b.get(f"{_W}name")) for b in element.iter(f"{_W}bookmarkStart")]
                items.append(_Para(lines, marks, lines.fmt.top, lines.fmt.bottom))
        # A run of paragraphs with the same borders and indents is one box: no border between them.
        for a, b in itertools.pairwise(items):
            if isinstance(a, _Para) and isinstance(b, _Para) and _same_box(a.lines.fmt, b.lines.fmt):
                a.bottom = 0.0
                b.top = 0.0
        return items

    def _read_table(self, table: etree._Element) -> _Table:
        grid = [int(c.get(f"{_W}w", "0")) / 20 for c in table.findall(f"{_W}tblGrid/{_W}gridCol")]
        margins = _cell_margins(self.typesetter.book, table)
        border = _table_border(self.typesetter.book, table)
        rows: list[_Row] = []
        for tr in table.iterfind(f"{_W}tr"):
            height = 0.0
            marks: list[str] = []
            column = 0
            for tc in tr.iterfind(f"{_W}tc"):
                span_el = tc.find(f"{_W}tcPr/{_W}gridSpan")
                span = int(span_el.get(_VAL, "1")) if span_el is not None else 1
                cell_width = sum(grid[column : column + span]) if column < len(grid) else self.area.width
                column += span
                inner = max(cell_width - margins[1] - margins[3], 1.0)
                content = 0.0
                paragraphs = list(tc.iterfind(f"{_W}p"))
                previous_after = 0.0
                for number, p in enumerate(paragraphs):
                    lines = self.typesetter.set(p, inner)
                    fmt = lines.fmt
                    above = fmt.before if number == 0 else max(0.0, fmt.before - previous_after)
                    content += above + fmt.top + sum(lines.heights) + fmt.bottom + fmt.after
                    previous_after = fmt.after
                    marks += [str(b.get(f"{_W}name")) for b in p.iter(f"{_W}bookmarkStart")]
                height = max(height, content + margins[0] + margins[2])
            is_header = tr.find(f"{_W}trPr/{_W}tblHeader") is not None
            rows.append(_Row(height + border, is_header, marks))
        if rows:
            rows[-1].height += border  # the bottom border under the last row
        return _Table(rows)

    # -- placing -----------------------------------------------------------

    def flow(self, elements: Iterable[etree._Element]) -> None:
        """Place body elements (``w:p``, ``w:tbl``) one after another."""
        items = self._read(list(elements), self.area.width)
        for index, item in enumerate(items):
            if isinstance(item, _Table):
                self._place_table(item)
            else:
                self._place(item, self._follow(items, index))

    def _above(self, para: _Para) -> float:
        """The space above ``para`` where it stands now (collapsed with the space below the last one)."""
        return max(0.0, para.lines.fmt.before - self.gap)

    def _follow(self, items: Sequence[_Item], index: int) -> float:
        """What must fit on the page with a keep-with-next paragraph: the rest of the chain, and the first
        lines (two, or all when they are kept together) of the paragraph or table row that ends it."""
        para = items[index]
        assert isinstance(para, _Para)
        if not para.lines.fmt.keep_next:
            return 0.0
        need = 0.0
        gap = para.lines.fmt.after  # the space below, collapsed with the space above the next one
        for item in items[index + 1 :]:
            if isinstance(item, _Table):
                rows = item.rows
                heads = [r.height for r in rows if r.header]
                body = next((r.height for r in rows if not r.header), 0.0)
                return need + gap + sum(heads) + body
            fmt = item.lines.fmt
            if fmt.page_break:
                return need
            space = max(gap, fmt.before)
            heights = item.lines.heights
            if fmt.keep_next:
                need += space + item.top + sum(heights) + item.bottom
                gap = fmt.after
                continue
            count = len(heights) if fmt.keep_lines else min(len(heights), _WIDOW if fmt.widow else 1)
            return need + space + item.top + sum(heights[:count]) + (item.bottom if count == len(heights) else 0.0)
        return need

    def _record(self, text: str) -> None:
        if self.trace is not None:
            self.trace.append((self.page, round(self.y, 2), text))

    def _place(self, para: _Para, follow: float) -> None:
        lines = para.lines
        fmt = lines.fmt
        limit = self.area.height + _SLACK
        if fmt.page_break and not self.at_top:
            self.new_page(forced=True)
        heights = lines.heights
        count = len(heights)
        if fmt.keep_lines:
            first = count
        elif fmt.widow:
            first = min(count, _WIDOW)
        else:
            first = min(count, 1)
        above = self._above(para)
        need = above + para.top + sum(heights[:first]) + (para.bottom if first == count else 0.0) + follow
        moves = need - above <= self.area.height and self.y + need > limit  # the kept block fits a fresh page
        if not self.at_top and (moves or self.y + above + para.top + sum(heights[:first]) > limit):
            self.new_page()
            above = self._above(para)
        for name in para.bookmarks:
            self.bookmarks.setdefault(name, self.page)
        if not self.at_top or self.forced:  # space above is dropped at the top of a page the text filled
            self.y += above
        self.y += para.top
        index = 0
        while index < count:
            fit = 0
            room = limit - self.y
            while index + fit < count and sum(heights[index : index + fit + 1]) <= room:
                fit += 1
            remaining = count - index
            if fit >= remaining:
                for line in range(index, count):
                    self._record(lines.texts[line])
                    self.y += heights[line]
                break
            take = fit
            if fmt.widow:
                if remaining - take < _WIDOW:
                    take = remaining - _WIDOW
                if take < _WIDOW and index == 0:
                    take = 0
            if fmt.keep_lines and index == 0:
                take = 0
            if take <= 0:
                if self.at_top:  # taller than a page: it must break somewhere
                    take = max(fit, 1)
                else:
                    self.new_page()
                    for name in para.bookmarks:
                        self.bookmarks[name] = max(self.bookmarks.get(name, self.page), self.page) \
                            if index == 0 else self.bookmarks[name]
                    continue
            for line in range(index, index + take):
                self._record(lines.texts[line])
                self.y += heights[line]
            index += take
            self.new_page()
        if lines.page_break:
            self.new_page(forced=True)
            self.gap = 0.0
            return
        self.y = min(self.y + para.bottom + fmt.after, limit)
        self.gap = fmt.after
        self.forced = False

    def _place_table(self, table: _Table) -> None:
        limit = self.area.height + _SLACK
        heads = [row for row in table.rows if row.header]
        head_height = sum(row.height for row in heads)
        started = False
        for row in table.rows:
            if not self.at_top and self.y + row.height > limit:
                self.new_page()
                if started and not row.header:
                    self.y += head_height  # header rows repeat at the top of every page
            for name in row.bookmarks:
                self.bookmarks.setdefault(name, self.page)
            self._record(f"<row {row.height:.1f}>")
            self.y += row.height
            started = True
            while self.y > self.area.height + _SLACK:  # a row taller than a page
                self.y -= self.area.height
                self.page += 1
        self.gap = 0.0
        self.forced = False


def _same_box(a: ParaFormat, b: ParaFormat) -> bool:
    return bool(a.borders) and a.borders == b.borders and (a.left, a.right) == (b.left, b.right)


def _table_property(book: StyleBook, table: etree._Element, name: str) -> list[etree._Element]:
    """The table property ``name`` (``tblCellMar``, ``tblBorders``) from the table's style chain, then
    the table's own: later entries override earlier ones."""
    style = table.find(f"{_W}tblPr/{_W}tblStyle")
    chain = book._chain(style.get(_VAL, "")) if style is not None else []
    found = [element.find(f"{_W}tblPr/{_W}{name}") for element in (*chain, table)]
    return [element for element in found if element is not None]


def _cell_margins(book: StyleBook, table: etree._Element) -> tuple[float, float, float, float]:
    """Top, right, bottom, left cell margins: the table's own, else its style's, else Word's defaults."""
    values = {"top": 0.0, "right": 5.4, "bottom": 0.0, "left": 5.4}
    for margins in _table_property(book, table, "tblCellMar"):
        for side in margins:
            name = {"start": "left", "end": "right"}.get(etree.QName(side).localname, etree.QName(side).localname)
            if name in values and side.get(f"{_W}type", "dxa") == "dxa":
                values[name] = int(side.get(f"{_W}w", "0")) / 20
    return values["top"], values["right"], values["bottom"], values["left"]


def _table_border(book: StyleBook, table: etree._Element) -> float:
    """The width (points) of the horizontal borders between the table's rows."""
    width = 0.0
    for borders in _table_property(book, table, "tblBorders"):
        for side in borders:
            if etree.QName(side).localname in ("insideH", "top", "bottom"):
                kind = side.get(_VAL, "none")
                width = max(width, 0.0 if kind in ("none", "nil") else int(side.get(f"{_W}sz", "0")) / 8)
    return width


def pages_of(estimator: PageEstimator, elements: Sequence[etree._Element]) -> int:
    """How many pages ``elements`` take from the top of a fresh page (a scratch run of ``estimator``)."""
    scratch = estimator.fresh()
    scratch.flow(elements)
    return scratch.page
