"""What a ``--server`` client imports: no writer, no parser, no transform (checked in a fresh process).

The client reads files and writes what the server sends; the conversion is the server's. Sets of
modules, never timings: its CPU time is measured by ``bench/bench_client.py``.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from conftest import ROOT  # type: ignore[attr-defined]
from shared_data import REFERENCE, shared_or_none

ARTICLE = shared_or_none(REFERENCE) or ROOT / "fixtures" / "txt" / "geneva-round.txt"

#: Never needed by a client: the formats' libraries, the readers' parsers, the tree's transforms, the
#: writers' own modules (beyond the package naming the output), urllib.request (http.client does).
NEVER = {"reportlab", "docx", "ebooklib", "lxml", "PIL", "fontTools", "uharfbuzz", "pyphen", "markdown_it",
         "briefpub.readers.text", "briefpub.readers.markdown", "briefpub.readers.html", "briefpub.transforms",
         "briefpub.writers.epub.book", "briefpub.writers.pdf.render", "briefpub.jsontree", "urllib.request",
         "briefpub.serve.app", "briefpub.serve.workers", "starlette", "uvicorn"}

_CHILD = """
import json, sys
from briefpub.cli import main
try:
    main(sys.argv[1:])
except SystemExit as exc:
    assert not exc.code, exc.code
print(json.dumps(sorted(sys.modules)))
"""


def _imported(args: list[str], tmp_path: Path) -> set[str]:
    out = subprocess.run([sys.executable, "-c", _CHILD, *args], capture_output=True, text=True, check=True,
                         env={**os.environ, "BRIEFPUB_CACHE_DIR": str(tmp_path / "cache"), "SOURCE_DATE_EPOCH": "1"})
    return set(json.loads(out.stdout.strip().splitlines()[-1]))


def _present(modules: set[str], names: set[str]) -> set[str]:
    return {n for n in names if n in modules or any(m.startswith(n + ".") for m in modules)}


def test_a_client_imports_neither_writers_nor_parsers(serve: Any, tmp_path: Path) -> None:
    url = serve().url
    modules = _imported(["convert", "-q", str(ARTICLE), "--to", "epub", "--out", str(tmp_path / "a"),
                         "--server", url], tmp_path)
    assert (tmp_path / "a" / f"{ARTICLE.stem}.epub").is_file()
    assert _present(modules, NEVER | {"briefpub.styling", "tomllib"}) == set()  # the default style is the server's


def test_a_client_sending_images_and_a_style_file_still_parses_nothing(serve: Any, tmp_path: Path) -> None:
    from PIL import Image

    Image.new("RGB", (20, 10), "red").save(tmp_path / "pic.png")
    (tmp_path / "a.md").write_text("# Title\n\n![A red box](pic.png)\n\nBody.\n", encoding="utf-8")
    (tmp_path / "my.toml").write_text('extends = "plain"\n[body]\nsize = "12pt"\n', encoding="utf-8")
    url = serve().url
    for command in (["convert", str(tmp_path / "a.md")], ["pack", str(tmp_path / "a.md"), "--title", "T"]):
        modules = _imported([*command, "-q", "--to", "epub", "--style", str(tmp_path / "my.toml"), "--out",
                             str(tmp_path / "out"), "--server", url], tmp_path)
        assert _present(modules, NEVER) == set(), command
    assert {p.suffix for p in (tmp_path / "out").iterdir()} == {".epub"}
