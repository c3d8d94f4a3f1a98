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
from clirun import interruptible, run, wait_for_outputs
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


def _screen(raw: str) -> list[str]:
    """What a terminal shows after ``raw``: text, CR, LF, cursor up/down/column and line erasure."""
    import re

    rows: list[list[str]] = [[]]
    row = col = 0
    for token in re.findall(r"\x1b\[[0-9;?]*[A-Za-z]|\x1b.|.", raw, flags=re.S):
        if token == "\r":
            col = 0
        elif token == "\n":
            row += 1
            col = 0
        elif token.startswith("\x1b["):
            arg, cmd = token[2:-1], token[-1]
            n = int(arg) if arg.isdigit() else 1
            if cmd == "A":
                row = max(0, row - n)
            elif cmd == "B":
                row += n
            elif cmd == "G":
                col = n - 1
            elif cmd == "K":
                while len(rows) <= row:
                    rows.append([])
                rows[row] = rows[row][:col] if arg in ("", "0") else []
        elif token.startswith("\x1b") or token in "\x07\b":
            continue
        else:
            while len(rows) <= row:
                rows.append([])
            line = rows[row]
            line.extend(" " * (col - len(line)))
            if col < len(line):
                line[col] = token
            else:
                line.append(token)
            col += 1
    return ["".join(r).rstrip() for r in rows]


def test_progress_bar_and_diagnostics_do_not_overwrite_each_other(tmp_path: Path) -> None:
    """On a terminal (a pseudo-terminal here), every diagnostic and path line survives the live bar intact."""
    import pty
    import select

    second = tmp_path / "second.txt"
    second.write_bytes(FIXTURE.read_bytes())
    master, slave = pty.openpty()
    env = {**os.environ, "SOURCE_DATE_EPOCH": "1485129600", "COLUMNS": "400", "TERM": "xterm"}
    proc = subprocess.Popen([sys.executable, "-m", "briefpub", "convert", "--to", "json", str(FIXTURE), "second.txt"],
                            cwd=tmp_path, env=env, stdin=subprocess.DEVNULL, stdout=slave, stderr=slave)
    os.close(slave)
    chunks = []
    while True:
        ready, _, _ = select.select([master], [], [], 60)
        if not ready:
            break
        try:
            chunk = os.read(master, 65536)
        except OSError:  # EIO: the child closed the terminal
            break
        if not chunk:
            break
        chunks.append(chunk)
    os.close(master)
    assert proc.wait(60) == 0
    raw = b"".join(chunks).decode()
    assert "\x1b[" in raw  # the bar was drawn: the test exercises the live display
    shown = [line for line in _screen(raw) if line]
    expected_diag = [line for line in (subprocess.run(
        [sys.executable, "-m", "briefpub", "convert", "--to", "json", "--out", "plain", str(FIXTURE), "second.txt"],
        cwd=tmp_path, env=env, capture_output=True, text=True, check=True).stderr.splitlines())]
    assert shown == [*expected_diag, str(Path("out") / "geneva-round.json"), str(Path("out") / "second.json")]


