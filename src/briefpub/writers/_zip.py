"""Deterministic zip containers for the EPUB and DOCX writers (writer stage).

ebooklib and python-docx stamp zip entries with the current time and let entry
order and attributes vary; :func:`write_zip` writes entries, and
:func:`normalise_zip` rewrites an archive, so that the same content always
gives the same bytes: fixed entry times (from the build timestamp), fixed
permissions, a stable order with chosen entries first (EPUB's
``mimetype`` stored uncompressed, DOCX's ``[Content_Types].xml``), and
``ZIP_DEFLATED`` at a fixed level everywhere else.

Deflating is most of what zipping costs, and much of what the writers zip is
the same from one document to the next (a DOCX's embedded font subsets, which
keep whole Unicode blocks, its styles part, theme and settings): the deflated
form of every entry of at least :data:`CACHE_MIN` bytes is kept per process
(:class:`DeflateCache`, keyed by the entry's SHA-256 and the level, bounded in
bytes, least recently used first out) and written again as it is, the same
bytes zlib would produce.
"""

from __future__ import annotations

import hashlib
import io
import zipfile
import zlib
from collections import OrderedDict
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime

_ZIP_MIN = datetime(1980, 1, 1, tzinfo=UTC)
#: The deflate level of every compressed entry. zlib's default: level 9 took 21 ms of a one-article DOCX
#: (its embedded font subsets) against 9 ms here, for archives 0.5 % smaller.
LEVEL = 6
#: Entries smaller than this are deflated every time (hashing them would cost about as much).
CACHE_MIN = 4096
#: The most deflated bytes the per-process cache keeps.
CACHE_BYTES = 16 << 20


def deflate(data: bytes, level: int = LEVEL) -> bytes:
    """Raw deflate of ``data``, as ``zipfile`` writes an entry in one piece (a compressor object's
    ``compress`` then ``flush``)."""
    compressor = zlib.compressobj(level, zlib.DEFLATED, -15)
    return compressor.compress(data) + compressor.flush()


class DeflateCache:
    """Deflated entries by (SHA-256 of the content, level), at most ``limit`` deflated bytes in all; the
    least recently used go first. A changed content has another digest: an entry cannot go stale."""

    def __init__(self, limit: int = CACHE_BYTES) -> None:
        self.limit = limit
        self.size = 0
        self.hits = 0
        self.misses = 0
        self._entries: OrderedDict[tuple[bytes, int], bytes] = OrderedDict()

    def get(self, data: bytes, level: int = LEVEL) -> bytes:
        """``deflate(data, level)``, from the cache when it has it."""
        key = (hashlib.sha256(data).digest(), level)
        found = self._entries.get(key)
        if found is not None:
            self.hits += 1
            self._entries.move_to_end(key)
            return found
        self.misses += 1
        found = deflate(data, level)
        if len(found) <= self.limit:
            self._entries[key] = found
            self.size += len(found)
            while self.size > self.limit:
                _, dropped = self._entries.popitem(last=False)
                self.size -= len(dropped)
        return found

    def clear(self) -> None:
        """Forget every entry."""
        self._entries.clear()
        self.size = 0


#: The process's cache of deflated entries.
DEFLATED = DeflateCache()


class _Replay:
    """A stand-in for the entry's zlib compressor that returns bytes deflated beforehand."""

    def __init__(self, deflated: bytes) -> None:
        self.deflated = deflated

    def compress(self, _data: bytes) -> bytes:
        out, self.deflated = self.deflated, b""
        return out

    def flush(self) -> bytes:
        return b""


def _write_deflated(dst: zipfile.ZipFile, info: zipfile.ZipInfo, content: bytes) -> None:
    """Write ``content`` as a deflated entry, its deflated form from :data:`DEFLATED` when it is large
    enough to be worth keeping. ``zipfile`` has no public way to write bytes deflated beforehand: the
    entry's writer (``ZipFile.open(info, "w")``, which computes the CRC and sizes) is given a compressor
    that replays them; where that writer is not as expected, ``writestr`` deflates as before."""
    if len(content) >= CACHE_MIN:
        info.file_size = len(content)  # (as writestr sets it: open() decides on zip64 from it)
        with dst.open(info, "w") as dest:
            if getattr(dest, "_compressor", None) is not None:
                dest._compressor = _Replay(DEFLATED.get(content))  # type: ignore[attr-defined]
            dest.write(content)
        return
    dst.writestr(info, content, compresslevel=LEVEL)


def zip_time(when: datetime) -> tuple[int, int, int, int, int, int]:
    """A zip entry time for ``when`` (UTC), clamped to the zip format's 1980-2107 range."""
    utc = max(when.astimezone(UTC), _ZIP_MIN)
    if utc.year > 2107:
        utc = datetime(2107, 12, 31, 23, 59, 58, tzinfo=UTC)
    # Zip times have 2-second resolution; round down so the value round-trips.
    return (utc.year, utc.month, utc.day, utc.hour, utc.minute, utc.second - utc.second % 2)


def write_zip(
    entries: Iterable[tuple[str, bytes]],
    when: datetime,
    *,
    first: Sequence[str] = (),
    stored: Sequence[str] = (),
) -> bytes:
    """A deterministic zip archive of ``entries`` (name, content).

    ``first`` entries come first in the given order, the rest keep their order;
    ``stored`` entries are not compressed, the others are deflated at :data:`LEVEL`.
    """
    date_time = zip_time(when)
    items = list(entries)
    positions = {name: index for index, name in enumerate(first)}
    items.sort(key=lambda item: positions.get(item[0], len(positions)))  # stable: the rest keep their order
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as dst:
        for name, content in items:
            info = zipfile.ZipInfo(name, date_time=date_time)
            info.create_system = 3  # unix, so external_attr below is honoured everywhere
            info.external_attr = 0o644 << 16
            if name in stored:
                info.compress_type = zipfile.ZIP_STORED
                dst.writestr(info, content)
            else:
                info.compress_type = zipfile.ZIP_DEFLATED
                info._compresslevel = LEVEL  # type: ignore[attr-defined]  # (as writestr sets it)
                _write_deflated(dst, info, content)
    return out.getvalue()


def normalise_zip(
    data: bytes,
    when: datetime,
    *,
    first: Sequence[str] = (),
    stored: Sequence[str] = (),
    drop: Sequence[str] = (),
) -> bytes:
    """Rewrite a zip archive deterministically (see :func:`write_zip`); ``drop`` entries are left out
    (e.g. a template thumbnail)."""
    with zipfile.ZipFile(io.BytesIO(data)) as src:
        entries = [(name, src.read(name)) for name in src.namelist() if name not in drop]
    return write_zip(entries, when, first=first, stored=stored)
