"""Fonts as an input: found once per conversion by the pipeline, handed to every writer.

Writers never look for fonts themselves: the pipeline calls :func:`resolve_fonts`
with the style sheet and passes the resulting :class:`FontSet` in
``WriteOptions.fonts``, so a writer's output depends only on its inputs, and the
build report can record every font file a writer used, with its SHA-256
(:func:`file_record`): two machines whose PDFs differ can be told apart by it.

Where fonts come from, in order:

1. **Font packages installed with briefpub** (PyPI wheels that carry font files,
   such as ``font-source-serif-pro``): the same files on every machine, so the
   default style's text face never depends on the system.
2. **fontconfig** (``fc-list``), the system's own font catalogue on Linux and BSD.
3. Where fontconfig is absent (Windows, macOS without it), the standard font
   folders read with **fontTools**.

What fontTools reads from each font file (its faces' names, weights and slants) is kept in the
disk cache (:mod:`briefpub.cache`) by the file's size and modification time, so a cold process
neither imports fontTools nor opens the fonts when they have not changed.

Only TrueType-outline faces are kept (reportlab cannot embed CFF outlines, and
Pillow draws the EPUB cover with the same files). Coverage (which characters a
face has) is read with HarfBuzz, and kept in the disk cache for processes that
would import HarfBuzz for nothing else (:func:`cached_coverage`). Nothing here
imports reportlab, Pillow or python-docx.
"""

from __future__ import annotations

import functools
import hashlib
import importlib.util
import json
import os
import shutil
import stat
import sys
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

__all__ = [
    "PACKAGED_FONT_MODULES",
    "ROLES",
    "SLOTS",
    "Face",
    "Family",
    "FontFile",
    "FontSet",
    "cached_coverage",
    "coverage",
    "file_record",
    "find_family",
    "resolve_fonts",
]

#: The four styles of a family, as (bold, italic).
SLOTS: tuple[tuple[bool, bool], ...] = ((False, False), (True, False), (False, True), (True, True))
#: Font roles a style sheet names families for.
ROLES = ("body", "heading", "mono")
#: Python packages whose ``files`` folder holds font files briefpub may use (installed as dependencies).
PACKAGED_FONT_MODULES = ("font_source_serif_pro", "font_source_sans_pro")
_EXTENSIONS = (".ttf", ".ttc", ".otf")


@dataclass(frozen=True, slots=True)
class Face:
    """One TrueType face in a font file (``index`` > 0 inside a collection). ``weight`` on the OS/2 scale."""

    path: str
    index: int
    family: str
    subfamily: str
    psname: str
    weight: int
    width: int
    italic: bool

    @property
    def bold(self) -> bool:
        """Semibold and heavier count as bold."""
        return self.weight >= 600

    @property
    def key(self) -> str:
        """A short unique name for the face: PostScript name, plus index in collections."""
        base = self.psname or Path(self.path).stem
        return f"{base}-{self.index}" if self.index else base


@dataclass(frozen=True, slots=True)
class Family:
    """A font family with a face for each of the four slots (a missing style borrows the nearest)."""

    name: str
    faces: tuple[Face, Face, Face, Face]

    def face(self, bold: bool, italic: bool) -> Face:
        """The face used for a slot."""
        return self.faces[SLOTS.index((bold, italic))]

    @classmethod
    def of(cls, faces: Iterable[Face]) -> Family:
        """The family made of ``faces`` (all of one family name)."""
        found = tuple(faces)
        picked = tuple(_pick(found, bold, italic) for bold, italic in SLOTS)
        return cls(found[0].family, (picked[0], picked[1], picked[2], picked[3]))


def _pick(faces: tuple[Face, ...], bold: bool, italic: bool) -> Face:
    """The face nearest to a slot: right slant first, normal width, weight nearest 400/700."""
    target = 700 if bold else 400

    def score(f: Face) -> tuple[int, int, int, str, int]:
        return (int(f.italic != italic), abs(f.width - 5), abs(f.weight - target), f.path, f.index)

    return min(faces, key=score)


