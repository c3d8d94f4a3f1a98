"""Drawing laid-out lines on a reportlab canvas: glyphs, marked content, links, underlines.

Glyphs are written as ``TJ`` arrays in the fonts' subset encodings (see
:class:`~briefpub.writers.pdf.typeset.fonts.EngineTTFont`): the array's numbers
turn each glyph's natural advance into its shaped one (kerning, marks,
justification), and HarfBuzz's vertical offsets become text rise (``Ts``).

What extraction sees was measured with poppler's ``pdftotext`` (default mode) and
pypdf's ``extract_text()`` (see the package documentation), and the content is
written so that both give the text as written:

* The hyphen inserted at a line end is a soft hyphen (U+00AD) in ``ToUnicode``
  (ISO 32000-1, 14.8.2.2.3: an incidental artifact; never an empty mapping, which
  PDF/UA-1 7.21.7 forbids), drawn in a marked-content sequence of its own whose
  ``/ActualText`` is "-": poppler honours ActualText and joins a line ending in "-"
  with the next (it drops the hyphen); a structure tagger gives that sequence to a
  ``Span`` element whose ``/ActualText`` is U+00AD, which is what tagged-PDF
  consumers read. pypdf ignores ActualText and reads the soft hyphen. The first
  piece of the next line's word is drawn right after the hyphen, in the same text
  object, positioned with ``Td`` along the line and text rise (``Ts``) down to the
  next baseline: pypdf starts a new line only when the text matrix moves, so it
  reads the word whole ("prepara\u00adtory"); every viewer draws it in its place.
* A line that ends at a word break (a space or a hard line break of the text)
  ends with a space glyph, drawn past the line's end (it has no ink): in tagged
  PDF a word break is a space character, also at the end of a line (ISO 32000-1,
  14.8.2.5), and text read through the structure tree keeps the words apart.
* A run in another language than the paragraph's has sequences of its own
  (:attr:`~briefpub.writers.pdf.typeset.tagging.MarkedContent.lang`).
* Lines with right-to-left text are written in logical order of *groups*: a
  group's glyphs are in visual order (as drawn), bounded by letters (pypdf
  reverses a run of right-to-left characters and needs the boundaries), each
  group positioned absolutely and starting with its font (``Tf`` makes pypdf close
  the previous run); punctuation and spaces at a group's edges are groups of their
  own. Structure order (MCIDs) is logical order too.
* ``/ActualText`` with the logical text around right-to-left runs is what the PDF
  specification suggests, but poppler reverses it (it treats it as visual text);
  it is off by default (:attr:`Extraction.rtl_actual_text`). Runs of left-to-right
  scripts whose clusters reorder glyphs (Devanagari's short i drawn before its
  consonant, Thai marks) get ``/ActualText`` with their text, which poppler honours.
"""

from __future__ import annotations

from collections.abc import Sequence as Seq
from dataclasses import dataclass
from typing import Any

from briefpub.writers.pdf.typeset.itemize import HARD_BREAK
from briefpub.writers.pdf.typeset.layout import GlyphRun, Layout, Line
from briefpub.writers.pdf.typeset.model import Run
from briefpub.writers.pdf.typeset.tagging import Annotation, LinkInfo, MarkedContent, Tagger, utf16_string

__all__ = ["Extraction", "LangRun", "draw_lines", "lang_runs", "link_infos"]

_PYPDF_NEUTRAL = ((0x00, 0x2F), (0x3A, 0x40), (0x0660, 0x066D), (0x06F0, 0x06F9), (0x2000, 0x206F),
                  (0x20A0, 0x21FF))
#: Left-to-right scripts whose glyphs are reordered or split within clusters (poppler mis-orders them).
_COMPLEX_LTR = frozenset({"Deva", "Beng", "Guru", "Gujr", "Orya", "Taml", "Telu", "Knda", "Mlym", "Sinh", "Thai",
                          "Laoo", "Tibt", "Mymr", "Khmr", "Java", "Mong"})
#: The largest negative TJ step written at once inside a word (thousandths of an em).
_STEP = 50.0
_BIDI_MARKS = dict.fromkeys((0x200E, 0x200F))
#: Characters between two lines that make the break a word break (a space glyph ends the first line).
_BREAKING = frozenset(" \t\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2008\u2009\u200a\u205f\u3000"
                      + HARD_BREAK)


