"""CPU cost of a ``briefpub convert --server`` client process, side by side with pandoc's cold run.

    python bench/bench_client.py [--repeat 11] [--format epub] [--url http://127.0.0.1:PORT]

Starts ``briefpub serve`` (its own process, one warm worker) unless ``--url`` names a running one,
then runs in rounds, each command once per round (so the machine's load falls on all alike):

* ``pandoc -f markdown REF -o x.epub`` (the peer, as bench/run.py and bench/bench_serve.py);
* ``briefpub convert REF --to FORMAT --server URL`` (a new CLI process: what the issue measures);
* ``python -c pass``, ``briefpub --version`` (the CLI's own start-up) and the client's imports
  alone (``python -c "import briefpub.cli, briefpub.serve.client"``): where the client's time goes.

Each figure is the CPU time (user + system, ``getrusage(RUSAGE_CHILDREN)`` deltas) of the child,
median of ``--repeat``, and its ratio to pandoc's median in the same run. The server's own CPU is
not counted (the conversion is the served figure of bench/bench_serve.py). Compile bytecode first
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


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextlib.contextmanager
def _server(env: dict[str, str], data: Path) -> Iterator[str]:
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
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
        yield url
    finally:
        proc.terminate()
        proc.wait(30)


def _cpu(command: list[str], env: dict[str, str], cwd: Path) -> float:
    """CPU seconds (user + system) of one run of ``command``; it must succeed."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    subprocess.run(command, env=env, cwd=cwd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


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
        envs = {name: env for name in commands}
        if args.compare_src is not None:
            name = f"the same, client from {args.compare_src}"
            commands[name] = commands[f"briefpub convert REF --to {args.format} --server URL"]
            envs[name] = {**env, "PYTHONPATH": str(args.compare_src)}
        for name, command in commands.items():  # once, unmeasured: files cached, the server's worker warm
            _cpu(command, envs[name], work)
        times: dict[str, list[float]] = {name: [] for name in commands}
        for _round in range(args.repeat):
            for name, command in commands.items():
                times[name].append(_cpu(command, envs[name], work))
    medians = {name: statistics.median(values) for name, values in times.items()}
    peer = medians.get("pandoc -f markdown REF -o x.epub")
    print(f"CPU time of the child (user + system), median of {args.repeat}; load average {os.getloadavg()[0]:.1f}")
    print(f"{'command':<60} {'CPU ms':>8} {'vs pandoc':>10}")
    for name, median in medians.items():
        ratio = f"{median / peer:.2f}x" if peer else "-"
        print(f"{name:<60} {median * 1000:>8.0f} {ratio:>10}")
    if not peer:
        print("pandoc is not installed: no peer figure")


if __name__ == "__main__":
    main()
