"""``--server URL``: ``convert``, ``pack`` and ``build`` send the work to a running ``briefpub serve`` (serve stage).

Standard library only (``http.client``), so the CLI's start-up is untouched. The client reads what a
local run reads, with the same checks and messages: the inputs (an http(s) URL is fetched here,
as a local run fetches it), a style sheet *file* with its ``extends`` chain
(:func:`briefpub.styling.read_style`), and the images an article names in its own folder (or, with
``--fetch-images``, on the web). It sends their bytes with the build time, and writes what comes
back with the same atomic writes, output names, diagnostics and exit codes as a local run: the
files are byte-identical (tests check it).

Images take a second request, and only for articles naming some: the first asks the server to
say which references only this side can read (``?ask_images=``); the server answers 422
``needs-images`` with them, the client reads each with the pipeline's own image reading
(:func:`briefpub.pipeline.resources.read_image`: the same folder rules, limits and diagnostics)
and sends the files found (named by their content key) and, per reference, what reading it
found. Nothing is converted here.

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
import secrets
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
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

__all__ = ["Remote", "remote_build", "remote_converter", "remote_pack"]

_ERRORS: dict[str, type[BriefpubError]] = {
    "input": InputError, "too-large": InputError, "too-many-articles": InputError, "media-type": InputError,
    "too-many-files": InputError, "bad-name": InputError,
    "usage": UsageError, "unknown-format": UnknownFormatError, "style": StyleError, "reader": ReaderError,
    "conversion": ConversionError, "setup": SetupError, "output": OutputError,
}
_TIMEOUT = 600.0


class _NeedsImages(Exception):
    """The server asks for the images only this side can read (article index -> references)."""

    def __init__(self, wanted: dict[int, list[str]]) -> None:
        super().__init__(wanted)
        self.wanted = wanted


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

    def post(self, path: str, body: dict[str, Any] | None, parts: Sequence[_Part] = ()) -> dict[str, Any]:
        """POST JSON, or multipart ``parts`` (GET when neither), answer JSON; an error answer becomes the CLI's
        error of the same category."""
        headers = {"Accept": "application/json"}
        data: bytes | None = None
        if parts:
            data, headers["Content-Type"] = _multipart(parts)
        elif body is not None:
            data, headers["Content-Type"] = json.dumps(body).encode("utf-8"), "application/json"
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        try:
            status, reason, raw = self._exchange("GET" if data is None else "POST", path, data, headers)
        except OSError as exc:
            raise SetupError(f"--server {self.url}: cannot reach the server ({exc.strerror or exc})") from None
        if status == 200:
            try:
                return dict(json.loads(raw))
            except ValueError:
                raise SetupError(f"--server {self.url}: the answer is not JSON (is this a briefpub server?)") from None
        try:
            answer = json.loads(raw)
            error = answer["error"]
        except (ValueError, KeyError, TypeError):
            raise SetupError(f"--server {self.url}: HTTP {status} {reason}") from None
        if error.get("code") == "needs-images":
            raise _NeedsImages({int(i): [str(r) for r in refs] for i, refs in (answer.get("images") or {}).items()})
        cls = _ERRORS.get(str(error.get("code")), ConversionError)
        err = cls(str(error.get("message", "")))
        if error.get("exit_code") in (1, 2):
            err.exit_code = int(error["exit_code"])
        raise err

    def _exchange(self, method: str, path: str, data: bytes | None,
                  headers: dict[str, str]) -> tuple[int, str, bytes]:
        """One request with the standard library's HTTP client (http.client: lighter to import than
        urllib.request, which a cold client would pay for); (status, reason, body)."""
        import http.client
        from urllib.parse import urlsplit

        parts = urlsplit(self.url)
        cls = http.client.HTTPSConnection if parts.scheme == "https" else http.client.HTTPConnection
        connection = cls(parts.hostname or "", parts.port, timeout=_TIMEOUT)
        try:
            connection.request(method, (parts.path or "") + path, data, headers)
            response = connection.getresponse()
            return response.status, response.reason, response.read()
        except http.client.HTTPException as exc:
            raise OSError(f"bad answer: {type(exc).__name__}") from None
        finally:
            connection.close()


@dataclass(frozen=True, slots=True)
class _Part:
    """One part of a multipart body: a text field (no file name) or a file."""

    name: str
    data: bytes
    filename: str | None = None
    media: str = "application/octet-stream"


def _multipart(parts: Sequence[_Part]) -> tuple[bytes, str]:
    """A ``multipart/form-data`` body and its Content-Type."""
    boundary = f"briefpub-{secrets.token_hex(16)}"
    chunks: list[bytes] = []
    for part in parts:
        disposition = f'form-data; name="{part.name}"'
        if part.filename is not None:
            quoted = part.filename.replace("\\", "\\\\").replace('"', '\\"').replace("\r", " ").replace("\n", " ")
            disposition += f'; filename="{quoted}"'
            head = f"Content-Disposition: {disposition}\r\nContent-Type: {part.media}\r\n\r\n"
        else:
            head = f"Content-Disposition: {disposition}\r\n\r\n"
        chunks += [f"--{boundary}\r\n".encode(), head.encode("utf-8"), part.data, b"\r\n"]
    chunks.append(f"--{boundary}--\r\n".encode())
    return b"".join(chunks), f"multipart/form-data; boundary={boundary}"


@dataclass(slots=True)
class _Input:
    """An input read here: the API's article object, and where its images are (as a local run has it)."""

    article: dict[str, Any]
    base_dir: Path | None
    source: str


