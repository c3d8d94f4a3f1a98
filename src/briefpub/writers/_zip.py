"""Deterministic zip containers for the EPUB and DOCX writers (writer stage).

ebooklib and python-docx stamp zip entries with the current time and let entry
order and attributes vary; :func:`normalise_zip` rewrites an archive so that the
same content always gives the same bytes: fixed entry times (from the build
timestamp), fixed permissions, a stable order with chosen entries first (EPUB's
``mimetype`` stored uncompressed, DOCX's ``[Content_Types].xml``), and
``ZIP_DEFLATED`` at a fixed level everywhere else.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Sequence
from datetime import UTC, datetime

_ZIP_MIN = datetime(1980, 1, 1, tzinfo=UTC)


def zip_time(when: datetime) -> tuple[int, int, int, int, int, int]:
    """A zip entry time for ``when`` (UTC), clamped to the zip format's 1980-2107 range."""
    utc = max(when.astimezone(UTC), _ZIP_MIN)
    if utc.year > 2107:
        utc = datetime(2107, 12, 31, 23, 59, 58, tzinfo=UTC)
    # Zip times have 2-second resolution; round down so the value round-trips.
    return (utc.year, utc.month, utc.day, utc.hour, utc.minute, utc.second - utc.second % 2)


def normalise_zip(
    data: bytes,
    when: datetime,
    *,
    first: Sequence[str] = (),
    stored: Sequence[str] = (),
    drop: Sequence[str] = (),
) -> bytes:
    """Rewrite a zip archive deterministically.

    ``first`` entries come first in the given order, the rest keep their
    original order; ``stored`` entries are not compressed; ``drop`` entries are
    left out (e.g. a template thumbnail).
    """
    date_time = zip_time(when)
    with zipfile.ZipFile(io.BytesIO(data)) as src:
        names = [n for n in src.namelist() if n not in drop]
        ordered = [n for n in first if n in names] + [n for n in names if n not in first]
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w") as dst:
            for name in ordered:
                info = zipfile.ZipInfo(name, date_time=date_time)
                info.create_system = 3  # unix, so external_attr below is honoured everywhere
                info.external_attr = 0o644 << 16
                if name in stored:
                    info.compress_type = zipfile.ZIP_STORED
                    dst.writestr(info, src.read(name))
                else:
                    info.compress_type = zipfile.ZIP_DEFLATED
                    dst.writestr(info, src.read(name), compresslevel=9)
    return out.getvalue()
