"""Hyphenation points from pyphen patterns, per language and per word (cached).

:func:`hyphenator` maps a BCP 47 tag to pyphen's patterns: ``en-US`` -> ``en_US``,
``en-GB`` -> ``en_GB``, plain ``en`` -> ``en_US`` (pyphen's own ``en`` is British),
``no`` -> ``nb``, otherwise :func:`pyphen.language_fallback` (``de-CH-1996`` ->
``de_CH``). A language pyphen does not know gives ``None`` (no hyphenation; the
caller reports it unless the script is never hyphenated, like Arabic or Chinese).

Rules applied to every word: at least :data:`MIN_WORD` letters, at least
:data:`LEFT` letters before the first break and :data:`RIGHT` after the last,
no hyphenation of all-capital words (acronyms) or words with digits.

A language's patterns are loaded when the first word long enough to be hyphenated is asked
about (a paragraph in that language is broken), not when its :class:`Hyphenator` is made.
pyphen parses a dictionary file in Python (``en_US`` ~55 ms, ``de_DE`` ~0.5 s); what it
builds (its ``HyphDict``: the patterns and their longest length) is kept in the disk cache
(:mod:`briefpub.cache`) as plain data (marshal: strings, numbers and tuples, checked on
loading; nothing is run), keyed by the dictionary file's SHA-256, pyphen's version and
source and this module's source. A hit restores the very ``HyphDict`` pyphen would build
(the same patterns, the same ``DataInt`` alternatives), in ~4 ms for ``en_US``. The cache
serves library users too (it holds no code), and is off with ``BRIEFPUB_CACHE=off``.
"""

from __future__ import annotations

import functools
import hashlib
import marshal
from typing import Any

import pyphen

__all__ = ["LEFT", "MIN_WORD", "NEVER_HYPHENATED", "RIGHT", "Hyphenator", "hyphenator", "pyphen_language"]

MIN_WORD = 6
LEFT = 2
RIGHT = 3
#: Languages whose scripts are not hyphenated: no report when pyphen lacks them.
NEVER_HYPHENATED = frozenset(
    {"zh", "ja", "ko", "ar", "he", "iw", "fa", "ur", "yi", "ps", "th", "lo", "km", "my", "bo", "dv", "ug", "sd"}
)
_EXPLICIT = {"en": "en_US", "no": "nb", "en_UK": "en_GB"}


def pyphen_language(tag: str) -> str | None:
    """pyphen's dictionary name for a BCP 47 tag, or None when it has none."""
    lang = tag.strip().replace("-", "_")
    if not lang:
        return None
    parts = lang.split("_")
    parts[0] = parts[0].lower()
    for i in range(1, len(parts)):
        parts[i] = parts[i].upper() if len(parts[i]) == 2 else parts[i].title()
    lang = "_".join(parts)
    if lang in _EXPLICIT:
        return _EXPLICIT[lang]
    found = pyphen.language_fallback(lang)
    if found is None and parts[0] in _EXPLICIT:
        return _EXPLICIT[parts[0]]
    return str(found) if found else None


_KIND = "pyphen-patterns"
_LIMIT = 12  # dictionaries kept (an entry is ~0.2 MB for en_US, ~1.4 MB for de_DE, ~1.7 MB for hu_HU)
_Value = int | tuple[int, str, int, int]
"""A pattern value: an int, or a ``DataInt``'s value and its (change, index, cut) data."""


def _dictionary_path(dictionary: str) -> Any:
    """The file pyphen reads for a dictionary name (what ``pyphen.Pyphen(lang=...)`` looks up)."""
    return pyphen.LANGUAGES[pyphen.language_fallback(dictionary)]


def _encode(hd: pyphen.HyphDict) -> bytes:
    """A ``HyphDict`` as marshal data: ``(maxlen, values, {pattern: value})``, each distinct
    ``(start, values)`` once in ``values`` and shared by the patterns (marshal keeps the sharing)."""
    shared: dict[tuple[int, tuple[_Value, ...]], tuple[int, tuple[_Value, ...]]] = {}
    patterns: dict[str, tuple[int, tuple[_Value, ...]]] = {}
    for key, (start, values) in hd.patterns.items():
        plain = tuple((int(v), *v.data) if isinstance(v, pyphen.DataInt) and v.data is not None else int(v)
                      for v in values)
        value = (int(start), plain)
        patterns[str(key)] = shared.setdefault(value, value)
    return marshal.dumps((int(hd.maxlen), list(shared), patterns))


