"""Run the CLI in-process and capture its exit code, stdout and stderr; wait on a CLI child process
(shared by CLI tests)."""

from __future__ import annotations

import signal
import subprocess
import time
from pathlib import Path

import pytest

from briefpub import fastcli
from briefpub.cli import main


def run(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    """``briefpub ARGS`` as the console script runs it (a plain ``convert`` without typer, the rest with
    it: :func:`briefpub.__main__.run`): (exit code, stdout, stderr)."""
    code: int | None = fastcli.run(args)
    if code is None:
        try:
            main(args)
            code = 0
        except SystemExit as exc:
            code = int(exc.code or 0)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def wait_for_outputs(proc: subprocess.Popen[str] | subprocess.Popen[bytes], folder: Path, count: int,
                     suffix: str = ".pdf", seconds: float = 120) -> None:
    """Wait until ``folder`` holds ``count`` files ending in ``suffix`` (the child is at work); fail after
    ``seconds``, killing it."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if folder.is_dir() and len([p for p in folder.iterdir() if p.suffix == suffix]) >= count:
            return
        time.sleep(0.02)
    proc.kill()
    pytest.fail(f"{count} {suffix} file(s) were not written within {seconds:.0f} s")


def interruptible() -> None:
    """``preexec_fn`` for a child that a test interrupts with SIGINT: Ctrl-C is not ignored in it.

    A background job of a non-interactive shell (``pytest ... &``) ignores SIGINT and SIGQUIT, and every
    process it starts inherits that: without this, such a run of the suite saw its children finish
    instead of stopping.
    """
    signal.signal(signal.SIGINT, signal.SIG_DFL)
