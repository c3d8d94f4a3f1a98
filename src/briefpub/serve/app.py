"""The HTTP server: API, page, drafts and security, on Starlette and uvicorn (serve stage).

:func:`create_app` builds the ASGI application from a :class:`Config`; :func:`run` serves it
(``briefpub serve``). Every conversion runs in the warm :class:`~briefpub.serve.workers.WorkerPool`
on bytes; nothing a client sends becomes a path.

Errors are JSON (``{"error": {"code", "message", "exit_code"}, "diagnostics": [...]}``) with the
CLI's exit code and the category of its error class as ``code`` (``input``, ``usage``,
``unknown-format``...), and an HTTP status that says whose fault it is: 400 a malformed request or
option, 401 a missing or wrong token, 403 a failed CSRF check, 404, 409 a stale draft version, 413
too large or too many articles, 415 a body or file of the wrong type, 422 an article that cannot be
read, 503 busy; 500 only for a failure of the server itself (a writer bug, a worker crash).

Security (docs/serve.md): loopback by default, a token required anywhere else; the ``Host`` header
must name the loopback when no token is set (DNS rebinding); state-changing requests from a browser
carry the per-session CSRF token the page reads from its ``<meta>`` tag and a same-origin ``Origin``;
a strict Content-Security-Policy; body, file and article-count limits.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import contextlib
import hashlib
import hmac
import io
import json
import os
import posixpath
import re
import secrets
import signal
import sys
import time
import zipfile
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from starlette.applications import Starlette
from starlette.datastructures import UploadFile
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from briefpub import __version__
from briefpub._lazyre import lazy_re
from briefpub.errors import (
    BriefpubError,
    ConversionError,
    InputError,
    OutputError,
    PluginError,
    ReaderError,
    SchemaError,
    SetupError,
    StyleError,
    UnknownFormatError,
    UsageError,
)
from briefpub.pipeline.resources import IMAGE_TYPES, MAX_IMAGE_BYTES, SentFolder
from briefpub.readers.common.decode import MAX_INPUT_BYTES
from briefpub.serve.storage import ARTICLE_META, DRAFT_SETTINGS, Conflict, Missing, Store
from briefpub.serve.workers import (
    ArticleIn,
    Busy,
    NeedsImages,
    Rendered,
    StyleIn,
    Timeout,
    WorkerCrashed,
    WorkerPool,
    convert_task,
    error_of,
    inspect_task,
    pack_task,
)

__all__ = ["Config", "create_app", "default_data_dir", "run"]

STATIC = Path(__file__).with_name("static")
LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1", "[::1]"})
MEDIA_TYPES = {
    "pdf": "application/pdf",
    "epub": "application/epub+zip",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "json": "application/json",
    "zip": "application/zip",
    "png": "image/png",
}
_TEXT_TYPES = frozenset({"", "text/plain", "text/markdown", "text/x-markdown", "text/html", "application/xhtml+xml",
                         "application/octet-stream", "text/x-web-markdown"})
_CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' blob: data:; "
        "object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'")
_UNSAFE = frozenset({"POST", "PUT", "PATCH", "DELETE"})
_OPEN_PATHS = ("/", "/healthz", "/openapi.json", "/api/session", "/favicon.ico")


def default_data_dir() -> Path:
    """Where drafts live by default: ``$XDG_DATA_HOME/briefpub/serve`` (``~/.local/share/...``)."""
    base = os.environ.get("XDG_DATA_HOME") or os.path.join(os.path.expanduser("~"), ".local", "share")
    return Path(base) / "briefpub" / "serve"


@dataclass(slots=True)
class Config:
    """How the server runs; the limits are per request."""

    data: Path
    host: str = "127.0.0.1"
    port: int = 8000
    token: str | None = None
    workers: int = 2
    queue_limit: int = 32
    max_file_bytes: int = MAX_INPUT_BYTES
    max_body_bytes: int = 64 * 1024 * 1024
    max_articles: int = 50
    max_image_bytes: int = MAX_IMAGE_BYTES
    max_images: int = 200
    job_timeout: float = 300.0
    preview_pages: int = 2
    extra_hosts: tuple[str, ...] = ()


# ----------------------------------------------------------------------------- errors


class ApiError(Exception):
    """An error answered as JSON with ``status``."""

    def __init__(self, status: int, code: str, message: str, exit_code: int = 2,
                 diagnostics: list[dict[str, Any]] | None = None, headers: dict[str, str] | None = None,
                 extra: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.status, self.code, self.message, self.exit_code = status, code, message, exit_code
        self.diagnostics = diagnostics or []
        self.headers = headers or {}
        self.extra = extra or {}


_CATEGORIES: tuple[tuple[type[BriefpubError], str, int], ...] = (
    (UnknownFormatError, "unknown-format", 400),
    (UsageError, "usage", 400),
    (StyleError, "style", 400),
    (SchemaError, "schema", 400),
    (InputError, "input", 422),
    (ReaderError, "reader", 422),
    (OutputError, "output", 500),
    (SetupError, "setup", 500),
    (PluginError, "plugin", 500),
    (ConversionError, "conversion", 500),
)


def api_error(exc: BaseException) -> ApiError:
    """The JSON error for anything a handler or a task raised."""
    if isinstance(exc, ApiError):
        return exc
    if isinstance(exc, Busy):
        return ApiError(503, "busy", str(exc), 1, headers={"Retry-After": "2"})
    if isinstance(exc, Timeout):
        return ApiError(503, "timeout", str(exc), 1)
    if isinstance(exc, WorkerCrashed):
        return ApiError(500, "worker-crashed", str(exc), 1)
    if isinstance(exc, Conflict):
        return ApiError(409, "conflict", str(exc), 2)
    if isinstance(exc, Missing):
        return ApiError(404, "not-found", str(exc), 2)
    if isinstance(exc, NeedsImages):
        count = sum(len(refs) for refs in exc.wanted.values())
        return ApiError(422, "needs-images", f"the article(s) name {count} image(s) only the client can read; send "
                        "them (see 'images')", 2, extra={"images": {str(i): refs for i, refs in exc.wanted.items()}})
    err = error_of(exc)
    if isinstance(err, InputError) and "too large" in str(err):
        return ApiError(413, "too-large", str(err), err.exit_code)
    for cls, code, status in _CATEGORIES:
        if isinstance(err, cls):
            return ApiError(status, code, str(err), err.exit_code)
    return ApiError(500, "error", str(err), err.exit_code)


def error_response(err: ApiError) -> JSONResponse:
    """``{"error": {...}, "diagnostics": [...]}`` with the error's status."""
    body = {"error": {"code": err.code, "message": err.message, "exit_code": err.exit_code, "status": err.status},
            "diagnostics": err.diagnostics, **err.extra}
    return JSONResponse(body, status_code=err.status, headers=err.headers)


