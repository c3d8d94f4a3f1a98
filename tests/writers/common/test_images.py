"""The writers' one image policy: the pixel limit, complete decoding, downscaling, Pillow's warnings captured."""

from __future__ import annotations

import io
import warnings

import pytest
from PIL import Image

from briefpub.writers.common.images import MAX_PIXELS, PRINT_DPI, ImageRefused, check_image, print_bound
from images import png, streamed_png


def _encoded(fmt: str, size: tuple[int, int] = (300, 200), mode: str = "RGB") -> bytes:
    out = io.BytesIO()
    Image.effect_noise(size, 60).convert(mode).save(out, format=fmt)
    return out.getvalue()


@pytest.mark.parametrize(("width", "height", "grey"), [(13_000, 13_000, False), (20_000, 20_000, True)])
def test_an_image_over_the_pixel_limit_is_refused_and_pillow_prints_nothing(width: int, height: int,
                                                                            grey: bool) -> None:
    """13k x 13k makes Pillow warn (DecompressionBombWarning), 20k x 20k makes it raise: both are the
    same clear refusal, and no warning leaves the check, even when warnings are errors."""
    data = streamed_png(width, height, grey=grey)
    with warnings.catch_warnings(record=True) as leaked:
        warnings.simplefilter("error")
        with pytest.raises(ImageRefused) as refused:
            check_image(data)
    assert str(refused.value).startswith("the image is too large (")
    assert f"the limit is {MAX_PIXELS:,}" in str(refused.value)
    assert not leaked


def test_an_image_at_the_limit_is_accepted() -> None:
    checked = check_image(streamed_png(8000, 5000), fit=print_bound(595.28, 841.89))
    assert (checked.width, checked.height) == (8000, 5000) and checked.downscaled


@pytest.mark.parametrize("fmt", ["PNG", "JPEG", "GIF"])
def test_a_truncated_image_is_refused(fmt: str) -> None:
    """Pillow opens a truncated file happily (the header is there): only the complete decode finds it."""
    whole = _encoded(fmt)
    with pytest.raises(ImageRefused, match="truncated|cannot be read"):
        check_image(whole[: len(whole) // 2])


def test_a_larger_image_is_downscaled_to_the_room_it_gets_and_keeps_its_natural_size() -> None:
    checked = check_image(png(3000, 1500), fit=(1000, 1000))
    assert checked.downscaled and (checked.width, checked.height) == (3000, 1500)
    with Image.open(io.BytesIO(checked.data)) as img:
        assert img.size == (1000, 500) and img.format == "PNG"
    jpeg = check_image(_encoded("JPEG", (2400, 1200)), fit=(600, 600))
    assert jpeg.format == "JPEG" and jpeg.downscaled
    with Image.open(io.BytesIO(jpeg.data)) as img:
        assert img.size == (600, 300)


def test_print_bound_is_the_area_at_print_resolution() -> None:
    assert print_bound(72, 144) == (PRINT_DPI, 2 * PRINT_DPI)


def test_png_and_jpeg_within_bounds_are_kept_byte_for_byte_others_become_png() -> None:
    for fmt in ("PNG", "JPEG"):
        data = _encoded(fmt)
        checked = check_image(data, fit=(1000, 1000))
        assert checked.data == data and checked.format == fmt and not checked.downscaled
    gif = check_image(_encoded("GIF"))
    assert gif.format == "PNG" and gif.data.startswith(b"\x89PNG")
    assert check_image(_encoded("GIF"), keep=("GIF",)).format == "GIF"


def test_svg_and_non_images_are_refused() -> None:
    with pytest.raises(ImageRefused, match="SVG"):
        check_image(b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>')
    with pytest.raises(ImageRefused, match="cannot be read"):
        check_image(b"GIF89a but not really")
    with pytest.raises(ImageRefused, match="empty"):
        check_image(b"")


def test_what_pillow_warns_about_an_embedded_image_is_returned_not_printed(monkeypatch: pytest.MonkeyPatch) -> None:
    data = png(20, 20)
    original = Image.Image.load

    def load(self: Image.Image) -> object:
        warnings.warn("Corrupt EXIF data.\n  Expecting to read 12 bytes but only got 2.", UserWarning, stacklevel=1)
        return original(self)

    monkeypatch.setattr(Image.Image, "load", load)
    with warnings.catch_warnings(record=True) as leaked:
        warnings.simplefilter("always")
        checked = check_image(data)
    assert checked.warnings == ("Corrupt EXIF data. Expecting to read 12 bytes but only got 2.",)
    assert not leaked