# --------------------------------------------------------------------------
# Discovery
# --------------------------------------------------------------------------


def _fonttools_faces(path: str) -> list[Face]:
    """The TrueType-outline faces of one file, read with fontTools (empty for CFF or broken files)."""
    from fontTools.ttLib import TTCollection, TTFont, TTLibError

    try:
        with open(path, "rb") as fh:
            collection = fh.read(4) == b"ttcf"
        count = 1
        if collection:
            with TTCollection(path, lazy=True) as ttc:  # (closes the file it opened)
                count = len(ttc.fonts)
    except (OSError, TTLibError, ValueError, AssertionError):
        return []
    faces: list[Face] = []
    for index in range(count):
        try:
            font = TTFont(path, fontNumber=index, lazy=True)
        except (OSError, TTLibError, ValueError, AssertionError):
            continue
        try:
            if "glyf" not in font or "cmap" not in font or "name" not in font:
                continue
            names = font["name"]
            family = names.getBestFamilyName() or ""
            if not family:
                continue
            subfamily = names.getBestSubFamilyName() or ""
            psname = str(names.getDebugName(6) or "")
            weight, width, italic = 400, 5, False
            if "OS/2" in font:
                os2 = font["OS/2"]
                weight, width = int(os2.usWeightClass), int(os2.usWidthClass)
                italic = bool(os2.fsSelection & 0x201)
            italic = italic or any(w in subfamily.lower() for w in ("italic", "oblique"))
            faces.append(Face(path, index, family, subfamily, psname, weight, width or 5, italic))
        except (KeyError, AttributeError, TTLibError, ValueError, AssertionError):
            continue
        finally:
            font.close()
    return faces


def _packaged_dirs() -> list[Path]:
    dirs: list[Path] = []
    for module in PACKAGED_FONT_MODULES:
        try:
            spec = importlib.util.find_spec(module)
        except (ImportError, ValueError):
            continue
        if spec is None or not spec.submodule_search_locations:
            continue
        for location in spec.submodule_search_locations:
            folder = Path(location) / "files"
            if folder.is_dir():
                dirs.append(folder)
    return dirs


def _files_under(dirs: Iterable[Path]) -> Iterator[str]:
    for root in dirs:
        if not root.is_dir():
            continue
        for folder, subdirs, files in os.walk(root):
            subdirs.sort()
            for name in sorted(files):
                if name.lower().endswith(_EXTENSIONS):
                    yield os.path.join(folder, name)  # (folder comes from a Path: already normal)


# fontconfig's weight and width scales, mapped to OpenType's (FcWeightToOpenType).
_FC_WEIGHTS = ((0, 100), (40, 200), (50, 300), (55, 350), (75, 380), (80, 400), (100, 500), (180, 600),
               (200, 700), (205, 800), (210, 900), (215, 950))
_FC_WIDTHS = ((50, 1), (63, 2), (75, 3), (87, 4), (100, 5), (113, 6), (125, 7), (150, 8), (200, 9))


def _nearest(value: int, table: tuple[tuple[int, int], ...]) -> int:
    return min(table, key=lambda pair: (abs(pair[0] - value), pair[0]))[1]


_FC_FORMAT = "\\t".join((
    "%{file}", "%{index}", "%{family[0]}", "%{style[0]}", "%{weight}", "%{width}", "%{slant}", "%{fontformat}",
    "%{postscriptname}",
)) + "\\n"


