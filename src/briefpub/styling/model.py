"""The style-sheet model: every key, its type, default and meaning (styling stage).

A style sheet is resolved once (TOML file -> :class:`StyleSheet`) and handed to
every writer, which adapts it: reportlab paragraph styles, CSS, Word named
styles. Each field's ``metadata`` carries its value kind and documentation;
``docs/style-sheet.md`` is generated from it (see :func:`reference_markdown`), so
the reference can never drift from the code.

Lengths are stored in points; in TOML they are written ``"10pt"``, ``"22mm"``,
``"2cm"``, ``"1in"`` or a bare number of points. Colours are ``"#rrggbb"``.
"""

from __future__ import annotations

from dataclasses import MISSING, dataclass, field, fields
from typing import Any

# Value kinds understood by the loader.
LENGTH, COLOUR, BOOL, STR, FONTS, ROLE, PAGESIZE, ALIGN, NUMBER, DEPTH = (
    "length",
    "colour",
    "bool",
    "string",
    "list of font family names",
    "font role",
    "page size",
    "alignment",
    "number",
    "integer 1-3",
)
PAGE_SIZES: dict[str, tuple[float, float]] = {
    "A4": (595.2756, 841.8898),
    "Letter": (612.0, 792.0),
}
FONT_ROLES = ("body", "heading", "mono")
ALIGNMENTS = ("left", "center", "right", "justify")


LENGTH_RANGE = (0.0, 2000.0)
"""Range of a length key in points, unless the key states its own (``range`` in its metadata)."""
MIN_COLUMN = 144.0
"""Narrowest text column (points) the margins may leave: two inches; writers need room for a line."""
MIN_FRAME_HEIGHT = 144.0
"""Shortest text area (points) the top and bottom margins may leave."""


def _key(kind: str, doc: str, default: Any, *, lo: float | None = None, hi: float | None = None) -> Any:
    metadata: dict[str, Any] = {"kind": kind, "doc": doc}
    if lo is not None and hi is not None:
        metadata["range"] = (lo, hi)
    return field(default=default, metadata=metadata)


def _fonts(doc: str, *families: str) -> Any:
    return field(
        default_factory=lambda: tuple(families),
        metadata={"kind": FONTS, "doc": doc, "shown": list(families)},
    )


@dataclass(frozen=True, slots=True)
class PageStyle:
    """Paper and margins."""

    size: str = _key(PAGESIZE, "paper size: `A4` or `Letter`", "A4")
    margin_top: float = _key(
        LENGTH, "top margin (the running header sits inside it); top and bottom leave at least 144pt of text",
        62.36,
    )
    margin_bottom: float = _key(LENGTH, "bottom margin (the footer sits inside it)", 62.36)
    margin_inner: float = _key(
        LENGTH, "left margin (inside margin on right-hand pages); the margins and gutter leave a text column "
        "at least 144pt wide", 62.36,
    )
    margin_outer: float = _key(LENGTH, "right margin (outside margin on right-hand pages)", 62.36)
    duplex: bool = _key(BOOL, "packs: start every article on a right-hand page", False)
    gutter: float = _key(
        LENGTH, "binding margin added to the inside margin (mirrored left/right in duplex)", 0.0
    )


@dataclass(frozen=True, slots=True)
class FontStyle:
    """Font families by role, each a list tried in order, per character."""

    body: tuple[str, ...] = _fonts("families for body text", "DejaVu Serif", "Noto Serif")
    heading: tuple[str, ...] = _fonts("families for titles and headings", "DejaVu Sans", "Noto Sans")
    mono: tuple[str, ...] = _fonts("families for code", "DejaVu Sans Mono", "Noto Sans Mono")
    fallback: tuple[str, ...] = _fonts(
        "families tried for characters the role's families lack (scripts, CJK)",
        "DejaVu Sans",
        "Noto Sans",
        "Noto Sans Arabic",
        "Noto Sans Hebrew",
        "Noto Sans Armenian",
        "Noto Sans Georgian",
        "Noto Sans Devanagari",
        "Noto Sans Thai",
        "WenQuanYi Zen Hei",
        "Droid Sans Fallback",
    )


