"""Manifest-driven builds for CI: parallel, shardable, reproducible (build stage).

A manifest (``briefpub.toml``, documented in ``docs/manifest.md``) declares packs
and single articles. :func:`load_manifest` checks all of it (types, keys, styles,
folders) before anything is built; :func:`plan` turns it into a sorted list of
:class:`Job` (one artifact each: a target in one format), refusing paths that
would collide; :func:`run_jobs` builds them in ``jobs`` worker processes that
end with the build; :func:`write_outputs` writes ``SHA256SUMS`` and
``build-report.json`` into the output folder. One failing job fails its own
artifact and the exit code, never the rest of the build. ``--shard I/N``
builds a deterministic subset (every N-th job of the sorted plan), and
:func:`merge_reports` checks the shards' reports and joins them into the full one.
"""

from __future__ import annotations

import contextlib
import difflib
import functools
import glob
import json
import os
import posixpath
import re
import signal
import sys
import threading
import time
import tomllib
import unicodedata
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import Future, ProcessPoolExecutor, ThreadPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from datetime import date, datetime
from datetime import time as dt_time
from pathlib import Path
from typing import Any

from briefpub._lazyre import lazy_re
from briefpub.diagnostics import Diagnostic
from briefpub.errors import BriefpubError, OutputError, SetupError, UsageError
from briefpub.pipeline import Artifact, PublishError, atomic_write, output_stem, prepare_article, publish
from briefpub.pipeline.cache import BuildCache, CacheSlot, sha256_file, store
from briefpub.pipeline.output import TEMP_RE, install_termination_cleanup, on_termination
from briefpub.pipeline.pack import assemble_pack, cover_date, safe_name, skipped_diagnostics
from briefpub.pipeline.resources import ImageNames, ImageRecord
from briefpub.styling import load_style, with_overrides
from briefpub.styling.model import StyleSheet
from briefpub.transforms import split_overrides
from briefpub.tree import PackMeta, Publication

REPORT_SCHEMA = "briefpub.build-report/1"
REPORT_NAME = "build-report.json"
SUMS_NAME = "SHA256SUMS"

_TOP_KEYS = ("build", "pack", "article")
_BUILD_KEYS = ("out", "formats", "style", "set", "cache")
_PACK_TEXT = ("name", "title", "subtitle", "date", "compiled_by", "reference", "version", "marking", "language")
_PACK_FLAGS = ("summary_page", "duplex", "skip_bad_inputs")
_PACK_KEYS = (*_PACK_TEXT, *_PACK_FLAGS, "inputs", "formats", "style", "set", "from")
_ARTICLE_KEYS = ("inputs", "formats", "style", "set", "from", "out")
_DEFAULT_FORMATS = ("pdf", "epub", "docx")
RESERVED_NAMES = (SUMS_NAME, REPORT_NAME)
"""Names of the build's own files, refused as artifact paths (any case)."""


@dataclass(frozen=True, slots=True)
class Target:
    """A pack or a group of single articles, as declared in the manifest."""

    kind: str  # "pack" | "article"
    name: str  # pack name; for articles, the input's output stem
    inputs: tuple[str, ...]
    formats: tuple[str, ...]
    style: str
    sets: tuple[tuple[str, str], ...]
    fmt: str | None = None
    subdir: str = ""
    pack: tuple[tuple[str, Any], ...] = ()  # pack metadata fields
    skip_bad_inputs: bool = False
    where: str = ""  # its key path in the manifest: "pack[0]", "article[2]"


@dataclass(frozen=True, slots=True)
class Job:
    """One artifact to build: a target in one format, written to ``out/<path>``."""

    id: str
    target: Target
    format: str
    path: str  # relative to the output folder, POSIX separators


@dataclass(slots=True)
class JobResult:
    """What one job produced (plain data, so it crosses process boundaries)."""

    id: str
    kind: str
    format: str
    path: str
    inputs: list[dict[str, str]] = field(default_factory=list)
    sha256: str = ""
    size: int = 0
    seconds: float = 0.0
    diagnostics: list[dict[str, object]] = field(default_factory=list)
    fonts: list[dict[str, object]] = field(default_factory=list)
    error: str = ""
    exit_code: int = 0  # 2: the machine is the problem (output not writable, no font); 1: any other failure
    cached: bool = False  # restored from the build cache, not built
    cache_note: str = ""  # a problem putting the artifact in the cache (printed, not in the report)

    def to_dict(self) -> dict[str, object]:
        """The JSON form in the build report."""
        return {
            "id": self.id,
            "kind": self.kind,
            "format": self.format,
            "ok": not self.error,
            "error": self.error or None,
            "output": {"path": self.path, "sha256": self.sha256, "size": self.size} if not self.error else None,
            "inputs": self.inputs,
            "diagnostics": self.diagnostics,
            "fonts": self.fonts,
            "cached": self.cached,
            "seconds": round(self.seconds, 4),
        }


