"""Small image files for tests (valid PNG bytes)."""

from __future__ import annotations

import functools

#: A 1x1 RGBA PNG.
PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
    b"\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00\x00\x00IEND\xaeB`\x82"
)


def png(width: int = 40, height: int = 30, colour: tuple[int, int, int] = (30, 90, 160)) -> bytes:
    """A solid-colour PNG of the given size (drawn with Pillow)."""
    import io

    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (width, height), colour).save(buffer, format="PNG")
    return buffer.getvalue()


@functools.lru_cache(maxsize=8)
def streamed_png(width: int, height: int, *, grey: bool = False, keep: float = 1.0) -> bytes:
    """A solid-colour PNG of any size written row by row, never holding its pixels (a 40-megapixel
    photograph or a 20000 x 20000 decompression bomb is a few hundred kilobytes and costs no memory to make).

    ``keep`` below 1 cuts the file to that fraction of its length: a truncated image.
    """
    import struct
    import zlib

    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    row = b"\x00" + (b"\x80" * width if grey else b"\x1e\x5a\xa0" * width)
    packer = zlib.compressobj(1)
    batch = max(1, 1_000_000 // len(row))
    parts = [packer.compress(row * min(batch, height - done)) for done in range(0, height, batch)]
    parts.append(packer.flush())
    header = struct.pack(">IIBBBBB", width, height, 8, 0 if grey else 2, 0, 0, 0)
    data = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", b"".join(parts)) + chunk(b"IEND", b"")
    return data[: int(len(data) * keep)] if keep < 1.0 else data
