"""System fonts for the generated cover image (writer stage).

The cover is drawn with Pillow, which needs font files. Families are named in
the style sheet (``fonts.heading`` then ``fonts.fallback``); this module finds
their files under the system font directories by reading each candidate's
``name`` table with uharfbuzz, and tells which family covers a piece of text.
Only system font directories are read. Results are deterministic for a given
machine: directories and files are visited in sorted order and the first match
wins. When no family is found at all, the cover falls back to Pillow's built-in
font (see ``cover.py``).
"""

from __future__ import annotations

import functools
import unicodedata
from dataclasses import dataclass
from pathlib import Path

__all__ = ["FONT_DIRS", "FontFace", "coverage", "find_face", "visible_count"]

#: Where system fonts live (Linux distributions, macOS, Windows).
FONT_DIRS = (
    Path("/usr/share/fonts"),
    Path("/usr/local/share/fonts"),
    Path("/Library/Fonts"),
    Path("/System/Library/Fonts"),
    Path("C:/Windows/Fonts"),
)
_SUFFIXES = (".ttf", ".otf", ".ttc")
_REGULAR = ("regular", "book", "normal", "roman", "medium")


@dataclass(frozen=True, slots=True)
class FontFace:
    """One face of a font file (``index`` selects a face of a collection)."""

    path: str
    index: int
    family: str
    subfamily: str


@functools.cache
def _font_files() -> tuple[Path, ...]:
    files: list[Path] = []
    for root in FONT_DIRS:
        if root.is_dir():
            files.extend(p for p in root.rglob("*") if p.suffix.lower() in _SUFFIXES and p.is_file())
    return tuple(sorted(files))


@functools.cache
def _faces_of(path: Path) -> tuple[FontFace, ...]:
    import uharfbuzz as hb

    try:
        blob = hb.Blob.from_file_path(str(path))
        count = max(int(hb.Face(blob, 0).count), 1)
        faces = []
        for index in range(count):
            face = hb.Face(blob, index)
            family = face.get_name(hb.OTNameIdPredefined.FONT_FAMILY) or ""
            subfamily = face.get_name(hb.OTNameIdPredefined.FONT_SUBFAMILY) or ""
            if family:
                faces.append(FontFace(str(path), index, family, subfamily))
        return tuple(faces)
    except Exception:  # an unreadable font file is skipped, never fatal
        return ()


def _compact(name: str) -> str:
    return "".join(ch for ch in name.lower() if ch.isalnum())


def _pick(faces: list[FontFace], bold: bool) -> FontFace | None:
    """The bold (or regular) face among one family's faces; regular when there is no bold."""

    def sub(f: FontFace) -> str:
        return f.subfamily.lower()

    if bold:
        for f in faces:
            if sub(f) == "bold":
                return f
    for f in faces:
        if sub(f) in _REGULAR:
            return f
    return faces[0] if faces else None


@functools.cache
def find_face(family: str, bold: bool = False) -> FontFace | None:
    """The system face of ``family`` (bold or regular), or None when it is not installed.

    Files whose names look like the family are tried first (cheap); only when
    none matches is every font file's name table read.
    """
    wanted = family.strip().lower()
    if not wanted:
        return None
    key = _compact(family)
    files = _font_files()
    likely = [p for p in files if _compact(p.stem).startswith(key)]
    for group in (likely, files):
        matches = [f for p in group for f in _faces_of(p) if f.family.lower() == wanted]
        if matches:
            return _pick(matches, bold)
    return None


@functools.cache
def _codepoints(path: str, index: int) -> frozenset[int]:
    import uharfbuzz as hb

    try:
        return frozenset(hb.Face(hb.Blob.from_file_path(path), index).unicodes)
    except Exception:  # an unreadable font covers nothing
        return frozenset()


def _visible(ch: str) -> bool:
    """Characters that need a glyph (not spaces, controls, format characters or variation selectors)."""
    return not ch.isspace() and unicodedata.category(ch) not in ("Cc", "Cf") and not ("\ufe00" <= ch <= "\ufe0f")


def coverage(face: FontFace, text: str) -> int:
    """How many of the visible characters of ``text`` ``face`` has glyphs for."""
    cps = _codepoints(face.path, face.index)
    return sum(1 for ch in text if _visible(ch) and ord(ch) in cps)


def visible_count(text: str) -> int:
    """The number of characters :func:`coverage` counts."""
    return sum(1 for ch in text if _visible(ch))