class _TooLarge(Exception):
    """The request body passed the server's limit while it was read."""


# ----------------------------------------------------------------------------- security


@dataclass(slots=True)
class Guard:
    """Token, session and CSRF checks (the secret signs session cookies and CSRF tokens)."""

    token: str | None
    secret: bytes
    loopback_only: bool
    hosts: frozenset[str]

    def sign(self, purpose: str, value: str) -> str:
        """An HMAC of ``value`` for ``purpose`` (hex)."""
        return hmac.new(self.secret, f"{purpose}:{value}".encode(), hashlib.sha256).hexdigest()

    def csrf(self, sid: str) -> str:
        """The CSRF token of a session (what the page's meta tag carries)."""
        return self.sign("csrf", sid)

    def bearer_ok(self, headers: dict[str, str]) -> bool | None:
        """True: a right bearer token; False: a wrong one; None: none given."""
        auth = headers.get("authorization", "")
        if not auth.lower().startswith("bearer "):
            return None
        given = auth[7:].strip()
        return self.token is None or hmac.compare_digest(given.encode(), self.token.encode())

    def host_ok(self, headers: dict[str, str]) -> bool:
        """Whether the ``Host`` header names this server (loopback names when no token protects it)."""
        if not self.loopback_only:
            return True
        host = headers.get("host", "")
        name = host.rsplit(":", 1)[0] if not host.endswith("]") else host
        return name.lower() in self.hosts


def _cookies(headers: dict[str, str]) -> dict[str, str]:
    out: dict[str, str] = {}
    for part in headers.get("cookie", "").split(";"):
        key, sep, value = part.strip().partition("=")
        if sep:
            out[key] = value
    return out


class SecurityMiddleware:
    """Host, token and CSRF checks before routing; size limit while reading; headers on every answer."""

    def __init__(self, app: ASGIApp, guard: Guard, max_body: int) -> None:
        self.app, self.guard, self.max_body = app, guard, max_body

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        problem = self.check(scope, headers)

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                extra = [(b"x-content-type-options", b"nosniff"), (b"referrer-policy", b"no-referrer"),
                         (b"x-frame-options", b"DENY"), (b"content-security-policy", _CSP.encode())]
                message["headers"] = [*message.get("headers", []), *extra]
            await send(message)

        if problem is not None:
            await error_response(problem)(scope, receive, send_with_headers)
            return
        length = headers.get("content-length", "")
        if length.isdigit() and int(length) > self.max_body:
            await error_response(ApiError(413, "too-large", f"request body of {int(length):,} bytes; the limit is "
                                          f"{self.max_body:,}"))(scope, receive, send_with_headers)
            return
        seen = 0

        async def counted() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.max_body:
                    raise _TooLarge(f"request body over the limit of {self.max_body:,} bytes")
            return message

        await self.app(scope, counted, send_with_headers)

    def check(self, scope: Scope, headers: dict[str, str]) -> ApiError | None:
        """The reason to refuse a request before it reaches a handler, if any."""
        guard = self.guard
        if not guard.host_ok(headers):
            return ApiError(400, "bad-host", "the Host header does not name this server (loopback only)")
        path: str = scope["path"]
        bearer = guard.bearer_ok(headers)
        if bearer is False:
            return ApiError(401, "auth", "wrong token", headers={"WWW-Authenticate": "Bearer"})
        cookies = _cookies(headers)
        sid = cookies.get("bp_sid", "")
        session_ok = bool(sid) and guard.token is not None and hmac.compare_digest(
            cookies.get("bp_auth", ""), guard.sign("auth", sid))
        if guard.token is not None and not bearer and not session_ok and not (
                path in _OPEN_PATHS or path.startswith("/static/")):
            return ApiError(401, "auth", "this server needs a token: 'Authorization: Bearer TOKEN'",
                            headers={"WWW-Authenticate": "Bearer"})
        if scope["method"] not in _UNSAFE or bearer:
            return None
        browser = "origin" in headers or "sec-fetch-site" in headers or sid
        if guard.token is None and not browser:
            return None  # a plain client on the loopback (curl, the CLI): no cookies to ride on
        origin = headers.get("origin")
        scheme = scope.get("scheme", "http")
        if origin is not None and origin != f"{scheme}://{headers.get('host', '')}":
            return ApiError(403, "csrf", f"cross-origin request refused (Origin {origin})")
        if headers.get("sec-fetch-site", "same-origin") not in ("same-origin", "none"):
            return ApiError(403, "csrf", "cross-site request refused")
        given = headers.get("x-csrf-token", "")
        if not sid or not hmac.compare_digest(given, guard.csrf(sid)):
            return ApiError(403, "csrf", "missing or wrong CSRF token (reload the page)")
        return None


def _load_secret(folder: Path) -> bytes:
    path = folder / "secret.key"
    try:
        return path.read_bytes()
    except FileNotFoundError:
        data = secrets.token_bytes(32)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        return data


# ----------------------------------------------------------------------------- request parsing


def _check_name(name: str) -> str:
    """An upload's file name, used only in messages and to choose the reader: its last part, printable."""
    base = re.split(r"[\\/]", name)[-1]
    base = "".join(ch for ch in base if ch.isprintable())[:200].strip()
    return base or "article.txt"


def _formats(values: list[str], default: list[str]) -> list[str]:
    from briefpub.console import parse_formats
    from briefpub.writers import WRITERS

    return parse_formats(values, WRITERS, default)


