"""Opt-in remote images: fetched only with --fetch-images, under limits, never from private hosts."""

from __future__ import annotations

import contextlib
import http.server
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import ClassVar

import pytest

from briefpub.pipeline import fetch, load_resources
from briefpub.tree import Document, Figure, Meta, Text
from images import PNG


class _Handler(http.server.BaseHTTPRequestHandler):
    hits: ClassVar[list[str]] = []

    def do_GET(self) -> None:
        _Handler.hits.append(self.path)
        routes = {
            "/pic.png": (200, "image/png", PNG),
            "/page.html": (200, "text/html", b"<html></html>"),
            "/huge.png": (200, "image/png", b"\x89PNG" + b"0" * (fetch.MAX_REMOTE_IMAGE_BYTES + 10)),
        }
        if self.path == "/redirect-file":
            self.send_response(302)
            self.send_header("Location", "file:///etc/passwd")
            self.end_headers()
            return
        code, kind, body = routes.get(self.path, (404, "text/plain", b"missing"))
        self.send_response(code)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        with contextlib.suppress(ConnectionError):  # the client refuses /huge.png from its Content-Length
            self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@contextlib.contextmanager
def _serving(handler: type[http.server.BaseHTTPRequestHandler]) -> Iterator[str]:
    """A loopback HTTP server answering with ``handler`` (its ``hits`` reset): its base URL."""
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    handler.hits = []  # type: ignore[attr-defined]
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}"
    finally:
        httpd.shutdown()
        httpd.server_close()


@pytest.fixture
def server() -> Iterator[str]:
    with _serving(_Handler) as url:
        yield url


def _doc(*urls: str) -> Document:
    return Document(Meta(title="T"), tuple(Figure((Text(f"caption {i}"),), image=u) for i, u in enumerate(urls)))


def test_remote_images_are_not_fetched_by_default(server: str, tmp_path: Path) -> None:
    _, resources, diags = load_resources(_doc(f"{server}/pic.png"), tmp_path, "a.html")
    assert resources == {} and _Handler.hits == []
    assert [d.code for d in diags] == ["reader.image-refused"]


def test_private_addresses_are_refused_even_when_asked(server: str, tmp_path: Path) -> None:
    _, resources, diags = load_resources(_doc(f"{server}/pic.png"), tmp_path, "a.html", fetch_remote=True)
    assert resources == {} and _Handler.hits == []
    assert "non-public address" in diags[0].message


