"""Opt-in fetching of articles and remote images (pipeline stage; off unless the user asks).

Converting content never touches the network by default. Two things fetch, and only
because the user asked:

* an input given as an ``http(s)`` URL (``briefpub convert https://example.com/a.html``):
  :func:`read_url` downloads it under the same address rules, with a 15-second timeout,
  the input size limit (refused from ``Content-Length`` before reading, and never read
  past it) and only ``text/html``, ``application/xhtml+xml``, ``text/plain`` or
  ``text/markdown`` responses. The page is then read like a saved one (scripts removed,
  nothing it names fetched); any other scheme (``ftp:``, ``file:``) is refused;
* with ``--fetch-images``, the ``http``/``https`` images an article names, under limits:

* only ``http`` and ``https`` (also after every redirect, at most 3);
* only hosts whose every address is public: loopback, private, link-local and reserved
  addresses are refused, so a hostile page cannot make briefpub probe an internal network;
* a 10-second timeout per request, at most 5 MiB per image, and only ``image/png``,
  ``image/jpeg``, ``image/gif`` or ``image/webp`` responses.

An image refused or failing becomes a diagnostic (the figure keeps its caption); an
article refused or failing is an input error (exit 2).
"""

from __future__ import annotations

import re
import urllib.parse
from collections.abc import Mapping
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from briefpub._lazyre import lazy_re
from briefpub.errors import InputError, UsageError

if TYPE_CHECKING:
    from briefpub.readers import ReadResult

MAX_REMOTE_IMAGE_BYTES = 5 * 1024 * 1024
TIMEOUT_SECONDS = 10.0
MAX_REDIRECTS = 3
IMAGE_TYPES = {"image/png": ".png", "image/jpeg": ".jpg", "image/gif": ".gif", "image/webp": ".webp"}


class FetchRefused(Exception):
    """An image was not fetched; the message says why (one line, for a diagnostic)."""


def address_allowed(address: str) -> bool:
    """True for public addresses only (tests may widen this to reach a loopback server)."""
    import ipaddress  # only when fetching: a local conversion never needs it

    return ipaddress.ip_address(address.split("%", 1)[0]).is_global


def check_url(url: str) -> None:
    """Refuse a URL that is not http(s) or whose host resolves to a non-public address."""
    parts = urllib.parse.urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise FetchRefused("only http and https images are fetched")
    try:
        import socket  # only when fetching

        infos = socket.getaddrinfo(parts.hostname, parts.port or (443 if parts.scheme == "https" else 80))
    except (OSError, UnicodeError) as exc:
        raise FetchRefused(f"host not found ({exc})") from None
    for info in infos:
        if not address_allowed(str(info[4][0])):
            raise FetchRefused(f"host {parts.hostname} resolves to a non-public address")


def _opener() -> Any:
    """A urllib opener whose redirects pass :func:`check_url` (urllib imported only when fetching)."""
    import urllib.request

    class _CheckedRedirects(urllib.request.HTTPRedirectHandler):
        max_redirections = MAX_REDIRECTS

        def redirect_request(self, req: Any, fp: IO[bytes], code: int, msg: str, headers: Any, newurl: str) -> Any:
            check_url(newurl)
            return super().redirect_request(req, fp, code, msg, headers, newurl)

    return urllib.request.build_opener(_CheckedRedirects)


def _get(url: str, *, accept: str, types: Mapping[str, str], what: str, limit: int, timeout: float,
         agent: str) -> tuple[bytes, str]:
    """Download ``url`` under the address rules: (bytes, content type), or raise FetchRefused."""
    import urllib.error
    import urllib.request

    check_url(url)
    opener = _opener()
    headers = {"User-Agent": agent, "Accept": accept}
    request = urllib.request.Request(url, headers=headers)  # noqa: S310 - check_url allows http(s) only
    too_large = f"larger than {limit // 1048576} MiB"
    try:
        with opener.open(request, timeout=timeout) as response:
            kind = response.headers.get_content_type()
            if kind not in types:
                raise FetchRefused(f"not {what} ({kind})")
            length = response.headers.get("Content-Length", "")
            if length.isdigit() and int(length) > limit:  # refused before reading
                raise FetchRefused(too_large)
            data: bytes = response.read(limit + 1)
    except FetchRefused:
        raise
    except urllib.error.HTTPError as exc:  # holds the response: close its connection now
        exc.close()
        raise FetchRefused(f"download failed ({exc.reason})") from None
    except (urllib.error.URLError, OSError, ValueError) as exc:
        raise FetchRefused(f"download failed ({getattr(exc, 'reason', exc)})") from None
    if len(data) > limit:
        raise FetchRefused(too_large)
    return data, kind


