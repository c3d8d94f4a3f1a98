"""Load test of ``briefpub serve`` on the loopback, side by side with cold CLI runs and pandoc.

    python bench/bench_serve.py [--clients 8] [--requests 300] [--workers 2] [--repeat 5]

Starts ``briefpub serve`` (its own process, warm workers), then in the same run:

* one client, sequential: latency of the reference article per format (the service time);
* ``--clients`` concurrent clients (persistent connections), ``--requests`` requests in all,
  formats in turn: p50/p95 latency per format, errors, requests/s, the server's CPU time per
  request (server + workers, from /proc), and the RSS of server + workers before and after;
* cold runs, medians of ``--repeat``: ``briefpub convert`` (a new process), ``briefpub convert
  --server URL`` (a new CLI process sending the work to the warm workers), and pandoc
  (``-f markdown``, as bench/run.py), wall and CPU time (user + system of the child).

Compile bytecode first (``python -m compileall -q src``; the machine sets
PYTHONDONTWRITEBYTECODE=1). The reference article is ../shared/seeds/000_f2fc37828fe0a249.txt
beside the checkout (else the repository's geneva-round.txt fixture, said in the output).
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
REFERENCE = ROOT.parent / "shared" / "seeds" / "000_f2fc37828fe0a249.txt"
FALLBACK = ROOT / "fixtures" / "txt" / "geneva-round.txt"
FORMATS = ("pdf", "epub", "docx")
EPOCH = "1485129600"
TICK = os.sysconf("SC_CLK_TCK")


def article() -> Path:
    return REFERENCE if REFERENCE.is_file() else FALLBACK


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def tree(pid: int) -> list[int]:
    """``pid`` and all its descendants."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(ppid, []).append(int(entry.name))
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        todo.extend(children.get(p, []))
    return out


def rss_mib(pids: list[int]) -> float:
    total = 0
    for pid in pids:
        try:
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
        except OSError:
            pass
    return total / 1024


def cpu_seconds(pids: list[int]) -> float:
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])  # utime, stime
        except (OSError, IndexError, ValueError):
            pass
    return total / TICK


def cold(cmd: list[str], env: dict[str, str]) -> tuple[float, float, int]:
    """(wall s, CPU s of the child, exit code) of one run."""
    started = time.perf_counter()
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(proc.pid, 0)
    return time.perf_counter() - started, usage.ru_utime + usage.ru_stime, os.waitstatus_to_exitcode(status)


