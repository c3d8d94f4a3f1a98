"""CSS for the EPUB writer, generated from the style sheet (writer stage).

The same :class:`~briefpub.styling.model.StyleSheet` that drives the PDF and
DOCX writers becomes one external CSS file, adapted to reflowable e-books:

* **The reader's theme owns the text colour.** Reading systems offer day,
  sepia and night themes; a text colour fixed by the book (a navy title, a
  blue link, a grey caption) vanishes on a night background. So no text colour
  is set anywhere: text inherits the theme's. The style's colours survive as
  borders and rules (key-points box, tables, quotes, the marking banner), each
  adjusted to keep a 3:1 contrast (WCAG 1.4.11) against both a white and a
  black page, and backgrounds are translucent tints of them, which darken a
  light page and lighten a dark one alike.
* **Links are underlined** in every style, so they are told apart without
  colour (WCAG 1.4.1).
* **Typography**: body text justified (when the style says so) and hyphenated
  by each document's and span's ``lang`` (``hyphens: auto`` and its
  ``-epub-``/``-webkit-`` forms), ``widows``/``orphans`` 2; headings, titles,
  standfirsts, bylines and contents entries never justified nor hyphenated,
  and kept with the text that follows (``break-after: avoid``); emphasis
  inside italic text is set upright (``em em``); a caption without its image
  is a labelled photo caption, set apart from the standfirst.

It is deliberately conservative so Kindle-, Kobo- and Adobe-class reading
systems render it: class and element selectors only, ``em`` sizes relative to
the reader's chosen text size (never absolute points), unitless line heights,
no ``rem``, ``calc``, variables, flexbox, grid or positioning. Style sheet
lengths are points; each is turned into ``em`` of the element it applies to.
``left`` alignment is written as ``left`` with a ``.rtl`` override, since
older reading systems do not know ``start``.
"""

from __future__ import annotations

import colorsys
import functools

from briefpub._lazyre import lazy_re
from briefpub.styling.model import StyleSheet, TextStyle

__all__ = ["CSS_FILE", "both_themes", "contrast", "stylesheet"]

#: Name of the CSS file inside the package (relative to the content documents).
CSS_FILE = "style/briefpub.css"

_COLOUR = lazy_re(r"^#[0-9a-fA-F]{6}$")
_GENERIC = {"body": "serif", "heading": "sans-serif", "mono": "monospace"}
#: Least contrast of a rule or border against both a white and a black page (WCAG 1.4.11).
MIN_CONTRAST = 3.0


def _num(value: float) -> str:
    """A CSS number: at most three decimals, no trailing zeros."""
    text = f"{value:.3f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def _em(points: float, font_size: float) -> str:
    """``points`` as ``em`` of an element whose font size is ``font_size`` points."""
    if points == 0 or font_size <= 0:
        return "0"
    return f"{_num(points / font_size)}em"


def _rgb(value: str, fallback: str = "#808080") -> tuple[int, int, int]:
    value = value if _COLOUR.match(value) else fallback
    return int(value[1:3], 16), int(value[3:5], 16), int(value[5:7], 16)


def _channel(c: int) -> float:
    s = c / 255
    return s / 12.92 if s <= 0.03928 else ((s + 0.055) / 1.055) ** 2.4


#: Each 8-bit channel value, linearised (both_themes tries ~500 colours; a table, not 1,500 powers).
_LINEAR = tuple(_channel(c) for c in range(256))


def _luminance(rgb: tuple[int, int, int]) -> float:
    r, g, b = rgb
    return 0.2126 * _LINEAR[r] + 0.7152 * _LINEAR[g] + 0.0722 * _LINEAR[b]


