"""The shared data beside the checkout (``../shared``): defined once, required in CI.

CI (``.ci/run``) has ``../shared`` beside the clone and sets ``BRIEFPUB_REQUIRE_TOOLS=1``: there a
test that needs the reference article or a benchmark set fails when it is missing, instead of
skipping. On a developer's machine without it, such tests skip with the reason.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
#: The shared folder: the reference article, the benchmark data sets, the project's docs.
SHARED = ROOT.parent / "shared"
#: The article this project was created from (plain text pasted from a news page).
REFERENCE = SHARED / "seeds" / "000_f2fc37828fe0a249.txt"
#: Saved web pages with their expected article text (web-page extraction).
EXTRACTION_DEV = SHARED / "benchmarks" / "extraction-dev"


def _missing(path: Path) -> str:
    return f"{path} is not here (../shared must sit beside the checkout)"


def shared_or_none(path: Path = REFERENCE) -> Path | None:
    """``path`` when it is there; None when it is not (a test leaves that case out), but a failure under
    ``BRIEFPUB_REQUIRE_TOOLS=1``."""
    if path.exists():
        return path
    if os.environ.get("BRIEFPUB_REQUIRE_TOOLS") == "1":
        pytest.fail(_missing(path))
    return None


def require_shared(path: Path = REFERENCE) -> Path:
    """``path`` inside ``../shared``; skips when it is absent (fails under ``BRIEFPUB_REQUIRE_TOOLS=1``)."""
    found = shared_or_none(path)
    if found is None:
        pytest.skip(_missing(path))
    return found
