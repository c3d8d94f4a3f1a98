"""The build cache: every key component invalidates, damaged entries are rebuilt, reports and sums unchanged."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

import briefpub
from briefpub.fonts import Face, Family, FontSet
from briefpub.pipeline import cache as cache_mod
from briefpub.pipeline.cache import BuildCache, FileHashes, entry_files, parse_size, trim
from clirun import run
from images import png

SRC = Path(briefpub.__file__).resolve().parents[1]
PNG_RED = png(4, 3, (200, 0, 0))


@pytest.fixture(autouse=True)
def _epoch(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    monkeypatch.delenv("BRIEFPUB_BUILD_CACHE_DIR", raising=False)
    monkeypatch.delenv("BRIEFPUB_BUILD_CACHE_MAX_SIZE", raising=False)


def make_project(tmp_path: Path, formats: str = '["json"]', extra: str = "") -> Path:
    arts = tmp_path / "articles"
    arts.mkdir()
    for i in range(3):
        (arts / f"a{i}.md").write_text(f"# Headline {i}\n\nBody of article {i}.\n\n![A chart](chart{i}.png)\n")
    (arts / "chart0.png").write_bytes(PNG_RED)  # chart1.png and chart2.png are missing (reported)
    (tmp_path / "base.toml").write_text('extends = "briefing"\n[page]\nsize = "A4"\n')
    (tmp_path / "house.toml").write_text('extends = "base.toml"\n[body]\nsize = "10pt"\n')
    manifest = tmp_path / "briefpub.toml"
    manifest.write_text(f"""
[build]
out = "dist"
formats = {formats}
style = "house.toml"
{extra}
[build.set]
marking = "OFFICIAL"

[[pack]]
title = "Daily"
inputs = ["articles/a0.md", "articles/a1.md"]

[[article]]
inputs = ["articles/*.md"]
""", encoding="utf-8")
    return manifest


def build(manifest: Path, capsys: pytest.CaptureFixture[str], *extra: str) -> tuple[int, dict[str, Any], str]:
    code, _out, err = run(["build", "-m", str(manifest), *extra], capsys)
    out_dir = manifest.parent / "dist"
    for i, arg in enumerate(extra):
        if arg in ("--out", "-o"):
            out_dir = Path(extra[i + 1])
    return code, json.loads((out_dir / "build-report.json").read_text(encoding="utf-8")), err


def cached(report: dict[str, Any]) -> dict[str, bool]:
    return {r["id"]: r["cached"] for r in report["results"]}


def comparable(report: dict[str, Any]) -> list[dict[str, Any]]:
    """The results without what a cache hit legitimately changes (time, the cached flag)."""
    return [{k: v for k, v in r.items() if k not in ("seconds", "cached")} for r in report["results"]]


def entries(tmp_path: Path) -> list[Path]:
    return sorted(p for _m, _s, p in entry_files(tmp_path / ".briefpub-cache"))


# ----------------------------------------------------------------------------- unchanged, --no-cache


def test_unchanged_rebuild_restores_everything_with_the_same_report(tmp_path: Path,
                                                                    capsys: pytest.CaptureFixture[str]) -> None:
    manifest = make_project(tmp_path)
    code, first, _ = build(manifest, capsys)
    assert code == 0 and not any(cached(first).values()) and first["cached"] == 0
    assert len(entries(tmp_path)) == first["artifacts"] == 4
    sums = (tmp_path / "dist" / "SHA256SUMS").read_bytes()
    stamps = {p: p.stat().st_mtime_ns for p in (tmp_path / "dist").rglob("*.json") if p.name != "build-report.json"}
    code, second, err = build(manifest, capsys)
    assert code == 0 and all(cached(second).values()) and second["cached"] == 4
    assert "4 restored from the cache" in err
    assert comparable(second) == comparable(first)  # diagnostics, fonts, inputs, outputs: all the same
    assert any(d["code"] == "reader.image-missing" for r in second["results"] for d in r["diagnostics"])
    assert (tmp_path / "dist" / "SHA256SUMS").read_bytes() == sums
    assert {p: p.stat().st_mtime_ns for p in stamps} == stamps  # outputs already right are not rewritten
    assert (tmp_path / ".briefpub-cache" / ".gitignore").read_text().splitlines()[-1] == "*"


def test_an_unchanged_rebuild_reads_each_articles_images_once(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    """Not once per artifact: an article's formats and the pack using it share one check of its images."""
    from briefpub.pipeline import cache as cache_module

    manifest = make_project(tmp_path, formats='["json", "epub"]')
    build(manifest, capsys)
    checked: list[str] = []
    real = cache_module.images_unchanged

    def counting(record: Any, base_dir: Any, source: str) -> bool:
        checked.append(source)
        return real(record, base_dir, source)

    monkeypatch.setattr(cache_module, "images_unchanged", counting)
    code, report, _ = build(manifest, capsys)
    assert code == 0 and report["cached"] == report["artifacts"] == 8
    assert sorted(checked) == sorted(set(checked)) and len(checked) == 3, checked


