"""Hyphenation patterns (``briefpub.writers.pdf.typeset.hyphenation``): loaded on first use only, kept in
the disk cache as plain data, and the cached patterns give exactly pyphen's own points; a dictionary
changed in place, a corrupt or a foreign entry means parsing afresh."""

from __future__ import annotations

import functools
import marshal
import shutil
from pathlib import Path

import pyphen
import pytest
from hypothesis import given
from hypothesis import strategies as hs

from briefpub.cache import DiskCache
from briefpub.writers.pdf.typeset import hyphenation
from briefpub.writers.pdf.typeset.hyphenation import Hyphenator

#: Several scripts and pattern styles; ``hu_HU`` and ``ca`` have non-standard alternatives (``DataInt``).
LANGUAGES = ("en_US", "de_DE", "fr", "ru_RU", "hu_HU", "ca", "nl_NL", "el_GR")


@functools.cache
def _fresh(lang: str) -> pyphen.HyphDict:
    return pyphen.HyphDict(hyphenation._dictionary_path(lang))


@functools.cache
def _letters(lang: str) -> str:
    """The letters of a dictionary's patterns (random words made of them meet many patterns)."""
    return "".join(sorted({c for key in _fresh(lang).patterns for c in key if c.isalpha()}))


@functools.cache
def _cached(lang: str, folder: str) -> pyphen.HyphDict:
    """The patterns as a warm cache gives them (stored by a first load, read back by a second)."""
    cache = DiskCache(Path(folder))
    path = hyphenation._dictionary_path(lang)
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr("briefpub.cache.disk_cache", lambda env=None: cache)
        hyphenation._load_patterns(path)
        mp.setattr(pyphen.HyphDict, "__init__", _forbidden)
        return hyphenation._load_patterns(path)


def _forbidden(self: object, path: object) -> None:
    raise AssertionError("parsed on a cache hit")


def _points(hd: pyphen.HyphDict, word: str) -> list[tuple[int, object]]:
    return [(int(p), p.data) for p in hd.positions(word)]


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> str:
    return str(tmp_path_factory.mktemp("hyph-cache"))


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_cached_patterns_are_pyphens(lang: str, folder: str) -> None:
    fresh, cached = _fresh(lang), _cached(lang, folder)
    assert cached is not fresh and cached.maxlen == fresh.maxlen
    assert cached.patterns == fresh.patterns
    data = {(k, i): v.data for k, (_s, vs) in fresh.patterns.items() for i, v in enumerate(vs)
            if isinstance(v, pyphen.DataInt)}
    assert {(k, i): v.data for k, (_s, vs) in cached.patterns.items() for i, v in enumerate(vs)
            if isinstance(v, pyphen.DataInt)} == data
    if lang in ("hu_HU", "ca"):
        assert data  # (the alternatives are exercised)


@given(lang=hs.sampled_from(LANGUAGES), data=hs.data())
def test_cached_and_fresh_pyphen_hyphenate_alike(lang: str, data: hs.DataObject, folder: str) -> None:
    word = data.draw(hs.text(alphabet=_letters(lang), min_size=1, max_size=24), label="word")
    assert _points(_cached(lang, folder), word) == _points(_fresh(lang), word)
    # and through pyphen's own Pyphen, as the Hyphenator uses it
    dic = pyphen.Pyphen(lang=lang, left=hyphenation.LEFT, right=hyphenation.RIGHT)
    assert [int(p) for p in dic.positions(word)] == [
        p for p, _d in _points(_cached(lang, folder), word)
        if hyphenation.LEFT <= p <= len(word) - hyphenation.RIGHT]


def test_patterns_are_loaded_only_when_a_word_is_hyphenated(monkeypatch: pytest.MonkeyPatch) -> None:
    loads: list[object] = []
    monkeypatch.setattr(pyphen, "hdcache", {})
    real = hyphenation._load_patterns
    monkeypatch.setattr(hyphenation, "_load_patterns", lambda path: loads.append(path) or real(path))
    hyph = Hyphenator("en_US")
    assert hyphenation.hyphenator("en") is not None  # (knowing a language has patterns loads nothing)
    assert hyph.points("short") == () and hyph.points("NATO-OTAN") == () and hyph.points("ACRONYMS") == ()
    assert loads == []
    assert hyph.points("hyphenation") == (2, 6)
    assert hyph.points("typesetting") and len(loads) == 1
    assert Hyphenator("en_US").points("extraordinary") and len(loads) == 1  # pyphen's per-process cache


def test_a_dictionary_changed_in_place_is_parsed_again(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    cache = DiskCache(tmp_path / "cache")
    monkeypatch.setattr("briefpub.cache.disk_cache", lambda env=None: cache)
    dic = tmp_path / "hyph_xx.dic"
    shutil.copyfile(hyphenation._dictionary_path("en_US"), dic)
    before = hyphenation._load_patterns(dic)
    assert "zzq" not in before.patterns
    with dic.open("a", encoding="ascii") as fh:
        fh.write("z1zq\n")  # same path, new bytes
    after = hyphenation._load_patterns(dic)
    assert after.patterns["zzq"] == (1, (1,)) and after.patterns == pyphen.HyphDict(dic).patterns
    assert len(list((tmp_path / "cache" / hyphenation._KIND).iterdir())) == 2


@pytest.mark.parametrize("damage", ["flipped", "foreign", "shape", "value", "maxlen"])
def test_a_corrupt_or_foreign_entry_is_parsed_again_and_rewritten(tmp_path: Path, damage: str,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    cache = DiskCache(tmp_path)
    monkeypatch.setattr("briefpub.cache.disk_cache", lambda env=None: cache)
    path = hyphenation._dictionary_path("fr")
    hyphenation._load_patterns(path)
    [entry] = (tmp_path / hyphenation._KIND).iterdir()
    payload = cache.load(hyphenation._KIND, entry.name)
    assert payload is not None
    maxlen, values, patterns = marshal.loads(payload)
    if damage == "flipped":  # the checksum no longer matches
        blob = entry.read_bytes()
        entry.write_bytes(blob[:-5] + bytes([blob[-5] ^ 1]) + blob[-4:])
    else:  # a whole, checksummed entry that is not what this version writes
        wrong = (0, (1.5,))
        bad = {"foreign": marshal.dumps({"patterns": patterns}),
               "shape": marshal.dumps((maxlen, values, {1: values[0]})),
               "value": marshal.dumps((maxlen, [*values[:-1], wrong],
                                       {k: v if v is not values[-1] else wrong for k, v in patterns.items()})),
               "maxlen": marshal.dumps((maxlen + 1, values, patterns))}[damage]
        cache.store(hyphenation._KIND, entry.name, bad)
    assert hyphenation._decode(cache.load(hyphenation._KIND, entry.name) or b"") is None
    again = hyphenation._load_patterns(path)
    assert again.patterns == _fresh("fr").patterns and again.maxlen == _fresh("fr").maxlen
    assert hyphenation._decode(cache.load(hyphenation._KIND, entry.name) or b"") is not None  # rewritten


def test_no_entry_when_the_cache_is_off(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BRIEFPUB_CACHE_DIR", str(tmp_path))
    monkeypatch.setenv("BRIEFPUB_CACHE", "off")
    hd = hyphenation._load_patterns(hyphenation._dictionary_path("fr"))
    assert hd.patterns == _fresh("fr").patterns
    assert not any(tmp_path.iterdir())
