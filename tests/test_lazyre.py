"""Patterns compiled on first use: the same answers as ``re.compile``'s, and none compiled at import."""

from __future__ import annotations

import copy
import importlib
import json
import pickle
import pkgutil
import re
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest

import briefpub
from briefpub._lazyre import _ATTRIBUTES, LazyPattern, lazy_re

PACKAGE = Path(briefpub.__file__).resolve().parent

_CASES: list[tuple[Any, int, Any]] = [
    (r"(?P<word>[^\W\d_]+)(?:-(?P<n>\d+))?", 0, "Geneva-12 talks, round 3; Ré-9 and x"),
    (r"^by\s+(?P<rest>\S.*)$", re.IGNORECASE | re.MULTILINE, "By Ann Lee\nby  Bo\nnot by me"),
    (r"\s*[|\u00b7]\s*|\s+-\s+", 0, "a | b \u00b7 c - d-e"),
    (r"x*", 0, "axxb"),  # empty matches: sub, split and finditer treat them specially
    (rb"""<meta\b[^>]*?\bcharset\s*=\s*["']?([A-Za-z0-9_-]{1,40})""", re.IGNORECASE,
     b'<head><META charset="ISO-8859-1"><meta charset=utf-8>'),
]


def _spans(matches: Any) -> list[Any]:
    return [None if m is None else (m.span(), m.groups(), m.groupdict()) for m in matches]


@pytest.mark.parametrize(("source", "flags", "text"), _CASES)
def test_a_lazy_pattern_answers_as_the_compiled_one(source: Any, flags: int, text: Any) -> None:
    lazy, real = lazy_re(source, flags), re.compile(source, flags)
    empty = text[:0]
    assert type(lazy).__name__ == "_Uncompiled"
    for pos, endpos in ((0, len(text)), (2, len(text) - 1)):
        for method in ("match", "search", "fullmatch"):
            ours, theirs = getattr(lazy, method)(text, pos, endpos), getattr(real, method)(text, pos, endpos)
            assert _spans([ours]) == _spans([theirs]), method
        assert _spans(lazy.finditer(text, pos, endpos)) == _spans(real.finditer(text, pos, endpos))
        assert lazy.findall(text, pos, endpos) == real.findall(text, pos, endpos)
    repl = b"<\\g<0>>" if isinstance(text, bytes) else "<\\g<0>>"
    assert lazy.sub(repl, text) == real.sub(repl, text)
    assert lazy.sub(lambda m: m.group(0)[::-1], text, count=1) == real.sub(lambda m: m.group(0)[::-1], text, count=1)
    assert lazy.subn(empty, text) == real.subn(empty, text)
    assert lazy.split(text) == real.split(text)
    assert lazy.split(text, maxsplit=1) == real.split(text, maxsplit=1)
    for name in ("pattern", "flags", "groups", "groupindex"):
        assert getattr(lazy, name) == getattr(real, name), name


