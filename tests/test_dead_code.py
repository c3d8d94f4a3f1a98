"""No dead code: vulture finds nothing in ``src/`` beyond the names ``tests/vulture_whitelist.py`` explains."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_vulture_finds_no_unused_code() -> None:
    found = subprocess.run(
        [sys.executable, "-m", "vulture", "src", "tests/vulture_whitelist.py", "--min-confidence", "60"],
        cwd=ROOT, capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert found.returncode == 0, found.stdout + found.stderr


def test_vulture_sees_a_dead_function(tmp_path: Path) -> None:
    """The check can fail: an unused function in a module is reported."""
    module = "def used() -> int:\n    return 1\n\n\ndef unused() -> int:\n    return 2\n\n\nused()\n"
    (tmp_path / "mod.py").write_text(module)
    found = subprocess.run([sys.executable, "-m", "vulture", str(tmp_path)], capture_output=True, text=True,
                           check=False)  # fmt: skip
    assert found.returncode != 0 and "unused" in found.stdout
