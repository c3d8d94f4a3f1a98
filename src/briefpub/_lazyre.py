"""Regular expressions compiled on first use, not at import (start-up; used by every stage).

``re.compile`` parses a pattern and assembles its matcher program in Python (~0.2-2.7 ms a
pattern); briefpub's modules define ~120 patterns at module level, most of them needed by one reader
or writer only. :func:`lazy_re` returns a stand-in typed as the :class:`re.Pattern` it becomes: the
first read of one of its attributes compiles the pattern (through ``re.compile``, so with its cache
and the CLI's disk cache of programs, :mod:`briefpub._codecache`), puts the compiled pattern's bound
methods and attributes in the stand-in's own dictionary and switches the stand-in to a class with no
attributes of those names, so every later ``PATTERN.match(...)`` is one dictionary look-up of the
compiled pattern's own bound method: no wrapper, no check per call (~10 ns a call more than a
:class:`re.Pattern`, whose methods Python calls without binding them).

``.pattern`` is known without compiling (a pattern built from another's ``.pattern`` string costs
nothing at import). What the stand-in cannot be: an argument to the module-level functions of
:mod:`re` (``re.sub(PATTERN, ...)`` wants a string or a real :class:`re.Pattern`: use
``PATTERN.sub(...)``, or :meth:`LazyPattern.compiled`), an instance of :class:`re.Pattern`, or equal
to one. A wrong pattern raises :class:`re.error` at its first use, not at import
(``tests/test_lazyre.py`` compiles all of briefpub's).
"""

from __future__ import annotations

import re
from typing import Any, AnyStr, Generic, cast, overload

__all__ = ["LazyPattern", "lazy_re"]

#: Every public attribute of a compiled pattern (``dir(re.compile(""))``, checked by the tests).
_ATTRIBUTES = ("findall", "finditer", "flags", "fullmatch", "groupindex", "groups", "match", "pattern",
               "scanner", "search", "split", "sub", "subn")


class LazyPattern(Generic[AnyStr]):
    """A pattern compiled when one of its attributes is first read (see the module's docstring)."""

    pattern: AnyStr

    def __init__(self, pattern: AnyStr, flags: int = 0) -> None:
        self.pattern = pattern
        self._flags = flags

    def compiled(self) -> re.Pattern[AnyStr]:
        """The compiled pattern (compiled now when it was not yet)."""
        found: re.Pattern[AnyStr] = self.__dict__["_compiled"]
        return found

    def __repr__(self) -> str:
        return f"lazy_re({self.pattern!r}, {self._flags!r})"

    def __reduce__(self) -> tuple[Any, ...]:  # pickled as its source, not as its bound methods
        return (_Uncompiled, (self.pattern, self._flags))

    def __copy__(self) -> LazyPattern[AnyStr]:  # immutable, as a Pattern (whose copy is itself)
        return self

    def __deepcopy__(self, _memo: object) -> LazyPattern[AnyStr]:
        return self


class _Compiled(LazyPattern[AnyStr]):
    """A compiled stand-in: its pattern's attributes are in its dictionary (and nothing of the class shadows them)."""


class _Uncompiled(LazyPattern[AnyStr]):
    """A stand-in not compiled yet: the class's attributes of the Pattern's names compile it when read."""

    def compiled(self) -> re.Pattern[AnyStr]:
        found = re.compile(self.pattern, self._flags)
        self.__dict__.update((name, getattr(found, name)) for name in _ATTRIBUTES)
        self.__dict__["_compiled"] = found
        self.__class__ = _Compiled  # type: ignore[assignment]  # same layout; no class attribute shadows the dict's
        return found


class _CompileOnRead:
    """A class attribute of :class:`_Uncompiled` named after an attribute of a Pattern: compiles, then reads it."""

    __slots__ = ("name",)

    def __init__(self, name: str) -> None:
        self.name = name

    def __get__(self, instance: _Uncompiled[Any] | None, owner: type | None = None) -> Any:
        if instance is None:
            return self
        return getattr(instance.compiled(), self.name)


for _name in _ATTRIBUTES:
    if _name != "pattern":  # known without compiling: an attribute of the instance
        setattr(_Uncompiled, _name, _CompileOnRead(_name))
del _name


@overload
def lazy_re(pattern: str, flags: int = 0) -> re.Pattern[str]: ...
@overload
def lazy_re(pattern: bytes, flags: int = 0) -> re.Pattern[bytes]: ...
def lazy_re(pattern: str | bytes, flags: int = 0) -> re.Pattern[str] | re.Pattern[bytes]:
    """``re.compile(pattern, flags)``, compiled on first use (module-level patterns; see the module's docstring)."""
    return cast("re.Pattern[str] | re.Pattern[bytes]", _Uncompiled(pattern, flags))
