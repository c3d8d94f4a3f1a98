"""Loading and validating style sheets from TOML (styling stage).

A sheet is a TOML file whose tables are the sections of
:class:`~briefpub.styling.model.StyleSheet`. It may start from another sheet
with ``extends = "briefing"`` (a built-in name or a path relative to the sheet).
Every unknown key and every bad value is a :class:`~briefpub.errors.StyleError`
naming the file, the key path and the value.

A ``briefpub serve`` resolves the sheet files a ``--server`` client sends the same way
(:func:`read_style` collects them on the client, :func:`load_style_from` reads them on
the server): one loader, one set of checks and messages; the server reads only its
built-in sheets from disk.

Built-in sheets ship inside the package (``briefpub/styles``) in a wheel; in a
source checkout they are read from the repository's ``styles/`` folder.
"""

from __future__ import annotations

import dataclasses
import math
import tomllib
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any

from briefpub._lazyre import lazy_re
from briefpub.errors import StyleError
from briefpub.styling.model import (
    ALIGN,
    ALIGNMENTS,
    BOOL,
    COLOUR,
    DEPTH,
    FONT_ROLES,
    FONTS,
    LENGTH,
    LENGTH_RANGE,
    MIN_COLUMN,
    MIN_FRAME_HEIGHT,
    NUMBER,
    PAGE_SIZES,
    PAGESIZE,
    ROLE,
    SECTION_TYPES,
    STR,
    StyleSheet,
)

DEFAULT_SHEET = "briefing"
_UNITS = {"pt": 1.0, "mm": 72 / 25.4, "cm": 72 / 2.54, "in": 72.0, "px": 0.75}
_LENGTH_RE = lazy_re(r"^\s*(-?\d+(?:\.\d+)?)\s*(pt|mm|cm|in|px)?\s*$")
_COLOUR_RE = lazy_re(r"^#(?:[0-9a-fA-F]{6}|[0-9a-fA-F]{3})$")
_MAX_EXTENDS = 8


def builtin_dir() -> Path:
    """Where the built-in sheets are: inside the package, else the source tree's ``styles/``."""
    packaged = Path(__file__).resolve().parent.parent / "styles"
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parents[3] / "styles"


def builtin_names() -> list[str]:
    """Names of the built-in style sheets, sorted."""
    return sorted(p.stem for p in builtin_dir().glob("*.toml"))


def _convert(kind: str, value: object, where: str, bounds: tuple[float, float] = LENGTH_RANGE) -> Any:
    """Convert one TOML value to the model's type, or raise StyleError (lengths within ``bounds`` points)."""

    def bad(expected: str) -> StyleError:
        return StyleError(f"{where} = {value!r}: expected {expected}")

    if kind == LENGTH:
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            number, unit = float(value), "pt"
        elif isinstance(value, str) and (m := _LENGTH_RE.match(value)):
            number, unit = float(m.group(1)), m.group(2) or "pt"
        else:
            raise bad('a length such as "10pt", "22mm", "2cm" or "1in"')
        points = number * _UNITS[unit]
        lo, hi = bounds
        if not math.isfinite(points) or not lo <= round(points, 4) <= hi:
            raise bad(f"a length from {lo:g}pt to {hi:g}pt")
        return round(points, 4)
    if kind == NUMBER:
        if isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value):
            return float(value)
        raise bad("a number")
    if kind == DEPTH:
        if isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= 3:
            return value
        raise bad("1, 2 or 3")
    if kind == COLOUR:
        if isinstance(value, str) and _COLOUR_RE.match(value):
            hexpart = value[1:]
            if len(hexpart) == 3:
                hexpart = "".join(c * 2 for c in hexpart)
            return "#" + hexpart.lower()
        raise bad('a colour "#rrggbb"')
    if kind == BOOL:
        if isinstance(value, bool):
            return value
        raise bad("true or false")
    if kind == STR:
        if isinstance(value, str):
            return value
        raise bad("a string")
    if kind == FONTS:
        if isinstance(value, list) and value and all(isinstance(v, str) and v.strip() for v in value):
            return tuple(v.strip() for v in value)
        raise bad("a non-empty list of font family names")
    if kind == ROLE:
        if value in FONT_ROLES:
            return value
        raise bad(" or ".join(FONT_ROLES))
    if kind == PAGESIZE:
        if isinstance(value, str):
            for name in PAGE_SIZES:
                if value.lower() == name.lower():
                    return name
        raise bad(" or ".join(PAGE_SIZES))
    if kind == ALIGN:
        if value in ALIGNMENTS:
            return value
        raise bad(", ".join(ALIGNMENTS))
    raise AssertionError(f"unknown kind {kind}")  # pragma: no cover


