"""Opt-in fetching of remote images (pipeline stage; off unless the user asks).

Converting content never touches the network by default. With ``--fetch-images`` the
pipeline may download the ``http``/``https`` images an article names, under limits:

* only ``http`` and ``https`` (also after every redirect, at most 3);
* only hosts whose every address is public: loopback, private, link-local and reserved
  addresses are refused, so a hostile page cannot make briefpub probe an internal network;
* a 10-second timeout per request, at most 5 MiB per image, and only ``image/png``,
  ``image/jpeg``, ``image/gif`` or ``image/webp`` responses.

Anything refused or failing becomes a diagnostic; the figure keeps its caption.
"""

from __future__ import annotations

import ipaddress
import socket
import urllib.error
import urllib.parse
import urllib.request
from typing import IO, Any

MAX_REMOTE_IMAGE_BYTES = 5 * 1024 * 1024
TIMEOUT_SECONDS = 10.0
MAX_REDIRECTS = 3
IMAGE_TYPES = {"image/png": ".png", "image/jpeg": ".jpg", "image/gif": ".gif", "image/webp": ".webp"}


class FetchRefused(Exception):
    """An image was not fetched; the message says why (one line, for a diagnostic)."""


def address_allowed(address: str) -> bool:
    """True for public addresses only (tests may widen this to reach a loopback server)."""
    return ipaddress.ip_address(address.split("%", 1)[0]).is_global


def check_url(url: str) -> None:
    """Refuse a URL that is not http(s) or whose host resolves to a non-public address."""
    parts = urllib.parse.urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise FetchRefused("only http and https images are fetched")
    try:
        infos = socket.getaddrinfo(parts.hostname, parts.port or (443 if parts.scheme == "https" else 80))
    except (OSError, UnicodeError) as exc:
        raise FetchRefused(f"host not found ({exc})") from None
    for info in infos:
        if not address_allowed(str(info[4][0])):
            raise FetchRefused(f"host {parts.hostname} resolves to a non-public address")


class _CheckedRedirects(urllib.request.HTTPRedirectHandler):
    max_redirections = MAX_REDIRECTS

    def redirect_request(self, req: Any, fp: IO[bytes], code: int, msg: str, headers: Any, newurl: str) -> Any:
        check_url(newurl)
        return super().redirect_request(req, fp, code, msg, headers, newurl)


def fetch_image(url: str) -> tuple[bytes, str]:
    """Download one image: (bytes, file extension), or raise FetchRefused."""
    check_url(url)
    opener = urllib.request.build_opener(_CheckedRedirects)
    headers = {"User-Agent": "briefpub (image fetch)", "Accept": "image/*"}
    request = urllib.request.Request(url, headers=headers)  # noqa: S310 - check_url allows http(s) only
    try:
        with opener.open(request, timeout=TIMEOUT_SECONDS) as response:
            kind = response.headers.get_content_type()
            if kind not in IMAGE_TYPES:
                raise FetchRefused(f"not an image ({kind})")
            data: bytes = response.read(MAX_REMOTE_IMAGE_BYTES + 1)
    except FetchRefused:
        raise
    except (urllib.error.URLError, OSError, ValueError) as exc:
        raise FetchRefused(f"download failed ({getattr(exc, 'reason', exc)})") from None
    if len(data) > MAX_REMOTE_IMAGE_BYTES:
        raise FetchRefused(f"larger than {MAX_REMOTE_IMAGE_BYTES // 1048576} MiB")
    return data, IMAGE_TYPES[kind]
