"""Inlines to reportlab paragraph markup (PDF writer, layout stage).

reportlab's ``Paragraph`` parses its text as markup, so every run of text is
escaped here (``<``, ``&`` and friends print literally) and nothing else ever
builds markup from article text. Each run is split by :class:`FontChain` into
per-font pieces (``<font face=...>``), which is how characters the body font
lacks (Cyrillic in a Latin-only font, Arabic, CJK) still print. Links become
``<a href>`` only for http, https and mailto URLs (and ``#anchor`` links to a
heading of the same article); anything else is kept as text and reported.

:func:`analyse` decides, per paragraph, whether it needs HarfBuzz shaping and
whether it reads right to left. An RTL paragraph is laid out from one run in
one font: reportlab's bidi support breaks on inline markup, so bold, italic and
links inside RTL paragraphs are flattened to plain text (and reported).
"""

from __future__ import annotations

import dataclasses
import unicodedata
from typing import assert_never
from xml.sax.saxutils import escape

from briefpub.diagnostics import Diagnostic
from briefpub.tree import Code, Emphasis, Inline, LineBreak, Link, Strong, Text, inline_text
from briefpub.writers._common import is_safe_url
from briefpub.writers.pdf.fonts import Face, FontChain
from briefpub.writers.pdf.styles import PdfStyles

__all__ = ["InlineContext", "ParagraphNeeds", "analyse", "attr", "plain_markup", "render_inlines"]

#: Printed where no installed font has a character (the code points are reported).
REPLACEMENT = "\ufffd"


def attr(value: str) -> str:
    """``value`` escaped for a double-quoted markup attribute."""
    return escape(value, {'"': "&quot;", "\n": " "})


@dataclasses.dataclass(frozen=True, slots=True)
class ParagraphNeeds:
    """What a paragraph's text asks of the layout."""

    rtl: bool
    shaping: bool


_SHAPED_RANGES = (
    (0x0590, 0x08FF),  # Hebrew, Arabic, Syriac, Thaana, NKo, Samaritan...
    (0x0900, 0x0DFF),  # Indic scripts
    (0x0E00, 0x0EFF),  # Thai, Lao
    (0x0F00, 0x109F),  # Tibetan, Myanmar
    (0x1780, 0x17FF),  # Khmer
    (0xFB1D, 0xFDFF),  # Hebrew and Arabic presentation forms
    (0xFE70, 0xFEFF),
)


def analyse(text: str, default_rtl: bool = False) -> ParagraphNeeds:
    """Whether ``text`` needs shaping, and its direction (Unicode rule P2: first strong character)."""
    rtl: bool | None = None
    shaping = False
    for char in text:
        code = ord(char)
        if code < 0x0590:
            if rtl is None and char.isalpha():
                rtl = False
            continue
        if not shaping and any(lo <= code <= hi for lo, hi in _SHAPED_RANGES):
            shaping = True
        if rtl is None:
            kind = unicodedata.bidirectional(char)
            if kind in ("R", "AL"):
                rtl = True
            elif kind == "L":
                rtl = False
        if shaping and rtl is not None:
            break
    return ParagraphNeeds(rtl=default_rtl if rtl is None else rtl, shaping=shaping)


@dataclasses.dataclass(slots=True)
class InlineContext:
    """What rendering inlines needs: styles, the base face, anchors, and where to report."""

    styles: PdfStyles
    role: str
    base_face: Face
    diagnostics: list[Diagnostic]
    anchors: dict[str, str] = dataclasses.field(default_factory=dict)
    link_colour: str = ""
    font_size: float = 0.0
    mono_size: float = 0.0


def _runs(ctx: InlineContext, chain: FontChain, text: str, bold: bool, italic: bool, mono: bool,
          prefer: Face | None = None) -> str:
    parts: list[str] = []
    size_attr = ""
    if mono and ctx.mono_size and ctx.font_size and abs(ctx.mono_size - ctx.font_size) > 0.01:
        size_attr = f' size="{ctx.mono_size:g}"'
    for face, piece in chain.segment(text, bold, italic, prefer=prefer):
        if face is None:
            piece = REPLACEMENT * sum(1 for c in piece if unicodedata.category(c) not in ("Cf", "Mn", "Me"))
            face = ctx.styles.chain(ctx.role).best_single_face(REPLACEMENT, bold, italic) or ctx.base_face
        body = escape(piece)
        if face == ctx.base_face and not size_attr:
            parts.append(body)
        else:
            parts.append(f'<font face="{attr(ctx.styles.font_name(face))}"{size_attr}>{body}</font>')
    return "".join(parts)


def render_inlines(
    ctx: InlineContext,
    inlines: tuple[Inline, ...],
    *,
    bold: bool = False,
    italic: bool = False,
    mono: bool = False,
    in_link: bool = False,
) -> str:
    """Markup for ``inlines``: escaped text in per-character fonts, links, line breaks."""
    out: list[str] = []
    for node in inlines:
        match node:
            case Text(text=text):
                chain = ctx.styles.chain("mono" if mono else ctx.role)
                out.append(_runs(ctx, chain, text, bold, italic, mono))
            case Emphasis(children=children):
                out.append(render_inlines(ctx, children, bold=bold, italic=not italic, mono=mono,
                                          in_link=in_link))
            case Strong(children=children):
                out.append(render_inlines(ctx, children, bold=True, italic=italic, mono=mono, in_link=in_link))
            case Code(children=children):
                out.append(render_inlines(ctx, children, bold=bold, italic=italic, mono=True, in_link=in_link))
            case Link(url=url, children=children):
                inner = render_inlines(ctx, children, bold=bold, italic=italic, mono=mono, in_link=True)
                target = _link_target(ctx, url)
                if in_link or target is None:
                    if target is None:
                        ctx.diagnostics.append(Diagnostic(
                            "writer.unsafe-link",
                            "link kept as text: only http, https and mailto links (or links to a heading) "
                            "are allowed",
                            text=url,
                        ))
                    out.append(inner)
                else:
                    colour_attr = f' color="{attr(ctx.link_colour)}"' if ctx.link_colour else ""
                    out.append(f'<a href="{attr(target)}"{colour_attr}>{inner}</a>')
            case LineBreak():
                out.append("<br/>")
            case _:
                assert_never(node)
    return "".join(out)


def _link_target(ctx: InlineContext, url: str) -> str | None:
    """The href to write for ``url``, or None when it must stay text."""
    stripped = url.strip()
    if stripped.startswith("#"):
        key = ctx.anchors.get(stripped[1:])
        return f"#{key}" if key else None
    if is_safe_url(stripped):
        return stripped
    return None


def plain_markup(styles: PdfStyles, role: str, text: str, *, bold: bool = False, italic: bool = False,
                 base: Face | None = None) -> str:
    """Markup for plain text (titles, furniture), with font fallback and escaping."""
    face = base or styles.chain(role).primary.face(bold, italic)
    ctx = InlineContext(styles, role, face, [])
    return _runs(ctx, styles.chain(role), text, bold, italic, False, prefer=base)


def flat_text(inlines: tuple[Inline, ...]) -> str:
    """The plain text of inlines, with line breaks kept as spaces (for RTL paragraphs)."""
    return inline_text(inlines)
