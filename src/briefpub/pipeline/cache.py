"""The build cache: artifacts kept by a hash of everything that made them (build stage: incremental builds).

``briefpub build`` asks the cache for every job before building it. The job's
**key** is the SHA-256 of a canonical JSON record of everything its bytes depend
on (:meth:`BuildCache.job_key`):

* the bytes of every input (and its path as given: diagnostics name it);
* the *resolved* style sheet, after ``extends`` and the ``set`` overrides (so an
  edited base sheet counts, and two files resolving to the same sheet share entries);
* the fonts the writer may use: the style's resolved font set (families, faces,
  files) and the SHA-256 of each file (remembered by size, modification time and
  inode in ``files.json``, so an unchanged rebuild does not re-read ~30 MB of fonts);
* the options: format, reader, ``set`` pairs, the pack's fields and flags;
* the software: briefpub's version, a hash of its own source files (an edited writer
  rebuilds), the Python version, the versions of its dependencies and any installed
  plugins;
* the build time (``SOURCE_DATE_EPOCH``): without it every artifact carries the
  current time, and the cache is not used at all.

Images are inputs too, but finding them means reading the article. An entry
therefore records what reading each article's images found (the content key of
the bytes read, or why an image was not read); before an entry is used,
:func:`~briefpub.pipeline.resources.images_unchanged` checks the images again
without reading the article. A changed image makes the entry stale: the artifact
is rebuilt and the entry replaced.

An **entry** (``v1/<2 hex>/<key>``) is one file: a magic line, the SHA-256 and
length of a JSON header, the header (the key, its components' digests, the
artifact's SHA-256 and size, the diagnostics and fonts its build reported, the
image record), then the artifact's bytes. A restore checks the magic, the
header's hash, and that the header names this key and version. An output file
already holding the artifact (its SHA-256, remembered per output folder by size,
times and inode in ``outputs/``, equals the header's) is left untouched and the
artifact's bytes are not read: that is what keeps an unchanged rebuild of
thousands of artifacts near a second. Otherwise the bytes are read and checked
against the header's SHA-256 before they are written. Anything that fails a check
is a damaged or foreign entry: it is removed, reported (``build.cache-damaged``)
and the artifact rebuilt, never copied to the output.

Entries are written through a temporary file and a rename (:func:`atomic_write`),
so parallel workers and two builds sharing a cache never see a partial entry
(two writers of one key write the same bytes). The cache is bounded:
:func:`trim` removes the entries used least recently (a restore refreshes an
entry's modification time) until it fits ``max_bytes``; ``briefpub cache prune``
and ``briefpub cache clear`` do it by hand.
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import json
import os
import re
import sys
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, BinaryIO

from briefpub._lazyre import lazy_re
from briefpub.cache import sha256_file
from briefpub.diagnostics import Diagnostic
from briefpub.errors import OutputError, UsageError
from briefpub.pipeline.output import atomic_write, remove_stale_temps
from briefpub.pipeline.resources import ImageRecord, images_unchanged
from briefpub.styling.model import StyleSheet

__all__ = [
    "DEFAULT_DIR_NAME",
    "DEFAULT_MAX_BYTES",
    "ENV_DIR",
    "ENV_MAX_SIZE",
    "BuildCache",
    "CacheSlot",
    "Damaged",
    "Entry",
    "FileHashes",
    "PackCache",
    "clear",
    "entry_files",
    "env_cache_dir",
    "max_cache_bytes",
    "parse_size",
    "read_entry",
    "sha256_file",
    "store",
    "trim",
]

KEY_SCHEMA = "briefpub.cache-key/1"
ENTRY_SCHEMA = "briefpub.cache-entry/1"
MAGIC = b"briefpub-cache 1\n"
ENTRIES = "v1"
FILES_INDEX = "files.json"
DEFAULT_DIR_NAME = ".briefpub-cache"
"""The default cache folder, beside the manifest."""
ENV_DIR = "BRIEFPUB_BUILD_CACHE_DIR"
ENV_MAX_SIZE = "BRIEFPUB_BUILD_CACHE_MAX_SIZE"
DEFAULT_MAX_BYTES = 2 * 1024**3
"""The cache's default bound: 2 GiB (``BRIEFPUB_BUILD_CACHE_MAX_SIZE`` changes it)."""
_MAX_HEADER = 64 * 1024 * 1024
_KEY_RE = lazy_re(r"^[0-9a-f]{64}$")
_FRESH_SECONDS = 2.0  # a file modified this recently may change again within its timestamp's resolution