def _read(path: str, fmt: str | None, sets: Sequence[str] = ()) -> _Input:
    """An input read here (the local run's checks and messages; a URL fetched), as the API's article object."""
    from briefpub.pipeline.fetch import fetch_article, is_url, url_stem
    from briefpub.readers import read_source

    if is_url(path):
        data, fmt = fetch_article(path, fmt)
        source, base_dir, filename = path, None, url_stem(path)
    else:
        data, source = read_source(path)
        base_dir = None if path == "-" else Path(path).parent
        filename = Path(source).name or "stdin"
    article = {"data": base64.b64encode(data).decode("ascii"), "filename": filename, "source": source,
               "from": fmt, "set": list(sets)}
    return _Input(article, base_dir, source)


@dataclass(slots=True)
class _Images:
    """The images read here for the server: files by content key, and per article what reading found."""

    fetch: bool
    files: dict[str, bytes] = field(default_factory=dict)
    found: dict[int, dict[str, str]] = field(default_factory=dict)

    def read(self, wanted: Mapping[int, Sequence[str]], inputs: Sequence[_Input]) -> None:
        """Read what the server asked for, as a local run reads it (:func:`~briefpub.pipeline.resources.read_image`)."""
        from briefpub.pipeline.resources import read_image

        for index, refs in wanted.items():
            if not 0 <= index < len(inputs) or not refs:
                raise SetupError("the server asked for images of an article it was not sent")
            item = inputs[index]
            for ref in refs:
                got = read_image(ref, item.base_dir, item.source, self.fetch)
                if isinstance(got, tuple):
                    self.files[got[0]] = got[1]
                    got = got[0]
                self.found.setdefault(index, {})[ref] = got

    def parts(self) -> list[_Part]:
        return [_Part("image", data, key) for key, data in sorted(self.files.items())]


def _asking(send: Callable[[_Images], dict[str, Any]], inputs: Sequence[_Input], fetch: bool) -> dict[str, Any]:
    """``send`` once; when the server asks for images, read them here and send again (once)."""
    images = _Images(fetch)
    try:
        return send(images)
    except _NeedsImages as asked:
        images.read(asked.wanted, inputs)
    try:
        return send(images)
    except _NeedsImages:
        raise SetupError("the server asked again for the images it was sent") from None


def _ask(fetch: bool) -> str:
    return "?ask_images=all" if fetch else "?ask_images=folder"


def _style_sheets(style: str | None) -> dict[str, str]:
    """The style sheet files of ``style`` (none for a built-in one), read as a local run reads them."""
    if style is None:
        return {}
    from briefpub.styling import read_style

    return read_style(style)[1]


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


def _convert(remote: Remote, item: _Input, formats: Sequence[str], style: str | None, sheets: Mapping[str, str],
             epoch: int | None, fetch: bool) -> dict[str, Any]:
    """One article converted on the server (multipart: the article, its options, and its images when asked)."""
    article = item.article

    def send(images: _Images) -> dict[str, Any]:
        fields: list[tuple[str, str | None]] = [("source", article["source"]), ("from", article["from"]),
                                                ("style", style), ("epoch", None if epoch is None else str(epoch))]
        fields += [("format", f) for f in formats] + [("set", s) for s in article["set"]]
        if sheets:
            fields.append(("style_sheets", json.dumps(sheets)))
        if 0 in images.found:
            fields.append(("images", json.dumps(images.found[0])))
        parts = [_Part(name, value.encode("utf-8")) for name, value in fields if value is not None]
        parts += [_Part("file", base64.b64decode(article["data"]), article["filename"]), *images.parts()]
        return remote.post("/api/convert" + _ask(fetch), None, parts)

    return _asking(send, [item], fetch)


def _pack(remote: Remote, body: dict[str, Any], inputs: Sequence[_Input | None], fetch: bool) -> dict[str, Any]:
    """A pack built on the server (JSON; multipart with the images when the server asks for them).
    ``inputs``: what was read for each article of ``body`` (None: sent as unreadable)."""
    known = [item if item is not None else _Input({}, None, "") for item in inputs]

    def send(images: _Images) -> dict[str, Any]:
        if not images.files and not images.found:
            return remote.post("/api/pack" + _ask(fetch), body)
        articles = [dict(a, images=images.found[i]) if i in images.found else a
                    for i, a in enumerate(body["articles"])]
        request = json.dumps({**body, "articles": articles}).encode("utf-8")
        return remote.post("/api/pack" + _ask(fetch), None,
                           [_Part("request", request, "request.json", "application/json"), *images.parts()])

    return _asking(send, known, fetch)


