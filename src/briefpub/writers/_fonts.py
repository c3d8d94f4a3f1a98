"""System fonts shared by the writers: discovery, faces, families and coverage.

reportlab can load only TrueType-outline fonts (``glyf``) and Pillow draws the EPUB cover
with the same files, so one scan serves both (and is done once per process):

* :func:`font_dirs` lists the standard font folders of Linux, macOS and Windows
  (``%WINDIR%\\Fonts``), and :func:`scan_fonts` reads every ``.ttf``, ``.ttc`` and ``.otf``
  file's ``name`` and ``OS/2`` tables with the standard library (no fontconfig needed),
  keeping only TrueType-outline faces. The scan is cached per process.
* :class:`Family` maps a family name from the style sheet to its regular, bold, italic and
  bold-italic faces (a missing style borrows the nearest one).
* :func:`coverage` is the set of code points a face has real glyphs for (its ``cmap``).

Standard library only: nothing here imports reportlab, Pillow or uharfbuzz.
"""

from __future__ import annotations

import functools
import os
import struct
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

__all__ = ["SLOTS", "Face", "Family", "coverage", "font_dirs", "scan_fonts"]

#: The four styles reportlab's ``registerFontFamily`` needs, as (bold, italic).
SLOTS: tuple[tuple[bool, bool], ...] = ((False, False), (True, False), (False, True), (True, True))
_EXTENSIONS = (".ttf", ".ttc", ".otf")


@dataclass(frozen=True, slots=True)
class Face:
    """One TrueType face in a font file (``index`` > 0 inside a collection)."""

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


# --------------------------------------------------------------------------
# Reading sfnt tables with the standard library
# --------------------------------------------------------------------------


def _table_directory(data: bytes, offset: int) -> dict[bytes, tuple[int, int]]:
    (num_tables,) = struct.unpack_from(">H", data, offset + 4)
    tables: dict[bytes, tuple[int, int]] = {}
    for i in range(num_tables):
        tag, _checksum, start, length = struct.unpack_from(">4sIII", data, offset + 12 + 16 * i)
        tables[tag] = (start, length)
    return tables


def _read_names(handle: _Reader, start: int, length: int) -> dict[int, str]:
    data = handle.read(start, length)
    _fmt, count, strings = struct.unpack_from(">HHH", data, 0)
    found: dict[int, tuple[int, str]] = {}
    for i in range(count):
        platform, encoding, language, name_id, size, off = struct.unpack_from(">HHHHHH", data, 6 + 12 * i)
        if name_id not in (1, 2, 6, 16, 17):
            continue
        raw = data[strings + off : strings + off + size]
        if platform == 3 and encoding in (0, 1, 10):
            rank = 0 if language == 0x409 else 1
            text = raw.decode("utf-16-be", "replace")
        elif platform == 0:
            rank, text = 2, raw.decode("utf-16-be", "replace")
        elif platform == 1 and encoding == 0:
            rank, text = 3, raw.decode("mac_roman", "replace")
        else:
            continue
        if name_id not in found or rank < found[name_id][0]:
            found[name_id] = (rank, text.strip())
    return {k: v for k, (_r, v) in found.items()}


