"""Atomic output and clean answers when the output folder fails (output stage).

:func:`atomic_write` writes to a hidden temporary file beside the target and
renames it into place, so a reader of the final path sees the old file or the
complete new one, never a partial one. Temporary names are short and fixed in
length (``.bp-<pid>-<8 hex>.tmp``, :data:`TEMP_RE`), whatever the target's
name, and carry the writing process's id.

While :func:`cleanup_on_termination` is active, SIGTERM/SIGHUP remove live
temporary files before the process dies (and run the hooks registered with
:func:`on_termination`, e.g. ending worker processes); a SIGKILL can leave one
behind, which :func:`remove_stale_temps` removes on a later run. The sweep walks
the whole output folder but removes only temporary files whose process is no
longer running on this machine, so two builds into one folder never delete
each other's live files.

Every :class:`OSError` met while writing becomes an
:class:`~briefpub.errors.OutputError` (exit 2) of one line naming the path and
the problem in words (:func:`describe_os_error`, :func:`output_error`);
:func:`prepare_out_dir` checks an output folder once, before anything is built.
"""

from __future__ import annotations

import contextlib
import errno
import os
import signal
import stat
from collections.abc import Callable, Iterator
from pathlib import Path
from types import FrameType

from briefpub._lazyre import lazy_re
from briefpub.errors import OutputError

__all__ = [
    "TEMP_RE",
    "TEMP_SUFFIX",
    "atomic_write",
    "cleanup_on_termination",
    "describe_os_error",
    "is_temp_name",
    "on_termination",
    "output_error",
    "prepare_out_dir",
    "remove_stale_temps",
]

TEMP_PREFIX = ".bp-"
TEMP_SUFFIX = ".tmp"
TEMP_RE = lazy_re(r"^\.bp-(\d{1,10})-[0-9a-f]{8}\.tmp$")
"""Names of briefpub's temporary files: ``.bp-<pid>-<8 hex digits>.tmp`` (at most 27 characters)."""
_LEGACY_SUFFIX = ".briefpub-partial"  # temporary files of briefpub before 0.x: no PID, always stale

_LIVE_TEMPS: set[str] = set()
_HOOKS: list[Callable[[], None]] = []

_WORDS: dict[int, str] = {
    errno.ENOSPC: "no space left on device",
    errno.EFBIG: "file too large (the file system's or the process's file size limit)",
    errno.EDQUOT: "disk quota exceeded",
    errno.EROFS: "read-only file system",
    errno.EACCES: "permission denied (the folder is not writable)",
    errno.EPERM: "operation not permitted",
    errno.ENOTDIR: "is a file, not a folder",
    errno.EISDIR: "is a folder, not a file",
    errno.ENAMETOOLONG: "file name too long for this file system",
    errno.ENOENT: "folder does not exist",
    errno.EEXIST: "already exists",
    errno.ELOOP: "too many levels of symbolic links",
    errno.EIO: "input/output error (the disk may be failing or disconnected)",
    errno.EMFILE: "too many open files",
    errno.EXDEV: "cannot rename across file systems",
    errno.EBUSY: "is busy (in use by another program)",
}


def describe_os_error(exc: OSError) -> str:
    """The problem of an OSError in words: ``no space left on device``, ``is a file, not a folder``..."""
    if exc.errno in _WORDS:
        return _WORDS[exc.errno]
    text = exc.strerror or str(exc) or type(exc).__name__
    return text[:1].lower() + text[1:]


def _kind(path: Path) -> str:
    """``"folder"``, ``"file"`` or ``"missing"``; any other OSError (name too long, loop...) is raised."""
    try:
        return "folder" if stat.S_ISDIR(os.stat(path).st_mode) else "file"
    except (FileNotFoundError, NotADirectoryError):
        return "missing"


def _file_in_the_way(path: Path) -> Path | None:
    """The first part of ``path`` that exists and is not a folder (ENOTDIR's culprit)."""
    for part in reversed((path, *path.parents)):
        try:
            kind = _kind(part)
        except OSError:
            return None
        if kind != "folder":
            return part if kind == "file" else None
    return None


def output_error(path: Path, exc: OSError) -> OutputError:
    """An OSError met writing ``path`` as one ``<path>: <problem>`` line (exit 2)."""
    if exc.errno in (errno.ENOTDIR, errno.EEXIST):
        culprit = _file_in_the_way(path)
        if culprit is not None:
            return OutputError(f"{culprit}: is a file, not a folder")
    return OutputError(f"{path}: {describe_os_error(exc)}")


