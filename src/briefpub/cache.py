"""Disk caches between runs: work a cold process would repeat, kept in the user's cache folder (start-up).

A cold ``briefpub convert`` repeats work whose result depends only on files that
rarely change: reading the packaged font files' names with fontTools, drawing and
PNG-encoding an EPUB cover whose words did not change. :class:`DiskCache` keeps
such results in ``$BRIEFPUB_CACHE_DIR``, else ``$XDG_CACHE_HOME/briefpub``, else
``~/.cache/briefpub``; ``BRIEFPUB_CACHE=off`` turns it off (:func:`disk_cache`).

The rules every user of it follows:

* **Never needed for correctness.** A missing, unreadable, corrupt or stale entry
  is a miss: the work is done again and the entry rewritten. Output bytes are the
  same with and without the cache (tests check it).
* **Keyed by everything the result depends on**: the inputs themselves, the
  (path, size, mtime) of files read (:func:`file_stamp`) and the source of the
  code that computed it (:func:`source_digest`), so changing briefpub, a font or
  Pillow invalidates the entry without a version to bump by hand.
* **Safe under concurrent processes** (parallel builds, test workers): an entry
  is written to a unique temporary file and renamed into place, so a reader sees
  no entry or a whole one; each entry carries its key and a SHA-256 of its
  payload, checked on every read. Two processes filling the same entry write the
  same bytes; the last rename wins.
* **Private**: folders are made ``0700`` and entries ``0600`` (this user's only).
* **Bounded**: a kind keeps at most ``limit`` entries; the oldest are removed
  when a new one is stored.

Only the standard library is imported here; nothing is read or created until a
cache is used.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import os
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

__all__ = ["CACHE_DIR_ENV", "CACHE_ENV", "DiskCache", "default_cache_dir", "disk_cache", "file_stamp", "library_stamp",
           "source_digest"]

#: Where the cache lives (overrides ``$XDG_CACHE_HOME/briefpub``).
CACHE_DIR_ENV = "BRIEFPUB_CACHE_DIR"
#: ``off`` (or ``0``, ``no``, ``false``) turns the disk cache off.
CACHE_ENV = "BRIEFPUB_CACHE"
_MAGIC = b"briefpub-cache/1"
_OFF = frozenset({"off", "0", "no", "false"})


def default_cache_dir(env: Mapping[str, str] | None = None) -> Path | None:
    """The cache folder the environment names, or None when caching is turned off."""
    env = os.environ if env is None else env
    if env.get(CACHE_ENV, "").strip().lower() in _OFF:
        return None
    explicit = env.get(CACHE_DIR_ENV, "")
    if explicit:
        return Path(explicit)
    xdg = env.get("XDG_CACHE_HOME", "")
    if xdg and os.path.isabs(xdg):
        return Path(xdg) / "briefpub"
    home = env.get("HOME") or os.path.expanduser("~")
    if not home or home == "~":
        return None
    return Path(home) / ".cache" / "briefpub"


def disk_cache(env: Mapping[str, str] | None = None) -> DiskCache | None:
    """The user's disk cache (:func:`default_cache_dir`), or None when it is turned off."""
    folder = default_cache_dir(env)
    return None if folder is None else DiskCache(folder)


def file_stamp(path: str) -> tuple[str, int, int] | None:
    """(path, size, mtime in ns) of a file, the part of a key that says "this file, unchanged"; None if absent."""
    try:
        st = os.stat(path)
    except OSError:
        return None
    return (path, st.st_size, st.st_mtime_ns)


@functools.cache
def library_stamp(name: str, *, compiled: bool = False) -> tuple[object, ...]:
    """The part of a key that says "this installed library, unchanged", found without importing it.

    The (path, size, mtime) of its package's ``__init__.py`` and ``_version.py`` (installing any
    version of it again rewrites them) and, with ``compiled``, of its compiled extension modules;
    ``(name, None)`` when it is not installed. Once per process: the library a process has loaded
    does not change under it.
    """
    import importlib.util

    try:
        spec = importlib.util.find_spec(name)
    except (ImportError, ValueError):
        spec = None
    if spec is None or spec.origin is None:
        return (name, None)
    folder = os.path.dirname(spec.origin)
    names = ["__init__.py", "_version.py"]
    if compiled:
        with contextlib.suppress(OSError):
            names += sorted(n for n in os.listdir(folder) if n.endswith((".so", ".pyd")))
    return (name, tuple(file_stamp(os.path.join(folder, n)) for n in names))