def env_cache_dir() -> Path | None:
    """The cache folder ``$BRIEFPUB_BUILD_CACHE_DIR`` names, or None when it is unset or blank."""
    value = os.environ.get(ENV_DIR, "").strip()
    return Path(value) if value else None


def _canonical(value: object) -> bytes:
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str).encode("utf-8")


def _digest(value: object) -> str:
    return hashlib.sha256(_canonical(value)).hexdigest()


class FileHashes:
    """SHA-256 of files that rarely change (fonts, briefpub's own source), remembered in ``files.json``.

    A remembered hash is used while the file has the same size, modification and change times (ns)
    and inode;
    a file modified in the last two seconds is hashed but not remembered (it could change again
    within one tick of its timestamp). Losing the index (or a write lost to a concurrent build)
    only costs hashing again.
    """

    def __init__(self, path: Path | None) -> None:
        self.path = path
        self._data: dict[str, list[Any]] = {}
        self._dirty = False
        self.hashed = 0  # files read and hashed (tests count these)
        if path is not None:
            with contextlib.suppress(OSError, ValueError):
                loaded = json.loads(path.read_bytes())
                if isinstance(loaded, dict) and loaded.get("schema") == "briefpub.cache-files/1":
                    files = loaded.get("files")
                    if isinstance(files, dict):
                        self._data = {k: v for k, v in files.items() if isinstance(v, list) and len(v) == 5}

    def sha256(self, path: str) -> str:
        """The SHA-256 of the file at ``path`` (OSError if it cannot be read)."""
        info = os.stat(path)
        stamp = [info.st_size, info.st_mtime_ns, info.st_ctime_ns, info.st_ino]
        known = self._data.get(path)
        if known is not None and known[:4] == stamp:
            return str(known[4])
        digest = sha256_file(path)
        self.hashed += 1
        if time.time() - info.st_mtime_ns / 1e9 > _FRESH_SECONDS:
            self._data[path] = [*stamp, digest]
            self._dirty = True
        return digest

    def save(self) -> None:
        """Write the index if it changed (atomically; a failure only costs hashing again next time)."""
        if self.path is None or not self._dirty:
            return
        with contextlib.suppress(OutputError):
            atomic_write(self.path, _canonical({"schema": "briefpub.cache-files/1", "files": self._data}),
                         durable=False)
            self._dirty = False


# ----------------------------------------------------------------------------- the software fingerprint


def _package_files() -> list[tuple[str, str]]:
    """(relative path, absolute path) of briefpub's own files (source and data, no bytecode), sorted."""
    root = Path(__file__).resolve().parents[1]
    found: list[tuple[str, str]] = []
    for folder, dirs, files in os.walk(root):
        dirs[:] = sorted(d for d in dirs if d != "__pycache__")
        for name in sorted(files):
            if not name.endswith((".pyc", ".pyo")):
                full = os.path.join(folder, name)
                found.append((os.path.relpath(full, root).replace(os.sep, "/"), full))
    return found


def _libraries() -> dict[str, str]:
    """Versions of briefpub's declared dependencies and of installed reader/writer plugins."""
    from importlib import metadata

    try:
        requires = metadata.requires("briefpub") or []
    except metadata.PackageNotFoundError:
        requires = []
    names = sorted({re.split(r"[\s;<>=!~\[(]", req, maxsplit=1)[0].lower() for req in requires
                    if "extra ==" not in req})
    versions: dict[str, str] = {}
    for name in names:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = ""
    for group in ("briefpub.readers", "briefpub.writers"):
        for ep in metadata.entry_points(group=group):
            dist = getattr(ep, "dist", None)
            versions[f"{group}:{ep.name}"] = f"{ep.value} {getattr(dist, 'name', '')} {getattr(dist, 'version', '')}"
    return versions


