"""Images for the EPUB writer: check, convert and name them (writer stage).

Figures reach the writer as bytes (``options.resources``), never as paths or
URLs. Each image is checked before it is packaged, under the writers' shared
policy (:func:`briefpub.writers.common.images.check_image`: the pixel limit, a
complete decode, Pillow's warnings captured), since a corrupt image is an
EPUBCheck error and crashes some readers. PNG and JPEG are kept byte for
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
from collections.abc import Mapping
from dataclasses import dataclass, field

from briefpub.diagnostics import Diagnostic
from briefpub.writers.common.images import CheckedImage, ImageRefused, check_image

__all__ = ["ImageAsset", "ImageStore"]


@dataclass(frozen=True, slots=True)
class ImageAsset:
    """An image ready to package: its name inside the EPUB, media type and bytes."""

    file_name: str
    uid: str
    media_type: str
    data: bytes
    width: int
    height: int


_MEDIA = {"PNG": ("image/png", "png"), "JPEG": ("image/jpeg", "jpg")}


def _asset(checked: CheckedImage) -> ImageAsset:
    """The packaged form of a checked image, named by a hash of its bytes."""
    media_type, ext = _MEDIA[checked.format]
    digest = hashlib.sha256(checked.data).hexdigest()[:16]
    return ImageAsset(
        file_name=f"images/img-{digest}.{ext}",
        uid=f"img-{digest}",
        media_type=media_type,
        data=checked.data,
        width=checked.width,
        height=checked.height,
    )


@dataclass
class ImageStore:
    """Images of a whole publication, prepared once each and named by content."""

    resources: Mapping[str, bytes]
    #: Where what Pillow warned about an embedded image is reported (``writer.image-warning``).
    diagnostics: list[Diagnostic] = field(default_factory=list)
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
                    checked = check_image(data, keep=_MEDIA)  # PNG and JPEG kept byte for byte
                except ImageRefused as exc:
                    self._by_key[key] = str(exc)
                else:
                    asset = _asset(checked)
                    self.diagnostics.extend(checked.warning_diagnostics(key))
                    self.assets.setdefault(asset.file_name, asset)
                    self._by_key[key] = asset
        return self._by_key[key]
