"""External tools used by tests: skip when absent locally, fail when CI requires them.

``.ci/run`` sets ``BRIEFPUB_REQUIRE_TOOLS=1``: there a missing tool is an install step that was
forgotten, so the test fails instead of skipping.
"""

from __future__ import annotations

import os
import shutil

import pytest


def require_tool(*names: str) -> None:
    """Skip (or fail under BRIEFPUB_REQUIRE_TOOLS=1) unless every command in ``names`` is on PATH."""
    missing = [n for n in names if shutil.which(n) is None]
    if not missing:
        return
    message = f"needs {', '.join(missing)} on PATH (installed by .ci/run)"
    if os.environ.get("BRIEFPUB_REQUIRE_TOOLS") == "1":
        pytest.fail(message)
    pytest.skip(message)