def software(hashes: FileHashes) -> dict[str, object]:
    """What built the artifacts: briefpub's version and source, Python, the libraries and plugins."""
    from briefpub import __version__

    code = _digest([(rel, hashes.sha256(full)) for rel, full in _package_files()])
    return {"briefpub": __version__, "code": code, "python": sys.version, "libraries": _libraries()}


# ----------------------------------------------------------------------------- entries


class Damaged(Exception):
    """A cache entry that cannot be used: truncated, altered, or written for another key or version."""


@dataclass(frozen=True, slots=True)
class Entry:
    """A cache entry read and checked: its header and the artifact's bytes."""

    header: Mapping[str, Any]
    data: bytes


def _entry_path(root: Path | str, key: str) -> str:
    return os.path.join(root, ENTRIES, key[:2], key)


def read_entry(path: Path, key: str) -> Entry | None:
    """The entry at ``path`` checked against ``key`` (header and artifact); None when there is none;
    :class:`Damaged` when unusable."""
    try:
        with open(path, "rb") as fh:
            header = _read_header(fh, key)
            return Entry(header, _read_data(fh, header))
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise Damaged(f"cannot be read ({exc.strerror or exc})") from None


def _read_header(fh: BinaryIO, key: str) -> dict[str, Any]:
    """The header of an open entry, checked (its hash, schema, key and version); the file is left at the
    artifact's first byte."""
    from briefpub import __version__

    head = fh.read(len(MAGIC) + 100)
    if not head.startswith(MAGIC):
        raise Damaged("not a briefpub cache entry (wrong first line)")
    line_end = head.find(b"\n", len(MAGIC))
    fields = head[len(MAGIC):line_end].split(b" ") if line_end > 0 else []
    if len(fields) != 2 or not fields[1].isdigit() or int(fields[1]) > _MAX_HEADER:
        raise Damaged("its header line is damaged")
    size = int(fields[1])
    header_bytes = head[line_end + 1:line_end + 1 + size]
    header_bytes += fh.read(size - len(header_bytes))
    if len(header_bytes) != size or hashlib.sha256(header_bytes).hexdigest().encode() != fields[0]:
        raise Damaged("its header does not match its checksum (truncated or altered)")
    fh.seek(line_end + 1 + size)
    try:
        header = json.loads(header_bytes)
    except ValueError:
        raise Damaged("its header is not JSON") from None
    if not isinstance(header, dict) or header.get("schema") != ENTRY_SCHEMA:
        raise Damaged("its header has another schema")
    if header.get("key") != key or header.get("briefpub") != __version__:
        raise Damaged(f"written for another key or version (briefpub {header.get('briefpub')}): a foreign entry")
    if not isinstance(header.get("size"), int) or not isinstance(header.get("sha256"), str):
        raise Damaged("its header has no artifact size or SHA-256")
    return header


def _read_data(fh: BinaryIO, header: Mapping[str, Any]) -> bytes:
    """The artifact's bytes, checked against the header's size and SHA-256."""
    data = fh.read(int(header["size"]) + 1)
    if len(data) != header["size"] or hashlib.sha256(data).hexdigest() != header["sha256"]:
        raise Damaged("its artifact does not match the recorded SHA-256 (truncated or altered)")
    return data


def entry_bytes(header: Mapping[str, Any], data: bytes) -> bytes:
    """The file form of an entry (see the module docstring)."""
    header_bytes = json.dumps(header, ensure_ascii=False, separators=(",", ":")).encode("utf-8")  # order kept
    return b"".join((MAGIC, hashlib.sha256(header_bytes).hexdigest().encode(), b" ",
                     str(len(header_bytes)).encode(), b"\n", header_bytes, data))


@dataclass(frozen=True, slots=True)
class CacheSlot:
    """Where a job's artifact goes in the cache (plain data, handed to worker processes)."""

    root: str
    key: str
    components: tuple[tuple[str, str], ...] = ()