def _sets(value: object) -> list[str]:
    """``set`` as a list of ``KEY=VALUE`` strings (JSON may give an object)."""
    if value is None:
        return []
    if isinstance(value, dict):
        return [f"{k}={v}" for k, v in value.items()]
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return list(value)
    if isinstance(value, str):
        return [value]
    raise ApiError(400, "usage", "set: expected KEY=VALUE strings or an object")


def _str_or_none(value: object, name: str) -> str | None:
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise ApiError(400, "usage", f"{name}: expected a string")
    return value


async def _json_body(request: Request) -> dict[str, Any]:
    raw = await request.body()
    if not raw:
        raise ApiError(400, "usage", "empty request body")
    return _json_object(raw, "request body")


def _json_object(raw: bytes, what: str) -> dict[str, Any]:
    """``raw`` parsed as a JSON object; a 400 naming ``what`` otherwise."""
    try:
        data = json.loads(raw)
    except ValueError as exc:
        raise ApiError(400, "usage", f"{what} is not valid JSON ({exc})") from None
    if not isinstance(data, dict):
        raise ApiError(400, "usage", f"{what} must be a JSON object")
    return data


def _article_from_json(item: dict[str, Any], limit: int, where: str = "") -> tuple[str, str | None, bytes]:
    """(file name, reader, bytes) from ``{"filename", "from", "text" | "data" (base64)}``."""
    if not isinstance(item, dict):
        raise ApiError(400, "usage", f"{where}: expected an object")
    name = _check_name(str(item.get("filename") or "article.txt"))
    fmt = _str_or_none(item.get("from"), f"{where}from")
    if isinstance(item.get("text"), str):
        data = item["text"].encode("utf-8")
    elif isinstance(item.get("data"), str):
        try:
            data = base64.b64decode(item["data"], validate=True)
        except (binascii.Error, ValueError):
            raise ApiError(400, "usage", f"{where}data: not valid base64") from None
    else:
        raise ApiError(400, "usage", f"{where}: give the article as \"text\" (a string) or \"data\" (base64)")
    if len(data) > limit:
        raise ApiError(413, "too-large", f"{name}: {len(data):,} bytes; the limit for an article is {limit:,}")
    return name, fmt, data


async def _upload(part: UploadFile, limit: int) -> tuple[str, bytes]:
    name = _check_name(part.filename or "article.txt")
    media = (part.content_type or "").split(";")[0].strip().lower()
    if media not in _TEXT_TYPES:
        raise ApiError(415, "media-type", f"{name}: {media} is not an article (plain text, Markdown or HTML)")
    data = await part.read(limit + 1)
    if len(data) > limit:
        raise ApiError(413, "too-large", f"{name}: more than {limit:,} bytes, the limit for an article")
    return name, data


_DRIVE = lazy_re(r"^[A-Za-z]:")
_IMAGE_MEDIA = frozenset({"", "application/octet-stream"})
_MAX_SHEETS = 9  # a sheet and its 'extends' chain (the loader follows at most 8)


def image_name(raw: str) -> str:
    """An image file's name as sent: a path relative to the article's folder, and nothing else. It never
    becomes a path here (the files stay bytes, :class:`~briefpub.pipeline.resources.SentFolder`); a name
    that could mean anything outside the folder is refused all the same."""
    problem = ""
    if not raw or len(raw) > 1024:
        problem = "empty or longer than 1024 characters"
    elif not all(ch.isprintable() for ch in raw):
        problem = "control characters (NUL...) in the name"
    elif raw.startswith("/") or _DRIVE.match(raw) or "\\" in raw:
        problem = "an absolute path, a drive letter or a backslash"
    elif any(part in ("", ".", "..") for part in raw.split("/")):
        problem = "'..', '.' or an empty part in the name"
    if problem:
        raise ApiError(400, "bad-name", f"image {raw[:200]!r}: {problem}; name images by their path relative to "
                       "the article's folder (pics/chart.png)")
    if posixpath.splitext(raw)[1].lower() not in IMAGE_TYPES:
        raise ApiError(415, "media-type", f"image {raw}: not an image file type "
                       f"({', '.join(sorted(t[1:] for t in IMAGE_TYPES))})")
    return raw


async def _image_parts(parts: list[Any], config: Config) -> dict[str, bytes]:
    """The image files of a multipart request (``image`` parts named by their path in the article's folder)."""
    if len(parts) > config.max_images:
        raise ApiError(413, "too-many-files", f"{len(parts)} image files; the limit for a request is "
                       f"{config.max_images}")
    files: dict[str, bytes] = {}
    for part in parts:
        if not isinstance(part, UploadFile):
            raise ApiError(400, "usage", "image: expected uploaded files")
        name = image_name(part.filename or "")
        media = (part.content_type or "").split(";")[0].strip().lower()
        if media not in _IMAGE_MEDIA and not media.startswith("image/"):
            raise ApiError(415, "media-type", f"image {name}: {media} is not an image")
        data = await part.read(config.max_image_bytes + 1)
        if len(data) > config.max_image_bytes:
            raise ApiError(413, "too-large", f"image {name}: more than {config.max_image_bytes:,} bytes, the limit "
                           "for an image")
        if name in files:
            raise ApiError(400, "usage", f"image {name}: sent twice")
        files[name] = data
    return files


def _found(value: object, where: str) -> dict[str, str]:
    """``images``: what the client's reading found for each reference (reference -> file name or
    ``!code: message``)."""
    if isinstance(value, str):
        value = _json_field(value, f"{where}images")
    if value is None:
        return {}
    if not isinstance(value, dict) or len(value) > 10_000 or not all(
            isinstance(k, str) and isinstance(v, str) and len(k) <= 1_000_000 and len(v) <= 4096
            for k, v in value.items()):
        raise ApiError(400, "usage", f"{where}images: expected an object of reference -> file name or "
                       "'!code: message'")
    return dict(value)


_MAX_FIELD_BYTES = 4 * 1024 * 1024  # a multipart text field: 'style_sheets' (JSON) holds whole sheets


