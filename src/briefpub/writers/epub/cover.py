"""The generated cover image (writer stage).

A briefing has no publisher artwork, so the writer draws a plain cover with
Pillow: the protective marking at the top and bottom (as on every page of the
PDF), the title large, the subtitle, and the details (the article's or pack's
own date, source or compiler, reference) in the style sheet's colours and
heading fonts. The same words become the cover's alternative text, so nothing
on the cover is image-only.

Fonts come from the conversion's font set (``WriteOptions.fonts``, see
``fonts.py``): for each piece of text the first family of the ``heading`` role
(its own families, then the fallback chain) that has every glyph is used (else
the one with the most), and Pillow's built-in font when the set is empty. The
font files actually drawn with are reported (``WriteResult.fonts``).
Right-to-left and joined scripts are laid out by Pillow's Raqm engine (bundled
with Pillow's wheels); without it, python-bidi gives the right order
(unjoined). The image is a baseline JPEG (quality 85, 4:2:0, about the size the
PNG it replaces had): no EXIF, no timestamp, fixed settings, so the same text
and style give the same bytes. Encoding the PNG cost 17 ms of a one-article
EPUB's 30; the JPEG costs 4.
"""

from __future__ import annotations

import functools
import io
import os
from dataclasses import dataclass
from typing import TYPE_CHECKING

from briefpub.fonts import Face, FontSet
from briefpub.styling.model import StyleSheet
from briefpub.writers.epub.fonts import face_for
from briefpub.writers.epub.xhtml import EPUB_TYPE, Language, html_root, serialise, sub

if TYPE_CHECKING:
    from PIL import ImageDraw, ImageFont

__all__ = ["COVER_SIZE", "Cover", "CoverText", "render_cover", "render_cover_page"]

#: Cover size in pixels (1.6:1, the ratio e-ink stores recommend). 960 x 1536 is sharp on
#: phones and e-readers and keeps the image encoding, once the writer's biggest cost, cheap.
COVER_SIZE = (960, 1536)
#: Layout below is drawn in units of a 1200 x 1920 design, scaled to COVER_SIZE.
_S = COVER_SIZE[0] / 1200


def _px(value: float) -> int:
    return round(value * _S)


_MARGIN = _px(110)
_TITLE_SIZES = tuple(_px(v) for v in (112, 100, 88, 76, 66, 58, 50))
_TITLE_MAX_LINES = 7


@dataclass(frozen=True, slots=True)
class CoverText:
    """Everything the cover shows, as plain text."""

    title: str
    subtitle: str = ""
    details: tuple[str, ...] = ()
    marking: str = ""
    language: str = "en"
    rtl: bool = False

    @property
    def alt(self) -> str:
        """The cover's alternative text: every word it shows, in reading order."""
        parts = [self.marking, self.title, self.subtitle, *self.details]
        return ". ".join(p.strip().rstrip(".") for p in parts if p.strip())


def _rgb(colour: str) -> tuple[int, int, int]:
    try:
        value = colour.lstrip("#")
        return (int(value[0:2], 16), int(value[2:4], 16), int(value[4:6], 16))
    except (ValueError, IndexError):
        return (0, 0, 0)


@dataclass(frozen=True, slots=True)
class Cover:
    """The drawn cover: JPEG bytes and the font files drawn with."""

    jpeg: bytes
    fonts: tuple[str, ...]


