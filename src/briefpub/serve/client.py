"""``--server URL``: ``convert``, ``pack`` and ``build`` send the work to a running ``briefpub serve`` (serve stage).

Standard library only (``urllib``), so the CLI's start-up is untouched. The client reads the
inputs itself (the same checks and messages as a local run), sends their bytes with the
build time, and writes what comes back with the same atomic writes, output names, diagnostics
and exit codes as a local run: the files are byte-identical (tests check it).

What the server cannot see is done locally, by the ordinary pipeline, with no change in the
result: an http(s) URL input, a style sheet *file* (only built-in styles are sent),
``--fetch-images``, and an article naming images in its own folder (the server says so).

A manifest build (:func:`remote_build`) sends each artifact to rebuild as one request (a pack
in one format, or an article in one format, as a local build makes it) and writes what comes
back in its place; restoring from the build cache, ``SHA256SUMS`` and the build report stay
local (:mod:`briefpub.pipeline.build`).

The token for a server started with one comes from ``BRIEFPUB_TOKEN``.
"""

from __future__ import annotations

import base64
import dataclasses
import hashlib
import json
import os
import urllib.error
import urllib.request
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from briefpub.diagnostics import Diagnostic
from briefpub.errors import (
    BriefpubError,
    ConversionError,
    InputError,
    OutputError,
    ReaderError,
    SetupError,
    StyleError,
    UnknownFormatError,
    UsageError,
)
from briefpub.fonts import FontFile

__all__ = ["NeedsLocal", "Remote", "remote_build", "remote_converter", "remote_pack"]

_ERRORS: dict[str, type[BriefpubError]] = {
    "input": InputError, "too-large": InputError, "too-many-articles": InputError, "media-type": InputError,
    "usage": UsageError, "unknown-format": UnknownFormatError, "style": StyleError, "reader": ReaderError,
    "conversion": ConversionError, "setup": SetupError, "output": OutputError,
}
_TIMEOUT = 600.0


class NeedsLocal(Exception):
    """The server cannot do this input (it names images in its own folder): convert it locally."""


@dataclass(frozen=True, slots=True)
class Remote:
    """A running server: its base URL and the token (``BRIEFPUB_TOKEN``), if any."""

    url: str
    token: str | None = None

    @classmethod
    def from_option(cls, url: str) -> Remote:
        """Check the URL (http or https, a host) once, up front."""
        from urllib.parse import urlsplit

        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise UsageError(f"--server {url}: expected the address of a running 'briefpub serve' "
                             "(http://HOST:PORT)")
        return cls(url.rstrip("/"), os.environ.get("BRIEFPUB_TOKEN") or None)

    def check(self) -> None:
        """Ask the server whether it is up (``GET /healthz``), so a build fails once, up front, when it is not."""
        self.post("/healthz", None)

    def post(self, path: str, body: dict[str, Any] | None) -> dict[str, Any]:
        """POST JSON (GET without a body), answer JSON; an error answer becomes the CLI's error of the same
        category."""
        headers = {"Content-Type": "application/json", "Accept": "application/json"}
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        # the scheme was checked (http or https) by from_option
        request = urllib.request.Request(self.url + path,  # noqa: S310
                                         None if body is None else json.dumps(body).encode("utf-8"), headers,
                                         method="GET" if body is None else "POST")
        try:
            with urllib.request.urlopen(request, timeout=_TIMEOUT) as response:  # noqa: S310
                return dict(json.loads(response.read()))
        except urllib.error.HTTPError as exc:
            try:
                error = json.loads(exc.read())["error"]
            except (ValueError, KeyError, TypeError):
                raise SetupError(f"--server {self.url}: HTTP {exc.code} {exc.reason}") from None
            if error.get("code") == "needs-local-files":
                raise NeedsLocal(error.get("message", "")) from None
            cls = _ERRORS.get(str(error.get("code")), ConversionError)
            err = cls(str(error.get("message", "")))
            if error.get("exit_code") in (1, 2):
                err.exit_code = int(error["exit_code"])
            raise err from None
        except (urllib.error.URLError, OSError) as exc:
            reason = getattr(exc, "reason", exc)
            raise SetupError(f"--server {self.url}: cannot reach the server ({reason})") from None


