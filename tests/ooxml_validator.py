"""Open XML SDK schema validation of DOCX files for tests (many files per Node start).

The validator is the npm package ``@ooxml-tools/validate``: Microsoft's Open XML
SDK (``OpenXmlValidator``, the same checks Word's own tooling runs) compiled to
WebAssembly with .NET 8, so it needs Node 20 and no .NET install. Its CLI checks
one file per start (about 3 s, mostly loading the runtime): :func:`validate_docx`
imports the package once in a small Node script and validates every file in
that one process.

Install (``.ci/run``): ``npm install -g @ooxml-tools/validate@0.4.6``.
Tests skip when it is absent and fail instead under ``BRIEFPUB_REQUIRE_TOOLS=1``.
"""

from __future__ import annotations

import functools
import json
import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest

PACKAGE = "@ooxml-tools/validate"
#: Office version the schemas are checked against (the validator's default, the newest).
OFFICE_VERSION = "Microsoft365"

# Reads file paths from argv, prints one JSON line per file: {"file", "errors": [...]}.
BATCH_JS = r"""
import { readFile } from "node:fs/promises";
import { pathToFileURL } from "node:url";
const [entry, version, ...files] = process.argv.slice(2);
const mod = await import(pathToFileURL(entry).href);
const validate = mod.default;
for (const file of files) {
  let errors;
  try {
    errors = await validate(await readFile(file), "docx", version);
  } catch (e) {
    errors = [{ id: "HARNESS", description: String(e), path: { partUri: "", xpath: "" }, errorType: -1 }];
  }
  process.stdout.write(JSON.stringify({ file, errors }) + "\n");
}
process.exit(0);
"""


@dataclass(frozen=True, slots=True)
class SchemaError:
    """One Open XML SDK validation error: its id, the part and XPath, and the SDK's description."""

    id: str
    part: str
    xpath: str
    description: str

    def __str__(self) -> str:
        return f"{self.part} {self.xpath}: {self.id}: {self.description}"


@functools.cache
def package_entry() -> Path | None:
    """The validator's ``index.js`` in the global npm folder (or ``OOXML_VALIDATE_ENTRY``), None if absent."""
    override = os.environ.get("OOXML_VALIDATE_ENTRY")
    if override:
        return Path(override) if Path(override).is_file() else None
    npm = shutil.which("npm")
    if npm is None or shutil.which("node") is None:
        return None
    root = subprocess.run([npm, "root", "-g"], capture_output=True, text=True, check=False).stdout.strip()
    entry = Path(root) / PACKAGE / "dist" / "npm" / "index.js"
    return entry if entry.is_file() else None


def require_validator() -> Path:
    """The validator's entry point; skip (or fail under ``BRIEFPUB_REQUIRE_TOOLS=1``) when it is absent."""
    entry = package_entry()
    if entry is not None:
        return entry
    message = f"needs node and the npm package {PACKAGE} (npm install -g {PACKAGE}, done by .ci/run)"
    if os.environ.get("BRIEFPUB_REQUIRE_TOOLS") == "1":
        pytest.fail(message)
    pytest.skip(message)


def validate_docx(paths: list[Path], tmp: Path) -> dict[Path, list[SchemaError]]:
    """Schema errors of each DOCX in ``paths``, validated in one Node process."""
    entry = require_validator()
    script = tmp / "ooxml_batch.mjs"
    script.write_text(BATCH_JS, encoding="utf-8")
    proc = subprocess.run(
        ["node", str(script), str(entry), OFFICE_VERSION, *(str(p) for p in paths)],
        capture_output=True, text=True, check=False, timeout=600,
    )  # fmt: skip
    results: dict[Path, list[SchemaError]] = {}
    for line in proc.stdout.splitlines():
        if not line.startswith("{"):
            continue
        record = json.loads(line)
        results[Path(record["file"])] = [
            SchemaError(e["id"], e["path"]["partUri"], e["path"]["xpath"], e["description"]) for e in record["errors"]
        ]
    missing = [p for p in paths if p not in results]
    if missing:
        raise AssertionError(f"validator gave no result for {missing}: exit {proc.returncode}\n{proc.stderr[-2000:]}")
    return results
