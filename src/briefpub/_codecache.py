"""Compiled dataclass methods kept between runs: cheap classes for a cold start (start-up).

``@dataclass`` writes the source of each generated method (``__init__``,
``__repr__``, ``__eq__``, ``__hash__``, and ``__setattr__``/``__delattr__`` of
frozen classes) and compiles it with ``exec``: ~0.7 ms per frozen class, and a
``briefpub convert`` imports about 80 of them (~55 ms of CPU, most of pandoc's
whole run). :func:`install`, called by the CLI before it imports the pipeline,
gives the :mod:`dataclasses` module an ``exec`` that compiles each distinct
source once and keeps the code objects in the disk cache (:mod:`briefpub.cache`),
keyed by the interpreter's bytecode version and the source of ``dataclasses``
itself. The methods are the very ones ``exec`` would make (the same source,
compiled the same way, run the same way); only the compiling is skipped.

The same is done for regular expressions: ``re.compile`` parses a pattern and
assembles its matcher program in Python (~0.2-2.7 ms a pattern; a cold EPUB
conversion compiles ~100, briefpub's, typer's and the standard library's). The
caching :func:`re._compiler.compile` keeps each program (the list of integers
``_sre.compile`` takes, with its flags and group names) under the same rules,
keyed by the interpreter, ``_sre``'s magic number and the source of the ``re``
package; ``_sre`` checks every program it is given, so a bad one fails loudly
instead of matching wrongly, and is compiled afresh.

A library user's process is left alone: only the CLI installs it. A missing or
corrupt cache entry means compiling, as before; so does an entry another user
could have written (code is loaded only from files this user alone can write,
the trust Python gives ``__pycache__``).
"""

from __future__ import annotations

import atexit
import builtins
import dataclasses
import importlib.util
import marshal
import os
import re
import sys
from types import CodeType
from typing import Any

from briefpub.cache import DiskCache, disk_cache, source_digest

__all__ = ["install"]

_KIND = "dataclass-code"
_FORMAT = 2  # of the entry: each source's code object marshalled on its own (1: one marshalled dict of code)
_LIMIT = 4000  # distinct method sources kept (briefpub has ~600)
_RE_KIND = "regex-code"
_RE_SEEN_KIND = "regex-seen"
_RE_SEEN_LIMIT = 2048  # digests of patterns compiled once, awaiting a second process (12 bytes each)
_RE_LIMIT = 1000  # distinct patterns kept (a cold conversion compiles ~100; a fixed set, so the entry stays small)


def _trusted(cache: DiskCache, kind: str, key: str) -> bool:
    """Whether this user alone can write the entry and its folder (the trust Python gives ``__pycache__``)."""
    if not hasattr(os, "getuid"):
        return True
    for path in (cache.folder / kind, cache.folder / kind / key):
        try:
            st = os.stat(path)
        except OSError:
            return False
        if st.st_uid != os.getuid() or st.st_mode & 0o022:
            return False
    return True


def _load_entry(cache: DiskCache, kind: str, key: str) -> object:
    """The marshalled value of an entry this user alone can write (see :func:`_trusted`); None when there is
    none or it cannot be read."""
    payload = cache.load(kind, key) if _trusted(cache, kind, key) else None
    if payload is None:
        return None
    try:
        return marshal.loads(payload)  # noqa: S302 - this user's own entry, checksummed (see _trusted)
    except (ValueError, EOFError, TypeError):
        return None


class _CompiledExec:
    """``exec`` for :mod:`dataclasses`: source strings compiled once, their code objects saved on exit.

    The entry maps each source to its marshalled code object, and a code object is unmarshalled only
    when its source is run: a process creates the classes it imports (~85 for a cold EPUB conversion),
    not all the entry holds (~750, from every command and writer).
    """

    def __init__(self, cache: DiskCache | None) -> None:
        self.cache = cache
        self.key = DiskCache.key(_KIND, _FORMAT, sys.implementation.cache_tag, importlib.util.MAGIC_NUMBER,
                                 source_digest(str(dataclasses.__file__)))
        self.stored: dict[str, bytes] = self._load()
        self.codes: dict[str, CodeType] = {}  # compiled by this process: saved on exit

    @property
    def new(self) -> int:
        """How many sources this process compiled (0: every class came from the entry)."""
        return len(self.codes)

    def _trusted(self) -> bool:
        """Code is run from an entry only when this user alone can write it and its folder (as ``__pycache__``)."""
        return self.cache is not None and _trusted(self.cache, _KIND, self.key)

    def _load(self) -> dict[str, bytes]:
        stored = _load_entry(self.cache, _KIND, self.key) if self.cache is not None else None
        if not isinstance(stored, dict) or not all(type(k) is str and type(v) is bytes for k, v in stored.items()):
            return {}
        return stored

    def _code(self, source: str) -> CodeType:
        """The code object of ``source``: from the entry when it holds one, else compiled (and kept for the entry)."""
        blob = self.stored.get(source)
        if blob is not None:
            try:
                code = marshal.loads(blob)  # noqa: S302 - this user's own entry, checksummed (see _trusted)
            except (ValueError, EOFError, TypeError):
                code = None
            if isinstance(code, CodeType):
                return code
            del self.stored[source]
        code = compile(source, "<string>", "exec", dont_inherit=True)
        if len(self.stored) + len(self.codes) < _LIMIT:
            self.codes[source] = code
        return code

    def __call__(self, source: Any, globals: Any = None, locals: Any = None) -> None:
        if isinstance(source, str):
            source = self._code(source)
        builtins.exec(source, globals, locals)  # noqa: S102 - dataclasses' own generated methods

    def save(self) -> None:
        """Store the code objects when this process compiled new ones."""
        if self.cache is None or not self.codes:
            return
        merged = {**self._load(), **{source: marshal.dumps(code) for source, code in self.codes.items()}}
        self.cache.store(_KIND, self.key, marshal.dumps(merged), limit=4)


