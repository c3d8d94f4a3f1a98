"""reportlab's parsed TrueType faces, kept in the disk cache between runs (PDF writer, start-up).

reportlab's :class:`~reportlab.pdfbase.ttfonts.TTFontFace` parses a font file in Python
when it is made (names, ``head``/``OS/2``/``post``/``hhea`` metrics, the whole ``cmap``,
``hmtx`` and ``loca``: ~2.5-4 ms a face of the packaged fonts, far more for big faces).
The text engine makes one per face it draws with (never for faces it does not use), once
per process. :func:`load_face` gives the same face from the disk cache
(:mod:`briefpub.cache`): what the parse sets on the object (every instance attribute but the
file's bytes and the scaling function, which is rebuilt from ``unitsPerEm`` as reportlab
builds it) is stored as plain data (marshal: numbers, strings, bytes and containers of them;
nothing is run, and the shape is checked on loading), keyed by the SHA-256 of the font file's
bytes, the face's index, the file's base name (reportlab's settings and made-up names depend
on it), reportlab's version, the source of ``ttfonts.py`` and of this module, and the
``rl_config`` settings the parse reads. A hit sets those attributes on a new face with the
file's bytes (read once, hashed, and kept for subsetting, as reportlab keeps them), so the
object is the one reportlab would have made and the PDF bytes are the same with the cache
cold, warm or off (``BRIEFPUB_CACHE=off``). A font file changed in place hashes differently:
a miss. A missing, corrupt or foreign entry is a miss; the face is parsed and stored again.

The cache serves library users as well as the CLI: an entry is data, never code.
"""

from __future__ import annotations

import hashlib
import marshal
import os
from typing import Any

from reportlab import Version as _RL_VERSION
from reportlab import rl_config
from reportlab.pdfbase import ttfonts
from reportlab.pdfbase.ttfonts import TTFNameBytes, TTFontFace

__all__ = ["load_face"]

_KIND = "reportlab-faces"
_LIMIT = 32  # faces kept (a style draws with ~5-8; an entry is ~25-80 KB for a Latin face, ~2.4 MB for a CJK one)
_SKIPPED = frozenset({"_ttf_data", "_pdfScale"})  # the file's bytes; the scaling function, rebuilt
_ATOMS = frozenset({int, float, bool, str, bytes, type(None)})
_SHAPES = _ATOMS | {tuple, list, dict}


def _scale(units_per_em: int) -> Any:
    """reportlab's ``_pdfScale`` for a face of ``units_per_em`` (as ``TTFontFile.extractInfo`` makes it)."""
    if units_per_em == 1000:
        return lambda x: x
    mult = 1000 / units_per_em
    return lambda x: x * mult


def _plain(value: object) -> bool:
    """Whether ``value`` is made of numbers, strings, bytes, None, tuples, lists and dicts only."""
    kind = type(value)
    if kind in _ATOMS:
        return True
    if kind is tuple or kind is list:
        return all(map(_plain, value))  # type: ignore[call-overload]
    if kind is dict:
        return all(map(_plain, value)) and all(map(_plain, value.values()))  # type: ignore[call-overload,attr-defined]
    return False


def _encode(face: TTFontFace) -> bytes | None:
    """What the parse set on ``face`` as marshal data, or None when something is not plain data."""
    names: dict[str, str] = {}
    attrs: dict[str, object] = {}
    for name, value in vars(face).items():
        if name in _SKIPPED:
            continue
        if type(value) is TTFNameBytes:
            names[name] = value.ustr
        elif _plain(value):
            attrs[name] = value
        else:
            return None
    return marshal.dumps((names, attrs))


def _decode(payload: bytes) -> tuple[dict[str, str], dict[str, object]] | None:
    """The (names, attributes) :func:`_encode` wrote, or None when ``payload`` is not such data.

    The entry is checksummed (a damaged one never gets here) and keyed by the module that wrote it;
    its shape is checked to the attributes' types (not the items of the maps and lists: ~1 ms a face,
    as much as the rest of a hit). marshal makes data only, never runs anything.
    """
    try:
        data = marshal.loads(payload)  # noqa: S302 - plain data, its shape checked below
    except (ValueError, EOFError, TypeError):
        return None
    if not (type(data) is tuple and len(data) == 2 and type(data[0]) is dict and type(data[1]) is dict):
        return None
    names, attrs = data
    if not (set(map(type, names)) | set(map(type, names.values()))) <= {str}:
        return None
    if not (set(map(type, attrs)) <= {str} and set(map(type, attrs.values())) <= _SHAPES
            and type(attrs.get("unitsPerEm")) is int and attrs["unitsPerEm"] > 0
            and not (set(names) | set(attrs)) & _SKIPPED):
        return None
    return names, attrs


def _key(digest: str, path: str, index: int) -> str:
    from briefpub.cache import DiskCache, source_digest

    settings = tuple(repr(getattr(rl_config, name, None))
                     for name in ("allowTTFSubsetting", "autoGenerateTTFMissingTTFName"))
    return DiskCache.key(_KIND, digest, index, os.path.basename(path), _RL_VERSION, marshal.version,
                         source_digest(str(ttfonts.__file__), __file__), settings)


def load_face(path: str, index: int = 0) -> TTFontFace:
    """reportlab's ``TTFontFace(path, validate=0, subfontIndex=index)``, from the disk cache when it holds
    this file's face (then stored there after a parse)."""
    from briefpub.cache import disk_cache

    cache = disk_cache()
    if cache is None:
        return TTFontFace(path, validate=0, subfontIndex=index)
    try:
        with open(path, "rb") as fh:
            data = fh.read()
    except OSError:
        return TTFontFace(path, validate=0, subfontIndex=index)  # (reportlab's own search and error)
    key = _key(hashlib.sha256(data).hexdigest(), path, index)
    payload = cache.load(_KIND, key)
    found = _decode(payload) if payload is not None else None
    if found is not None:
        names, attrs = found
        face: TTFontFace = TTFontFace.__new__(TTFontFace)
        state = vars(face)
        state.update(attrs)
        for name, text in names.items():
            state[name] = TTFNameBytes(text.encode("utf-8"))
        state["filename"] = path
        state["_ttf_data"] = data
        state["_pdfScale"] = _scale(attrs["unitsPerEm"])  # type: ignore[arg-type]
        return face
    face = TTFontFace(path, validate=0, subfontIndex=index)
    if face._ttf_data == data:  # (not changed since it was hashed)
        entry = _encode(face)
        if entry is not None:
            cache.store(_KIND, key, entry, limit=_LIMIT)
    return face
