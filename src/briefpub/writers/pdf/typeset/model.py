"""The text engine's input: runs of text and a paragraph style (plain dataclasses).

A paragraph (:class:`TextBlock`) is a sequence of :class:`Run` items and
:data:`LINE_BREAK` markers, set in a :class:`ParaStyle`. Nothing here imports
reportlab or HarfBuzz, so the layout stage can build paragraphs without loading
fonts.

Fonts are given by objects with a ``path`` and a collection ``index``
(:class:`FaceLike`, which :class:`briefpub.fonts.Face` satisfies): a
run names its face and, optionally, the fallback faces tried in order for
characters that face lacks (a *chain*).
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Literal, Protocol, runtime_checkable

__all__ = [
    "LINE_BREAK",
    "Align",
    "Direction",
    "FaceLike",
    "LineBreak",
    "ParaStyle",
    "Run",
    "TextBlock",
]


@runtime_checkable
class FaceLike(Protocol):
    """A TrueType face: a font file and the face's index in it (0 unless a collection)."""

    @property
    def path(self) -> str:
        """The font file."""
        ...

    @property
    def index(self) -> int:
        """The face's index in a collection (``.ttc``), else 0."""
        ...


class Align(enum.StrEnum):
    """Horizontal alignment of a paragraph's lines.

    ``START``/``END`` follow the paragraph direction (left/right for left-to-right
    text, right/left for right-to-left); ``LEFT``/``RIGHT`` are absolute.
    ``JUSTIFY`` sets every line but the last (and lines ending in a hard break) flush
    with both margins; its last line is set at the start side.
    """

    JUSTIFY = "justify"
    LEFT = "left"
    RIGHT = "right"
    CENTER = "center"
    START = "start"
    END = "end"


Direction = Literal["ltr", "rtl", "auto"]


class LineBreak:
    """A hard line break inside a paragraph (use the :data:`LINE_BREAK` instance)."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "LINE_BREAK"


#: The hard line break item of :attr:`TextBlock.items`.
LINE_BREAK = LineBreak()


@dataclass(frozen=True, slots=True)
class Run:
    """A run of text in one face, size and colour.

    ``font`` is the run's face, or a chain of faces: the first one that has a
    character's glyph (per grapheme cluster) prints it. ``colour`` is ``#rrggbb``.
    ``link`` is an external URL (http, https, mailto; anything else is kept as text
    and reported) or ``#name`` for an internal destination (a bookmark key).
    ``lang`` is a BCP 47 tag for a span in another language than the document's
    (it reaches tagged PDF as ``/Lang`` and picks language-specific glyph forms).
    ``underline`` draws a rule under the run (links that must be distinguishable
    without colour). ``\\n`` and U+2028 in ``text`` are hard line breaks.
    """

    text: str
    font: FaceLike | tuple[FaceLike, ...]
    size: float
    colour: str = "#000000"
    link: str | None = None
    lang: str | None = None
    underline: bool = False

    @property
    def faces(self) -> tuple[FaceLike, ...]:
        """The run's face chain (the run's own face first)."""
        if isinstance(self.font, tuple):
            return self.font
        return (self.font,)


@dataclass(frozen=True, slots=True)
class ParaStyle:
    """How a paragraph is set.

    ``leading`` is the baseline-to-baseline distance. ``direction`` is the base
    direction; ``auto`` takes it from the first strong character (Unicode bidi rule
    P2), and ``ltr`` when there is none. ``hyphenate`` is the BCP 47 language whose
    patterns hyphenate the paragraph (None: no hyphenation). ``balanced`` sets a
    ragged paragraph (headlines, headings) in lines of similar length, never leaving
    one word alone on the last line. ``max_word_space`` bounds a justified line's word
    spaces (times the leading) and ``min_word_space`` their shrinking (times the
    natural space): a paragraph that cannot be justified within them is set ragged
    and reported. ``widows``/``orphans`` are the fewest lines left at the top/bottom
    of a page when the paragraph is split; ``ligatures`` turns on standard ligatures
    (fi, fl) for Latin, Greek and Cyrillic (scripts that need ligatures, such as
    Arabic, always get them). ``lang`` is the paragraph's language (BCP 47) when it
    differs from the document's. Runs of spaces and tabs collapse to one space, and
    spaces at the paragraph's ends are dropped, unless ``preserve_spaces``.
    """

    leading: float
    align: Align = Align.JUSTIFY
    first_indent: float = 0.0
    left_indent: float = 0.0
    right_indent: float = 0.0
    direction: Direction = "auto"
    hyphenate: str | None = None
    balanced: bool = False
    space_before: float = 0.0
    space_after: float = 0.0
    keep_with_next: bool = False
    max_word_space: float = 0.45
    min_word_space: float = 0.8
    widows: int = 2
    orphans: int = 2
    ligatures: bool = False
    lang: str | None = None
    preserve_spaces: bool = False

    def __post_init__(self) -> None:
        if self.leading <= 0:
            raise ValueError("leading must be positive")
        object.__setattr__(self, "align", Align(self.align))


@dataclass(frozen=True, slots=True)
class TextBlock:
    """A paragraph: runs and hard line breaks, in logical (reading) order, and its style."""

    items: tuple[Run | LineBreak, ...]
    style: ParaStyle
    #: Free-form label used in diagnostics (say, the block path in the document).
    label: str = ""

    @classmethod
    def of(cls, items: Iterable[Run | LineBreak], style: ParaStyle, label: str = "") -> TextBlock:
        """A paragraph from any iterable of runs and breaks."""
        return cls(tuple(items), style, label)

    @property
    def runs(self) -> Sequence[Run]:
        """The runs, without line breaks."""
        return [item for item in self.items if isinstance(item, Run)]

    def plain_text(self) -> str:
        """The paragraph's text, hard breaks as ``\\n``."""
        return "".join("\n" if isinstance(item, LineBreak) else item.text for item in self.items)
