"""Measuring typesetting from a PDF's word boxes (poppler's ``pdftotext -bbox-layout``).

Used by tests that check the text setting from the output, not from the code: characters per
line (the measure), the widest word space relative to the line pitch (loose justification),
the number of words on a headline's last line, hyphenated line ends.
"""

from __future__ import annotations

import itertools
import statistics
import subprocess
import xml.etree.ElementTree as ET
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

_NS = "{http://www.w3.org/1999/xhtml}"


@dataclass(frozen=True, slots=True)
class Word:
    """A word box."""

    text: str
    x0: float
    y0: float
    x1: float
    y1: float


@dataclass(frozen=True, slots=True)
class Line:
    """A line of words, with the page it is on and the block it belongs to."""

    page: int
    block: int
    words: tuple[Word, ...]

    @property
    def x0(self) -> float:
        return self.words[0].x0

    @property
    def x1(self) -> float:
        return self.words[-1].x1

    @property
    def y0(self) -> float:
        return min(w.y0 for w in self.words)

    @property
    def height(self) -> float:
        return max(w.y1 for w in self.words) - self.y0

    @property
    def text(self) -> str:
        return " ".join(w.text for w in self.words)

    @property
    def gaps(self) -> list[float]:
        return [b.x0 - a.x1 for a, b in itertools.pairwise(self.words)]


def lines_of(pdf: Path, first: int | None = None, last: int | None = None) -> list[Line]:
    """Every line of the PDF (pages ``first``..``last``, 1-based), in poppler's reading order."""
    args = ["pdftotext", "-bbox-layout"]
    if first is not None:
        args += ["-f", str(first)]
    if last is not None:
        args += ["-l", str(last)]
    xml = subprocess.run([*args, str(pdf), "-"], capture_output=True, check=True).stdout
    root = ET.fromstring(xml)
    out: list[Line] = []
    block_no = 0
    for page_no, page in enumerate(root.iter(f"{_NS}page"), start=first or 1):
        for block in page.iter(f"{_NS}block"):
            block_no += 1
            for line in block.iter(f"{_NS}line"):
                words = tuple(
                    Word(w.text or "", float(w.get("xMin", 0)), float(w.get("yMin", 0)),
                         float(w.get("xMax", 0)), float(w.get("yMax", 0)))
                    for w in line.iter(f"{_NS}word")
                )
                if words:
                    out.append(Line(page_no, block_no, words))
    return out


def body_lines(lines: list[Line]) -> list[Line]:
    """The lines set in the most common text height (the body text)."""
    heights = Counter(round(line.height, 1) for line in lines if len(line.words) > 3)
    if not heights:
        return []
    body = heights.most_common(1)[0][0]
    return [line for line in lines if abs(line.height - body) < 0.3]


@dataclass(frozen=True, slots=True)
class Setting:
    """Figures of a body text setting."""

    full_lines: int
    median_chars: float
    max_chars: int
    min_chars: int
    pitch: float
    loosest_space: float  # widest word gap on a full line / line pitch
    loosest_line: str
    hyphenated_runs: int  # the longest run of consecutive lines ending in a hyphen


def measure(pdf: Path, first: int | None = None, last: int | None = None) -> Setting:
    """The body text's measure and spacing: full lines are those reaching the right edge of the text area."""
    lines = body_lines(lines_of(pdf, first, last))
    right = max(line.x1 for line in lines)
    left = min(line.x0 for line in lines)
    full = [line for line in lines if line.x1 >= right - 1.5 and line.x0 <= left + 20 and len(line.words) > 1]
    pitches = [b.y0 - a.y0 for a, b in itertools.pairwise(lines)
               if a.page == b.page and a.block == b.block and 0 < b.y0 - a.y0 < 3 * a.height]
    pitch = statistics.median(pitches) if pitches else lines[0].height * 1.3
    chars = [len(line.text) for line in full]
    loosest = max(full, key=lambda line: max(line.gaps))
    run = longest = 0
    for line in lines:
        run = run + 1 if line.words[-1].text.endswith(("-", "\u2010", "\u00ad")) else 0
        longest = max(longest, run)
    return Setting(
        full_lines=len(full),
        median_chars=statistics.median(chars),
        max_chars=max(chars),
        min_chars=min(chars),
        pitch=pitch,
        loosest_space=max(loosest.gaps) / pitch,
        loosest_line=loosest.text,
        hyphenated_runs=longest,
    )


def title_lines(pdf: Path) -> list[Line]:
    """The lines of the largest text on the first page (an article's headline), top to bottom."""
    lines = lines_of(pdf, 1, 1)
    tallest = max(line.height for line in lines)
    return [line for line in lines if line.height > tallest - 0.5]
