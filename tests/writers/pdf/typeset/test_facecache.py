"""reportlab's parsed faces through the disk cache (``briefpub.writers.pdf.typeset.facecache``): a cached
face is the very object reportlab's parse makes, the engine's font is built as reportlab builds it, a
font file changed in place and a corrupt or foreign entry are parsed afresh, and PDFs are the same bytes
with the cache cold, warm, off, and filled by two processes at once."""

from __future__ import annotations

import glob
import hashlib
import marshal
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from reportlab.pdfbase.ttfonts import TTFNameBytes, TTFont, TTFontFace

from briefpub.cache import DiskCache
from briefpub.writers.pdf.typeset import facecache
from briefpub.writers.pdf.typeset.fonts import EngineTTFont

ROOT = Path(__file__).resolve().parents[4]
FIXTURE = ROOT / "fixtures" / "md" / "analyst-note.md"
PACKAGED = sorted({p for module in ("font_source_serif_pro", "font_source_sans_pro")
                   for p in glob.glob(os.path.join(os.path.dirname(__import__(module).__file__), "files", "*.ttf"))})
SYSTEM = [(p, i) for p, i in (("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf", 0),
                              ("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc", 1)) if os.path.exists(p)]
SERIF = next(p for p in PACKAGED if p.endswith("SourceSerifPro-Regular.ttf"))
SANS_BOLD = next(p for p in PACKAGED if p.endswith("SourceSansPro-Bold.ttf"))


def _same(a: Any, b: Any) -> bool:
    """Equal values of the same types, all the way down (TTFNameBytes with the same text)."""
    if type(a) is not type(b):
        return False
    if isinstance(a, TTFNameBytes):
        return bytes(a) == bytes(b) and a.ustr == b.ustr
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(_same(v, b[k]) for k, v in a.items())
    if isinstance(a, list | tuple):
        return len(a) == len(b) and all(map(_same, a, b))
    if isinstance(a, float):
        return repr(a) == repr(b)
    return bool(a == b)


def _same_face(cached: TTFontFace, parsed: TTFontFace) -> None:
    ours, theirs = dict(vars(cached)), dict(vars(parsed))
    scale_ours, scale_theirs = ours.pop("_pdfScale"), theirs.pop("_pdfScale")
    assert ours.keys() == theirs.keys()
    for name, value in theirs.items():
        assert _same(ours[name], value), name
    for units in (0, 1, -7, 250, 1000, 2048, 65535):
        assert _same(scale_ours(units), scale_theirs(units))


def _forbidden(*args: object, **kw: object) -> None:
    raise AssertionError("parsed on a cache hit")


def _use(monkeypatch: pytest.MonkeyPatch, cache: DiskCache) -> None:
    monkeypatch.setattr("briefpub.cache.disk_cache", lambda env=None: cache)


@pytest.mark.parametrize(("path", "index"), [(p, 0) for p in PACKAGED] + SYSTEM,
                         ids=lambda v: os.path.basename(v) if isinstance(v, str) else str(v))