def test_the_same_input_twice_is_converted_once(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("Headline\n\nBody text.\n")
    (tmp_path / "sub").mkdir()
    code, out, err = run(["convert", "--to", "json", "a.txt", "a.txt", "sub/../a.txt", "--json"], capsys)
    assert code == 0, err
    assert [r["input"] for r in json.loads(out)["inputs"]] == ["a.txt"]
    assert err.splitlines() == ["note: a.txt: given twice; converted once",
                                "note: sub/../a.txt: the same file as a.txt; converted once"]
    code, out, err = run(["convert", "-q", "--to", "json", "a.txt", str(tmp_path / "a.txt")], capsys)
    assert code == 0 and out.splitlines() == [str(Path("out") / "a.json")] and err == ""


def test_a_closed_stdout_pipe_ends_quietly_with_status_0(tmp_path: Path) -> None:
    """``briefpub inspect long.txt | head -1``: no message, status 0 (docs/cli.md, "Exit codes")."""
    long_article = tmp_path / "long.txt"
    long_article.write_text("Headline\n\n" + "".join(f"Paragraph {i} has a few words.\n\n" for i in range(5000)))
    proc = subprocess.Popen([sys.executable, "-m", "briefpub", "inspect", str(long_article)], cwd=tmp_path,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert proc.stdout is not None and proc.stderr is not None
    assert proc.stdout.readline().startswith(b"title:")
    proc.stdout.close()  # far more than a pipe buffer is still to come
    err = proc.stderr.read()
    proc.stderr.close()
    assert (proc.wait(60), err) == (0, b"")


@pytest.mark.parametrize(("args", "message"), [
    (["convert", "a.txt", "--style", "BIG", "--to", "json"], "BIG: too large for a style sheet (40.0 MiB; the limit"),
    (["build", "--manifest", "BIG"], "BIG: too large for a manifest (40.0 MiB; the limit is 1 MiB)"),
    (["merge-reports", "HUGE"], "HUGE: too large for a build report (300 MiB; the limit is 256 MiB)"),
])
def test_oversized_side_files_are_refused_from_their_size(capsys: pytest.CaptureFixture[str], tmp_path: Path,
                                                          args: list[str], message: str) -> None:
    (tmp_path / "a.txt").write_text("Headline\n\nBody text.\n")
    big, huge = tmp_path / "big.toml", tmp_path / "huge.json"
    for path, size in ((big, 40 << 20), (huge, 300 << 20)):
        with path.open("wb") as fh:  # sparse: nothing is written, and nothing may be read
            fh.truncate(size)
    args = [str(big) if a == "BIG" else str(huge) if a == "HUGE" else a for a in args]
    message = message.replace("BIG", str(big)).replace("HUGE", str(huge))
    code, out, err = run(args, capsys)
    assert code == 2 and out == "" and err == f"error: {message}" + err[len("error: ") + len(message):]
    assert err.count("\n") == 1


def test_stdin_over_the_limit_is_read_no_further(capsys: pytest.CaptureFixture[str],
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    import io

    from briefpub import readers

    monkeypatch.setattr(readers, "MAX_INPUT_BYTES", 100)
    stream = io.BytesIO(b"Headline\n\n" + b"word " * 1000)
    monkeypatch.setattr("sys.stdin", io.TextIOWrapper(stream))
    code, _, err = run(["convert", "-", "--to", "json"], capsys)
    assert code == 2 and err.startswith("error: <stdin>: input is too large") and err.count("\n") == 1
    assert stream.tell() == 101


def test_no_usable_fonts_fails_the_pdf_only(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    nope = [a for role in ("body", "heading", "mono", "fallback") for a in ("--set", f'fonts.{role}=["Nope"]')]
    code, out, err = run(["convert", "-q", "--to", "pdf,json", *nope, str(FIXTURE)], capsys)
    assert code == 2  # the environment: the user installs fonts
    assert out.splitlines() == [str(Path("out") / "geneva-round.json")]
    assert err.startswith(f"error: {Path('out') / 'geneva-round.pdf'}: no installed font") and err.count("\n") == 1
    assert "fonts-dejavu-core" in err and not (tmp_path / "out" / "geneva-round.pdf").exists()
    code, out, err = run(["pack", "--title", "T", "--to", "pdf,json", "--json", *nope, str(FIXTURE)], capsys)
    report = json.loads(out)
    assert code == 2 and report["ok"] is False and "no installed font" in report["error"]
    assert [o["format"] for o in report["outputs"]] == ["json"]


def test_a_url_input_is_fetched_when_named_and_other_schemes_refused(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import http.server
    import threading

    page = (ROOT / "fixtures" / "html" / "pages" / "wire-summit.html").read_bytes()

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.send_header("Content-Length", str(len(page)))
            self.end_headers()
            self.wfile.write(page)

        def log_message(self, *args: object) -> None:
            pass

    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{httpd.server_address[1]}/world/summit-opens.html"
    try:
        code, out, err = run(["convert", "--to", "json", url], capsys)
        assert code == 2 and out == ""  # loopback: not a public host
        assert err == f"error: {url}: host 127.0.0.1 resolves to a non-public address\n"
        from briefpub.pipeline import fetch

        monkeypatch.setattr(fetch, "address_allowed", lambda address: True)  # let the test reach loopback
        code, out, err = run(["convert", "--to", "json", url], capsys)
        assert code == 0, err
        assert out.strip() == str(Path("out") / "summit-opens.json")
        saved = tmp_path / "saved.html"
        saved.write_bytes(page)
        run(["convert", "-q", "--to", "json", "--out", "local", str(saved)], capsys)
        fetched = json.loads((tmp_path / "out" / "summit-opens.json").read_text())
        assert fetched["meta"]["title"] == json.loads((tmp_path / "local" / "saved.json").read_text())["meta"]["title"]
        code, out, err = run(["inspect", url], capsys)
        assert code == 0 and out.startswith(f"title:    {fetched['meta']['title']}")
    finally:
        httpd.shutdown()
        httpd.server_close()
    for bad in ("ftp://example.org/a.txt", "file:///etc/hostname"):
        code, out, err = run(["convert", "--to", "json", bad], capsys)
        assert code == 2 and out == "" and err.startswith(f"error: {bad}: only http and https URLs are fetched (")
        assert err.count("\n") == 1


def _interrupt(tmp_path: Path, command: list[str], out: Path) -> subprocess.CompletedProcess[str]:
    """Run ``briefpub COMMAND`` over 30 long articles, send SIGINT once it has written two PDFs."""
    import signal

    arts = tmp_path / "articles"
    arts.mkdir()
    body = "\n\n".join(f"Paragraph {i}. " + "Delegations met to agree the agenda and the statement. " * 12
                       for i in range(40))
    for i in range(30):
        (arts / f"a{i:03d}.txt").write_text(f"Article {i}\n\n{body}\n")
    (tmp_path / "briefpub.toml").write_text(
        '[build]\nout = "out"\nformats = ["pdf"]\n[[article]]\ninputs = ["articles/*.txt"]\n')
    proc = subprocess.Popen([sys.executable, "-m", "briefpub", *command], cwd=tmp_path, preexec_fn=interruptible,
                            env={**os.environ, "SOURCE_DATE_EPOCH": "1"}, stdin=subprocess.DEVNULL,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    wait_for_outputs(proc, out, 2)
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=60)
    return subprocess.CompletedProcess(proc.args, proc.returncode, "", err)


@pytest.mark.parametrize("command", [
    ["convert", "-q", "--to", "pdf", "-o", "out", *(f"articles/a{i:03d}.txt" for i in range(30))],
    ["convert", "--to", "pdf", "-o", "out", *(f"articles/a{i:03d}.txt" for i in range(30))],
    ["build", "-q", "-m", "briefpub.toml"],
], ids=["convert-quiet", "convert", "build"])
def test_ctrl_c_is_one_line_and_exit_130(tmp_path: Path, command: list[str]) -> None:
    """SIGINT mid-way through a multi-article conversion: ``error: interrupted``, exit 130, no temporary file."""
    from briefpub.pipeline.output import is_temp_name

    out = tmp_path / "out"
    proc = _interrupt(tmp_path, command, out)
    assert proc.returncode == 130, proc.stderr
    lines = proc.stderr.splitlines()
    assert lines[-1:] == ["error: interrupted"], proc.stderr
    if "-q" in command:
        assert proc.stderr == "error: interrupted\n"
    assert "Traceback" not in proc.stderr
    assert not [p.name for p in out.iterdir() if is_temp_name(p.name)]


def test_french_quotes_in_a_row_convert_to_every_format(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    # a quote right after a French quote (two characters: the mark and a narrow space) made every writer fail
    article = tmp_path / "essai.md"
    article.write_text('---\ntitle: Essai\nlang: fr\n---\n\nIl a dit """bonjour""" et "merci".\n', encoding="utf-8")
    code, out, err = run(["convert", "-q", str(article), "--out", str(tmp_path / "out")], capsys)
    assert (code, err) == (0, "")
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["essai.docx", "essai.epub", "essai.pdf"]