def _json_field(value: object, name: str) -> object:
    """A multipart text field holding JSON (None when absent)."""
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise ApiError(400, "usage", f"{name}: expected a JSON text field")
    try:
        return json.loads(value)
    except ValueError:
        raise ApiError(400, "usage", f"{name}: not valid JSON") from None


def _style_in(name: object, sheets: object, sets: list[tuple[str, str]]) -> StyleIn:
    """The style of a request: a built-in name, or a sheet's name and the sheet files sent (``style_sheets``:
    name as the client's messages give it -> TOML text)."""
    if sheets is None:
        sheets = {}
    if not isinstance(sheets, dict) or not all(isinstance(k, str) and isinstance(v, str) for k, v in sheets.items()):
        raise ApiError(400, "usage", "style_sheets: expected an object of sheet name -> TOML text")
    if len(sheets) > _MAX_SHEETS:
        raise ApiError(413, "too-many-files", f"{len(sheets)} style sheets; a sheet and its 'extends' chain are at "
                       f"most {_MAX_SHEETS}")
    if any(not k or len(k) > 4096 or "\0" in k for k in sheets):
        raise ApiError(400, "bad-name", "style_sheets: a sheet name is empty, too long or holds NUL")
    return StyleIn(_str_or_none(name, "style"), tuple(sorted(sheets.items())), tuple(sets))


def _ask(request: Request) -> str:
    """``?ask_images=folder|all``: answer 422 ``needs-images`` with the references only the client can read
    (``all``: http(s) images too, which the client fetches) instead of reporting them missing."""
    value = request.query_params.get("ask_images", "")
    if value not in ("", "folder", "all"):
        raise ApiError(400, "usage", "ask_images: folder or all")
    return value


def _media(request: Request) -> str:
    return request.headers.get("content-type", "").split(";")[0].strip().lower()


def _wants_json(request: Request) -> bool:
    return "application/json" in request.headers.get("accept", "")


def _rendered_json(rendered: Rendered, stem: str, schema: str) -> dict[str, Any]:
    from briefpub.writers import WRITERS

    return {
        "schema": schema,
        "ok": not rendered.failures,
        "articles": rendered.articles,
        "outputs": [{"format": o.format, "filename": f"{stem}{WRITERS.get(o.format).extension}",
                     "sha256": o.sha256, "size": len(o.data), "seconds": round(o.seconds, 4),
                     "fonts": list(o.fonts), "data": base64.b64encode(o.data).decode("ascii")}
                    for o in rendered.outputs],
        "failures": [{"format": f, "message": m, "exit_code": c} for f, m, c in rendered.failures],
        "diagnostics": rendered.diagnostics,
        "images": {source: [list(pair) for pair in record] for source, record in rendered.images.items()},
    }


def _files_response(rendered: Rendered, stem: str, epoch: int | None) -> Response:
    """One file as itself, several as a zip; all failed: the error."""
    from briefpub.writers import WRITERS

    if not rendered.outputs:
        _fmt, message, code = rendered.failures[0]
        err = api_error(ConversionError(message) if code == 1 else SetupError(message))
        err.diagnostics = rendered.diagnostics
        raise err
    headers = {"X-Briefpub-Diagnostics": str(len(rendered.diagnostics))}
    if rendered.failures:
        headers["X-Briefpub-Failed"] = ",".join(f for f, _m, _c in rendered.failures)
    if len(rendered.outputs) == 1:
        out = rendered.outputs[0]
        name = f"{stem}{WRITERS.get(out.format).extension}"
        headers["Content-Disposition"] = f'attachment; filename="{name}"'
        return Response(out.data, media_type=MEDIA_TYPES.get(out.format, "application/octet-stream"),
                        headers=headers)
    files = [(f"{stem}{WRITERS.get(o.format).extension}", o.data) for o in rendered.outputs]
    headers["Content-Disposition"] = f'attachment; filename="{stem}.zip"'
    return Response(make_zip(files, epoch), media_type="application/zip", headers=headers)


def make_zip(files: list[tuple[str, bytes]], epoch: int | None) -> bytes:
    """A zip of ``files`` with fixed entry times (the build time), so the same input gives the same bytes."""
    from datetime import UTC, datetime

    from briefpub.writers._zip import zip_time

    when = zip_time(datetime.fromtimestamp(epoch if epoch is not None else time.time(), tz=UTC))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        for name, data in files:
            info = zipfile.ZipInfo(name, when)
            info.compress_type = zipfile.ZIP_STORED  # PDF/EPUB/DOCX are compressed already
            info.external_attr = 0o644 << 16
            zf.writestr(info, data)
    return buffer.getvalue()


def _epoch(given: object = None) -> int | None:
    """The build time: the request's ``epoch`` (what ``--server`` clients send), else the server's
    ``SOURCE_DATE_EPOCH``, else None (now, when the worker runs)."""
    from briefpub.pipeline import build_time_from_env

    if given is not None and given != "":
        if isinstance(given, str) and given.isdigit():
            given = int(given)
        if not isinstance(given, int) or isinstance(given, bool) or not 0 <= given < 2**33:
            raise ApiError(400, "usage", "epoch: a whole number of seconds since 1970")
        return given
    return int(build_time_from_env().timestamp()) if os.environ.get("SOURCE_DATE_EPOCH", "").strip() else None


# ----------------------------------------------------------------------------- the application


