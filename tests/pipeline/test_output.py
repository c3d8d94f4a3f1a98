"""Output stage: atomic writes, output-folder failures as one line (exit 2), short temp names, the stale-temp sweep."""

from __future__ import annotations

import errno
import json
import os
import resource
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import briefpub.pipeline.output as output
from briefpub.errors import OutputError
from briefpub.pipeline.output import (
    TEMP_RE,
    atomic_write,
    describe_os_error,
    is_temp_name,
    output_error,
    prepare_out_dir,
    remove_stale_temps,
)
from clirun import run

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(autouse=True)
def _epoch(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")


def _article(folder: Path, name: str = "a.txt") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text("Headline\n\nBody of the article.\n", encoding="utf-8")
    return path


def _files(folder: Path) -> list[str]:
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file()) if folder.exists() else []


def _one_line(err: str) -> str:
    assert err.startswith("error: ") and err.count("\n") == 1, err
    assert "internal error" not in err and "Traceback" not in err
    return err


def _dead_pid() -> int:
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


# ----------------------------------------------------------------------------- words


@pytest.mark.parametrize(
    ("code", "words"),
    [
        (errno.ENOSPC, "no space left on device"),
        (errno.EFBIG, "file too large"),
        (errno.EROFS, "read-only file system"),
        (errno.EACCES, "permission denied"),
        (errno.EISDIR, "is a folder, not a file"),
        (errno.ENAMETOOLONG, "file name too long"),
        (errno.EDQUOT, "disk quota exceeded"),
    ],
)
def test_os_errors_are_described_in_words(code: int, words: str) -> None:
    exc = OSError(code, os.strerror(code))
    assert describe_os_error(exc).startswith(words)
    error = output_error(Path("out/a.pdf"), exc)
    assert isinstance(error, OutputError) and error.exit_code == 2
    assert str(error) == f"out/a.pdf: {describe_os_error(exc)}"


def test_enotdir_names_the_file_in_the_way(tmp_path: Path) -> None:
    (tmp_path / "notes").write_text("x")
    target = tmp_path / "notes" / "sub" / "a.pdf"
    with pytest.raises(OutputError, match=r"notes: is a file, not a folder$"):
        atomic_write(target, b"data")
    assert describe_os_error(OSError(9999, "Strange Thing")) == "strange Thing"


# ----------------------------------------------------------------------------- atomic_write failures


@pytest.mark.parametrize("where", ["write", "fsync", "replace"])
def test_disk_full_at_any_step_leaves_no_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, where: str) -> None:
    def full(*args: object, **kwargs: object) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    if where == "write":
        real_fdopen = os.fdopen

        class Full:
            def __init__(self, fh: object) -> None:
                self.fh = fh

            def __enter__(self) -> Full:
                return self

            def __exit__(self, *exc: object) -> None:
                self.fh.close()  # type: ignore[attr-defined]

            def write(self, data: bytes) -> None:
                full()

        monkeypatch.setattr(output.os, "fdopen", lambda fd, mode: Full(real_fdopen(fd, mode)))
    else:
        monkeypatch.setattr(output.os, where, full)
    with pytest.raises(OutputError) as info:
        atomic_write(tmp_path / "a.pdf", b"x" * 100)
    assert str(info.value) == f"{tmp_path / 'a.pdf'}: no space left on device"
    assert list(tmp_path.iterdir()) == []


