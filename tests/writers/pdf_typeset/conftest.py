"""Shared helpers for the text-engine tests: fonts, PDF building and reading back what poppler and pypdf see.

Everything is measured from the output: PDFs are built with a reportlab
``SimpleDocTemplate`` holding :class:`TextFlowable` paragraphs, then read with
``pdftotext`` (poppler), pypdf and pikepdf.
"""

from __future__ import annotations

import io
import re
import subprocess
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from briefpub.fonts import Face, find_family
from shared_data import REFERENCE, shared_or_none
from tools import require_tool

ROOT = Path(__file__).resolve().parents[3]
BIDI_CONTROLS = dict.fromkeys(map(ord, "\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"))
#: Bidi controls and the soft hyphen (pypdf reads the hyphen inserted at a line end as U+00AD inside the word).
FORMAT_CHARACTERS = {**BIDI_CONTROLS, 0xAD: None}

#: A stand-in article of the same shape when the shared reference article is not there (our own text).
FALLBACK_ARTICLE = (
    "Delegations from the harbour authority and the dockworkers' union held preliminary talks in the coastal "
    "capital on Monday, on the eve of two days of negotiations meant to end a strike that has stranded hundreds "
    "of container ships and emptied supermarket shelves across three provinces.\n\n"
    "Behind the closed doors of a conference hotel, union organisers who have picketed the northern terminals "
    "for eleven weeks will sit across the table from port executives for the first time since the walkout "
    "began, a mediator from the labour ministry told reporters.\n\n"
    "The opposition's spokesperson for transport, Margarethe Vandersloot-Okonkwo, said the government had "
    "waited far too long to intervene and called for an independent inquiry into the handling of the dispute, "
    "which she described as the most damaging industrial conflict in a generation.\n\n"
    "A temporary ceasefire in the dispute, brokered by the ministry and two shipping associations, took effect "
    "at midnight on Friday and allowed perishable cargo and medical supplies to be unloaded under the "
    "supervision of inspectors from both sides.\n\n"
    "Economists at the national bank estimate that the stoppage has cost the economy roughly four hundred "
    "million a week, with exporters of fruit, timber and machinery hit hardest as contracts lapsed and buyers "
    "turned to competing ports further along the coast.\n\n"
    "Union members are demanding guaranteed shift patterns, an end to short-notice call-outs and a share of the "
    "savings expected from the automated cranes installed at the southern terminal last spring, which they say "
    "were introduced without any consultation.\n\n"
    "Port executives have offered a phased pay rise and a retraining fund but insist that automation is not "
    "negotiable, arguing that the harbour would otherwise lose its remaining long-haul routes to larger and "
    "cheaper rivals within a decade.\n\n"
    "Both delegations are expected to report to their members on Wednesday evening, and the mediator said a "
    "written framework could be put to a ballot of the workforce before the end of the month if the talks "
    "continue in the same constructive spirit.\n\n"
)


def article_paragraphs(min_words: int = 12) -> list[str]:
    """The reference article's paragraphs (the fallback article when it is absent)."""
    found = shared_or_none(REFERENCE)
    text = found.read_text(encoding="utf-8") if found is not None else FALLBACK_ARTICLE
    paragraphs = [" ".join(p.split()) for p in re.split(r"\n\s*\n", text)]
    return [p for p in paragraphs if len(p.split()) >= min_words]


@dataclass(frozen=True)
class Fonts:
    """The faces the tests use (regular and bold), found on the system."""

    serif: Face
    serif_bold: Face
    sans: Face
    sans_bold: Face
    arabic: Face
    hebrew: Face

    def chain(self, *, bold: bool = False, base: str = "serif") -> tuple[Face, ...]:
        """A fallback chain like the style sheet's: the role's face, then DejaVu Sans, Arabic, Hebrew."""
        first = {"serif": self.serif_bold if bold else self.serif, "sans": self.sans_bold if bold else self.sans}[base]
        return (first, self.sans_bold if bold else self.sans, self.arabic, self.hebrew)


@pytest.fixture(scope="session")
def fonts() -> Fonts:
    found = {name: find_family(name) for name in ("DejaVu Serif", "DejaVu Sans", "Noto Sans Arabic",
                                                   "Noto Sans Hebrew")}
    missing = [name for name, family in found.items() if family is None]
    if missing:
        pytest.skip(f"fonts not installed: {', '.join(missing)}")
    serif, sans, arabic, hebrew = (found[n] for n in found)
    assert serif and sans and arabic and hebrew
    return Fonts(serif.face(False, False), serif.face(True, False), sans.face(False, False), sans.face(True, False),
                 arabic.face(False, False), hebrew.face(False, False))


@dataclass
class Word:
    text: str
    x0: float
    y0: float
    x1: float
    y1: float