_Program = tuple[int, list[int], int, dict[str, int], tuple[str | None, ...]]
"""What ``_sre.compile`` takes besides the pattern: flags, code, groups - 1, group index, index group."""


class _CompiledRegex:
    """``re._compiler.compile`` whose programs come from the disk cache; new ones are saved on exit."""

    def __init__(self, cache: DiskCache, compile_: Any) -> None:
        from re import _compiler  # type: ignore[attr-defined]

        _sre = _compiler._sre
        self.cache = cache
        self.compile = compile_
        self.sre_compile = _sre.compile
        folder = os.path.dirname(str(re.__file__))
        self.key = DiskCache.key(_RE_KIND, sys.version, _sre.MAGIC, _sre.CODESIZE,
                                 source_digest(*(os.path.join(folder, f) for f in ("_compiler.py", "_parser.py",
                                                                                  "_constants.py", "_casefix.py"))))
        self.programs: dict[tuple[str | bytes, int], _Program] = self._load()
        self.fresh: dict[tuple[str | bytes, int], None] = {}  # compiled by this process, in order
        self.refused: set[tuple[str | bytes, int]] = set()  # in the entry, with a program _sre refused

    @property
    def new(self) -> int:
        """How many patterns this process compiled (0: every program came from the entry)."""
        return len(self.fresh)

    def _load(self) -> dict[tuple[str | bytes, int], _Program]:
        programs = _load_entry(self.cache, _RE_KIND, self.key)
        return programs if isinstance(programs, dict) else {}

    def __call__(self, p: Any, flags: int = 0) -> Any:
        if not isinstance(p, str | bytes) or flags & re.DEBUG:
            return self.compile(p, flags)
        program = self.programs.get((p, flags))
        if program is not None:
            try:
                return self.sre_compile(p, *program)
            except (TypeError, ValueError, RuntimeError, OverflowError):  # not a program _sre accepts
                del self.programs[(p, flags)]
                self.refused.add((p, flags))  # (its entry is replaced at exit)
        try:
            program = _program(p, flags)
            compiled = self.sre_compile(p, *program)
        except Exception:  # a bad pattern, or an re whose steps differ: re's own compile, its own error
            return self.compile(p, flags)
        if len(self.programs) < _RE_LIMIT:
            self.programs[(p, flags)] = program
            self.fresh[(p, flags)] = None
        return compiled

    def save(self) -> None:
        """Store the programs of the patterns this process compiled that an earlier process compiled too.

        A pattern compiled once is only noted (by a digest, in a small entry of its own); it is stored
        when a later process compiles it again. Patterns made anew by each process (reportlab joins a set
        of names into one, in an order that changes with string hashing) thus never enter the entry,
        which would otherwise grow by one on every run, and be rewritten every time, up to its limit.
        """
        if not self.fresh:
            return
        import hashlib

        seen_payload = _load_entry(self.cache, _RE_SEEN_KIND, self.key)
        seen = [d for d in seen_payload if type(d) is bytes] if isinstance(seen_payload, list) else []
        known = set(seen)
        promoted: dict[tuple[str | bytes, int], _Program] = {}
        noted: list[bytes] = []
        for pattern_flags in self.fresh:
            program = self.programs.get(pattern_flags)
            if program is None:
                continue
            digest = hashlib.blake2b(repr(pattern_flags).encode("utf-8", "surrogatepass"), digest_size=12).digest()
            if digest in known or pattern_flags in self.refused:
                promoted[pattern_flags] = program
                known.discard(digest)
            else:
                noted.append(digest)
        if promoted:
            merged = {**self._load(), **promoted}
            self.cache.store(_RE_KIND, self.key, marshal.dumps(merged), limit=4)
        remaining = [d for d in seen if d in known] + noted
        if remaining != seen:
            self.cache.store(_RE_SEEN_KIND, self.key, marshal.dumps(remaining[-_RE_SEEN_LIMIT:]), limit=4)


def _program(pattern: str | bytes, flags: int) -> _Program:
    """What ``re._compiler.compile`` hands ``_sre.compile`` for ``pattern`` (its steps, without the debug dump)."""
    from re import _compiler, _parser  # type: ignore[attr-defined]

    parsed = _parser.parse(pattern, flags)
    code = _compiler._code(parsed, flags)
    state = parsed.state
    indexgroup: list[str | None] = [None] * state.groups
    for name, index in state.groupdict.items():
        indexgroup[index] = name
    # plain ints (the opcodes are an int subclass, which marshal refuses; _sre takes either)
    return (int(flags | state.flags), [int(c) for c in code], int(state.groups - 1),
            {str(k): int(v) for k, v in state.groupdict.items()}, tuple(indexgroup))


def install() -> None:
    """Give :mod:`dataclasses` the caching ``exec`` and :mod:`re` the caching compiler (once per process;
    nothing when the cache is off)."""
    if isinstance(getattr(dataclasses, "exec", None), _CompiledExec):
        return
    cache = disk_cache()
    if cache is None:
        return
    compiled = _CompiledExec(cache)
    dataclasses.exec = compiled  # type: ignore[attr-defined]
    atexit.register(compiled.save)
    from re import _compiler  # type: ignore[attr-defined]

    regex = _CompiledRegex(cache, _compiler.compile)
    _compiler.compile = regex
    atexit.register(regex.save)
