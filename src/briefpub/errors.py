"""Errors: one exception root, categories and exit codes (used by every stage).

A "nice" error is an instance of :class:`BriefpubError`: the CLI prints it as a
single line ``error: <message>`` on stderr and exits with its ``exit_code``.
Anything else that escapes is a bug and keeps its traceback (shown with
``--debug``). Each category also subclasses the matching builtin, so callers of
the library can catch ``ValueError`` or ``LookupError`` as usual::

    BriefpubError (Exception)                  exit 1
    ├── InputError (ValueError)                exit 2  unreadable, empty, binary, too big
    ├── UsageError (ValueError)                exit 2  bad option or argument
    │   └── UnknownFormatError (LookupError)   exit 2  no reader/writer by that name
    ├── StyleError (ValueError)                exit 2  invalid style sheet
    ├── SchemaError (ValueError)               exit 2  JSON tree of an unknown schema
    ├── OutputError                            exit 2  output folder or file cannot be written
    ├── SetupError (OSError)                   exit 2  the machine lacks something needed (fonts)
    ├── PluginError (ImportError)              exit 1  a third-party plugin failed to load
    ├── ReaderError (RuntimeError)             exit 1  a reader failed (a bug): the input is skipped
    └── ConversionError (RuntimeError)         exit 1  a writer failed on valid input
"""

from __future__ import annotations


class BriefpubError(Exception):
    """Root of every error briefpub reports without a traceback."""

    exit_code: int = 1
    category: str = "error"


class InputError(BriefpubError, ValueError):
    """An input file cannot be read as an article (missing, empty, binary...)."""

    exit_code = 2


class UsageError(BriefpubError, ValueError):
    """The command line or API call is wrong (bad option value, bad --set)."""

    exit_code = 2


class UnknownFormatError(UsageError, LookupError):
    """No reader or writer is registered under the requested name."""


class StyleError(BriefpubError, ValueError):
    """A style sheet has an unknown key or a bad value."""

    exit_code = 2


class SchemaError(BriefpubError, ValueError):
    """A JSON document tree is malformed or of an unsupported schema version."""

    exit_code = 2


class OutputError(BriefpubError):
    """An output file or folder cannot be written (read-only, full disk, a file in the way...)."""

    exit_code = 2


class SetupError(BriefpubError, OSError):
    """The machine lacks something a conversion needs (no usable font): the user installs it."""

    exit_code = 2


class PluginError(BriefpubError, ImportError):
    """A third-party reader or writer could not be loaded."""

    exit_code = 1


class ReaderError(BriefpubError, RuntimeError):
    """A reader failed unexpectedly (a bug, or out of memory) on one input; the cause is chained."""

    exit_code = 1


class ConversionError(BriefpubError, RuntimeError):
    """A writer failed on a document that was read successfully."""

    exit_code = 1


def one_line(exc: BaseException) -> str:
    """An unexpected exception as one short line: ``Type: message`` (whitespace collapsed, 200 characters)."""
    text = " ".join(str(exc).split())
    return f"{type(exc).__name__}: {text[:200]}" if text else type(exc).__name__