@dataclass(frozen=True, slots=True)
class TextStyle:
    """How one kind of text looks."""

    font: str = _key(ROLE, "font role: `body`, `heading` or `mono`", "body")
    size: float = _key(LENGTH, "font size", 10.5, lo=1.0, hi=72.0)
    leading: float = _key(LENGTH, "line height (baseline to baseline)", 14.5, lo=1.0, hi=144.0)
    colour: str = _key(COLOUR, "text colour", "#1a1a1a")
    bold: bool = _key(BOOL, "bold", False)
    italic: bool = _key(BOOL, "italic", False)
    align: str = _key(ALIGN, "`left`, `center`, `right` or `justify`", "left")
    space_before: float = _key(LENGTH, "space above", 0.0, lo=0.0, hi=288.0)
    space_after: float = _key(LENGTH, "space below", 6.0, lo=0.0, hi=288.0)


def _text(**overrides: Any) -> Any:
    """A ``TextStyle`` section with its own defaults, documented as such."""
    return field(default_factory=lambda: TextStyle(**overrides), metadata={"section": overrides})


@dataclass(frozen=True, slots=True)
class BodyOptions:
    """Paragraph behaviour of body text."""

    hyphenate: bool = _key(BOOL, "hyphenate body text by the document's language", True)
    smart_punctuation: bool = _key(
        BOOL, "print typographic quotes, apostrophes, dashes and ellipses in the document's language", True
    )
    language: str = _key(STR, "BCP 47 language used when the article names none", "en")
    first_line_indent: float = _key(LENGTH, "first-line indent of body paragraphs", 0.0, lo=0.0, hi=144.0)
    list_indent: float = _key(LENGTH, "indent of list items", 18.0, lo=0.0, hi=144.0)
    bullet: str = _key(STR, "bullet character for unordered lists", "\u2022")
    quote_indent: float = _key(LENGTH, "left and right indent of block quotes", 24.0, lo=0.0, hi=144.0)


@dataclass(frozen=True, slots=True)
class LinkStyle:
    """Hyperlinks."""

    colour: str = _key(COLOUR, "link colour", "#1f4e8c")
    underline: bool = _key(
        BOOL, "underline links (on by default: a link must not be told apart by colour alone, WCAG 1.4.1)", True
    )


@dataclass(frozen=True, slots=True)
class BoxStyle:
    """The key-points box and tables."""

    title: str = _key(STR, "heading of the key-points box (empty: \"Key points\" in the article's language)", "")
    background: str = _key(COLOUR, "key-points box background", "#eef2f7")
    border: str = _key(COLOUR, "key-points box and table border colour", "#8a9bb0")
    table_header_background: str = _key(COLOUR, "table header row background", "#dde4ee")


@dataclass(frozen=True, slots=True)
class MarkingStyle:
    """The protective-marking banner (shown when the document has a marking)."""

    colour: str = _key(COLOUR, "marking text colour", "#b00020")
    background: str = _key(COLOUR, "marking banner background (`#ffffff` for none)", "#ffffff")
    size: float = _key(LENGTH, "marking font size", 10.0, lo=1.0, hi=72.0)
    bold: bool = _key(BOOL, "bold marking text", True)