@dataclass(frozen=True, slots=True)
class Manifest:
    """A parsed manifest: where it is, its default output folder, and its targets."""

    path: Path
    out: str
    targets: tuple[Target, ...]
    cache: str = ""  # [build] cache: the cache folder, relative to the manifest ("" = the default)


# ----------------------------------------------------------------------------- manifest


def _err(path: Path, where: str, problem: str) -> UsageError:
    return UsageError(f"{path}: {where}: {problem}")


def _show(value: object) -> str:
    """A TOML value as the user wrote it, shortened."""
    text = json.dumps(value, ensure_ascii=False, default=str) if not isinstance(value, dict) else "a table"
    return text if len(text) <= 60 else text[:57] + "..."


class _Checker:
    """Type and value checks of one manifest; every error names the file and the key path."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def err(self, where: str, problem: str) -> UsageError:
        return _err(self.path, where, problem)

    def table(self, value: object, where: str, how: str) -> dict[str, Any]:
        if not isinstance(value, dict):
            raise self.err(where, f"expected a table ({how}), not {_show(value)}")
        return value

    def tables(self, data: dict[str, Any], key: str) -> list[dict[str, Any]]:
        value = data.get(key, [])
        if not isinstance(value, list):
            raise self.err(key, f"use [[{key}]] tables, one per {key}")
        return [self.table(item, f"{key}[{i}]", f"[[{key}]]") for i, item in enumerate(value)]

    def keys(self, table: dict[str, Any], known: Sequence[str], where: str, what: str = "key") -> None:
        for key in table:
            if key not in known:
                close = difflib.get_close_matches(key, known, n=1)
                hint = f"did you mean {close[0]!r}? " if close else ""
                prefix = f"{where}.{key}" if where else key
                raise self.err(prefix, f"unknown {what} ({hint}known: {', '.join(known)})")

    def text(self, table: dict[str, Any], key: str, where: str, default: str = "") -> str:
        value = table.get(key, default)
        if key == "date" and isinstance(value, (date, dt_time)):
            return value.isoformat()
        if not isinstance(value, str):
            hint = f' (quote it: {key} = "{value}")' if isinstance(value, (int, float)) else ""
            raise self.err(f"{where}.{key}", f"expected a string, not {_show(value)}{hint}")
        return value

    def flag(self, table: dict[str, Any], key: str, where: str) -> bool:
        value = table.get(key, False)
        if not isinstance(value, bool):
            raise self.err(f"{where}.{key}", f"expected true or false (unquoted), not {_show(value)}")
        return value

    def str_list(self, table: dict[str, Any], key: str, where: str, default: Sequence[str]) -> tuple[str, ...]:
        value = table.get(key, list(default))
        example = '["a.txt", "notes/*.md"]' if key == "inputs" else '["pdf", "epub"]'
        if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
            raise self.err(f"{where}.{key}", f"expected a list of non-empty strings such as {example}, "
                                              f"not {_show(value)}")
        if not value:
            raise self.err(f"{where}.{key}", "is empty: list at least one")
        return tuple(dict.fromkeys(v.strip() for v in value))

    def sets(self, table: dict[str, Any], where: str) -> tuple[tuple[str, str], ...]:
        value = self.table(table.get("set", {}), f"{where}.set", "KEY = VALUE pairs")
        out = []
        for key, val in value.items():
            if isinstance(val, bool):
                val = "true" if val else "false"
            if not isinstance(val, (str, int, float)):
                raise self.err(f"{where}.set.{key}", f"expected a string, number or boolean, not {_show(val)}")
            out.append((str(key), str(val)))
        split_overrides(out, f"{self.path}: {where}.set")  # unknown keys refused at load, with a suggestion
        return tuple(out)

    def folder(self, table: dict[str, Any], where: str, *, top: bool, name: str = "out") -> str:
        """A relative folder inside the manifest's folder (``top``) or the output folder, normalised."""
        key = f"{where}.{name}"
        raw = self.text(table, name, where, name if top else "")
        inside = "the manifest's folder" if top else "the output folder"
        if "\\" in raw or any(unicodedata.category(c) == "Cc" for c in raw):
            raise self.err(key, f"{raw!r}: use / between folder names, no backslash or control character")
        if raw.startswith("/") or re.match(r"^[A-Za-z]:", raw):
            raise self.err(key, f"{raw!r}: must be a relative folder inside {inside} (use --out for another place)")
        norm = posixpath.normpath(raw) if raw.strip() else "."
        if norm == ".." or norm.startswith("../"):
            raise self.err(key, f"{raw!r}: must be a folder inside {inside}")
        if top and norm == ".":
            raise self.err(key, f"{raw!r}: must be a sub-folder of the manifest's folder, e.g. \"out\"")
        return "" if norm == "." else norm

    def style(self, table: dict[str, Any], where: str, default: str) -> str:
        value = self.text(table, "style", where, default)
        if value.endswith(".toml") or "/" in value or "\\" in value:
            candidate = Path(value)
            if not candidate.is_absolute():
                candidate = self.path.parent / candidate
            return str(candidate)
        return value

    def reader(self, table: dict[str, Any], where: str) -> str | None:
        if "from" not in table:
            return None
        value = self.text(table, "from", where)
        from briefpub.readers import READERS

        if not READERS.knows(value):
            raise self.err(f"{where}.from", f"unknown input format {value!r} (available: {', '.join(READERS.names())})")
        return value

    def settings(self, where: str, style: str, sets: Sequence[tuple[str, str]]) -> None:
        """Load the style with the overrides and apply the metadata ones now, so bad values fail up front."""
        from briefpub.transforms.meta import apply_meta_overrides
        from briefpub.tree import Document, Meta

        try:
            meta_sets, style_sets = split_overrides(sets, "set")
            with_overrides(load_style(style), style_sets)
            apply_meta_overrides(Document(Meta()), meta_sets)
        except BriefpubError as exc:
            raise self.err(where, str(exc).replace("--set", "set")) from None


