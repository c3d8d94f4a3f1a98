"""The cold start's import budget: each command imports only what it uses (checked in a fresh process).

Sets of modules that must not be imported, never timings: the cost of a cold start is measured by
``bench/run.py``. The children import the briefpub that this test process imports (``PYTHONPATH``).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from shared_data import REFERENCE, shared_or_none

ROOT = Path(__file__).resolve().parents[1]
ARTICLE = shared_or_none(REFERENCE) or ROOT / "fixtures" / "txt" / "geneva-round.txt"

#: Never needed by a local conversion: networking (xml.sax.saxutils pulls all of these in), the other
#: formats' libraries, pretty tracebacks, plugin discovery.
NETWORK = {"urllib.request", "http.client", "ssl", "email", "socket", "xml.sax"}
NEVER = NETWORK | {"rich", "importlib.metadata"}
WRITER_LIBRARIES = {"reportlab", "docx", "ebooklib", "lxml", "PIL", "fontTools", "uharfbuzz", "pyphen"}

_CHILD = """
import sys
from briefpub.cli import main
try:
    main(sys.argv[1:])
except SystemExit:
    pass
print(" ".join(sorted(sys.modules)))
"""


def imported(args: list[str], cache: Path, **env: str) -> set[str]:
    """The modules a fresh ``briefpub ARGS`` process has imported when it ends."""
    out = subprocess.run([sys.executable, "-c", _CHILD, *args], capture_output=True, text=True, check=True,
                         env={**os.environ, "BRIEFPUB_CACHE_DIR": str(cache), "SOURCE_DATE_EPOCH": "1", **env})
    return set(out.stdout.strip().splitlines()[-1].split())  # no json in the child: a module to look for


def present(modules: set[str], names: set[str]) -> set[str]:
    """Which of ``names`` (packages or modules) were imported."""
    return {n for n in names if n in modules or any(m.startswith(n + ".") for m in modules)}


@pytest.mark.parametrize("args", [["--help"], ["convert", "--help"], ["formats"], ["styles"], ["--version"]])
def test_help_and_listings_import_no_writer_library(args: list[str], tmp_path: Path) -> None:
    modules = imported(args, tmp_path)
    # `formats` lists plugins too: importlib.metadata, which imports email and socket, is its own job
    never = {"rich"} if args == ["formats"] else NEVER
    assert present(modules, never | WRITER_LIBRARIES) == set()


@pytest.mark.parametrize("args", [["--help"], ["--version"], ["convert", "--help"]])
def test_help_and_version_import_no_json(args: list[str], tmp_path: Path) -> None:
    assert present(imported(args, tmp_path), {"json", "_json"}) == set()  # only --json prints JSON


def test_importing_the_pipeline_imports_no_hashlib_json_or_writer_library() -> None:
    code = "import sys\nimport briefpub.pipeline\nprint(' '.join(sorted(sys.modules)))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    modules = set(out.strip().splitlines()[-1].split())
    assert "briefpub.pipeline" in modules
    assert present(modules, NEVER | WRITER_LIBRARIES | {"hashlib", "_hashlib", "json", "typer"}) == set()


def test_a_text_only_path_imports_no_writer_library(tmp_path: Path) -> None:
    modules = imported(["convert", "-q", str(ARTICLE), "--to", "json", "--out", str(tmp_path / "out")], tmp_path)
    assert (tmp_path / "out" / f"{ARTICLE.stem}.json").is_file()
    assert present(modules, NEVER | WRITER_LIBRARIES) == set()
    assert present(imported(["inspect", str(ARTICLE)], tmp_path), NEVER | WRITER_LIBRARIES) == set()


def test_the_epub_path_imports_only_what_it_uses(tmp_path: Path) -> None:
    args = ["convert", "-q", str(ARTICLE), "--to", "epub", "--out", str(tmp_path / "out")]
    first = imported(args, tmp_path / "cache")  # an empty disk cache: fonts read, the cover drawn
    assert present(first, NEVER | {"reportlab", "docx", "pyphen"}) == set()
    again = imported(args, tmp_path / "cache")  # the same article again: fonts and cover from the cache
    assert present(again, NEVER | WRITER_LIBRARIES) == {"ebooklib", "lxml"}
    off = imported(args, tmp_path / "cache", BRIEFPUB_CACHE="off")
    assert present(off, NEVER | {"reportlab", "docx", "pyphen"}) == set()
    assert "PIL" in present(off, WRITER_LIBRARIES)  # without the cache the cover is drawn


def test_a_new_article_s_cover_imports_no_harfbuzz(tmp_path: Path) -> None:
    """A cover drawn for an article never converted before takes the faces' coverage from the disk cache."""
    text = ARTICLE.read_text(encoding="utf-8")
    runs = []
    for i in range(2):  # the first fills the disk cache: the fonts' faces, and the coverage of those it draws
        article = tmp_path / f"new{i}.txt"
        article.write_text(f"Run {i}: {text}", encoding="utf-8")
        runs.append(imported(["convert", "-q", str(article), "--to", "epub", "--out", str(tmp_path / "out")],
                             tmp_path / "cache"))
        assert (tmp_path / "out" / f"new{i}.epub").is_file()
    assert present(runs[-1], NEVER | WRITER_LIBRARIES) == {"ebooklib", "lxml", "PIL"}  # drawn, without HarfBuzz


