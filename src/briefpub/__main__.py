"""``python -m briefpub`` and the ``briefpub`` console script (:func:`run`).

The start-up caches (compiled dataclass methods and regular-expression programs, see
:mod:`briefpub._codecache`) are installed before typer and the pipeline are imported, so their
classes and patterns cost less; a library user who imports :mod:`briefpub.cli` is left alone. A plain
``briefpub convert`` command line is then run without typer (:mod:`briefpub.fastcli`).

When the command is done, :func:`finish` ends the process without the interpreter's teardown
(freeing every module, class and object one by one: about 20 ms of CPU after a conversion, a fifth
of a cold EPUB run). Everything a normal exit does that anyone can observe is still done, in the
same order: the ``atexit`` handlers run (the caches above are saved, temporary folders removed,
worker pools joined), then stdout and stderr are flushed, then the process exits with the same
status. Output files are already closed and renamed into place by then (:mod:`briefpub.pipeline.output`),
so nothing is left half-written. While a thread other than the main one is alive, the normal exit
is taken, so that it is waited for as Python waits for it.
"""

from __future__ import annotations

import sys


def exit_status(code: object) -> int:
    """The process status ``sys.exit(code)`` gives: None is 0, an int itself, anything else is printed and 1."""
    if code is None:
        return 0
    if isinstance(code, int):
        return code & 0xFF  # what the operating system keeps of it (-1 is 255), as for sys.exit
    print(code, file=sys.stderr)
    return 1


def finish(code: object) -> None:
    """End the process with ``sys.exit(code)``'s status: ``atexit`` handlers, flushed streams, no teardown."""
    import atexit
    import contextlib
    import os
    import threading

    if any(t is not threading.main_thread() and not t.daemon for t in threading.enumerate()):
        raise SystemExit(code)  # Python waits for such a thread; so must we
    atexit._run_exitfuncs()  # what a normal exit runs first (handlers' errors are printed, as then)
    status = exit_status(code)
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (BrokenPipeError, ValueError):  # its reader went away (`briefpub x | head`), or it is closed
            pass
        except OSError as exc:  # a full disk, say: as Python's own exit, said on stderr and status 120
            with contextlib.suppress(OSError, ValueError, AttributeError):
                sys.stderr.write(f"error: cannot write {getattr(stream, 'name', 'output')}: {exc}\n")
                sys.stderr.flush()
            status = 120
    os._exit(status)


def run() -> None:
    """Install the start-up caches, run the command, then :func:`finish`.

    A plain ``briefpub convert`` line runs without typer (:mod:`briefpub.fastcli`); every other one goes
    to the typer app (:func:`briefpub.cli.main`).
    """
    from briefpub._codecache import install

    install()
    from briefpub.fastcli import run as run_plain

    code = run_plain(sys.argv[1:])
    if code is not None:
        finish(code)
    from briefpub.cli import main

    try:
        main()
    except SystemExit as exc:
        finish(exc.code)
    finish(0)


if __name__ == "__main__":
    run()