def _expand(manifest: Path, where: str, patterns: Sequence[str]) -> tuple[str, ...]:
    base = manifest.parent
    cwd = Path.cwd()
    found: list[str] = []
    for pattern in patterns:
        full = pattern if Path(pattern).is_absolute() else str(base / pattern)
        matches = sorted(glob.glob(full, recursive=True)) if glob.has_magic(pattern) else [full]
        if not matches:
            raise _err(manifest, where, f"{pattern!r} matches no file")
        for m in matches:
            rel = Path(m)
            with contextlib.suppress(ValueError):
                rel = rel.relative_to(cwd)
            if str(rel) not in found:
                found.append(str(rel))
    return tuple(found)


MAX_MANIFEST_BYTES = 1024 * 1024


def load_manifest(path: Path) -> Manifest:
    """Parse and validate a whole manifest before anything is built; errors name the file and the key."""
    try:
        if (size := path.stat().st_size) > MAX_MANIFEST_BYTES:  # refused before it is read
            raise UsageError(f"{path}: too large for a manifest ({size / 1048576:.1f} MiB; the limit is 1 MiB)")
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise UsageError(f"{path}: manifest not found") from None
    except IsADirectoryError:
        raise UsageError(f"{path}: is a folder, not a manifest file") from None
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise UsageError(f"{path}: not a valid manifest ({exc})") from None
    check = _Checker(path)
    check.keys(data, _TOP_KEYS, "", "table")
    build = check.table(data.get("build", {}), "build", "[build]")
    check.keys(build, _BUILD_KEYS, "build")
    default_formats = check.str_list(build, "formats", "build", _DEFAULT_FORMATS)
    default_style = check.style(build, "build", "briefing")
    default_sets = check.sets(build, "build")
    out = check.folder(build, "build", top=True)
    cache = check.folder(build, "build", top=True, name="cache") if "cache" in build else ""
    targets: list[Target] = []

    for i, p in enumerate(check.tables(data, "pack")):
        where = f"pack[{i}]"
        check.keys(p, _PACK_KEYS, where)
        if not isinstance(p.get("title"), str) or not p["title"].strip():
            raise check.err(f"{where}.title", "a pack needs a title" + (
                f", not {_show(p['title'])}" if "title" in p else ""))
        if "inputs" not in p:
            raise check.err(f"{where}.inputs", "a pack needs inputs")
        fields = {k: check.text(p, k, where) for k in _PACK_TEXT if k in p}
        flags = {k: check.flag(p, k, where) for k in _PACK_FLAGS}
        name_key = "name" if fields.get("name", "").strip() else "title"
        name = safe_name(fields[name_key], fallback="")
        if not name:
            raise check.err(f"{where}.{name_key}", f"{fields[name_key]!r} has no letter or digit to name the "
                                                   'output file after: set name = "..."')
        sets = default_sets + check.sets(p, where)
        if flags["duplex"]:
            sets += (("page.duplex", "true"),)
        style = check.style(p, where, default_style)
        check.settings(f"{where}.set", style, sets)
        pack_fields: list[tuple[str, Any]] = [(k, v) for k, v in fields.items() if k != "name"]
        if "summary_page" in p:
            pack_fields.append(("summary_page", flags["summary_page"]))
        inputs = check.str_list(p, "inputs", where, ())
        targets.append(
            Target(
                kind="pack",
                name=name,
                inputs=_expand(path, f"{where}.inputs", inputs),
                formats=check.str_list(p, "formats", where, default_formats),
                style=style,
                sets=sets,
                fmt=check.reader(p, where),
                pack=tuple(pack_fields),
                skip_bad_inputs=flags["skip_bad_inputs"],
                where=where,
            )
        )

    for i, a in enumerate(check.tables(data, "article")):
        where = f"article[{i}]"
        check.keys(a, _ARTICLE_KEYS, where)
        if "inputs" not in a:
            raise check.err(f"{where}.inputs", "an article entry needs inputs")
        subdir = check.folder(a, where, top=False)
        formats = check.str_list(a, "formats", where, default_formats)
        style = check.style(a, where, default_style)
        sets = default_sets + check.sets(a, where)
        check.settings(f"{where}.set", style, sets)
        fmt = check.reader(a, where)
        for input_path in _expand(path, f"{where}.inputs", check.str_list(a, "inputs", where, ())):
            targets.append(
                Target(kind="article", name=output_stem(input_path), inputs=(input_path,), formats=formats,
                       style=style, sets=sets, fmt=fmt, subdir=subdir, where=where)
            )
    return Manifest(path=path, out=out, targets=tuple(targets), cache=cache)