class _Typesetter:
    """Chooses fonts by glyph coverage, measures, wraps and draws lines of text."""

    def __init__(self, fonts: FontSet, language: str, rtl: bool) -> None:
        from PIL import features

        self.families = fonts.families("heading")
        self.language = language
        self.rtl = rtl
        self.raqm = bool(features.check_feature("raqm"))
        self.used: dict[str, None] = {}

    def face_for(self, text: str, bold: bool) -> Face | None:
        """The first family covering all of ``text``, else the one covering most."""
        return face_for(self.families, text, bold)

    def font(self, face: Face | None, size: int) -> ImageFont.FreeTypeFont:
        from PIL import ImageFont

        if face is None:
            return ImageFont.load_default(size)  # type: ignore[return-value]
        self.used.setdefault(face.path, None)
        layout = ImageFont.Layout.RAQM if self.raqm else ImageFont.Layout.BASIC
        try:
            stat = os.stat(face.path)
        except OSError:
            return ImageFont.truetype(face.path, size, index=face.index, layout_engine=layout)  # (raises)
        return _truetype(face.path, face.index, size, layout, stat.st_size, stat.st_mtime_ns)

    @staticmethod
    def _uses_raqm(font: ImageFont.FreeTypeFont) -> bool:
        from PIL import ImageFont

        return bool(font.layout_engine == ImageFont.Layout.RAQM)

    def visual(self, font: ImageFont.FreeTypeFont, text: str) -> str:
        """Text in the order to hand to Pillow: logical with Raqm, visual (python-bidi) without."""
        if self._uses_raqm(font):
            return text
        from bidi import get_display

        return str(get_display(text))

    def _kwargs(self, font: ImageFont.FreeTypeFont) -> dict[str, str]:
        return {"language": self.language} if self._uses_raqm(font) and self.language else {}

    def width(self, font: ImageFont.FreeTypeFont, text: str) -> float:
        return float(font.getlength(self.visual(font, text), **self._kwargs(font)))  # type: ignore[arg-type]

    def wrap(self, font: ImageFont.FreeTypeFont, text: str, max_width: float) -> list[str]:
        """Greedy line breaking at spaces; overlong words (or unspaced scripts) break anywhere."""
        lines: list[str] = []
        current = ""
        for word in text.split():
            candidate = f"{current} {word}" if current else word
            if self.width(font, candidate) <= max_width:
                current = candidate
                continue
            if current:
                lines.append(current)
                current = ""
            if self.width(font, word) <= max_width:
                current = word
                continue
            for ch in word:  # break a word wider than the line
                if current and self.width(font, current + ch) > max_width:
                    lines.append(current)
                    current = ""
                current += ch
        if current:
            lines.append(current)
        return lines

    def draw_centred(
        self,
        draw: ImageDraw.ImageDraw,
        font: ImageFont.FreeTypeFont,
        line: str,
        y: float,
        fill: tuple[int, int, int],
    ) -> None:
        x = (COVER_SIZE[0] - self.width(font, line)) / 2
        draw.text((x, y), self.visual(font, line), font=font, fill=fill, **self._kwargs(font))  # type: ignore[arg-type]


@functools.lru_cache(maxsize=32)
def _truetype(path: str, index: int, size: int, layout: int, *stamp: int) -> ImageFont.FreeTypeFont:
    """A loaded face at a size, kept per process (a cover loads up to a dozen; each load reads and parses
    the file). The file's size and modification time are part of the key: a changed file is loaded again."""
    from PIL import ImageFont

    return ImageFont.truetype(path, size, index=index, layout_engine=layout)  # type: ignore[arg-type]


class _JpegBuffer(io.BytesIO):
    """An in-memory file named ``cover.jpg``: ``Image.save`` takes the format from the name and then
    imports only the JPEG plugin (given ``format=``, it first imports the BMP, GIF, JPEG, PPM and PNG
    plugins, ~5 ms of a cold cover). The encoder and its settings are the same, and so are the bytes."""

    name = "cover.jpg"


def _line_height(font: ImageFont.FreeTypeFont) -> float:
    ascent, descent = font.getmetrics()
    return float(ascent + descent) * 1.12


def _fit_lines(
    ts: _Typesetter,
    face: Face | None,
    text: str,
    sizes: tuple[int, ...],
    max_lines: int,
    max_width: float,
) -> tuple[ImageFont.FreeTypeFont, list[str]]:
    """The largest size at which ``text`` fits in ``max_lines``; truncated with an ellipsis otherwise."""
    font, lines = ts.font(face, sizes[0]), []
    for size in sizes:
        font = ts.font(face, size)
        lines = ts.wrap(font, text, max_width)
        if len(lines) <= max_lines:
            return font, lines
    lines = lines[:max_lines]
    last = lines[-1]
    while last and ts.width(font, last + "\u2026") > max_width:
        last = last[:-1]
    lines[-1] = last.rstrip() + "\u2026"
    return font, lines