@dataclass(frozen=True, slots=True)
class Extraction:
    """How the text is written for extraction (defaults: what poppler and pypdf honour)."""

    #: ActualText of the inserted hyphen ("" for none; None: no ActualText span).
    hyphen_actual_text: str | None = "-"
    #: Draw the start of a hyphenated word's second part with the first part's text matrix (pypdf).
    join_hyphenated: bool = True
    #: Wrap right-to-left runs in ActualText with their logical text (poppler then reverses them).
    rtl_actual_text: bool = False
    #: Wrap left-to-right runs of scripts with reordered or multi-glyph clusters (Indic, Thai...) in ActualText.
    complex_actual_text: bool = True
    #: End each line that breaks at a word break with a space glyph (ISO 32000-1, 14.8.2.5).
    line_end_spaces: bool = True


def _neutral(char: str) -> bool:
    code = ord(char)
    return any(lo <= code <= hi for lo, hi in _PYPDF_NEUTRAL)


def _fmt(value: float) -> str:
    text = f"{value:.3f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def _fmt1(value: float) -> str:
    text = f"{value:.1f}"
    if text.endswith(".0"):
        text = text[:-2]
    return "0" if text == "-0" else text


_utf16 = utf16_string


def _colour(value: str) -> tuple[float, float, float]:
    value = value.lstrip("#")
    if len(value) == 3:
        value = "".join(c * 2 for c in value)
    try:
        return (int(value[0:2], 16) / 255, int(value[2:4], 16) / 255, int(value[4:6], 16) / 255)
    except (ValueError, IndexError):
        return (0.0, 0.0, 0.0)


def link_infos(layout: Layout) -> list[LinkInfo | None]:
    """Per input run: the link it belongs to (consecutive runs with one target are one link)."""
    prepared = layout.prepared
    runs = prepared.runs
    out: list[LinkInfo | None] = []
    index = -1
    previous: str | None = None
    texts: dict[int, list[str]] = {}
    for i, run in enumerate(runs):
        start = prepared.run_starts[i]
        end = prepared.run_starts[i + 1] if i + 1 < len(runs) else len(prepared.text)
        if run.link is None:
            previous = None
            out.append(None)
            continue
        if run.link != previous:
            index += 1
            previous = run.link
        texts.setdefault(index, []).append(prepared.text[start:end])
        out.append(LinkInfo(index, run.link, ""))
    result: list[LinkInfo | None] = []
    for info in out:
        if info is None:
            result.append(None)
        else:
            text = " ".join("".join(texts[info.index]).replace("\u2028", " ").split())
            result.append(LinkInfo(info.index, info.target, text))
    return result


@dataclass(frozen=True, slots=True)
class LangRun:
    """A run of text in another language than its paragraph's (consecutive input runs in one language)."""

    #: The run's ordinal in its paragraph (0, 1, ...).
    index: int
    #: Its language (BCP 47).
    lang: str


def lang_runs(layout: Layout) -> list[LangRun | None]:
    """Per input run: the language run it belongs to, or None when it is in the paragraph's language."""
    prepared = layout.prepared
    own = prepared.block.style.lang
    out: list[LangRun | None] = []
    current: LangRun | None = None
    count = 0
    for run in prepared.runs:
        lang = run.lang if run.lang and run.lang != own else None
        if lang is None:
            current = None
        elif current is None or current.lang != lang:
            current = LangRun(count, lang)
            count += 1
        out.append(current)
    return out


@dataclass(slots=True)
class _Piece:
    run: GlyphRun
    g0: int
    g1: int
    order: tuple[int, int]
    x: float


def _pieces(line: Line) -> list[_Piece]:
    """A line's glyphs in the order they are written (logical order of groups for bidi lines)."""
    if not line.bidi:
        return [_Piece(r, 0, len(r.gids), (r.start, 0), r.x) for r in line.runs]
    out: list[_Piece] = []
    for run in line.runs:
        n = len(run.gids)
        if run.mark or n == 0:
            out.append(_Piece(run, 0, n, (run.start, -1 if run.mark else 0), run.x))
            continue
        logical = list(range(n - 1, -1, -1)) if run.rtl else list(range(n))
        strong = [bool(run.texts[g]) and not all(_neutral(c) for c in run.texts[g]) for g in logical]
        if run.hyphen >= 0:
            strong[logical.index(run.hyphen)] = True
        marked = [i for i, s in enumerate(strong) if s]
        if marked:
            first, last = marked[0], marked[-1]
            groups = [[i] for i in range(first)] + [list(range(first, last + 1))] + [[i] for i in range(last + 1, n)]
        else:
            groups = [[i] for i in range(n)]
        for group in groups:
            indexes = [logical[i] for i in group]
            g0, g1 = min(indexes), max(indexes) + 1
            x = run.x + sum(run.advances[:g0])
            out.append(_Piece(run, g0, g1, (min(run.clusters[g0:g1]), 0), x))
    out.sort(key=lambda p: p.order)
    return out