@dataclass(frozen=True, slots=True)
class FurnitureStyle:
    """Running header, footer and end-of-article attribution."""

    header: str = _key(STR, "running header text; `{title}` is the article or pack title", "{title}")
    footer: str = _key(
        STR, "footer text; `{page}` and `{pages}` are the page number and total (empty: \"Page {page} of "
        "{pages}\" in the publication's language)", ""
    )
    size: float = _key(LENGTH, "header and footer font size", 8.0, lo=1.0, hi=72.0)
    colour: str = _key(COLOUR, "header and footer colour", "#555555")
    rule: bool = _key(BOOL, "thin rule under the header and above the footer", True)
    attribution: bool = _key(BOOL, "print a source attribution block at the end of each article", True)
    qr_code: bool = _key(BOOL, "PDF: QR code of the source URL in the attribution block", True)
    contents_depth: int = _key(
        DEPTH, "packs: contents lists articles (1) or also their headings (2, 3) where the format can", 1
    )


@dataclass(frozen=True, slots=True)
class AccessibilityOptions:
    """Accessibility claims a format can make about itself."""

    certified_by: str = _key(
        STR, "EPUB: who evaluated the publication's accessibility (`a11y:certifiedBy`); the EPUB claims "
        "EPUB Accessibility 1.1 / WCAG 2.1 AA only when this is set and the writer's own checks pass", ""
    )


@dataclass(frozen=True, slots=True)
class StyleSheet:
    """A complete, validated style sheet. Built-in sheets live in ``styles/``."""

    name: str = "custom"
    description: str = ""
    page: PageStyle = field(default_factory=PageStyle)
    fonts: FontStyle = field(default_factory=FontStyle)
    paragraphs: BodyOptions = field(default_factory=BodyOptions)
    body: TextStyle = _text(align="justify")
    title: TextStyle = _text(
        font="heading", size=22.0, leading=26.0, colour="#10243e", bold=True, space_after=8.0
    )
    subtitle: TextStyle = _text(size=12.5, leading=17.0, colour="#33475b", italic=True, space_after=10.0)
    byline: TextStyle = _text(font="heading", size=9.0, leading=12.0, colour="#555555", space_after=12.0)
    heading1: TextStyle = _text(
        font="heading", size=15.0, leading=19.0, colour="#10243e", bold=True,
        space_before=14.0, space_after=6.0,
    )
    heading2: TextStyle = _text(
        font="heading", size=12.5, leading=16.0, colour="#10243e", bold=True,
        space_before=12.0, space_after=4.0,
    )
    heading3: TextStyle = _text(
        font="heading", size=11.0, leading=14.0, colour="#10243e", bold=True, italic=True,
        space_before=10.0, space_after=3.0,
    )
    caption: TextStyle = _text(size=9.0, leading=12.0, colour="#444444", italic=True, space_after=10.0)
    quote: TextStyle = _text(size=10.5, leading=14.5, colour="#333333", italic=True, space_after=8.0)
    code: TextStyle = _text(font="mono", size=9.0, leading=12.0, colour="#1a1a1a")
    table: TextStyle = _text(font="heading", size=9.0, leading=11.5, space_after=0.0)
    links: LinkStyle = field(default_factory=LinkStyle)
    boxes: BoxStyle = field(default_factory=BoxStyle)
    marking: MarkingStyle = field(default_factory=MarkingStyle)
    furniture: FurnitureStyle = field(default_factory=FurnitureStyle)
    accessibility: AccessibilityOptions = field(default_factory=AccessibilityOptions)

    @property
    def page_size(self) -> tuple[float, float]:
        """Page width and height in points."""
        return PAGE_SIZES[self.page.size]

    def families(self, role: str) -> tuple[str, ...]:
        """The font families for a role, followed by the fallback chain (no repeats)."""
        own: tuple[str, ...] = getattr(self.fonts, role)
        return tuple(dict.fromkeys((*own, *self.fonts.fallback)))

    def heading(self, level: int) -> TextStyle:
        """The text style of a heading level (levels past 3 use ``heading3``)."""
        return (self.heading1, self.heading2, self.heading3)[min(max(level, 1), 3) - 1]


SECTION_TYPES: dict[str, type] = {
    f.name: f.default_factory().__class__
    for f in fields(StyleSheet)
    if f.default_factory is not MISSING
}
