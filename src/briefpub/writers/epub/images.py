"""Images for the EPUB writer: check, convert and name them (writer stage).

Figures reach the writer as bytes (``options.resources``), never as paths or
URLs. Each image is checked with Pillow before it is packaged (a corrupt image
is an EPUBCheck error and crashes some readers). PNG and JPEG are kept byte for
byte; every other format Pillow can read (GIF, WebP, TIFF, BMP...) becomes a PNG
of its first frame, so only the formats every reading system supports ship and
nothing animates (the accessibility metadata promises no flashing hazard). SVG
is refused: it can carry scripts, and nothing active may reach the EPUB. Files
are named by a hash of their bytes, so names are deterministic and identical
images are stored once. An :class:`ImageStore` prepares each image of a whole
publication once, whether a figure or an inline image names it.
"""

from __future__ import annotations

import hashlib
import io
from collections.abc import Mapping
from dataclasses import dataclass, field

__all__ = ["ImageAsset", "ImageError", "ImageStore", "prepare_image"]


class ImageError(ValueError):
    """An image that cannot be packaged; the message says why."""


@dataclass(frozen=True, slots=True)
class ImageAsset:
    """An image ready to package: its name inside the EPUB, media type and bytes."""

    file_name: str
    uid: str
    media_type: str
    data: bytes
    width: int
    height: int


_KEEP = {"PNG": ("image/png", "png"), "JPEG": ("image/jpeg", "jpg")}
# Largest image accepted (pixels), against decompression bombs.
MAX_PIXELS = 40_000_000


def _looks_like_svg(data: bytes) -> bool:
    head = data[:1024].lstrip().lower()
    return head.startswith((b"<?xml", b"<svg", b"<!doctype svg")) and b"<svg" in data[:4096].lower()


def prepare_image(data: bytes) -> ImageAsset:
    """Check ``data`` and return the asset to package, or raise :class:`ImageError`."""
    from PIL import Image, UnidentifiedImageError

    if not data:
        raise ImageError("the image is empty")
    if _looks_like_svg(data):
        raise ImageError("SVG images are not embedded (they can carry scripts)")
    try:
        with Image.open(io.BytesIO(data)) as probe:
            fmt = probe.format or ""
            width, height = probe.size
            if width * height > MAX_PIXELS:
                raise ImageError(f"the image is too large ({width}x{height} pixels)")
            probe.verify()
        if fmt in _KEEP:
            media_type, ext = _KEEP[fmt]
            out = data
        else:
            with Image.open(io.BytesIO(data)) as img:
                img.seek(0)
                frame = img.convert("RGBA" if _has_alpha(img) else "RGB")
            buf = io.BytesIO()
            frame.save(buf, format="PNG", optimize=False, compress_level=6)
            media_type, ext, out = "image/png", "png", buf.getvalue()
    except ImageError:
        raise
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError, Image.DecompressionBombError) as exc:
        raise ImageError(f"the image cannot be read ({type(exc).__name__}: {exc})") from None
    digest = hashlib.sha256(out).hexdigest()[:16]
    return ImageAsset(
        file_name=f"images/img-{digest}.{ext}",
        uid=f"img-{digest}",
        media_type=media_type,
        data=out,
        width=width,
        height=height,
    )


def _has_alpha(img: object) -> bool:
    from PIL import Image

    assert isinstance(img, Image.Image)
    return img.mode in ("RGBA", "LA", "PA") or (img.mode == "P" and "transparency" in img.info)


@dataclass
class ImageStore:
    """Images of a whole publication, prepared once each and named by content."""

    resources: Mapping[str, bytes]
    assets: dict[str, ImageAsset] = field(default_factory=dict)
    _by_key: dict[str, ImageAsset | str] = field(default_factory=dict)

    def get(self, key: str) -> ImageAsset | str:
        """The asset for resource ``key``, or the reason it cannot be embedded."""
        if key not in self._by_key:
            data = self.resources.get(key)
            if data is None:
                self._by_key[key] = "no image data was supplied for it"
            else:
                try:
                    asset = prepare_image(data)
                except ImageError as exc:
                    self._by_key[key] = str(exc)
                else:
                    self.assets.setdefault(asset.file_name, asset)
                    self._by_key[key] = asset
        return self._by_key[key]
