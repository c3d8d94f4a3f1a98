"""Images from ``WriteOptions.resources``: checked once, scaled to the room they get (layout stage).

Images reach the writer as bytes keyed by the tree's resource keys (figures and
inline images alike, wherever they stand: list items, block quotes, table
cells); nothing is ever read from disk or fetched. :class:`Images` checks each
key once under the writers' shared image policy
(:func:`briefpub.writers.common.images.check_image`: the pixel limit, a full
decode so a truncated file is found here, a downscale to the page at print
resolution), keeps only the encoded result, gives the image's natural size
(96 pixels of the original to the inch) and makes image flowables scaled down,
never up, to a width and height. Every flowable of one key shares those bytes
and decodes them only while it is drawn, so twenty figures of one photograph
cost one small encoded copy, not twenty decoded ones. An image that is missing
or refused is reported (``writer.image-missing``, with the reason) where it was
wanted; its caption or alt text is kept by the caller. What Pillow warned
about an image that was embedded is reported as ``writer.image-warning``.
"""

from __future__ import annotations

from collections.abc import Mapping

from briefpub.diagnostics import Diagnostic
from briefpub.writers.common.images import CheckedImage, ImageRefused, check_image, print_bound
from briefpub.writers.pdf.flowables import LocatedImage, Where

__all__ = ["Images"]

#: Points per pixel: images are shown at 96 pixels to the inch unless they must shrink.
_POINTS_PER_PIXEL = 0.75
#: The page size images are bounded by when the writer names none (A4, in points).
_A4 = (595.28, 841.89)


class Images:
    """The publication's images, checked on first use, and the report of those that are not usable.

    ``page`` (points) is the most room an image can get: larger images are
    downscaled to it at print resolution once.
    """

    def __init__(self, resources: Mapping[str, bytes], diagnostics: list[Diagnostic],
                 page: tuple[float, float] = _A4) -> None:
        self._resources = resources
        self._diagnostics = diagnostics
        self._bound = print_bound(*page)
        self._checked: dict[str, CheckedImage | str] = {}

    def _check(self, key: str) -> CheckedImage | str:
        """The checked image of ``key``, or why it cannot be embedded (warnings reported once)."""
        found = self._checked.get(key)
        if found is not None:
            return found
        data = self._resources.get(key)
        if data is None:
            found = "no image data was supplied for it"
        else:
            try:
                found = check_image(data, fit=self._bound)
            except ImageRefused as exc:
                found = str(exc)
            else:
                self._diagnostics.extend(found.warning_diagnostics(key))
        self._checked[key] = found
        return found

    def usable(self, key: str, kept: str) -> bool:
        """True when ``key`` names an image that can be embedded; else reports it (``kept`` says what was kept).

        An empty key (the pipeline could not load the image and has said so) is
        not reported again.
        """
        if not key:
            return False
        found = self._check(key)
        if isinstance(found, CheckedImage):
            return True
        self._diagnostics.append(Diagnostic(
            "writer.image-missing", f"image not embedded ({found}); its {kept} was kept", text=key,
        ))
        return False

    def natural_size(self, key: str) -> tuple[float, float] | None:
        """The image's size in points at 96 pixels to the inch (None when it is not usable)."""
        found = self._check(key)
        if not isinstance(found, CheckedImage):
            return None
        return found.width * _POINTS_PER_PIXEL, found.height * _POINTS_PER_PIXEL

    def fit(self, key: str, max_width: float, max_height: float) -> tuple[float, float] | None:
        """The image's size shrunk (never enlarged) to fit ``max_width`` x ``max_height``."""
        size = self.natural_size(key)
        if size is None:
            return None
        width, height = size
        scale = min(1.0, max(max_width, 1.0) / width, max(max_height, 1.0) / height)
        return width * scale, height * scale

    def flowable(self, key: str, max_width: float, max_height: float, *, where: Where | None,
                 align: str = "CENTER") -> LocatedImage | None:
        """An image flowable fitted to ``max_width`` x ``max_height`` (None when the image is not usable;
        the caller reports it with :meth:`usable`). It shares the key's encoded bytes."""
        size = self.fit(key, max_width, max_height)
        found = self._checked.get(key)
        if size is None or not isinstance(found, CheckedImage):
            return None
        image = LocatedImage(found.data, size[0], size[1])
        image.hAlign = align
        image.bp_where = where
        return image
