"""CPU cost of a ``briefpub convert --server`` client process, side by side with pandoc's cold run.

    python bench/bench_client.py [--repeat 11] [--format epub] [--url http://127.0.0.1:PORT]

Starts ``briefpub serve`` (its own process, one warm worker) unless ``--url`` names a running one,
then runs in rounds, each command once per round (so the machine's load falls on all alike):

* ``pandoc -f markdown REF -o x.epub`` (the peer, as bench/run.py and bench/bench_serve.py);
* ``briefpub convert REF --to FORMAT --server URL`` (a new CLI process: what the issue measures);
* ``briefpub convert A1 ... A20 --to FORMAT --server URL``: twenty copies of the article (each its
  own title) in one client process, per article;
* ``python -c pass``, ``briefpub --version`` (the CLI's own start-up) and the client's imports
  alone (``python -c "import briefpub.cli, briefpub.serve.client"``): where the client's time goes.

Each figure is the CPU time (user + system, ``getrusage(RUSAGE_CHILDREN)`` deltas) of the child,
median of ``--repeat``, and its ratio to pandoc's median in the same run. For the ``--server``
commands a second column adds the server's CPU for the same request (its process and warm
workers, read from ``/proc`` before and after; Linux, and only for the server this script starts):
the whole cost of a converted article, client and server, beside pandoc's. Compile bytecode first
(``python -m compileall -q src``; the machine sets PYTHONDONTWRITEBYTECODE=1). The reference
article is ../shared/seeds/000_f2fc37828fe0a249.txt beside the checkout (else the repository's
geneva-round.txt fixture, said in the output).
"""

from __future__ import annotations

