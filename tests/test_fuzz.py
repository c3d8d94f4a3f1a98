"""Mutation fuzzing of every reader (tests/fuzzing.py): a document or one clean exit-2 line, never a crash or a hang.

Each chunk of cases runs in a child process under a watchdog: a case that runs
longer than :data:`PER_CASE_SECONDS` is stopped by an alarm and reported, and a
child that stops answering altogether (a hang inside C code) is killed and the
case it was on reported, so the test fails instead of hanging. The cases are the
same on every run (seeded). CI runs :data:`CASES` reader cases and
:data:`WRITER_CASES` of them through the PDF, EPUB and DOCX writers; a nightly
run asks for more::

    BRIEFPUB_FUZZ_CASES=200000 BRIEFPUB_FUZZ_WRITER_CASES=2000 pytest tests/test_fuzz.py

A failure prints the case number, its reader and recipe; ``python tests/fuzzing.py N N+1``
(with ``src`` and ``tests`` on PYTHONPATH) replays it.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

import briefpub
from fuzzing import HOSTILE, make_case, seeds

CASES = int(os.environ.get("BRIEFPUB_FUZZ_CASES", "6000"))
WRITER_CASES = int(os.environ.get("BRIEFPUB_FUZZ_WRITER_CASES", "48"))
CHUNKS = 12
WRITER_CHUNKS = 3
#: Generous on a loaded machine: only a real hang (or a quadratic path) reaches it.
PER_CASE_SECONDS = 20.0
#: Seconds a child may take beyond its cases' share before it is taken for hung.
CHILD_GRACE = 120.0
TESTS = Path(__file__).resolve().parent


def _run_chunk(start: int, stop: int, step: int, *, writers: bool = False) -> list[dict[str, object]]:
    """Failures of cases ``start..stop`` (every ``step``th), run in a child process under a watchdog."""
    count = len(range(start, stop, step))
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(Path(briefpub.__file__).resolve().parents[1]), str(TESTS),
                                         env.get("PYTHONPATH", "")])
    command = [sys.executable, str(TESTS / "fuzzing.py"), str(start), str(stop), str(step),
               "--per-case-seconds", str(PER_CASE_SECONDS)] + (["--writers"] if writers else [])
    # a hang inside C code never returns to the alarm: the whole child is killed after this
    budget = CHILD_GRACE + count * (3.0 if writers else 0.25)
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=budget, env=env, check=False)
    except subprocess.TimeoutExpired as exc:
        out = exc.stdout.decode() if isinstance(exc.stdout, bytes) else (exc.stdout or "")
        started = [line for line in out.splitlines() if line.startswith("case ")]
        last = started[-1].split()[1] if started else "?"
        hang = {"case": last, "problem": f"hang: the child stopped answering for {budget:.0f} s on this case"}
        return [*_failures(out), hang]
    failures = _failures(done.stdout)
    if done.returncode != 0 or not done.stdout.endswith("done\n"):
        failures.append({"case": "?", "problem": f"child exited {done.returncode}: {done.stderr[-2000:]}"})
    return failures


def _failures(out: str) -> list[dict[str, object]]:
    return [json.loads(line) for line in out.splitlines() if line.startswith("{")]


def _report(failures: list[dict[str, object]]) -> str:
    return "\n\n".join(f"case {f['case']} ({f.get('fmt', '?')}: {f.get('recipe', '?')}):\n{f['problem']}"
                       for f in failures[:5])


@pytest.mark.parametrize("chunk", range(CHUNKS))
def test_mutated_inputs_are_read_or_refused_cleanly(chunk: int) -> None:
    failures = _run_chunk(chunk, CASES, CHUNKS)
    assert not failures, f"{len(failures)} failing case(s):\n" + _report(failures)


@pytest.mark.parametrize("chunk", range(WRITER_CHUNKS))
def test_mutated_inputs_are_written_or_refused_cleanly(chunk: int) -> None:
    # every 97th reader case (a sample spread over the whole run), through all three writers
    failures = _run_chunk(chunk * 97, WRITER_CASES * 97, WRITER_CHUNKS * 97, writers=True)
    assert not failures, f"{len(failures)} failing case(s):\n" + _report(failures)


def test_cases_are_reproducible_and_varied() -> None:
    pool = seeds()
    assert len(pool) >= 30
    first = [make_case(i, pool) for i in range(300)]
    assert first == [make_case(i, pool) for i in range(300)]
    assert len({c.data for c in first}) > 290
    assert {c.fmt for c in first} == {"txt", "md", "html"}
    recipes = " ".join(c.recipe for c in first)
    for kind in ("flip", "insert", "delete", "splice", "truncate", "repeat", "random", "reencode", "lines"):
        assert kind in recipes, kind
    assert sum(any(t in c.data for t in HOSTILE if len(t) > 3) for c in first) > 100


def test_the_watchdog_fails_on_a_crash_and_on_hangs(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """The oracle and the watchdog can fail: a crash, a hang the alarm stops, a hang it cannot stop."""
    (tmp_path / "sitecustomize.py").write_text(
        "import briefpub.readers as r, signal, time\n"
        "_read_bytes = r.read_bytes\n"
        "def read_bytes(data, *, source, fmt='txt', base_dir=None):\n"
        "    if source.startswith('case-1.'): raise KeyError('planted')\n"
        "    if source.startswith('case-2.'):\n"
        "        while True: time.sleep(0.01)\n"
        "    if source.startswith('case-4.'):\n"
        "        signal.signal(signal.SIGALRM, signal.SIG_IGN)\n"
        "        while True: time.sleep(0.01)\n"
        "    return _read_bytes(data, source=source, fmt=fmt, base_dir=base_dir)\n"
        "r.read_bytes = read_bytes\n"
    )
    monkeypatch.setenv("PYTHONPATH", str(tmp_path))
    monkeypatch.setattr(sys.modules[__name__], "PER_CASE_SECONDS", 1.0)
    monkeypatch.setattr(sys.modules[__name__], "CHILD_GRACE", 8.0)
    failures = {str(f["case"]): str(f["problem"]) for f in _run_chunk(0, 6, 1)}
    assert sorted(failures) == ["1", "2", "4"], failures
    assert failures["1"].startswith("KeyError: 'planted'")
    assert failures["2"].startswith("hang: more than 1.0 s")
    assert failures["4"].startswith("hang: the child stopped answering")