_SOURCE_DIGESTS: dict[str, str] = {}


def sha256_file(path: str) -> str:
    """The SHA-256 of a file's bytes (hex), read in 1 MiB chunks."""
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def source_digest(*paths: str) -> str:
    """A SHA-256 of the given source files (a module's ``__file__``): the code version part of a key."""
    digest = hashlib.sha256()
    for path in paths:
        known = _SOURCE_DIGESTS.get(path)
        if known is None:
            try:
                known = sha256_file(path)
            except OSError:
                known = "missing"
            _SOURCE_DIGESTS[path] = known
        digest.update(f"{path}\0{known}\0".encode())
    return digest.hexdigest()


@dataclass(frozen=True, slots=True)
class DiskCache:
    """A folder of cache entries: ``<folder>/<kind>/<key>``, each ``MAGIC key sha256\\n`` + payload."""

    folder: Path

    @staticmethod
    def key(*parts: object) -> str:
        """A key from the ``repr`` of its parts (strings, numbers, tuples of them: stable reprs only)."""
        return hashlib.sha256(repr(parts).encode("utf-8", "surrogatepass")).hexdigest()

    def _path(self, kind: str, key: str) -> Path:
        return self.folder / kind / key

    def load(self, kind: str, key: str) -> bytes | None:
        """The payload stored under ``kind``/``key``, or None (absent, unreadable, corrupt or not this key)."""
        try:
            blob = self._path(kind, key).read_bytes()
        except (OSError, ValueError):
            return None
        header, sep, payload = blob.partition(b"\n")
        parts = header.split(b" ")
        if not sep or len(parts) != 3 or parts[0] != _MAGIC or parts[1] != key.encode("ascii"):
            return None
        if hashlib.sha256(payload).hexdigest().encode("ascii") != parts[2]:
            return None
        return payload

    def store(self, kind: str, key: str, payload: bytes, *, limit: int = 256) -> bool:
        """Store ``payload`` atomically (temporary file + rename); False when the folder cannot be written.

        At most ``limit`` entries of ``kind`` are kept: the least recently written go first.
        """
        folder = self.folder / kind
        header = b" ".join((_MAGIC, key.encode("ascii"), hashlib.sha256(payload).hexdigest().encode("ascii")))
        temp = folder / f".{key[:16]}-{os.getpid()}-{os.urandom(4).hex()}.tmp"
        try:
            self.folder.mkdir(parents=True, exist_ok=True, mode=0o700)  # (mode applies to the last folder only)
            folder.mkdir(exist_ok=True, mode=0o700)
            with open(os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "wb") as fh:
                fh.write(header + b"\n" + payload)
            os.replace(temp, folder / key)
        except OSError:
            with contextlib.suppress(OSError):
                temp.unlink(missing_ok=True)
            return False
        self._prune(folder, limit)
        return True

    @staticmethod
    def _prune(folder: Path, limit: int) -> None:
        """Keep the newest ``limit`` entries; remove temporary files left by a killed process (over an hour old)."""
        try:
            entries = [e for e in os.scandir(folder) if e.is_file()]
        except OSError:
            return
        by_age: list[tuple[int, str]] = []
        for entry in entries:
            if entry.name.startswith("."):
                with contextlib.suppress(OSError):
                    if time.time_ns() - entry.stat().st_mtime_ns > 3600 * 10**9:
                        os.unlink(entry.path)
                continue
            if len(entries) > limit:
                try:
                    by_age.append((entry.stat().st_mtime_ns, entry.path))
                except OSError:
                    continue
        for _mtime, path in sorted(by_age)[: len(by_age) - limit]:
            with contextlib.suppress(OSError):  # another process may have removed it first
                os.unlink(path)