@dataclass(slots=True)
class Server:
    """What the handlers share: configuration, store, pool, guard, running builds."""

    config: Config
    store: Store
    pool: WorkerPool
    guard: Guard
    page: str
    tasks: set[asyncio.Task[None]] = field(default_factory=set)
    live: dict[str, dict[str, Any]] = field(default_factory=dict)
    conversions: int = 0

    # ------------------------------------------------------------------------- misc

    async def healthz(self, request: Request) -> Response:
        return JSONResponse({"status": "ok", "version": __version__, "workers": len(self.pool.pids()),
                             "recycled": self.pool.recycled, "conversions": self.conversions})

    async def openapi(self, request: Request) -> Response:
        from briefpub.serve.openapi import spec

        return JSONResponse(spec(__version__))

    async def formats(self, request: Request) -> Response:
        from briefpub.readers import READERS
        from briefpub.writers import PUBLICATION_FORMATS, WRITERS

        rows = [{"kind": kind, "name": name, "extensions": list(s.extensions), "description": s.description,
                 "default": kind == "output" and name in PUBLICATION_FORMATS}
                for kind, reg in (("input", READERS), ("output", WRITERS)) for name, s in reg.specs().items()]
        return JSONResponse(rows)

    async def styles(self, request: Request) -> Response:
        from briefpub.styling import DEFAULT_SHEET, builtin_names, load_style

        return JSONResponse([{"name": n, "description": load_style(n).description, "page": load_style(n).page.size,
                              "default": n == DEFAULT_SHEET} for n in builtin_names()])

    async def page_view(self, request: Request) -> Response:
        sid = request.cookies.get("bp_sid", "")
        fresh = not re.fullmatch(r"[A-Za-z0-9_-]{20,64}", sid)
        if fresh:
            sid = secrets.token_urlsafe(24)
        html = self.page.replace("__CSRF__", self.guard.csrf(sid)).replace(
            "__TOKEN_NEEDED__", "true" if self.guard.token else "false")
        response = Response(html, media_type="text/html; charset=utf-8", headers={"Cache-Control": "no-store"})
        if fresh:
            response.set_cookie("bp_sid", sid, httponly=True, samesite="strict", path="/")
        return response

    async def session(self, request: Request) -> Response:
        sid = request.cookies.get("bp_sid", "")
        if request.method == "GET":
            ok = self.guard.token is None or (bool(sid) and hmac.compare_digest(
                request.cookies.get("bp_auth", ""), self.guard.sign("auth", sid)))
            return JSONResponse({"token_needed": self.guard.token is not None, "signed_in": ok})
        body = await _json_body(request)
        given = body.get("token")
        if self.guard.token is None:
            return JSONResponse({"signed_in": True})
        if not isinstance(given, str) or not hmac.compare_digest(given.encode(), self.guard.token.encode()):
            raise ApiError(401, "auth", "wrong token")
        response = JSONResponse({"signed_in": True})
        response.set_cookie("bp_auth", self.guard.sign("auth", sid), httponly=True, samesite="strict", path="/")
        return response

    # ------------------------------------------------------------------------- one-shot API

    async def _one_article(self, request: Request) -> tuple[ArticleIn, dict[str, Any]]:
        """The article and options of a convert/inspect request (multipart or JSON)."""
        media = _media(request)
        limit = self.config.max_file_bytes
        files: dict[str, bytes] = {}
        if media == "multipart/form-data":
            async with request.form(max_files=self.config.max_images + 2, max_fields=100,
                                    max_part_size=_MAX_FIELD_BYTES) as form:
                part = form.get("file")
                if not isinstance(part, UploadFile):
                    raise ApiError(400, "usage", "multipart body: give the article as a file field named 'file'")
                name, data = await _upload(part, limit)
                files = await _image_parts(form.getlist("image"), self.config)
                options: dict[str, Any] = {
                    "format": [v for v in form.getlist("format") if isinstance(v, str)],
                    "style": form.get("style"), "from": form.get("from"),
                    "set": [v for v in form.getlist("set") if isinstance(v, str)],
                    "source": form.get("source"), "epoch": form.get("epoch"), "images": form.get("images"),
                    "style_sheets": _json_field(form.get("style_sheets"), "style_sheets"),
                }
        elif media == "application/json":
            body = await _json_body(request)
            name, fmt, data = _article_from_json(body, limit)
            options = {"format": body.get("format") or body.get("formats") or [], "style": body.get("style"),
                       "from": fmt, "set": body.get("set"), "source": body.get("source"),
                       "epoch": body.get("epoch"), "images": body.get("images"),
                       "style_sheets": body.get("style_sheets")}
        else:
            raise ApiError(415, "media-type", f"Content-Type {media or '(none)'}: send multipart/form-data or "
                           "application/json")
        fmt_in = _str_or_none(options["from"], "from")
        source = _str_or_none(options.get("source"), "source") or name
        if len(source) > 4096:
            raise ApiError(400, "usage", "source: too long")
        from briefpub.console import parse_sets

        meta_sets, style_sets = parse_sets(_sets(options["set"]))
        formats = options["format"]
        formats = [formats] if isinstance(formats, str) else formats
        if not isinstance(formats, list) or not all(isinstance(f, str) for f in formats):
            raise ApiError(400, "usage", "format: expected a name or a list of names")
        options.update(meta_sets=meta_sets, formats=formats, name=name,
                       style=_style_in(options["style"], options["style_sheets"], style_sets))
        folder = SentFolder(files, _found(options["images"], ""), _ask(request))
        return ArticleIn(data, source, fmt_in, tuple(meta_sets), folder=folder), options

    async def convert(self, request: Request) -> Response:
        from briefpub.pipeline import output_stem

        article, options = await self._one_article(request)
        formats = _formats(options["formats"], ["pdf"])
        epoch = _epoch(options.get("epoch"))
        rendered = await self.pool.run(convert_task, article, formats, options["style"], epoch)
        self.conversions += 1
        stem = output_stem(options["name"])
        if _wants_json(request):
            return JSONResponse(_rendered_json(rendered, stem, "briefpub.serve-convert/1"))
        return _files_response(rendered, stem, epoch)

    async def inspect(self, request: Request) -> Response:
        article, _options = await self._one_article(request)
        return JSONResponse(await self.pool.run(inspect_task, article))

    async def pack(self, request: Request) -> Response:
        from briefpub.console import parse_sets
        from briefpub.pipeline.pack import safe_name

        files: dict[str, bytes] = {}
        media = _media(request)
        if media == "multipart/form-data":  # the JSON body as the part 'request', and the image files
            async with request.form(max_files=self.config.max_images + 2, max_fields=10) as form:
                part = form.get("request")
                if not isinstance(part, UploadFile):
                    raise ApiError(400, "usage", "multipart body: give the pack as a JSON file field named 'request'")
                raw = await part.read(self.config.max_body_bytes + 1)
                files = await _image_parts(form.getlist("image"), self.config)
            body = _json_object(raw, "the request part")
        elif media == "application/json":
            body = await _json_body(request)
        else:
            raise ApiError(415, "media-type", "send the pack as application/json (or multipart/form-data with "
                           "image files)")
        ask = _ask(request)
        items = body.get("articles")
        if not isinstance(items, list) or not items:
            raise ApiError(400, "usage", "articles: give a non-empty list of articles")
        if len(items) > self.config.max_articles:
            raise ApiError(413, "too-many-articles", f"{len(items)} articles; the limit for a pack is "
                           f"{self.config.max_articles}")
        meta_sets, style_sets = parse_sets(_sets(body.get("set")))
        articles = []
        skip_bad_inputs = body.get("skip_bad_inputs", False)
        if not isinstance(skip_bad_inputs, bool):
            raise ApiError(400, "usage", "skip_bad_inputs: expected true or false")
        for i, item in enumerate(items):
            if isinstance(item, dict) and isinstance(item.get("error"), str):  # a client could not read it
                source = _str_or_none(item.get("source"), "source") or _check_name(str(item.get("filename") or ""))
                articles.append(ArticleIn(b"", source, None, (), item["error"][:4096] or "unreadable"))
                continue
            name, fmt, data = _article_from_json(item, self.config.max_file_bytes, f"articles[{i}].")
            own_meta, _ignored = parse_sets(_sets(item.get("set")))
            source = _str_or_none(item.get("source"), "source") or name
            folder = SentFolder(files, _found(item.get("images"), f"articles[{i}]."), ask)
            articles.append(ArticleIn(data, source, fmt or _str_or_none(body.get("from"), "from"),
                                      (*meta_sets, *own_meta), folder=folder))
        raw_pack = body.get("pack")
        if not isinstance(raw_pack, dict):
            raise ApiError(400, "usage", "pack: an object with at least a title")
        flags = ("summary_page", "duplex")
        for key, value in raw_pack.items():
            if key not in (*flags, "title", "subtitle", "date", "compiled_by", "reference", "version", "marking",
                           "language"):
                raise ApiError(400, "usage", f"pack.{key}: unknown field")
            if not isinstance(value, bool if key in flags else str):
                raise ApiError(400, "usage", f"pack.{key}: expected {'true or false' if key in flags else 'a string'}")
        pack: dict[str, Any] = dict(raw_pack)
        title = str(pack.get("title", "")).strip()
        if not title:
            raise ApiError(400, "usage", "pack.title: a pack needs a non-empty title")
        pack["title"] = title
        if not pack.get("marking"):
            pack["marking"] = next((v for k, v in meta_sets if k.lower() == "marking"), "")
        if pack.pop("duplex", False) is True:
            style_sets.append(("page.duplex", "true"))
        stem = safe_name(str(body.get("name") or title), fallback="")
        if not stem:
            raise ApiError(400, "usage", "name: no letter or digit to name the output file after")
        wanted = body.get("formats", body.get("format", []))
        wanted = [wanted] if isinstance(wanted, str) else wanted
        if not isinstance(wanted, list) or not all(isinstance(f, str) for f in wanted):
            raise ApiError(400, "usage", "formats: expected a list of names")
        formats = _formats(wanted, ["pdf", "epub", "docx"])
        epoch = _epoch(body.get("epoch"))
        style = _style_in(body.get("style"), body.get("style_sheets"), style_sets)
        rendered = await self.pool.run(pack_task, articles, pack, formats, style, epoch, None, 0, skip_bad_inputs)
        self.conversions += 1
        if _wants_json(request):
            return JSONResponse(_rendered_json(rendered, stem, "briefpub.serve-pack/1"))
        return _files_response(rendered, stem, epoch)

    # ------------------------------------------------------------------------- drafts

    def _version(self, request: Request, body: dict[str, Any]) -> int:
        raw = body.get("version", request.headers.get("if-match", "").strip('"'))
        if isinstance(raw, int) and not isinstance(raw, bool):
            return raw
        if isinstance(raw, str) and raw.isdigit():
            return int(raw)
        raise ApiError(428, "version-required", "give the draft version this change is based on "
                       "(\"version\" or If-Match)")

    async def drafts(self, request: Request) -> Response:
        if request.method == "GET":
            return JSONResponse(await asyncio.to_thread(self.store.list_drafts))
        body = await _json_body(request) if await request.body() else {}
        settings = self._settings(body.get("settings", {}))
        return JSONResponse(await asyncio.to_thread(self.store.create_draft, settings), status_code=201)

    def _settings(self, raw: object) -> dict[str, Any]:
        if not isinstance(raw, dict):
            raise ApiError(400, "usage", "settings: expected an object")
        out: dict[str, Any] = {}
        for key, value in raw.items():
            if key not in DRAFT_SETTINGS:
                raise ApiError(400, "usage", f"settings.{key}: unknown (known: {', '.join(DRAFT_SETTINGS)})")
            kind = type(DRAFT_SETTINGS[key])
            if not isinstance(value, kind) or (kind is str and len(value) > 10_000):
                raise ApiError(400, "usage", f"settings.{key}: expected a {kind.__name__}")
            out[key] = value
        if "style" in out:
            from briefpub.styling import builtin_names

            if out["style"] not in builtin_names():
                raise ApiError(400, "style", f"settings.style {out['style']!r}: unknown (available: "
                               f"{', '.join(builtin_names())})")
        return out

    async def draft(self, request: Request) -> Response:
        draft_id = request.path_params["draft"]
        if request.method == "GET":
            return JSONResponse(await asyncio.to_thread(self.store.draft, draft_id))
        if request.method == "DELETE":
            await asyncio.to_thread(self.store.delete_draft, draft_id)
            return Response(status_code=204)
        body = await _json_body(request)
        changes = self._settings(body.get("settings", {}))
        return JSONResponse(await asyncio.to_thread(self.store.update_settings, draft_id,
                                                    self._version(request, body), changes))

    async def add_articles(self, request: Request) -> Response:
        draft_id = request.path_params["draft"]
        await asyncio.to_thread(self.store.draft, draft_id)  # 404 before reading uploads
        limit = self.config.max_file_bytes
        items: list[tuple[str, str | None, bytes]] = []
        media = _media(request)
        if media == "multipart/form-data":
            async with request.form(max_files=self.config.max_articles + 1, max_fields=100,
                                    max_part_size=1024 * 1024) as form:
                for part in form.getlist("file"):
                    if not isinstance(part, UploadFile):
                        raise ApiError(400, "usage", "file: expected uploaded files")
                    name, data = await _upload(part, limit)
                    items.append((name, _str_or_none(form.get("from"), "from"), data))
        elif media == "application/json":
            body = await _json_body(request)
            items.append(_article_from_json(body, limit))
        else:
            raise ApiError(415, "media-type", f"Content-Type {media or '(none)'}: send multipart/form-data or "
                           "application/json")
        if not items:
            raise ApiError(400, "usage", "no article given")
        have = await asyncio.to_thread(self.store.count_articles, draft_id)
        if have + len(items) > self.config.max_articles:
            raise ApiError(413, "too-many-articles", f"a draft holds at most {self.config.max_articles} articles "
                           f"(it has {have})")
        infos: list[dict[str, Any] | BaseException] = []
        for name, fmt, data in items:  # one at a time: a 50-file drop must not fill the queue
            try:
                infos.append(await self.pool.run(inspect_task, ArticleIn(data, name, fmt)))
            except (BriefpubError, Busy, Timeout, WorkerCrashed) as exc:
                infos.append(exc)
        bad = [(n, e) for (n, _f, _d), e in zip(items, infos, strict=True) if isinstance(e, BaseException)]
        if bad:  # nothing is added unless every file reads
            err = api_error(bad[0][1])
            if len(bad) > 1:
                err.message += f" (and {len(bad) - 1} more file(s) refused)"
            raise err
        for (name, fmt, data), info in zip(items, infos, strict=True):
            assert isinstance(info, dict)
            await asyncio.to_thread(self.store.add_article, draft_id, name, fmt, data, info)
        return JSONResponse(await asyncio.to_thread(self.store.draft, draft_id), status_code=201)

    async def article(self, request: Request) -> Response:
        draft_id, article_id = request.path_params["draft"], request.path_params["article"]
        body = await _json_body(request) if await request.body() else {}
        version = self._version(request, body)
        if request.method == "DELETE":
            return JSONResponse(await asyncio.to_thread(self.store.remove_article, draft_id, article_id, version))
        meta = body.get("meta", {})
        if not isinstance(meta, dict) or any(k not in ARTICLE_META or not isinstance(v, str) or len(v) > 10_000
                                             for k, v in meta.items()):
            raise ApiError(400, "usage", f"meta: an object of strings with keys among {', '.join(ARTICLE_META)}")
        return JSONResponse(await asyncio.to_thread(self.store.update_article, draft_id, article_id, version,
                                                    {k: v for k, v in meta.items() if v.strip()}))

    async def order(self, request: Request) -> Response:
        body = await _json_body(request)
        order = body.get("order")
        if not isinstance(order, list) or not all(isinstance(i, str) for i in order):
            raise ApiError(400, "usage", "order: a list of article ids")
        try:
            return JSONResponse(await asyncio.to_thread(self.store.reorder, request.path_params["draft"],
                                                        self._version(request, body), order))
        except ValueError as exc:
            raise ApiError(400, "usage", str(exc)) from None

    # ------------------------------------------------------------------------- builds

    async def start_build(self, request: Request) -> Response:
        draft_id = request.path_params["draft"]
        version, settings, articles = await asyncio.to_thread(self.store.article_sources, draft_id)
        if not articles:
            raise ApiError(400, "usage", "the draft has no article yet")
        build_id = await asyncio.to_thread(self.store.start_build, draft_id, version)
        self.live[build_id] = {"done": 0, "total": len(articles) + 4, "stage": "queued"}
        task = asyncio.create_task(self._build(build_id, settings, articles))
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)
        return JSONResponse(await self._build_state(build_id), status_code=202,
                            headers={"Location": f"/api/builds/{build_id}"})

    async def _build(self, build_id: str, settings: dict[str, Any], articles: list[dict[str, Any]]) -> None:
        from briefpub.pipeline.pack import safe_name

        articles_in = [ArticleIn(a["data"], a["filename"], a["fmt"], tuple((k, v) for k, v in a["meta"].items()))
                       for a in articles]
        pack = {k: settings.get(k, "") for k in ("title", "subtitle", "reference", "version", "marking",
                                                 "compiled_by", "date")}
        pack["summary_page"] = bool(settings.get("summary_page"))
        style_sets = [("page.duplex", "true")] if settings.get("duplex") else []
        stem = safe_name(str(pack["title"]) or "pack")
        epoch = _epoch()

        def progress(done: int, total: int, stage: str) -> None:
            self.live[build_id] = {"done": done, "total": total, "stage": stage}

        await asyncio.to_thread(self.store.set_progress, build_id, "running", self.live[build_id])
        try:
            rendered: Rendered = await self.pool.run(
                pack_task, articles_in, pack, ["pdf", "epub", "docx"],
                StyleIn(settings.get("style") or None, (), tuple(style_sets)), epoch, build_id,
                self.config.preview_pages, job=build_id, on_progress=progress)
        except Exception as exc:
            err = api_error(exc)
            await asyncio.to_thread(self.store.finish_build, build_id, "failed",
                                    {"error": {"code": err.code, "message": err.message, "status": err.status}})
            self.live.pop(build_id, None)
            return
        from briefpub.writers import WRITERS

        files = [(f"{stem}{WRITERS.get(o.format).extension}", MEDIA_TYPES[o.format], o.data)
                 for o in rendered.outputs]
        if files:
            files.append((f"{stem}.zip", MEDIA_TYPES["zip"], make_zip([(n, d) for n, _m, d in files], epoch)))
        files += [(f"preview-{i + 1}.png", MEDIA_TYPES["png"], png) for i, png in enumerate(rendered.preview)]
        result = {"diagnostics": rendered.diagnostics, "articles": rendered.articles,
                  "failures": [{"format": f, "message": m, "exit_code": c} for f, m, c in rendered.failures],
                  "outputs": [{"format": o.format, "sha256": o.sha256, "size": len(o.data)}
                              for o in rendered.outputs]}
        await asyncio.to_thread(self.store.set_progress, build_id, "running",
                                {"done": 1, "total": 1, "stage": "done"})
        await asyncio.to_thread(self.store.finish_build, build_id, "done" if not rendered.failures else "failed",
                                result, files)
        self.live.pop(build_id, None)

    async def _build_state(self, build_id: str) -> dict[str, Any]:
        state = await asyncio.to_thread(self.store.build, build_id)
        if build_id in self.live and state["status"] in ("queued", "running"):
            state["progress"] = self.live[build_id]
        return state

    async def build_state(self, request: Request) -> Response:
        return JSONResponse(await self._build_state(request.path_params["build"]))

    async def build_file(self, request: Request) -> Response:
        build_id, name = request.path_params["build"], request.path_params["name"]
        media, data = await asyncio.to_thread(self.store.output, build_id, name)
        disposition = "inline" if media == "image/png" else f'attachment; filename="{name}"'
        return Response(data, media_type=media, headers={"Content-Disposition": disposition,
                                                         "Cache-Control": "no-store"})


