"""Atomic output: no artifact is ever half-written (output stage).

:func:`atomic_write` writes to a hidden temporary file beside the target and
renames it into place, so a reader of the final path sees the old file or the
complete new one, never a partial one. While :func:`cleanup_on_termination` is
active, SIGTERM/SIGHUP remove live temporary files before the process dies; a
SIGKILL can leave one behind, which :func:`remove_stale_temps` removes on the
next run (only those of the targets being written, so parallel jobs never
touch each other's files).
"""

from __future__ import annotations

import contextlib
import os
import signal
import tempfile
from collections.abc import Iterator
from pathlib import Path
from types import FrameType

__all__ = ["TEMP_SUFFIX", "atomic_write", "cleanup_on_termination", "remove_stale_temps"]

TEMP_SUFFIX = ".briefpub-partial"

_LIVE_TEMPS: set[str] = set()


def _remove_live_temps(signum: int, frame: FrameType | None) -> None:
    for name in list(_LIVE_TEMPS):
        with contextlib.suppress(OSError):
            os.unlink(name)
    signal.signal(signum, signal.SIG_DFL)
    os.kill(os.getpid(), signum)


@contextlib.contextmanager
def cleanup_on_termination() -> Iterator[None]:
    """While active, SIGTERM/SIGHUP remove temporary files before the process dies."""
    previous = {}
    for sig in (signal.SIGTERM, signal.SIGHUP):
        with contextlib.suppress(ValueError, OSError):  # not the main thread, or unsupported
            previous[sig] = signal.signal(sig, _remove_live_temps)
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def atomic_write(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` via a hidden temporary file and a rename."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=TEMP_SUFFIX, dir=path.parent)
    _LIVE_TEMPS.add(tmp)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    finally:
        _LIVE_TEMPS.discard(tmp)


def remove_stale_temps(out_dir: Path, name: str = "") -> None:
    """Remove temporary files a killed earlier run left in ``out_dir`` (only those of target ``name`` if given)."""
    if out_dir.is_dir():
        pattern = f".{name}.*{TEMP_SUFFIX}" if name else f".*{TEMP_SUFFIX}"
        for stale in out_dir.glob(pattern):
            with contextlib.suppress(OSError):
                stale.unlink()
