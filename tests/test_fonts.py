"""Fonts as an input: found once by the pipeline (packaged, fontconfig, fontTools), never by writers."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from briefpub import fonts
from briefpub.fonts import FontSet, cached_coverage, coverage, file_record, find_family, resolve_fonts

DEJAVU = Path("/usr/share/fonts/truetype/dejavu")
BUILD = datetime(2024, 5, 6, tzinfo=UTC)


def _require_dejavu() -> None:
    from tools import require_tool  # noqa: F401 - same policy as tools

    if not (DEJAVU / "DejaVuSerif.ttf").is_file():
        pytest.skip("fonts-dejavu-core is not installed")


def test_fonttools_scan_of_a_folder_finds_families_and_slots(tmp_path: Path) -> None:
    _require_dejavu()
    for name in ("DejaVuSerif.ttf", "DejaVuSerif-Bold.ttf", "DejaVuSerif-Italic.ttf", "DejaVuSerifCondensed.ttf"):
        shutil.copy(DEJAVU / name, tmp_path / name)
    family = find_family("dejavu serif", (tmp_path,))
    assert family is not None and family.name == "DejaVu Serif"
    assert Path(family.face(False, False).path).name == "DejaVuSerif.ttf"  # normal width before condensed
    assert Path(family.face(True, False).path).name == "DejaVuSerif-Bold.ttf"
    assert Path(family.face(False, True).path).name == "DejaVuSerif-Italic.ttf"
    # a missing slot borrows the nearest face, slant first
    assert Path(family.face(True, True).path).name == "DejaVuSerif-Italic.ttf"
    assert find_family("No Such Family", (tmp_path,)) is None


def test_fontconfig_and_the_fonttools_scan_agree() -> None:
    _require_dejavu()
    if shutil.which("fc-list") is None:
        pytest.skip("fontconfig is not installed")
    via_fc = find_family("DejaVu Sans")
    via_scan = find_family("DejaVu Sans", (DEJAVU,))
    assert via_fc is not None and via_scan is not None
    assert [Path(f.path).name for f in via_fc.faces] == [Path(f.path).name for f in via_scan.faces]


def test_coverage_and_file_record() -> None:
    _require_dejavu()
    family = find_family("DejaVu Sans", (DEJAVU,))
    assert family is not None
    face = family.face(False, False)
    covered = coverage(face)
    assert ord("A") in covered and 0x0416 in covered and 0x4E2D not in covered
    record = file_record(face.path)
    assert len(record.sha256) == 64 and record.size == Path(face.path).stat().st_size


def test_resolve_fonts_keeps_order_and_reports_missing() -> None:
    _require_dejavu()
    found = resolve_fonts({"body": ["Missing One", "DejaVu Serif", "DejaVu Sans", "dejavu serif"]}, (DEJAVU,))
    assert [f.name for f in found.families("body")] == ["DejaVu Serif", "DejaVu Sans"]
    assert found.missing == ("Missing One",) and found.families("mono") == ()
    assert len(found.faces()) == len(set(found.faces()))


def test_writers_never_scan_fonts(monkeypatch: pytest.MonkeyPatch) -> None:
    """A writer run with an explicit font set must not look for fonts itself."""
    from datetime import UTC, datetime

    from briefpub.pipeline import style_fonts
    from briefpub.styling import load_style
    from briefpub.tree import Document, Meta, Paragraph, Publication, Text
    from briefpub.writers import WriteOptions, get_writer

    style = load_style("briefing")
    font_set: FontSet = style_fonts(style)

    def forbidden(*args: object, **kwargs: object) -> object:
        raise AssertionError("a writer looked for fonts itself")

    import glob
    import importlib
    import os
    import subprocess

    for library in ("reportlab.platypus", "reportlab.pdfbase.ttfonts", "ebooklib.epub", "docx", "PIL.ImageFont"):
        importlib.import_module(library)  # reportlab looks for its settings files when first imported
    options = WriteOptions(build_time=datetime(2020, 1, 1, tzinfo=UTC), fonts=font_set)
    monkeypatch.setattr(fonts, "find_family", forbidden)
    monkeypatch.setattr(fonts, "_catalogue", forbidden)
    for module, name in ((os, "walk"), (os, "listdir"), (glob, "glob"), (subprocess, "run")):
        monkeypatch.setattr(module, name, forbidden)
    # The disk cache lists its own folder when it stores an entry (keeping it bounded: a writer's first
    # use of a face or of hyphenation patterns stores them); any other folder listed is a font scan.
    from briefpub.cache import default_cache_dir

    cache_dir, scandir = os.path.realpath(str(default_cache_dir())), os.scandir

    def scandir_of_the_cache(path: str = ".") -> object:
        if os.path.realpath(path).startswith(cache_dir + os.sep):
            return scandir(path)
        return forbidden(path)

    monkeypatch.setattr(os, "scandir", scandir_of_the_cache)
    pub = Publication((Document(Meta(title="Другой", language="ru"), (Paragraph((Text("Тело العربية"),)),)),))
    for name in ("pdf", "epub", "docx"):
        assert get_writer(name).write(pub, style, options).data


def test_a_role_with_nothing_installed_borrows_the_body_family_and_code_is_reported(tmp_path: Path) -> None:
    """A bare machine (no system fonts at all) still converts: code borrows the packaged body face, and
    the conversion says so, only when the publication has code."""
    from briefpub.pipeline import publish
    from briefpub.styling import load_style
    from briefpub.tree import Code, Document, Meta, Paragraph, Publication, Text

    packaged = tuple(fonts._packaged_dirs())
    found = resolve_fonts({"body": ["Source Serif Pro"], "heading": ["Source Sans Pro"],
                           "mono": ["No Such Mono"]}, packaged)  # fmt: skip
    assert found.mono_substitute == "Source Serif Pro"
    assert [f.name for f in found.families("mono")] == ["Source Serif Pro"]
    style = load_style("briefing")
    plain = Document(Meta(title="Plain"), (Paragraph((Text("No code here."),)),))
    code = Document(Meta(title="Code"), (Paragraph((Text("Run "), Code((Text("make"),)), Text(" now."))),))
    for doc, warned in ((plain, False), (code, True)):
        targets = [(fmt, tmp_path / f"{doc.meta.title}.{fmt}") for fmt in ("pdf", "epub", "docx")]
        artifacts, diagnostics = publish(Publication((doc,)), {}, targets, style, build_time=BUILD, fonts=found)
        assert all(path.stat().st_size > 0 for _fmt, path in targets) and len(artifacts) == 3
        assert [d.code for d in diagnostics if d.code == "writer.font-substituted"] == (["writer.font-substituted"]
                                                                                        if warned else [])


# --------------------------------------------------------------------------
# The faces read with fontTools, kept in the disk cache between runs
# --------------------------------------------------------------------------


def _fresh_catalogue(monkeypatch: pytest.MonkeyPatch, cache_dir: Path | None,
                     dirs: tuple[Path, ...] | None = None) -> tuple[dict[str, object], dict[str, object]]:
    if cache_dir is None:
        monkeypatch.setenv("BRIEFPUB_CACHE", "off")
    else:
        monkeypatch.delenv("BRIEFPUB_CACHE", raising=False)
        monkeypatch.setenv("BRIEFPUB_CACHE_DIR", str(cache_dir))
    fonts._catalogue.cache_clear()
    try:
        return fonts._catalogue(dirs)  # type: ignore[return-value]
    finally:
        fonts._catalogue.cache_clear()


def _face_entries(cache_dir: Path) -> list[Path]:
    folder = cache_dir / "font-faces"
    return sorted(folder.iterdir()) if folder.is_dir() else []


def test_the_catalogue_is_the_same_from_the_disk_cache(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    _require_dejavu()
    uncached = _fresh_catalogue(monkeypatch, None, (DEJAVU,))
    assert not _face_entries(tmp_path)
    filled = _fresh_catalogue(monkeypatch, tmp_path, (DEJAVU,))
    assert len(_face_entries(tmp_path)) == 1
    calls: list[str] = []
    monkeypatch.setattr(fonts, "_fonttools_faces", lambda path: calls.append(path) or [])
    hit = _fresh_catalogue(monkeypatch, tmp_path, (DEJAVU,))
    assert calls == []  # every face came from the cache
    assert uncached == filled == hit and hit[0] and hit[1]


def test_a_changed_font_file_is_read_again(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    _require_dejavu()
    folder = tmp_path / "fonts"
    folder.mkdir()
    shutil.copy(DEJAVU / "DejaVuSans.ttf", folder / "A.ttf")
    first = _fresh_catalogue(monkeypatch, tmp_path / "cache", (folder,))
    assert list(first[1]) == ["dejavu sans"]
    shutil.copy(DEJAVU / "DejaVuSerif.ttf", folder / "A.ttf")  # same path, other size and mtime
    second = _fresh_catalogue(monkeypatch, tmp_path / "cache", (folder,))
    assert list(second[1]) == ["dejavu serif"]


def test_a_corrupt_or_foreign_faces_entry_is_ignored_and_rewritten(monkeypatch: pytest.MonkeyPatch,
                                                                    tmp_path: Path) -> None:
    _require_dejavu()
    expected = _fresh_catalogue(monkeypatch, None, (DEJAVU,))
    _fresh_catalogue(monkeypatch, tmp_path, (DEJAVU,))
    (entry,) = _face_entries(tmp_path)
    good = entry.read_bytes()
    entry.write_bytes(good[: len(good) // 2])
    assert _fresh_catalogue(monkeypatch, tmp_path, (DEJAVU,)) == expected
    assert entry.read_bytes() == good  # rewritten
    # A well-formed entry whose rows are not faces (another version's, a hand edit) is read again too.
    from briefpub.cache import DiskCache

    key = entry.name
    payload = DiskCache(tmp_path).load("font-faces", key)
    assert payload is not None
    bogus = payload.replace(b'"DejaVu Sans"', b'17', 1)
    DiskCache(tmp_path).store("font-faces", key, bogus)
    assert _fresh_catalogue(monkeypatch, tmp_path, (DEJAVU,)) == expected


def test_a_cache_hit_does_not_import_fonttools(tmp_path: Path) -> None:
    import os
    import subprocess
    import sys

    code = (
        "import sys\n"
        "from briefpub.fonts import find_family\n"
        "assert find_family('Source Serif Pro') is not None\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] == 'fontTools'))\n"
    )
    env = {**os.environ, "BRIEFPUB_CACHE_DIR": str(tmp_path)}
    first = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, env=env)
    assert "fontTools" in first.stdout  # the first run reads the packaged fonts
    second = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, env=env)
    assert second.stdout.strip() == "[]"


# --------------------------------------------------------------------------
# fc-list's answer, kept in the disk cache while fontconfig's files are unchanged
# --------------------------------------------------------------------------


def _fake_fontconfig(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> tuple[Path, Path, Path]:
    """A fake ``fc-list`` listing every ``*.ttf`` under the user's font folder (a new HOME), logging each run:
    (font folder, configuration folder, log)."""
    home = tmp_path / "home"
    fonts_dir = home / ".local" / "share" / "fonts"
    config = home / ".config" / "fontconfig"
    fonts_dir.mkdir(parents=True)
    config.mkdir(parents=True)
    (config / "fonts.conf").write_text("<fontconfig/>\n", encoding="utf-8")
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    log = tmp_path / "fc-list.log"
    script = bin_dir / "fc-list"
    script.write_text(
        "#!/bin/sh\n"
        f'echo run >> "{log}"\n'
        f'for f in "{fonts_dir}"/*.ttf; do [ -e "$f" ] || continue; '
        'n=${f##*/}; n=${n%.ttf}; '
        'printf "%s\\t0\\t%s\\tRegular\\t80\\t100\\t0\\tTrueType\\t%s\\n" "$f" "$n" "$n"; done\n',
        encoding="utf-8")
    script.chmod(0o755)
    monkeypatch.setenv("PATH", str(bin_dir))
    monkeypatch.setenv("HOME", str(home))
    for name in ("XDG_CONFIG_HOME", "XDG_DATA_HOME", "FONTCONFIG_FILE", "FONTCONFIG_PATH"):
        monkeypatch.delenv(name, raising=False)
    return fonts_dir, config, log


def _runs(log: Path) -> int:
    return len(log.read_text(encoding="utf-8").split()) if log.exists() else 0


def test_fc_list_runs_again_only_when_fontconfig_files_change(monkeypatch: pytest.MonkeyPatch,
                                                              tmp_path: Path) -> None:
    fonts_dir, config, log = _fake_fontconfig(monkeypatch, tmp_path)
    (fonts_dir / "Alpha.ttf").write_bytes(b"")
    cache = tmp_path / "cache"
    first = _fresh_catalogue(monkeypatch, cache)
    assert _runs(log) == 1 and "alpha" in first[1]
    assert _fresh_catalogue(monkeypatch, cache) == first and _runs(log) == 1  # from the cache
    (fonts_dir / "Beta.ttf").write_bytes(b"")  # a font added: its folder changed
    second = _fresh_catalogue(monkeypatch, cache)
    assert _runs(log) == 2 and {"alpha", "beta"} <= set(second[1])
    assert _fresh_catalogue(monkeypatch, cache) == second and _runs(log) == 2
    sub = fonts_dir / "more"
    sub.mkdir()  # a new folder below a font folder
    _fresh_catalogue(monkeypatch, cache)
    assert _runs(log) == 3
    (config / "fonts.conf").write_text("<fontconfig><dir>/elsewhere</dir></fontconfig>\n", encoding="utf-8")
    _fresh_catalogue(monkeypatch, cache)  # the configuration edited
    assert _runs(log) == 4
    (fonts_dir / "Alpha.ttf").unlink()
    assert "alpha" not in _fresh_catalogue(monkeypatch, cache)[1] and _runs(log) == 5
    _fresh_catalogue(monkeypatch, None)  # without the disk cache, fontconfig is asked every time
    _fresh_catalogue(monkeypatch, None)
    assert _runs(log) == 7


def test_a_corrupt_fontconfig_entry_is_a_miss(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    fonts_dir, _, log = _fake_fontconfig(monkeypatch, tmp_path)
    (fonts_dir / "Alpha.ttf").write_bytes(b"")
    cache = tmp_path / "cache"
    expected = _fresh_catalogue(monkeypatch, cache)
    (entry,) = (cache / "fontconfig-faces").iterdir()
    from briefpub.cache import DiskCache

    payload = DiskCache(cache).load("fontconfig-faces", entry.name)
    assert payload is not None
    DiskCache(cache).store("fontconfig-faces", entry.name, payload.replace(b'"Alpha"', b"17", 1))
    assert _fresh_catalogue(monkeypatch, cache) == expected and _runs(log) == 2
    assert fonts._faces_from_fc_entry(b"not json") is None
    assert fonts._faces_from_fc_entry(b'{"dirs": [], "state": {}, "faces": [["x", 0]]}') is None


# --------------------------------------------------------------------------
# Glyph coverage, kept in the disk cache for the EPUB cover (a process with no other use for HarfBuzz)
# --------------------------------------------------------------------------


def _hb_fresh(face: fonts.Face) -> frozenset[int]:
    return frozenset(fonts.hb_face(face.path, face.index).unicodes)


@pytest.fixture
def cache_dir(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[Path]:
    """The disk cache in ``tmp_path``; the per-process coverage caches cleared before and after."""
    monkeypatch.delenv("BRIEFPUB_CACHE", raising=False)
    monkeypatch.setenv("BRIEFPUB_CACHE_DIR", str(tmp_path))
    cached_coverage.cache_clear()
    yield tmp_path
    cached_coverage.cache_clear()
    coverage.cache_clear()
    fonts.hb_face.cache_clear()


def _coverage_entries(cache_dir: Path) -> list[Path]:
    folder = cache_dir / "font-coverage"
    return sorted(folder.iterdir()) if folder.is_dir() else []


def _collection_faces() -> list[fonts.Face]:
    """The faces of one TrueType collection fontconfig lists (none without fontconfig or a .ttc)."""
    import subprocess

    if shutil.which("fc-list") is None:
        return []
    out = subprocess.run(["fc-list", "--format", "%{file}\\t%{index}\\n"], capture_output=True, text=True,
                         check=True).stdout
    rows = sorted({(path, int(index)) for path, _, index in (line.partition("\t") for line in out.splitlines())
                   if path.lower().endswith(".ttc")})
    first = rows[0][0] if rows else ""
    return [fonts.Face(path, index, "C", "", f"C{index}", 400, 5, False) for path, index in rows if path == first]


def _dejavu_sans() -> fonts.Face:
    return fonts.Face(str(DEJAVU / "DejaVuSans.ttf"), 0, "DejaVu Sans", "Book", "DejaVuSans", 400, 5, False)


def test_cached_coverage_is_what_harfbuzz_gives(cache_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _require_dejavu()
    packaged, _system = fonts._catalogue()
    dejavu = [face for path in sorted(map(str, DEJAVU.glob("*.ttf"))) for face in fonts._fonttools_faces(path)]
    collection = _collection_faces()
    faces = sorted({*(f for family in packaged.values() for f in family), *dejavu, *collection},
                   key=lambda f: (f.path, f.index))
    assert len(faces) > 40 and any(f.index for f in faces) == bool(collection)
    fresh = {face: _hb_fresh(face) for face in faces}
    assert {face: cached_coverage(face) for face in faces} == fresh  # misses: read with HarfBuzz and stored
    assert len(_coverage_entries(cache_dir)) == len(faces)
    cached_coverage.cache_clear()
    monkeypatch.setattr(fonts, "coverage", lambda face: pytest.fail(f"{face.key} not from the disk cache"))
    assert {face: cached_coverage(face) for face in faces} == fresh  # hits, equal to what HarfBuzz gives


def test_a_changed_font_file_misses_the_coverage_cache(cache_dir: Path, tmp_path: Path) -> None:
    _require_dejavu()
    path = tmp_path / "fonts" / "A.ttf"
    path.parent.mkdir()
    shutil.copy(DEJAVU / "DejaVuSansMono.ttf", path)
    face = fonts.Face(str(path), 0, "A", "Book", "A", 400, 5, False)
    first = cached_coverage(face)
    assert first == _hb_fresh(face)
    shutil.copy(DEJAVU / "DejaVuSans.ttf", path)  # same path, other size and mtime
    for memo in (cached_coverage, coverage, fonts.hb_face):
        memo.cache_clear()
    second = cached_coverage(face)
    assert second != first and second == _hb_fresh(face)
    assert len(_coverage_entries(cache_dir)) == 2


def test_a_corrupt_or_foreign_coverage_entry_is_recomputed(cache_dir: Path) -> None:
    _require_dejavu()
    face = _dejavu_sans()
    expected = _hb_fresh(face)
    assert cached_coverage(face) == expected
    (entry,) = _coverage_entries(cache_dir)
    good = entry.read_bytes()
    entry.write_bytes(good[: len(good) // 2])
    cached_coverage.cache_clear()
    assert cached_coverage(face) == expected
    assert entry.read_bytes() == good  # rewritten
    from briefpub.cache import DiskCache

    for bogus in (b"[5, 3]", b"[1, 2, 3]", b'{"a": 1}', b"[1, 2.5]", b"[3, 4, 1, 2]", b"[0, 1114112]", b"[true, 2]"):
        DiskCache(cache_dir).store("font-coverage", entry.name, bogus)
        cached_coverage.cache_clear()
        assert cached_coverage(face) == expected, bogus
        assert entry.read_bytes() == good


def test_coverage_without_the_disk_cache(cache_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _require_dejavu()
    monkeypatch.setenv("BRIEFPUB_CACHE", "off")
    assert cached_coverage(_dejavu_sans()) == _hb_fresh(_dejavu_sans())
    assert _coverage_entries(cache_dir) == []


def test_the_writers_that_shape_read_coverage_from_harfbuzz(cache_dir: Path) -> None:
    _require_dejavu()
    coverage.cache_clear()
    assert coverage(_dejavu_sans()) == _hb_fresh(_dejavu_sans())
    assert _coverage_entries(cache_dir) == []  # PDF and DOCX: no disk entry read or written
