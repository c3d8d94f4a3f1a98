"""briefpub's benchmark suite: one command, results in BENCHMARKS.md.

    python bench/run.py [--repeat 5] [--quick] [--output BENCHMARKS.md] [--packs-only]

Measures, side by side in the same run, with medians of several runs:

* the reference article to each format and to all three: cold CLI (a new process, as a user
  runs it: CPU time of the child, with bytecode compiled, with and without the disk cache) and
  warm in-process (writers already imported);
* side by side with the cold runs, interleaved in the same rounds, the peers users would pick
  instead, where installed: pandoc (DOCX, EPUB), LibreOffice (DOCX -> PDF) and calibre's
  ebook-convert (EPUB, PDF) on the same article, with CPU-time ratios;
* scaling: 1x, 10x and 100x the article's length (time should grow linearly);
* packs of 50, 200, 800 and 1,600 articles per format (CPU time per article, peak memory), and
  ``build --jobs 1`` vs ``--jobs 2`` on 500 articles, with peak memory (max RSS of the process) for each.
* the build cache (``bench/bench_cache.py``): 1,000 short articles x 3 formats = 3,000 artifacts
  built fresh, rebuilt unchanged and rebuilt with one input changed.

The reference article is ``../shared/seeds/000_f2fc37828fe0a249.txt`` when it is beside the
checkout, else ``fixtures/txt/geneva-round.txt``. Every workload that reports memory runs in its
own process so that its peak RSS is its own. ``--quick`` uses fewer repeats and smaller sizes
(a smoke test of the harness, not numbers to quote).
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from collections.abc import Callable, Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
REFERENCE = ROOT.parent / "shared" / "seeds" / "000_f2fc37828fe0a249.txt"
FALLBACK = ROOT / "fixtures" / "txt" / "geneva-round.txt"
EPOCH = "1485129600"
FORMATS = ("pdf", "epub", "docx")


def article_path() -> Path:
    return REFERENCE if REFERENCE.is_file() else FALLBACK


# ----------------------------------------------------------------------------- measuring


def run_measured(cmd: Sequence[str], *, cwd: Path | None = None, env: dict[str, str] | None = None,
                 timeout: float = 1800) -> tuple[float, float, int]:
    """Run a command; (wall seconds, peak RSS in MiB of that process, exit code)."""
    started = time.perf_counter()
    proc = subprocess.Popen(list(cmd), cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - started
    if proc.stderr is not None:
        proc.stderr.close()
    proc.returncode = os.waitstatus_to_exitcode(status)
    return wall, usage.ru_maxrss / 1024, proc.returncode


def env_with_epoch() -> dict[str, str]:
    return {**os.environ, "SOURCE_DATE_EPOCH": EPOCH}


def briefpub_cmd(*args: str) -> list[str]:
    return [sys.executable, "-m", "briefpub", *args]


# ----------------------------------------------------------------------------- workloads


def make_scaled(src: Path, factor: int, dest: Path) -> Path:
    """The article with its body repeated ``factor`` times (furniture once, at the end)."""
    text = src.read_text(encoding="utf-8")
    lines = text.split("\n")
    title, body = lines[0], "\n".join(lines[1:])
    dest.write_text(title + "\n" + "\n\n".join([body] * factor), encoding="utf-8")
    return dest


def make_articles(folder: Path, count: int, src: Path) -> list[Path]:
    """``count`` distinct articles shaped like ``src`` (numbered titles and first words)."""
    folder.mkdir(parents=True, exist_ok=True)
    text = src.read_text(encoding="utf-8")
    title, rest = text.split("\n", 1)
    paths = []
    for i in range(count):
        path = folder / f"article-{i:04d}.txt"
        path.write_text(f"{title} (part {i + 1})\n\nItem {i + 1}. {rest}", encoding="utf-8")
        paths.append(path)
    return paths


WARM_SCRIPT = textwrap.dedent(
    """
    import json, statistics, sys, time
    from datetime import UTC, datetime
    from briefpub.pipeline import prepare_article, render, style_fonts
    from briefpub.styling import load_style
    from briefpub.tree import Publication
    from briefpub.writers import WriteOptions
    path, formats, repeat = sys.argv[1], sys.argv[2].split(","), int(sys.argv[3])
    style = load_style()
    options = WriteOptions(build_time=datetime(2017, 1, 23, tzinfo=UTC), fonts=style_fonts(style))
    def once():
        started, cpu = time.perf_counter(), time.process_time()
        article = prepare_article(path)
        pub = Publication((article.document,))
        for fmt in formats:
            render(pub, fmt, style, options)
        return time.process_time() - cpu, time.perf_counter() - started
    once()  # warm-up: imports, font discovery
    runs = [once() for _ in range(repeat)]
    samples = [c for c, _ in runs]
    print(json.dumps({"median": statistics.median(samples), "samples": samples,
                      "wall": statistics.median(w for _, w in runs)}))
    """
)


def warm(path: Path, formats: Sequence[str], repeat: int) -> dict[str, object]:
    out = subprocess.run([sys.executable, "-c", WARM_SCRIPT, str(path), ",".join(formats), str(repeat)],
                         capture_output=True, text=True, check=True, env=env_with_epoch())
    result: dict[str, object] = json.loads(out.stdout)
    return result


PACK_SCRIPT = textwrap.dedent(
    """
    import json, sys, time
    from datetime import UTC, datetime
    from briefpub.pipeline import render, style_fonts
    from briefpub.pipeline.pack import assemble_pack
    from briefpub.styling import load_style
    from briefpub.tree import PackMeta
    from briefpub.writers import WriteOptions
    fmt, paths = sys.argv[1], sys.argv[2:]
    style = load_style()
    options = WriteOptions(build_time=datetime(2017, 1, 23, tzinfo=UTC), fonts=style_fonts(style))
    warm_up = assemble_pack(paths[:2], PackMeta(title="Warm-up", marking="OFFICIAL"))
    render(warm_up.publication, fmt, style, options)  # imports, fonts: paid once per process, not per article
    assembled = assemble_pack(paths, PackMeta(title="Benchmark pack", marking="OFFICIAL"))
    started, cpu = time.perf_counter(), time.process_time()
    data, _, _ = render(assembled.publication, fmt, style,
                        WriteOptions(build_time=options.build_time, resources=assembled.resources,
                                     fonts=options.fonts))
    print(json.dumps({"wall": time.perf_counter() - started, "cpu": time.process_time() - cpu, "size": len(data)}))
    """
)


# ----------------------------------------------------------------------------- cold start


def cpu_measured(cmd: Sequence[str], *, env: dict[str, str] | None = None, timeout: float = 600) -> tuple[float, float]:
    """Run a command; (CPU seconds of it and its children: user + system, wall seconds)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    subprocess.run(list(cmd), env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=timeout,
                   check=False)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime), wall