def _fontconfig_faces() -> list[Face] | None:
    """Every TrueType face fontconfig knows, or None when fontconfig is not installed.

    ``fc-list``'s answer is kept in the disk cache with the state of what it depends on
    (:func:`_fontconfig_state`): while that is unchanged, a cold process runs no ``fc-list``.
    """
    fc_list = shutil.which("fc-list")
    if fc_list is None:
        return None
    from briefpub.cache import DiskCache, disk_cache, source_digest

    cache = disk_cache()
    key = DiskCache.key(_FC_KIND, source_digest(__file__), fc_list, _fontconfig_env())
    if cache is None:
        return _run_fc_list(fc_list)
    payload = cache.load(_FC_KIND, key)
    cached = _faces_from_fc_entry(payload) if payload is not None else None
    if cached is not None:
        return cached
    before = _fontconfig_state(())
    faces = _run_fc_list(fc_list)
    if faces is not None:
        dirs = sorted({os.path.dirname(f.path) for f in faces})
        state = _fontconfig_state(dirs)
        if all(state.get(path) == stamp for path, stamp in before.items()):  # nothing changed while it ran
            rows = [[f.path, f.index, f.family, f.subfamily, f.psname, f.weight, f.width, f.italic] for f in faces]
            entry = {"dirs": dirs, "state": state, "faces": rows}
            cache.store(_FC_KIND, key, json.dumps(entry, sort_keys=True).encode("utf-8"), limit=4)
    return faces


_FC_KIND = "fontconfig-faces"
_FC_ENV = ("FONTCONFIG_FILE", "FONTCONFIG_PATH", "FONTCONFIG_SYSROOT", "XDG_CONFIG_HOME", "XDG_DATA_HOME", "HOME")


def _fontconfig_env() -> tuple[tuple[str, str], ...]:
    return tuple((name, os.environ.get(name, "")) for name in _FC_ENV)


def _config_roots() -> list[str]:
    """fontconfig's configuration files and folders (every file under them counts)."""
    home = os.path.expanduser("~")
    config_home = os.environ.get("XDG_CONFIG_HOME") or os.path.join(home, ".config")
    roots = ["/etc/fonts", "/usr/local/etc/fonts", "/opt/homebrew/etc/fonts", os.path.join(config_home, "fontconfig"),
             os.path.join(home, ".fonts.conf"), os.path.join(home, ".fonts.conf.d")]
    for name in ("FONTCONFIG_FILE", "FONTCONFIG_PATH"):
        roots += [p for p in os.environ.get(name, "").split(os.pathsep) if p]
    return roots


def _font_roots() -> list[str]:
    """The usual font folders (fontconfig's defaults and the user's)."""
    home = os.path.expanduser("~")
    data_home = os.environ.get("XDG_DATA_HOME") or os.path.join(home, ".local", "share")
    return [*(str(p) for p in _system_dirs()), os.path.join(data_home, "fonts"), "/usr/share/X11/fonts",
            "/usr/X11R6/lib/X11/fonts", "/usr/local/share/fonts"]


def _fontconfig_state(face_dirs: Iterable[str]) -> dict[str, list[int]]:
    """(mtime in ns, size, inode) of everything ``fc-list``'s answer depends on, by path; absent paths as [].

    The configuration: every file and folder under fontconfig's configuration folders. The fonts: every
    folder under the usual font folders and under each folder a listed face lives in (a custom ``<dir>``),
    as fontconfig itself decides whether its caches are current: by the folders' modification times
    (adding, removing or renaming a font file changes its folder's).
    """
    state: dict[str, list[int]] = {}
    walked: set[tuple[int, int]] = set()  # folders by (device, inode): a symlink loop is walked once

    def stamp(path: str, files: bool) -> None:
        if path in state:
            return
        try:
            st = os.stat(path)
        except OSError:
            state[path] = []
            return
        state[path] = [st.st_mtime_ns, st.st_size, st.st_ino]
        if not stat.S_ISDIR(st.st_mode) or (st.st_dev, st.st_ino) in walked:
            return
        walked.add((st.st_dev, st.st_ino))
        try:
            entries = sorted(os.scandir(path), key=lambda e: e.name)
        except OSError:
            return
        for entry in entries:
            if files or entry.is_dir():
                stamp(entry.path, files)

    for path in _config_roots():
        stamp(path, True)
    for path in (*_font_roots(), *face_dirs):
        stamp(path, False)
    return state