def _is_builtin(style: str | None) -> bool:
    from briefpub.styling import builtin_names

    return style is None or style in builtin_names()


def _article(path: str, fmt: str | None, sets: Sequence[str] = ()) -> dict[str, Any]:
    """An input read here (the local run's checks and messages), as the API's article object."""
    from briefpub.readers import read_source

    data, source = read_source(path)
    return {"data": base64.b64encode(data).decode("ascii"), "filename": Path(source).name or "stdin",
            "source": source, "from": fmt, "set": list(sets)}


def _diagnostics(rows: Sequence[dict[str, Any]]) -> list[Diagnostic]:
    return [Diagnostic(str(r["code"]), str(r["message"]), text=str(r.get("text") or ""),
                       source=str(r.get("source") or ""), line=r.get("line"),
                       severity=r.get("severity", "info")) for r in rows]


def _images(answer: dict[str, Any]) -> dict[str, list[tuple[str, str]]]:
    """What the server found reading each article's images (for the build cache: see
    :func:`briefpub.pipeline.resources.images_unchanged`)."""
    return {str(source): [(str(ref), str(outcome)) for ref, outcome in record]
            for source, record in (answer.get("images") or {}).items()}


def _write(answer: dict[str, Any], targets: Sequence[tuple[str, Path]],
           on_artifact: Callable[[Any], None] | None = None) -> tuple[list[Any], list[Diagnostic]]:
    """Write the server's files atomically, as :func:`briefpub.pipeline.publish` does (its FileWriter: same
    errors, same order)."""
    from briefpub.pipeline import FileWriter, RenderedFile

    writer = FileWriter(targets, on_artifact)
    failed = {f["format"]: f for f in answer["failures"]}
    by_format = {o["format"]: o for o in answer["outputs"]}
    failures: list[tuple[str, BriefpubError]] = []
    for fmt in sorted(writer.paths, key=lambda f: f != "pdf"):
        if fmt in failed:
            failures.append((fmt, (ConversionError if failed[fmt]["exit_code"] == 1 else SetupError)(
                failed[fmt]["message"])))
            continue
        out = by_format[fmt]
        data = base64.b64decode(out["data"])
        if hashlib.sha256(data).hexdigest() != out["sha256"]:
            raise SetupError(f"{writer.paths[fmt]}: the server's answer was damaged in transit (checksum mismatch)")
        fonts = tuple(FontFile(str(f["path"]), str(f["sha256"]), int(f["size"])) for f in out["fonts"])
        try:
            writer.deliver(RenderedFile(fmt, data, out["sha256"], float(out["seconds"]), fonts))
        except BriefpubError as exc:
            failures.append((fmt, exc))
    return writer.finish(failures, _diagnostics(answer["diagnostics"]))


def remote_converter(url: str, style: str | None, sets: Sequence[str]) -> Callable[..., Any]:
    """A stand-in for :func:`briefpub.pipeline.convert_one` that converts on the server (asked once, now,
    whether it is up)."""
    from briefpub.pipeline import Report, convert_one, convert_targets
    from briefpub.pipeline.fetch import is_url

    remote = Remote.from_option(url)
    remote.check()  # up, or one error line now (not one per input)

    def convert(path: str, formats: Sequence[str], out_dir: Path, sheet: Any, *, fmt: str | None = None,
                meta_overrides: Sequence[tuple[str, str]] = (), build_time: datetime | None = None,
                fetch_images: bool = False) -> Report:
        local = is_url(path) or fetch_images or not _is_builtin(style)
        if not local:
            body = {**_article(path, fmt, sets), "format": list(formats), "style": style,
                    "epoch": int(build_time.timestamp()) if build_time else None}
            try:
                answer = remote.post("/api/convert?local_images=check", body)
            except NeedsLocal:
                local = True
        if local:
            return convert_one(path, formats, out_dir, sheet, fmt=fmt, meta_overrides=meta_overrides,
                               build_time=build_time, fetch_images=fetch_images)
        report = Report(input=path)
        report.add_outputs(lambda: _write(answer, convert_targets(path, formats, out_dir)))
        return report

    return convert


