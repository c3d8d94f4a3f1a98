"""Hostile web pages and Markdown: no active content reaches the tree or any writer's output.

fixtures/html/hostile-page.html and fixtures/md/hostile.md are packed with scripts, event
handlers, script/data/file URLs (plain, mixed case, entity-encoded, with tabs),
frames, plug-ins, forms, SVG, entity bombs and external entities. Each is read,
then written by every available writer; the JSON tree's URLs are checked
structurally and every output is searched for active content. A writer not
available yet (being written) is skipped with its load error as the reason.
"""

from __future__ import annotations

import io
import re
import socket
import zipfile
from pathlib import Path

import pytest

from briefpub.errors import BriefpubError
from briefpub.pipeline import style_fonts
from briefpub.readers import ReadResult, read_path
from briefpub.styling import load_style
from briefpub.tree import Block, Figure, Image, Link, Publication, iter_blocks, iter_inlines
from briefpub.writers import WRITERS, WriteOptions

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
INPUTS = ("html/hostile-page.html", "md/hostile.md")
WRITER_NAMES = ("json", "pdf", "epub", "docx")
#: Text the page shows on purpose (escaped markup is content, not code): allowed in the JSON tree only.
ESCAPED_SAMPLE = "<script>run()</script>"
FORBIDDEN = re.compile(
    r"<script|<iframe|<object|<embed|<svg|javascript:|vbscript:|data:text|data:image|file:///|srcdoc|"
    r"on(?:error|load|click|mouseover|focus)\s*=|alert\(|evil\.example|/etc/passwd|lollol",
    re.IGNORECASE,
)
PDF_ACTIVE = re.compile(rb"/JavaScript|/JS\b|/Launch|/SubmitForm|/ImportData|/EmbeddedFile|/RichMedia", re.IGNORECASE)


@pytest.fixture(scope="module", params=INPUTS)
def hostile(request: pytest.FixtureRequest) -> ReadResult:
    return read_path(FIXTURES / request.param)


def _walk(blocks: tuple[Block, ...]) -> tuple[list[str], list[str]]:
    """(link URLs, image references: figures' and inline images') anywhere in the blocks."""
    links = [node.url for node in iter_inlines(blocks) if isinstance(node, Link)]
    images = [node.src for node in iter_inlines(blocks) if isinstance(node, Image)]
    images += [block.image for block in iter_blocks(blocks) if isinstance(block, Figure)]
    return links, images


def test_tree_urls_are_safe(hostile: ReadResult) -> None:
    links, images = _walk(hostile.document.blocks)
    assert links, "the safe link must survive"
    assert all(url.startswith(("https://", "http://", "mailto:", "#")) for url in links), links
    for ref in images:
        assert ref == "" or ref.startswith("https://") or ("://" not in ref and ":" not in ref), ref
    assert not hostile.document.meta.url or hostile.document.meta.url.startswith("https://")


def test_json_tree_has_no_active_content(hostile: ReadResult) -> None:
    from briefpub.jsontree import to_json

    text = to_json(hostile.document).replace(ESCAPED_SAMPLE, "")
    assert not FORBIDDEN.findall(text)


def test_every_removal_is_reported(hostile: ReadResult) -> None:
    codes = {d.code for d in hostile.diagnostics}
    assert "reader.active-content" in codes
    active = [d for d in hostile.diagnostics if d.code == "reader.active-content"]
    assert len(active) >= 5


def test_safe_content_survives(hostile: ReadResult) -> None:
    from briefpub.tree import document_words

    words = " ".join(document_words(hostile.document))
    assert "the safe report" in words and "published on Monday" in words


def _output_texts(name: str, data: bytes) -> list[str]:
    if name in ("epub", "docx"):
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            return [zf.read(member).decode("utf-8", errors="ignore") for member in zf.namelist()]
    if name == "pdf":
        return [data.decode("latin-1")]
    return [data.decode("utf-8").replace(ESCAPED_SAMPLE, "")]


@pytest.mark.parametrize("writer_name", WRITER_NAMES)
def test_writer_output_has_no_active_content(
    hostile: ReadResult, writer_name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    try:
        writer = WRITERS.get(writer_name)
    except BriefpubError as exc:
        pytest.skip(f"writer {writer_name!r} is not available yet: {exc}")

    def no_network(*args: object, **kwargs: object) -> None:
        raise AssertionError("a writer tried to open a network connection")

    monkeypatch.setattr(socket, "create_connection", no_network)
    monkeypatch.setattr(socket.socket, "connect", no_network)
    style = load_style(None)
    result = writer.write(Publication((hostile.document,)), style, WriteOptions(fonts=style_fonts(style)))
    for text in _output_texts(writer_name, result.data):
        found = FORBIDDEN.findall(text)
        assert not found, f"{writer_name}: {found[:5]}"
    if writer_name == "pdf":
        assert not PDF_ACTIVE.findall(result.data)
        from pypdf import PdfReader

        for page in PdfReader(io.BytesIO(result.data)).pages:
            for annot in page.get("/Annots") or []:
                action = annot.get_object().get("/A")
                if action is not None and "/URI" in action:
                    assert str(action["/URI"]).startswith(("http://", "https://", "mailto:"))


def test_reading_opens_no_connection_and_reads_no_other_file(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-VALUE", encoding="utf-8")
    page = tmp_path / "page.html"
    page.write_text(
        f'<?xml version="1.0"?><!DOCTYPE html [<!ENTITY s SYSTEM "file://{secret}">]>'
        f'<html><head><link rel="stylesheet" href="file://{secret}"></head>'
        f'<body><p>Before &s; after.</p><img src="file://{secret}" alt="x">'
        f'<iframe src="file://{secret}"></iframe><p><img src="https://cdn.example/p.jpg" alt="r"></p></body></html>',
        encoding="utf-8",
    )

    def no_network(*args: object, **kwargs: object) -> None:
        raise AssertionError("the reader tried to open a network connection")

    monkeypatch.setattr(socket, "create_connection", no_network)
    monkeypatch.setattr(socket.socket, "connect", no_network)
    opened: list[str] = []
    real_open = io.open

    def watch_open(file: object, *args: object, **kwargs: object) -> object:
        opened.append(str(file))
        return real_open(file, *args, **kwargs)  # type: ignore[call-overload]

    monkeypatch.setattr("builtins.open", watch_open)
    result = read_path(page)
    from briefpub.jsontree import to_json

    assert "TOP-SECRET" not in to_json(result.document)
    assert str(secret) not in opened


def test_remote_images_are_not_fetched_by_the_pipeline(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from briefpub.pipeline import load_resources

    page = tmp_path / "page.html"
    page.write_text('<p><img src="https://cdn.example/p.jpg" alt="remote"></p><p>Text.</p>', encoding="utf-8")

    def no_network(*args: object, **kwargs: object) -> None:
        raise AssertionError("tried to fetch a remote image")

    monkeypatch.setattr(socket, "create_connection", no_network)
    doc = read_path(page).document
    _, resources, diagnostics = load_resources(doc, tmp_path, str(page))
    assert resources == {}
    assert [d.code for d in diagnostics] == ["reader.image-refused"]