def _handle(fn: Callable[[Request], Awaitable[Response]]) -> Callable[[Request], Awaitable[Response]]:
    async def endpoint(request: Request) -> Response:
        try:
            return await fn(request)
        except _TooLarge as exc:
            return error_response(ApiError(413, "too-large", str(exc)))
        except HTTPException as exc:
            if str(exc.detail).startswith("Too many files"):  # starlette's own count, past ours
                return error_response(ApiError(413, "too-many-files", str(exc.detail)))
            return error_response(ApiError(exc.status_code, "usage", str(exc.detail)))
        except Exception as exc:
            if isinstance(exc, BriefpubError | ApiError | Busy | Timeout | WorkerCrashed | Conflict | Missing |
                          NeedsImages):
                return error_response(api_error(exc))
            if type(exc).__name__ == "MultiPartException":
                return error_response(ApiError(400, "usage", f"malformed multipart body: {exc}"))
            raise
    return endpoint


def create_app(config: Config, *, pool: WorkerPool | None = None) -> Starlette:
    """The ASGI application (the pool starts and stops with the application's lifespan)."""
    store = Store.open(config.data)
    loopback = config.host in LOOPBACK_HOSTS
    guard = Guard(config.token, _load_secret(config.data), loopback and config.token is None,
                  frozenset({*LOOPBACK_HOSTS, *config.extra_hosts}))
    own_pool = pool is None
    pool = pool or WorkerPool(config.workers, config.queue_limit, config.job_timeout)
    server = Server(config, store, pool, guard, (STATIC / "index.html").read_text(encoding="utf-8"))

    def route(path: str, fn: Callable[[Request], Awaitable[Response]], methods: list[str]) -> Route:
        return Route(path, _handle(fn), methods=methods)

    routes = [
        route("/", server.page_view, ["GET"]),
        route("/healthz", server.healthz, ["GET"]),
        route("/openapi.json", server.openapi, ["GET"]),
        route("/api/session", server.session, ["GET", "POST"]),
        route("/api/formats", server.formats, ["GET"]),
        route("/api/styles", server.styles, ["GET"]),
        route("/api/convert", server.convert, ["POST"]),
        route("/api/inspect", server.inspect, ["POST"]),
        route("/api/pack", server.pack, ["POST"]),
        route("/api/drafts", server.drafts, ["GET", "POST"]),
        route("/api/drafts/{draft}", server.draft, ["GET", "PATCH", "DELETE"]),
        route("/api/drafts/{draft}/articles", server.add_articles, ["POST"]),
        route("/api/drafts/{draft}/articles/{article}", server.article, ["PATCH", "DELETE"]),
        route("/api/drafts/{draft}/order", server.order, ["PUT"]),
        route("/api/drafts/{draft}/builds", server.start_build, ["POST"]),
        route("/api/builds/{build}", server.build_state, ["GET"]),
        route("/api/builds/{build}/files/{name}", server.build_file, ["GET"]),
        Mount("/static", StaticFiles(directory=STATIC), name="static"),
    ]

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        if own_pool:
            await asyncio.to_thread(pool.start)
        try:
            yield
        finally:
            for task in list(server.tasks):
                task.cancel()
            if own_pool:
                pool.close()

    async def not_found(request: Request, exc: Exception) -> Response:
        status = getattr(exc, "status_code", 404)
        code = {404: "not-found", 405: "method-not-allowed"}.get(status, "usage")
        return error_response(ApiError(status, code, str(getattr(exc, "detail", "")) or "not found"))

    app = Starlette(routes=routes, lifespan=lifespan, exception_handlers={HTTPException: not_found})
    app.state.server = server
    app.add_middleware(SecurityMiddleware, guard=guard, max_body=config.max_body_bytes)
    return app


def run(config: Config) -> None:
    """Serve until SIGINT/SIGTERM; the workers end with the server."""
    import uvicorn

    app = create_app(config)
    shown = f"[{config.host}]" if ":" in config.host else config.host
    print(f"briefpub serve: http://{shown}:{config.port}/ (drafts in {config.data}; Ctrl-C stops)",
          file=sys.stderr, flush=True)
    # uvicorn shuts down gracefully on SIGINT/SIGTERM, then raises the signal again with the handlers it
    # found: with these, that ends the process normally (exit 0), so its finalizers run (without them, the
    # worker pool's semaphores were reported leaked by multiprocessing's resource tracker).
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, _exit_quietly)
    uvicorn.run(app, host=config.host, port=config.port, log_level="warning", access_log=False,
                timeout_graceful_shutdown=10)


def _exit_quietly(signum: int, frame: object) -> None:
    """A stop signal after the graceful shutdown: a normal exit."""
    raise SystemExit(0)
