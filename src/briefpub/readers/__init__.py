"""Readers: article bytes -> document tree, reporting everything removed (reader stage).

A reader is an object with a ``name`` and ``read(data, source=..., base_dir=...)``
returning a :class:`ReadResult`. Built-in readers are declared here and imported
only when used; third-party readers come from the ``briefpub.readers``
entry-point group. :func:`read_path` and :func:`read_bytes` are the entry points
the CLI and the build use: they check the input (missing, directory, too large,
empty, binary), choose the reader by ``fmt``, file extension or content (:mod:`.sniff`),
apply the size limits of :mod:`briefpub.readers.common.limits` and attach sanitisation
fixes and what the limits dropped as diagnostics.
"""

from __future__ import annotations

import stat
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from briefpub.diagnostics import Diagnostic
from briefpub.errors import BriefpubError, InputError, ReaderError, UsageError, one_line
from briefpub.readers.common.decode import MAX_INPUT_BYTES, check_size
from briefpub.readers.common.limits import MAX_BLOCK_CHARS, check_document, check_lines, drop_long_urls
from briefpub.registry import PluginSpec, Registry
from briefpub.tree import Document, SanitisationFix, sanitisation_report

__all__ = [
    "MAX_BLOCK_CHARS",
    "MAX_INPUT_BYTES",
    "READERS",
    "ReadResult",
    "Reader",
    "detect_format",
    "read_bytes",
    "read_named",
    "read_path",
    "read_source",
]

STDIN = "-"


@dataclass(frozen=True, slots=True)
class ReadResult:
    """A reader's output: the tree, what was removed or doubted, and the encoding read."""

    document: Document
    diagnostics: tuple[Diagnostic, ...] = ()
    encoding: str = ""


class Reader(Protocol):
    """What every reader (built-in or plugin) provides."""

    name: str

    def read(self, data: bytes, *, source: str, base_dir: Path | None) -> ReadResult:
        """Parse article bytes. ``base_dir`` is where relative resources live (None for stdin)."""
        ...


_BUILTIN = (
    PluginSpec("txt", "briefpub.readers.text:READER", "plain text pasted from a web page", (".txt", ".text")),
    PluginSpec("md", "briefpub.readers.markdown:READER", "Markdown (CommonMark + tables) with YAML front matter",
               (".md", ".markdown")),
    PluginSpec("html", "briefpub.readers.html:READER", "saved web page: main content extracted, scripts removed",
               (".html", ".htm", ".xhtml")),
)

READERS: Registry[Reader] = Registry("reader", "briefpub.readers", _BUILTIN)


def detect_format(path: Path | str) -> str | None:
    """Reader name for a file (or a URL's path), from its extension; None when no reader claims it
    (the content then decides: :mod:`briefpub.readers.sniff`)."""
    return READERS.by_extension(Path(path).suffix.lower())


def _fix_diagnostics(fixes: list[SanitisationFix], source: str) -> list[Diagnostic]:
    return [
        Diagnostic(
            "text.invalid-character",
            "removed character(s) XML cannot carry: "
            + " ".join(f"U+{ord(c):04X}" for c in dict.fromkeys(fix.removed)),
            text=fix.context,
            source=source,
        )
        for fix in fixes
    ]