# ----------------------------------------------------------------------------- planning


def plan(manifest: Manifest, available_formats: Sequence[str], extensions: Mapping[str, str]) -> list[Job]:
    """Every artifact of the manifest as a job, sorted by output path.

    Refused: unknown formats; two artifacts at one path, or at paths differing
    only in case or Unicode normalisation (they overwrite each other on macOS
    and Windows); a path that is also another artifact's folder; the build's
    own file names (``SHA256SUMS``, ``build-report.json``) and temporary-file
    names.
    """
    jobs: dict[str, Job] = {}
    owners: dict[str, tuple[str, str]] = {}  # folded path -> (path, where)
    folders: dict[str, str] = {}  # folded folder -> where
    for target in manifest.targets:
        where = target.where or f"{target.kind} {target.name!r}"
        for fmt in target.formats:
            if fmt not in available_formats:
                raise UsageError(
                    f"{manifest.path}: {where}.formats: unknown format {fmt!r} "
                    f"(available: {', '.join(available_formats)})"
                )
            rel = posixpath.join(target.subdir, target.name) if target.subdir else target.name
            path = f"{rel}{extensions[fmt]}"
            parts = path.split("/")
            if path.casefold() in (n.casefold() for n in RESERVED_NAMES) or any(TEMP_RE.match(p) for p in parts):
                raise UsageError(f"{manifest.path}: {where}: {path!r} is a name reserved for the build's own "
                                 "files; rename the input or the pack")
            key = unicodedata.normalize("NFC", path).casefold()
            if key in owners:
                other, other_where = owners[key]
                if other == path:
                    raise UsageError(f"{manifest.path}: two targets would write {path} ({other_where} and {where})")
                raise UsageError(f"{manifest.path}: {other_where} and {where} would write {other} and {path}: names "
                                 "differing only in case or accents, one file on macOS and Windows")
            owners[key] = (path, where)
            for i in range(1, len(parts)):
                folders.setdefault(unicodedata.normalize("NFC", "/".join(parts[:i])).casefold(), where)
            jobs[path] = Job(id=f"{target.kind}:{rel}:{fmt}", target=target, format=fmt, path=path)
    for key, (path, where) in owners.items():
        if key in folders:
            raise UsageError(f"{manifest.path}: {where} would write the file {path}, which {folders[key]} needs "
                             "as a folder")
    return [jobs[k] for k in sorted(jobs)]


def parse_shard(value: str) -> tuple[int, int]:
    """``"2/4"`` -> ``(2, 4)``, checked."""
    try:
        index_text, count_text = value.split("/")
        index, count = int(index_text), int(count_text)
    except ValueError:
        raise UsageError(f"--shard {value}: expected I/N, e.g. 1/4") from None
    if count < 1 or not 1 <= index <= count:
        raise UsageError(f"--shard {value}: I must be between 1 and N")
    return index, count


def shard(jobs: Sequence[Job], index: int, count: int) -> list[Job]:
    """The deterministic share of shard ``index`` of ``count`` (1-based): every count-th job."""
    return [job for i, job in enumerate(jobs) if i % count == index - 1]