def test_the_first_use_compiles_once_then_calls_the_compiled_patterns_own_methods(
        monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[tuple[str, int]] = []
    real_compile = re.compile

    def counting(pattern: str, flags: int = 0) -> re.Pattern[str]:
        calls.append((pattern, flags))
        return real_compile(pattern, flags)

    monkeypatch.setattr(re, "compile", counting)
    lazy = lazy_re(r"a(?P<b>b)?", re.I)
    built = lazy_re(lazy.pattern + "c")  # a pattern made from another's source
    assert (lazy.pattern, built.pattern) == ("a(?P<b>b)?", "a(?P<b>b)?c")
    assert calls == []  # .pattern needs no compiling
    assert lazy.match("AB") is not None
    assert calls == [("a(?P<b>b)?", re.I)]
    assert lazy.search("xab") is not None and lazy.groups == 1 and lazy.sub("-", "ab") == "-"
    assert calls == [("a(?P<b>b)?", re.I)]  # once
    assert isinstance(lazy, LazyPattern) and type(lazy).__name__ == "_Compiled"
    compiled = lazy.compiled()  # type: ignore[attr-defined]
    assert isinstance(compiled, re.Pattern)
    assert lazy.match.__self__ is compiled and lazy.sub.__self__ is compiled
    assert not any(hasattr(type(lazy), name) for name in _ATTRIBUTES)  # nothing shadows the bound methods
    assert built.fullmatch("abc") is not None


def test_the_stand_in_knows_every_public_attribute_of_a_pattern() -> None:
    assert sorted(_ATTRIBUTES) == sorted(n for n in dir(re.compile("")) if not n.startswith("_"))


def test_a_bad_pattern_fails_at_its_first_use_with_re_error() -> None:
    lazy = lazy_re("(unclosed")
    with pytest.raises(re.error):
        lazy.match("x")
    with pytest.raises(re.error):  # and again: nothing half-made was kept
        lazy.search("x")
    with pytest.raises(AttributeError):
        lazy_re("a").no_such_attribute  # type: ignore[attr-defined]  # noqa: B018


def test_copies_pickles_and_repr() -> None:
    lazy = lazy_re(r"\d+", re.A)
    assert repr(lazy) == "lazy_re('\\\\d+', re.ASCII)"
    assert copy.copy(lazy) is lazy and copy.deepcopy(lazy) is lazy
    for state in ("uncompiled", "compiled"):
        again = pickle.loads(pickle.dumps(lazy))
        assert (again.pattern, again.flags, again.findall("a12b3")) == (r"\d+", re.A, ["12", "3"]), state
        lazy.match("1")


def _module_patterns() -> list[tuple[str, str, LazyPattern[Any]]]:
    found = []
    for info in pkgutil.walk_packages(briefpub.__path__, "briefpub."):
        if info.name.endswith("__main__"):
            continue
        module = importlib.import_module(info.name)
        for name, value in vars(module).items():
            values = value if isinstance(value, tuple | list) else (value,)
            for item in values:
                if isinstance(item, tuple):  # (pattern, replacement) pairs
                    item = item[0] if item else None
                if isinstance(item, LazyPattern) and getattr(module, name) is value:
                    found.append((info.name, name, item))
    return found


def test_every_lazy_pattern_of_briefpub_compiles() -> None:
    patterns = _module_patterns()
    assert len(patterns) > 100
    for module, name, pattern in patterns:
        try:
            pattern.compiled()
        except re.error as exc:  # pragma: no cover - the failure message
            pytest.fail(f"{module}.{name}: {exc}")


_CHILD = textwrap.dedent(
    """
    import json, os, sys
    from re import _compiler
    package, modules = sys.argv[1], sys.argv[2:]
    eager = set()  # (none left: every module-level pattern of briefpub is compiled on first use)
    real, ours = _compiler.compile, []
    def counting(pattern, flags=0):
        frame = sys._getframe(1)
        while frame is not None and os.path.basename(os.path.dirname(frame.f_code.co_filename)) == "re":
            frame = frame.f_back  # re.compile, re._compile
        if frame is not None and frame.f_code.co_filename.startswith(package) \\
            and frame.f_code.co_filename not in eager:
            ours.append([frame.f_code.co_filename, frame.f_lineno, str(pattern)])
        return real(pattern, flags)
    _compiler.compile = counting
    import importlib, pkgutil
    if modules == ["everything"]:
        import briefpub
        modules = [m.name for m in pkgutil.walk_packages(briefpub.__path__, "briefpub.")
                   if not m.name.endswith("__main__")]
    for name in modules:
        importlib.import_module(name)
    print(json.dumps(ours))
    """
)


@pytest.mark.parametrize("modules", [["briefpub.pipeline"], ["briefpub.cli"], ["everything"]])
def test_importing_briefpub_compiles_none_of_its_patterns(modules: list[str]) -> None:
    out = subprocess.run([sys.executable, "-c", _CHILD, str(PACKAGE), *modules], capture_output=True, text=True,
                         check=True).stdout
    assert json.loads(out.strip().splitlines()[-1]) == []


def test_the_child_sees_a_pattern_compiled_by_briefpub() -> None:  # so the check above can fail
    code = _CHILD.replace("print(json.dumps(ours))",
                          "from briefpub.tree import sanitise\nsanitise('a\\x00b')\nprint(json.dumps(ours))")
    out = subprocess.run([sys.executable, "-c", code, str(PACKAGE), "briefpub.tree"], capture_output=True, text=True,
                         check=True).stdout
    compiled = json.loads(out.strip().splitlines()[-1])
    assert compiled and all(path.endswith("_lazyre.py") for path, _, _ in compiled)
