"""Manifest-driven builds for CI: parallel, shardable, reproducible (build stage).

A manifest (``briefpub.toml``, documented in ``docs/manifest.md``) declares packs
and single articles. :func:`plan` turns it into a sorted list of :class:`Job`
(one artifact each: a target in one format), :func:`run_jobs` builds them in
``jobs`` processes, and :func:`finish` writes ``SHA256SUMS`` and
``build-report.json`` into the output folder. One failing job fails its own
artifact and the exit code, never the rest of the build. ``--shard I/N``
builds a deterministic subset (every N-th job of the sorted plan), and
:func:`merge_reports` joins the shards' reports into the full one.
"""

from __future__ import annotations

import contextlib
import glob
import hashlib
import json
import time
import tomllib
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from briefpub.diagnostics import Diagnostic
from briefpub.errors import BriefpubError, UsageError
from briefpub.pipeline import atomic_write, output_stem, prepare_article, publish
from briefpub.pipeline.pack import assemble_pack, cover_date, safe_name
from briefpub.styling import load_style, with_overrides
from briefpub.styling.model import StyleSheet
from briefpub.transforms import split_overrides
from briefpub.tree import PackMeta, Publication

REPORT_SCHEMA = "briefpub.build-report/1"
REPORT_NAME = "build-report.json"
SUMS_NAME = "SHA256SUMS"

_PACK_KEYS = {
    "name", "title", "subtitle", "date", "compiled_by", "reference", "version", "marking", "language",
    "summary_page", "duplex", "inputs", "formats", "style", "set", "from", "skip_bad_inputs",
}
_ARTICLE_KEYS = {"inputs", "formats", "style", "set", "from", "out"}
_BUILD_KEYS = {"out", "formats", "style", "set"}


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
            "seconds": round(self.seconds, 4),
        }


@dataclass(frozen=True, slots=True)
class Manifest:
    """A parsed manifest: where it is, its default output folder, and its targets."""

    path: Path
    out: str
    targets: tuple[Target, ...]


# ----------------------------------------------------------------------------- manifest


def _err(path: Path, where: str, problem: str) -> UsageError:
    return UsageError(f"{path}: {where}: {problem}")


def _strings(path: Path, where: str, value: object) -> tuple[str, ...]:
    if isinstance(value, str):
        return (value,)
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return tuple(value)
    raise _err(path, where, f"expected a string or a list of strings, not {value!r}")


def _sets(path: Path, where: str, value: object) -> tuple[tuple[str, str], ...]:
    if not isinstance(value, dict):
        raise _err(path, where, "expected a table of KEY = VALUE")
    out = []
    for key, val in value.items():
        if isinstance(val, bool):
            val = "true" if val else "false"
        if not isinstance(val, (str, int, float)):
            raise _err(path, f"{where}.{key}", f"expected a string or number, not {val!r}")
        out.append((str(key), str(val)))
    split_overrides(out, f"{path}: {where}")  # unknown keys refused at load, with a suggestion
    return tuple(out)


def _expand(manifest: Path, where: str, patterns: Sequence[str]) -> tuple[str, ...]:
    base = manifest.parent
    found: list[str] = []
    for pattern in patterns:
        full = pattern if Path(pattern).is_absolute() else str(base / pattern)
        matches = sorted(glob.glob(full, recursive=True)) if glob.has_magic(pattern) else [full]
        if not matches:
            raise _err(manifest, where, f"{pattern!r} matches no file")
        for m in matches:
            rel = Path(m)
            with contextlib.suppress(ValueError):
                rel = rel.relative_to(Path.cwd())
            if str(rel) not in found:
                found.append(str(rel))
    return tuple(found)


MAX_MANIFEST_BYTES = 1024 * 1024