# ----------------------------------------------------------------------------- execution


def _input_records(inputs: Sequence[str], base_dir: str, sha256: Callable[[str], str | None]) -> list[dict[str, str]]:
    """The report's record of a job's inputs: path (relative to the manifest when inside it) and SHA-256."""
    records = []
    for p in inputs:
        if os.path.isfile(p):
            digest = sha256(p)
            if digest is not None:
                records.append({"path": _display_path(p, base_dir), "sha256": digest})
    return records


@functools.lru_cache(maxsize=65536)
def _display_path(path: str, base_dir: str) -> str:
    """``path`` relative to the manifest's folder when inside it (machine-independent reports)."""
    try:
        return Path(path).resolve().relative_to(Path(base_dir).resolve()).as_posix()
    except ValueError:
        return path


def pack_meta(target: Target, build_time: datetime) -> PackMeta:
    """A pack target's metadata; the cover date defaults to the build's date."""
    fields = dict(target.pack)
    fields.setdefault("date", cover_date(build_time))
    fields["summary_page"] = bool(fields.get("summary_page", False))
    kwargs: dict[str, Any] = {k: (v if k == "summary_page" else str(v)) for k, v in fields.items()}
    return PackMeta(**kwargs)


BuiltArtifact = tuple[Artifact, list[dict[str, object]], dict[str, ImageRecord]]
"""What building one job gives: the artifact written, its diagnostics (report form) and, per input,
what reading its images found (for the build cache)."""


def build_artifact(job: Job, path: Path, build_time: datetime) -> BuiltArtifact:
    """Build one job's artifact here and write it to ``path``; raises on failure (see :func:`run_job`)."""
    target = job.target
    images: dict[str, ImageRecord] = {}
    meta_sets, style_sets = split_overrides(target.sets)
    sheet: StyleSheet = with_overrides(load_style(target.style), style_sets)
    if target.kind == "pack":
        assembled = assemble_pack(target.inputs, pack_meta(target, build_time), fmt=target.fmt,
                                  meta_overrides=meta_sets, skip_bad_inputs=target.skip_bad_inputs,
                                  image_records=images)
        pub: Publication = assembled.publication
        resources: Mapping[str, bytes] = assembled.resources
        names: ImageNames = assembled.image_names
        diagnostics = [*assembled.diagnostics, *skipped_diagnostics(assembled.skipped)]
    else:
        article = prepare_article(target.inputs[0], target.fmt, meta_sets,
                                  image_record=images.setdefault(target.inputs[0], []))
        pub, resources, names = Publication((article.document,)), article.resources, article.image_names
        diagnostics = list(article.diagnostics)
    (artifact,), writer_diags = publish(pub, resources, [(job.format, path)], sheet, build_time=build_time,
                                        image_names=names)
    return artifact, [d.to_dict() for d in (*diagnostics, *writer_diags)], images


def run_job(job: Job, out_dir: str, build_time: datetime, base_dir: str = ".", slot: CacheSlot | None = None,
            builder: Callable[[Job, Path, datetime], BuiltArtifact] | None = None) -> JobResult:
    """Build one artifact (in a worker process, or a thread with a ``builder``); errors are captured, not raised.

    ``builder`` builds and writes the artifact (default :func:`build_artifact`; ``--server``:
    :func:`briefpub.serve.client.remote_build`). With a cache ``slot``, the artifact built is put
    in the cache with its diagnostics.
    """

    started = time.perf_counter()
    target = job.target
    result = JobResult(id=job.id, kind=target.kind, format=job.format, path=job.path)
    try:
        result.inputs = _input_records(target.inputs, base_dir, sha256_file)
        artifact, diagnostics, images = (builder or build_artifact)(job, Path(out_dir) / job.path, build_time)
        result.sha256 = artifact.sha256
        result.size = artifact.size
        result.fonts = [f.to_dict() for f in artifact.fonts]
        result.diagnostics += diagnostics
        if slot is not None:
            result.cache_note = store(slot, Path(out_dir) / job.path, artifact.sha256, fmt=job.format,
                                      diagnostics=result.diagnostics, fonts=result.fonts, images=images)
    except BriefpubError as exc:
        result.error = str(exc)
        causes = [e for _path, e in exc.failures] if isinstance(exc, PublishError) else [exc]
        # 2: the machine is the problem (an output that cannot be written, no usable font); 1: anything else
        result.exit_code = 2 if all(isinstance(e, (OutputError, SetupError)) for e in causes) else 1
    except Exception as exc:  # a writer bug must not take the other artifacts down
        result.error = f"internal error: {type(exc).__name__}: {exc}"
        result.exit_code = 1
    result.seconds = time.perf_counter() - started
    return result