def fetch_image(url: str) -> tuple[bytes, str]:
    """Download one image: (bytes, file extension), or raise FetchRefused."""
    data, kind = _get(url, accept="image/*", types=IMAGE_TYPES, what="an image", limit=MAX_REMOTE_IMAGE_BYTES,
                      timeout=TIMEOUT_SECONDS, agent="briefpub (image fetch)")
    return data, IMAGE_TYPES[kind]


# ----------------------------------------------------------------------------- an article given as a URL

ARTICLE_TIMEOUT_SECONDS = 15.0
#: Response types read as articles, and the reader of each ("" = by the URL's extension, else the content).
ARTICLE_TYPES = {"text/html": "html", "application/xhtml+xml": "html", "text/markdown": "md",
                 "text/x-markdown": "md", "text/plain": ""}  # fmt: skip
_URL = lazy_re(r"^[A-Za-z][A-Za-z0-9+.-]*://")
_OTHER_SCHEMES = lazy_re(r"^(?:file|ftp|ftps|sftp|data|javascript|mailto):", re.I)


def is_url(name: str) -> bool:
    """True when an input names a URL (``scheme://...``, or ``file:``/``ftp:``... that is no local file)."""
    return bool(_URL.match(name)) or (bool(_OTHER_SCHEMES.match(name)) and not Path(name).exists())


def url_stem(url: str) -> str:
    """The output file stem for an article URL: its last path segment's stem, else the host name."""
    parts = urllib.parse.urlsplit(url)
    segment = urllib.parse.unquote(parts.path.rstrip("/").rpartition("/")[2]) or (parts.hostname or "")
    stem = segment.rsplit(".", 1)[0] if "." in segment.strip(".") else segment
    stem = re.sub(r"[^A-Za-z0-9_-]+", "-", stem).strip("-")
    return stem or "article"


def fetch_article(url: str, fmt: str | None = None) -> tuple[bytes, str | None]:
    """Download an article the user named by URL: its bytes and its reader (``fmt``, else the response's
    type, else the URL's extension; None: the content decides). InputError when refused or failing."""
    from briefpub.readers import MAX_INPUT_BYTES, detect_format

    scheme = url.partition(":")[0].lower()
    if scheme not in ("http", "https"):
        hint = (f"give the file's path instead: {urllib.parse.unquote(urllib.parse.urlsplit(url).path)}"
                if scheme == "file" else "download it and give the file's path")
        raise UsageError(f"{url}: only http and https URLs are fetched ({hint})")
    try:
        data, kind = _get(url, accept="text/html, application/xhtml+xml, text/markdown, text/plain;q=0.9",
                          types=ARTICLE_TYPES, what="an article: text/html, text/plain or text/markdown expected",
                          limit=MAX_INPUT_BYTES, timeout=ARTICLE_TIMEOUT_SECONDS, agent="briefpub (article fetch)")
    except FetchRefused as exc:
        raise InputError(f"{url}: {exc}") from None
    if fmt is None:  # the response's type, else the URL's extension, else the content decides
        fmt = ARTICLE_TYPES[kind] or detect_format(urllib.parse.urlsplit(url).path)
    return data, fmt


def read_url(url: str, fmt: str | None = None) -> ReadResult:
    """Download an article the user named by URL and read it (InputError when refused or failing)."""
    from briefpub.readers import read_bytes

    data, fmt = fetch_article(url, fmt)
    return read_bytes(data, source=url, fmt=fmt, base_dir=None)