def test_no_cache_builds_everything_and_sums_are_identical(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    manifest = make_project(tmp_path)
    build(manifest, capsys)
    build(manifest, capsys)  # cached
    cached_sums = (tmp_path / "dist" / "SHA256SUMS").read_bytes()
    code, report, _ = build(manifest, capsys, "--no-cache", "--out", str(tmp_path / "fresh"))
    assert code == 0 and not any(cached(report).values()) and report["cache"] is None
    assert (tmp_path / "fresh" / "SHA256SUMS").read_bytes() == cached_sums


def test_no_cache_reads_and_writes_no_cache(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    manifest = make_project(tmp_path)
    code, report, _ = build(manifest, capsys, "--no-cache")
    assert code == 0 and not (tmp_path / ".briefpub-cache").exists()


def test_no_cache_ignores_the_cache_size_setting(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    """The size bound is read only when the cache is used (a bad one was an error under --no-cache)."""
    manifest = make_project(tmp_path)
    monkeypatch.setenv("BRIEFPUB_BUILD_CACHE_MAX_SIZE", "junk")
    code, _report, _ = build(manifest, capsys, "--no-cache")
    assert code == 0
    code, _out, err = run(["build", "-m", str(manifest)], capsys)
    assert code == 2 and "BRIEFPUB_BUILD_CACHE_MAX_SIZE" in err


def test_removed_output_is_restored_from_the_cache(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    manifest = make_project(tmp_path)
    build(manifest, capsys)
    sums = (tmp_path / "dist" / "SHA256SUMS").read_bytes()
    shutil.rmtree(tmp_path / "dist")
    code, report, _ = build(manifest, capsys)
    assert code == 0 and all(cached(report).values())
    assert (tmp_path / "dist" / "SHA256SUMS").read_bytes() == sums
    check = subprocess.run(["sha256sum", "-c", "SHA256SUMS"], cwd=tmp_path / "dist", capture_output=True, text=True)
    assert check.returncode == 0, check.stdout


# ----------------------------------------------------------------------------- every key component invalidates


def _edit_input(tmp_path: Path) -> None:
    (tmp_path / "articles" / "a1.md").write_text("# Headline 1\n\nBody of article 1, edited.\n")


def _edit_image(tmp_path: Path) -> None:
    (tmp_path / "articles" / "chart0.png").write_bytes(png(4, 3, (0, 0, 200)))


def _add_missing_image(tmp_path: Path) -> None:
    (tmp_path / "articles" / "chart1.png").write_bytes(PNG_RED)


def _edit_sheet(tmp_path: Path) -> None:
    (tmp_path / "house.toml").write_text('extends = "base.toml"\n[body]\nsize = "11pt"\n')


def _edit_included_sheet(tmp_path: Path) -> None:
    (tmp_path / "base.toml").write_text('extends = "briefing"\n[page]\nsize = "Letter"\n')


def _edit_set(tmp_path: Path) -> None:
    manifest = tmp_path / "briefpub.toml"
    manifest.write_text(manifest.read_text().replace('marking = "OFFICIAL"', 'marking = "SECRET"'))


def _edit_epoch(tmp_path: Path) -> None:
    os.environ["SOURCE_DATE_EPOCH"] = "1700000100"  # restored by the autouse fixture's monkeypatch


ALL = {"pack:daily:json", "article:a0:json", "article:a1:json", "article:a2:json"}


@pytest.mark.parametrize(("edit", "rebuilt"), [
    (_edit_input, {"pack:daily:json", "article:a1:json"}),  # exactly the artifacts and packs using it
    (_edit_image, {"pack:daily:json", "article:a0:json"}),
    (_add_missing_image, {"pack:daily:json", "article:a1:json"}),
    (_edit_sheet, ALL),
    (_edit_included_sheet, ALL),
    (_edit_set, ALL),
    (_edit_epoch, ALL),
], ids=["input", "image", "image-added", "sheet", "included-sheet", "set", "source-date-epoch"])
def test_an_edited_key_component_rebuilds_what_uses_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch,
    edit: Callable[[Path], None], rebuilt: set[str],
) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    manifest = make_project(tmp_path)
    build(manifest, capsys)
    time.sleep(0.01)  # a new modification time for the edited sheet
    edit(tmp_path)
    code, report, _ = build(manifest, capsys)
    assert code == 0
    assert {job for job, hit in cached(report).items() if not hit} == rebuilt
    _, fresh, _ = build(manifest, capsys, "--no-cache", "--out", str(tmp_path / "fresh"))
    assert comparable(report) == comparable(fresh)
    code, again, _ = build(manifest, capsys)  # the rebuilt artifacts were cached in turn
    assert all(cached(again).values())


def test_a_new_version_does_not_use_old_entries(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    manifest = make_project(tmp_path)
    build(manifest, capsys)
    monkeypatch.setattr(briefpub, "__version__", "99.0.0")
    code, report, _ = build(manifest, capsys)
    assert code == 0 and not any(cached(report).values())
    assert not any(d["code"] == "build.cache-damaged" for r in report["results"] for d in r["diagnostics"])


def _fontset(path: Path) -> FontSet:
    face = Face(str(path), 0, "Test Sans", "Regular", "TestSans", 400, 5, False)
    return FontSet({"body": (Family.of([face]),), "heading": (Family.of([face]),), "mono": ()})


def test_a_changed_font_file_changes_the_key_and_fonts_are_not_rehashed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    font = tmp_path / "TestSans.ttf"
    font.write_bytes(b"\0\1\0\0" + b"glyphs" * 1000)
    past = time.time() - 60
    os.utime(font, (past, past))
    monkeypatch.setattr("briefpub.pipeline.style_fonts", lambda sheet: _fontset(font))
    article = tmp_path / "a.md"
    article.write_text("# A\n\nText.\n")

    def key(root: Path, fmt: str = "epub") -> tuple[str, int]:
        cache = BuildCache(root, datetime(2023, 11, 14, tzinfo=UTC))
        slot = cache.job_key(kind="article", fmt=fmt, inputs=[str(article)], reader=None, sets=(), style="briefing")
        assert slot is not None
        cache.hashes.save()
        return slot.key, cache.hashes.hashed

    first, hashed = key(tmp_path / "c")
    assert hashed > 1  # the font and briefpub's own files
    again, hashed_again = key(tmp_path / "c")
    assert again == first and hashed_again == 0  # remembered by size, mtime and inode: nothing re-read
    font.write_bytes(b"\0\1\0\0" + b"glyphz" * 1000)
    os.utime(font, (past + 1, past + 1))
    changed, hashed = key(tmp_path / "c")
    assert changed != first and hashed == 1
    json_key, _ = key(tmp_path / "c", "json")
    font.write_bytes(b"\0\1\0\0" + b"other!" * 1000)
    assert key(tmp_path / "c", "json")[0] == json_key  # the JSON writer uses no font


def test_file_hashes_do_not_remember_a_file_modified_just_now(tmp_path: Path) -> None:
    path = tmp_path / "f.bin"
    path.write_bytes(b"one")
    hashes = FileHashes(tmp_path / "files.json")
    hashes.sha256(str(path))
    hashes.sha256(str(path))
    assert hashes.hashed == 2  # it could change again within the same timestamp tick
    old = time.time() - 60
    os.utime(path, (old, old))
    hashes.sha256(str(path))
    hashes.save()
    reloaded = FileHashes(tmp_path / "files.json")
    reloaded.sha256(str(path))
    assert reloaded.hashed == 0


# ----------------------------------------------------------------------------- damaged and foreign entries


def _truncate(path: Path) -> None:
    path.write_bytes(path.read_bytes()[:-10])


def _flip_payload(path: Path) -> None:
    data = bytearray(path.read_bytes())
    data[-5] ^= 0x01
    path.write_bytes(bytes(data))


def _flip_header(path: Path) -> None:
    data = bytearray(path.read_bytes())
    at = data.index(b'"diagnostics"') + 3
    data[at] ^= 0x01
    path.write_bytes(bytes(data))


def _garbage(path: Path) -> None:
    path.write_bytes(b"not an entry at all")


def _outputs(tmp_path: Path) -> dict[Path, bytes]:
    return {p.relative_to(tmp_path / "dist"): p.read_bytes() for p in (tmp_path / "dist").rglob("*.json")
            if p.name != "build-report.json"}


def _rebuilt_with_note(report: dict[str, Any], victim: Path) -> dict[str, Any]:
    rebuilt = [r for r in report["results"] if not r["cached"]]
    assert len(rebuilt) == 1
    notes = [d for d in rebuilt[0]["diagnostics"] if d["code"] == "build.cache-damaged"]
    assert len(notes) == 1 and str(victim) in notes[0]["message"], rebuilt[0]["diagnostics"]
    return rebuilt[0]


@pytest.mark.parametrize("damage", [_truncate, _flip_payload, _flip_header, _garbage, "foreign"],
                         ids=["truncated", "flipped-artifact-byte", "flipped-header-byte", "garbage", "foreign"])
def test_a_damaged_entry_is_rebuilt_reported_and_never_copied(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], damage: Callable[[Path], None] | str,
) -> None:
    manifest = make_project(tmp_path)
    _, fresh, _ = build(manifest, capsys)
    good = _outputs(tmp_path)
    victim, other = entries(tmp_path)[:2]
    if damage == "foreign":  # another entry's file under this entry's name
        shutil.copy(other, victim)
    else:
        assert callable(damage)
        damage(victim)
    shutil.rmtree(tmp_path / "dist")  # the entry's artifact is needed
    code, report, err = build(manifest, capsys)
    assert code == 0
    rebuilt = _rebuilt_with_note(report, victim)
    assert "build.cache-damaged" not in json.dumps(comparable(fresh))
    assert f"warning: {rebuilt['output']['path']}: cache entry" in err
    assert _outputs(tmp_path) == good  # out/ holds what a fresh build writes
    code, again, _ = build(manifest, capsys)  # the entry was replaced by a sound one, without the note
    assert all(cached(again).values())
    assert comparable(again) == comparable(fresh)


@pytest.mark.parametrize("damage", [_flip_header, _garbage, "foreign"])
def test_a_damaged_header_is_found_even_when_the_output_is_in_place(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], damage: Callable[[Path], None] | str,
) -> None:
    manifest = make_project(tmp_path)
    build(manifest, capsys)
    good = _outputs(tmp_path)
    victim, other = entries(tmp_path)[:2]
    if damage == "foreign":
        shutil.copy(other, victim)
    else:
        assert callable(damage)
        damage(victim)
    code, report, _ = build(manifest, capsys)
    assert code == 0
    _rebuilt_with_note(report, victim)
    assert _outputs(tmp_path) == good


def test_a_damaged_artifact_is_not_read_while_the_output_is_in_place(tmp_path: Path,
                                                                      capsys: pytest.CaptureFixture[str]) -> None:
    manifest = make_project(tmp_path)
    build(manifest, capsys)
    good = _outputs(tmp_path)
    victim = entries(tmp_path)[0]
    _flip_payload(victim)
    code, report, _ = build(manifest, capsys)  # the outputs hold the right bytes: nothing to copy
    assert code == 0 and all(cached(report).values()) and _outputs(tmp_path) == good
    shutil.rmtree(tmp_path / "dist")
    code, report, _ = build(manifest, capsys)  # now the artifact is needed: checked, found damaged
    _rebuilt_with_note(report, victim)
    assert _outputs(tmp_path) == good


def test_an_altered_output_is_restored(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    manifest = make_project(tmp_path)
    build(manifest, capsys)
    good = _outputs(tmp_path)
    target = tmp_path / "dist" / "a0.json"
    old = target.stat()
    time.sleep(2.1)  # old enough for the output's hash to be remembered
    build(manifest, capsys)
    target.write_bytes(bytes(len(good[Path("a0.json")])))  # same size, other bytes, same modification time
    os.utime(target, ns=(old.st_atime_ns, old.st_mtime_ns))
    code, report, _ = build(manifest, capsys)
    assert code == 0 and all(cached(report).values())
    assert _outputs(tmp_path) == good


# ----------------------------------------------------------------------------- exit codes, packs, workers


def test_failures_are_not_cached_and_exit_codes_do_not_change(tmp_path: Path,
                                                              capsys: pytest.CaptureFixture[str]) -> None:
    manifest = make_project(tmp_path)
    (tmp_path / "articles" / "broken.md").write_bytes(b"")
    code, first, err = build(manifest, capsys)
    assert code == 1 and "broken" in err
    code, second, err = build(manifest, capsys)
    assert code == 1 and "broken" in err
    assert {job: hit for job, hit in cached(second).items()} == {**{j: True for j in ALL}, "article:broken:json": False}
    assert comparable(second) == comparable(first)


def test_no_worker_process_starts_when_everything_is_cached(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    manifest = make_project(tmp_path)
    code, _, _ = build(manifest, capsys, "--jobs", "2")
    assert code == 0 and len(entries(tmp_path)) == 4  # workers put their artifacts in the cache

    def no_pool(*args: object, **kwargs: object) -> None:
        raise AssertionError("a worker pool was started")

    monkeypatch.setattr("briefpub.pipeline.build.ProcessPoolExecutor", no_pool)
    code, report, _ = build(manifest, capsys, "--jobs", "2")
    assert code == 0 and all(cached(report).values())


def test_writers_are_not_imported_when_everything_is_cached(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    manifest = make_project(tmp_path, formats='["epub"]')
    build(manifest, capsys)
    script = ("import sys\nfrom briefpub.cli import main\ntry:\n    main(['build', '-q', '-m', sys.argv[1]])\n"
              "except SystemExit as exc:\n    assert not exc.code, exc.code\n"
              "print(sorted(m for m in sys.modules if m.split('.')[0] in ('ebooklib', 'reportlab', 'docx', 'PIL')"
              " or m.startswith('briefpub.writers.')))\n")
    env = {**os.environ, "PYTHONPATH": str(SRC), "SOURCE_DATE_EPOCH": "1700000000"}
    out = subprocess.run([sys.executable, "-c", script, str(manifest)], capture_output=True, text=True, env=env,
                         timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "[]"
    report = json.loads((tmp_path / "dist" / "build-report.json").read_text())
    assert all(cached(report).values())


def test_shards_with_the_cache_merge(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    manifest = make_project(tmp_path)
    build(manifest, capsys)
    reports = []
    for i in (1, 2):
        code, _, _ = build(manifest, capsys, "--shard", f"{i}/2", "--out", str(tmp_path / f"s{i}"))
        assert code == 0
        reports.append(str(tmp_path / f"s{i}" / "build-report.json"))
    code, _, err = run(["merge-reports", *reports, "--out", str(tmp_path / "merged")], capsys)
    assert code == 0, err
    merged = json.loads((tmp_path / "merged" / "build-report.json").read_text())
    assert merged["cached"] == 4 and merged["cache"] == ".briefpub-cache"
    assert (tmp_path / "merged" / "SHA256SUMS").read_bytes() == (tmp_path / "dist" / "SHA256SUMS").read_bytes()


# ----------------------------------------------------------------------------- where the cache is, and its size


def test_cache_folder_from_option_environment_and_manifest(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    manifest = make_project(tmp_path, extra='cache = "var/cache"')
    _, report, _ = build(manifest, capsys)
    assert report["cache"] == "var/cache" and entry_files(tmp_path / "var" / "cache")
    monkeypatch.setenv("BRIEFPUB_BUILD_CACHE_DIR", str(tmp_path / "env-cache"))
    build(manifest, capsys)
    assert entry_files(tmp_path / "env-cache")
    _, report, _ = build(manifest, capsys, "--cache-dir", str(tmp_path / "opt-cache"))
    assert entry_files(tmp_path / "opt-cache") and not any(cached(report).values())


def test_cache_inside_the_output_folder_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    manifest = make_project(tmp_path)
    code, _out, err = run(["build", "-m", str(manifest), "--cache-dir", str(tmp_path / "dist" / "c")], capsys)
    assert code == 2 and "inside the output folder" in err
    assert not (tmp_path / "dist" / "SHA256SUMS").exists()


def test_without_source_date_epoch_the_cache_is_not_used(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SOURCE_DATE_EPOCH")
    manifest = make_project(tmp_path)
    code, report, err = build(manifest, capsys)
    assert code == 0 and report["cache"] is None and not (tmp_path / ".briefpub-cache").exists()
    assert "note" not in err
    code, report, err = build(manifest, capsys, "--cache-dir", str(tmp_path / "c"))
    assert code == 0 and "not used without SOURCE_DATE_EPOCH" in err


def test_unwritable_cache_builds_without_it(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    manifest = make_project(tmp_path)
    (tmp_path / "file").write_text("")
    code, report, err = build(manifest, capsys, "--cache-dir", str(tmp_path / "file" / "c"))
    assert code == 0 and report["cache"] is None and "building without the cache" in err


def test_trim_removes_least_recently_used_entries(tmp_path: Path) -> None:
    root = tmp_path / "c"
    for i, when in enumerate((300, 100, 200)):
        path = root / "v1" / "ab" / (f"{i}" * 64)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"x" * 100)
        os.utime(path, (time.time() - when, time.time() - when))
    assert trim(root, 250) == (1, 100)
    assert sorted(p.name[0] for _m, _s, p in entry_files(root)) == ["1", "2"]  # the oldest use went
    assert trim(root, 100) == (1, 100)
    assert [p.name[0] for _m, _s, p in entry_files(root)] == ["1"]


def test_build_trims_the_cache_to_its_bound(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    manifest = make_project(tmp_path)
    monkeypatch.setenv("BRIEFPUB_BUILD_CACHE_MAX_SIZE", "1")
    code, _, _ = build(manifest, capsys)
    assert code == 0 and entries(tmp_path) == []


def test_cache_prune_and_clear_commands(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    manifest = make_project(tmp_path)
    build(manifest, capsys)
    code, out, _ = run(["cache", "prune", "-m", str(manifest), "--max-size", "1G"], capsys)
    assert code == 0 and "removed 0 entries" in out and "4 left" in out
    code, out, _ = run(["cache", "clear", "-m", str(manifest)], capsys)
    assert code == 0 and "removed 4 entries" in out and entries(tmp_path) == []
    _, report, _ = build(manifest, capsys)
    assert not any(cached(report).values())
    code, _, err = run(["cache", "prune", "-m", str(manifest), "--max-size", "lots"], capsys)
    assert code == 2 and "expected a size" in err


def test_cache_commands_find_the_folder_a_build_uses(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    manifest = make_project(tmp_path, extra='cache = "var/cache"')
    build(manifest, capsys)
    code, out, _ = run(["cache", "prune", "-m", str(manifest), "--max-size", "1G"], capsys)
    assert code == 0 and str(tmp_path / "var" / "cache") in out and "4 left" in out  # the manifest's [build] cache
    monkeypatch.setenv("BRIEFPUB_BUILD_CACHE_DIR", f"  {tmp_path / 'env-cache'}  ")
    build(manifest, capsys)
    broken = tmp_path / "broken.toml"
    broken.write_text("[build\n", encoding="utf-8")  # not read: the environment names the folder
    code, out, _ = run(["cache", "clear", "-m", str(broken)], capsys)
    assert code == 0 and str(tmp_path / "env-cache") in out and "removed 4 entries" in out
    code, out, _ = run(["cache", "clear", "-m", str(manifest), "--cache-dir", str(tmp_path / "var" / "cache")], capsys)
    assert code == 0 and "removed 4 entries" in out


def test_parse_size() -> None:
    assert parse_size("500M", "x") == 500 * 1024**2
    assert parse_size("2 GiB", "x") == 2 * 1024**3
    assert parse_size("1048576", "x") == 1048576


def test_entry_round_trip_and_checks(tmp_path: Path) -> None:
    header = {"schema": cache_mod.ENTRY_SCHEMA, "key": "k" * 64, "briefpub": briefpub.__version__,
              "sha256": __import__("hashlib").sha256(b"data").hexdigest(), "size": 4}
    path = tmp_path / "e"
    path.write_bytes(cache_mod.entry_bytes(header, b"data"))
    entry = cache_mod.read_entry(path, "k" * 64)
    assert entry is not None and entry.data == b"data"
    assert cache_mod.read_entry(tmp_path / "none", "k" * 64) is None
    with pytest.raises(cache_mod.Damaged, match="foreign"):
        cache_mod.read_entry(path, "j" * 64)


# ----------------------------------------------------------------------------- briefpub pack


def _pack(tmp_path: Path, capsys: pytest.CaptureFixture[str], *extra: str) -> tuple[int, dict[str, Any], str]:
    arts = tmp_path / "articles"
    code, out, err = run(["pack", str(arts / "a0.md"), str(arts / "a1.md"), "--title", "Daily", "--to", "json,epub",
                          "--out", str(tmp_path / "packs"), "--json", *extra], capsys)
    return code, json.loads(out) if out.strip() else {}, err


def _pack_comparable(report: dict[str, Any]) -> dict[str, Any]:
    return {**report, "outputs": [{k: v for k, v in o.items() if k not in ("seconds", "cached")}
                                  for o in report["outputs"]]}


def test_pack_command_restores_all_its_formats_from_the_cache(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    make_project(tmp_path)
    code, plain, _ = _pack(tmp_path, capsys)  # no cache folder given: none used
    assert code == 0 and not any(o["cached"] for o in plain["outputs"])
    monkeypatch.setenv("BRIEFPUB_BUILD_CACHE_DIR", str(tmp_path / "c"))
    code, first, _ = _pack(tmp_path, capsys)
    assert code == 0 and not any(o["cached"] for o in first["outputs"]) and len(entry_files(tmp_path / "c")) == 2
    files = {p.name: p.read_bytes() for p in (tmp_path / "packs").iterdir()}
    shutil.rmtree(tmp_path / "packs")
    code, second, _ = _pack(tmp_path, capsys)
    assert code == 0 and all(o["cached"] for o in second["outputs"])
    assert _pack_comparable(second) == _pack_comparable(first) == _pack_comparable(plain)
    assert {p.name: p.read_bytes() for p in (tmp_path / "packs").iterdir()} == files
    _edit_input(tmp_path)
    code, third, _ = _pack(tmp_path, capsys)
    assert code == 0 and not any(o["cached"] for o in third["outputs"])
    code, fourth, _ = _pack(tmp_path, capsys, "--no-cache")
    assert code == 0 and not any(o["cached"] for o in fourth["outputs"])
    code, fifth, _ = _pack(tmp_path, capsys, "--to", "pdf")  # another format list: another key (EPUB page list)
    assert code == 0 and not any(o["cached"] for o in fifth["outputs"])


def test_two_builds_at_once_share_one_cache(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    manifest = make_project(tmp_path)
    env = {**os.environ, "PYTHONPATH": str(SRC), "SOURCE_DATE_EPOCH": "1700000000"}
    procs = [subprocess.Popen([sys.executable, "-m", "briefpub", "build", "-q", "-m", str(manifest), "--jobs", "2",
                               "--out", str(tmp_path / f"out{i}")], env=env, stderr=subprocess.PIPE, text=True)
             for i in (1, 2)]
    for proc in procs:
        _, err = proc.communicate(timeout=300)
        assert proc.returncode == 0, err
    assert (tmp_path / "out1" / "SHA256SUMS").read_bytes() == (tmp_path / "out2" / "SHA256SUMS").read_bytes()
    assert not [p for p in (tmp_path / ".briefpub-cache").rglob("*.tmp")]
    code, report, _ = build(manifest, capsys)
    assert code == 0 and all(cached(report).values())
