"""DAISY Ace for tests: many EPUBs checked in one Node process and one headless browser.

Ace's own CLI (``ace``, ``ace-puppeteer``) checks one EPUB per run and starts a
browser each time (about 4 s). :func:`run_ace` instead runs a small Node
program that loads Ace's core once, launches the Puppeteer runner's browser
once (Debian's Chromium, ``PUPPETEER_EXECUTABLE_PATH``; the runner already
passes ``--no-sandbox``, which running as root needs) and checks every EPUB in
turn, printing one JSON line per EPUB with its violations (Ace's failed
assertions: rule, impact, document, description, where) and Ace's view of the
accessibility metadata.

Install (CI): ``ELECTRON_SKIP_BINARY_DOWNLOAD=1 PUPPETEER_SKIP_DOWNLOAD=1 npm i -g @daisy/ace``
and a Chromium. The Electron runner behind the plain ``ace`` command is not
installed that way, so it is never used. Without Node, Ace or Chromium the
tests skip with the reason; under ``BRIEFPUB_REQUIRE_TOOLS=1`` they fail.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tools import require_tool

BATCH_JS = r"""
'use strict';
// node ace-batch.js <Ace package dir> <epub>... : one "ACE\t<json>" line per EPUB on stdout.
const path = require('path');
const aceDir = process.argv[2];
const mod = (name) => require(path.join(aceDir, 'node_modules', '@daisy', name));
const logger = mod('ace-logger');
const ace = mod('ace-core');
const runner = mod('ace-axe-runner-puppeteer');
logger.initLogger({ verbose: false, silent: true });
// One browser for every EPUB: ace-core launches and closes the runner once per EPUB.
const launch = runner.launch, close = runner.close;
let launched = false;
// The runner gives the browser 5 s to start; on a loaded machine that can pass, so starting is retried
// (a browser that never starts still fails every EPUB, with the error).
runner.launch = async () => {
  let last = null;
  for (let attempt = 0; !launched && attempt < 4; attempt++) {
    try { await launch(); launched = true; } catch (err) { last = err; await new Promise((r) => setTimeout(r, 3000)); }
  }
  if (!launched) throw last;
};
runner.close = async () => {};
const say = (obj) => process.stdout.write('ACE\t' + JSON.stringify(obj) + '\n');
(async () => {
  for (const file of process.argv.slice(3)) {
    try {
      const [, report] = await ace(file, { cwd: process.cwd(), silent: true, jobId: '' }, runner);
      const violations = [];
      for (const doc of report.assertions || []) {
        for (const a of doc.assertions || []) {
          if (a['earl:result']['earl:outcome'] !== 'fail') continue;
          violations.push({ doc: doc['earl:testSubject'].url, rule: a['earl:test']['dct:title'],
                            impact: a['earl:test']['earl:impact'], text: a['earl:result']['dct:description'],
                            where: (a['earl:result']['earl:pointer'] || {}).css || [] });
        }
      }
      say({ file, outcome: report['earl:result']['earl:outcome'], violations,
            metadata: report['a11y-metadata'] || {} });
    } catch (err) {
      say({ file, error: String((err && err.message) || err) });
    }
  }
  if (launched) await close();
})();
"""


@dataclass
class Violation:
    """One failed Ace assertion."""

    rule: str
    impact: str
    doc: str
    text: str
    where: list[str] = field(default_factory=list)

    def __str__(self) -> str:
        return f"{self.rule} ({self.impact}) in {self.doc}: {self.text} {self.where[:3]}"


@dataclass
class AceResult:
    """Ace's verdict on one EPUB."""

    outcome: str = ""
    violations: list[Violation] = field(default_factory=list)
    metadata: dict[str, list[str]] = field(default_factory=dict)
    error: str = ""

    def by_rule(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for v in self.violations:
            counts[f"{v.rule} ({v.impact})"] = counts.get(f"{v.rule} ({v.impact})", 0) + 1
        return counts


def ace_package() -> Path:
    """Ace's installed package folder (the one holding ``node_modules/@daisy/ace-core``)."""
    configured = os.environ.get("BRIEFPUB_ACE_DIR")
    candidates = [Path(configured)] if configured else []
    ace = shutil.which("ace")
    if ace is not None:
        candidates.append(Path(ace).resolve().parent.parent)
    npm = shutil.which("npm")
    if npm is not None and not configured:
        try:
            root = subprocess.run([npm, "root", "-g"], capture_output=True, text=True, timeout=60, check=False)
            candidates.append(Path(root.stdout.strip()) / "@daisy" / "ace")
        except (OSError, subprocess.SubprocessError):
            pass
    for candidate in candidates:
        core = candidate / "node_modules" / "@daisy"
        if (core / "ace-core").is_dir() and (core / "ace-axe-runner-puppeteer").is_dir():
            return candidate
    message = ("DAISY Ace is not installed (ELECTRON_SKIP_BINARY_DOWNLOAD=1 PUPPETEER_SKIP_DOWNLOAD=1 "
               "npm i -g @daisy/ace)")
    if os.environ.get("BRIEFPUB_REQUIRE_TOOLS") == "1":
        pytest.fail(message)
    pytest.skip(message)


def _browser() -> str:
    configured = os.environ.get("PUPPETEER_EXECUTABLE_PATH")
    if configured:
        return configured
    for name in ("chromium", "chromium-browser", "google-chrome"):
        found = shutil.which(name)
        if found is not None:
            return found
    require_tool("chromium")
    raise AssertionError("unreachable")  # pragma: no cover


def run_ace(files: list[Path], workdir: Path) -> dict[str, AceResult]:
    """Ace's results by file path, all files in one Node process and one browser."""
    require_tool("node")
    package = ace_package()
    browser = _browser()
    script = workdir / "ace-batch.js"
    script.write_text(BATCH_JS, encoding="utf-8")
    proc = subprocess.run(
        ["node", str(script), str(package), *map(str, files)],
        capture_output=True, text=True, encoding="utf-8", timeout=1800, check=False, cwd=workdir,
        env={**os.environ, "PUPPETEER_EXECUTABLE_PATH": browser},
    )
    results: dict[str, AceResult] = {}
    for line in proc.stdout.splitlines():
        if not line.startswith("ACE\t"):
            continue  # Ace prints nothing else when silent; anything else is ignored
        found = json.loads(line[4:])
        results[found["file"]] = AceResult(
            outcome=found.get("outcome", ""),
            violations=[Violation(v["rule"], v["impact"], v["doc"], v["text"], v.get("where", []))
                        for v in found.get("violations", [])],
            metadata=found.get("metadata", {}),
            error=found.get("error", ""),
        )
    if not results:
        raise AssertionError(f"Ace reported nothing (exit {proc.returncode}): {proc.stderr[-2000:]}")
    return results
