"""Benchmark the build cache: a fresh build, an unchanged rebuild and a one-input-changed rebuild.

    python bench/bench_cache.py [--articles 1000] [--repeat 5] [--jobs 2]

``articles`` short articles (the reference article's title and first paragraphs, numbered) x PDF,
EPUB and DOCX = 3 x ``articles`` artifacts, built with ``briefpub build`` in a new process each
time, as CI runs it, with ``SOURCE_DATE_EPOCH`` set and the cache beside the manifest:

* fresh: an empty cache and an empty output folder (once: it is the slow case, 1-2 minutes
  per 1,000 articles on two cores);
* unchanged: the same build again (median of ``repeat``); target: 3,000 artifacts in at most 2 s;
* one input changed: one article edited (a different one each time), so its three artifacts are
  rebuilt and the rest restored (median of ``repeat``).

CPU time is user + system of the build process and its worker processes (``wait4``). The peer,
measured in the same run, is ``briefpub --version`` (interpreter start and CLI import), so the
ratio says how much of a cached build is more than starting Python. ``bench/run.py`` calls
:func:`cache_section` for ``BENCHMARKS.md``.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
REFERENCE = ROOT.parent / "shared" / "seeds" / "000_f2fc37828fe0a249.txt"
FALLBACK = ROOT / "fixtures" / "txt" / "geneva-round.txt"
EPOCH = "1485129600"


def measured(cmd: Sequence[str], env: dict[str, str]) -> tuple[float, float, int]:
    """(wall seconds, CPU seconds of the process and its reaped children, exit code)."""
    started = time.perf_counter()
    proc = subprocess.Popen(list(cmd), env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    return time.perf_counter() - started, usage.ru_utime + usage.ru_stime, proc.returncode


def make_project(folder: Path, count: int, src: Path) -> Path:
    """A manifest building ``count`` short articles in three formats."""
    text = src.read_text(encoding="utf-8")
    title, rest = text.split("\n", 1)
    short = "\n\n".join(p for p in rest.split("\n\n") if p.strip())
    short = "\n\n".join(short.split("\n\n")[:4])
    arts = folder / "articles"
    arts.mkdir(parents=True, exist_ok=True)
    for i in range(count):
        (arts / f"article-{i:04d}.txt").write_text(f"{title} (part {i + 1})\n\nItem {i + 1}. {short}\n",
                                                   encoding="utf-8")
    manifest = folder / "briefpub.toml"
    manifest.write_text('[build]\nout = "out"\nformats = ["pdf", "epub", "docx"]\n'
                        '[[article]]\ninputs = ["articles/*.txt"]\n', encoding="utf-8")
    return manifest


def fmt(seconds: float) -> str:
    return f"{seconds * 1000:.0f} ms" if seconds < 10 else f"{seconds:.1f} s"


def cache_section(work: Path, src: Path, articles: int, repeat: int, jobs: int = 2) -> list[str]:
    """The BENCHMARKS.md section: a table of the three cases and the target line."""
    folder = work / "cache-bench"
    manifest = make_project(folder, articles, src)
    env = {**os.environ, "SOURCE_DATE_EPOCH": EPOCH}
    build = [sys.executable, "-m", "briefpub", "build", "-q", "-m", str(manifest), "--jobs", str(jobs)]
    fresh_wall, fresh_cpu, fresh_code = measured(build, env)
    sums = (folder / "out" / "SHA256SUMS").read_bytes()
    unchanged = [measured(build, env) for _ in range(repeat)]
    same = (folder / "out" / "SHA256SUMS").read_bytes() == sums
    changed = []
    for i in range(repeat):
        path = folder / "articles" / f"article-{(i * 7919) % articles:04d}.txt"
        path.write_text(path.read_text(encoding="utf-8") + f"\n\nEdit {i}.\n", encoding="utf-8")
        changed.append(measured(build, env))
    nocache = measured([*build, "--no-cache", "--out", str(folder / "nocache")], env) if articles <= 100 else None
    version = [measured([sys.executable, "-m", "briefpub", "--version"], env) for _ in range(repeat)]
    v_wall = statistics.median(w for w, _c, _x in version)
    v_cpu = statistics.median(c for _w, c, _x in version)
    u_wall = statistics.median(w for w, _c, _x in unchanged)
    u_cpu = statistics.median(c for _w, c, _x in unchanged)
    c_wall = statistics.median(w for w, _c, _x in changed)
    c_cpu = statistics.median(c for _w, c, _x in changed)
    codes = {fresh_code, *(x for _w, _c, x in unchanged), *(x for _w, _c, x in changed)}
    n = articles * 3
    lines = [
        f"## The build cache: {articles} articles x 3 formats = {n} artifacts (`--jobs {jobs}`)", "",
        "A new `briefpub build` process per run, `SOURCE_DATE_EPOCH` set; CPU = user + system of the "
        "build and its workers. Peer: `briefpub --version` (interpreter start and CLI import) in the same run.", "",
        "| case | wall | CPU | CPU / peer |", "|---|---|---|---|",
        f"| fresh (empty cache, once) | {fmt(fresh_wall)} | {fmt(fresh_cpu)} | {fresh_cpu / v_cpu:.0f}x |",
        f"| unchanged rebuild (median of {repeat}) | {fmt(u_wall)} | {fmt(u_cpu)} | {u_cpu / v_cpu:.1f}x |",
        f"| one input changed: 3 artifacts rebuilt (median of {repeat}) | {fmt(c_wall)} | {fmt(c_cpu)} | "
        f"{c_cpu / v_cpu:.1f}x |",
        f"| peer: `briefpub --version` (median of {repeat}) | {fmt(v_wall)} | {fmt(v_cpu)} | 1x |",
        "",
        f"Unchanged rebuild of {n} artifacts: {fmt(u_wall)} wall, {fmt(u_cpu)} CPU (target <= 2 s); "
        f"{fresh_cpu / u_cpu:.0f}x less CPU than the fresh build. SHA256SUMS identical after the cached "
        f"runs: {'yes' if same else 'NO'}. Exit codes: {sorted(codes)}.",
    ]
    if nocache is not None:
        lines.append(f"`--no-cache` build for comparison: {fmt(nocache[0])} wall, {fmt(nocache[1])} CPU.")
    return [*lines, ""]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--jobs", type=int, default=2)
    args = parser.parse_args()
    src = REFERENCE if REFERENCE.is_file() else FALLBACK
    work = Path(tempfile.mkdtemp(prefix="briefpub-bench-cache-"))
    try:
        print("\n".join(cache_section(work, src, args.articles, args.repeat, args.jobs)))
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
