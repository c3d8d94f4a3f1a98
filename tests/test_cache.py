"""The disk cache: where it lives, atomic entries, corrupt and foreign entries ignored, bounded, concurrent use."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from briefpub.cache import DiskCache, default_cache_dir, disk_cache, file_stamp, source_digest


def test_location_follows_the_environment(tmp_path: Path) -> None:
    assert default_cache_dir({"BRIEFPUB_CACHE_DIR": str(tmp_path), "XDG_CACHE_HOME": "/x"}) == tmp_path
    assert default_cache_dir({"XDG_CACHE_HOME": "/x/cache", "HOME": "/home/u"}) == Path("/x/cache/briefpub")
    assert default_cache_dir({"XDG_CACHE_HOME": "relative", "HOME": "/home/u"}) == Path("/home/u/.cache/briefpub")
    assert default_cache_dir({"HOME": "/home/u"}) == Path("/home/u/.cache/briefpub")
    for off in ("off", "0", "no", "FALSE"):
        assert default_cache_dir({"BRIEFPUB_CACHE": off, "BRIEFPUB_CACHE_DIR": str(tmp_path)}) is None
        assert disk_cache({"BRIEFPUB_CACHE": off}) is None


def test_tests_never_use_the_users_cache() -> None:
    """conftest points every test process (and its children) at a private folder."""
    folder = default_cache_dir()
    assert folder is not None and "briefpub-test-cache-" in str(folder)


def test_store_and_load(tmp_path: Path) -> None:
    cache = DiskCache(tmp_path / "c")
    key = DiskCache.key("kind", 1, ("a", 2))
    assert key == DiskCache.key("kind", 1, ("a", 2)) and key != DiskCache.key("kind", 1, ("a", 3))
    assert cache.load("kind", key) is None
    assert cache.store("kind", key, b"payload\nwith lines\x00")
    assert cache.load("kind", key) == b"payload\nwith lines\x00"
    assert cache.load("other", key) is None
    assert [p.name for p in (tmp_path / "c" / "kind").iterdir()] == [key]  # no temporary file left


@pytest.mark.parametrize(
    "damage",
    [
        lambda blob: blob[:-1],  # truncated
        lambda blob: blob[:-1] + bytes([blob[-1] ^ 1]),  # a flipped bit
        lambda blob: b"",  # empty
        lambda blob: b"not a cache entry",  # no header
        lambda blob: blob.replace(b"briefpub-cache/1", b"briefpub-cache/9", 1),  # another format
    ],
)
def test_a_corrupt_entry_is_a_miss_and_is_rewritten(tmp_path: Path, damage: object) -> None:
    cache = DiskCache(tmp_path)
    key = DiskCache.key("x")
    cache.store("k", key, b"0123456789" * 100)
    entry = tmp_path / "k" / key
    entry.write_bytes(damage(entry.read_bytes()))  # type: ignore[operator]
    assert cache.load("k", key) is None
    assert cache.store("k", key, b"0123456789" * 100)
    assert cache.load("k", key) == b"0123456789" * 100


def test_an_entry_under_another_key_is_a_miss(tmp_path: Path) -> None:
    cache = DiskCache(tmp_path)
    one, two = DiskCache.key(1), DiskCache.key(2)
    cache.store("k", one, b"one")
    os.replace(tmp_path / "k" / one, tmp_path / "k" / two)
    assert cache.load("k", two) is None


def test_an_unwritable_cache_is_no_error(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    cache = DiskCache(blocker / "cache")
    assert cache.store("k", DiskCache.key(1), b"x") is False
    assert cache.load("k", DiskCache.key(1)) is None


def test_a_kind_keeps_at_most_limit_entries_newest_first(tmp_path: Path) -> None:
    cache = DiskCache(tmp_path)
    keys = [DiskCache.key(i) for i in range(6)]
    for i, key in enumerate(keys):
        cache.store("k", key, b"x", limit=3)
        os.utime(tmp_path / "k" / key, ns=(i * 10**9, i * 10**9))
    assert sorted(p.name for p in (tmp_path / "k").iterdir()) == sorted(keys[-3:])


def test_file_stamp_and_source_digest(tmp_path: Path) -> None:
    path = tmp_path / "f.py"
    path.write_text("a = 1\n")
    stamp = file_stamp(str(path))
    assert stamp is not None and stamp[:2] == (str(path), 6)
    assert file_stamp(str(tmp_path / "missing")) is None
    other = tmp_path / "g.py"
    other.write_text("a = 2\n")
    assert source_digest(str(path)) != source_digest(str(other))
    assert source_digest(str(path)) == source_digest(str(path))


_WRITER = textwrap.dedent(
    """
    import sys
    from pathlib import Path
    from briefpub.cache import DiskCache
    cache, key = DiskCache(Path(sys.argv[1])), sys.argv[2]
    payload = bytes(range(256)) * 4096  # 1 MiB: a rename, never a partial write, makes it visible
    bad = 0
    for _ in range(40):
        cache.store("k", key, payload, limit=2)
        got = cache.load("k", key)
        bad += got is not None and got != payload
    print(bad)
    """
)


def test_concurrent_processes_never_read_a_partial_entry(tmp_path: Path) -> None:
    key = DiskCache.key("shared")
    procs = [subprocess.Popen([sys.executable, "-c", _WRITER, str(tmp_path), key], stdout=subprocess.PIPE, text=True)
             for _ in range(4)]
    outputs = [p.communicate(timeout=120)[0].strip() for p in procs]
    assert all(p.returncode == 0 for p in procs)
    assert outputs == ["0"] * 4
    assert [p.name for p in (tmp_path / "k").iterdir()] == [key]  # temporary files all renamed or removed


def test_entries_and_folders_are_private(tmp_path: Path) -> None:
    cache = DiskCache(tmp_path / "c")
    key = DiskCache.key("private")
    cache.store("k", key, b"x")
    assert (tmp_path / "c").stat().st_mode & 0o077 == 0  # the cache's own folder too, not only a kind's
    assert (tmp_path / "c" / "k").stat().st_mode & 0o077 == 0
    assert (tmp_path / "c" / "k" / key).stat().st_mode & 0o077 == 0


def test_temporary_files_of_a_killed_process_are_removed_below_the_limit(tmp_path: Path) -> None:
    cache = DiskCache(tmp_path)
    (tmp_path / "k").mkdir()
    stale = tmp_path / "k" / ".0123456789abcdef-99999-00000000.tmp"
    stale.write_bytes(b"half")
    os.utime(stale, (time.time() - 7200, time.time() - 7200))
    cache.store("k", DiskCache.key("one"), b"x", limit=4)  # one entry: far below the limit
    assert not stale.exists()


def test_library_stamp_names_an_installed_library_without_importing_it(tmp_path: Path,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    """A library's part of a key: its version files (and compiled modules) as found on disk, unimported."""
    import os
    import sys

    from briefpub.cache import library_stamp

    stamp = library_stamp.__wrapped__  # (the uncached function: each call looks again)
    package = tmp_path / "fakelib_for_stamp"
    package.mkdir()
    (package / "__init__.py").write_text("raise ImportError('never imported')\n")
    (package / "_version.py").write_text("version = '1'\n")
    (package / "_speedups.cpython-311-x86_64-linux-gnu.so").write_bytes(b"\0")
    monkeypatch.syspath_prepend(str(tmp_path))
    plain = stamp("fakelib_for_stamp")
    compiled = stamp("fakelib_for_stamp", compiled=True)
    assert "fakelib_for_stamp" not in sys.modules
    assert [s[0] for s in plain[1]] == [str(package / "__init__.py"), str(package / "_version.py")]
    assert [os.path.basename(s[0]) for s in compiled[1]][-1] == "_speedups.cpython-311-x86_64-linux-gnu.so"
    (package / "_version.py").write_text("version = '1.0.1'\n")  # another version installed
    assert stamp("fakelib_for_stamp") != plain
    assert stamp("no_such_library_here") == ("no_such_library_here", None)