def render_cover(text: CoverText, style: StyleSheet, fonts: FontSet) -> Cover:
    """Draw the cover: deterministic JPEG bytes, and the font files used."""
    from PIL import Image, ImageDraw

    width, height = COVER_SIZE
    max_width = width - 2 * _MARGIN
    ts = _Typesetter(fonts, text.language, text.rtl)
    image = Image.new("RGB", COVER_SIZE, (255, 255, 255))
    draw = ImageDraw.Draw(image)
    accent = _rgb(style.title.colour)

    # Protective marking, top and bottom, in a band of its own.
    band = _px(150)
    if text.marking:
        marking_font = ts.font(ts.face_for(text.marking, style.marking.bold), _px(52))
        marking_fill = _rgb(style.marking.colour)
        background = _rgb(style.marking.background)
        marking_line = ts.wrap(marking_font, text.marking, max_width)[:1] or [text.marking]
        for top in (0, height - band):
            if background != (255, 255, 255):
                draw.rectangle((0, top, width, top + band), fill=background)
            y = top + (band - _line_height(marking_font)) / 2
            ts.draw_centred(draw, marking_font, marking_line[0], y, marking_fill)
    draw.rectangle((_MARGIN, band + _px(40), width - _MARGIN, band + _px(52)), fill=accent)
    draw.rectangle((_MARGIN, height - band - _px(52), width - _MARGIN, height - band - _px(40)), fill=accent)

    # Title, then subtitle, from the upper third down.
    y = float(band + _px(200))
    title_font, title_lines = _fit_lines(
        ts, ts.face_for(text.title, True), text.title or " ", _TITLE_SIZES, _TITLE_MAX_LINES, max_width
    )
    for line in title_lines:
        ts.draw_centred(draw, title_font, line, y, _rgb(style.title.colour))
        y += _line_height(title_font)
    if text.subtitle:
        y += _px(50)
        sub_face = ts.face_for(text.subtitle, False)
        sub_font, sub_lines = _fit_lines(ts, sub_face, text.subtitle, (_px(54), _px(46)), 4, max_width)
        for line in sub_lines:
            ts.draw_centred(draw, sub_font, line, y, _rgb(style.subtitle.colour))
            y += _line_height(sub_font)

    # Details (date, source, reference) stacked upwards from the lower rule.
    detail_lines: list[tuple[ImageFont.FreeTypeFont, str]] = []
    for detail in text.details:
        font, lines = _fit_lines(ts, ts.face_for(detail, False), detail, (_px(46), _px(40)), 2, max_width)
        detail_lines.extend((font, line) for line in lines)
    bottom = float(height - band - _px(110))
    for font, line in reversed(detail_lines):
        bottom -= _line_height(font)
        if bottom < y + _px(40):
            break
        ts.draw_centred(draw, font, line, bottom, _rgb(style.byline.colour))

    out = _JpegBuffer()  # (format from its name: Pillow imports its JPEG plugin alone, not the five of preinit)
    image.save(out, quality=85, subsampling=2, optimize=False, progressive=False)
    return Cover(out.getvalue(), tuple(ts.used))


def render_cover_page(*, title: str, image_file: str, alt: str, lang: Language, css: str) -> bytes:
    """The cover page: the generated cover image, its words as the alternative text."""
    html, body = html_root(lang, title, body_class="cover-page", css=css)
    section = sub(body, "section", {"class": "cover"}, block=True)
    section.text = "\n"
    sub(section, "img", {"src": image_file, "alt": alt, EPUB_TYPE: "cover", "role": "doc-cover"}, block=True)
    return serialise(html)