def contrast(a: tuple[int, int, int], b: tuple[int, int, int]) -> float:
    """The WCAG contrast ratio of two colours."""
    la, lb = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def both_themes(colour: str) -> str:
    """``colour`` (``#rrggbb``), its lightness moved just enough to contrast 3:1 with white and with black.

    Hue and saturation are kept, so a red marking rule stays red and a navy
    border stays blue; a colour that already works on both pages is returned as is.
    """
    rgb = _rgb(colour)
    white, black = (255, 255, 255), (0, 0, 0)

    def ok(c: tuple[int, int, int]) -> bool:
        return min(contrast(c, white), contrast(c, black)) >= MIN_CONTRAST

    if ok(rgb):
        return "#{:02x}{:02x}{:02x}".format(*rgb)
    hue, light, sat = colorsys.rgb_to_hls(*(c / 255 for c in rgb))
    chosen = (128, 128, 128)
    # The lightness steps 0.00-1.00 nearest the colour's own first (the first that works is the nearest; of
    # two as near, the darker), instead of trying all 101.
    for step in sorted(range(101), key=lambda step: (abs(step / 100 - light), step)):
        r, g, b = colorsys.hls_to_rgb(hue, step / 100, sat)
        candidate = (round(r * 255), round(g * 255), round(b * 255))
        if ok(candidate):
            chosen = candidate
            break
    return "#{:02x}{:02x}{:02x}".format(*chosen)


def _tint(colour: str, alpha: float) -> str:
    """A translucent tint of ``colour``: darkens a light page and lightens a dark one alike."""
    r, g, b = _rgb(both_themes(colour))
    return f"rgba({r}, {g}, {b}, {_num(alpha)})"


def _family_name(name: str) -> str:
    """A font family name as a quoted CSS string."""
    clean = "".join(ch for ch in name if ch.isprintable()).replace("\\", "\\\\").replace('"', '\\"')
    return f'"{clean}"'


def _generic_for(families: tuple[str, ...], role: str) -> str:
    """The generic family closing a stack: guessed from the first family, else the role's."""
    first = families[0].lower() if families else ""
    if "mono" in first or "code" in first:
        return "monospace"
    if "sans" in first:
        return "sans-serif"
    if "serif" in first:
        return "serif"
    return _GENERIC.get(role, "serif")


def font_stack(style: StyleSheet, role: str) -> str:
    """``"DejaVu Serif", "Noto Serif", serif`` for a font role (no fallback chain: readers have their own)."""
    families: tuple[str, ...] = getattr(style.fonts, role, ())
    names = [_family_name(f) for f in families if f.strip()]
    return ", ".join([*names, _generic_for(families, role)])


#: Below this width (36em: 576 px at the usual 16 px em, so phones and small tablets) running text is set
#: ragged-right.
NARROW_EM = 36

_HYPHENS = ["-epub-hyphens: auto", "-webkit-hyphens: auto", "hyphens: auto"]
_NO_HYPHENS = ["-epub-hyphens: none", "-webkit-hyphens: none", "hyphens: none"]
_KEEP_WITH_NEXT = ["page-break-after: avoid", "break-after: avoid", "page-break-inside: avoid", "break-inside: avoid"]


def _text_rules(style: StyleSheet, text: TextStyle, base: float, *, margins: bool = True,
                justify: bool = False) -> list[str]:
    """Declarations for one text style; sizes relative to ``base`` points (the parent's size).

    No colour (the reader's theme owns it); ``justify`` only where running text may be justified.
    """
    size = text.size if text.size > 0 else base
    decls = [
        f"font-family: {font_stack(style, text.font)}",
        f"font-size: {_num(size / base)}em" if abs(size - base) > 0.01 else "font-size: 1em",
        f"line-height: {_num(text.leading / size)}" if text.leading > 0 else "line-height: 1.3",
        f"font-weight: {'bold' if text.bold else 'normal'}",
        f"font-style: {'italic' if text.italic else 'normal'}",
    ]
    align = text.align if justify or text.align != "justify" else "left"
    decls.append(f"text-align: {align}")
    if margins:
        decls.append(f"margin: {_em(text.space_before, size)} 0 {_em(text.space_after, size)} 0")
    return decls


def _rule(selector: str, decls: list[str]) -> str:
    body = "".join(f"  {d};\n" for d in decls)
    return f"{selector} {{\n{body}}}\n"


def _upright_emphasis(selector: str) -> list[str]:
    """Emphasis inside italic text is set upright, and emphasis inside that italic again."""
    return [_rule(f"{selector} em", ["font-style: normal"]), _rule(f"{selector} em em", ["font-style: italic"])]