def test_convert_disk_full_is_one_line_exit_2(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    src = _article(tmp_path / "in")
    monkeypatch.setattr(output.os, "fsync", lambda fd: (_ for _ in ()).throw(OSError(errno.ENOSPC, "full")))
    code, out, err = run(["convert", str(src), "-t", "json", "-o", str(tmp_path / "out")], capsys)
    assert code == 2
    assert _one_line(err) == f"error: {tmp_path / 'out' / 'a.json'}: no space left on device\n"
    assert _files(tmp_path / "out") == []


def test_file_size_limit_is_a_clean_answer(tmp_path: Path) -> None:
    """A real EFBIG: a tiny RLIMIT_FSIZE (Python ignores SIGXFSZ, so the write fails instead of killing)."""
    src = _article(tmp_path / "in")

    def limit() -> None:
        resource.setrlimit(resource.RLIMIT_FSIZE, (200, 200))

    proc = subprocess.run(
        [sys.executable, "-m", "briefpub", "convert", str(src), "-t", "json", "-o", str(tmp_path / "out")],
        capture_output=True, text=True, preexec_fn=limit, env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"},
    )
    assert proc.returncode == 2, proc.stderr
    words = describe_os_error(OSError(errno.EFBIG, ""))
    assert _one_line(proc.stderr) == f"error: {tmp_path / 'out' / 'a.json'}: {words}\n"
    assert _files(tmp_path / "out") == []


def test_file_size_limit_on_the_build_report(tmp_path: Path) -> None:
    """The artifact (462 bytes) fits under the limit, the build report (~750 bytes) does not."""
    _article(tmp_path / "in")
    manifest = tmp_path / "briefpub.toml"
    manifest.write_text('[build]\nformats = ["json"]\n[[article]]\ninputs = ["in/*.txt"]\n')

    def limit() -> None:
        resource.setrlimit(resource.RLIMIT_FSIZE, (600, 600))

    proc = subprocess.run([sys.executable, "-m", "briefpub", "build", "-q", "-m", str(manifest)], capture_output=True,
                          text=True, preexec_fn=limit, env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"})
    assert proc.returncode == 2, proc.stderr
    assert _one_line(proc.stderr) == f"error: {tmp_path / 'out' / 'build-report.json'}: file too large " \
        "(the file system's or the process's file size limit)\n"
    assert _files(tmp_path / "out") == ["SHA256SUMS", "a.json"]


# ----------------------------------------------------------------------------- the output folder


def test_out_naming_a_file_fails_once_up_front(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    a, b = _article(tmp_path, "a.txt"), _article(tmp_path, "b.txt")
    (tmp_path / "out").write_text("not a folder")
    for command in (["convert", str(a), str(b), "-t", "json"], ["pack", str(a), str(b), "--title", "T", "-t", "json"]):
        code, out, err = run([*command, "-o", str(tmp_path / "out")], capsys)
        assert code == 2 and out == ""
        assert _one_line(err) == f"error: {tmp_path / 'out'}: is a file, not a folder\n"
    assert (tmp_path / "out").read_text() == "not a folder"


def test_path_under_a_file_names_the_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    a = _article(tmp_path)
    (tmp_path / "notes").write_text("x")
    code, _, err = run(["convert", str(a), "-t", "json", "-o", str(tmp_path / "notes" / "out")], capsys)
    assert code == 2 and _one_line(err) == f"error: {tmp_path / 'notes'}: is a file, not a folder\n"


def test_out_name_too_long(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    a = _article(tmp_path)
    out = tmp_path / ("x" * 300)
    code, _, err = run(["convert", str(a), "-t", "json", "-o", str(out)], capsys)
    assert code == 2 and _one_line(err) == f"error: {out}: file name too long for this file system\n"


def test_a_folder_where_one_output_goes_fails_that_input_only(tmp_path: Path,
                                                            capsys: pytest.CaptureFixture[str]) -> None:
    a, b = _article(tmp_path, "a.txt"), _article(tmp_path, "b.txt")
    (tmp_path / "out" / "a.json").mkdir(parents=True)
    code, out, err = run(["convert", str(a), str(b), "-t", "json", "-o", str(tmp_path / "out")], capsys)
    assert code == 2
    assert _one_line(err) == f"error: {tmp_path / 'out' / 'a.json'}: is a folder, not a file\n"
    assert out == f"{tmp_path / 'out' / 'b.json'}\n"  # the other input is still converted
    assert _files(tmp_path / "out") == ["b.json"]


def test_pack_output_is_a_folder(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    a = _article(tmp_path)
    (tmp_path / "out" / "t.json").mkdir(parents=True)
    code, _, err = run(["pack", str(a), "--title", "T", "-t", "json", "-o", str(tmp_path / "out")], capsys)
    assert code == 2 and _one_line(err) == f"error: {tmp_path / 'out' / 't.json'}: is a folder, not a file\n"


def _can_make_read_only_mounts() -> bool:
    if shutil.which("unshare") is None or not sys.platform.startswith("linux"):
        return False
    probe = subprocess.run(["unshare", "--user", "--map-root-user", "--mount", "true"], capture_output=True)
    return probe.returncode == 0


def _in_read_only_folder(folder: Path, args: list[str]) -> subprocess.CompletedProcess[str]:
    """Run briefpub with ``folder`` bind-mounted read-only in a private mount namespace (works as root too)."""
    script = (f'mount --bind "$1" "$1" && mount -o remount,ro,bind "$1" "$1" && shift && '
              f'exec "{sys.executable}" -m briefpub "$@"')
    return subprocess.run(["unshare", "--user", "--map-root-user", "--mount", "sh", "-c", script, "sh",
                           str(folder), *args], capture_output=True, text=True,
                          env={**os.environ, "PYTHONPATH": str(ROOT / "src")})


@pytest.mark.skipif(not _can_make_read_only_mounts(), reason="needs unshare with user and mount namespaces")
def test_read_only_output_folder(tmp_path: Path) -> None:
    a = _article(tmp_path / "in")
    out = tmp_path / "out"
    out.mkdir()
    (tmp_path / "m").mkdir()
    manifest = tmp_path / "m" / "briefpub.toml"
    manifest.write_text(f'[build]\nformats = ["json"]\n[[article]]\ninputs = ["{a}"]\n')
    for args in (["convert", str(a), "-t", "json", "-o", str(out)],
                 ["pack", str(a), "--title", "T", "-t", "json", "-o", str(out)],
                 ["build", "-m", str(manifest), "-o", str(out)],
                 ["convert", str(a), "-t", "json", "-o", str(out / "sub")]):
        proc = _in_read_only_folder(out, args)
        assert proc.returncode == 2, (args, proc.stderr)
        assert _one_line(proc.stderr).startswith(f"error: {out}")
        assert "read-only file system" in proc.stderr
    assert _files(out) == []


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="root ignores folder permissions")
def test_unwritable_output_folder(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    a = _article(tmp_path / "in")
    out = tmp_path / "out"
    out.mkdir()
    out.chmod(0o555)
    try:
        code, _, err = run(["convert", str(a), "-t", "json", "-o", str(out)], capsys)
    finally:
        out.chmod(0o755)
    assert code == 2 and "permission denied" in _one_line(err)


def test_build_records_an_output_failure_per_artifact(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _article(tmp_path / "in", "a.txt")
    _article(tmp_path / "in", "b.txt")
    manifest = tmp_path / "briefpub.toml"
    manifest.write_text('[build]\nformats = ["json"]\n[[article]]\ninputs = ["in/*.txt"]\n')
    (tmp_path / "out" / "a.json").mkdir(parents=True)
    code, out, err = run(["build", "-m", str(manifest), "--json"], capsys)
    assert code == 2
    report = json.loads(out)
    failed = [r for r in report["results"] if not r["ok"]]
    assert [r["id"] for r in failed] == ["article:a:json"]
    assert failed[0]["error"].endswith("a.json: is a folder, not a file")
    assert (tmp_path / "out" / "b.json").is_file()
    assert json.loads((tmp_path / "out" / "build-report.json").read_text())["failed"] == 1


def test_build_out_is_a_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _article(tmp_path / "in")
    manifest = tmp_path / "briefpub.toml"
    manifest.write_text('[build]\nformats = ["json"]\n[[article]]\ninputs = ["in/*.txt"]\n')
    (tmp_path / "out").write_text("x")
    code, _, err = run(["build", "-m", str(manifest)], capsys)
    assert code == 2 and _one_line(err) == f"error: {tmp_path / 'out'}: is a file, not a folder\n"
    code, _, err = run(["merge-reports", str(tmp_path / "nothing.json"), "-o", str(tmp_path / "out")], capsys)
    assert code == 2 and err.count("\n") == 1


def test_prepare_out_dir_creates_nothing_unless_asked(tmp_path: Path) -> None:
    prepare_out_dir(tmp_path / "new" / "deeper")
    assert not (tmp_path / "new").exists()
    prepare_out_dir(tmp_path / "new" / "deeper", create=True)
    assert (tmp_path / "new" / "deeper").is_dir() and list((tmp_path / "new" / "deeper").iterdir()) == []


# ----------------------------------------------------------------------------- temporary names and the sweep


def test_temp_names_are_short_and_carry_the_pid(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[str] = []
    real_replace = os.replace
    monkeypatch.setattr(output.os, "replace", lambda src, dst: (seen.append(src), real_replace(src, dst)))
    long_name = "n" * 240 + ".docx"  # a temp name 32 characters longer than this would not fit in 255
    atomic_write(tmp_path / long_name, b"data")
    name = Path(seen[0]).name
    m = TEMP_RE.match(name)
    assert m and int(m.group(1)) == os.getpid() and len(name) <= 27 and is_temp_name(name)
    assert sorted(p.name for p in tmp_path.iterdir()) == [long_name]


def test_convert_an_input_with_a_240_character_stem(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    src = _article(tmp_path / "in", "s" * 240 + ".txt")
    code, _, err = run(["convert", str(src), "-t", "json", "-o", str(tmp_path / "out")], capsys)
    assert code == 0, err
    assert _files(tmp_path / "out") == ["s" * 240 + ".json"]


def test_sweep_is_recursive_and_keeps_temps_of_live_processes(tmp_path: Path) -> None:
    dead = _dead_pid()
    with subprocess.Popen([sys.executable, "-c", "import sys; sys.stdin.read()"], stdin=subprocess.PIPE) as other:
        files = {
            "dead-top": tmp_path / f".bp-{dead}-0123abcd.tmp",
            "dead-deep": tmp_path / "a" / "b" / f".bp-{dead}-89abcdef.tmp",
            "legacy": tmp_path / "a" / ".x.pdf.k2j3h4.briefpub-partial",
            "mine": tmp_path / "a" / f".bp-{os.getpid()}-00000000.tmp",
            "other-live": tmp_path / f".bp-{other.pid}-11111111.tmp",
            "artifact": tmp_path / "a" / "b" / "report.pdf",
            "look-alike": tmp_path / f".bp-{dead}-xyz.tmp",
        }
        for path in files.values():
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(b"x")
        assert remove_stale_temps(tmp_path) == 3
        assert other.stdin is not None
        other.stdin.close()
    kept = {k for k, p in files.items() if p.exists()}
    assert kept == {"mine", "other-live", "artifact", "look-alike"}
    assert remove_stale_temps(tmp_path / "missing") == 0


def test_publish_sweeps_only_temps_of_ended_processes(tmp_path: Path) -> None:
    from datetime import UTC, datetime

    from briefpub.pipeline import publish
    from briefpub.styling import load_style
    from briefpub.tree import Document, Meta, Publication

    stale = tmp_path / f".bp-{_dead_pid()}-0123abcd.tmp"
    live = tmp_path / f".bp-{os.getpid()}-0123abcd.tmp"  # e.g. another job of this build writing now
    stale.write_bytes(b"partial")
    live.write_bytes(b"partial")
    artifacts, _ = publish(Publication((Document(Meta(title="T")),)), {}, [("json", tmp_path / "a.json")],
                           load_style(), build_time=datetime(2020, 1, 1, tzinfo=UTC))
    assert not stale.exists() and live.exists()
    assert [a.path.name for a in artifacts] == ["a.json"]
