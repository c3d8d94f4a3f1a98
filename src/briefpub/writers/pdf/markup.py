"""Styled runs to reportlab paragraph markup (PDF writer, layout stage).

reportlab's ``Paragraph`` parses its text as markup, so every run of text is
escaped here (``<``, ``&`` and friends print literally) and nothing else ever
builds markup from article text. The runs come from the writers' shared inline
walk (:func:`briefpub.writers.common.inlines.flatten`: emphasis, links already
resolved by the shared link policy, language spans, images). Each run is split
by :class:`~briefpub.writers.pdf.fonts.FontChain` into per-font pieces
(``<font face=...>``), which is how characters the body font lacks (Cyrillic in
a Latin-only font, Arabic, CJK) still print; a span in another language uses
the chain ordered for that language. External links become ``<a href>``,
internal ones ``<a href="#anchor">`` (a GoTo to the heading's destination);
inline images become ``<img>`` naming their resource key, resolved by
:func:`parse` without any file access.

:func:`analyse` decides, per paragraph, whether it needs HarfBuzz shaping and
whether it reads right to left.
"""

from __future__ import annotations

import dataclasses
import functools
import unicodedata
from collections.abc import Callable, Sequence
from typing import Any, assert_never
from xml.sax.saxutils import escape

from reportlab.lib.utils import ImageReader
from reportlab.platypus.paragraph import cleanBlockQuotedText, textTransformFrags
from reportlab.platypus.paraparser import ParaParser

from briefpub.fonts import Face, coverage
from briefpub.writers.common.inlines import BreakRun, ImageRun, Run, TextRun
from briefpub.writers.common.links import External, Internal
from briefpub.writers.pdf.fonts import FontChain, glue_words
from briefpub.writers.pdf.styles import PdfStyles

__all__ = ["InlineContext", "ParagraphNeeds", "analyse", "attr", "parse", "plain_markup", "runs_markup"]

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
    """What turning runs into markup needs: styles, the paragraph's role and base face, sizes, and
    ``image_size`` (an inline image's size in points, None when it cannot be shown)."""

    styles: PdfStyles
    role: str
    base_face: Face
    link_colour: str = ""
    font_size: float = 0.0
    mono_size: float = 0.0
    image_size: Callable[[str], tuple[float, float] | None] = lambda _key: None


def _emit(ctx: InlineContext, pieces: list[tuple[Face | None, str]], bold: bool, italic: bool, mono: bool) -> str:
    """Markup for text already split into per-face pieces."""
    parts: list[str] = []
    size_attr = ""
    if mono and ctx.mono_size and ctx.font_size and abs(ctx.mono_size - ctx.font_size) > 0.01:
        size_attr = f' size="{ctx.mono_size:g}"'
    for face, piece in pieces:
        if not piece:
            continue
        if face is None:
            piece = REPLACEMENT * sum(1 for c in piece if unicodedata.category(c) not in ("Cf", "Mn", "Me"))
            face = ctx.styles.chain(ctx.role).best_single_face(REPLACEMENT, bold, italic) or ctx.base_face
        body = escape(piece)
        if face == ctx.base_face and not size_attr:
            parts.append(body)
        else:
            parts.append(f'<font face="{attr(ctx.styles.font_name(face))}"{size_attr}>{body}</font>')
    return "".join(parts)


def _runs(ctx: InlineContext, chain: FontChain, text: str, bold: bool, italic: bool, mono: bool,
          prefer: Face | None = None) -> str:
    return _emit(ctx, chain.segment(text, bold, italic, prefer=prefer), bold, italic, mono)


def _covers(face: Face, text: str) -> bool:
    return not set(map(ord, text)).difference(coverage(face))


def _href(link: External | Internal) -> str:
    match link:
        case External(href=href):
            return href
        case Internal(anchor=anchor):
            return f"#{anchor}"
        case _:
            assert_never(link)


def runs_markup(ctx: InlineContext, runs: Sequence[Run]) -> tuple[str, list[ImageRun]]:
    """Markup for ``runs`` (escaped text in per-character fonts, links, line breaks, inline images)
    and the image runs it shows; an image ``ctx.image_size`` cannot size is left out (the caller keeps
    its alt text)."""
    # Each text run split into per-face pieces first, so that a word running on from one run into the
    # next (a foreign-language span with punctuation around it) can be set in one font at the seam.
    pieces: list[list[tuple[Face | None, str]] | None] = []
    previous: tuple[list[tuple[Face | None, str]], Callable[[str], Face | None]] | None = None
    for run in runs:
        split = None
        if isinstance(run, TextRun):
            chain = ctx.styles.chain("mono" if run.style.code else ctx.role)
            if run.style.lang:
                chain = chain.for_language(run.style.lang)
            split = chain.segment(run.text, run.style.bold, run.style.italic)
            refit = functools.partial(chain.best_single_face, bold=run.style.bold, italic=run.style.italic)
            if previous is not None:
                glue_words(previous[0], split, _covers, previous[1], refit)
            previous = (split, refit)
        else:
            previous = None
        pieces.append(split)
    out: list[str] = []
    images: list[ImageRun] = []
    open_link = 0
    colour_attr = f' color="{attr(ctx.link_colour)}"' if ctx.link_colour else ""
    for run, split in zip(runs, pieces, strict=True):
        style = run.style
        if open_link and style.link_id != open_link:
            out.append("</a>")
            open_link = 0
        if style.link is not None and style.link_id != open_link:
            out.append(f'<a href="{attr(_href(style.link))}"{colour_attr}>')
            open_link = style.link_id
        match run:
            case TextRun():
                out.append(_emit(ctx, split or [], style.bold, style.italic, style.code))
            case BreakRun():
                out.append("<br/>")
            case ImageRun(image=image):
                size = ctx.image_size(image.src)
                if size is None:
                    continue
                width, height = size
                valign = "middle" if height <= ctx.font_size * 1.5 else "baseline"
                out.append(f'<img src="{attr(image.src)}" width="{width:.2f}" height="{height:.2f}" '
                           f'valign="{valign}"/>')
                images.append(run)
            case _:
                assert_never(run)
    if open_link:
        out.append("</a>")
    return "".join(out), images


def plain_markup(styles: PdfStyles, role: str, text: str, *, bold: bool = False, italic: bool = False,
                 base: Face | None = None) -> str:
    """Markup for plain text (titles, furniture), with font fallback and escaping."""
    face = base or styles.chain(role).primary.face(bold, italic)
    ctx = InlineContext(styles, role, face)
    return _runs(ctx, styles.chain(role), text, bold, italic, False, prefer=base)


class _ImageParser(ParaParser):  # type: ignore[misc]
    """reportlab's markup parser, with ``<img src>`` naming an image given in memory (never a file)."""

    def __init__(self, images: Callable[[str], ImageReader]) -> None:
        super().__init__()
        self._bp_images = images

    def end_img(self) -> None:
        """Resolve the image's key to its reader, then let reportlab size and place it."""
        frag = self._stack[-1]
        frag.src = self._bp_images(str(getattr(frag, "src", "")))
        super().end_img()


def parse(markup: str, style: Any, images: Callable[[str], ImageReader]) -> Any:
    """reportlab paragraph fragments for ``markup`` whose ``<img src>`` are keys ``images`` resolves
    (pass them as ``frags=`` to a ``Paragraph``)."""
    parser = _ImageParser(images)
    parser.caseSensitive = 1
    style, frags, _bullet = parser.parse(cleanBlockQuotedText(markup), style)
    if frags is None:
        raise ValueError(f"paragraph markup did not parse: {parser.errors[:1]}")
    textTransformFrags(frags, style)
    return frags