def store(slot: CacheSlot, output: Path, sha256: str, *, fmt: str, diagnostics: Sequence[Mapping[str, Any]],
          fonts: Sequence[Mapping[str, Any]], images: Mapping[str, ImageRecord],
          extra: Mapping[str, Any] | None = None) -> str:
    """Put the artifact just written at ``output`` in the cache; returns a problem in words, or ``""``.

    The file is read back and checked against ``sha256`` (another process may have replaced it).
    """
    from briefpub import __version__

    try:
        data = output.read_bytes()
    except OSError as exc:
        return f"cannot read {output} back ({exc.strerror or exc})"
    if hashlib.sha256(data).hexdigest() != sha256:
        return f"{output} changed while it was being cached"
    header = {
        "schema": ENTRY_SCHEMA,
        "key": slot.key,
        "briefpub": __version__,
        "components": dict(slot.components),
        "format": fmt,
        "sha256": sha256,
        "size": len(data),
        "diagnostics": list(diagnostics),
        "fonts": list(fonts),
        "images": {source: [list(pair) for pair in record] for source, record in images.items()},
        **(extra or {}),
    }
    try:
        atomic_write(Path(_entry_path(slot.root, slot.key)), entry_bytes(header, data), durable=False)
    except OutputError as exc:
        return str(exc)
    return ""


# ----------------------------------------------------------------------------- the cache of one build


@dataclass(slots=True)
class Restored:
    """What a restore found: the entry's header (None on a miss) and a problem with the entry, if any."""

    header: Mapping[str, Any] | None
    problem: str = ""