def load_manifest(path: Path) -> Manifest:
    """Parse and validate a manifest; errors name the file and the key."""
    try:
        if (size := path.stat().st_size) > MAX_MANIFEST_BYTES:  # refused before it is read
            raise UsageError(f"{path}: too large for a manifest ({size / 1048576:.1f} MiB; the limit is 1 MiB)")
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise UsageError(f"{path}: manifest not found") from None
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise UsageError(f"{path}: not a valid manifest ({exc})") from None
    unknown = set(data) - {"build", "pack", "article"}
    if unknown:
        raise _err(path, ", ".join(sorted(unknown)), "unknown table (known: build, pack, article)")
    build = data.get("build", {})
    if not isinstance(build, dict) or set(build) - _BUILD_KEYS:
        raise _err(path, "build", f"unknown keys {sorted(set(build) - _BUILD_KEYS)} (known: {sorted(_BUILD_KEYS)})")
    default_formats = _strings(path, "build.formats", build.get("formats", ["pdf", "epub", "docx"]))
    default_style = str(build.get("style", "briefing"))
    default_sets = _sets(path, "build.set", build.get("set", {}))
    out = str(build.get("out", "out"))
    targets: list[Target] = []

    packs = data.get("pack", [])
    if not isinstance(packs, list):
        raise _err(path, "pack", "use [[pack]] tables")
    for i, p in enumerate(packs):
        where = f"pack[{i}]"
        unknown = set(p) - _PACK_KEYS
        if unknown:
            raise _err(path, where, f"unknown keys {sorted(unknown)} (known: {sorted(_PACK_KEYS)})")
        if not isinstance(p.get("title"), str) or not p["title"].strip():
            raise _err(path, f"{where}.title", "a pack needs a title")
        if "inputs" not in p:
            raise _err(path, f"{where}.inputs", "a pack needs inputs")
        name = safe_name(str(p.get("name") or p["title"]))
        sets = default_sets + _sets(path, f"{where}.set", p.get("set", {}))
        if p.get("duplex"):
            sets += (("page.duplex", "true"),)
        pack_fields = tuple(
            (k, p[k]) for k in ("title", "subtitle", "date", "compiled_by", "reference", "version", "marking",
                                "language", "summary_page") if k in p
        )
        targets.append(
            Target(
                kind="pack",
                name=name,
                inputs=_expand(path, f"{where}.inputs", _strings(path, f"{where}.inputs", p["inputs"])),
                formats=_strings(path, f"{where}.formats", p.get("formats", list(default_formats))),
                style=str(p.get("style", default_style)),
                sets=sets,
                fmt=p.get("from"),
                pack=pack_fields,
                skip_bad_inputs=bool(p.get("skip_bad_inputs", False)),
            )
        )

    articles = data.get("article", [])
    if not isinstance(articles, list):
        raise _err(path, "article", "use [[article]] tables")
    for i, a in enumerate(articles):
        where = f"article[{i}]"
        unknown = set(a) - _ARTICLE_KEYS
        if unknown:
            raise _err(path, where, f"unknown keys {sorted(unknown)} (known: {sorted(_ARTICLE_KEYS)})")
        if "inputs" not in a:
            raise _err(path, f"{where}.inputs", "an article entry needs inputs")
        subdir = str(a.get("out", ""))
        if ".." in Path(subdir).parts or Path(subdir).is_absolute():
            raise _err(path, f"{where}.out", "must be a folder inside the output folder")
        for input_path in _expand(path, f"{where}.inputs", _strings(path, f"{where}.inputs", a["inputs"])):
            targets.append(
                Target(
                    kind="article",
                    name=output_stem(input_path),
                    inputs=(input_path,),
                    formats=_strings(path, f"{where}.formats", a.get("formats", list(default_formats))),
                    style=str(a.get("style", default_style)),
                    sets=default_sets + _sets(path, f"{where}.set", a.get("set", {})),
                    fmt=a.get("from"),
                    subdir=subdir,
                )
            )
    return Manifest(path=path, out=out, targets=tuple(targets))


# ----------------------------------------------------------------------------- planning


def plan(manifest: Manifest, available_formats: Sequence[str], extensions: Mapping[str, str]) -> list[Job]:
    """Every artifact of the manifest as a job, sorted by output path; duplicates refused."""
    jobs: dict[str, Job] = {}
    for target in manifest.targets:
        for fmt in target.formats:
            if fmt not in available_formats:
                raise UsageError(
                    f"{manifest.path}: {target.kind} {target.name!r}: unknown format {fmt!r} "
                    f"(available: {', '.join(available_formats)})"
                )
            rel = f"{target.subdir.strip('/')}/{target.name}" if target.subdir.strip("/") else target.name
            path = f"{rel}{extensions[fmt]}"
            if path in jobs:
                raise UsageError(f"{manifest.path}: two targets would write {path} ({target.inputs[0]})")
            jobs[path] = Job(id=f"{target.kind}:{rel}:{fmt}", target=target, format=fmt, path=path)
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


def _sha256_file(path: str) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _display_path(path: str, base_dir: str) -> str:
    """``path`` relative to the manifest's folder when inside it (machine-independent reports)."""
    try:
        return Path(path).resolve().relative_to(Path(base_dir).resolve()).as_posix()
    except ValueError:
        return path


