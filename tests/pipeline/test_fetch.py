"""Opt-in remote images: fetched only with --fetch-images, under limits, never from private hosts."""

from __future__ import annotations

import http.server
import threading
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
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def server() -> Iterator[str]:
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    _Handler.hits = []
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}"
    finally:
        httpd.shutdown()
        httpd.server_close()


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
