"""``briefpub convert`` without typer: the same arguments as typer's parse, or typer takes the line."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import typer
from hypothesis import given, settings
from hypothesis import strategies as st

from briefpub import cli, fastcli
from shared_data import require_shared

ROOT = Path(__file__).resolve().parents[1]


class _Called(Exception):
    """Raised by the recording ``run_convert``: typer got as far as calling the command."""


def typer_arguments(args: list[str], monkeypatch: pytest.MonkeyPatch) -> dict[str, Any] | None:
    """The keyword arguments typer's ``convert`` passes to ``run_convert`` for ``args``; None when typer
    refuses the line (usage error, help) instead of running the command."""
    seen: dict[str, Any] = {}

    def record(*values: Any) -> int:
        names = ("inputs", "to", "out", "style", "sets", "from_", "as_json", "quiet", "fetch_images", "server")
        seen.update(zip(names, values, strict=True))
        raise _Called

    monkeypatch.setattr(cli, "run_convert", record)
    command = typer.main.get_command(cli.app)
    try:
        command.main(args=list(args), prog_name="briefpub", standalone_mode=False)
    except _Called:
        return seen
    except (typer.Exit, typer._click.exceptions.ClickException, typer._click.exceptions.Abort):
        return None
    return None


def test_the_option_table_is_the_typer_commands() -> None:
    """Every option of ``convert`` in typer is in the table, with the same kind; and nothing else is."""
    command = typer.main.get_command(cli.app).commands["convert"]  # type: ignore[attr-defined]
    values: dict[str, str] = {}
    flags: dict[str, str] = {}
    multiple: set[str] = set()
    envvars: dict[str, str] = {}
    for param in command.params:
        if param.param_type_name == "argument":
            assert param.name == "inputs" and param.nargs == -1 and param.required
            continue
        if param.name == "help":
            continue
        names = [*param.opts, *param.secondary_opts]
        if param.is_flag:
            assert not param.secondary_opts  # (no --no-x forms to mirror)
            flags.update(dict.fromkeys(names, param.name))
        else:
            values.update(dict.fromkeys(names, param.name))
        if param.multiple:
            multiple.add(param.name)
        if param.envvar:
            envvars[param.name] = param.envvar
    assert values == fastcli.VALUES
    assert flags == fastcli.FLAGS
    assert multiple == fastcli.MULTIPLE
    assert envvars == {"server": fastcli.SERVER_ENV}


@pytest.mark.parametrize("args", [
    ["convert", "a.txt"],
    ["convert", "a.txt", "b.md", "--to", "epub", "-t", "pdf,docx", "-o", "dist", "-q"],
    ["convert", "--to=epub", "a.txt", "--json", "--out=x y", "--style", "classic", "--set", "marking=OFFICIAL"],
    ["convert", "-", "--from", "md", "--fetch-images", "-s", "s.toml", "--set", "title=T", "--set=author=A"],
    ["convert", "a.txt", "--server", "http://127.0.0.1:1", "--quiet", "--quiet"],
    ["convert", "a.txt", "--out", ""],
])
def test_plain_lines_are_parsed_as_typer_parses_them(args: list[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(fastcli.SERVER_ENV, raising=False)
    found = fastcli.convert_arguments(args)
    assert found is not None
    assert found == typer_arguments(args, monkeypatch)


@pytest.mark.parametrize("args", [
    [], ["--version"], ["--debug", "convert", "a.txt"], ["convert", "a.txt", "--debug"], ["pack", "a.txt"],
    ["convert"], ["convert", "--to", "epub"], ["convert", "a.txt", "--help"], ["convert", "-h"],
    ["convert", "a.txt", "--to"], ["convert", "a.txt", "-tepub"], ["convert", "a.txt", "-qt", "epub"],
    ["convert", "a.txt", "-t=epub"], ["convert", "--", "a.txt"], ["convert", "a.txt", "--out", "-x"],
    ["convert", "a.txt", "-o", "x", "-o", "y"], ["convert", "a.txt", "--json=1"], ["convert", "a.txt", "--nope"],
    ["convert", "a.txt", "--tó", "epub"], ["convert", "a.txt", "--t", "epub"],
])
def test_anything_else_goes_to_typer(args: list[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(fastcli.SERVER_ENV, raising=False)
    assert fastcli.convert_arguments(args) is None


def test_a_server_named_by_the_environment_goes_to_typer(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(fastcli.SERVER_ENV, "http://127.0.0.1:1")
    assert fastcli.convert_arguments(["convert", "a.txt"]) is None
    given_here = fastcli.convert_arguments(["convert", "a.txt", "--server", "http://127.0.0.1:2"])
    assert given_here is not None and given_here["server"] == "http://127.0.0.1:2"


_TOKENS = st.sampled_from([
    "a.txt", "b.md", "-", "--to", "-t", "epub", "pdf,epub", "--out", "-o", "out dir", "--style", "-s", "--set",
    "k=v", "--from", "-f", "md", "--server", "--json", "--quiet", "-q", "--fetch-images", "--", "-h", "--help",
    "--debug", "--to=docx", "--out=o", "--set=a=b", "-t=pdf", "-qj", "-tpdf", "--nope", "", "=", "-x", "convert",
])


@settings(max_examples=300, deadline=None)
@given(st.lists(_TOKENS, max_size=8))
def test_generated_lines_are_declined_or_parsed_as_typer_parses_them(tokens: list[str]) -> None:
    """Whatever the line, the fast path either declines it or finds exactly typer's arguments."""
    with pytest.MonkeyPatch.context() as monkeypatch:
        monkeypatch.delenv(fastcli.SERVER_ENV, raising=False)
        args = ["convert", *tokens]
        found = fastcli.convert_arguments(args)
        if found is not None:
            assert found == typer_arguments(args, monkeypatch)


