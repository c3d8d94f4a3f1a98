"""reportlab's C speedups (``rl_accel``, its ``accel`` extra) are installed and change no byte of a PDF."""

from __future__ import annotations

import hashlib
import importlib.util
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
ARTICLES = [ROOT / "fixtures" / "txt" / "geneva-round.txt", ROOT / "fixtures" / "md" / "analyst-note.md"]

_CHILD = """
import sys
if sys.argv[1] == "python":
    sys.modules["_rl_accel"] = None  # reportlab falls back to its pure-Python versions
from reportlab.lib import rl_accel
from briefpub.cli import main
try:
    main(["convert", "-q", "--to", "pdf", "--out", sys.argv[2], *sys.argv[3:]])
except SystemExit as exc:
    assert not exc.code, exc.code
print(rl_accel.fp_str.__module__)
"""


def test_the_c_speedups_are_installed() -> None:
    assert importlib.util.find_spec("_rl_accel") is not None  # pyproject: reportlab[accel]


def test_pdf_bytes_are_the_same_with_and_without_the_c_speedups(tmp_path: Path) -> None:
    digests = {}
    for mode in ("c", "python"):
        out = tmp_path / mode
        done = subprocess.run([sys.executable, "-c", _CHILD, mode, str(out), *map(str, ARTICLES)], check=True,
                              capture_output=True, text=True,
                              env={**os.environ, "SOURCE_DATE_EPOCH": "1700000000",
                                   "BRIEFPUB_CACHE_DIR": str(tmp_path / "cache")})
        assert done.stdout.strip().splitlines()[-1] == ("_rl_accel" if mode == "c" else "reportlab.lib.rl_accel")
        digests[mode] = {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(out.iterdir())}
    assert len(digests["c"]) == len(ARTICLES)
    assert digests["c"] == digests["python"]