def remote_pack(url: str, inputs: Sequence[str], pack: dict[str, Any], targets: Sequence[tuple[str, Path]], *,
                style: str | None, sets: Sequence[str], fmt: str | None, build_time: datetime,
                fetch_images: bool, on_artifact: Callable[[Any], None] | None = None,
                ) -> tuple[int, list[Any], list[Diagnostic], dict[str, list[tuple[str, str]]]] | None:
    """Build a pack on the server: (articles, artifacts, diagnostics, what reading each article's images
    found); None when it must run locally.

    Raises :class:`~briefpub.pipeline.PublishError` (with the written artifacts) when a format failed.
    """
    from briefpub.pipeline.fetch import is_url

    if fetch_images or not _is_builtin(style) or any(is_url(p) for p in inputs):
        return None
    remote = Remote.from_option(url)
    articles = [_article(path, fmt) for path in inputs]
    formats = [f for f, _p in targets]
    body = {"pack": pack, "articles": articles, "formats": formats, "style": style, "set": list(sets),
            "epoch": int(build_time.timestamp()), "name": "x"}
    try:
        answer = remote.post("/api/pack?local_images=check", body)
    except NeedsLocal:
        return None
    artifacts, diagnostics = _write(answer, targets, on_artifact)
    return int(answer["articles"]), artifacts, diagnostics, _images(answer)


def remote_build(url: str) -> Callable[..., Any]:
    """A stand-in for :func:`briefpub.pipeline.build.build_artifact` that builds on the server.

    The server is asked once, now, whether it is up (one error line, exit 2, when it is not). Each
    job then reads its inputs here (an input that cannot be read fails the job, or with
    ``skip_bad_inputs`` is sent as unreadable so the server leaves it out and reports it in its
    place), sends them with the build time, and writes the file that comes back atomically.
    A style sheet file, or an article naming images in its own folder, is built locally.
    """
    from briefpub.pipeline.build import build_artifact, pack_meta

    remote = Remote.from_option(url)
    remote.check()

    def build(job: Any, path: Path, build_time: datetime) -> Any:
        target = job.target
        if not _is_builtin(target.style):
            return build_artifact(job, path, build_time)
        sets = [f"{key}={value}" for key, value in target.sets]
        epoch = int(build_time.timestamp())
        try:
            if target.kind == "pack":
                answer = remote.post("/api/pack?local_images=check", _pack_body(job, build_time, epoch))
            else:
                body = {**_article(target.inputs[0], target.fmt, sets), "format": [job.format],
                        "style": target.style, "epoch": epoch}
                answer = remote.post("/api/convert?local_images=check", body)
        except NeedsLocal:
            return build_artifact(job, path, build_time)
        (artifact,), diagnostics = _write(answer, [(job.format, path)])
        return artifact, [d.to_dict() for d in diagnostics], _images(answer)

    def _pack_body(job: Any, build_time: datetime, epoch: int) -> dict[str, Any]:
        from briefpub.transforms import split_overrides

        target = job.target
        meta_sets, style_sets = split_overrides(target.sets)
        # metadata overrides go with each article (as a local build applies them), style ones with the pack
        own = [f"{key}={value}" for key, value in meta_sets]
        articles = []
        for path in target.inputs:
            try:
                articles.append(_article(path, target.fmt, own))
            except InputError as exc:
                if not target.skip_bad_inputs:
                    raise
                articles.append({"source": path, "error": str(exc)})
        meta = dataclasses.asdict(pack_meta(target, build_time))
        return {"pack": meta, "articles": articles, "formats": [job.format], "style": target.style,
                "set": [f"{key}={value}" for key, value in style_sets], "epoch": epoch,
                "skip_bad_inputs": target.skip_bad_inputs, "name": "x"}

    return build
