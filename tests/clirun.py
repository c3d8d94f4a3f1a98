"""Run the CLI in-process and capture its exit code, stdout and stderr (shared by CLI tests)."""

from __future__ import annotations

import pytest

from briefpub.cli import main


def run(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    """``briefpub ARGS`` as the console script runs it: (exit code, stdout, stderr)."""
    try:
        main(args)
        code = 0
    except SystemExit as exc:
        code = int(exc.code or 0)
    captured = capsys.readouterr()
    return code, captured.out, captured.err