def test_fetch_with_limits(server: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(fetch, "address_allowed", lambda address: True)  # let the test reach loopback
    doc = _doc(f"{server}/pic.png", f"{server}/page.html", f"{server}/huge.png", f"{server}/nope.png",
               f"{server}/redirect-file", "ftp://example.org/x.png")
    new, resources, diags = load_resources(doc, tmp_path, "a.html", fetch_remote=True)
    keys = [b.image for b in new.blocks if isinstance(b, Figure)]
    assert keys[0].endswith(".png") and resources[keys[0]] == PNG
    assert keys[1:] == [""] * 5
    messages = [d.message for d in diags]
    assert any("not an image (text/html)" in m for m in messages)
    assert any("larger than 5 MiB" in m for m in messages)
    assert sum("download failed" in m for m in messages) == 2  # the 404, and the redirect to file: (refused)
    assert any("remote or no base folder" in m for m in messages)  # ftp: is never fetched
    assert len(diags) == 5


def test_address_policy() -> None:
    assert not fetch.address_allowed("127.0.0.1")
    assert not fetch.address_allowed("10.1.2.3")
    assert not fetch.address_allowed("169.254.169.254")
    assert not fetch.address_allowed("::1")
    assert fetch.address_allowed("93.184.216.34")


# ----------------------------------------------------------------------------- an article given as a URL

_PAGE = (b"<!DOCTYPE html><html><head><title>Harbour Reopens</title></head><body><article><h1>Harbour Reopens</h1>"
         b"<p>The harbour reopened on Monday after repairs.</p><script>alert(1)</script>"
         b'<img src="/pic.png" alt="a picture"></article></body></html>')


class _ArticleHandler(http.server.BaseHTTPRequestHandler):
    hits: ClassVar[list[str]] = []

    def do_GET(self) -> None:
        _ArticleHandler.hits.append(self.path)
        if self.path == "/slow":  # answers after the client has given up
            time.sleep(3)
            return
        routes = {
            "/news/harbour-reopens.html": ("text/html; charset=utf-8", _PAGE),
            "/notes.md": ("text/plain", b"---\ntitle: Notes\n---\n\nSome *notes*.\n"),
            "/raw": ("text/plain", _PAGE),
            "/doc.pdf": ("application/pdf", b"%PDF-1.7"),
            "/pic.png": ("image/png", PNG),
        }
        kind, body = routes.get(self.path, ("text/plain", b""))
        self.send_response(200 if self.path in routes or self.path == "/big" else 404)
        self.send_header("Content-Type", "text/html" if self.path == "/big" else kind)
        size = 100 << 20 if self.path == "/big" else len(body)  # /big only claims its size
        self.send_header("Content-Length", str(size))
        self.end_headers()
        if self.path != "/big":
            self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def site() -> Iterator[str]:
    with _serving(_ArticleHandler) as url:
        yield url


def test_an_article_url_is_fetched_and_read_like_a_saved_page(site: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(fetch, "address_allowed", lambda address: True)  # let the test reach loopback
    result = fetch.read_url(f"{site}/news/harbour-reopens.html")
    assert result.document.meta.title == "Harbour Reopens"
    assert any(d.code == "reader.active-content" for d in result.diagnostics)  # the script was removed
    assert _ArticleHandler.hits == ["/news/harbour-reopens.html"]  # its image was not fetched
    assert fetch.read_url(f"{site}/notes.md").document.meta.title == "Notes"  # text/plain + .md: Markdown
    raw = fetch.read_url(f"{site}/raw")  # text/plain, no extension: the content decides, and says so
    assert raw.document.meta.title == "Harbour Reopens" and raw.diagnostics[0].code == "reader.format-guessed"


@pytest.mark.parametrize(("route", "message"), [
    ("/doc.pdf", "not an article: text/html, text/plain or text/markdown expected (application/pdf)"),
    ("/big", "larger than 8 MiB"),
    ("/missing.html", "download failed (Not Found)"),
])
def test_an_article_url_is_refused_under_the_limits(site: str, monkeypatch: pytest.MonkeyPatch, route: str,
                                                    message: str) -> None:
    from briefpub.errors import InputError

    monkeypatch.setattr(fetch, "address_allowed", lambda address: True)
    with pytest.raises(InputError) as info:
        fetch.read_url(site + route)
    assert str(info.value) == f"{site}{route}: {message}" and info.value.exit_code == 2


def test_an_article_url_that_does_not_answer_in_time_is_refused(site: str, monkeypatch: pytest.MonkeyPatch) -> None:
    from briefpub.errors import InputError

    monkeypatch.setattr(fetch, "address_allowed", lambda address: True)
    monkeypatch.setattr(fetch, "ARTICLE_TIMEOUT_SECONDS", 0.3)
    with pytest.raises(InputError) as info:  # (had it waited, the server's silent close would read otherwise)
        fetch.read_url(f"{site}/slow")
    assert str(info.value) == f"{site}/slow: download failed (timed out)" and info.value.exit_code == 2


def test_an_article_url_on_a_private_host_or_another_scheme_is_refused(site: str) -> None:
    from briefpub.errors import InputError, UsageError

    with pytest.raises(InputError, match="resolves to a non-public address"):
        fetch.read_url(f"{site}/news/harbour-reopens.html")
    assert _ArticleHandler.hits == []
    with pytest.raises(UsageError, match=r"^ftp://example.org/a.txt: only http and https URLs are fetched"):
        fetch.read_url("ftp://example.org/a.txt")
    with pytest.raises(UsageError, match=r"give the file's path instead: /tmp/a b.txt\)$"):
        fetch.read_url("file:///tmp/a%20b.txt")


def test_url_recognition_and_output_stems(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert fetch.is_url("https://example.com/a.html") and fetch.is_url("ftp://x/y") and fetch.is_url("file:a.txt")
    monkeypatch.chdir(tmp_path)
    (tmp_path / "file:a.txt").write_text("x")
    assert not fetch.is_url("file:a.txt")  # an existing local file of that name is a file
    assert not fetch.is_url("notes.txt") and not fetch.is_url("-") and not fetch.is_url("C:notes")
    assert fetch.url_stem("https://example.com/news/harbour-reopens.html?x=1") == "harbour-reopens"
    assert fetch.url_stem("https://example.com/news/") == "news"
    assert fetch.url_stem("https://example.com") == "example"
    assert fetch.url_stem("https://example.com/%2e%2e%2fetc%2fpasswd") == "etc-passwd"
    assert fetch.url_stem("https://example.com/..") == "article"
