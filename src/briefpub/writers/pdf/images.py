"""Images from ``WriteOptions.resources``: decoded once, scaled to the room they get (layout stage).

Images reach the writer as bytes keyed by the tree's resource keys (figures and
inline images alike, wherever they stand: list items, block quotes, table
cells); nothing is ever read from disk or fetched. :class:`Images` decodes each
key once (Pillow through reportlab's ``ImageReader``), gives its natural size
(96 pixels to the inch) and makes image flowables scaled down, never up, to a
width and height. An image that is missing or does not decode is reported
(``writer.image-missing``) where it was wanted; its caption or alt text is kept
by the caller.
"""

from __future__ import annotations

import io
from collections.abc import Mapping

from reportlab.lib.utils import ImageReader

from briefpub.diagnostics import Diagnostic
from briefpub.writers.pdf.flowables import LocatedImage, Where

__all__ = ["Images"]

#: Points per pixel: images are shown at 96 pixels to the inch unless they must shrink.
_POINTS_PER_PIXEL = 0.75


class Images:
    """The publication's images, decoded on first use, and the report of those that are not usable."""

    def __init__(self, resources: Mapping[str, bytes], diagnostics: list[Diagnostic]) -> None:
        self._resources = resources
        self._diagnostics = diagnostics
        self._decoded: dict[str, tuple[ImageReader, float, float] | None] = {}

    def _decode(self, key: str) -> tuple[ImageReader, float, float] | None:
        if key in self._decoded:
            return self._decoded[key]
        data = self._resources.get(key)
        found: tuple[ImageReader, float, float] | None = None
        if data is not None:
            try:
                reader = ImageReader(io.BytesIO(data))
                width, height = reader.getSize()
                if width > 0 and height > 0:
                    found = (reader, width * _POINTS_PER_PIXEL, height * _POINTS_PER_PIXEL)
            except Exception:  # any undecodable image is reported, never fatal
                found = None
        self._decoded[key] = found
        return found

    def usable(self, key: str, kept: str) -> bool:
        """True when ``key`` names an image that decodes; else reports it (``kept`` says what was kept).

        An empty key (the pipeline could not load the image and has said so) is
        not reported again.
        """
        if not key:
            return False
        if self._decode(key) is not None:
            return True
        self._diagnostics.append(Diagnostic(
            "writer.image-missing", f"image not embedded (missing or unreadable); its {kept} was kept", text=key,
        ))
        return False

    def natural_size(self, key: str) -> tuple[float, float] | None:
        """The image's size in points at 96 pixels to the inch (None when it is not usable)."""
        found = self._decode(key)
        return None if found is None else (found[1], found[2])

    def fit(self, key: str, max_width: float, max_height: float) -> tuple[float, float] | None:
        """The image's size shrunk (never enlarged) to fit ``max_width`` x ``max_height``."""
        size = self.natural_size(key)
        if size is None:
            return None
        width, height = size
        scale = min(1.0, max(max_width, 1.0) / width, max(max_height, 1.0) / height)
        return width * scale, height * scale

    def reader(self, key: str) -> ImageReader:
        """reportlab's reader of a usable image (KeyError for one that is not)."""
        found = self._decode(key)
        if found is None:
            raise KeyError(key)
        return found[0]

    def flowable(self, key: str, max_width: float, max_height: float, *, where: Where | None,
                 align: str = "CENTER") -> LocatedImage | None:
        """An image flowable fitted to ``max_width`` x ``max_height`` (None when the image is not usable;
        the caller reports it with :meth:`usable`)."""
        size = self.fit(key, max_width, max_height)
        if size is None:
            return None
        image = LocatedImage(io.BytesIO(self._resources[key]), width=size[0], height=size[1])
        image.hAlign = align
        image.bp_where = where
        return image
