"""Compiled dataclass methods from the disk cache: the same classes, a corrupt entry compiled again."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

_CHILD = textwrap.dedent(
    """
    import dataclasses, sys
    if sys.argv[1] == "install":
        from briefpub._codecache import install
        install()
    from briefpub import tree
    from briefpub.styling import load_style
    doc = tree.Document(tree.Meta(title="T", language="en"),
                        (tree.Heading(2, (tree.Text("H"),), "h"), tree.Paragraph((tree.Emphasis((tree.Text("x"),)),))))
    same = tree.Document(tree.Meta(title="T", language="en"),
                         (tree.Heading(2, (tree.Text("H"),), "h"), tree.Paragraph((tree.Emphasis((tree.Text("x"),)),))))
    try:
        doc.meta.title = "changed"
        frozen = "not frozen"
    except dataclasses.FrozenInstanceError as exc:
        frozen = str(exc)
    style = load_style("briefing")
    print(repr(doc), doc == same, hash(doc) == hash(same), hash(doc), frozen, repr(style),
          dataclasses.replace(doc.meta, title="U"), [f.name for f in dataclasses.fields(tree.Meta)])
    compiled = getattr(dataclasses, "exec", None)
    print("NEW", getattr(compiled, "new", None))
    """
)


def run_child(mode: str, cache: Path, **env: str) -> tuple[str, str]:
    out = subprocess.run([sys.executable, "-c", _CHILD, mode], capture_output=True, text=True, check=True,
                         env={**os.environ, "BRIEFPUB_CACHE_DIR": str(cache), "PYTHONHASHSEED": "0", **env}).stdout
    body, _, new = out.rpartition("NEW ")
    return body, new.strip()


def test_classes_from_cached_code_behave_as_compiled_ones(tmp_path: Path) -> None:
    plain, new = run_child("plain", tmp_path)
    assert new == "None" and not (tmp_path / "dataclass-code").exists()
    first, new = run_child("install", tmp_path)
    assert int(new) > 50  # every method compiled, and saved at exit
    assert len(list((tmp_path / "dataclass-code").iterdir())) == 1
    second, new = run_child("install", tmp_path)
    assert new == "0"  # every method from the cache
    assert plain == first == second


def test_a_corrupt_entry_is_compiled_again_and_rewritten(tmp_path: Path) -> None:
    plain, _ = run_child("plain", tmp_path)
    run_child("install", tmp_path)
    (entry,) = (tmp_path / "dataclass-code").iterdir()
    entry.write_bytes(entry.read_bytes()[:-100])
    again, new = run_child("install", tmp_path)
    assert again == plain and int(new) > 50
    assert run_child("install", tmp_path)[1] == "0"


def test_nothing_is_installed_with_the_cache_off(tmp_path: Path) -> None:
    _, new = run_child("install", tmp_path, BRIEFPUB_CACHE="off")
    assert new == "None" and not tmp_path.joinpath("dataclass-code").exists()


def test_an_entry_others_could_write_is_not_run(tmp_path: Path) -> None:
    run_child("install", tmp_path)
    (entry,) = (tmp_path / "dataclass-code").iterdir()
    assert entry.stat().st_mode & 0o077 == 0  # written private
    entry.chmod(0o666)
    assert int(run_child("install", tmp_path)[1]) > 50  # compiled, not loaded


_RE_CHILD = textwrap.dedent(
    """
    import re, sys
    if sys.argv[1] == "install":
        from briefpub._codecache import install
        install()
    from briefpub import dates
    from briefpub.readers import text
    from briefpub._lazyre import LazyPattern
    for module in [m for name, m in sys.modules.items() if name.startswith("briefpub")]:
        for value in vars(module).values():  # every pattern of the imported modules (compiled on first use)
            for item in value if isinstance(value, list | tuple) else (value,):
                if isinstance(item, LazyPattern):
                    item.compiled()
    samples = ["Monday 3rd March 2025", "March 3, 2025 10:00", "  a  b\\tc  ", "x" * 5, "Ünïcödé 12/05/2024"]
    found = [dates.parse_date(s) for s in samples]
    probes = [re.compile(r"(?P<word>\\w+)-(\\d+)", re.I), re.compile(rb"[a-z]+\\s"), re.compile("(?u)caf\\u00e9")]
    results = [(p.pattern, p.flags, p.groups, dict(p.groupindex), p.findall("Ab-12 x-3" if isinstance(p.pattern, str)
                else b"ab cd ")) for p in probes]
    results.append([text._SPACE_RUN.sub(" ", s) for s in samples])
    print(repr(found), repr(results))
    from re import _compiler
    print("NEW", getattr(_compiler.compile, "new", None))
    """
)


def run_re_child(mode: str, cache: Path, **env: str) -> tuple[str, str]:
    out = subprocess.run([sys.executable, "-c", _RE_CHILD, mode], capture_output=True, text=True, check=True,
                         env={**os.environ, "BRIEFPUB_CACHE_DIR": str(cache), **env}).stdout
    body, _, new = out.rpartition("NEW ")
    return body, new.strip()


def test_patterns_from_cached_programs_match_as_compiled_ones(tmp_path: Path) -> None:
    plain, new = run_re_child("plain", tmp_path)
    assert new == "None" and not (tmp_path / "regex-code").exists()
    first, new = run_re_child("install", tmp_path)
    assert int(new) > 20 and not (tmp_path / "regex-code").exists()  # compiled, and noted as seen once
    assert any((tmp_path / "regex-seen").iterdir())
    second, new = run_re_child("install", tmp_path)
    assert int(new) > 20  # compiled again: seen twice, so saved at exit
    third, new = run_re_child("install", tmp_path)
    assert new == "0"  # every program from the cache: no pattern parsed or compiled
    assert plain == first == second == third


def test_a_corrupt_or_foreign_regex_entry_is_compiled_again(tmp_path: Path) -> None:
    plain, _ = run_re_child("plain", tmp_path)
    run_re_child("install", tmp_path)
    run_re_child("install", tmp_path)
    (entry,) = (tmp_path / "regex-code").iterdir()
    good = entry.read_bytes()
    entry.write_bytes(good[:-100])
    again, new = run_re_child("install", tmp_path)
    assert again == plain and int(new) > 20
    entry.chmod(0o666)  # writable by others: not loaded
    assert int(run_re_child("install", tmp_path)[1]) > 20


def test_a_program_sre_refuses_is_compiled_afresh(tmp_path: Path) -> None:
    import re

    from briefpub._codecache import _CompiledRegex
    from briefpub.cache import DiskCache

    compiler = _CompiledRegex(DiskCache(tmp_path), re._compiler.compile)  # type: ignore[attr-defined]
    compiler.programs[("a+b", 0)] = (32, [1, 2, 3], 0, {}, ())  # not a program: _sre's check refuses it
    compiler.programs[("c", 0)] = "junk"  # type: ignore[assignment]
    assert compiler("a+b").findall("aab ab b") == ["aab", "ab"]
    assert compiler("c").match("c") is not None
    assert compiler.new == 2 and compiler.programs[("a+b", 0)][1] != [1, 2, 3]
    with pytest.raises(re.error, match="missing \\)"):  # a bad pattern fails as re.compile fails
        compiler("(a")
    assert compiler.new == 2


def test_a_bad_code_object_in_the_entry_is_compiled_again(tmp_path: Path) -> None:
    """Each source's code is unmarshalled when its class is created: one that is not code is compiled."""
    import marshal

    from briefpub._codecache import _CompiledExec
    from briefpub.cache import DiskCache

    cache = DiskCache(tmp_path)
    first = _CompiledExec(cache)
    source = "def __create_fn__():\n def f(self): return 42\n return f\n"
    namespace: dict[str, object] = {}
    first(source, {}, namespace)
    assert first.new == 1
    first.save()
    stored = marshal.loads(cache.load("dataclass-code", first.key) or b"")
    assert set(stored) == {source} and isinstance(stored[source], bytes)  # code marshalled per source
    cache.store("dataclass-code", first.key, marshal.dumps({source: marshal.dumps(42), "x": b"\x00"}))
    again = _CompiledExec(cache)
    namespace = {}
    again(source, {}, namespace)
    assert again.new == 1  # compiled, not taken from the entry
    assert namespace["__create_fn__"]()(None) == 42  # type: ignore[operator]
    reused = _CompiledExec(cache)
    reused(source, {}, {})
    assert reused.new == 1 and source not in reused.stored


