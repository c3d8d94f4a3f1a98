"""The one image policy every writer follows: check, bound and encode an image once (writers' shared layer).

Images reach the writers as bytes (``WriteOptions.resources``). Before a
writer embeds one, :func:`check_image` decodes it completely with Pillow, so a
truncated or corrupt file is found here and refused (the writer reports it
and keeps the caption or alt text) instead of failing the whole output:

* an image of more than :data:`MAX_PIXELS` pixels is refused before it is
  decoded (a decompression bomb: a few kilobytes of PNG can hold gigabytes of
  pixels); SVG is refused (it can carry scripts); so is anything Pillow cannot
  read to the end;
* an image larger than the room it can ever get (``fit``: the page at
  :data:`PRINT_DPI` for print formats) is downscaled once, and only the
  encoded result is kept: writers never hold a full-size decode;
* PNG and JPEG (in the colour modes every writer handles) are kept byte for
  byte when not downscaled; anything else becomes a PNG (a JPEG stays a JPEG)
  of its first frame;
* whatever Pillow warns about while reading (``DecompressionBombWarning``,
  corrupt metadata...) is captured and returned with the result, never printed.

The result's ``width`` and ``height`` are the original image's, so layout is
the same whether or not the image was downscaled.
"""

from __future__ import annotations

import io
import math
import re
import warnings
from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

from briefpub.diagnostics import Diagnostic

__all__ = ["MAX_PIXELS", "PRINT_DPI", "CheckedImage", "ImageRefused", "check_image", "print_bound"]

#: Largest image accepted by every writer, in pixels (width x height): 40 million,
#: an 8000 x 5000 photograph; decoded it takes at most 160 MB.
MAX_PIXELS = 40_000_000
#: Resolution kept for print formats (PDF, DOCX): a larger image is downscaled to this at the page's size.
PRINT_DPI = 300
#: Colour modes kept as they are (anything else is converted to RGB or RGBA).
_SAFE_MODES = frozenset({"1", "L", "LA", "P", "RGB", "RGBA"})


class ImageRefused(ValueError):
    """An image that cannot be embedded; the message says why."""


@dataclass(frozen=True, slots=True)
class CheckedImage:
    """An image that decoded completely, ready to embed.

    ``data`` is the original bytes when they could be kept, else the image
    re-encoded (and downscaled when it was larger than the room it gets);
    ``format`` is its Pillow format name (``PNG`` or ``JPEG``); ``width`` and
    ``height`` the original image's size in pixels; ``downscaled`` says whether
    ``data`` holds fewer pixels; ``warnings`` what Pillow warned about.
    """

    data: bytes
    format: str
    width: int
    height: int
    downscaled: bool = False
    warnings: tuple[str, ...] = ()

    def warning_diagnostics(self, key: str) -> list[Diagnostic]:
        """What Pillow warned about this image (embedded all the same), as ``writer.image-warning``
        diagnostics naming its resource ``key``."""
        return [Diagnostic("writer.image-warning", f"the image was embedded, but Pillow warned: {note}", text=key)
                for note in self.warnings]


def print_bound(width_pt: float, height_pt: float) -> tuple[int, int]:
    """The pixels an area of ``width_pt`` x ``height_pt`` points shows at :data:`PRINT_DPI`."""
    return max(1, math.ceil(width_pt / 72 * PRINT_DPI)), max(1, math.ceil(height_pt / 72 * PRINT_DPI))


def _looks_like_svg(data: bytes) -> bool:
    head = data[:1024].lstrip().lower()
    return head.startswith((b"<?xml", b"<svg", b"<!doctype svg")) and b"<svg" in data[:4096].lower()


def _has_alpha(img: Any) -> bool:
    return img.mode in ("RGBA", "LA", "PA", "RGBa", "La") or (img.mode == "P" and "transparency" in img.info)


def check_image(data: bytes, *, fit: tuple[int, int] | None = None,
                keep: Collection[str] = ("PNG", "JPEG")) -> CheckedImage:
    """Decode ``data`` under the pixel limit; return what to embed, or raise :class:`ImageRefused`.

    ``fit`` (pixels) is the most the image will ever show: a larger image is
    downscaled to fit it, keeping its proportions. ``keep`` lists the formats
    a writer may embed byte for byte.
    """
    if not data:
        raise ImageRefused("the image is empty")
    if _looks_like_svg(data):
        raise ImageRefused("SVG images are not embedded (they can carry scripts)")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            checked = _check(data, fit, keep)
        except ImageRefused:
            raise
        except Exception as exc:  # anything Pillow raises on a hostile file is a refusal, never fatal
            raise ImageRefused(_reason(exc)) from None
    notes = tuple(dict.fromkeys(" ".join(str(w.message).split()) for w in caught))
    return CheckedImage(checked.data, checked.format, checked.width, checked.height, checked.downscaled, notes)


def _reason(exc: BaseException) -> str:
    from PIL import Image, UnidentifiedImageError

    if isinstance(exc, UnidentifiedImageError):
        return "the image cannot be read (not an image format Pillow knows)"
    if isinstance(exc, Image.DecompressionBombError):
        found = re.search(r"\((\d+) pixels\)", str(exc))
        size = f"{int(found.group(1)):,} pixels" if found else "a decompression bomb"
        return f"the image is too large ({size}; the limit is {MAX_PIXELS:,})"
    text = " ".join(str(exc).split())[:200]
    if "truncated" in text.lower() or isinstance(exc, EOFError):
        return "the image file is truncated"
    return f"the image cannot be read ({type(exc).__name__}: {text})" if text else \
        f"the image cannot be read ({type(exc).__name__})"


def _check(data: bytes, fit: tuple[int, int] | None, keep: Collection[str]) -> CheckedImage:
    from PIL import Image

    with Image.open(io.BytesIO(data)) as img:
        fmt = img.format or ""
        width, height = img.size
        if width <= 0 or height <= 0:
            raise ImageRefused("the image has no pixels")
        if width * height > MAX_PIXELS:
            raise ImageRefused(f"the image is too large ({width}x{height} pixels; the limit is {MAX_PIXELS:,})")
        frames = getattr(img, "n_frames", 1)
        if frames > 1:
            img.seek(0)
        shrink = fit is not None and (width > fit[0] or height > fit[1])
        if shrink:
            assert fit is not None
            # thumbnail decodes JPEG at a reduced scale (draft) and reduces before resampling.
            img.thumbnail(fit, Image.Resampling.LANCZOS, reducing_gap=2.0)
        else:
            img.load()  # the whole image: a truncated or corrupt file fails here, not in a writer
        if not shrink and fmt in keep and frames == 1 and (img.mode in _SAFE_MODES or
                                                           (fmt == "JPEG" and img.mode == "CMYK")):
            return CheckedImage(data, fmt, width, height)
        frame: Any = img
        jpeg = fmt == "JPEG" and "JPEG" in keep and img.mode in ("L", "RGB", "CMYK")
        if not jpeg and img.mode not in _SAFE_MODES:
            frame = img.convert("RGBA" if _has_alpha(img) else "RGB")
        if frame.mode == "P" and not jpeg:
            frame = frame.convert("RGBA" if _has_alpha(frame) else "RGB")
        out = io.BytesIO()
        if jpeg:
            frame.save(out, format="JPEG", quality=90)
        else:
            frame.save(out, format="PNG", compress_level=6)
        return CheckedImage(out.getvalue(), "JPEG" if jpeg else "PNG", width, height, downscaled=shrink)