def _apply_section(current: Any, table: object, where: str) -> Any:
    if not isinstance(table, Mapping):
        raise StyleError(f"{where} = {table!r}: expected a table of keys")
    known = {f.name: f for f in dataclasses.fields(current)}
    changes: dict[str, Any] = {}
    for key, value in table.items():
        f = known.get(key)
        if f is None:
            raise StyleError(f"{where}.{key}: unknown key (known: {', '.join(sorted(known))})")
        changes[key] = _convert(f.metadata["kind"], value, f"{where}.{key}", f.metadata.get("range", LENGTH_RANGE))
    return dataclasses.replace(current, **changes)


def _check_room(sheet: StyleSheet, data: Mapping[str, object], origin: str) -> None:
    """The margins must leave a usable text area: a column MIN_COLUMN wide and MIN_FRAME_HEIGHT tall."""
    page = sheet.page
    width, height = sheet.page_size
    given = data.get("page")
    changed = set(given) if isinstance(given, Mapping) else set()
    prefix = f"{origin}: page" if origin else "page"
    for keys, room, need, what in (
        (("margin_inner", "margin_outer", "gutter"), width, MIN_COLUMN, "the text column at least"),
        (("margin_top", "margin_bottom"), height, MIN_FRAME_HEIGHT, "a text area at least"),
    ):
        used = sum(getattr(page, k) for k in keys)
        if room - used >= need:
            continue
        key = next((k for k in keys if k in changed), max(keys, key=lambda k: getattr(page, k)))
        value = getattr(page, key)
        allowed = max(room - need - (used - value), 0.0)
        raise StyleError(
            f"{prefix}.{key} = {value:g}pt: expected 0 to {allowed:g}pt on a {page.size} page with the other "
            f"margins ({', '.join(keys)} must leave {what} {need:g}pt)"
        )


def apply(sheet: StyleSheet, data: Mapping[str, object], origin: str) -> StyleSheet:
    """Overlay a parsed TOML mapping on ``sheet``; ``origin`` prefixes error key paths."""
    changes: dict[str, Any] = {}
    for key, value in data.items():
        where = f"{origin}: {key}" if origin else key
        if key in ("name", "description"):
            if not isinstance(value, str):
                raise StyleError(f"{where} = {value!r}: expected a string")
            changes[key] = value
        elif key == "extends":
            continue
        elif key in SECTION_TYPES:
            changes[key] = _apply_section(getattr(sheet, key), value, where)
        else:
            raise StyleError(f"{where}: unknown key (known: {', '.join(sorted(SECTION_TYPES))})")
    result = dataclasses.replace(sheet, **changes)
    _check_room(result, data, origin)
    return result


#: A style sheet is a few KiB: a larger file is refused before it is read (a mistaken path).
MAX_SHEET_BYTES = 1024 * 1024


def _read_sheet(path: Path) -> bytes:
    """A sheet file's bytes (StyleError naming the file when it is missing, unreadable or too large)."""
    try:
        if (size := path.stat().st_size) > MAX_SHEET_BYTES:
            raise StyleError(f"{path}: too large for a style sheet ({size / 1048576:.1f} MiB; the limit is 1 MiB)")
        return path.read_bytes()
    except FileNotFoundError:
        raise StyleError(f"{path}: style sheet not found") from None
    except OSError as exc:
        raise StyleError(f"{path}: cannot read style sheet ({exc.strerror})") from None


def _parse(path: Path, raw: bytes) -> dict[str, Any]:
    try:
        return tomllib.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise StyleError(f"{path}: not a valid TOML style sheet ({exc})") from None


def _resolve_path(name_or_path: str, relative_to: Path | None) -> tuple[Path, bool]:
    """The file a sheet name or path names, and whether it is a built-in sheet (named, not a path)."""
    if name_or_path.endswith(".toml") or "/" in name_or_path or "\\" in name_or_path:
        p = Path(name_or_path)
        if not p.is_absolute() and relative_to is not None:
            p = relative_to / p
        return p, False
    candidate = builtin_dir() / f"{name_or_path}.toml"
    if not candidate.is_file():
        raise StyleError(
            f"no built-in style sheet named {name_or_path!r} (available: {', '.join(builtin_names())})"
        )
    return candidate, True