def read_bytes(data: bytes, *, source: str, fmt: str | None = "txt", base_dir: Path | None = None) -> ReadResult:
    """Read article bytes with the reader ``fmt``; ``source`` names the input in messages.

    ``fmt=None`` means nothing names the format (standard input, an extension no
    reader claims): it is guessed from the content (:mod:`briefpub.readers.sniff`)
    and the guess reported. An unexpected exception from the reader (a bug)
    becomes :class:`ReaderError` (exit 1, one line, the traceback chained for
    ``--debug``), so a pack or a build skipping bad inputs goes on with the others.
    """
    if fmt is None:
        from briefpub.readers.sniff import sniff_format

        fmt = sniff_format(data)
        result = read_bytes(data, source=source, fmt=fmt, base_dir=base_dir)
        guess = Diagnostic("reader.format-guessed", f"read as {fmt} (guessed from the content; use --from to choose)",
                           source=source, severity="info")  # fmt: skip
        return ReadResult(result.document, (guess, *result.diagnostics), result.encoding)
    reader = READERS.get(fmt)
    check_lines(data, source)
    with sanitisation_report() as fixes:
        try:
            result = reader.read(data, source=source, base_dir=base_dir)
        except BriefpubError:
            raise
        except (MemoryError, RecursionError) as exc:
            raise ReaderError(f"{source}: {fmt} reader ran out of resources: {type(exc).__name__}") from exc
        except Exception as exc:  # a reader bug: one line for users, traceback with --debug
            raise ReaderError(f"{source}: {fmt} reader failed: {one_line(exc)}") from exc
    document, dropped = drop_long_urls(result.document, source)
    check_document(document, source)
    if fixes or dropped:
        result = ReadResult(
            document, (*result.diagnostics, *dropped, *_fix_diagnostics(fixes, source)), result.encoding
        )
    return result


def read_source(path: Path | str) -> tuple[bytes, str]:
    """The bytes of an article file (or of standard input, for ``-``) and the name messages use for it.

    The checks and messages of every local run: missing, permission denied, a
    folder, not a regular file, over :data:`MAX_INPUT_BYTES` (never more than the
    limit is read). Standard input is named ``<stdin>``. Used by :func:`read_path`
    and by ``--server`` clients, which send the bytes instead of reading them here.
    """
    if str(path) == STDIN:
        import sys

        data = sys.stdin.buffer.read(MAX_INPUT_BYTES + 1)  # never more than the limit is read
        if len(data) > MAX_INPUT_BYTES:
            raise InputError(f"<stdin>: input is too large (more than {MAX_INPUT_BYTES // 1048576} MiB, the limit)")
        return data, "<stdin>"
    path = Path(path)
    name = str(path)
    try:
        st = path.stat()
    except FileNotFoundError:
        raise InputError(f"{name}: no such file") from None
    except PermissionError:
        raise InputError(f"{name}: permission denied") from None
    except OSError as exc:
        raise InputError(f"{name}: cannot read ({exc.strerror})") from None
    if stat.S_ISDIR(st.st_mode):
        raise InputError(f"{name}: is a directory, not an article file")
    if not stat.S_ISREG(st.st_mode):
        raise InputError(f"{name}: not a regular file")
    check_size(st.st_size, name)
    try:
        with path.open("rb") as fh:
            data = fh.read(MAX_INPUT_BYTES + 1)
    except PermissionError:
        raise InputError(f"{name}: permission denied") from None
    except OSError as exc:
        raise InputError(f"{name}: cannot read ({exc.strerror})") from None
    check_size(len(data), name)
    return data, name


def _check_reader(fmt: str | None) -> None:
    if fmt is not None and not READERS.knows(fmt):
        raise UsageError(f"--from {fmt}: unknown input format (available: {', '.join(READERS.names())})")


def read_named(data: bytes, source: str, fmt: str | None = None, *, base_dir: Path | None = None) -> ReadResult:
    """Read the bytes of an input named ``source`` (a file's path, ``<stdin>``, an upload's name).

    The reader is ``fmt`` (refused when unknown), else the one claiming the name's
    extension, else the content decides (:func:`read_bytes`); the size limit is
    checked. ``base_dir`` is the folder of a local file (None for anything else).
    """
    _check_reader(fmt)
    check_size(len(data), source)
    return read_bytes(data, source=source, fmt=fmt or detect_format(source), base_dir=base_dir)


def read_path(path: Path | str, fmt: str | None = None) -> ReadResult:
    """Read an article file (``-`` for standard input) with ``fmt``, by its extension, or by its content.

    The content decides only when nothing else does: standard input without ``fmt``, or an
    extension no reader claims (:mod:`briefpub.readers.sniff`); the guess is reported.
    """
    _check_reader(fmt)
    data, source = read_source(path)
    return read_named(data, source, fmt, base_dir=None if str(path) == STDIN else Path(path).parent)