def remote_converter(url: str, style: str | None, sets: Sequence[str]) -> Callable[..., Any]:
    """A stand-in for :func:`briefpub.pipeline.convert_one` that converts on the server (asked once, now,
    whether it is up)."""
    from briefpub.pipeline import Report, convert_targets

    remote = Remote.from_option(url)
    remote.check()  # up, or one error line now (not one per input)
    sheets = _style_sheets(style)

    def convert(path: str, formats: Sequence[str], out_dir: Path, sheet: Any, *, fmt: str | None = None,
                meta_overrides: Sequence[tuple[str, str]] = (), build_time: datetime | None = None,
                fetch_images: bool = False) -> Report:
        item = _read(path, fmt, sets)
        answer = _convert(remote, item, formats, style, sheets,
                          int(build_time.timestamp()) if build_time else None, fetch_images)
        report = Report(input=path)
        report.add_outputs(lambda: _write(answer, convert_targets(path, formats, out_dir)))
        return report

    return convert


def remote_pack(url: str, inputs: Sequence[str], pack: dict[str, Any], targets: Sequence[tuple[str, Path]], *,
                style: str | None, sets: Sequence[str], fmt: str | None, build_time: datetime,
                fetch_images: bool, on_artifact: Callable[[Any], None] | None = None,
                ) -> tuple[int, list[Any], list[Diagnostic], dict[str, list[tuple[str, str]]]]:
    """Build a pack on the server: (articles, artifacts, diagnostics, what reading each article's images found).

    Raises :class:`~briefpub.pipeline.PublishError` (with the written artifacts) when a format failed.
    """
    remote = Remote.from_option(url)
    sheets = _style_sheets(style)
    items = [_read(path, fmt) for path in inputs]
    formats = [f for f, _p in targets]
    body = {"pack": pack, "articles": [item.article for item in items], "formats": formats, "style": style,
            "style_sheets": sheets, "set": list(sets), "epoch": int(build_time.timestamp()), "name": "x"}
    answer = _pack(remote, body, items, fetch_images)
    artifacts, diagnostics = _write(answer, targets, on_artifact)
    return int(answer["articles"]), artifacts, diagnostics, _images(answer)


def remote_build(url: str) -> Callable[..., Any]:
    """A stand-in for :func:`briefpub.pipeline.build.build_artifact` that builds on the server.

    The server is asked once, now, whether it is up (one error line, exit 2, when it is not). Each
    job then reads its inputs here (an input that cannot be read fails the job, or with
    ``skip_bad_inputs`` is sent as unreadable so the server leaves it out and reports it in its
    place), its style sheet files and, when the server asks, its images; sends them with the build
    time, and writes the file that comes back atomically.
    """
    remote = Remote.from_option(url)
    remote.check()

    def build(job: Any, path: Path, build_time: datetime) -> Any:
        target = job.target
        sets = [f"{key}={value}" for key, value in target.sets]
        epoch = int(build_time.timestamp())
        sheets = _style_sheets(target.style)
        if target.kind == "pack":
            body, items = _pack_body(job, build_time, epoch, sheets)
            answer = _pack(remote, body, items, False)
        else:
            answer = _convert(remote, _read(target.inputs[0], target.fmt, sets), [job.format], target.style,
                              sheets, epoch, False)
        (artifact,), diagnostics = _write(answer, [(job.format, path)])
        return artifact, [d.to_dict() for d in diagnostics], _images(answer)

    def _pack_body(job: Any, build_time: datetime, epoch: int,
                   sheets: dict[str, str]) -> tuple[dict[str, Any], list[_Input | None]]:
        from briefpub.pipeline.build import pack_meta
        from briefpub.transforms import split_overrides

        target = job.target
        meta_sets, style_sets = split_overrides(target.sets)
        # metadata overrides go with each article (as a local build applies them), style ones with the pack
        own = [f"{key}={value}" for key, value in meta_sets]
        articles: list[dict[str, Any]] = []
        items: list[_Input | None] = []
        for path in target.inputs:
            try:
                item = _read(path, target.fmt, own)
            except InputError as exc:
                if not target.skip_bad_inputs:
                    raise
                articles.append({"source": path, "error": str(exc)})
                items.append(None)
                continue
            articles.append(item.article)
            items.append(item)
        meta = dataclasses.asdict(pack_meta(target, build_time))
        return {"pack": meta, "articles": articles, "formats": [job.format], "style": target.style,
                "style_sheets": sheets, "set": [f"{key}={value}" for key, value in style_sets], "epoch": epoch,
                "skip_bad_inputs": target.skip_bad_inputs, "name": "x"}, items

    return build