def test_a_cached_face_is_reportlabs_parse(path: str, index: int, tmp_path: Path,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    _use(monkeypatch, DiskCache(tmp_path))
    parsed = TTFontFace(path, validate=0, subfontIndex=index)
    _same_face(facecache.load_face(path, index), parsed)  # a miss: parsed and stored
    assert len(list((tmp_path / facecache._KIND).iterdir())) == 1
    monkeypatch.setattr(TTFontFace, "__init__", _forbidden)
    hit = facecache.load_face(path, index)
    assert type(hit) is TTFontFace
    _same_face(hit, parsed)


def test_the_engine_font_is_built_as_reportlab_builds_a_ttfont(tmp_path: Path,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    """EngineTTFont sets what TTFont.__init__ sets (a guard for a reportlab upgrade), its face from the cache."""
    _use(monkeypatch, DiskCache(tmp_path))
    theirs = TTFont("bpt-test", SERIF, validate=0, subfontIndex=0, asciiReadable=1, shapable=False)
    for _ in range(2):  # cold, then warm
        ours = EngineTTFont("bpt-test", SERIF, subfontIndex=0, asciiReadable=1)
        mine = {k: v for k, v in vars(ours).items() if not k.startswith("_bp_")}
        assert mine.keys() == vars(theirs).keys()
        for name, value in vars(theirs).items():
            if name == "face":
                _same_face(ours.face, value)
            elif name == "encoding":
                assert type(mine[name]) is type(value) and vars(mine[name]) == vars(value)
            elif name == "state":
                assert type(mine[name]) is type(value) and not mine[name]
            else:
                assert mine[name] == value, name


def test_a_font_file_changed_in_place_misses(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _use(monkeypatch, DiskCache(tmp_path / "cache"))
    font = tmp_path / "font.ttf"
    shutil.copyfile(SERIF, font)
    assert facecache.load_face(str(font)).name == b"SourceSerifPro-Regular"
    stat = font.stat()
    font.write_bytes(Path(SANS_BOLD).read_bytes())  # same path, new bytes (and the old times: no stamp helps)
    os.utime(font, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    changed = facecache.load_face(str(font))
    assert changed.name == b"SourceSansPro-Bold"
    _same_face(changed, TTFontFace(str(font)))
    assert len(list((tmp_path / "cache" / facecache._KIND).iterdir())) == 2


@pytest.mark.parametrize("damage", ["flipped", "foreign", "set", "no-units", "bytes-data"])
def test_a_corrupt_or_foreign_entry_is_parsed_again_and_rewritten(tmp_path: Path, damage: str,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    cache = DiskCache(tmp_path)
    _use(monkeypatch, cache)
    facecache.load_face(SERIF)
    [entry] = (tmp_path / facecache._KIND).iterdir()
    payload = cache.load(facecache._KIND, entry.name)
    assert payload is not None and facecache._decode(payload) is not None
    names, attrs = marshal.loads(payload)
    if damage == "flipped":  # the checksum no longer matches
        blob = entry.read_bytes()
        entry.write_bytes(blob[:-5] + bytes([blob[-5] ^ 1]) + blob[-4:])
    else:  # a whole, checksummed entry that is not what this version writes
        bad = {"foreign": marshal.dumps([names, attrs]),
               "set": marshal.dumps((names, {**attrs, "charToGlyph": set(attrs["charToGlyph"])})),
               "no-units": marshal.dumps((names, {k: v for k, v in attrs.items() if k != "unitsPerEm"})),
               "bytes-data": marshal.dumps((names, {**attrs, "_ttf_data": b"not the file"}))}[damage]
        cache.store(facecache._KIND, entry.name, bad)
    assert facecache._decode(cache.load(facecache._KIND, entry.name) or b"") is None
    _same_face(facecache.load_face(SERIF), TTFontFace(SERIF))
    assert facecache._decode(cache.load(facecache._KIND, entry.name) or b"") is not None  # rewritten


def test_no_entry_when_the_cache_is_off(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BRIEFPUB_CACHE_DIR", str(tmp_path))
    monkeypatch.setenv("BRIEFPUB_CACHE", "off")
    _same_face(facecache.load_face(SERIF), TTFontFace(SERIF))
    assert not any(tmp_path.iterdir())


# A child that imports everything first, waits for the go file, then converts: two such children fill the
# same (empty) cache entries at the same moment.
_CHILD = """
import os, sys, time
import briefpub.cli, briefpub.pipeline, briefpub.writers.pdf.render, pyphen, reportlab.pdfbase.ttfonts
go = sys.argv[1]
while not os.path.exists(go):
    time.sleep(0.001)
try:
    briefpub.cli.main(sys.argv[2:])
except SystemExit as exc:
    sys.exit(exc.code)
"""


def _env(cache: Path | None) -> dict[str, str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src"), "SOURCE_DATE_EPOCH": "1700000000"}
    env.pop("BRIEFPUB_CACHE", None)
    if cache is None:
        env["BRIEFPUB_CACHE"] = "off"
    else:
        env["BRIEFPUB_CACHE_DIR"] = str(cache)
    return env


def _pdf(folder: Path) -> str:
    [pdf] = folder.glob("*.pdf")
    return hashlib.sha256(pdf.read_bytes()).hexdigest()


def test_pdf_bytes_are_the_same_cold_warm_off_and_filled_by_two_processes_at_once(tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    go = tmp_path / "go"
    procs = [subprocess.Popen([sys.executable, "-c", _CHILD, str(go), "convert", str(FIXTURE), "--to", "pdf",
                               "-o", str(tmp_path / f"racer{i}"), "-q"], env=_env(cache))
             for i in range(2)]
    time.sleep(1.0)  # (both have imported everything, or nearly)
    go.touch()
    assert [p.wait(timeout=300) for p in procs] == [0, 0]
    faces = list((cache / facecache._KIND).iterdir())
    patterns = list((cache / "pyphen-patterns").iterdir())
    assert len(faces) >= 3 and len(patterns) == 1  # (the fixture uses several faces and hyphenates)
    assert not [p for p in (*faces, *patterns) if p.name.startswith(".")]  # no temporary file left
    for name, env in (("warm", _env(cache)), ("off", _env(None))):
        subprocess.run([sys.executable, "-m", "briefpub", "convert", str(FIXTURE), "--to", "pdf",
                        "-o", str(tmp_path / name), "-q"], env=env, check=True, timeout=300)
    assert {_pdf(tmp_path / n) for n in ("racer0", "racer1", "warm", "off")} == {_pdf(tmp_path / "off")}