_PR_SET_PDEATHSIG = 1


def _die_with_parent(parent: int) -> None:
    """End this worker when ``parent`` (the build) ends, however it ends, even by SIGKILL.

    Linux: the kernel sends SIGTERM on the parent's death (``PR_SET_PDEATHSIG``).
    Elsewhere a daemon thread polls the parent id. Either way the SIGTERM handler
    removes the worker's temporary files before it dies.
    """
    if sys.platform.startswith("linux"):
        with contextlib.suppress(Exception):
            import ctypes

            libc = ctypes.CDLL(None, use_errno=True)
            if libc.prctl(_PR_SET_PDEATHSIG, int(signal.SIGTERM), 0, 0, 0) == 0:
                if os.getppid() != parent:  # the build died before prctl took effect
                    os.kill(os.getpid(), signal.SIGTERM)
                return
    threading.Thread(target=_watch_parent, args=(parent,), name="briefpub-parent-watch", daemon=True).start()


def _watch_parent(parent: int, interval: float = 0.5) -> None:
    while os.getppid() == parent:
        time.sleep(interval)
    os.kill(os.getpid(), signal.SIGTERM)
    time.sleep(10)
    os._exit(1)  # pragma: no cover - the handler did not run


def _worker_init(parent: int) -> None:
    """Set up a worker process: Ctrl-C is the build's to handle; it ends with the build."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    install_termination_cleanup()
    _die_with_parent(parent)


def run_jobs(
    jobs: Sequence[Job],
    out_dir: Path,
    build_time: datetime,
    *,
    workers: int = 1,
    progress: Callable[[JobResult], None] | None = None,
    base_dir: str = ".",
    cache: BuildCache | None = None,
    builder: Callable[[Job, Path, datetime], BuiltArtifact] | None = None,
) -> list[JobResult]:
    """Build every job, in ``workers`` processes when more than one; results in job order.

    With a ``cache``, each job is first looked up (:meth:`BuildCache.restore`, in this
    process): an artifact found is restored and reported ``cached``; only the others are
    built (no worker process starts when none is left), and each is put in the cache.
    With a ``builder`` (``--server``: the work is done elsewhere), the jobs to build run in
    ``workers`` threads of this process instead of worker processes.

    Workers never outlive the build: SIGTERM/SIGHUP (while
    :func:`~briefpub.pipeline.output.cleanup_on_termination` is active), Ctrl-C
    or any error stops them, and each removes its temporary file as it ends.
    """
    results: dict[str, JobResult] = {}
    slots: dict[str, CacheSlot | None] = {}
    notes: dict[str, str] = {}
    every = jobs
    if cache is not None:
        jobs = []
        for job in every:
            restored = _restore(job, out_dir, base_dir, cache, slots, notes)
            if restored is None:
                jobs.append(job)
                continue
            results[job.id] = restored
            if progress:
                progress(restored)

    def finished(res: JobResult) -> None:
        if notes.get(res.id):
            res.diagnostics.append(Diagnostic("build.cache-damaged", notes[res.id], severity="warning").to_dict())
        results[res.id] = res
        if progress:
            progress(res)

    if builder is not None and workers > 1 and len(jobs) > 1:
        with ThreadPoolExecutor(workers, thread_name_prefix="briefpub-build") as threads:
            done = [threads.submit(run_job, job, str(out_dir), build_time, base_dir, slots.get(job.id), builder)
                    for job in jobs]
            for future in as_completed(done):
                finished(future.result())
        return [results[job.id] for job in every]
    if workers <= 1 or len(jobs) <= 1 or builder is not None:
        for job in jobs:
            finished(run_job(job, str(out_dir), build_time, base_dir, slots.get(job.id), builder))
        return [results[job.id] for job in every]
    pool = ProcessPoolExecutor(max_workers=workers, initializer=_worker_init, initargs=(os.getpid(),))

    def stop_workers() -> None:
        for proc in list(pool._processes.values()):
            with contextlib.suppress(Exception):
                proc.terminate()

    try:
        with on_termination(stop_workers):
            futures: dict[Future[JobResult], Job] = {
                pool.submit(run_job, job, str(out_dir), build_time, base_dir, slots.get(job.id)): job for job in jobs
            }
            for future in as_completed(futures):
                try:
                    res = future.result()
                except BrokenProcessPool:
                    job = futures[future]
                    res = JobResult(id=job.id, kind=job.target.kind, format=job.format, path=job.path,
                                    error="the worker process building it ended unexpectedly (out of memory?)",
                                    exit_code=1)
                finished(res)
    except BaseException:
        stop_workers()
        for proc in list(pool._processes.values()):
            with contextlib.suppress(Exception):
                proc.join(10)
        pool.shutdown(wait=False, cancel_futures=True)
        raise
    pool.shutdown()
    return [results[job.id] for job in every]


def _restore(job: Job, out_dir: Path, base_dir: str, cache: BuildCache, slots: dict[str, CacheSlot | None],
             notes: dict[str, str]) -> JobResult | None:
    """The job's result restored from the cache, or None when it must be built (its slot and any
    problem with its entry are left in ``slots`` and ``notes``)."""
    started = time.perf_counter()
    target = job.target
    try:
        slot = cache.job_key(kind=target.kind, fmt=job.format, inputs=target.inputs, reader=target.fmt,
                             sets=target.sets, style=target.style, pack=target.pack,
                             skip_bad_inputs=target.skip_bad_inputs)
    except (BriefpubError, OSError):
        slot = None  # not cached; building it reports the problem
    slots[job.id] = slot
    if slot is None:
        return None
    result = JobResult(id=job.id, kind=target.kind, format=job.format, path=job.path)
    try:
        restored = cache.restore(slot, out_dir, job.path)
    except OutputError as exc:  # the entry is sound; the output cannot be written
        result.error, result.exit_code = str(exc), 2
        result.seconds = time.perf_counter() - started
        return result
    if restored.header is None:
        notes[job.id] = restored.problem
        return None
    header = restored.header
    result.inputs = _input_records(target.inputs, base_dir, cache.input_sha256)
    result.sha256, result.size = str(header["sha256"]), int(header["size"])
    result.diagnostics = list(header.get("diagnostics") or [])
    result.fonts = list(header.get("fonts") or [])
    result.cached = True
    result.seconds = time.perf_counter() - started
    return result


# ----------------------------------------------------------------------------- report


def sums_line(digest: str, name: str) -> str:
    """One ``SHA256SUMS`` line, escaped as GNU ``sha256sum`` does.

    A name holding a backslash, a newline or a carriage return is written with
    ``\\``, ``\\n`` and ``\\r`` and its line starts with a backslash, so
    ``sha256sum -c`` finds the file.
    """
    if any(c in name for c in "\\\n\r"):
        escaped = name.replace("\\", "\\\\").replace("\n", "\\n").replace("\r", "\\r")
        return f"\\{digest}  {escaped}\n"
    return f"{digest}  {name}\n"


def sums_text(results: Iterable[Mapping[str, Any]]) -> str:
    """``SHA256SUMS`` content (``sha256sum -c`` format), sorted by path, built artifacts only."""
    rows = sorted((r["output"]["path"], r["output"]["sha256"]) for r in results if r.get("output"))
    return "".join(sums_line(digest, path) for path, digest in rows)


def make_report(
    manifest: Manifest, results: Sequence[JobResult], build_time: datetime, shard_label: str | None,
    seconds: float, workers: int, cache: str | None = None,
) -> dict[str, Any]:
    """The build report (schema ``briefpub.build-report/1``); ``cache`` names the cache folder used."""
    entries = [r.to_dict() for r in results]
    return {
        "schema": REPORT_SCHEMA,
        "manifest": manifest.path.name,
        "build_time": build_time.isoformat().replace("+00:00", "Z"),
        "shard": shard_label,
        "ok": all(not r.error for r in results),
        "jobs": workers,
        "artifacts": len(entries),
        "failed": sum(1 for r in results if r.error),
        "cache": cache,
        "cached": sum(1 for r in results if r.cached),
        "seconds": round(seconds, 3),
        "results": entries,
    }


def write_outputs(out_dir: Path, report: Mapping[str, Any]) -> None:
    """Write ``SHA256SUMS`` and ``build-report.json`` atomically."""
    atomic_write(out_dir / SUMS_NAME, sums_text(report["results"]).encode("utf-8"))
    atomic_write(out_dir / REPORT_NAME, (json.dumps(report, indent=2, ensure_ascii=False) + "\n").encode("utf-8"))


_SHA256 = lazy_re(r"^[0-9a-f]{64}$")
_SHARD = lazy_re(r"^([1-9][0-9]*)/([1-9][0-9]*)$")


def check_report(report: object, name: str) -> Mapping[str, Any]:
    """``report`` if it has the shape of a build report, else a UsageError naming ``name`` and the problem."""

    def bad(problem: str) -> UsageError:
        return UsageError(f"{name}: not a usable build report: {problem}")

    def need(table: Mapping[str, Any], key: str, kinds: type | tuple[type, ...], where: str) -> Any:
        if key not in table:
            raise bad(f"{where}{key} is missing")
        value = table[key]
        if not isinstance(value, kinds) or (isinstance(value, bool) and bool not in (
                kinds if isinstance(kinds, tuple) else (kinds,))):
            raise bad(f"{where}{key} = {_show(value)} has the wrong type")
        return value

    if not isinstance(report, dict):
        raise bad(f"expected a JSON object, not {type(report).__name__}")
    if report.get("schema") != REPORT_SCHEMA:
        raise bad(f"schema {report.get('schema')!r}, expected {REPORT_SCHEMA!r}")
    need(report, "manifest", str, "")
    need(report, "build_time", str, "")
    shard_label = need(report, "shard", (str, type(None)), "")
    if shard_label is not None and not ((m := _SHARD.match(shard_label)) and int(m[1]) <= int(m[2])):
        raise bad(f"shard = {shard_label!r}, expected I/N")
    need(report, "jobs", int, "")
    need(report, "seconds", (int, float), "")
    results = need(report, "results", list, "")
    for i, entry in enumerate(results):
        where = f"results[{i}]."
        if not isinstance(entry, dict):
            raise bad(f"results[{i}] is not an object")
        need(entry, "id", str, where)
        ok = need(entry, "ok", bool, where)
        output = need(entry, "output", (dict, type(None)), where)
        if ok != (output is not None):
            raise bad(f"{where}ok = {json.dumps(ok)} but output is {'missing' if output is None else 'present'}")
        if output is not None:
            need(output, "path", str, f"{where}output.")
            need(output, "size", int, f"{where}output.")
            if not _SHA256.match(str(need(output, "sha256", str, f"{where}output."))):
                raise bad(f"{where}output.sha256 is not a SHA-256 in hex")
    return report


def merge_reports(reports: Sequence[object], names: Sequence[str] | None = None) -> dict[str, Any]:
    """Join shard reports into the report of the full build (results sorted by output path).

    Every report is checked first (:func:`check_report`); reports of different
    manifests, build times or shard counts, and shards that built the same
    artifact, are refused with the file names.
    """
    labels = list(names) if names is not None else [f"report {i + 1}" for i in range(len(reports))]
    if not reports:
        raise UsageError("no reports to merge")
    checked = [check_report(r, n) for r, n in zip(reports, labels, strict=True)]
    first, first_name = checked[0], labels[0]
    for r, name in zip(checked[1:], labels[1:], strict=True):
        for key in ("manifest", "build_time"):
            if r[key] != first[key]:
                raise UsageError(f"{name}: {key} {r[key]!r} differs from {first[key]!r} in {first_name}: "
                                 "not shards of the same build (same manifest and SOURCE_DATE_EPOCH)")
    counts = {(r["shard"] or "1/1").split("/")[1] for r in checked}
    if len(counts) > 1:
        raise UsageError(f"{labels[-1]}: shards of different splits ({', '.join(str(r['shard']) for r in checked)})")
    results: dict[str, Mapping[str, Any]] = {}
    seen_shard: dict[str, str] = {}
    built_by: dict[str, str] = {}
    paths: dict[str, str] = {}
    for r, name in zip(checked, labels, strict=True):
        label = r["shard"] or "1/1"
        if label in seen_shard:
            raise UsageError(f"{name}: shard {label} was already given ({seen_shard[label]})")
        seen_shard[label] = name
        for entry in r["results"]:
            if entry["id"] in built_by:
                raise UsageError(f"{name}: {entry['id']} is also in {built_by[entry['id']]}: overlapping shards")
            built_by[entry["id"]] = name
            if entry["output"] is not None:
                out_path = entry["output"]["path"]
                if out_path in paths:
                    raise UsageError(f"{name}: {out_path} is also written in {paths[out_path]}")
                paths[out_path] = name
            results[entry["id"]] = entry
    ordered = sorted(results.values(), key=lambda e: (e["output"] or {}).get("path", e["id"]))
    return {
        "schema": REPORT_SCHEMA,
        "manifest": first["manifest"],
        "build_time": first["build_time"],
        "shard": None,
        "ok": all(e["ok"] for e in ordered),
        "jobs": max(int(r["jobs"]) for r in checked),
        "artifacts": len(ordered),
        "failed": sum(1 for e in ordered if not e["ok"]),
        "cache": first.get("cache") if all(r.get("cache") == first.get("cache") for r in checked) else None,
        "cached": sum(1 for e in ordered if e.get("cached")),
        "seconds": round(sum(float(r["seconds"]) for r in checked), 3),
        "results": ordered,
        "merged_from": [r["shard"] for r in checked],
    }