class _Writer:
    """Writes text operators into the canvas's content stream, tracking text state."""

    def __init__(self, canvas: Any, tagger: Tagger, tag: object, extraction: Extraction) -> None:
        self.canvas = canvas
        self.code: list[str] = canvas._code
        self.doc = canvas._doc
        self.escape = canvas._escape
        self.tagger = tagger
        self.tag = tag
        self.extraction = extraction
        self.page = canvas.getPageNumber()
        self.font: tuple[int, int, float] | None = None
        self.colour: tuple[float, float, float] | None = None
        self.rise = 0.0
        self.base_rise = 0.0
        self.tj: list[str] = []
        self.buf = bytearray()
        self.sequence: MarkedContent | None = None
        self.sequence_key: tuple[int, int] | None = None
        #: The tagger opened nothing for the open sequence: the engine wrote a span for its properties.
        self.own_span = False
        self.resume: tuple[MarkedContent | None, tuple[int, int] | None] = (None, None)

    # -- TJ arrays ---------------------------------------------------------

    def _finish_string(self) -> None:
        if self.buf:
            self.tj.append("(" + self.escape(bytes(self.buf)) + ")")
            self.buf.clear()

    def flush(self) -> None:
        """Write the pending TJ array."""
        self._finish_string()
        if self.tj:
            if len(self.tj) == 1 and self.tj[0].startswith("("):
                self.code.append(self.tj[0] + " Tj")
            else:
                self.code.append("[" + " ".join(self.tj) + "] TJ")
            self.tj = []

    def number(self, value: float, *, gap: bool = False) -> None:
        """A TJ adjustment (thousandths of an em, positive moves left).

        Extractors read a large negative adjustment as a word space (pypdf: more
        than half a space; poppler: more than a tenth of an em): unless ``gap`` (the
        adjustment widens a word space), one is written in small steps separated by
        empty strings.
        """
        if -0.05 < value < 0.05:
            return
        self._finish_string()
        if self.tj and self.tj[-1][0] not in "(<":
            value += float(self.tj.pop())
            if -0.05 < value < 0.05:
                return
        if value < -_STEP and not gap:
            while value < -_STEP:
                self.tj.append(_fmt1(-_STEP))
                self.tj.append("()")
                value += _STEP
        self.tj.append(_fmt1(value))

    def op(self, text: str) -> None:
        """Write an operator (after the pending TJ)."""
        self.flush()
        if text:
            self.code.append(text)

    # -- state -------------------------------------------------------------

    def set_rise(self, rise: float) -> None:
        if abs(rise - self.rise) > 1e-4:
            self.op(f"{_fmt(rise)} Ts")
            self.rise = rise

    def set_colour(self, colour: tuple[float, float, float]) -> None:
        if colour != self.colour:
            self.op(f"{_fmt(colour[0])} {_fmt(colour[1])} {_fmt(colour[2])} rg")
            self.colour = colour

    def open_sequence(self, link: LinkInfo | None, lang: LangRun | None, logical: str | None = None) -> None:
        """Make the open sequence the one for text of ``link`` in ``lang`` (the same one stays open); with
        ``logical``, a sequence of its own for right-to-left glyphs whose logical text it is."""
        if logical is not None:
            self.close_sequence()
            self._open(MarkedContent(self.tag, link, self.page, lang.lang if lang else None,
                                     lang.index if lang else -1, logical=logical), None)
            return
        key = (link.index if link is not None else -1, lang.index if lang is not None else -1)
        if self.sequence is not None and self.sequence_key == key:
            return
        self.close_sequence()
        self._open(MarkedContent(self.tag, link, self.page, lang.lang if lang else None,
                                 lang.index if lang else -1), key)

    def _open(self, sequence: MarkedContent, key: tuple[int, int] | None) -> None:
        self.sequence = sequence
        self.sequence_key = key
        opened = self.tagger.begin(self.canvas, sequence)
        self.own_span = not opened and bool(sequence.properties)
        self.op(opened or (f"/Span <<{sequence.properties}>> BDC" if self.own_span else ""))

    def close_sequence(self) -> None:
        """Close the open sequence (and the engine's own span, when the tagger opened nothing)."""
        if self.sequence is not None:
            if self.own_span:
                self.op("EMC")
                self.own_span = False
            self.op(self.tagger.end(self.canvas, self.sequence))
            self.sequence = None
            self.sequence_key = None

    def open_hyphen(self) -> MarkedContent | None:
        """A sequence of its own for the inserted hyphen (its ActualText for poppler); the one it interrupts."""
        interrupted = self.sequence
        key = self.sequence_key
        self.close_sequence()
        link = interrupted.link if interrupted is not None else None
        lang = interrupted.lang if interrupted is not None else None
        self._open(MarkedContent(self.tag, link, self.page, lang, interrupted.lang_run if interrupted else -1,
                                 actual_text=self.extraction.hyphen_actual_text, hyphen=True), (-2, -2))
        self.resume = (interrupted, key)
        return interrupted

    def close_hyphen(self) -> None:
        """Close the hyphen's sequence and reopen the one it interrupted."""
        self.close_sequence()
        interrupted, key = self.resume
        if interrupted is not None:
            self._open(interrupted, key)

    # -- glyphs ------------------------------------------------------------

    def glyphs(self, run: GlyphRun, g0: int, g1: int, *, force_font: bool = False) -> None:
        """Write glyphs ``[g0, g1)`` of ``run`` at the current text position."""
        if g0 >= g1:
            return
        font = run.item.font
        ttf = font.ttf
        size = run.item.size
        keys = ttf.keys_for(run.gids[g0:g1], run.texts[g0:g1])
        widths = ttf.face.charWidths
        default = ttf.face.defaultWidth
        per_point = 1000.0 / size
        hyphen = run.hyphen
        spaces = set(run.spaces)
        hyphen_text = self.extraction.hyphen_actual_text
        rtl_text = (not run.mark and ((self.extraction.rtl_actual_text and run.rtl)
                                      or (self.extraction.complex_actual_text and not run.rtl
                                          and run.item.script in _COMPLEX_LTR)))
        plain = (not rtl_text and not g0 <= hyphen < g1
                 and self.rise == self.base_rise and not any(run.x_off[g0:g1]) and not any(run.y_off[g0:g1]))
        if plain:
            # the common case (no marks, no inserted hyphen): only advances to adjust
            adjustments = [widths.get(k, default) - a * per_point for k, a in zip(keys, run.advances[g0:g1],
                                                                                  strict=True)]
            # the glyphs after which an adjustment is written (the rest go to the string as they are)
            marks = [j for j, adjustment in enumerate(adjustments) if adjustment >= 0.05 or adjustment <= -0.05]
            marks.append(len(adjustments))
            mark = 0
            j = 0
            buf = self.buf
            escape = self.escape
            for subset, data in ttf.splitString("".join(map(chr, keys)), self.doc):
                state = (id(ttf), subset, size)
                if state != self.font or force_font:
                    self.op(f"{ttf.getSubsetInternalName(subset, self.doc)} {_fmt(size)} Tf")
                    self.font = state
                    force_font = False
                tj = self.tj
                base = j
                end = base + len(data)
                while marks[mark] < end:
                    at = marks[mark]
                    buf += data[j - base : at + 1 - base]
                    j = at + 1
                    mark += 1
                    adjustment = adjustments[at]
                    if adjustment < -_STEP and g0 + at not in spaces:
                        self.number(adjustment)  # (written in steps)
                    else:  # what number() does after a glyph: end the string, write the adjustment
                        tj.append("(" + escape(bytes(buf)) + ")")
                        buf.clear()
                        tj.append(_fmt1(adjustment))
                buf += data[j - base :]
                j = end
            return
        if rtl_text:
            texts = run.texts[g0:g1]
            logical = "".join(reversed(texts) if run.rtl else texts)
            self.op(f"/Span <</ActualText {_utf16(logical)}>> BDC")
        j = g0
        for subset, data in ttf.splitString("".join(map(chr, keys)), self.doc):
            state = (id(ttf), subset, size)
            if state != self.font or force_font:
                self.op(f"{ttf.getSubsetInternalName(subset, self.doc)} {_fmt(size)} Tf")
                self.font = state
                force_font = False
            for byte in data:
                rise = self.base_rise + run.y_off[j]
                if rise != self.rise:
                    self.set_rise(rise)
                is_hyphen = j == hyphen
                if is_hyphen:
                    if rtl_text:  # inside the run's own ActualText span: a nested one (a sequence cannot end here)
                        if hyphen_text is not None:
                            self.op(f"/Span <</ActualText {_utf16(hyphen_text)}>> BDC")
                    else:
                        self.open_hyphen()
                xo = run.x_off[j] * per_point
                if xo:
                    self.number(-xo)
                self.buf.append(byte)
                key = keys[j - g0]
                self.number(widths.get(key, default) - run.advances[j] * per_point + xo, gap=j in spaces)
                if is_hyphen:
                    if not rtl_text:
                        self.close_hyphen()
                    elif hyphen_text is not None:
                        self.op("EMC")
                j += 1
        if rtl_text:
            self.op("EMC")