Reader = Callable[[Path, bool], bytes]
"""How :func:`_load` reads a sheet: (path, built-in?) -> bytes, or StyleError naming the file."""


def _disk(path: Path, builtin: bool) -> bytes:
    return _read_sheet(path)


def _load(name_or_path: str, relative_to: Path | None, depth: int, files: list[Path] | None = None,
          read: Reader = _disk) -> StyleSheet:
    if depth > _MAX_EXTENDS:
        raise StyleError(f"{name_or_path}: 'extends' chain is too long or circular")
    path, builtin = _resolve_path(name_or_path, relative_to)
    if files is not None:
        files.append(path)
    data = _parse(path, read(path, builtin))
    base = StyleSheet()
    parent = data.get("extends")
    if parent is not None:
        if not isinstance(parent, str):
            raise StyleError(f"{path}: extends = {parent!r}: expected a sheet name or path")
        base = _load(parent, path.parent, depth + 1, files, read)
    sheet = apply(base, data, str(path))
    if "name" not in data:
        sheet = dataclasses.replace(sheet, name=path.stem)
    return sheet


def read_style(name_or_path: str | None) -> tuple[StyleSheet, dict[str, str]]:
    """:func:`load_style`, and the text of every sheet file it read that is not a built-in one (the sheet
    and its ``extends`` chain, by the names messages use): what a ``--server`` client sends
    (:func:`load_style_from` resolves them on the server)."""
    sources: dict[str, str] = {}

    def recording(path: Path, builtin: bool) -> bytes:
        raw = _read_sheet(path)
        if not builtin:
            sources[str(path)] = raw.decode("utf-8", "surrogateescape")
        return raw

    return _load(name_or_path or DEFAULT_SHEET, None, 0, None, recording), sources


def load_style_from(name_or_path: str | None, sources: Mapping[str, str]) -> StyleSheet:
    """Resolve a sheet as :func:`load_style` does, reading the sheet files a client sent (``sources``: name as
    the client's messages give it -> TOML text) instead of files: the same checks and messages, ``extends``
    included. Only built-in sheets are read from disk; a name not among ``sources`` is "not found"."""

    def sent(path: Path, builtin: bool) -> bytes:
        if builtin:
            return _read_sheet(path)
        text = sources.get(str(path))
        if text is None:
            raise StyleError(f"{path}: style sheet not found")
        raw = text.encode("utf-8", "surrogateescape")
        if len(raw) > MAX_SHEET_BYTES:
            raise StyleError(f"{path}: too large for a style sheet ({len(raw) / 1048576:.1f} MiB; the limit is 1 MiB)")
        return raw

    return _load(name_or_path or DEFAULT_SHEET, None, 0, None, sent)


def _stamp(path: Path) -> tuple[int, int, int] | None:
    try:
        info = path.stat()
    except OSError:
        return None
    return (info.st_size, info.st_mtime_ns, info.st_ino)


_LOADED: dict[str, tuple[tuple[tuple[Path, tuple[int, int, int] | None], ...], StyleSheet]] = {}


def load_style(name_or_path: str | None = None) -> StyleSheet:
    """Load a built-in sheet by name or a sheet file by path (default: ``briefing``).

    Sheets are kept per process; a kept sheet is used again only while every file of its
    ``extends`` chain has the same size, modification time and inode (an edited base sheet is
    read again, not only an edited top one).
    """
    target = name_or_path or DEFAULT_SHEET
    kept = _LOADED.get(target)
    if kept is not None and all(_stamp(path) == stamp for path, stamp in kept[0]):
        return kept[1]
    files: list[Path] = []
    sheet = _load(target, None, 0, files)
    _LOADED[target] = (tuple((path, _stamp(path)) for path in files), sheet)
    return sheet


def _parse_override_value(raw: str) -> object:
    """Parse the value of ``--set section.key=VALUE`` as TOML, else as a string."""
    try:
        return tomllib.loads(f"v = {raw}")["v"]
    except tomllib.TOMLDecodeError:
        return raw


def with_overrides(sheet: StyleSheet, overrides: Iterable[tuple[str, str]]) -> StyleSheet:
    """Apply ``section.key=value`` overrides (from ``--set``) to a loaded sheet."""
    data: dict[str, dict[str, object]] = {}
    for key, raw in overrides:
        section, _, name = key.partition(".")
        if not name or "." in name:
            raise StyleError(f"--set {key}: a style key is written section.key, e.g. page.size")
        data.setdefault(section, {})[name] = _parse_override_value(raw)
    return apply(sheet, data, "--set") if data else sheet