@pytest.mark.parametrize(("fmt", "allowed"), [
    ("docx", {"docx", "lxml", "fontTools", "uharfbuzz"}),
    ("pdf", {"reportlab", "lxml", "PIL", "fontTools", "uharfbuzz", "pyphen"}),
])
def test_the_pdf_and_docx_paths_import_no_network_modules(fmt: str, allowed: set[str], tmp_path: Path) -> None:
    modules = imported(["convert", "-q", str(ARTICLE), "--to", fmt, "--out", str(tmp_path / "out")], tmp_path)
    assert present(modules, NEVER) == set()
    assert present(modules, WRITER_LIBRARIES) <= allowed


# --------------------------------------------------------------------------
# Only the invoked command is built (typer makes every command's parameters before parsing)
# --------------------------------------------------------------------------


def _built(args: list[str]) -> set[str]:
    """The command names of the click group the CLI builds for ``args``."""
    import typer

    from briefpub.cli import _command_app

    group = typer.main.get_command(_command_app(args))
    assert isinstance(group, typer.core.TyperGroup)
    return set(group.commands)


def _all_commands() -> set[str]:
    import typer

    from briefpub.cli import app

    group = typer.main.get_command(app)
    assert isinstance(group, typer.core.TyperGroup)
    return set(group.commands)


def test_only_the_invoked_command_is_built() -> None:
    everything = _all_commands()
    assert {"convert", "pack", "build", "serve", "cache", "merge-reports"} <= everything
    assert _built(["convert", "-q", "x.txt", "--to", "epub"]) == {"convert"}
    assert _built(["--debug", "convert", "x.txt"]) == {"convert"}
    assert _built(["cache", "prune", "--max-size", "1M"]) == {"cache"}
    assert _built(["merge-reports", "a.json"]) == {"merge-reports"}
    assert _built(["--version"]) == set()  # the root's eager option answers before any command
    # the root's help, no command, an unknown name (click suggests from the full list): every command
    for args in (["--help"], ["-h"], [], ["conver", "x.txt"], ["--", "convert"], ["--help", "convert"]):
        assert _built(args) == everything, args


def test_a_cold_convert_builds_the_parameters_of_convert_alone() -> None:
    code = (
        "import sys, typer.utils, typer.main\n"
        "calls = []\n"
        "real = typer.utils.get_params_from_function\n"
        "def counting(func):\n"
        "    calls.append(func.__name__)\n"
        "    return real(func)\n"
        "typer.main.get_params_from_function = counting\n"
        "from briefpub.cli import main\n"
        "try:\n"
        "    main(['convert', '--help'])\n"
        "except SystemExit:\n"
        "    pass\n"
        "print(sorted(set(calls)))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip().splitlines()[-1] == "['_root', '_version', 'convert']"


def _help(args: list[str], full: bool, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
          ) -> tuple[int, str, str]:
    from briefpub import cli
    from clirun import run

    with monkeypatch.context() as patch:
        if full:
            patch.setattr(cli, "_command_app", lambda _args: cli.app)
        return run(args, capsys)


def test_help_and_errors_are_those_of_the_full_app(monkeypatch: pytest.MonkeyPatch,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    cases = [["--help"], [], ["--version"], ["conver"], ["convert"], ["convert", "--nope"],
             ["cache"], ["cache", "prune", "--help"], ["cache", "prunee"], ["pack", "x.txt"]]
    cases += [[name, "--help"] for name in sorted(_all_commands())]
    for args in cases:
        lean = _help(args, False, monkeypatch, capsys)
        full = _help(args, True, monkeypatch, capsys)
        assert lean == full, args
        assert lean[1] or lean[2], args


def test_a_second_cold_epub_run_spawns_no_fc_list(tmp_path: Path) -> None:
    import shutil

    real = shutil.which("fc-list")
    if real is None:
        pytest.skip("fontconfig is not installed")
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    log = tmp_path / "fc-list.log"
    wrapper = bin_dir / "fc-list"
    wrapper.write_text(f'#!/bin/sh\necho run >> "{log}"\nexec "{real}" "$@"\n', encoding="utf-8")
    wrapper.chmod(0o755)
    path = f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}"
    args = ["convert", "-q", str(ARTICLE), "--to", "epub", "--out", str(tmp_path / "out")]
    imported(args, tmp_path / "cache", PATH=path)
    assert log.read_text(encoding="utf-8").split() == ["run"]  # the first run asks fontconfig
    again = imported(args, tmp_path / "cache", PATH=path)
    assert log.read_text(encoding="utf-8").split() == ["run"]  # the second has its answer from the cache
    assert present(again, NEVER | WRITER_LIBRARIES | {"secrets", "pikepdf", "tomli"}) == {"ebooklib", "lxml"}


_SPY = """
import sys
import briefpub._codecache as codecache
seen = []
install = codecache.install
def spy():
    seen.append("typer" in sys.modules)
    install()
codecache.install = spy
from briefpub.__main__ import run
import atexit
atexit.register(lambda: print(seen))  # run() ends the process itself, after the atexit handlers
sys.argv = ["briefpub", "--version"]
run()
"""


def test_the_console_script_installs_the_caches_before_typer_is_imported(tmp_path: Path) -> None:
    import tomllib

    scripts = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["scripts"]
    assert scripts["briefpub"] == "briefpub.__main__:run"  # the same entry point as `python -m briefpub`
    out = subprocess.run([sys.executable, "-c", _SPY], capture_output=True, text=True, check=True,
                         env={**os.environ, "BRIEFPUB_CACHE_DIR": str(tmp_path)})
    lines = out.stdout.strip().splitlines()
    assert lines[0].startswith("briefpub ")
    assert lines[-1].startswith("[False")  # the first install ran before typer was imported