def _cli(args: list[str], cwd: Path, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "briefpub", *args], cwd=cwd, capture_output=True, text=True,
                          env={**os.environ, "SOURCE_DATE_EPOCH": "1700000000", **env}, timeout=300, check=False)


@pytest.mark.parametrize("case", ["ok", "quiet json", "empty", "missing", "bad format", "bad set"])
def test_the_fast_path_prints_and_exits_as_typer_does(case: str, tmp_path: Path) -> None:
    """The same command run without typer and (``--`` before the inputs sends it there) with it: the same
    status, lines and files."""
    article = tmp_path / "article.txt"
    article.write_text("Title of the piece\n\nBy A. Writer\n\nA first paragraph of the article.\n\n"
                       "Second paragraph with \x1b[31mcolour codes\x1b[0m in it.\n", encoding="utf-8")
    (tmp_path / "empty.txt").write_bytes(b"")
    inputs = {"empty": ["empty.txt"], "missing": ["nope.txt"]}.get(case, ["article.txt"])
    options = {"quiet json": ["-q", "--json"], "bad format": ["--to", "epub,nope"],
               "bad set": ["--set", "nokey"]}.get(case, [])
    runs = {}
    for name, line in (("fast", ["convert", "--to", "epub", "-o", f"out-{case}-fast", *options, *inputs]),
                       ("typer", ["convert", "--to", "epub", "-o", f"out-{case}-typer", *options, "--", *inputs])):
        assert (fastcli.convert_arguments(line) is None) == (name == "typer")
        runs[name] = _cli(line, tmp_path)
    fast, slow = runs["fast"], runs["typer"]
    for run in runs.values():  # (the time a conversion took)
        run.stdout = re.sub(r'"seconds": [0-9.]+', '"seconds": 0', run.stdout)
    assert fast.returncode == slow.returncode
    assert fast.stdout.replace("-fast", "-typer") == slow.stdout
    assert fast.stderr.replace("-fast", "-typer") == slow.stderr
    if case == "ok":
        assert fast.returncode == 0
        assert (tmp_path / "out-ok-fast" / "article.epub").read_bytes() == \
            (tmp_path / "out-ok-typer" / "article.epub").read_bytes()
    else:
        assert fast.returncode != 0 or case == "quiet json"
    if case in ("empty", "missing", "bad format", "bad set"):
        assert fast.returncode == 2 and len(fast.stderr.splitlines()) == 1 and fast.stderr.startswith("error: ")
        assert not any((tmp_path / f"out-{case}-fast").glob("*.epub"))


def test_a_plain_convert_imports_no_typer(tmp_path: Path) -> None:
    reference = require_shared()
    script = ("import sys, atexit\n"
              "atexit.register(lambda: print(sorted({m.split('.')[0] for m in sys.modules} & "
              "{'typer', 'click', 'rich', 'shellingham'})))\n"
              "from briefpub.__main__ import run\n"
              f"sys.argv = ['briefpub', 'convert', {str(reference)!r}, '--to', 'epub', '-o', 'o', '-q']\n"
              "run()\n")
    out = subprocess.run([sys.executable, "-c", script], cwd=tmp_path, capture_output=True, text=True, check=True,
                         env={**os.environ, "SOURCE_DATE_EPOCH": "1700000000"}, timeout=300)
    assert out.stdout.strip().splitlines()[-1] == "[]"
    assert (tmp_path / "o" / f"{reference.stem}.epub").is_file()