@functools.lru_cache(maxsize=16)
def stylesheet(style: StyleSheet) -> str:
    """The whole CSS file for ``style`` (deterministic: same sheet, same bytes).

    Kept per process for the last 16 sheets (2 ms an EPUB, most of it the contrast checks): the
    sheet is immutable and compared whole, so a changed one is another entry.
    """
    base = style.body.size if style.body.size > 0 else 10.5
    body = style.body
    hyphens = _HYPHENS if style.paragraphs.hyphenate else _NO_HYPHENS
    caption = style.caption
    quote = style.quote
    code = style.code
    table = style.table
    boxes = style.boxes
    marking = style.marking
    furniture = style.furniture
    border = both_themes(boxes.border)
    accent = both_themes(style.title.colour)
    marking_rule = both_themes(marking.colour)
    list_indent = _em(style.paragraphs.list_indent, base)
    quote_indent = _em(style.paragraphs.quote_indent, quote.size or base)
    caption_size = caption.size or base
    rules: list[str] = [
        f"/* Generated by briefpub from the style sheet {style.name!r}; do not edit. */\n",
        "/* No text colour is set: the reading system's day, sepia or night theme colours all text. */\n",
        _rule(
            "body",
            [
                f"font-family: {font_stack(style, body.font)}",
                f"line-height: {_num(body.leading / base)}" if body.leading > 0 else "line-height: 1.3",
                "overflow-wrap: break-word",
                "word-wrap: break-word",
            ],
        ),
        _rule(
            "p",
            [
                f"margin: {_em(body.space_before, base)} 0 {_em(body.space_after, base)} 0",
                f"text-indent: {_em(style.paragraphs.first_line_indent, base)}",
                *([f"text-align: {body.align}"] if body.align != "left" else []),
                *hyphens,
                "widows: 2",
                "orphans: 2",
            ],
        ),
        _rule("li", [*hyphens, "widows: 2", "orphans: 2"]),
        _rule("em em", ["font-style: normal"]),
        _rule("em em em", ["font-style: italic"]),
        _rule(".title", [*_text_rules(style, style.title, base), "text-indent: 0", *_NO_HYPHENS, *_KEEP_WITH_NEXT]),
        _rule(".subtitle", [*_text_rules(style, style.subtitle, base), "text-indent: 0", *_NO_HYPHENS,
                            *_KEEP_WITH_NEXT]),
        _rule(".byline", [*_text_rules(style, style.byline, base), "text-indent: 0", *_NO_HYPHENS]),
        _rule(
            ".article-label",
            [
                f"font-family: {font_stack(style, 'heading')}",
                f"font-size: {_num((furniture.size or base) / base)}em",
                "font-weight: bold",
                "letter-spacing: 0.08em",
                "text-transform: uppercase",
                "text-align: left",
                "text-indent: 0",
                "margin: 0 0 0.4em 0",
                *_NO_HYPHENS,
                *_KEEP_WITH_NEXT,
            ],
        ),
        _rule("h1, h2, h3, h4, h5, h6", ["text-indent: 0", "text-align: left", *_NO_HYPHENS, *_KEEP_WITH_NEXT]),
    ]
    for level in (1, 2, 3):
        rules.append(_rule(f".heading{level}", [*_text_rules(style, style.heading(level), base), "text-indent: 0"]))
    for name, text in (("subtitle", style.subtitle), ("quote", quote), ("caption", caption)):
        if text.italic:
            selector = {"quote": "blockquote", "caption": "figcaption, .photo-caption"}.get(name, f".{name}")
            for part in selector.split(", "):
                rules += _upright_emphasis(part)
    for level in (1, 2, 3):
        if style.heading(level).italic:
            rules += _upright_emphasis(f".heading{level}")
    rules += [
        _rule(".rtl .title, .rtl .subtitle, .rtl .byline, .rtl .article-label, .rtl h1, .rtl h2, .rtl h3, "
              ".rtl h4, .rtl h5, .rtl h6", ["text-align: right"]),
        _rule("a", ["color: inherit", "text-decoration: underline"]),
        _rule(
            "code",
            [
                f"font-family: {font_stack(style, code.font)}",
                f"font-size: {_num((code.size or base) / base)}em",
                *_NO_HYPHENS,
            ],
        ),
        _rule("figure", ["margin: 1em 0", "text-align: center", "page-break-inside: avoid", "break-inside: avoid"]),
        _rule("figure img", ["max-width: 100%", "height: auto"]),
        _rule("img.inline", ["max-width: 100%", "height: auto", "vertical-align: middle"]),
        _rule("figcaption, caption, .photo-caption", [*_text_rules(style, caption, base, margins=False),
                                                        "text-indent: 0", *_NO_HYPHENS]),
        _rule("figcaption", [f"margin: 0.3em 0 {_em(caption.space_after, caption_size)} 0", "text-align: center"]),
        _rule(".rtl caption, .rtl .photo-caption", ["text-align: right"]),
        _rule("caption", ["margin: 0 0 0.3em 0", "caption-side: top"]),
        _rule(
            ".photo-caption",
            [
                f"margin: 0 0 {_em(caption.space_after, caption_size)} 0",
                "padding: 0.1em 0 0.1em 0.6em",
                f"border-left: 3px solid {border}",
            ],
        ),
        _rule(".rtl .photo-caption", ["padding: 0.1em 0.6em 0.1em 0", "border-left: 0",
                                      f"border-right: 3px solid {border}"]),
        _rule(".photo-caption .label, .summary-lede .label",
              ["font-style: normal", "font-weight: bold", "letter-spacing: 0.03em"]),
        _rule(
            "blockquote",
            [
                *_text_rules(style, quote, base, margins=False, justify=True),
                f"margin: {_em(quote.space_before, quote.size or base)} {quote_indent} "
                f"{_em(quote.space_after, quote.size or base)} {quote_indent}",
                "padding: 0 0 0 0.8em",
                f"border-left: 2px solid {border}",
            ],
        ),
        _rule(".rtl blockquote", ["padding: 0 0.8em 0 0", "border-left: 0", f"border-right: 2px solid {border}"]),
        _rule(".quote-attribution", ["text-align: right", "font-style: normal", "text-indent: 0"]),
        _rule(".rtl .quote-attribution", ["text-align: left"]),
        _rule("ul, ol", [f"margin: 0 0 {_em(body.space_after, base)} 0", f"padding-left: {list_indent}"]),
        _rule(".rtl ul, .rtl ol", ["padding-left: 0", f"padding-right: {list_indent}"]),
        _rule("ul", ["list-style-type: disc"]),
        _rule("li p", ["margin: 0 0 0.2em 0"]),
        _rule(
            "table",
            [
                *_text_rules(style, table, base, margins=False),
                "border-collapse: collapse",
                "margin: 0.5em 0 1em 0",
            ],
        ),
        _rule("th, td", [f"border: 1px solid {border}", "padding: 0.2em 0.4em", "vertical-align: top",
                         "text-align: left", *_NO_HYPHENS]),
        _rule(".rtl th, .rtl td", ["text-align: right"]),
        _rule("th", ["font-weight: bold"]),
        _rule("thead th", [f"background-color: {_tint(boxes.border, 0.18)}"]),
        _rule(".align-left", ["text-align: left"]),
        _rule(".align-center", ["text-align: center"]),
        _rule(".align-right", ["text-align: right"]),
        _rule("hr", ["border: 0", f"border-top: 1px solid {border}", "margin: 1em 20%"]),
        _rule(".page-break", ["page-break-after: always", "break-after: page", "height: 0", "margin: 0"]),
        _rule(
            ".key-points",
            [
                f"background-color: {_tint(boxes.border, 0.12)}",
                f"border: 1px solid {border}",
                f"border-left: 4px solid {accent}",
                "padding: 0.4em 0.8em",
                "margin: 0 0 1em 0",
            ],
        ),
        _rule(".rtl .key-points", [f"border-left: 1px solid {border}", f"border-right: 4px solid {accent}"]),
        _rule(".key-points .box-title", [*_text_rules(style, style.heading(3), base), "margin-top: 0",
                                         "font-style: normal"]),
        _rule(".key-points ul", ["margin-bottom: 0.2em"]),
        _rule(
            ".marking",
            [
                f"font-family: {font_stack(style, 'heading')}",
                f"font-size: {_num((marking.size or base) / base)}em",
                f"font-weight: {'bold' if marking.bold else 'normal'}",
                "text-align: center",
                "text-indent: 0",
                "letter-spacing: 0.1em",
                "margin: 0.5em 0",
                "padding: 0.15em 0",
                *_NO_HYPHENS,
            ],
        ),
        _rule(".marking-top", [f"border-bottom: 2px solid {marking_rule}"]),
        _rule(".marking-bottom", [f"border-top: 2px solid {marking_rule}"]),
        _rule(
            ".attribution",
            [
                f"font-family: {font_stack(style, 'heading')}",
                f"font-size: {_num((furniture.size or base) / base)}em",
                *([f"border-top: 1px solid {border}"] if furniture.rule else []),
                "margin: 1.5em 0 0.5em 0",
                "padding-top: 0.4em",
            ],
        ),
        _rule(".attribution p", ["margin: 0 0 0.2em 0", "text-indent: 0", "text-align: left", *_NO_HYPHENS]),
        _rule(".rtl .attribution p", ["text-align: right"]),
        _rule(".attribution .label", ["font-weight: bold"]),
        _rule(
            ".end-mark",
            [
                f"font-family: {font_stack(style, 'heading')}",
                "font-size: 0.85em",
                "font-weight: bold",
                "letter-spacing: 0.08em",
                "text-transform: uppercase",
                "text-align: center",
                "text-indent: 0",
                "margin: 2em 0 1em 0",
                "padding-top: 0.5em",
                f"border-top: 1px solid {border}",
            ],
        ),
        # Pack front matter: contents page and key-points summary page.
        _rule("ol.contents", ["margin: 1em 0", f"padding-left: {list_indent}"]),
        _rule(".rtl ol.contents", ["padding-left: 0", f"padding-right: {list_indent}"]),
        _rule(".contents-entry", ["margin: 0 0 0.8em 0"]),
        _rule(
            ".contents-title, .contents-summary, .summary-title",
            [
                f"font-family: {font_stack(style, 'heading')}",
                "font-weight: bold",
                "text-align: left",
                "text-indent: 0",
                *_NO_HYPHENS,
            ],
        ),
        _rule(".contents-title, .contents-summary", ["margin: 0"]),
        _rule(".contents-summary", ["margin: 0.5em 0 1em 0"]),
        _rule(".summary-title", [f"font-size: {_num(style.heading(2).size / base)}em", "margin: 0 0 0.2em 0"]),
        _rule(".rtl .contents-title, .rtl .contents-summary, .rtl .summary-title", ["text-align: right"]),
        _rule("ol.contents-headings", ["margin: 0.2em 0 0 0", "list-style-type: none", "padding-left: 1em"]),
        _rule(".rtl ol.contents-headings", ["padding-left: 0", "padding-right: 1em"]),
        _rule(
            ".contents-byline, .summary-byline",
            [*_text_rules(style, style.byline, base, margins=False), "margin: 0.1em 0 0 0", "text-indent: 0",
             *_NO_HYPHENS],
        ),
        _rule(".rtl .contents-byline, .rtl .summary-byline", ["text-align: right"]),
        _rule(".contents-print-page", [f"font-family: {font_stack(style, 'heading')}", "font-size: 0.8em",
                                 "margin: 0.1em 0 0 0", "text-indent: 0", "text-align: left", *_NO_HYPHENS]),
        _rule(".rtl .contents-print-page", ["text-align: right"]),
        _rule(".summary-entry", ["margin: 0 0 1.2em 0"]),
        _rule(".summary-points", ["margin-top: 0.4em"]),
        _rule(".summary-lede", ["text-indent: 0", "margin: 0.3em 0 0 0", "text-align: left", *_NO_HYPHENS]),
        _rule(".rtl .summary-lede", ["text-align: right"]),
        _rule(".no-key-points", ["font-style: italic", "text-indent: 0", "margin: 0.3em 0 0 0"]),
        _rule(".entry-marking", [f"font-weight: {'bold' if marking.bold else 'normal'}", "font-size: 0.8em",
                                 "letter-spacing: 0.05em"]),
        _rule("body.cover-page", ["margin: 0", "padding: 0", "text-align: center"]),
        _rule(".cover", ["margin: 0", "padding: 0", "text-align: center"]),
        _rule(".cover img", ["max-width: 100%", "max-height: 100%", "height: auto"]),
        _rule("nav ol", ["list-style-type: none"]),
    ]
    if body.align == "justify":
        # A phone's line holds 30-40 characters: justified without the hyphenation a reading system may
        # lack, its word spaces open into rivers. Narrow screens get ragged-right text; wider ones justify.
        rules.append(f"@media (max-width: {NARROW_EM}em) {{\n{_rule('p, blockquote', ['text-align: start'])}}}\n")
    return "".join(r if r.endswith("\n") else r + "\n" for r in rules)
