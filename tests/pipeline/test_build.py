"""Manifest builds: planning, failures isolated, reproducible SHA256SUMS, shards, jobs, report."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from briefpub.errors import UsageError
from briefpub.pipeline.build import load_manifest, merge_reports, parse_shard, plan, shard, sums_text
from clirun import run

ROOT = Path(__file__).resolve().parents[2]
EXT = {"pdf": ".pdf", "epub": ".epub", "docx": ".docx", "json": ".json"}


def make_project(tmp_path: Path, *, bad: bool = False, formats: str = '["json"]') -> Path:
    arts = tmp_path / "articles"
    arts.mkdir()
    for i in range(5):
        (arts / f"a{i}.txt").write_text(f"Headline {i}\n\nBody of article {i}.\n\nAdd new comment\n")
    if bad:
        (arts / "broken.txt").write_bytes(b"")
    manifest = tmp_path / "briefpub.toml"
    manifest.write_text(
        f"""
[build]
out = "dist"
formats = {formats}

[[pack]]
title = "Daily Pack / ../ Test"
inputs = ["articles/a*.txt"]
compiled_by = "Unit"
[pack.set]
marking = "OFFICIAL"

[[article]]
inputs = ["articles/*.txt"]
out = "single"
""",
        encoding="utf-8",
    )
    return manifest




@pytest.fixture(autouse=True)
def _epoch(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")


def test_plan_is_sorted_and_names_are_safe(tmp_path: Path) -> None:
    manifest = load_manifest(make_project(tmp_path))
    jobs = plan(manifest, list(EXT), EXT)
    paths = [j.path for j in jobs]
    assert paths == sorted(paths)
    assert "daily-pack-test.json" in paths  # slug: no separators, no '..'
    assert [p for p in paths if p.startswith("single/")] == [f"single/a{i}.json" for i in range(5)]


def test_build_writes_artifacts_sums_and_report(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    manifest = make_project(tmp_path)
    code, out, err = run(["build", "--manifest", str(manifest), "--quiet"], capsys)
    assert code == 0, err
    dist = tmp_path / "dist"
    sums = (dist / "SHA256SUMS").read_text()
    assert len(sums.splitlines()) == 6
    check = subprocess.run(["sha256sum", "-c", "SHA256SUMS"], cwd=dist, capture_output=True, text=True)
    assert check.returncode == 0, check.stdout + check.stderr
    report = json.loads((dist / "build-report.json").read_text())
    assert report["schema"] == "briefpub.build-report/1" and report["ok"] and report["artifacts"] == 6
    pack_entry = next(r for r in report["results"] if r["kind"] == "pack")
    assert [i["path"] for i in pack_entry["inputs"]] == [f"articles/a{i}.txt" for i in range(5)]
    assert any(d["code"] == "reader.boilerplate-removed" for d in pack_entry["diagnostics"])
    pack_json = json.loads((dist / "daily-pack-test.json").read_text())
    assert pack_json["pack"]["title"] == "Daily Pack / ../ Test"
    assert pack_json["pack"]["date"] == "2023-11-14"  # from SOURCE_DATE_EPOCH (writers print it in the pack language)
    assert all(d["meta"]["marking"] == "OFFICIAL" for d in pack_json["documents"])


def test_failing_article_fails_its_artifact_only(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    manifest = make_project(tmp_path, bad=True)
    code, out, err = run(["build", "-m", str(manifest), "--json"], capsys)
    assert code == 1
    report = json.loads(out)
    failed = [r for r in report["results"] if not r["ok"]]
    assert [r["id"] for r in failed] == ["article:single/broken:json"]
    assert "file is empty" in failed[0]["error"]
    assert report["failed"] == 1 and report["artifacts"] == 7
    assert (tmp_path / "dist" / "single" / "a0.json").is_file()
    assert not (tmp_path / "dist" / "single" / "broken.json").exists()
    assert "broken" not in (tmp_path / "dist" / "SHA256SUMS").read_text()


def test_two_builds_give_identical_sums(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    manifest = make_project(tmp_path)
    run(["build", "-m", str(manifest), "-q", "--out", str(tmp_path / "one")], capsys)
    run(["build", "-m", str(manifest), "-q", "--out", str(tmp_path / "two"), "--jobs", "2"], capsys)
    assert (tmp_path / "one" / "SHA256SUMS").read_bytes() == (tmp_path / "two" / "SHA256SUMS").read_bytes()


def test_shards_together_equal_the_full_build(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    manifest = make_project(tmp_path)
    run(["build", "-m", str(manifest), "-q", "--out", str(tmp_path / "full")], capsys)
    reports = []
    for i in (1, 2, 3):
        shard_out = tmp_path / f"shard{i}"
        code, _, err = run(["build", "-m", str(manifest), "-q", "--shard", f"{i}/3", "--out", str(shard_out)], capsys)
        assert code == 0, err
        reports.append(shard_out / "build-report.json")
    shard_sums = [(tmp_path / f"shard{i}" / "SHA256SUMS").read_text().splitlines() for i in (1, 2, 3)]
    assert all(shard_sums) and sum(len(s) for s in shard_sums) == 6
    code, out, _ = run(["merge-reports", *map(str, reports), "--out", str(tmp_path / "merged")], capsys)
    assert code == 0
    assert (tmp_path / "merged" / "SHA256SUMS").read_bytes() == (tmp_path / "full" / "SHA256SUMS").read_bytes()
    merged = json.loads((tmp_path / "merged" / "build-report.json").read_text())
    full = json.loads((tmp_path / "full" / "build-report.json").read_text())
    assert [r["id"] for r in merged["results"]] == [r["id"] for r in full["results"]]


def test_shard_helpers() -> None:
    assert parse_shard("2/4") == (2, 4)
    for bad in ("0/4", "5/4", "x", "1/0"):
        with pytest.raises(UsageError):
            parse_shard(bad)
    items = list(range(10))
    parts = [shard(items, i, 3) for i in (1, 2, 3)]  # type: ignore[arg-type]
    assert sorted(x for p in parts for x in p) == items


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[[pack]]\ninputs = ['x']\n", "a pack needs a title"),
        ("[[pack]]\ntitle = 'T'\ninputs = ['nomatch*.txt']\n", "matches no file"),
        ("[[article]]\ninputs = ['a.txt']\ncolour = 1\n", "unknown keys ['colour']"),
        ("[stuff]\n", "unknown table"),
        ("[[article]]\ninputs = ['a.txt']\nout = '../x'\n", "inside the output folder"),
        ("[[article]]\ninputs = ['a.txt']\nformats = ['odt']\n", "unknown format 'odt'"),
        ("[[article]]\ninputs = ['a.txt']\n[[article]]\ninputs = ['a.txt']\n", "two targets would write"),
        ("[[article\n", "not a valid manifest"),
    ],
)
def test_manifest_errors(tmp_path: Path, capsys: pytest.CaptureFixture[str], text: str, message: str) -> None:
    (tmp_path / "a.txt").write_text("Headline\n\nText.\n")
    manifest = tmp_path / "briefpub.toml"
    manifest.write_text(text)
    code, out, err = run(["build", "-m", str(manifest)], capsys)
    assert code == 2
    assert err.startswith("error: ") and message in err and err.count("\n") == 1


def test_missing_manifest(tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    code, _, err = run(["build"], capsys)
    assert code == 2 and "briefpub.toml: manifest not found" in err


def test_merge_rejects_non_reports() -> None:
    with pytest.raises(UsageError):
        merge_reports([{"schema": "x"}])
    assert sums_text([{"output": {"path": "b", "sha256": "2"}}, {"output": None},
                      {"output": {"path": "a", "sha256": "1"}}]) == "1  a\n2  b\n"


def test_repository_manifest_is_valid() -> None:
    manifest = load_manifest(ROOT / "briefpub.toml")
    kinds = {t.kind for t in manifest.targets}
    assert kinds == {"pack", "article"}
    assert len(plan(manifest, list(EXT), EXT)) >= 6


def test_build_progress_is_off_when_not_a_terminal(tmp_path: Path) -> None:
    manifest = make_project(tmp_path)
    proc = subprocess.run([sys.executable, "-m", "briefpub", "build", "-m", str(manifest)], capture_output=True,
                          text=True, env={**os.environ, "SOURCE_DATE_EPOCH": "1"})
    assert proc.returncode == 0
    assert "\r" not in proc.stderr and "\x1b[" not in proc.stderr
    assert proc.stderr.startswith("built 6 of 6 artifact(s)")


def test_build_progress_is_drawn_on_a_terminal(tmp_path: Path) -> None:
    import pty

    manifest = make_project(tmp_path)
    master, slave = pty.openpty()
    proc = subprocess.Popen([sys.executable, "-m", "briefpub", "build", "-m", str(manifest)],
                            stdout=subprocess.PIPE, stderr=slave, env={**os.environ, "SOURCE_DATE_EPOCH": "1",
                                                                       "TERM": "xterm", "COLUMNS": "100"})
    os.close(slave)
    chunks = []
    while True:
        try:
            data = os.read(master, 65536)
        except OSError:
            break
        if not data:
            break
        chunks.append(data)
    proc.wait(timeout=60)
    assert proc.stdout is not None
    proc.stdout.close()
    os.close(master)
    seen = b"".join(chunks).decode("utf-8", "replace")
    assert proc.returncode == 0
    assert "\x1b[" in seen  # the progress bar was drawn (and cleared) on the terminal
    assert "built 6 of 6" in seen
