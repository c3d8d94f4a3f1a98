"""The console script's end (``briefpub.__main__.finish``): what a normal exit does, without the teardown."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from briefpub.__main__ import exit_status


def _python(script: str, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", textwrap.dedent(script)], cwd=tmp_path, capture_output=True,
                          text=True, timeout=120, check=False, env={**os.environ, "BRIEFPUB_CACHE_DIR": str(tmp_path)})


@pytest.mark.parametrize(("code", "status"), [(None, 0), (0, 0), (2, 2), (130, 130), (256, 0), (-1, 255),
                                              (True, 1), ("a message", 1)])
def test_the_status_is_the_one_sys_exit_gives(code: object, status: int, tmp_path: Path,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    assert exit_status(code) == status
    assert capsys.readouterr().err == ("a message\n" if code == "a message" else "")
    normal = _python(f"import sys; sys.exit({code!r})", tmp_path)
    fast = _python(f"from briefpub.__main__ import finish; finish({code!r})", tmp_path)
    assert normal.returncode == fast.returncode == status
    assert normal.stderr == fast.stderr  # ("a message" is printed on stderr by both)


def test_atexit_handlers_run_and_buffered_output_is_flushed(tmp_path: Path) -> None:
    """Output still in the buffers of a pipe and work left to atexit handlers are not lost."""
    out = _python("""
        import atexit, sys
        from pathlib import Path
        atexit.register(lambda: Path("saved").write_text("yes"))
        atexit.register(lambda: print("from a handler"))
        sys.stdout.write("x" * 300_000)  # more than a pipe's buffer, partly still in Python's
        sys.stderr.write("unterminated")
        from briefpub.__main__ import finish
        finish(3)
    """, tmp_path)
    assert out.returncode == 3
    assert out.stdout == "x" * 300_000 + "from a handler\n"
    assert out.stderr == "unterminated"
    assert (tmp_path / "saved").read_text() == "yes"


def test_a_running_thread_is_waited_for(tmp_path: Path) -> None:
    """While a (non-daemon) thread is alive, the normal exit is taken: Python waits for the thread."""
    out = _python("""
        import threading, time
        from pathlib import Path
        def work():
            time.sleep(0.3)
            Path("done").write_text("yes")
        threading.Thread(target=work).start()
        from briefpub.__main__ import finish
        finish(4)
    """, tmp_path)
    assert out.returncode == 4
    assert (tmp_path / "done").read_text() == "yes"


def test_a_reader_that_went_away_is_no_error(tmp_path: Path) -> None:
    """``briefpub ... | head -c1``: the final flush into a closed pipe neither prints nor changes the status."""
    script = ("import sys\nsys.stdout.write('y' * 200_000)\n"
              "from briefpub.__main__ import finish\nfinish(0)\n")
    proc = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            env={**os.environ, "BRIEFPUB_CACHE_DIR": str(tmp_path)})
    assert proc.stdout is not None and proc.stderr is not None
    assert proc.stdout.read(1) == b"y"
    proc.stdout.close()
    assert proc.wait(timeout=60) == 0
    with proc.stderr:
        assert proc.stderr.read() == b""


def test_the_console_script_keeps_the_codecache_entries(tmp_path: Path) -> None:
    """The caches saved by atexit handlers are written by a run that ends through finish."""
    cache = tmp_path / "cache"
    for _ in range(2):  # (a pattern's program is kept once a second process compiles it)
        out = subprocess.run([sys.executable, "-m", "briefpub", "formats"], capture_output=True, text=True,
                             timeout=120, check=False, env={**os.environ, "BRIEFPUB_CACHE_DIR": str(cache)})
        assert out.returncode == 0 and "formats:" in out.stdout
    assert any((cache / "dataclass-code").iterdir()) and any((cache / "regex-code").iterdir())


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full")
def test_output_that_cannot_be_written_is_reported(tmp_path: Path) -> None:
    """stdout on a full disk: the final flush fails, and that is said, with the status Python gives (120)."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONUNBUFFERED"}  # (buffered, as a user's shell has it)
    results = []
    for end in ("", "from briefpub.__main__ import finish\nfinish(0)\n"):
        with open("/dev/full", "w") as full:
            results.append(subprocess.run([sys.executable, "-c", f"import sys\nsys.stdout.write('z' * 100)\n{end}"],
                                          stdout=full, stderr=subprocess.PIPE, text=True, timeout=60, check=False,
                                          env={**env, "BRIEFPUB_CACHE_DIR": str(tmp_path)}))
    normal, fast = results
    assert normal.returncode == fast.returncode == 120
    assert "No space left on device" in fast.stderr and "<stdout>" in fast.stderr