@dataclass(slots=True)
class BuildCache:
    """The cache of one build: computes job keys and restores entries (in the build's own process)."""

    root: Path
    build_time: datetime
    hashes: FileHashes = field(init=False)
    _software: str = field(init=False, default="")
    _inputs: dict[str, str | None] = field(init=False, default_factory=dict)
    _styles: dict[tuple[str, tuple[tuple[str, str], ...]], tuple[str, str]] = field(init=False, default_factory=dict)
    _outputs: dict[str, FileHashes] = field(init=False, default_factory=dict)
    _absolute: dict[Path, str] = field(init=False, default_factory=dict)
    _targets: dict[tuple[Any, ...], dict[str, str] | None] = field(init=False, default_factory=dict)
    _images: dict[tuple[str, tuple[tuple[str, str], ...]], bool] = field(init=False, default_factory=dict)

    def __post_init__(self) -> None:
        self.hashes = FileHashes(self.root / FILES_INDEX)

    def _images_unchanged(self, source: str, record: list[Any]) -> bool:
        """:func:`~briefpub.pipeline.resources.images_unchanged`, once per article and record in a build (its
        formats and the packs using it share the answer: each image is read once, not once per artifact)."""
        pairs = tuple((str(ref), str(outcome)) for ref, outcome in record)
        known = self._images.get((source, pairs))
        if known is None:
            known = self._images[(source, pairs)] = images_unchanged(list(pairs), Path(source).parent, source)
        return known

    def prepare(self) -> None:
        """Create the folder (with a ``.gitignore`` and ``CACHEDIR.TAG``); OutputError if it cannot be."""
        fresh = not (self.root / ENTRIES).is_dir()
        try:
            (self.root / ENTRIES).mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            from briefpub.pipeline.output import output_error

            raise output_error(self.root, exc) from None
        if fresh:
            with contextlib.suppress(OutputError):
                atomic_write(self.root / ".gitignore", b"# created by briefpub: the build cache is not versioned\n*\n",
                             durable=False)
                atomic_write(self.root / "CACHEDIR.TAG", b"Signature: 8a477f597d28d172789f06886806bc55\n"
                             b"# This folder is briefpub's build cache (see docs/manifest.md).\n", durable=False)

    def software_digest(self) -> str:
        """The digest of :func:`software` (computed once per build)."""
        if not self._software:
            self._software = _digest(software(self.hashes))
        return self._software

    def input_sha256(self, path: str) -> str | None:
        """The SHA-256 of an input, once per build; None for anything but a readable regular file."""
        if path not in self._inputs:
            try:
                self._inputs[path] = sha256_file(path) if os.path.isfile(path) else None
            except OSError:
                self._inputs[path] = None
        return self._inputs[path]

    def _style(self, style: str, sets: tuple[tuple[str, str], ...], needs_fonts: bool) -> tuple[str, str]:
        """(resolved sheet digest, font set digest) of a style with its overrides."""
        found = self._styles.get((style, sets))
        if found is None or (needs_fonts and not found[1]):
            from briefpub.styling import load_style, with_overrides
            from briefpub.transforms import split_overrides

            _meta, style_sets = split_overrides(sets)
            sheet = with_overrides(load_style(style), style_sets)
            found = (_digest(dataclasses.asdict(sheet)), self._fonts(sheet) if needs_fonts else "")
            self._styles[(style, sets)] = found
        return found

    def _fonts(self, sheet: StyleSheet) -> str:
        from briefpub.pipeline import style_fonts

        fonts = style_fonts(sheet)
        roles = {role: [[family.name, [[face.path, face.index] for face in family.faces]]
                        for family in fonts.families(role)] for role in sorted(fonts.roles)}
        files = {path: self.hashes.sha256(path) for path in sorted({face.path for face in fonts.faces()})}
        return _digest({"roles": roles, "missing": list(fonts.missing), "mono": fonts.mono_substitute,
                        "files": files})

    def job_key(self, *, kind: str, fmt: str, inputs: Sequence[str], reader: str | None,
                sets: tuple[tuple[str, str], ...], style: str, pack: Sequence[tuple[str, Any]] = (),
                skip_bad_inputs: bool = False) -> CacheSlot | None:
        """The cache slot of one artifact, or None when it cannot be cached (an input that is not a
        regular file, a reader or writer from a plugin, whose code the key cannot cover).

        Raises OSError when a font or one of briefpub's own files cannot be read.
        """
        if fmt not in _BUILTIN_WRITERS or (reader is not None and reader not in _BUILTIN_READERS):
            return None  # a plugin may not claim a built-in name
        target = (kind, tuple(inputs), reader, sets, style, tuple(pack), skip_bad_inputs)
        if target not in self._targets:  # the formats of one target share all but the format and fonts
            self._targets[target] = self._target_components(*target)
        common = self._targets[target]
        if common is None:
            return None
        style_digest, fonts_digest = self._style(style, sets, needs_fonts=fmt != "json")
        components = {**common, "style": style_digest, "fonts": fonts_digest, "format": fmt}
        key = _digest({"schema": KEY_SCHEMA, **components})
        return CacheSlot(str(self.root), key, tuple(sorted(components.items())))

    def _target_components(self, kind: str, inputs: tuple[str, ...], reader: str | None,
                           sets: tuple[tuple[str, str], ...], style: str, pack: tuple[tuple[str, Any], ...],
                           skip_bad_inputs: bool) -> dict[str, str] | None:
        del style  # in the key as the resolved sheet
        hashed: list[list[str]] = []
        for path in inputs:
            digest = self.input_sha256(path)
            if digest is None:
                return None
            hashed.append([path, digest])
        return {
            "software": self.software_digest(),
            "inputs": _digest(hashed),
            "options": _digest({"kind": kind, "reader": reader, "set": [list(p) for p in sets],
                                "pack": [[k, v] for k, v in pack], "skip_bad_inputs": skip_bad_inputs}),
            "build_time": self.build_time.isoformat(),
        }

    def outputs(self, out_dir: Path) -> FileHashes:
        """The remembered hashes of the files in one output folder (``outputs/<hash of its path>.json``)."""
        where = self._absolute.get(out_dir)
        if where is None:
            where = self._absolute[out_dir] = os.path.abspath(out_dir)
        if where not in self._outputs:
            name = hashlib.sha256(where.encode("utf-8", "surrogateescape")).hexdigest()[:32]
            self._outputs[where] = FileHashes(self.root / "outputs" / f"{name}.json")
        return self._outputs[where]

    def restore(self, slot: CacheSlot, out_dir: Path, rel: str) -> Restored:
        """Put the entry of ``slot`` at ``out_dir/rel`` if it is there, sound and current.

        A miss, or an entry whose images changed, gives ``Restored(None)``; a damaged or foreign
        entry is removed and gives ``Restored(None, problem)``. An output file that already holds
        the entry's artifact (by SHA-256, remembered by size, times and inode) is left as it is and
        the artifact's bytes are not even read; otherwise they are read, checked and written
        atomically.
        """
        path = _entry_path(self.root, slot.key)
        outputs = self.outputs(out_dir)
        output = os.path.join(self._absolute[out_dir], rel)
        try:
            with open(path, "rb") as fh:
                header = _read_header(fh, slot.key)
                images = header.get("images")
                if not isinstance(images, dict):
                    raise Damaged("has no image record")
                for source, record in images.items():
                    if record and not self._images_unchanged(source, record):
                        return Restored(None)
                try:
                    same = outputs.sha256(output) == header["sha256"]
                except OSError:
                    same = False
                if not same:
                    atomic_write(out_dir / rel, _read_data(fh, header))
        except FileNotFoundError:
            return Restored(None)
        except (Damaged, OSError) as exc:
            problem = str(exc) if isinstance(exc, Damaged) else f"cannot be read ({exc.strerror or exc})"
            with contextlib.suppress(OSError):
                os.unlink(path)
            return Restored(None, f"cache entry {path} {problem}; rebuilt")
        with contextlib.suppress(OSError):
            os.utime(path)  # used: the last to go when the cache is trimmed
        return Restored(header)

    def close(self, max_bytes: int, stored: int) -> None:
        """End of build: save the file-hash indexes and, when ``stored`` entries were added, trim the
        cache to ``max_bytes`` (a build that only restored did not make it grow)."""
        self.hashes.save()
        for hashes in self._outputs.values():
            hashes.save()
        if stored:
            trim(self.root, max_bytes)


