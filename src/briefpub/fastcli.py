"""``briefpub convert`` without importing typer, for the plain command lines people type (CLI stage).

typer, with the click it carries, costs about a quarter of a cold ``briefpub convert --to epub``
(importing it, then building the command from the function's signature and parsing). The console
script (:func:`briefpub.__main__.run`) therefore tries :func:`run` first. It takes only the plainest
form of the ``convert`` command line: the command name first, then input paths and the options
below, each written out whole (``--to epub``, ``-t epub``, ``--to=epub``, ``-q``), every
single-valued option at most once, no value beginning with ``-``. Anything else (``--help``,
``--debug``, ``--``, bundled or attached short options, a missing value, an unknown or repeated
option, no input, ``$BRIEFPUB_SERVER`` set, a stream click would rewrap) returns None and goes to
typer, which parses, helps and fails as always.

What is taken is turned into exactly the arguments typer gives the ``convert`` command, and the
same body runs (:func:`briefpub.console.run_convert`), with what typer's runner does around a
command: Ctrl-C is 130 with ``error: interrupted``, end of input is an interruption too, and a
broken pipe gives status 1 with the streams silenced. ``tests/test_fastcli.py`` holds the option
table below to the typer command's own parameters, and compares the two parsers on generated
command lines: each line is either declined here or parsed to the same arguments.
"""

from __future__ import annotations

import errno
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

__all__ = ["FLAGS", "MULTIPLE", "VALUES", "convert_arguments", "run"]

VALUES: dict[str, str] = {
    "--to": "to", "-t": "to",
    "--out": "out", "-o": "out",
    "--style": "style", "-s": "style",
    "--set": "sets",
    "--from": "from_", "-f": "from_",
    "--server": "server",
}
"""``convert``'s options that take a value, by option string: the parameter each one sets."""

MULTIPLE = frozenset({"to", "sets"})
"""The parameters that options set once per use (``--to pdf --to epub``)."""

FLAGS: dict[str, str] = {"--json": "as_json", "--quiet": "quiet", "-q": "quiet", "--fetch-images": "fetch_images"}
"""``convert``'s flags, by option string: the parameter each one turns on."""

SERVER_ENV = "BRIEFPUB_SERVER"
"""The environment variable ``--server`` is read from when it is not given."""


def convert_arguments(args: Sequence[str]) -> dict[str, Any] | None:
    """The keyword arguments of :func:`briefpub.console.run_convert` for ``args`` (``sys.argv[1:]``), or None
    when the command line is not a plain ``convert`` (module docstring): then typer parses it."""
    if not args or args[0] != "convert":
        return None
    found: dict[str, Any] = {"inputs": [], "to": [], "out": Path("out"), "style": None, "sets": [],
                             "from_": None, "as_json": False, "quiet": False, "fetch_images": False,
                             "server": None}
    given: set[str] = set()
    i = 1
    while i < len(args):
        arg = args[i]
        i += 1
        if arg == "-" or not arg.startswith("-"):
            found["inputs"].append(arg)
            continue
        if arg in FLAGS:
            found[FLAGS[arg]] = True
            continue
        name, eq, value = arg.partition("=")
        key = VALUES.get(name)
        if key is None or (eq and not name.startswith("--")):  # (click reads -t=pdf as the value "=pdf")
            return None
        if not eq:
            if i == len(args) or args[i].startswith("-"):
                return None
            value = args[i]
            i += 1
        if key in MULTIPLE:
            found[key].append(value)
        elif key in given:
            return None
        else:
            found[key] = Path(value) if key == "out" else value
            given.add(key)
    if not found["inputs"] or (SERVER_ENV in os.environ and "server" not in given):
        return None
    return found


def run(args: Sequence[str]) -> int | None:
    """Run ``briefpub convert`` for ``args`` without typer: its exit code, or None when typer must take it."""
    found = convert_arguments(args)
    if found is None:
        return None
    from briefpub.console import INTERRUPTED, echo, guarded, run_convert, silence_stdout, streams_are_plain

    if not streams_are_plain():
        return None

    def body() -> int | None:
        # What typer's runner does around a command (typer.core._main), for the same ends.
        try:
            return run_convert(**found)
        except EOFError:
            echo("", err=True)
            raise KeyboardInterrupt from None
        except KeyboardInterrupt:
            return INTERRUPTED
        except OSError as exc:
            if exc.errno != errno.EPIPE:
                raise
            silence_stdout()
            return 1

    return guarded(body)
