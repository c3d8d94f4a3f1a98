"""The PyPI ``pdfua`` checker for tests: ``pdfua check --format json`` on many PDFs in one process.

``pdfua`` checks a machine-checkable subset of PDF/UA-1 (structure tree present,
MarkInfo, untagged content, document language, figure alternative text, table
headers, link and annotation descriptions, empty headings, title,
DisplayDocTitle, the PDF/UA identifier in XMP). It is a test dependency (the
``test`` extra); where it is not installed the tests that need it skip, and fail
under ``BRIEFPUB_REQUIRE_TOOLS=1``.
"""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pytest


@dataclass
class PdfuaResult:
    """pdfua's verdict on one file."""

    errors: int = 0
    warnings: int = 0
    info: int = 0
    findings: list[str] = field(default_factory=list)
    #: Rules pdfua did not evaluate, with its reason (``rule_id: reason``).
    skipped: list[str] = field(default_factory=list)

    @property
    def counts(self) -> tuple[int, int, int]:
        """(errors, warnings, info)."""
        return (self.errors, self.warnings, self.info)


def require_pdfua() -> None:
    """Skip (or fail under BRIEFPUB_REQUIRE_TOOLS=1) unless the ``pdfua`` package is importable."""
    if importlib.util.find_spec("pdfua") is not None:
        return
    message = "needs the pdfua package (pip install -e '.[test]')"
    if os.environ.get("BRIEFPUB_REQUIRE_TOOLS") == "1":
        pytest.fail(message)
    pytest.skip(message)


def run_pdfua(paths: Sequence[Path]) -> dict[Path, PdfuaResult]:
    """pdfua's findings for each of ``paths`` (one process for all)."""
    require_pdfua()
    done = subprocess.run([sys.executable, "-m", "pdfua", "check", "--format", "json", *map(str, paths)],
                          capture_output=True, text=True, timeout=300)
    if done.returncode >= 4:
        raise AssertionError(f"pdfua could not run (exit {done.returncode}): {done.stderr.strip()}")
    decoder = json.JSONDecoder()
    text = done.stdout
    position = 0
    results: dict[Path, PdfuaResult] = {}
    by_name = {str(p): p for p in paths}
    while True:
        while position < len(text) and text[position].isspace():
            position += 1
        if position >= len(text):
            break
        record, position = decoder.raw_decode(text, position)
        summary = record.get("summary", {})
        result = PdfuaResult(summary.get("errors", 0), summary.get("warnings", 0), summary.get("info", 0))
        result.findings = [f"{f['severity']} {f['rule_id']} page={f.get('page')}: {f['message']}"
                           for f in record.get("findings", [])]
        result.skipped = [f"{s['rule_id']}: {s['reason']}" for s in record.get("skipped", [])]
        results[by_name.get(record["file"], Path(record["file"]))] = result
    missing = [p for p in paths if p not in results]
    if missing:
        raise AssertionError(f"pdfua reported nothing for {missing}: {done.stderr.strip()}")
    return results