_BUILTIN_WRITERS = frozenset({"pdf", "epub", "docx", "json"})
_BUILTIN_READERS = frozenset({"txt", "md", "html"})


# ----------------------------------------------------------------------------- the pack command


@dataclass(frozen=True, slots=True)
class RestoredPack:
    """Every format of a ``briefpub pack`` run, restored: what the command reports."""

    outputs: list[dict[str, object]]
    diagnostics: list[Diagnostic]
    articles: int


@dataclass(slots=True)
class PackCache:
    """The cache of one ``briefpub pack`` run: all its formats are restored together or built together
    (the EPUB's page list comes from the PDF made in the same run, so the format list is in the key)."""

    cache: BuildCache
    slots: list[CacheSlot]
    problems: list[str] = field(default_factory=list)

    @classmethod
    def open(cls, option: Path | None, build_time: datetime, inputs: Sequence[str], formats: Sequence[str],
             reader: str | None, sets: Sequence[tuple[str, str]], style: str | None,
             meta: Mapping[str, Any]) -> PackCache | None:
        """The pack's cache: ``option``, else ``$BRIEFPUB_BUILD_CACHE_DIR``; None without one, without
        ``SOURCE_DATE_EPOCH``, or when an input is standard input or a URL."""
        folder = option if option is not None else env_cache_dir()
        if folder is None or not os.environ.get("SOURCE_DATE_EPOCH", "").strip():
            return None
        if any(path == "-" or "://" in path for path in inputs):
            return None
        cache = BuildCache(folder, build_time)
        try:
            cache.prepare()
        except OutputError:
            return None
        fields = tuple(sorted((*meta.items(), ("formats", ",".join(formats)))))
        slots = []
        for fmt in formats:
            try:
                slot = cache.job_key(kind="pack-command", fmt=fmt, inputs=inputs, reader=reader, sets=tuple(sets),
                                     style=style or "briefing", pack=fields)
            except OSError:  # a font or source file that cannot be read: the build will say more
                slot = None
            if slot is None:
                return None
            slots.append(slot)
        return cls(cache, slots)

    def restore(self, targets: Sequence[tuple[str, Path]]) -> RestoredPack | None:
        """Every target restored (None if any is missing, stale or damaged: then all are built)."""
        headers = []
        for slot, (_fmt, path) in zip(self.slots, targets, strict=True):
            restored = self.cache.restore(slot, path.parent, path.name)
            if restored.problem:
                self.problems.append(f"{path}: {restored.problem}")
            if restored.header is None:
                self.cache.hashes.save()
                return None
            headers.append(restored.header)
        self.cache.close(DEFAULT_MAX_BYTES, stored=0)  # (nothing stored: nothing to trim)
        outputs: list[dict[str, object]] = [
            {"path": str(path), "format": fmt, "sha256": header["sha256"], "size": header["size"], "seconds": 0.0,
             "fonts": header["fonts"], "cached": True}
            for header, (fmt, path) in zip(headers, targets, strict=True)
        ]
        diagnostics = [Diagnostic(**d) for d in headers[0]["diagnostics"]]
        return RestoredPack(outputs, diagnostics, int(headers[0].get("articles", 0)))

    def store(self, artifacts: Sequence[Any], diagnostics: Sequence[Diagnostic], articles: int,
              images: Mapping[str, ImageRecord]) -> list[str]:
        """Put every format just built in the cache; returns the problems met, in words."""
        problems = []
        dicts = [d.to_dict() for d in diagnostics]
        for slot, artifact in zip(self.slots, artifacts, strict=True):
            problem = store(slot, artifact.path, artifact.sha256, fmt=artifact.format, diagnostics=dicts,
                            fonts=[f.to_dict() for f in artifact.fonts], images=images,
                            extra={"articles": articles})
            if problem:
                problems.append(problem)
        self.cache.close(max_cache_bytes(), stored=len(artifacts))
        return problems


