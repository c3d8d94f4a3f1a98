"""The cold start's import budget: each command imports only what it uses (checked in a fresh process).

Sets of modules that must not be imported, never timings: the cost of a cold start is measured by
``bench/run.py``. The children import the briefpub that this test process imports (``PYTHONPATH``).
"""

from __future__ import annotations

import json
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
import json, sys
from briefpub.cli import main
try:
    main(sys.argv[1:])
except SystemExit:
    pass
print(json.dumps(sorted(sys.modules)))
"""


def imported(args: list[str], cache: Path, **env: str) -> set[str]:
    """The modules a fresh ``briefpub ARGS`` process has imported when it ends."""
    out = subprocess.run([sys.executable, "-c", _CHILD, *args], capture_output=True, text=True, check=True,
                         env={**os.environ, "BRIEFPUB_CACHE_DIR": str(cache), "SOURCE_DATE_EPOCH": "1", **env})
    modules: list[str] = json.loads(out.stdout.strip().splitlines()[-1])
    return set(modules)


def present(modules: set[str], names: set[str]) -> set[str]:
    """Which of ``names`` (packages or modules) were imported."""
    return {n for n in names if n in modules or any(m.startswith(n + ".") for m in modules)}


@pytest.mark.parametrize("args", [["--help"], ["convert", "--help"], ["formats"], ["styles"], ["--version"]])
def test_help_and_listings_import_no_writer_library(args: list[str], tmp_path: Path) -> None:
    modules = imported(args, tmp_path)
    # `formats` lists plugins too: importlib.metadata, which imports email and socket, is its own job
    never = {"rich"} if args == ["formats"] else NEVER
    assert present(modules, never | WRITER_LIBRARIES) == set()


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


@pytest.mark.parametrize(("fmt", "allowed"), [
    ("docx", {"docx", "lxml", "fontTools", "uharfbuzz"}),
    ("pdf", {"reportlab", "lxml", "PIL", "fontTools", "uharfbuzz", "pyphen"}),
])
def test_the_pdf_and_docx_paths_import_no_network_modules(fmt: str, allowed: set[str], tmp_path: Path) -> None:
    modules = imported(["convert", "-q", str(ARTICLE), "--to", fmt, "--out", str(tmp_path / "out")], tmp_path)
    assert present(modules, NEVER) == set()
    assert present(modules, WRITER_LIBRARIES) <= allowed