def draw_lines(
    canvas: Any,
    layout: Layout,
    first: int,
    last: int,
    *,
    top: float,
    tagger: Tagger,
    tag: object,
    links: Seq[LinkInfo | None],
    extraction: Extraction | None = None,
) -> None:
    """Draw lines ``[first, last)`` of ``layout`` with the first line's top at ``top``.

    Coordinates are the canvas's current ones (a flowable's, when called from
    ``draw``). Text goes through ``tagger``'s marked-content sequences; link
    annotations and underlines are added after each line.
    """
    extraction = extraction or Extraction()
    prepared = layout.prepared
    runs = prepared.runs
    leading = layout.leading
    writer = _Writer(canvas, tagger, tag, extraction)
    langs = lang_runs(layout)
    baseline0 = top - layout.first_baseline(first)
    skip_first: dict[int, int] = {}  # line index -> glyphs of its first run already drawn
    base_ltr = prepared.base_level == 0
    decorations: list[tuple[str, Any]] = []
    for number in range(first, last):
        line = layout.lines[number]
        y = baseline0 - (number - first) * leading
        pieces = _pieces(line)
        if not pieces:
            continue
        writer.code.append("BT")
        writer.font = None
        writer.colour = None
        writer.rise = 0.0
        tm_x: float | None = None
        skip = skip_first.pop(number, 0)
        skip_run = line.runs[0] if skip and line.runs else None
        groups = _reversed_groups(pieces, links, langs)
        group = -1
        for index, piece in enumerate(pieces):
            run = piece.run
            g0 = piece.g0
            if run is skip_run and g0 < skip:
                g0 = skip
            if g0 >= piece.g1:
                continue
            x = line.x + run.x + sum(run.advances[:g0])
            source = runs[run.run]
            found = groups.get(index)
            if found is not None:
                if found[0] != group:
                    group = found[0]
                    writer.open_sequence(links[run.run], langs[run.run], logical=found[1])
            elif not run.mark or writer.sequence is None:
                group = -1
                writer.open_sequence(None if run.mark else links[run.run], None if run.mark else langs[run.run])
            writer.set_colour(_colour(source.colour))
            if tm_x is None or line.bidi:
                writer.op(f"1 0 0 1 {_fmt(x)} {_fmt(y)} Tm")
                tm_x = x
            writer.glyphs(run, g0, piece.g1, force_font=line.bidi)
        if extraction.line_end_spaces and tm_x is not None and _word_break_after(layout, number):
            _line_end_space(writer, layout, line, y, links, langs)
        # the start of a hyphenated word's second part, drawn here for extractors (see module doc)
        if (extraction.join_hyphenated and line.hyphen and number + 1 < last and base_ltr
                and tm_x is not None):
            _join_next(writer, layout, number, y, tm_x, links, skip_first)
        writer.set_rise(0.0)
        writer.close_sequence()
        writer.code.append("ET")
        decorations.extend(_decorations(line, y, runs, links))
    writer.close_sequence()
    _draw_decorations(canvas, decorations, tagger, tag, writer.page, links)