import argparse
import contextlib
import os
import resource
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
REFERENCE = ROOT.parent / "shared" / "seeds" / "000_f2fc37828fe0a249.txt"
FALLBACK = ROOT / "fixtures" / "txt" / "geneva-round.txt"
EPOCH = "1485129600"
BATCH = 20
SERVER_PID: int | None = None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextlib.contextmanager
def _server(env: dict[str, str], data: Path) -> Iterator[str]:
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    global SERVER_PID
    proc = subprocess.Popen([sys.executable, "-m", "briefpub", "serve", "--port", str(port), "--data", str(data),
                             "--workers", "1"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                with urllib.request.urlopen(url + "/healthz", timeout=2):
                    break
            except OSError:
                if time.monotonic() > deadline or proc.poll() is not None:
                    raise SystemExit("briefpub serve did not start") from None
                time.sleep(0.2)
        SERVER_PID = proc.pid
        yield url
    finally:
        SERVER_PID = None
        proc.terminate()
        proc.wait(30)


def _cpu(command: list[str], env: dict[str, str], cwd: Path) -> float:
    """CPU seconds (user + system) of one run of ``command``; it must succeed."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    subprocess.run(command, env=env, cwd=cwd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def _tree_cpu(pid: int) -> float | None:
    """CPU seconds (user + system) used so far by process ``pid`` and its descendants, from /proc; None
    where /proc is not readable."""
    ticks = os.sysconf("SC_CLK_TCK")
    children: dict[int, list[int]] = {}
    used: dict[int, float] = {}
    try:
        names = os.listdir("/proc")
    except OSError:
        return None
    for name in names:
        if not name.isdigit():
            continue
        try:
            with open(f"/proc/{name}/stat", encoding="ascii", errors="replace") as fh:
                fields = fh.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        children.setdefault(int(fields[1]), []).append(int(name))  # fields[1]: the parent's pid
        used[int(name)] = (int(fields[11]) + int(fields[12])) / ticks  # utime, stime
    if pid not in used:
        return None
    total, todo = 0.0, [pid]
    while todo:
        current = todo.pop()
        total += used.get(current, 0.0)
        todo.extend(children.get(current, []))
    return total


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=11)
    parser.add_argument("--format", default="epub")
    parser.add_argument("--url", default=None, help="a running briefpub serve (default: start one)")
    parser.add_argument("--compare-src", type=Path, default=None,  # e.g. the main checkout's src: before/after
                        help="another checkout's src/ whose client runs in the same rounds (before/after)")
    args = parser.parse_args()
    article = REFERENCE if REFERENCE.is_file() else FALLBACK
    if article is FALLBACK:
        print(f"note: {REFERENCE} is absent; measuring {FALLBACK.name} instead")
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src"), "SOURCE_DATE_EPOCH": EPOCH}
    env.pop("BRIEFPUB_SERVER", None)
    with tempfile.TemporaryDirectory(prefix="bp-bench-client-") as tmp, \
            (contextlib.nullcontext(args.url) if args.url else _server(env, Path(tmp) / "data")) as url:
        work = Path(tmp)
        python = sys.executable
        commands: dict[str, list[str]] = {}
        pandoc = shutil.which("pandoc")
        if pandoc:
            commands["pandoc -f markdown REF -o x.epub"] = [pandoc, "-f", "markdown", str(article), "-o",
                                                            str(work / "x.epub")]
        commands["python -c pass"] = [python, "-c", "pass"]
        commands["briefpub --version (the CLI's start-up)"] = [python, "-m", "briefpub", "--version"]
        commands["imports: briefpub.cli + serve.client"] = [python, "-c", "import briefpub.cli, briefpub.serve.client"]
        commands[f"briefpub convert REF --to {args.format} --server URL"] = [
            python, "-m", "briefpub", "convert", "-q", str(article), "--to", args.format, "--out", str(work / "out"),
            "--server", url]
        batch = work / "batch"
        batch.mkdir()
        text = article.read_text(encoding="utf-8")
        for i in range(BATCH):  # each its own article: a first line of its own, the rest the reference's
            (batch / f"a{i:02d}.txt").write_text(f"Copy {i + 1} of the reference article\n\n{text}", encoding="utf-8")
        batch_name = f"briefpub convert A1..A{BATCH} --to {args.format} --server URL, per article"
        commands[batch_name] = [python, "-m", "briefpub", "convert", "-q",
                                *(str(p) for p in sorted(batch.iterdir())), "--to", args.format, "--out",
                                str(work / "out-batch"), "--server", url]
        envs = {name: env for name in commands}
        if args.compare_src is not None:
            name = f"the same, client from {args.compare_src}"
            commands[name] = commands[f"briefpub convert REF --to {args.format} --server URL"]
            envs[name] = {**env, "PYTHONPATH": str(args.compare_src)}
        for name, command in commands.items():  # once, unmeasured: files cached, the server's worker warm
            _cpu(command, envs[name], work)
        times: dict[str, list[float]] = {name: [] for name in commands}
        totals: dict[str, list[float]] = {name: [] for name in commands if "--server" in commands[name]}
        for _round in range(args.repeat):
            for name, command in commands.items():
                server_before = _tree_cpu(SERVER_PID) if SERVER_PID is not None and name in totals else None
                client = _cpu(command, envs[name], work)
                server_after = _tree_cpu(SERVER_PID) if server_before is not None and SERVER_PID else None
                per = BATCH if name == batch_name else 1
                times[name].append(client / per)
                if server_before is not None and server_after is not None:
                    totals[name].append((client + server_after - server_before) / per)
    medians = {name: statistics.median(values) for name, values in times.items()}
    whole = {name: statistics.median(values) for name, values in totals.items() if values}
    peer = medians.get("pandoc -f markdown REF -o x.epub")
    print(f"CPU time of the child (user + system), median of {args.repeat}; load average {os.getloadavg()[0]:.1f}")
    print(f"{'command':<72} {'CPU ms':>7} {'vs pandoc':>9} {'+server ms':>10} {'vs pandoc':>9}")
    for name, median in medians.items():
        ratio = f"{median / peer:.2f}x" if peer else "-"
        total = whole.get(name)
        both = (f"{total * 1000:>10.0f} {(f'{total / peer:.2f}x' if peer else '-'):>9}" if total is not None
                else f"{'':>10} {'':>9}")
        print(f"{name:<72} {median * 1000:>7.0f} {ratio:>9} {both}")
    if not peer:
        print("pandoc is not installed: no peer figure")


if __name__ == "__main__":
    main()