def prepare_out_dir(out_dir: Path, *, create: bool = False) -> None:
    """Check once, before anything is built, that ``out_dir`` can take files; else one OutputError.

    An existing folder (or one made with ``create``) is probed by creating and
    removing a temporary file; otherwise a missing folder is not created here
    (the first artifact creates it), but the nearest existing folder above it
    must be writable.
    """
    try:
        kind = _kind(out_dir)
    except OSError as exc:
        raise output_error(out_dir, exc) from None
    if kind == "file":
        raise OutputError(f"{out_dir}: is a file, not a folder")
    if create:
        culprit = _file_in_the_way(out_dir)
        if culprit is not None:
            raise OutputError(f"{culprit}: is a file, not a folder")
        try:
            out_dir.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise output_error(out_dir, exc) from None
    if create or kind == "folder":
        try:
            fd, probe = _open_temp(out_dir)
            os.close(fd)
            os.unlink(probe)
        except OSError as exc:
            raise output_error(out_dir, exc) from None
        return
    culprit = _file_in_the_way(out_dir)
    if culprit is not None:
        raise OutputError(f"{culprit}: is a file, not a folder")
    parent = next((p for p in out_dir.absolute().parents if p.is_dir()), None)
    if parent is not None and not os.access(parent, os.W_OK | os.X_OK):
        problem = errno.EROFS if _read_only_fs(parent) else errno.EACCES
        raise OutputError(f"{out_dir}: cannot be created in {parent}: {_WORDS[problem]}")


def _read_only_fs(folder: Path) -> bool:
    try:
        return bool(os.statvfs(folder).f_flag & getattr(os, "ST_RDONLY", 1))
    except (OSError, AttributeError):  # pragma: no cover - no statvfs
        return False


def is_temp_name(name: str) -> bool:
    """Whether ``name`` is one of briefpub's temporary file names."""
    return bool(TEMP_RE.match(name)) or _is_legacy_temp(name)


def _is_legacy_temp(name: str) -> bool:
    return name.startswith(".") and name.endswith(_LEGACY_SUFFIX)


def _open_temp(folder: Path) -> tuple[int, str]:
    """Create a new, empty temporary file in ``folder``: (descriptor, path)."""
    pid = os.getpid()
    while True:
        name = os.path.join(folder, f"{TEMP_PREFIX}{pid}-{os.urandom(4).hex()}{TEMP_SUFFIX}")
        try:
            return os.open(name, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o600), name
        except FileExistsError:  # pragma: no cover - 1 in 4 billion
            continue


def _remove_live_temps(signum: int, frame: FrameType | None) -> None:
    for hook in list(_HOOKS):
        with contextlib.suppress(Exception):
            hook()
    for name in list(_LIVE_TEMPS):
        with contextlib.suppress(OSError):
            os.unlink(name)
    signal.signal(signum, signal.SIG_DFL)
    os.kill(os.getpid(), signum)


def install_termination_cleanup() -> None:
    """SIGTERM/SIGHUP remove this process's live temporary files, then end it (used by worker processes)."""
    _HOOKS.clear()  # a forked worker must not run its parent's hooks
    _LIVE_TEMPS.clear()
    for sig in (signal.SIGTERM, signal.SIGHUP):
        with contextlib.suppress(ValueError, OSError):
            signal.signal(sig, _remove_live_temps)


@contextlib.contextmanager
def on_termination(hook: Callable[[], None]) -> Iterator[None]:
    """While active, ``hook`` runs when SIGTERM/SIGHUP end the process (before its temporary files go)."""
    _HOOKS.append(hook)
    try:
        yield
    finally:
        _HOOKS.remove(hook)


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


def atomic_write(path: Path, data: bytes, *, durable: bool = True) -> None:
    """Write ``data`` to ``path`` via a hidden temporary file and a rename; OSError -> OutputError.

    ``durable`` flushes the file to the disk before the rename (artifacts); the build cache,
    which checks every entry's hash when reading it, skips that.
    """
    try:
        kind = _kind(path)
    except OSError as exc:
        raise output_error(path, exc) from None
    if kind == "folder":
        raise OutputError(f"{path}: is a folder, not a file")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise output_error(path.parent, exc) from None
    try:
        fd, tmp = _open_temp(path.parent)
    except OSError as exc:
        raise output_error(path.parent, exc) from None
    _LIVE_TEMPS.add(tmp)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            if durable:
                fh.flush()
                os.fsync(fh.fileno())
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException as exc:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        if isinstance(exc, OSError):
            raise output_error(path, exc) from None
        raise
    finally:
        _LIVE_TEMPS.discard(tmp)


def _pid_alive(pid: int) -> bool:
    """Whether a process ``pid`` runs on this machine (a zombie counts as ended)."""
    if pid <= 0:
        return False
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OSError):
        return True  # exists, owned by someone else
    with contextlib.suppress(OSError, IndexError):
        proc_stat = Path(f"/proc/{pid}/stat").read_text()
        return proc_stat.rsplit(")", 1)[1].split()[0] != "Z"
    return True


def remove_stale_temps(out_dir: Path, *, recursive: bool = True) -> int:
    """Remove temporary files of ended processes under ``out_dir``; returns how many went.

    A temporary file whose process still runs here is kept, even if that process
    id now belongs to another program (PID reuse): it goes on a later run. Only
    processes of this machine can be checked, so two machines must not build
    into one shared folder at the same time.
    """
    if not out_dir.is_dir():
        return 0
    removed = 0
    walker = os.walk(out_dir) if recursive else [(str(out_dir), [], os.listdir(out_dir))]
    for folder, _dirs, files in walker:
        for name in files:
            m = TEMP_RE.match(name)
            stale = not _pid_alive(int(m.group(1))) if m is not None else _is_legacy_temp(name)
            if not stale:
                continue
            with contextlib.suppress(OSError):
                os.unlink(os.path.join(folder, name))
                removed += 1
    return removed