def _faces_from_fc_entry(payload: bytes) -> list[Face] | None:
    """The faces of a cache entry whose recorded state is still current; None otherwise."""
    try:
        entry = json.loads(payload)
        dirs, state, rows = entry["dirs"], entry["state"], entry["faces"]
        if not (isinstance(dirs, list) and all(isinstance(d, str) for d in dirs) and isinstance(state, dict)
                and isinstance(rows, list)):
            return None
        faces = []
        for row in rows:
            if not isinstance(row, list) or list(map(type, row)) != _FC_ROW_TYPES:
                return None
            faces.append(Face(*row))
    except (ValueError, KeyError, TypeError):
        return None
    return faces if _fontconfig_state(dirs) == state else None


def _run_fc_list(fc_list: str) -> list[Face] | None:
    """The TrueType faces ``fc-list`` lists; None when it fails."""
    import subprocess  # (only on a cache miss: a cold start with fc-list's answer cached needs none)

    try:
        out = subprocess.run([fc_list, "--format", _FC_FORMAT], capture_output=True, check=True, timeout=60,
                             env={**os.environ, "LC_ALL": "C"}).stdout.decode("utf-8", "replace")
    except (OSError, subprocess.SubprocessError):
        return None
    faces: list[Face] = []
    for line in out.splitlines():
        parts = line.split("\t")
        if len(parts) != 9:
            continue
        path, index, family, style, weight, width, slant, fmt, psname = parts
        if fmt != "TrueType" or not family or not path.lower().endswith(_EXTENSIONS):
            continue
        try:
            face = Face(path, int(index), family, style, psname,
                        _nearest(int(float(weight)), _FC_WEIGHTS), _nearest(int(float(width or 100)), _FC_WIDTHS),
                        int(slant or 0) > 0)
        except ValueError:
            continue
        faces.append(face)
    return faces


def _system_dirs() -> tuple[Path, ...]:
    home = Path.home()
    if sys.platform == "win32":
        windir = os.environ.get("WINDIR", r"C:\Windows")
        local = os.environ.get("LOCALAPPDATA", "")
        dirs = [Path(windir) / "Fonts"]
        if local:
            dirs.append(Path(local) / "Microsoft" / "Windows" / "Fonts")
        return tuple(dirs)
    if sys.platform == "darwin":
        return (Path("/System/Library/Fonts"), Path("/Library/Fonts"), home / "Library" / "Fonts")
    return (Path("/usr/share/fonts"), Path("/usr/local/share/fonts"), home / ".local" / "share" / "fonts",
            home / ".fonts")


_FACES_KIND = "font-faces"


def _read_faces(paths: list[str]) -> dict[str, list[Face]]:
    """The faces of each file, read with fontTools, or taken from the disk cache for files unchanged since.

    One cache entry holds, per file, its (size, mtime) and its faces; it is keyed by this module's
    source, so a change to how faces are read invalidates it. Reading 48 packaged files with
    fontTools costs a cold process ~60 ms (half of it importing fontTools); a hit costs ~1 ms.
    """
    from briefpub.cache import DiskCache, disk_cache, file_stamp, source_digest

    cache = disk_cache()
    key = DiskCache.key(_FACES_KIND, source_digest(__file__))
    known: dict[str, list[Any]] = {}
    if cache is not None:
        payload = cache.load(_FACES_KIND, key)
        if payload is not None:
            try:
                loaded = json.loads(payload)
                known = loaded if isinstance(loaded, dict) else {}
            except ValueError:
                known = {}
    found: dict[str, list[Face]] = {}
    changed = False
    for path in paths:
        stamp = file_stamp(path)
        entry = known.get(path)
        faces: list[Face] | None = None
        if stamp is not None and isinstance(entry, list) and len(entry) == 3 and entry[:2] == list(stamp[1:]):
            faces = _faces_from_rows(path, entry[2])
        if faces is None:
            faces = _fonttools_faces(path)
            if stamp is not None:
                known[path] = [stamp[1], stamp[2],
                               [[f.index, f.family, f.subfamily, f.psname, f.weight, f.width, f.italic] for f in faces]]
                changed = True
        found[path] = faces
    if changed and cache is not None:
        kept = {p: v for p, v in known.items() if p in found or os.path.exists(p)}
        cache.store(_FACES_KIND, key, json.dumps(kept, sort_keys=True).encode("utf-8"), limit=4)
    return found