def compile_briefpub() -> None:
    """Compile the briefpub package the benchmark runs (PYTHONDONTWRITEBYTECODE may be set): cold runs are
    timed with bytecode, as an installed package has it."""
    spec = importlib.util.find_spec("briefpub")
    for folder in (spec.submodule_search_locations or []) if spec else []:
        subprocess.run([sys.executable, "-m", "compileall", "-q", folder], check=False,
                       env={k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"})


def cold_start(article: Path, work: Path, cache_dir: Path, repeat: int) -> tuple[dict[str, float], dict[str, float],
                                                                                   list[str]]:
    """Cold conversions of the article and the peers' on the same article, interleaved round by round so
    that the machine's load falls on all alike; (CPU medians, wall medians, report lines)."""
    compile_briefpub()
    cached_env = {**env_with_epoch(), "BRIEFPUB_CACHE_DIR": str(cache_dir)}
    off_env = {**env_with_epoch(), "BRIEFPUB_CACHE": "off"}
    out = str(work / "cold")

    def convert(fmts: str, path: Path) -> list[str]:
        return briefpub_cmd("convert", "-q", "--to", fmts, "--out", out, str(path))

    jobs: dict[str, Callable[[int], tuple[list[str], dict[str, str] | None]]] = {}
    for fmts in (*FORMATS, "pdf,epub,docx"):
        jobs[fmts] = lambda _i, f=fmts: (convert(f, article), cached_env)
    retitled = work / "retitled"
    retitled.mkdir()
    text = article.read_text(encoding="utf-8")

    def new_title(i: int) -> tuple[list[str], dict[str, str] | None]:
        path = retitled / f"article-{i}.txt"
        path.write_text(f"Run {i}: {text}", encoding="utf-8")
        return convert("epub", path), cached_env

    jobs["epub, new title"] = new_title
    jobs["epub, no disk cache"] = lambda _i: (convert("epub", article), off_env)
    jobs["--version"] = lambda _i: (briefpub_cmd("--version"), None)
    jobs["python -c pass"] = lambda _i: ([sys.executable, "-c", "pass"], None)
    if shutil.which("pandoc"):
        for fmt in ("epub", "docx"):
            jobs[f"pandoc {fmt}"] = lambda _i, f=fmt: (
                ["pandoc", "-f", "markdown", str(article), "-o", str(work / f"pandoc.{f}")], None)
    slow: dict[str, Callable[[int], tuple[list[str], dict[str, str] | None]]] = {}
    if shutil.which("ebook-convert"):
        # (calibre's PDF output runs Qt WebEngine, whose Chromium refuses to start as root without this:
        # it then exits 1 having written nothing, in a third of the time a conversion takes)
        calibre_env = {**os.environ, "QT_QPA_PLATFORM": "offscreen",
                       **({"QTWEBENGINE_CHROMIUM_FLAGS": "--no-sandbox"} if os.geteuid() == 0 else {})}
        for fmt in ("epub", "pdf"):
            slow[f"calibre {fmt}"] = lambda _i, f=fmt: (["ebook-convert", str(article), str(work / f"calibre.{f}")],
                                                        calibre_env)
    docx = work / "cold" / "article.docx"
    if shutil.which("soffice"):
        profile = work / "lo-profile"
        slow["LibreOffice pdf"] = lambda _i: (["soffice", f"-env:UserInstallation=file://{profile}", "--headless",
                                              "--convert-to", "pdf", "--outdir", str(work / "lo"), str(docx)], None)
    for _ in range(2):  # untimed runs fill the disk cache (a pattern's program is kept once seen twice)
        for fmts in (*FORMATS, "pdf,epub,docx"):
            cpu_measured(convert(fmts, article), env=cached_env)
    failed: list[str] = []
    for group in (jobs, slow):  # a peer that fails is reported, not timed (its failure would look fast)
        for name in [n for n in group if n.startswith(("pandoc", "calibre", "LibreOffice"))]:
            cmd, env = group[name](0)
            probe = subprocess.run(cmd, env=env, capture_output=True, timeout=600, check=False)
            if probe.returncode != 0:
                failed.append(f"{name} (exit {probe.returncode})")
                del group[name]
    cpu: dict[str, list[float]] = {name: [] for name in (*jobs, *slow)}
    wall: dict[str, list[float]] = {name: [] for name in (*jobs, *slow)}
    for i in range(repeat):
        for name, job in jobs.items():
            cmd, env = job(i)
            c, w = cpu_measured(cmd, env=env)
            cpu[name].append(c)
            wall[name].append(w)
        if i < max(2, repeat // 2):
            for name, job in slow.items():
                cmd, env = job(i)
                c, w = cpu_measured(cmd, env=env)
                cpu[name].append(c)
                wall[name].append(w)
    cpu_med = {k: statistics.median(v) for k, v in cpu.items() if v}
    wall_med = {k: statistics.median(v) for k, v in wall.items() if v}

    def ratio(a: str, b: str) -> str:
        return f"{cpu_med[a] / cpu_med[b]:.2f}x" if a in cpu_med and b in cpu_med else "n/a"

    peers = {"epub": ("pandoc epub", "calibre epub"), "docx": ("pandoc docx",),
             "pdf": ("calibre pdf", "LibreOffice pdf")}
    lines = ["### Cold, per format, against the peers (CPU time, same run)", "",
             f"Medians of {repeat} rounds (the slow peers: {max(2, repeat // 2)}), each round running every command "
             "once in turn; bytecode compiled. pandoc and calibre convert the same text file; LibreOffice converts "
             "briefpub's DOCX to PDF. Ratio = briefpub's CPU time / the peer's.", "",
             "| format | briefpub | peer | peer's CPU (wall) | briefpub / peer |", "|---|---|---|---|---|"]
    for fmt in FORMATS:
        for peer in peers[fmt]:
            if peer in cpu_med:
                lines.append(f"| {fmt} | {fmt_s(cpu_med[fmt])} | {peer} | {fmt_s(cpu_med[peer])} "
                             f"({fmt_s(wall_med[peer])}) | {ratio(fmt, peer)} |")
    if failed:
        lines += ["", f"Not measured, because the peer's probe run failed: {', '.join(failed)}."]
    lines += ["", "### Cold EPUB and the disk cache (CPU time)", "",
              "| case | CPU (wall) | vs pandoc epub |", "|---|---|---|"]
    for name, label in (("epub", "same article again (fonts and cover cached)"),
                        ("epub, new title", "a new article (fonts cached, cover drawn)"),
                        ("epub, no disk cache", "BRIEFPUB_CACHE=off (fonts scanned, cover drawn)"),
                        ("--version", "`briefpub --version` (interpreter and CLI only)"),
                        ("python -c pass", "`python -c pass` (the interpreter alone)")):
        lines.append(f"| {label} | {fmt_s(cpu_med[name])} ({fmt_s(wall_med[name])}) | {ratio(name, 'pandoc epub')} |")
    lines.append("")
    return cpu_med, wall_med, lines


def pack_run(fmt: str, articles: Sequence[Path]) -> dict[str, float] | None:
    """One pack in its own process (after a 2-article warm-up pack): layout wall and CPU seconds, output bytes,
    peak RSS (MiB); None if it failed."""
    proc = subprocess.Popen([sys.executable, "-c", PACK_SCRIPT, fmt, *map(str, articles)],
                            stdout=subprocess.PIPE, text=True, env=env_with_epoch())
    assert proc.stdout is not None
    out_text = proc.stdout.read()
    proc.stdout.close()
    _, status, usage = os.wait4(proc.pid, 0)
    if os.waitstatus_to_exitcode(status) != 0 or not out_text.strip():
        return None
    result: dict[str, float] = json.loads(out_text.strip().splitlines()[-1])
    result["rss"] = usage.ru_maxrss / 1024
    return result


_SHORT_PACK = 5.0  # seconds of CPU: shorter packs are run three times


def pack_scaling(work: Path, src: Path, sizes: Sequence[int]) -> list[str]:
    """Packs of each size per format: CPU time per article (and its ratio to the 200-article pack's, or the
    second size's), peak memory. Targets: per-article time within 1.5x between 200 and 1,600 articles;
    peak memory of a 1,600-article pack <= 500 MB."""
    articles = make_articles(work / "pack", max(sizes), src)
    reference = 200 if 200 in sizes else sizes[1 if len(sizes) > 1 else 0]
    rows = [f"Packs under {_SHORT_PACK:.0f} s of CPU are run three times: their median CPU, their largest peak memory.",
            "",
            f"| format | articles | layout CPU | wall | per article (CPU) | vs {reference} | peak memory | output |",
            "|---|---|---|---|---|---|---|---|"]
    notes: list[str] = []
    for fmt in FORMATS:
        per: dict[int, float] = {}
        peaks: dict[int, float] = {}
        for size in sizes:
            result = pack_run(fmt, articles[:size])
            if result is not None and result["cpu"] < _SHORT_PACK:
                # a pack of a few seconds is run three times (its median CPU, its largest peak): one
                # scheduling hiccup is a large share of so short a run
                runs = [result, *(r for r in (pack_run(fmt, articles[:size]) for _ in range(2)) if r is not None)]
                result = {**sorted(runs, key=lambda r: r["cpu"])[len(runs) // 2], "rss": max(r["rss"] for r in runs)}
            if result is None:
                rows.append(f"| {fmt} | {size} | failed | | | | | |")
                continue
            per[size] = result["cpu"] / size
            peaks[size] = result["rss"]
            ratio = f"{per[size] / per[reference]:.2f}x" if reference in per else ""
            rows.append(f"| {fmt} | {size:,} | {fmt_s(result['cpu'])} | {fmt_s(result['wall'])} | "
                        f"{per[size] * 1000:.1f} ms | {ratio} | {result['rss']:.0f} MiB | "
                        f"{result['size'] / 1048576:.1f} MiB |")
        largest = max(sizes)
        if reference in per and largest in per and largest != reference:
            notes.append(f"{fmt}: {largest:,} vs {reference} articles, CPU time per article "
                         f"{per[largest] / per[reference]:.2f}x; peak memory at {largest:,}: {peaks[largest]:.0f} MiB")
    return rows + [""] + [f"- {note}" for note in notes]


# ----------------------------------------------------------------------------- report


def machine() -> list[str]:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = ""
    try:
        kib = int(next(ln for ln in Path("/proc/meminfo").read_text().splitlines()
                       if ln.startswith("MemTotal")).split()[1])
        mem = f"{kib / 1048576:.0f} GiB"
    except (OSError, StopIteration):
        pass
    from importlib.metadata import version

    libs = ", ".join(f"{n} {version(n)}" for n in ("reportlab", "ebooklib", "python-docx", "typer"))
    try:
        load = os.getloadavg()
        load_text = f"{load[0]:.2f}/{load[1]:.2f}/{load[2]:.2f}"
    except OSError:
        load_text = "n/a"
    return [
        f"- CPU: {cpu}, {os.cpu_count()} cores; memory: {mem}",
        f"- OS: {platform.platform()}; Python {platform.python_version()}",
        f"- Libraries: {libs}",
        f"- Load average at start (1/5/15 min): {load_text}",
        f"- Date: {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}",
    ]


def peer_version(cmd: Sequence[str]) -> str:
    try:
        out = subprocess.run(list(cmd), capture_output=True, text=True, timeout=60)
        return (out.stdout or out.stderr).strip().splitlines()[0]
    except (OSError, subprocess.TimeoutExpired, IndexError):
        return "?"


def fmt_s(seconds: float) -> str:
    return f"{seconds * 1000:.0f} ms" if seconds < 10 else f"{seconds:.1f} s"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--output", type=Path, default=ROOT / "BENCHMARKS.md")
    parser.add_argument("--packs-only", action="store_true",
                        help="only the pack scaling table, printed (BENCHMARKS.md is left alone)")
    args = parser.parse_args()
    repeat = 2 if args.quick else args.repeat
    pack_sizes, build_size = ((10, 20, 40) if args.quick else (50, 200, 800, 1600)), (40 if args.quick else 500)
    src = article_path()
    if args.packs_only:
        work = Path(tempfile.mkdtemp(prefix="briefpub-bench-"))
        try:
            print("\n".join(pack_scaling(work, src, pack_sizes)))
        finally:
            shutil.rmtree(work, ignore_errors=True)
        return
    lines: list[str] = ["# Benchmarks", "", "Generated by `python bench/run.py`; medians of "
                        f"{repeat} runs unless stated. Article: `{src.name}` "
                        f"({len(src.read_text(encoding='utf-8').split())} words).", "", "## Machine", "",
                        *machine(), ""]
    work = Path(tempfile.mkdtemp(prefix="briefpub-bench-"))
    # Every briefpub process of the benchmark shares one disk cache of its own (not the user's ~/.cache).
    os.environ["BRIEFPUB_CACHE_DIR"] = str(work / "cache")
    try:
        article = work / "article.txt"
        shutil.copy(src, article)

        # --- reference article: cold CLI (CPU time, side by side with the peers) and warm in-process
        cache_dir = work / "cache"
        cold_cpu, cold_wall, cold_lines = cold_start(article, work, cache_dir, repeat)
        cold = cold_cpu
        warm_times: dict[str, float] = {}
        rows = ["| formats | cold CLI, CPU (wall) | warm in-process, CPU (wall) |", "|---|---|---|"]
        for formats in (*FORMATS, "pdf,epub,docx"):
            measured = warm(article, formats.split(","), max(repeat, 15))
            warm_times[formats] = float(measured["median"])  # type: ignore[arg-type]
            rows.append(f"| {formats} | {fmt_s(cold_cpu[formats])} ({fmt_s(cold_wall[formats])}) | "
                        f"{fmt_s(warm_times[formats])} ({fmt_s(float(measured['wall']))}) |")  # type: ignore[arg-type]
        lines += ["## The reference article", "",
                  "Cold: a new `briefpub convert -q --to FORMATS` process as a user runs it, with the disk cache "
                  "warm (fonts and the EPUB cover of this article read from it); CPU time of the child "
                  "(user + system, `getrusage(RUSAGE_CHILDREN)` deltas), wall time in brackets. Warm: "
                  "in-process, writers already imported: CPU time (`time.process_time`) of the process, medians of 15 "
                  "conversions after one untimed, wall time in brackets.", "", *rows, "", *cold_lines]

        # --- scaling
        scale_rows = ["| size | words | " + " | ".join(FORMATS) + " |", "|---|---|" + "---|" * len(FORMATS)]
        base: dict[str, float] = {}
        ratios: dict[str, float] = {}
        for factor in (1, 10, 100):
            scaled = make_scaled(article, factor, work / f"x{factor}.txt")
            cells = []
            for fmt in FORMATS:
                t = float(warm(scaled, [fmt], 3 if factor == 100 else repeat)["median"])  # type: ignore[arg-type]
                if factor == 1:
                    base[fmt] = t
                cells.append(f"{fmt_s(t)} ({t / base[fmt]:.0f}x)" if factor > 1 else fmt_s(t))
                if factor == 100:
                    ratios[fmt] = t / base[fmt]
            words = len(scaled.read_text(encoding="utf-8").split())
            scale_rows.append(f"| {factor}x | {words} | " + " | ".join(cells) + " |")
        lines += ["## Scaling with article length (warm, in-process)", "", *scale_rows, "",
                  "100x input / 1x input time: " + ", ".join(f"{f} {r:.0f}x" for f, r in ratios.items())
                  + " (target: within 120x).", ""]

        # --- packs
        lines += ["## Packs of 50 to 1,600 articles", "",
                  "One process per format and size (reading the articles, then the writer); layout CPU time "
                  "excludes reading; peak memory is the process's maximum RSS. Targets: CPU time per article "
                  "within 1.5x between 200 and 1,600 articles; peak memory of a 1,600-article pack <= 500 MB.",
                  "", *pack_scaling(work, article, pack_sizes), ""]

        # --- build --jobs 1 vs 2
        build_dir = work / "build"
        make_articles(build_dir / "articles", build_size, article)
        (build_dir / "briefpub.toml").write_text(
            '[build]\nout = "out"\nformats = ["pdf", "epub", "docx"]\n[[article]]\ninputs = ["articles/*.txt"]\n',
            encoding="utf-8")
        build_rows = ["| jobs | wall time | peak memory (parent) | artifacts/s |", "|---|---|---|---|"]
        times: dict[int, float] = {}
        for jobs in (1, 2):
            wall, rss, code = run_measured(briefpub_cmd("build", "-q", "--no-cache", "-m",  # builds, not restores
                                                        str(build_dir / "briefpub.toml"), "--jobs", str(jobs),
                                                        "--out", str(build_dir / f"out{jobs}")),
                                           env=env_with_epoch())
            times[jobs] = wall
            build_rows.append(f"| {jobs} | {fmt_s(wall)} (exit {code}) | {rss:.0f} MiB | "
                              f"{build_size * 3 / wall:.1f} |")
        same = (build_dir / "out1" / "SHA256SUMS").read_bytes() == (build_dir / "out2" / "SHA256SUMS").read_bytes()
        lines += [f"## `briefpub build` on {build_size} articles x 3 formats", "", *build_rows, "",
                  f"Speed-up with 2 jobs: {times[1] / times[2]:.2f}x on {os.cpu_count()} cores. "
                  f"SHA256SUMS identical for both runs: {'yes' if same else 'NO'}.", ""]

        # --- the build cache
        from bench_cache import cache_section

        lines += cache_section(work, src, 100 if args.quick else 1000, repeat)

        # --- targets
        lines += [
            "## Targets", "",
            f"- All three formats of the article, warm in-process: {fmt_s(warm_times['pdf,epub,docx'])} "
            f"(target < 50 ms).",
        ]
        if "pandoc epub" in cold:
            lines.append(f"- Cold `briefpub convert --to epub`, CPU time: {fmt_s(cold['epub'])} vs pandoc "
                         f"{fmt_s(cold['pandoc epub'])}: {cold['epub'] / cold['pandoc epub']:.2f}x "
                         "(target <= 2x, same run).")
        lines.append("- 100x input within 120x the time: " + ", ".join(f"{f} {r:.0f}x" for f, r in ratios.items())
                     + ".")
        lines += ["", "Where the time goes, and what the missed targets would take: docs/performance.md.", ""]
    finally:
        shutil.rmtree(work, ignore_errors=True)
    args.output.write_text("\n".join(lines), encoding="utf-8")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
