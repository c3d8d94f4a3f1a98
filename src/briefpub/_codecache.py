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
import sys
from types import CodeType
from typing import Any

from briefpub.cache import DiskCache, disk_cache, source_digest

__all__ = ["install"]

_KIND = "dataclass-code"
_LIMIT = 4000  # distinct method sources kept (briefpub has ~600)


class _CompiledExec:
    """``exec`` for :mod:`dataclasses`: source strings compiled once, their code objects saved on exit."""

    def __init__(self, cache: DiskCache | None) -> None:
        self.cache = cache
        self.key = DiskCache.key(_KIND, sys.implementation.cache_tag, importlib.util.MAGIC_NUMBER,
                                 source_digest(str(dataclasses.__file__)))
        self.codes: dict[str, CodeType] = self._load()
        self.new = 0

    def _trusted(self) -> bool:
        """Code is run from an entry only when this user alone can write it and its folder (as ``__pycache__``)."""
        if self.cache is None:
            return False
        if not hasattr(os, "getuid"):
            return True
        for path in (self.cache.folder / _KIND, self.cache.folder / _KIND / self.key):
            try:
                st = os.stat(path)
            except OSError:
                return False
            if st.st_uid != os.getuid() or st.st_mode & 0o022:
                return False
        return True

    def _load(self) -> dict[str, CodeType]:
        payload = self.cache.load(_KIND, self.key) if self.cache is not None and self._trusted() else None
        if payload is None:
            return {}
        try:
            codes = marshal.loads(payload)  # noqa: S302 - this user's own entry, checksummed (see _trusted)
        except (ValueError, EOFError, TypeError):
            return {}
        if not isinstance(codes, dict) or not all(isinstance(k, str) and isinstance(v, CodeType)
                                                  for k, v in codes.items()):
            return {}
        return codes

    def __call__(self, source: Any, globals: Any = None, locals: Any = None) -> None:
        if isinstance(source, str):
            code = self.codes.get(source)
            if code is None:
                code = compile(source, "<string>", "exec", dont_inherit=True)
                if len(self.codes) < _LIMIT:
                    self.codes[source] = code
                    self.new += 1
            source = code
        builtins.exec(source, globals, locals)  # noqa: S102 - dataclasses' own generated methods

    def save(self) -> None:
        """Store the code objects when this process compiled new ones."""
        if self.cache is None or not self.new:
            return
        merged = {**self._load(), **self.codes}
        self.cache.store(_KIND, self.key, marshal.dumps(merged), limit=4)


def install() -> None:
    """Give :mod:`dataclasses` the caching ``exec`` (once per process; nothing when the cache is off)."""
    if isinstance(getattr(dataclasses, "exec", None), _CompiledExec):
        return
    cache = disk_cache()
    if cache is None:
        return
    compiled = _CompiledExec(cache)
    dataclasses.exec = compiled  # type: ignore[attr-defined]
    atexit.register(compiled.save)