def _join_next(writer: _Writer, layout: Layout, number: int, y: float, tm_x: float,
               links: Seq[LinkInfo | None], skip_first: dict[int, int]) -> None:
    following = layout.lines[number + 1]
    if not following.runs:
        return
    run = following.runs[0]
    if run.level != 0 or run.mark or run.start != following.start:
        return
    link = links[run.run]
    lang = lang_runs(layout)[run.run]
    if (link.index if link else -1, lang.index if lang else -1) != writer.sequence_key:
        return
    end = run.spaces[0] if run.spaces else len(run.gids)
    if end <= 0:
        return
    x = following.x + run.x
    writer.op(f"{_fmt(x - tm_x)} 0 Td")
    writer.base_rise = -(y - (y - layout.leading))
    writer.glyphs(run, 0, end)
    writer.base_rise = 0.0
    writer.set_rise(0.0)
    skip_first[number + 1] = end


def _reversed_groups(pieces: list[_Piece], links: Seq[LinkInfo | None],
                     langs: Seq[LangRun | None]) -> dict[int, tuple[int, str]]:
    """Per right-to-left piece of a line: its group (consecutive right-to-left pieces of one link and
    language) and the group's logical text (their glyphs are drawn in visual order)."""
    out: dict[int, tuple[int, str]] = {}
    texts: dict[int, list[str]] = {}
    previous: tuple[object, object] | None = None
    group = -1
    for index, piece in enumerate(pieces):
        run = piece.run
        if not run.rtl or run.mark:
            previous = None
            continue
        key = (links[run.run], langs[run.run])
        if key != previous:
            group += 1
            previous = key
        texts.setdefault(group, []).append("".join(reversed(run.texts[piece.g0:piece.g1])))
        out[index] = (group, "")
    # (without the zero-width bidi marks drawn for poppler: the logical text needs none)
    return {index: (g, "".join(texts[g]).translate(_BIDI_MARKS)) for index, (g, _t) in out.items()}