_FRESH_CHILD = textwrap.dedent(
    """
    import os, re, sys
    from briefpub._codecache import install
    install()
    re.compile(r"stable-(\\d+)")
    re.compile("fresh-" + os.urandom(6).hex())  # a pattern no other process makes (as reportlab's joined sets)
    from re import _compiler
    print(_compiler.compile.new)
    """
)


def test_a_pattern_is_kept_only_once_a_second_process_compiles_it(tmp_path: Path) -> None:
    """Patterns made anew by each process never enter the entry (it would grow and be rewritten every run)."""
    import marshal

    from briefpub._codecache import _RE_KIND
    from briefpub.cache import DiskCache

    def child() -> int:
        return int(subprocess.run([sys.executable, "-c", _FRESH_CHILD], capture_output=True, text=True, check=True,
                                  env={**os.environ, "BRIEFPUB_CACHE_DIR": str(tmp_path)}).stdout)

    assert child() == 2 and not (tmp_path / _RE_KIND).exists()  # both compiled, both only noted
    assert child() == 2  # the stable one is now seen twice: kept
    (entry,) = (tmp_path / _RE_KIND).iterdir()
    assert child() == 1  # only the fresh one is compiled
    size = entry.stat().st_size
    mtime = entry.stat().st_mtime_ns
    for _ in range(3):
        assert child() == 1
    assert entry.stat().st_size == size and entry.stat().st_mtime_ns == mtime  # never rewritten
    stored = marshal.loads(DiskCache(tmp_path).load(_RE_KIND, entry.name) or b"")
    assert all(not (isinstance(p, str) and p.startswith("fresh-")) for p, _ in stored)
    assert (r"stable-(\d+)", 0) in stored
