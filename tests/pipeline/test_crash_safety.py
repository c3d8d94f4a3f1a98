"""Crash safety: a build killed mid-way leaves no partial artifact under a final name.

A real ``briefpub build`` process is killed while it writes PDFs. Every artifact left under
its final name must be complete (it opens and has all its pages); SIGTERM also removes the
temporary file being written; after SIGKILL (which no process can intercept) the hidden
temporary file may remain, and the next build removes it. With ``--jobs N`` the worker
processes end with the build, however it is killed, and leave no temporary file.
"""

from __future__ import annotations

import io
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from briefpub.pipeline import TEMP_SUFFIX
from briefpub.pipeline.output import is_temp_name
from clirun import interruptible, wait_for_outputs


def _project(tmp_path: Path, count: int = 40) -> Path:
    arts = tmp_path / "articles"
    arts.mkdir()
    body = "\n\n".join(f"Paragraph {i}. " + "Delegations met to agree the agenda and the statement. " * 12
                       for i in range(40))
    for i in range(count):
        (arts / f"a{i:03d}.txt").write_text(f"Article {i}\n\n{body}\n")
    manifest = tmp_path / "briefpub.toml"
    manifest.write_text('[build]\nout = "out"\nformats = ["pdf"]\n[[article]]\ninputs = ["articles/*.txt"]\n')
    return manifest


def _complete_pdf(data: bytes) -> bool:
    from pypdf import PdfReader

    try:
        reader = PdfReader(io.BytesIO(data), strict=True)
        return len(reader.pages) > 0 and data.rstrip().endswith(b"%%EOF")
    except Exception:
        return False


def _kill_mid_build(tmp_path: Path, sig: signal.Signals) -> Path:
    manifest = _project(tmp_path)
    out = tmp_path / "out"
    env = {**os.environ, "SOURCE_DATE_EPOCH": "1"}
    proc = subprocess.Popen([sys.executable, "-m", "briefpub", "build", "-q", "-m", str(manifest)], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wait_for_outputs(proc, out, 3)
    proc.send_signal(sig)
    proc.wait(timeout=60)
    assert proc.returncode == -sig
    assert not (out / "SHA256SUMS").exists()  # the build never finished
    finals = [p for p in out.iterdir() if not p.name.startswith(".")]
    assert finals and len(finals) < 40
    for path in finals:
        assert _complete_pdf(path.read_bytes()), f"{path.name} is a partial artifact"
    return manifest


def test_sigterm_leaves_only_complete_artifacts_and_no_temporary_file(tmp_path: Path) -> None:
    _kill_mid_build(tmp_path, signal.SIGTERM)
    assert not [p.name for p in (tmp_path / "out").iterdir() if p.name.endswith(TEMP_SUFFIX)]


def test_sigkill_leaves_only_complete_artifacts_and_the_next_build_cleans_up(tmp_path: Path) -> None:
    manifest = _kill_mid_build(tmp_path, signal.SIGKILL)
    out = tmp_path / "out"
    leftovers = [p for p in out.iterdir() if p.name.startswith(".")]
    assert all(is_temp_name(p.name) for p in leftovers)  # hidden, never under a final name
    done = subprocess.run([sys.executable, "-m", "briefpub", "build", "-q", "-m", str(manifest)],
                          env={**os.environ, "SOURCE_DATE_EPOCH": "1"}, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert not [p for p in out.iterdir() if p.name.startswith(".")]
    assert len([p for p in out.iterdir() if p.suffix == ".pdf"]) == 40


def _children(pid: int) -> list[int]:
    """Process ids whose parent is ``pid`` (Linux /proc)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(entry.name))
    return found


def _running(pid: int) -> bool:
    """Alive and not a zombie (an orphan may wait a moment for its new parent to reap it)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] not in ("Z", "X")


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads worker processes from /proc")
@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT, signal.SIGKILL])
def test_killing_a_parallel_build_ends_its_workers(tmp_path: Path, sig: signal.Signals) -> None:
    manifest = _project(tmp_path, count=24)
    out = tmp_path / "out"
    proc = subprocess.Popen([sys.executable, "-m", "briefpub", "build", "-q", "--jobs", "2", "-m", str(manifest)],
                            env={**os.environ, "SOURCE_DATE_EPOCH": "1"}, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, text=True, preexec_fn=interruptible)
    wait_for_outputs(proc, out, 2)
    workers = _children(proc.pid)
    assert len(workers) >= 2
    proc.send_signal(sig)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == (130 if sig == signal.SIGINT else -sig), err
    assert "Traceback" not in err
    built = sorted(p.name for p in out.iterdir() if p.suffix == ".pdf")
    deadline = time.monotonic() + 30
    while any(_running(w) for w in workers) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not [w for w in workers if _running(w)], "worker processes outlived the build"
    # the jobs in progress were abandoned, not finished after the build died
    assert sorted(p.name for p in out.iterdir() if p.suffix == ".pdf") == built
    assert not [p.name for p in out.iterdir() if is_temp_name(p.name)]  # each worker removed its own
    assert not (out / "SHA256SUMS").exists()
    for path in out.iterdir():
        assert _complete_pdf(path.read_bytes()), f"{path.name} is a partial artifact"


@pytest.mark.skipif(not hasattr(os, "fork") or not Path("/proc/self/stat").exists(), reason="forks, reads /proc")
def test_parent_watch_fallback_ends_a_worker_and_removes_its_temp(tmp_path: Path) -> None:
    """Where PR_SET_PDEATHSIG is missing, a worker polls its parent id and ends, removing its temporary file."""
    script = f"""
import os, threading, time
from pathlib import Path
from briefpub.pipeline import build, output
parent = os.getpid()
child = os.fork()
if child == 0:
    output.install_termination_cleanup()
    fd, name = output._open_temp(Path({str(tmp_path)!r}))
    output._LIVE_TEMPS.add(name)
    threading.Thread(target=build._watch_parent, args=(parent, 0.05), daemon=True).start()
    time.sleep(60)
    os._exit(0)
print(child, flush=True)
while not list(Path({str(tmp_path)!r}).iterdir()):
    time.sleep(0.01)
"""
    proc = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None
    worker = int(proc.stdout.readline())
    proc.wait(timeout=30)
    proc.stdout.close()
    deadline = time.monotonic() + 30
    while _running(worker) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not _running(worker)
    assert list(tmp_path.iterdir()) == []