@dataclass
class BLine:
    words: list[Word] = field(default_factory=list)

    @property
    def text(self) -> str:
        return " ".join(w.text for w in self.words)

    @property
    def x0(self) -> float:
        return min(w.x0 for w in self.words)

    @property
    def x1(self) -> float:
        return max(w.x1 for w in self.words)


_WORD = re.compile(r'<word xMin="([\d.-]+)" yMin="([\d.-]+)" xMax="([\d.-]+)" yMax="([\d.-]+)">(.*?)</word>')


def _unescape(text: str) -> str:
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", '"').replace("&apos;", "'").replace(
        "&amp;", "&")


class Tools:
    """PDF building and reading back."""

    initial_font: str = ""

    def __init__(self, fonts: Fonts) -> None:
        from reportlab.pdfbase import pdfmetrics
        from reportlab.pdfbase.ttfonts import TTFont

        self.fonts = fonts
        name = "typeset-tests-initial"
        if name not in pdfmetrics.getRegisteredFontNames():
            pdfmetrics.registerFont(TTFont(name, fonts.sans.path, subfontIndex=fonts.sans.index, asciiReadable=1))
        self.initial_font = name

    def build(self, story: Iterable[Any], *, pagesize: tuple[float, float] | None = None,
              margins: float = 62.36, tagger: Any = None) -> bytes:
        """A PDF of ``story`` in a SimpleDocTemplate (A4, 22 mm margins, invariant)."""
        from reportlab.lib.pagesizes import A4
        from reportlab.platypus import SimpleDocTemplate

        buf = io.BytesIO()
        doc = SimpleDocTemplate(buf, pagesize=pagesize or A4, leftMargin=margins, rightMargin=margins,
                                topMargin=margins, bottomMargin=margins, invariant=1,
                                initialFontName=self.initial_font, title="typeset test", author="briefpub tests",
                                creator="briefpub tests", producer="briefpub tests")

        def on_page(canvas: Any, _doc: Any) -> None:
            if tagger is not None:
                canvas.bp_tagger = tagger

        doc.build(list(story), onFirstPage=on_page, onLaterPages=on_page)
        return buf.getvalue()

    @staticmethod
    def frame_width(pagesize: tuple[float, float] | None = None, margins: float = 62.36) -> float:
        from reportlab.lib.pagesizes import A4

        return (pagesize or A4)[0] - 2 * margins - 12  # SimpleDocTemplate frames have 6 pt padding

    @staticmethod
    def pdftotext(data: bytes, *args: str) -> str:
        require_tool("pdftotext")
        done = subprocess.run(["pdftotext", *args, "-", "-"], input=data, capture_output=True, check=True)
        return done.stdout.decode("utf-8")

    @staticmethod
    def pypdf_text(data: bytes) -> str:
        from pypdf import PdfReader

        return "\n".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(data)).pages)

    def bbox_lines(self, data: bytes) -> list[list[BLine]]:
        """Per page, the lines of words (pdftotext -bbox-layout), top to bottom."""
        html = self.pdftotext(data, "-bbox-layout")
        pages: list[list[BLine]] = []
        for page in html.split("<page ")[1:]:
            lines: list[BLine] = []
            for line_html in page.split("<line ")[1:]:
                line = BLine()
                for m in _WORD.finditer(line_html.split("</line>")[0]):
                    line.words.append(Word(_unescape(m.group(5)), float(m.group(1)), float(m.group(2)),
                                           float(m.group(3)), float(m.group(4))))
                if line.words:
                    lines.append(line)
            pages.append(lines)
        return pages

    @staticmethod
    def words(text: str) -> list[str]:
        """Whitespace-separated words, without bidi controls and soft hyphens (invisible format characters:
        pypdf reads the hyphen inserted at a line end as the U+00AD it maps to, inside the whole word)."""
        return text.translate(FORMAT_CHARACTERS).split()

    @staticmethod
    def pdffonts(data: bytes) -> list[list[str]]:
        require_tool("pdffonts")
        done = subprocess.run(["pdffonts", "-"], input=data, capture_output=True, check=True)
        rows = done.stdout.decode().splitlines()[2:]
        return [row.split() for row in rows if row.strip()]


@pytest.fixture(scope="session")
def tools(fonts: Fonts) -> Tools:
    return Tools(fonts)


def paragraphs_story(texts: Sequence[str], chain: tuple[Face, ...], style: Any, size: float = 10.5) -> list[Any]:
    """Text flowables, one per text."""
    from briefpub.writers.pdf.typeset import Run, TextBlock, TextFlowable

    return [TextFlowable(TextBlock.of([Run(text, chain, size)], style)) for text in texts]


@pytest.fixture(scope="session")
def story() -> Any:
    return paragraphs_story


@pytest.fixture(scope="session")
def article() -> list[str]:
    """The reference article's paragraphs."""
    return article_paragraphs()
