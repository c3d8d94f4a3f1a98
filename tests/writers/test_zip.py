"""Deterministic zips (``briefpub.writers._zip``): the per-process cache of deflated entries."""

from __future__ import annotations

import io
import os
import zipfile
from datetime import UTC, datetime

import pytest

from briefpub.writers import _zip
from briefpub.writers._zip import CACHE_MIN, DeflateCache, deflate, write_zip

WHEN = datetime(2017, 1, 23, tzinfo=UTC)


def _reference_zip(entries: list[tuple[str, bytes]], *, stored: tuple[str, ...] = ()) -> bytes:
    """The archive as ``write_zip`` wrote it before the cache: ``writestr`` deflating every entry."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as dst:
        for name, content in entries:
            info = zipfile.ZipInfo(name, date_time=_zip.zip_time(WHEN))
            info.create_system = 3
            info.external_attr = 0o644 << 16
            if name in stored:
                info.compress_type = zipfile.ZIP_STORED
                dst.writestr(info, content)
            else:
                info.compress_type = zipfile.ZIP_DEFLATED
                dst.writestr(info, content, compresslevel=_zip.LEVEL)
    return out.getvalue()


@pytest.fixture
def fresh_cache(monkeypatch: pytest.MonkeyPatch) -> DeflateCache:
    cache = DeflateCache()
    monkeypatch.setattr(_zip, "DEFLATED", cache)
    return cache


def _entries() -> list[tuple[str, bytes]]:
    big = b"".join(b"<w:p>paragraph %d</w:p>" % i for i in range(2000))
    return [("mimetype", b"application/epub+zip"), ("small.xml", b"<a/>" * 10), ("big.xml", big),
            ("font.bin", os.urandom(CACHE_MIN * 3))]


def test_archive_bytes_are_those_writestr_makes(fresh_cache: DeflateCache) -> None:
    entries = _entries()
    expected = _reference_zip(entries, stored=("mimetype",))
    first = write_zip(entries, WHEN, first=("mimetype",), stored=("mimetype",))
    again = write_zip(entries, WHEN, first=("mimetype",), stored=("mimetype",))
    assert first == expected
    assert again == expected
    assert fresh_cache.misses == 2  # the two large entries, deflated once ...
    assert fresh_cache.hits == 2  # ... and replayed the second time
    with zipfile.ZipFile(io.BytesIO(again)) as archive:
        assert archive.testzip() is None
        assert {name: archive.read(name) for name in archive.namelist()} == dict(entries)


def test_a_changed_entry_misses_the_cache(fresh_cache: DeflateCache) -> None:
    data = b"x" * (CACHE_MIN * 2)
    changed = data[:-1] + b"y"
    assert fresh_cache.get(data) == deflate(data)
    assert fresh_cache.get(changed) == deflate(changed)
    assert fresh_cache.get(data, 9) == deflate(data, 9)  # another level: another entry
    assert (fresh_cache.hits, fresh_cache.misses) == (0, 3)
    assert fresh_cache.get(changed) == deflate(changed)
    assert fresh_cache.hits == 1


def test_the_cache_is_bounded_in_bytes() -> None:
    cache = DeflateCache(limit=3000)
    blobs = [os.urandom(1000) for _ in range(5)]  # random: deflated, each is about 1000 bytes
    for blob in blobs:
        cache.get(blob)
    assert cache.size <= 3000
    cache.get(blobs[0])  # the oldest was dropped: deflated again
    assert cache.misses == 6
    cache.get(blobs[-1])
    assert cache.hits == 1