class _Reader:
    """Random access to a font file without reading all of it."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.handle = open(path, "rb")  # noqa: SIM115 (closed by the context manager)

    def __enter__(self) -> _Reader:
        return self

    def __exit__(self, *exc: object) -> None:
        self.handle.close()

    def read(self, start: int, length: int) -> bytes:
        self.handle.seek(start)
        data = self.handle.read(length)
        if len(data) != length:
            raise ValueError("truncated font file")
        return data


def _faces_in(path: str) -> list[Face]:
    """The TrueType-outline faces of one font file (empty for CFF or broken files)."""
    faces: list[Face] = []
    with _Reader(path) as reader:
        head = reader.read(0, 12)
        if head[:4] == b"ttcf":
            (count,) = struct.unpack_from(">I", head, 8)
            offsets = struct.unpack_from(f">{count}I", reader.read(12, 4 * count))
        else:
            offsets = (0,)
        for index, offset in enumerate(offsets):
            header = reader.read(offset, 12)
            (num_tables,) = struct.unpack_from(">H", header, 4)
            directory = _table_directory(header + reader.read(offset + 12, 16 * num_tables), 0)
            if b"glyf" not in directory or b"cmap" not in directory or b"name" not in directory:
                continue  # CFF outlines (reportlab cannot embed them) or not a usable font
            names = _read_names(reader, *directory[b"name"])
            weight, width, italic = 400, 5, False
            if b"OS/2" in directory:
                os2 = reader.read(directory[b"OS/2"][0], 64)
                weight, width = struct.unpack_from(">HH", os2, 4)
                (selection,) = struct.unpack_from(">H", os2, 62)
                italic = bool(selection & 0x201)
            family = names.get(16) or names.get(1, "")
            subfamily = names.get(17) or names.get(2, "")
            if not family:
                continue
            italic = italic or any(w in subfamily.lower() for w in ("italic", "oblique"))
            faces.append(
                Face(path, index, family, subfamily, names.get(6, ""), weight, width or 5, italic)
            )
    return faces


def font_dirs() -> tuple[Path, ...]:
    """The standard font folders of this platform, most specific (the user's) last.

    Linux and BSD: ``/usr/share/fonts``, ``/usr/local/share/fonts``,
    ``~/.local/share/fonts``, ``~/.fonts``. macOS: ``/System/Library/Fonts``,
    ``/Library/Fonts``, ``~/Library/Fonts``. Windows: ``%WINDIR%\\Fonts`` and the
    per-user ``%LOCALAPPDATA%\\Microsoft\\Windows\\Fonts``.
    """
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
    return (
        Path("/usr/share/fonts"),
        Path("/usr/local/share/fonts"),
        home / ".local" / "share" / "fonts",
        home / ".fonts",
    )


def _font_files(dirs: Iterable[Path]) -> Iterator[str]:
    for root in dirs:
        if not root.is_dir():
            continue
        for folder, subdirs, files in os.walk(root):
            subdirs.sort()
            for name in sorted(files):
                if name.lower().endswith(_EXTENSIONS):
                    yield str(Path(folder) / name)


@functools.cache
def scan_fonts(dirs: tuple[Path, ...] | None = None) -> dict[str, tuple[Face, ...]]:
    """Every TrueType-outline face under ``dirs`` (default :func:`font_dirs`), by casefolded family.

    Cached per process and per folder list. Files that cannot be parsed are skipped.
    """
    families: dict[str, list[Face]] = {}
    for path in _font_files(dirs if dirs is not None else font_dirs()):
        try:
            faces = _faces_in(path)
        except (OSError, ValueError, struct.error):
            continue
        for face in faces:
            families.setdefault(face.family.casefold(), []).append(face)
    return {name: tuple(faces) for name, faces in sorted(families.items())}


# --------------------------------------------------------------------------
# Coverage (cmap)
# --------------------------------------------------------------------------


def _cmap_subtable(data: bytes) -> int | None:
    """Offset of the best Unicode subtable: format 12 (full repertoire) before format 4 (BMP)."""
    (count,) = struct.unpack_from(">H", data, 2)
    best: tuple[int, int] | None = None
    for i in range(count):
        platform, encoding, offset = struct.unpack_from(">HHI", data, 4 + 8 * i)
        if (platform, encoding) in ((3, 10), (0, 4), (0, 6)):
            rank = 0
        elif (platform, encoding) in ((3, 1), (0, 3), (0, 1), (0, 0), (0, 2)):
            rank = 1
        else:
            continue
        (fmt,) = struct.unpack_from(">H", data, offset)
        if fmt not in (4, 12):
            continue
        if best is None or rank < best[0]:
            best = (rank, offset)
    return best[1] if best else None


@functools.cache
def coverage(face: Face) -> frozenset[int]:
    """The code points ``face`` maps to a real glyph (cached per process)."""
    with _Reader(face.path) as reader:
        head = reader.read(0, 12)
        offset = 0
        if head[:4] == b"ttcf":
            offset = struct.unpack_from(">I", reader.read(12 + 4 * face.index, 4))[0]
        header = reader.read(offset, 12)
        (num_tables,) = struct.unpack_from(">H", header, 4)
        directory = _table_directory(header + reader.read(offset + 12, 16 * num_tables), 0)
        data = reader.read(*directory[b"cmap"])
        num_glyphs = 0xFFFF
        if b"maxp" in directory:
            (num_glyphs,) = struct.unpack_from(">H", reader.read(directory[b"maxp"][0], 6), 4)
    sub = _cmap_subtable(data)
    chars: set[int] = set()
    if sub is None:
        return frozenset()
    (fmt,) = struct.unpack_from(">H", data, sub)
    if fmt == 12:
        (groups,) = struct.unpack_from(">I", data, sub + 12)
        for g in range(groups):
            start, end, glyph = struct.unpack_from(">III", data, sub + 16 + 12 * g)
            if glyph == 0:
                start, glyph = start + 1, 1
            # Only code points mapped to glyphs that exist (broken fonts map past the end).
            end = min(end, start + num_glyphs - 1 - glyph)
            chars.update(range(start, end + 1))
    else:
        (seg_x2,) = struct.unpack_from(">H", data, sub + 6)
        segs = seg_x2 // 2
        ends = struct.unpack_from(f">{segs}H", data, sub + 14)
        starts = struct.unpack_from(f">{segs}H", data, sub + 16 + seg_x2)
        deltas = struct.unpack_from(f">{segs}h", data, sub + 16 + 2 * seg_x2)
        range_base = sub + 16 + 3 * seg_x2
        range_offsets = struct.unpack_from(f">{segs}H", data, range_base)
        for i in range(segs):
            start, end = starts[i], ends[i]
            if start == 0xFFFF:
                continue
            if range_offsets[i] == 0:
                chars.update(c for c in range(start, end + 1) if 0 < (c + deltas[i]) & 0xFFFF < num_glyphs)
                continue
            for c in range(start, end + 1):
                where = range_base + 2 * i + range_offsets[i] + 2 * (c - start)
                if where + 2 <= len(data):
                    (glyph,) = struct.unpack_from(">H", data, where)
                    if glyph and (glyph + deltas[i]) & 0xFFFF < num_glyphs:
                        chars.add(c)
    return frozenset(chars)


# --------------------------------------------------------------------------
# Families and chains
# --------------------------------------------------------------------------


def _pick(faces: tuple[Face, ...], bold: bool, italic: bool) -> Face:
    """The face nearest to a slot: right slant first, normal width, weight nearest 400/700."""
    target = 700 if bold else 400

    def score(f: Face) -> tuple[int, int, int, str, int]:
        return (int(f.italic != italic), abs(f.width - 5), abs(f.weight - target), f.path, f.index)

    return min(faces, key=score)


@dataclass(frozen=True, slots=True)
class Family:
    """A font family found on the system, with a face for each of the four slots."""

    name: str
    faces: dict[tuple[bool, bool], Face]

    @classmethod
    def find(cls, name: str, dirs: tuple[Path, ...] | None = None) -> Family | None:
        """The family called ``name`` (case-insensitive), or None when not installed."""
        faces = scan_fonts(dirs).get(name.casefold())
        if not faces:
            return None
        return cls(faces[0].family, {slot: _pick(faces, *slot) for slot in SLOTS})

    def face(self, bold: bool, italic: bool) -> Face:
        """The face used for a slot."""
        return self.faces[(bold, italic)]