def max_cache_bytes() -> int:
    """The cache's size bound: ``$BRIEFPUB_BUILD_CACHE_MAX_SIZE``, else 2 GiB (UsageError if unreadable)."""
    raw = os.environ.get(ENV_MAX_SIZE, "").strip()
    return parse_size(raw, ENV_MAX_SIZE) if raw else DEFAULT_MAX_BYTES


# ----------------------------------------------------------------------------- size


def entry_files(root: Path) -> list[tuple[float, int, Path]]:
    """(modification time, size, path) of every entry under ``root``."""
    found: list[tuple[float, int, Path]] = []
    base = root / ENTRIES
    if not base.is_dir():
        return found
    for sub in sorted(base.iterdir()):
        if not sub.is_dir():
            continue
        for item in os.scandir(sub):
            if _KEY_RE.match(item.name):
                with contextlib.suppress(OSError):
                    info = item.stat()
                    found.append((info.st_mtime, info.st_size, Path(item.path)))
    return found


def trim(root: Path, max_bytes: int) -> tuple[int, int]:
    """Remove the least recently used entries until the cache holds at most ``max_bytes``;
    also removes temporary files of ended processes. Returns (entries removed, bytes freed)."""
    remove_stale_temps(root)
    entries = sorted(entry_files(root), key=lambda e: (e[0], str(e[2])))
    total = sum(size for _mtime, size, _path in entries)
    removed = freed = 0
    for _mtime, size, path in entries:
        if total <= max_bytes:
            break
        with contextlib.suppress(OSError):
            path.unlink()
            removed += 1
            freed += size
            total -= size
    return removed, freed


def clear(root: Path) -> tuple[int, int]:
    """Remove every entry and the file-hash indexes (the folder stays); returns (entries, bytes)."""
    removed, freed = trim(root, 0)
    for index in (root / FILES_INDEX, *sorted((root / "outputs").glob("*.json"))):
        with contextlib.suppress(OSError):
            index.unlink()
    return removed, freed


_SIZE_RE = lazy_re(r"^\s*(\d+(?:\.\d+)?)\s*([kmgt]?)(i?b)?\s*$", re.IGNORECASE)


def parse_size(text: str, where: str) -> int:
    """``"500M"``, ``"2 GiB"``, ``"1048576"`` -> bytes (powers of 1024); UsageError naming ``where``."""
    m = _SIZE_RE.match(text)
    if not m:
        raise UsageError(f"{where} = {text!r}: expected a size such as 500M or 2G")
    power = " kmgt".index(m.group(2).lower() or " ")
    return int(float(m.group(1)) * 1024**power)