def _word_break_after(layout: Layout, number: int) -> bool:
    """True when line ``number`` and the next are separated by a space or a hard line break of the text."""
    if number + 1 >= layout.count:
        return False
    end, start = layout.specs[number].end, layout.specs[number + 1].start
    return any(c in _BREAKING for c in layout.prepared.text[end:start])


def _line_end_space(writer: _Writer, layout: Layout, line: Line, y: float, links: Seq[LinkInfo | None],
                    langs: Seq[LangRun | None]) -> None:
    """A space glyph at the end of ``line`` (past its last glyph, on the line's end side): a word break."""
    runs = sorted((r for r in line.runs if not r.mark and r.gids), key=lambda r: r.end, reverse=True)
    for run in runs:
        gid = run.item.font.nominal_glyph(" ")
        if gid is not None:
            break
    else:
        return
    font = run.item.font
    ttf = font.ttf
    size = run.item.size
    prepared = layout.prepared
    source = prepared.run_at(min(line.end, len(prepared.text) - 1))
    writer.open_sequence(links[source], langs[source])
    writer.set_rise(writer.base_rise)
    if line.bidi:
        width = font.advance(gid) * size / font.upem
        x = line.x + line.width if prepared.base_level == 0 else line.x - width
        writer.op(f"1 0 0 1 {_fmt(x)} {_fmt(y)} Tm")
    key = ttf.key_for(gid, " ")
    for subset, data in ttf.splitString(chr(key), writer.doc):
        state = (id(ttf), subset, size)
        if state != writer.font:
            writer.op(f"{ttf.getSubsetInternalName(subset, writer.doc)} {_fmt(size)} Tf")
            writer.font = state
        writer.buf.extend(data)