_ROW_TYPES = [int, str, str, str, int, int, bool]  # (a list: compared with the list of a row's types)
_FC_ROW_TYPES = [str, *_ROW_TYPES]  # a fontconfig row starts with the file's path


def _faces_from_rows(path: str, rows: object) -> list[Face] | None:
    """Faces from a cache entry's rows, or None when the rows are not what :func:`_read_faces` writes."""
    if not isinstance(rows, list):
        return None
    faces: list[Face] = []
    for row in rows:
        if not isinstance(row, list) or list(map(type, row)) != _ROW_TYPES:
            return None
        faces.append(Face(path, *row))
    return faces


@functools.cache
def _catalogue(dirs: tuple[Path, ...] | None = None) -> tuple[dict[str, tuple[Face, ...]], dict[str, tuple[Face, ...]]]:
    """(packaged families, system families), each by casefolded family name; cached per process."""
    packaged_files = list(_files_under(_packaged_dirs()))
    faces = _fontconfig_faces() if dirs is None else None
    scanned = [] if faces is not None else list(_files_under(dirs if dirs is not None else _system_dirs()))
    read = _read_faces(packaged_files + scanned)
    packaged: dict[str, list[Face]] = {}
    for path in packaged_files:
        for face in read[path]:
            packaged.setdefault(face.family.casefold(), []).append(face)
    system: dict[str, list[Face]] = {}
    if faces is None:
        faces = [face for path in scanned for face in read[path]]
    for face in sorted(faces, key=lambda f: (f.path, f.index)):
        system.setdefault(face.family.casefold(), []).append(face)
    return ({k: tuple(v) for k, v in sorted(packaged.items())}, {k: tuple(v) for k, v in sorted(system.items())})


def find_family(name: str, dirs: tuple[Path, ...] | None = None) -> Family | None:
    """The family called ``name`` (case-insensitive): a packaged one first, else the system's; None if absent.

    ``dirs`` replaces the system search by a scan of those folders (tests).
    """
    packaged, system = _catalogue(dirs)
    key = name.strip().casefold()
    faces = packaged.get(key) or system.get(key)
    return Family.of(faces) if faces else None


@functools.cache
def hb_face(path: str, index: int = 0) -> Any:
    """The HarfBuzz face (``uharfbuzz.Face``) of face ``index`` in a font file, mapped once per process and
    shared by everything that reads fonts: coverage, the PDF engine's shaping, the DOCX measurer and
    subsetter."""
    import uharfbuzz

    return uharfbuzz.Face(uharfbuzz.Blob.from_file_path(path), index)


@functools.cache
def coverage(face: Face) -> frozenset[int]:
    """The code points ``face`` maps to a glyph (its cmap, read with HarfBuzz; cached per process).

    For the writers that shape with HarfBuzz anyway (PDF, DOCX): the face is mapped once for both.
    """
    return frozenset(hb_face(face.path, face.index).unicodes)


_COVERAGE_KIND = "font-coverage"


@functools.cache
def cached_coverage(face: Face) -> frozenset[int]:
    """:func:`coverage`, through the disk cache: for a process that needs no HarfBuzz otherwise.

    The EPUB writer needs coverage only to pick its cover's faces; importing uharfbuzz for it cost a
    cold cover ~12 ms. One entry per face holds its code points as sorted ranges, keyed by the font
    file's (path, size, mtime), the face index, uharfbuzz's files (:func:`~briefpub.cache.library_stamp`)
    and this module's source: a changed
    font or HarfBuzz misses, a corrupt entry is read again with HarfBuzz and rewritten. (A hit costs
    ~0.2-0.3 ms a face more than HarfBuzz's own cmap once the face is mapped, so the PDF and DOCX
    writers keep :func:`coverage`.)
    """
    from briefpub.cache import DiskCache, disk_cache, file_stamp, library_stamp, source_digest

    cache = disk_cache()
    stamp = file_stamp(face.path)
    if cache is None or stamp is None:
        return coverage(face)
    key = DiskCache.key(_COVERAGE_KIND, source_digest(__file__), library_stamp("uharfbuzz"), stamp, face.index)
    payload = cache.load(_COVERAGE_KIND, key)
    found = _coverage_from_ranges(payload) if payload is not None else None
    if found is None:
        found = coverage(face)
        cache.store(_COVERAGE_KIND, key, json.dumps(_ranges(found)).encode("ascii"), limit=256)
    return found