def _decode(payload: bytes) -> pyphen.HyphDict | None:
    """The ``HyphDict`` :func:`_encode` wrote, or None when ``payload`` is not such data.

    Every distinct value is checked, and every pattern must be a string holding one of them (an
    entry is checksummed, so this only turns away what another version wrote).
    """
    try:
        data = marshal.loads(payload)  # noqa: S302 - plain data only, every value's type checked below
    except (ValueError, EOFError, TypeError):
        return None
    if not (type(data) is tuple and len(data) == 3 and type(data[0]) is int and type(data[1]) is list
            and type(data[2]) is dict and data[2]):
        return None
    maxlen, stored, patterns = data
    if set(map(type, patterns)) != {str} or not set(map(id, patterns.values())) <= set(map(id, stored)):
        return None
    values = [_value(v) for v in stored]
    if None in values or maxlen != max(map(len, patterns)):
        return None
    if any(new is not old for new, old in zip(values, stored, strict=True)):  # DataInt alternatives
        by_id = {id(old): new for new, old in zip(values, stored, strict=True)}
        patterns = {key: by_id[id(value)] for key, value in patterns.items()}
    hd = pyphen.HyphDict.__new__(pyphen.HyphDict)
    hd.patterns = patterns
    hd.cache = {}
    hd.maxlen = maxlen
    return hd


def _value(value: object) -> tuple[int, tuple[int, ...]] | None:
    """A pattern's ``(start, values)`` as pyphen keeps it (alternatives as ``DataInt``), or None when
    ``value`` is not what :func:`_encode` writes."""
    if not (type(value) is tuple and len(value) == 2 and type(value[0]) is int and type(value[1]) is tuple):
        return None
    start, values = value
    if set(map(type, values)) <= {int}:
        return value
    out: list[int] = []
    for v in values:
        if type(v) is int:
            out.append(v)
        elif (type(v) is tuple and len(v) == 4 and type(v[0]) is int and type(v[1]) is str and type(v[2]) is int
              and type(v[3]) is int):
            out.append(pyphen.DataInt(v[0], (v[1], v[2], v[3])))
        else:
            return None
    return (start, tuple(out))


def _load_patterns(path: Any) -> pyphen.HyphDict:
    """pyphen's ``HyphDict`` for a dictionary file: from the disk cache, else parsed (and stored)."""
    from briefpub.cache import DiskCache, disk_cache, source_digest

    cache = disk_cache()
    if cache is None:
        return pyphen.HyphDict(path)
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    key = DiskCache.key(_KIND, digest, pyphen.__version__, marshal.version,
                        source_digest(str(pyphen.__file__), __file__))
    payload = cache.load(_KIND, key)
    hd = _decode(payload) if payload is not None else None
    if hd is None:
        hd = pyphen.HyphDict(path)
        if hashlib.sha256(path.read_bytes()).hexdigest() == digest:  # (not changed while it was parsed)
            cache.store(_KIND, key, _encode(hd), limit=_LIMIT)
    return hd


class Hyphenator:
    """Hyphenation points of words in one language (cached per word); the patterns are loaded on first use."""

    def __init__(self, dictionary: str) -> None:
        self.dictionary = dictionary
        self._pyphen: pyphen.Pyphen | None = None
        self._cache: dict[str, tuple[int, ...]] = {}

    @property
    def _dic(self) -> pyphen.Pyphen:
        """pyphen for this dictionary, its patterns loaded (from the disk cache when there) on first use."""
        if self._pyphen is None:
            path = _dictionary_path(self.dictionary)
            if path not in pyphen.hdcache:  # (pyphen's own per-process cache, which Pyphen() reads)
                pyphen.hdcache[path] = _load_patterns(path)
            self._pyphen = pyphen.Pyphen(lang=self.dictionary, left=LEFT, right=RIGHT)
        return self._pyphen

    def points(self, word: str) -> tuple[int, ...]:
        """Offsets inside ``word`` where it may be hyphenated (empty for short words and acronyms)."""
        found = self._cache.get(word)
        if found is not None:
            return found
        points: tuple[int, ...] = ()
        if len(word) >= MIN_WORD and word.isalpha() and not word.isupper():
            points = tuple(p for p in self._dic.positions(word) if LEFT <= p <= len(word) - RIGHT)
        if len(self._cache) > 50000:
            self._cache.clear()
        self._cache[word] = points
        return points


@functools.cache
def _hyphenator(dictionary: str) -> Hyphenator:
    return Hyphenator(dictionary)


def hyphenator(tag: str) -> Hyphenator | None:
    """The hyphenator for a BCP 47 language tag (one per dictionary and process), or None."""
    dictionary = pyphen_language(tag)
    return _hyphenator(dictionary) if dictionary else None