def pct(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def ms(s: float) -> str:
    return f"{s * 1000:.0f} ms"


class Client:
    """One persistent loopback connection posting the article as JSON."""

    def __init__(self, port: int, body: str) -> None:
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=300)
        self.body = body

    def convert(self, fmt: str) -> tuple[float, int, int]:
        payload = json.dumps({"text": self.body, "filename": "reference.txt", "format": fmt})
        started = time.perf_counter()
        self.conn.request("POST", "/api/convert", payload, {"Content-Type": "application/json"})
        response = self.conn.getresponse()
        data = response.read()
        return time.perf_counter() - started, response.status, len(data)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()

    src = article()
    text = src.read_text(encoding="utf-8")
    env = {**os.environ, "SOURCE_DATE_EPOCH": EPOCH, "PYTHONPATH": str(ROOT / "src")}
    work = Path(tempfile.mkdtemp(prefix="bench-serve-"))
    port = free_port()
    server = subprocess.Popen([sys.executable, "-m", "briefpub", "serve", "--port", str(port), "--data",
                               str(work / "data"), "--workers", str(args.workers)], env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(600):
            try:
                with urllib.request.urlopen(url + "/healthz", timeout=2):
                    break
            except OSError:
                time.sleep(0.1)
        # warm-up: every worker converts every format a few times
        warm = Client(port, text)
        for _ in range(3 * args.workers):
            for fmt in FORMATS:
                assert warm.convert(fmt)[1] == 200
        # one client, sequential, one format at a time: latency and the server's CPU per request
        pids = tree(server.pid)
        sequential: dict[str, list[float]] = {fmt: [] for fmt in FORMATS}
        served_cpu: dict[str, float] = {}
        rounds = max(10, args.repeat * 4)
        for fmt in FORMATS:
            before = cpu_seconds(pids)
            for _ in range(rounds):
                seconds, status, _size = warm.convert(fmt)
                assert status == 200
                sequential[fmt].append(seconds)
            served_cpu[fmt] = (cpu_seconds(pids) - before) / rounds
        # the load test
        rss_before, cpu_before = rss_mib(pids), cpu_seconds(pids)
        latencies: dict[str, list[float]] = {fmt: [] for fmt in FORMATS}
        errors: list[str] = []
        lock = threading.Lock()
        counter = iter(range(0))

        def worker() -> None:
            client = Client(port, text)
            while True:
                with lock:
                    n = next(counter, None)
                if n is None:
                    return
                fmt = FORMATS[n % len(FORMATS)]
                try:
                    seconds, status, size = client.convert(fmt)
                except OSError as exc:
                    errors.append(str(exc))
                    continue
                with lock:
                    if status == 200 and size > 1000:
                        latencies[fmt].append(seconds)
                    else:
                        errors.append(f"HTTP {status}")

        started = time.perf_counter()
        rss_half = 0.0
        for half in (args.requests // 2, args.requests):  # RSS after each half: growth would show twice
            counter = iter(range(half - args.requests // 2 if half == args.requests else 0, half))
            threads = [threading.Thread(target=worker) for _ in range(args.clients)]
            for t in threads:
                t.start()
            for t in threads:
                t.join()
            if half != args.requests:
                rss_half = rss_mib(tree(server.pid))
        elapsed = time.perf_counter() - started
        pids = tree(server.pid)
        rss_after, cpu_after = rss_mib(pids), cpu_seconds(pids)
        served = sum(len(v) for v in latencies.values())
        server_cpu = (cpu_after - cpu_before) / max(1, served)

        # cold runs, side by side
        cold_rows = []
        for fmt in FORMATS:
            runs = {}
            runs["briefpub convert (cold)"] = [cold([sys.executable, "-m", "briefpub", "convert", str(src), "--to", fmt,
                                                     "-q", "--out", str(work / "cold")], env)
                                               for _ in range(args.repeat)]
            runs["briefpub convert --server (cold CLI, warm workers)"] = [
                cold([sys.executable, "-m", "briefpub", "convert", str(src), "--to", fmt, "-q", "--out",
                      str(work / "remote"), "--server", url], env) for _ in range(args.repeat)]
            if shutil.which("pandoc") and fmt != "pdf":
                runs["pandoc (cold)"] = [cold(["pandoc", "-f", "markdown", str(src), "-o", str(work / f"p.{fmt}")],
                                              env) for _ in range(args.repeat)]
            for name, samples in runs.items():
                assert all(code == 0 for _w, _c, code in samples), (name, samples)
                cold_rows.append((fmt, name, statistics.median(w for w, _c, _x in samples),
                                  statistics.median(c for _w, c, _x in samples)))
    finally:
        server.terminate()
        server.wait(30)
        shutil.rmtree(work, ignore_errors=True)

    print(f"# briefpub serve load test ({time.strftime('%Y-%m-%d')})\n")
    print(f"Article: `{src.name}` ({len(text.split())} words){'' if src == REFERENCE else ' (fallback fixture)'}; "
          f"{args.workers} warm workers; Python {sys.version.split()[0]}; {os.cpu_count()} cores.\n")
    print("| format | 1 client p50 | 1 client p95 | server CPU per request | "
          f"{args.clients} clients p50 | {args.clients} clients p95 | requests |")
    print("|---|---|---|---|---|---|---|")
    for fmt in FORMATS:
        seq, load = sequential[fmt], latencies[fmt]
        print(f"| {fmt} | {ms(statistics.median(seq))} | {ms(pct(seq, 0.95))} | {ms(served_cpu[fmt])} | "
              f"{ms(statistics.median(load))} | {ms(pct(load, 0.95))} | {len(load)} |")
    print(f"\n{served} requests in {elapsed:.1f} s ({served / elapsed:.1f}/s), {len(errors)} errors"
          f"{': ' + '; '.join(sorted(set(errors))[:5]) if errors else ''}; server + workers CPU "
          f"{ms(server_cpu)} per request; RSS of server + workers {rss_before:.0f} MiB before, "
          f"{rss_half:.0f} MiB after half the requests, {rss_after:.0f} MiB after all "
          f"({rss_after - rss_half:+.0f} MiB over the second half).\n")
    print("| format | run | wall (median) | CPU (median) | CPU / a served request's |")
    print("|---|---|---|---|---|")
    for fmt in FORMATS:
        print(f"| {fmt} | served by the warm workers (1 client) | {ms(statistics.median(sequential[fmt]))} | "
              f"{ms(served_cpu[fmt])} | 1.0x |")
        for fmt_, name, wall, cpu in cold_rows:
            if fmt_ == fmt:
                print(f"| {fmt} | {name} | {ms(wall)} | {ms(cpu)} | {cpu / served_cpu[fmt]:.1f}x |")


if __name__ == "__main__":
    main()