def _decorations(line: Line, y: float, runs: Seq[Run], links: Seq[LinkInfo | None]) -> list[tuple[str, Any]]:
    """Link rectangles and underline segments of a line (in the line's visual order)."""
    out: list[tuple[str, Any]] = []
    spans: dict[int, list[list[float]]] = {}
    underline: list[list[Any]] = []
    for run in line.runs:
        if run.mark or not run.gids:
            continue
        x0 = line.x + run.x
        x1 = x0 + run.width
        font = run.item.font
        size = run.item.size
        top = y + font.ascender * size
        bottom = y + font.descender * size
        link = links[run.run]
        if link is not None:
            boxes = spans.setdefault(link.index, [])
            if boxes and abs(boxes[-1][2] - x0) < 0.01:
                boxes[-1][2] = x1
                boxes[-1][1] = min(boxes[-1][1], bottom)
                boxes[-1][3] = max(boxes[-1][3], top)
            else:
                boxes.append([x0, bottom, x1, top])
        source = runs[run.run]
        if source.underline:
            ttf = font.ttf
            position = y + ttf.face.underlinePosition / 1000 * size
            thickness = max(ttf.face.underlineThickness / 1000 * size, 0.4)
            if underline and abs(underline[-1][1] - x0) < 0.01 and underline[-1][4] == source.colour:
                underline[-1][1] = x1
            else:
                underline.append([x0, x1, position, thickness, source.colour])
    for index, boxes in sorted(spans.items()):
        for box in boxes:
            out.append(("link", (index, box)))
    for segment in underline:
        out.append(("underline", segment))
    return out


def _draw_decorations(canvas: Any, decorations: list[tuple[str, Any]], tagger: Tagger, tag: object, page: int,
                      links: Seq[LinkInfo | None]) -> None:
    from reportlab.pdfbase.pdfdoc import PDFArray, PDFDictionary, PDFName, PDFString

    lines = [d for kind, d in decorations if kind == "underline"]
    if lines:
        code = canvas._code
        opened = tagger.begin_artifact(canvas, tag)
        if opened:
            code.append(opened)
        code.append("q")
        for x0, x1, yy, thickness, colour in lines:
            r, g, b = _colour(colour)
            code.append(f"{_fmt(r)} {_fmt(g)} {_fmt(b)} RG {_fmt(thickness)} w 0 J "
                        f"{_fmt(x0)} {_fmt(yy)} m {_fmt(x1)} {_fmt(yy)} l S")
        code.append("Q")
        closed = tagger.end_artifact(canvas, tag)
        if closed:
            code.append(closed)
    link_by_index: dict[int, LinkInfo] = {}
    for info in links:
        if info is not None:
            link_by_index.setdefault(info.index, info)
    for kind, data in decorations:
        if kind != "link":
            continue
        index, box = data
        info = link_by_index[index]
        rect = tuple(canvas._absRect(tuple(box), 1))
        name = f"bptLink{canvas._annotationCount + 1}"
        extra = dict(tagger.link_annotation(canvas, Annotation(tag, info, page, rect, name)))
        annotation = PDFDictionary()
        annotation["Type"] = PDFName("Annot")
        annotation["Subtype"] = PDFName("Link")
        annotation["Rect"] = PDFArray([round(v, 3) for v in rect])
        annotation["Border"] = PDFArray([0, 0, 0])
        annotation["F"] = 4
        annotation["Contents"] = PDFString(link_description(info.text or info.target))
        if info.target.startswith("#"):
            annotation["Dest"] = canvas._bookmarkReference(info.target[1:])
        else:
            annotation["A"] = _uri_action(canvas, info.target)
        for key in sorted(extra):
            annotation[key] = extra[key]
        canvas._addAnnotation(annotation, name)


#: Longest ``/Contents`` of a link annotation (characters): a description, not a copy of a long URL.
DESCRIPTION_MAX = 200


def link_description(text: str) -> str:
    """``text`` as a link annotation's ``/Contents``: whitespace collapsed, cut to :data:`DESCRIPTION_MAX`."""
    text = " ".join(text.split())
    return text if len(text) <= DESCRIPTION_MAX else text[: DESCRIPTION_MAX - 1] + "\u2026"


def _uri_action(canvas: Any, target: str) -> Any:
    """A reference to the one ``/URI`` action for ``target`` in this canvas's document.

    A link set over many lines has one annotation per line; they all point to the
    same indirect action, so the URL is written once, however long it is and
    however many lines the link text takes (the file grows linearly).
    """
    from reportlab.pdfbase.pdfdoc import PDFDictionary, PDFName, PDFString

    actions: dict[str, Any] | None = getattr(canvas, "_bp_uri_actions", None)
    if actions is None:
        actions = canvas._bp_uri_actions = {}
    found = actions.get(target)
    if found is None:
        action = PDFDictionary()
        action["Type"] = PDFName("Action")
        action["S"] = PDFName("URI")
        action["URI"] = PDFString(target)
        found = actions[target] = canvas._doc.Reference(action, f"bpURI{len(actions) + 1}")
    return found
