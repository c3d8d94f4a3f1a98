"""``briefpub serve`` as a command: refusals, a clean stop, no orphan workers, even after SIGKILL."""

from __future__ import annotations

import signal
import time
from pathlib import Path

import pytest

from clirun import run
from serving import ServerProcess

pytestmark = pytest.mark.slow


def test_off_loopback_needs_a_token(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch,
                                    tmp_path: Path) -> None:
    monkeypatch.delenv("BRIEFPUB_TOKEN", raising=False)
    code, out, err = run(["serve", "--host", "0.0.0.0", "--data", str(tmp_path)], capsys)
    assert (code, out) == (2, "")
    assert err == "error: --host 0.0.0.0: binding off the loopback needs a token (--token or BRIEFPUB_TOKEN)\n"
    code, _out, err = run(["serve", "--token", " ", "--data", str(tmp_path)], capsys)
    assert code == 2 and err == "error: --token: empty\n"
    (tmp_path / "file").write_text("x")
    code, _out, err = run(["serve", "--data", str(tmp_path / "file" / "sub")], capsys)
    assert code == 2 and err.startswith("error: ") and "is a file, not a folder" in err


def _gone(pids: list[int], seconds: float = 15) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        alive = []
        for pid in pids:
            try:
                state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
            except OSError:
                continue
            if state != "Z":
                alive.append(pid)
        if not alive:
            return True
        time.sleep(0.1)
    return False


@pytest.mark.parametrize("how", [signal.SIGTERM, signal.SIGINT, signal.SIGKILL])
def test_no_orphan_workers(tmp_path: Path, how: signal.Signals) -> None:
    server = ServerProcess(tmp_path / "data")
    server.start()
    assert server.proc is not None
    workers = server.children()
    assert workers  # the warm worker (and multiprocessing's resource tracker)
    server.proc.send_signal(how)
    server.proc.wait(30)
    assert _gone(workers), "worker processes outlived the server"
    if how != signal.SIGKILL:  # a graceful stop: a normal exit, nothing reported leaked
        assert server.proc.returncode == 0
        assert server.proc.stderr is not None
        stderr = server.proc.stderr.read().decode()
        assert "leaked" not in stderr and "Traceback" not in stderr, stderr
    server.stop()


def test_crash_mid_build_loses_nothing(tmp_path: Path) -> None:
    """SIGKILL while a pack builds: after a restart the draft and its articles are intact, the build
    is marked interrupted, and building again works."""
    import json
    import urllib.request

    from conftest import ROOT  # type: ignore[attr-defined]

    def call(method: str, path: str, body: object = None) -> dict:  # type: ignore[type-arg]
        data = None if body is None else json.dumps(body).encode()
        req = urllib.request.Request(server.url + path, data, {"Content-Type": "application/json"}, method=method)
        with urllib.request.urlopen(req, timeout=60) as r:
            return dict(json.loads(r.read()))

    server = ServerProcess(tmp_path / "data")
    server.start()
    assert server.proc is not None
    draft = call("POST", "/api/drafts", {"settings": {"title": "Crash"}})
    text = (ROOT / "fixtures" / "txt" / "geneva-round.txt").read_text(encoding="utf-8")
    for i in range(12):
        call("POST", f"/api/drafts/{draft['id']}/articles", {"text": text, "filename": f"a{i}.txt"})
    before = call("GET", f"/api/drafts/{draft['id']}")
    build = call("POST", f"/api/drafts/{draft['id']}/builds")
    server.proc.send_signal(signal.SIGKILL)
    server.proc.wait(30)
    server.stop()
    server.start()
    try:
        after = call("GET", f"/api/drafts/{draft['id']}")
        assert after["last_build"]["status"] == "interrupted"
        assert {**after, "last_build": None} == before
        assert call("GET", f"/api/builds/{build['id']}")["status"] == "interrupted"
        again = call("POST", f"/api/drafts/{draft['id']}/builds")
        for _ in range(600):
            state = call("GET", f"/api/builds/{again['id']}")
            if state["status"] not in ("queued", "running"):
                break
            time.sleep(0.2)
        assert state["status"] == "done" and state["result"]["articles"] == 12
    finally:
        server.stop()
