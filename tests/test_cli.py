"""The CLI: convert, inspect, formats, styles; one-line errors and exit codes; no partial files."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from briefpub.cli import parse_formats, parse_sets
from briefpub.errors import UnknownFormatError, UsageError
from clirun import run
from shared_data import REFERENCE, require_shared

ROOT = Path(__file__).resolve().parents[1]
FIXTURE = ROOT / "fixtures" / "txt" / "geneva-round.txt"




@pytest.fixture(autouse=True)
def _in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1485129600")


def test_convert_json_writes_to_out_and_prints_path(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, out, err = run(["convert", "--to", "json", str(FIXTURE)], capsys)
    assert code == 0, err
    target = tmp_path / "out" / "geneva-round.json"
    assert out.strip() == str(Path("out") / "geneva-round.json")
    data = json.loads(target.read_text(encoding="utf-8"))
    assert data["schema"] == "briefpub.document/1"
    assert data["meta"]["title"] == "Geneva Round Opens With Cautious Optimism"
    assert "reader.boilerplate-removed" in err  # removals are reported on stderr


def test_convert_quiet_and_out_dir(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, out, err = run(["convert", "-q", "--to", "json", "--out", "build/x", str(FIXTURE)], capsys)
    assert code == 0 and err == ""
    assert (tmp_path / "build" / "x" / "geneva-round.json").is_file()


def test_convert_set_overrides_metadata(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, _, err = run(["convert", "--to", "json", "--set", "marking=OFFICIAL", "--set", "author=A. Writer, B. Other",
                        "--set", "language=en-GB", str(FIXTURE)], capsys)
    assert code == 0, err
    meta = json.loads((tmp_path / "out" / "geneva-round.json").read_text())["meta"]
    assert meta["marking"] == "OFFICIAL"
    assert meta["authors"] == ["A. Writer", "B. Other"]
    assert meta["language"] == "en-GB"


def test_convert_json_report(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["convert", "--json", "--to", "json", str(FIXTURE), "missing.txt"], capsys)
    assert code == 2
    report = json.loads(out)
    assert report["schema"] == "briefpub.convert-report/1" and report["ok"] is False
    first, second = report["inputs"]
    assert first["ok"] and first["outputs"][0]["format"] == "json"
    assert len(first["outputs"][0]["sha256"]) == 64
    assert any(d["code"] == "reader.boilerplate-removed" for d in first["diagnostics"])
    assert not second["ok"] and "no such file" in second["error"]


def test_stdin_input(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    import io

    fake = io.TextIOWrapper(io.BytesIO(b"Headline\n\nBody text.\n"))
    monkeypatch.setattr(sys, "stdin", fake)
    code, out, err = run(["convert", "--to", "json", "-"], capsys)
    assert code == 0, err
    assert json.loads((tmp_path / "out" / "stdin.json").read_text())["meta"]["title"] == "Headline"


@pytest.mark.parametrize(
    ("setup", "message"),
    [
        (lambda p: p.write_bytes(b""), "file is empty"),
        (lambda p: p.write_bytes(b" \n\t\n\xc2\xa0\n"), "only whitespace"),
        (lambda p: p.write_bytes(b"\x7fELF\x02\x01\x01" + bytes(range(256)) * 4), "not a text article"),
        (lambda p: p.write_bytes(b"abc\x00\x00def" * 50), "not a text article"),
        (lambda p: None, "no such file"),
        (lambda p: p.mkdir(), "is a directory"),
    ],
    ids=["empty", "whitespace", "binary", "nul-bytes", "missing", "directory"],
)
def test_bad_input_one_line_exit_2_no_output(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, setup: object, message: str
) -> None:
    target = tmp_path / "article.txt"
    setup(target)  # type: ignore[operator]
    code, out, err = run(["convert", str(target)], capsys)
    assert code == 2
    assert out == ""
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and str(target) in lines[0]
    assert message in lines[0]
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").iterdir())


def test_too_large_input(capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from briefpub.readers.common import decode as _decode

    monkeypatch.setattr(_decode, "MAX_INPUT_BYTES", 1000)
    target = tmp_path / "big.txt"
    target.write_text("Headline\n\n" + "word " * 400)
    code, _, err = run(["convert", "--to", "json", str(target)], capsys)
    assert code == 2 and "too large" in err and err.count("\n") == 1


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["convert", "--to", "odt", "x.txt"], "--to odt: unknown output format (available: pdf, epub, docx, json)"),
        (["convert", "--set", "novalue", "x.txt"], "expected KEY=VALUE"),
        (["convert", "--style", "fancy", "x.txt"], "no built-in style sheet named 'fancy'"),
        (["convert", "--set", "page.size=A3", "x.txt"], "page.size = 'A3'"),
        (["convert", "--from", "doc", "x.txt"], "--from doc: unknown input format"),
        (["convert"], "Missing argument"),
        (["convert", "--bogus", "x"], "No such option"),
        (["frobnicate"], "No such command"),
    ],
)
def test_usage_errors_exit_2_one_line(capsys: pytest.CaptureFixture[str], args: list[str], message: str) -> None:
    code, out, err = run(args, capsys)
    assert code == 2
    assert err.startswith("error: ") and err.count("\n") == 1
    assert message in err


def test_same_output_name_twice_is_refused(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    for d in ("a", "b"):
        (tmp_path / d / "x.txt").write_text("Headline\n\nText.\n")
    code, _, err = run(["convert", "--to", "json", "a/x.txt", "b/x.txt"], capsys)
    assert code == 2 and "would overwrite" in err
    assert not (tmp_path / "out").exists()


def test_one_bad_input_among_good_ones(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    (tmp_path / "empty.txt").write_bytes(b"")
    code, out, err = run(["convert", "--to", "json", str(FIXTURE), "empty.txt"], capsys)
    assert code == 2
    assert "geneva-round.json" in out
    assert "error: empty.txt: file is empty" in err
    assert not (tmp_path / "out" / "empty.json").exists()


def test_inspect_outline_and_json(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["inspect", str(FIXTURE)], capsys)
    assert code == 0
    assert "title:    Geneva Round Opens With Cautious Optimism" in out
    assert "## Corridors and Prisoner Exchanges" in out
    assert "removed or doubted:" in out and "'Add new comment'" in out
    code, out, _ = run(["inspect", "--json", str(FIXTURE)], capsys)
    data = json.loads(out)
    assert data["document"]["schema"] == "briefpub.document/1"
    assert data["document"]["blocks"][7]["id"] == "corridors-and-prisoner-exchanges"
    assert [d["text"] for d in data["diagnostics"] if d["code"] == "reader.boilerplate-removed"] == [
        "Add new comment", "Read our comment policy before posting your viewpoints"]


def test_formats_and_styles(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["formats"], capsys)
    assert code == 0 and "pdf" in out and "(default)" in out and "txt" in out
    code, out, _ = run(["formats", "--json"], capsys)
    names = {(r["kind"], r["name"]) for r in json.loads(out)}
    assert {("output", "json"), ("output", "pdf"), ("input", "txt")} <= names
    code, out, _ = run(["styles"], capsys)
    assert code == 0 and "briefing" in out and "plain" in out
    code, out, _ = run(["styles", "--json"], capsys)
    assert {r["name"] for r in json.loads(out)} >= {"briefing", "plain"}


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["--version"], capsys)
    assert code == 0 and out.startswith("briefpub ")


def test_parse_helpers() -> None:
    assert parse_formats(["pdf,epub", "docx", "pdf"], ["pdf", "epub", "docx"], ["x"]) == ["pdf", "epub", "docx"]
    assert parse_formats([], ["pdf"], ["pdf"]) == ["pdf"]
    with pytest.raises(UnknownFormatError):
        parse_formats(["rtf"], ["pdf"], ["pdf"])
    assert parse_sets(["marking=OFFICIAL", "page.size=Letter", "title=a=b"]) == (
        [("marking", "OFFICIAL"), ("title", "a=b")], [("page.size", "Letter")])
    with pytest.raises(UsageError):
        parse_sets(["=x"])


def test_real_process_exit_codes_and_no_traceback(tmp_path: Path) -> None:
    env = {**os.environ, "SOURCE_DATE_EPOCH": "1485129600"}
    (tmp_path / "empty.txt").write_bytes(b"")
    proc = subprocess.run([sys.executable, "-m", "briefpub", "convert", "empty.txt"], cwd=tmp_path,
                          capture_output=True, text=True, env=env)
    assert proc.returncode == 2
    assert proc.stderr == "error: empty.txt: file is empty\n"
    assert "Traceback" not in proc.stderr
    proc = subprocess.run([sys.executable, "-m", "briefpub"], cwd=tmp_path, capture_output=True, text=True, env=env)
    assert proc.returncode == 2 and "Usage" in proc.stderr + proc.stdout


def test_reference_article_json_is_reproducible(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    require_shared(REFERENCE)
    run(["convert", "-q", "--to", "json", "--out", "a", str(REFERENCE)], capsys)
    run(["convert", "-q", "--to", "json", "--out", "b", str(REFERENCE)], capsys)
    name = REFERENCE.stem + ".json"
    assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes()


def test_pack_command_names_writes_and_reports(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    second = tmp_path / "second.txt"
    second.write_text("Second Headline\n\nSecond body.\n")
    code, out, err = run(["pack", str(FIXTURE), str(second), "--title", "../../etc/passwd \\ Morning / Pack",
                          "--to", "json", "--set", "marking=OFFICIAL", "--compiled-by", "Unit", "--json"], capsys)
    assert code == 0, err
    report = json.loads(out)
    assert report["schema"] == "briefpub.pack-report/1" and report["articles"] == 2
    written = [Path(o["path"]) for o in report["outputs"]]
    assert written == [Path("out") / "etc-passwd-morning-pack.json"]  # a hostile title cannot leave out/
    pack_json = json.loads((tmp_path / written[0]).read_text())
    assert pack_json["pack"]["marking"] == "OFFICIAL" and pack_json["pack"]["compiled_by"] == "Unit"
    assert pack_json["pack"]["date"] == "2017-01-23"  # the build date, from SOURCE_DATE_EPOCH (ISO in the tree)
    assert [d["meta"]["title"] for d in pack_json["documents"]] == [
        "Geneva Round Opens With Cautious Optimism", "Second Headline"]
    code, out, _ = run(["pack", str(FIXTURE), "--title", "T", "--name", "my pack", "--to", "json", "-q"], capsys)
    assert code == 0 and out.strip() == str(Path("out") / "my-pack.json")


@pytest.mark.parametrize(("args", "message"), [
    (["--title", "T", "missing.txt"], "missing.txt: no such file"),
    (["--title", "  ", "FIXTURE"], "a pack needs a non-empty title"),
])
def test_pack_bad_input_exit_2_nothing_written(capsys: pytest.CaptureFixture[str], tmp_path: Path,
                                               args: list[str], message: str) -> None:
    args = [str(FIXTURE) if a == "FIXTURE" else a for a in args]
    code, out, err = run(["pack", str(FIXTURE), *args, "--to", "json"], capsys)
    assert code == 2 and out == ""
    assert err.startswith("error: ") and err.count("\n") == 1 and message in err
    assert not (tmp_path / "out").exists()


# ----------------------------------------------------------------------------- first-run experience (issue 14)


@pytest.mark.parametrize("command", [["convert"], ["pack", "--title", "T"]])
@pytest.mark.parametrize(("setting", "message"), [
    ("makring=OFFICIAL", "error: --set makring: unknown key (did you mean marking?)\n"),
    ("page.sise=A4", "error: --set page.sise: unknown style key (did you mean page.size?)\n"),
    ("title=", "error: --set title: empty value"),
])
def test_set_typos_are_refused_before_anything_is_written(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, command: list[str], setting: str, message: str
) -> None:
    code, out, err = run([*command, str(FIXTURE), "--to", "json", "--set", setting], capsys)
    assert code == 2 and out == ""
    assert err.startswith(message) and err.count("\n") == 1
    assert not (tmp_path / "out").exists()


def test_set_extra_prefix_writes_free_form_metadata(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, _, err = run(["convert", "-q", "--to", "json", "--set", "extra.desk=Europe", str(FIXTURE)], capsys)
    assert code == 0, err
    meta = json.loads((tmp_path / "out" / "geneva-round.json").read_text())["meta"]
    assert meta["extras"] == {"desk": "Europe"}


def test_manifest_set_tables_are_checked_when_loaded(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("Headline\n\nBody text.\n")
    (tmp_path / "briefpub.toml").write_text('[[article]]\ninputs = ["a.txt"]\nformats = ["json"]\n'
                                            '[article.set]\nmakring = "OFFICIAL"\n')
    code, out, err = run(["build"], capsys)
    assert code == 2 and out == ""
    assert err == "error: briefpub.toml: article[0].set makring: unknown key (did you mean marking?)\n"
    (tmp_path / "briefpub.toml").write_text('[[article]]\ninputs = ["a.txt"]\nformats = ["json"]\n'
                                            '[article.set]\nmarking = "OFFICIAL"\n"extra.desk" = "Europe"\n')
    code, _, err = run(["build", "-q"], capsys)
    assert code == 0, err
    meta = json.loads((tmp_path / "out" / "a.json").read_text())["meta"]
    assert meta["marking"] == "OFFICIAL" and meta["extras"] == {"desk": "Europe"}


@pytest.mark.parametrize("args", [["convert", "MISSING", "--debug"], ["convert", "--debug", "MISSING"],
                                  ["--debug", "convert", "MISSING"]])
def test_debug_is_accepted_anywhere(capsys: pytest.CaptureFixture[str], args: list[str]) -> None:
    from briefpub.cli import _State
    from briefpub.errors import InputError

    args = ["missing.txt" if a == "MISSING" else a for a in args]
    with pytest.raises(InputError):  # --debug: the error is raised for its traceback
        run(args, capsys)
    assert _State.debug
    _State.debug = False
    code, _, err = run(["convert", "--", "--debug"], capsys)  # after "--" it is a file name
    assert code == 2 and err == "error: --debug: no such file\n"