def _ranges(points: frozenset[int]) -> list[int]:
    """Code points as a flat list of inclusive ranges: [first, last, first, last, ...], ascending."""
    flat: list[int] = []
    for cp in sorted(points):
        if flat and cp == flat[-1] + 1:
            flat[-1] = cp
        else:
            flat += [cp, cp]
    return flat


def _coverage_from_ranges(payload: bytes) -> frozenset[int] | None:
    """The code points of a cache entry written by :func:`cached_coverage`; None when it is not such an entry."""
    try:
        flat = json.loads(payload)
    except ValueError:
        return None
    if not isinstance(flat, list) or len(flat) % 2 or not all(type(v) is int for v in flat):
        return None
    if flat != sorted(flat) or (flat and not 0 <= flat[0] <= flat[-1] <= 0x10FFFF):
        return None
    it = iter(flat)
    return frozenset(cp for first, last in zip(it, it, strict=True) for cp in range(first, last + 1))


# --------------------------------------------------------------------------
# The font set of a conversion
# --------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class FontFile:
    """A font file a writer used, as the build report records it."""

    path: str
    sha256: str
    size: int

    def to_dict(self) -> dict[str, object]:
        """The JSON form used by reports."""
        return {"path": self.path, "sha256": self.sha256, "size": self.size}


@functools.cache
def file_record(path: str) -> FontFile:
    """The report record (SHA-256 and size) of a font file; cached per process."""
    data = Path(path).read_bytes()
    return FontFile(path, hashlib.sha256(data).hexdigest(), len(data))


@dataclass(frozen=True, slots=True)
class FontSet:
    """The fonts of one conversion: for each role, its families in order (own, then fallbacks).

    ``missing`` lists the families the style asked for that are not installed;
    ``mono_substitute`` names the family code is set in when no monospaced family is
    installed (the body's: a bare machine still converts), else it is empty.
    """

    roles: Mapping[str, tuple[Family, ...]] = field(default_factory=dict)
    missing: tuple[str, ...] = ()
    mono_substitute: str = ""

    def families(self, role: str) -> tuple[Family, ...]:
        """The families of ``role`` (``body``, ``heading``, ``mono``) in order; may be empty."""
        return self.roles.get(role, ())

    def faces(self) -> tuple[Face, ...]:
        """Every face of the set, once, in role order."""
        seen: dict[Face, None] = {}
        for role in ROLES:
            for family in self.families(role):
                for face in family.faces:
                    seen.setdefault(face, None)
        return tuple(seen)


def resolve_fonts(families: Mapping[str, Iterable[str]], dirs: tuple[Path, ...] | None = None) -> FontSet:
    """The :class:`FontSet` for role -> family names (a style sheet's ``StyleSheet.families``)."""
    roles: dict[str, tuple[Family, ...]] = {}
    missing: dict[str, None] = {}
    for role, names in families.items():
        found: list[Family] = []
        seen: set[str] = set()
        for name in names:
            family = find_family(name, dirs)
            if family is None:
                missing.setdefault(name, None)
            elif family.name.casefold() not in seen:
                seen.add(family.name.casefold())
                found.append(family)
        roles[role] = tuple(found)
    # Code with no monospaced family installed borrows the body's families (the packaged text faces are
    # always there), so a bare machine still converts; a missing body or heading family stays an error.
    donor = roles.get("body") or roles.get("heading")
    if "mono" in roles and not roles["mono"] and donor:
        roles["mono"] = donor
        return FontSet(roles, tuple(missing), donor[0].name)
    return FontSet(roles, tuple(missing))