def run_job(job: Job, out_dir: str, build_time: datetime, base_dir: str = ".") -> JobResult:
    """Build one artifact (runs in a worker process); errors are captured, not raised."""

    started = time.perf_counter()
    target = job.target
    result = JobResult(id=job.id, kind=target.kind, format=job.format, path=job.path)
    try:
        result.inputs = [
            {"path": _display_path(p, base_dir), "sha256": _sha256_file(p)} for p in target.inputs if Path(p).is_file()
        ]
        meta_sets, style_sets = split_overrides(target.sets)
        sheet: StyleSheet = with_overrides(load_style(target.style), style_sets)
        if target.kind == "pack":
            fields = dict(target.pack)
            fields.setdefault("date", cover_date(build_time))
            fields["summary_page"] = bool(fields.get("summary_page", False))
            kwargs: dict[str, Any] = {k: (v if k == "summary_page" else str(v)) for k, v in fields.items()}
            pack_meta = PackMeta(**kwargs)
            assembled = assemble_pack(
                target.inputs, pack_meta, fmt=target.fmt, meta_overrides=meta_sets,
                skip_bad_inputs=target.skip_bad_inputs,
            )
            pub: Publication = assembled.publication
            resources: Mapping[str, bytes] = assembled.resources
            diagnostics = list(assembled.diagnostics)
            diagnostics += [
                Diagnostic("build.article-skipped", f"article left out of the pack: {error}", source=path,
                           severity="error")
                for path, error in assembled.skipped
            ]
        else:
            article = prepare_article(target.inputs[0], target.fmt, meta_sets)
            pub, resources = Publication((article.document,)), article.resources
            diagnostics = list(article.diagnostics)
        (artifact,), writer_diags = publish(pub, resources, [(job.format, Path(out_dir) / job.path)], sheet,
                                            build_time=build_time)
        result.sha256 = artifact.sha256
        result.size = artifact.size
        result.fonts = [f.to_dict() for f in artifact.fonts]
        result.diagnostics += [d.to_dict() for d in (*diagnostics, *writer_diags)]
    except BriefpubError as exc:
        result.error = str(exc)
    except Exception as exc:  # a writer bug must not take the other artifacts down
        result.error = f"internal error: {type(exc).__name__}: {exc}"
    result.seconds = time.perf_counter() - started
    return result


def run_jobs(
    jobs: Sequence[Job],
    out_dir: Path,
    build_time: datetime,
    *,
    workers: int = 1,
    progress: Callable[[JobResult], None] | None = None,
    base_dir: str = ".",
) -> list[JobResult]:
    """Build every job, in ``workers`` processes when more than one; results in job order."""
    results: dict[str, JobResult] = {}
    if workers <= 1 or len(jobs) <= 1:
        for job in jobs:
            res = run_job(job, str(out_dir), build_time, base_dir)
            results[job.id] = res
            if progress:
                progress(res)
    else:
        with ProcessPoolExecutor(max_workers=workers) as pool:
            futures = [pool.submit(run_job, job, str(out_dir), build_time, base_dir) for job in jobs]
            for future in as_completed(futures):
                res = future.result()
                results[res.id] = res
                if progress:
                    progress(res)
    return [results[job.id] for job in jobs]


# ----------------------------------------------------------------------------- report


def sums_text(results: Iterable[Mapping[str, Any]]) -> str:
    """``SHA256SUMS`` content (``sha256sum -c`` format), sorted by path, built artifacts only."""
    rows = sorted((r["output"]["path"], r["output"]["sha256"]) for r in results if r.get("output"))
    return "".join(f"{digest}  {path}\n" for path, digest in rows)


def make_report(
    manifest: Manifest, results: Sequence[JobResult], build_time: datetime, shard_label: str | None,
    seconds: float, workers: int,
) -> dict[str, Any]:
    """The build report (schema ``briefpub.build-report/1``)."""
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
        "seconds": round(seconds, 3),
        "results": entries,
    }


def write_outputs(out_dir: Path, report: Mapping[str, Any]) -> None:
    """Write ``SHA256SUMS`` and ``build-report.json`` atomically."""
    atomic_write(out_dir / SUMS_NAME, sums_text(report["results"]).encode("utf-8"))
    atomic_write(out_dir / REPORT_NAME, (json.dumps(report, indent=2, ensure_ascii=False) + "\n").encode("utf-8"))


def merge_reports(reports: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """Join shard reports into the report of the full build (results sorted by output path)."""
    if not reports:
        raise UsageError("no reports to merge")
    for r in reports:
        if r.get("schema") != REPORT_SCHEMA:
            raise UsageError(f"not a build report: schema {r.get('schema')!r}")
    results: dict[str, Mapping[str, Any]] = {}
    for r in reports:
        for entry in r["results"]:
            results[entry["id"]] = entry
    ordered = sorted(results.values(), key=lambda e: (e["output"] or {}).get("path", e["id"]))
    first = reports[0]
    return {
        "schema": REPORT_SCHEMA,
        "manifest": first["manifest"],
        "build_time": first["build_time"],
        "shard": None,
        "ok": all(e["ok"] for e in ordered),
        "jobs": max(int(r.get("jobs", 1)) for r in reports),
        "artifacts": len(ordered),
        "failed": sum(1 for e in ordered if not e["ok"]),
        "seconds": round(sum(float(r.get("seconds", 0)) for r in reports), 3),
        "results": ordered,
        "merged_from": [r.get("shard") for r in reports],
    }
