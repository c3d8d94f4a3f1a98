"""Manifest builds: planning, failures isolated, reproducible SHA256SUMS, shards, jobs, report."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

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
    run(["build", "-m", str(manifest), "-q", "--out", str(tmp_path / "two"), "--jobs", "2", "--no-cache"], capsys)
    assert (tmp_path / "one" / "SHA256SUMS").read_bytes() == (tmp_path / "two" / "SHA256SUMS").read_bytes()


def test_shards_together_equal_the_full_build(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    manifest = make_project(tmp_path)
    run(["build", "-m", str(manifest), "-q", "--out", str(tmp_path / "full")], capsys)
    reports = []
    for i in (1, 2, 3):
        shard_out = tmp_path / f"shard{i}"
        code, _, err = run(["build", "-m", str(manifest), "-q", "--shard", f"{i}/3", "--out", str(shard_out),
                            "--no-cache"], capsys)
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
        ("[[article]]\ninputs = ['a.txt']\ncolour = 1\n", "article[0].colour: unknown key"),
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


# ----------------------------------------------------------------------------- manifest validation (issue 14)

_ART = "[[article]]\ninputs = ['a.txt']\n"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("build = 5\n", "build: expected a table ([build]), not 5"),
        ("pack = [1, 2]\n", "pack[0]: expected a table ([[pack]]), not 1"),
        ("[pack]\ntitle = 'T'\n", "pack: use [[pack]] tables"),
        ("[[article]]\ninputs = 'a.txt'\n", "article[0].inputs: expected a list of non-empty strings"),
        ("[[article]]\ninputs = []\n", "article[0].inputs: is empty"),
        ("[[article]]\ninputs = ['']\n", "article[0].inputs: expected a list of non-empty strings"),
        ("[build]\nformats = []\n" + _ART, "build.formats: is empty"),
        ("[build]\nformats = 'pdf'\n" + _ART, "build.formats: expected a list"),
        ("[build]\nstyle = {name = 'x'}\n" + _ART, "build.style: expected a string, not a table"),
        ("[build]\nout = 3\n" + _ART, "build.out: expected a string, not 3"),
        ("[[pack]]\ntitle = {a = 1}\ninputs = ['a.txt']\n", "pack[0].title: a pack needs a title, not a table"),
        ("[[pack]]\ntitle = 'T'\nversion = 1.0\ninputs = ['a.txt']\n", 'pack[0].version: expected a string, not 1.0'
         ' (quote it: version = "1.0")'),
        ("[[pack]]\ntitle = 'T'\nskip_bad_inputs = 'false'\ninputs = ['a.txt']\n",
         "pack[0].skip_bad_inputs: expected true or false (unquoted), not \"false\""),
        ("[[pack]]\ntitle = 'T'\nsummary_page = 1\ninputs = ['a.txt']\n", "pack[0].summary_page: expected true or"),
        ("[[pack]]\ntitle = 'T'\ninputs = ['a.txt']\n[pack.set]\nmarking = ['x']\n",
         "pack[0].set.marking: expected a string, number or boolean"),
        ("[[pack]]\ntitle = 'T'\ninput = ['a.txt']\n", "pack[0].input: unknown key (did you mean 'inputs'?"),
        ("[[article]]\ninputs = ['a.txt']\nfromats = ['pdf']\n", "article[0].fromats: unknown key (did you mean"),
        ("[biuld]\n", "biuld: unknown table (did you mean 'build'?"),
        ("[[article]]\ninputs = ['a.txt']\nfrom = 'doc'\n", "article[0].from: unknown input format 'doc'"),
        ("[build]\nout = '../elsewhere'\n" + _ART, "build.out: '../elsewhere': must be a folder inside the manifest's"),
        ("[build]\nout = '/tmp/x'\n" + _ART, "build.out: '/tmp/x': must be a relative folder"),
        ("[build]\nout = 'a/../..'\n" + _ART, "build.out: 'a/../..': must be a folder inside"),
        ("[build]\nout = '.'\n" + _ART, "build.out: '.': must be a sub-folder"),
        ("[[article]]\ninputs = ['a.txt']\nout = 'x/../../y'\n", "article[0].out: 'x/../../y': must be a folder"),
        ("[[article]]\ninputs = ['a.txt']\nout = 'C:/x'\n", "must be a relative folder"),
        ("[[article]]\ninputs = ['a.txt']\nout = 'a\\\\b'\n", "use / between folder names"),
        ("[build.set]\n'body.size' = 0\n" + _ART, "article[0].set: set: body.size = 0: expected a length from 1pt"),
        ("[[article]]\ninputs = ['a.txt']\n[article.set]\nlanguage = 'not a tag!'\n", "not a BCP 47 language tag"),
        ("[[article]]\ninputs = ['a.txt']\nstyle = 'nosuch'\n", "no built-in style sheet named 'nosuch'"),
        ("[[pack]]\ntitle = '???'\ninputs = ['a.txt']\n", "pack[0].title: '???' has no letter or digit"),
        ("[[pack]]\ntitle = 'T'\nname = 'build-report'\nformats = ['json']\ninputs = ['a.txt']\n",
         "'build-report.json' is a name reserved for the build's own files"),
        (_ART + "out = '.bp-123-0123abcd.tmp'\n", "is a name reserved"),
        (_ART + "out = 'x'\n[[article]]\ninputs = ['a.txt']\nout = './y/../x//'\n",
         "two targets would write x/a.pdf (article[0] and article[1])"),
        ("[[pack]]\ntitle = 'Ünïcode News'\ninputs = ['a.txt']\n[[pack]]\ntitle = 'ünïcode   news!'\n"
         "inputs = ['a.txt']\n", "two targets would write ünïcode-news.pdf (pack[0] and pack[1])"),
        (_ART + "[[article]]\ninputs = ['A.txt']\n", "article[0] and article[1] would write a.pdf and A.pdf: names "
         "differing only in case"),
        ("[[pack]]\ntitle = 'T'\nname = 'a'\nformats = ['json']\ninputs = ['a.txt']\n" + _ART +
         "out = 'a.json'\nformats = ['json']\n", "pack[0] would write the file a.json, which article[0] needs as a"),
    ],
)
def test_manifest_is_validated_before_anything_is_built(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], text: str, message: str
) -> None:
    (tmp_path / "a.txt").write_text("Headline\n\nText.\n")
    (tmp_path / "A.txt").write_text("Headline\n\nText.\n")
    manifest = tmp_path / "briefpub.toml"
    manifest.write_text(text, encoding="utf-8")
    code, out, err = run(["build", "-m", str(manifest)], capsys)
    assert code == 2, err
    assert err.startswith(f"error: {manifest}: ") and err.count("\n") == 1, err
    assert message in err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["A.txt", "a.txt", "briefpub.toml"]  # nothing built


def test_valid_manifest_forms_still_work(tmp_path: Path) -> None:
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "a.txt").write_text("Headline\n\nText.\n")
    (tmp_path / "sheet.toml").write_text("extends = 'plain'\n[body]\nsize = 11\n")
    manifest = tmp_path / "briefpub.toml"
    manifest.write_text(
        "[build]\nout = './dist/'\nstyle = 'sheet.toml'\n[build.set]\nmarking = 'OFFICIAL'\n'extra.duplexed' = true\n"
        "[[pack]]\ntitle = 'Утренний брифинг'\ndate = 2026-11-27\nsummary_page = false\nduplex = true\n"
        "inputs = ['in/*.txt']\n[[pack]]\ntitle = '每日简报'\ninputs = ['in/a.txt']\n"
        "[[article]]\ninputs = ['in/a.txt']\nout = 'web/./x/..'\n",
        encoding="utf-8",
    )
    spec = load_manifest(manifest)
    assert spec.out == "dist"
    assert spec.targets[0].style == str(tmp_path / "sheet.toml")  # style paths are relative to the manifest
    assert dict(spec.targets[0].pack)["date"] == "2026-11-27"
    paths = [j.path for j in plan(spec, list(EXT), EXT)]
    assert "утренний-брифинг.pdf" in paths and "每日简报.pdf" in paths and "web/a.pdf" in paths


def test_non_latin_packs_each_get_their_own_files(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "a.txt").write_text("Headline\n\nText.\n")
    manifest = tmp_path / "briefpub.toml"
    manifest.write_text("[build]\nformats = ['json']\n" + "".join(
        f"[[pack]]\ntitle = '{t}'\ninputs = ['a.txt']\n" for t in ("Утренний брифинг", "每日简报", "أخبار اليوم")),
        encoding="utf-8")
    code, _, err = run(["build", "-m", str(manifest), "-q"], capsys)
    assert code == 0, err
    names = sorted(p.name for p in (tmp_path / "out").iterdir())
    assert names == sorted(["SHA256SUMS", "build-report.json", "утренний-брифинг.json", "每日简报.json",
                            "أخبار-اليوم.json"])


# ----------------------------------------------------------------------------- SHA256SUMS escaping


def test_sums_lines_escape_like_gnu_sha256sum() -> None:
    from briefpub.pipeline.build import sums_line

    digest = "0" * 64
    assert sums_line(digest, "plain name.pdf") == f"{digest}  plain name.pdf\n"
    assert sums_line(digest, "a\\b\nc\rd.pdf") == f"\\{digest}  a\\\\b\\nc\\rd.pdf\n"


@pytest.mark.skipif(shutil.which("sha256sum") is None, reason="needs GNU sha256sum")
def test_sha256sum_checks_names_with_newline_and_backslash(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "in").mkdir()
    odd = "we\\ird\nname"
    (tmp_path / "in" / f"{odd}.txt").write_text("Headline\n\nText.\n")
    (tmp_path / "in" / "plain.txt").write_text("Headline\n\nText.\n")
    manifest = tmp_path / "briefpub.toml"
    manifest.write_text("[build]\nformats = ['json']\n[[article]]\ninputs = ['in/*.txt']\n")
    code, _, err = run(["build", "-m", str(manifest), "-q"], capsys)
    assert code == 0, err
    out = tmp_path / "out"
    ours = (out / "SHA256SUMS").read_text(encoding="utf-8")
    gnu = subprocess.run(["sha256sum", "--", "plain.json", f"{odd}.json"], cwd=out, capture_output=True, text=True)
    assert ours == gnu.stdout
    check = subprocess.run(["sha256sum", "-c", "SHA256SUMS"], cwd=out, capture_output=True, text=True)
    assert check.returncode == 0, check.stdout + check.stderr
    assert check.stdout.count(": OK") == 2


# ----------------------------------------------------------------------------- merge-reports given bad reports


def _shards(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> list[Path]:
    manifest = make_project(tmp_path)
    paths = []
    for i in (1, 2):
        run(["build", "-m", str(manifest), "-q", "--shard", f"{i}/2", "--out", str(tmp_path / f"s{i}")], capsys)
        paths.append(tmp_path / f"s{i}" / "build-report.json")
    return paths


def _edit(path: Path, change: Callable[[dict[str, Any]], object]) -> Path:
    data = json.loads(path.read_text())
    replaced = change(data)
    path.write_text(json.dumps(data if replaced is None else replaced))
    return path


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda r: [r], "not a usable build report: expected a JSON object, not list"),
        (lambda r: r.pop("results") and None, "results is missing"),
        (lambda r: r.update(results={"a": 1}), "results = a table has the wrong type"),
        (lambda r: r["results"].append(3), "is not an object"),
        (lambda r: r["results"][0].pop("id") and None, "results[0].id is missing"),
        (lambda r: r["results"][0].update(ok="yes"), 'results[0].ok = "yes" has the wrong type'),
        (lambda r: r["results"][0]["output"].update(sha256="xyz"), "results[0].output.sha256 is not a SHA-256"),
        (lambda r: r["results"][0].update(output=None), "results[0].ok = true but output is missing"),
        (lambda r: r.update(jobs="2"), 'jobs = "2" has the wrong type'),
        (lambda r: r.update(shard="3/2"), "shard = '3/2', expected I/N"),
        (lambda r: r.update(build_time="2020-01-01T00:00:00Z"), "not shards of the same build"),
        (lambda r: r.update(manifest="other.toml"), "manifest 'other.toml' differs"),
        (lambda r: r.update(shard="1/2"), "shard 1/2 was already given"),
        (lambda r: r.update(shard="1/3"), "shards of different splits"),
    ],
)
def test_merge_reports_refuses_malformed_reports(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                 change: Callable[[dict[str, Any]], object], message: str) -> None:
    first, second = _shards(tmp_path, capsys)
    _edit(second, change)
    code, out, err = run(["merge-reports", str(first), str(second), "--out", str(tmp_path / "merged")], capsys)
    assert code == 2
    assert err.startswith(f"error: {second}: ") and err.count("\n") == 1, err
    assert message in err
    assert not (tmp_path / "merged").exists()


def test_merge_reports_refuses_overlapping_shards(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    first, second = _shards(tmp_path, capsys)
    entry = json.loads(first.read_text())["results"][0]
    _edit(second, lambda r: r["results"].append(entry))
    code, _, err = run(["merge-reports", str(first), str(second), "--out", str(tmp_path / "merged")], capsys)
    assert code == 2 and f"{entry['id']} is also in {first}: overlapping shards" in err
    code, _, err = run(["merge-reports", str(first), str(first), "--out", str(tmp_path / "merged")], capsys)
    assert code == 2 and "shard 1/2 was already given" in err
