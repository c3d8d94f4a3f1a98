"""One path from a publication to bytes (pipeline/__init__.py: render_formats, publish, prepare_bytes).

``publish`` (the CLI and builds) writes what ``render_formats`` returns (the server's workers send
it): the same bytes, PDF first with its page starts passed on, the same diagnostics.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from briefpub.errors import InputError, OutputError, UsageError
from briefpub.pipeline import (
    RenderedFile,
    prepare_article,
    prepare_bytes,
    publish,
    render_formats,
)
from briefpub.styling import load_style
from briefpub.tree import Publication
from conftest import ROOT  # type: ignore[attr-defined]

GENEVA = ROOT / "fixtures" / "txt" / "geneva-round.txt"
WHEN = datetime(2026, 1, 2, tzinfo=UTC)


@pytest.fixture(scope="module")
def article():  # type: ignore[no-untyped-def]
    return prepare_article(str(GENEVA))


def test_publish_writes_the_bytes_render_formats_returns(article, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    pub, style = Publication((article.document,)), load_style(None)
    formats = ["epub", "docx", "pdf"]  # PDF asked last, rendered first
    order: list[str] = []
    rendering = render_formats(pub, article.resources, formats, style, build_time=WHEN, on_format=order.append)
    assert order == ["pdf", "epub", "docx"]
    assert [f.format for f in rendering.files] == formats and not rendering.failures
    targets = [(fmt, tmp_path / f"a.{fmt}") for fmt in formats]
    artifacts, diagnostics = publish(pub, article.resources, targets, style, build_time=WHEN)
    for rendered, artifact in zip(rendering.files, artifacts, strict=True):
        assert artifact.path.read_bytes() == rendered.data
        assert (artifact.format, artifact.sha256, artifact.fonts) == (rendered.format, rendered.sha256, rendered.fonts)
    assert [d.to_dict() for d in diagnostics] == [d.to_dict() for d in rendering.diagnostics]
    # the EPUB carries the PDF's page starts (its page-list): not the bytes of an EPUB made alone
    alone = render_formats(pub, article.resources, ["epub"], style, build_time=WHEN).files[0]
    assert alone.data != rendering.files[0].data


def test_a_format_that_cannot_be_delivered_fails_alone_and_passes_no_page_starts(article) -> None:  # type: ignore[no-untyped-def]
    pub, style = Publication((article.document,)), load_style(None)
    delivered: list[RenderedFile] = []

    def deliver(rendered: RenderedFile) -> None:
        if rendered.format == "pdf":
            raise OutputError("out/a.pdf: no space left on device")
        delivered.append(rendered)

    rendering = render_formats(pub, article.resources, ["pdf", "epub"], style, build_time=WHEN, deliver=deliver)
    assert [(fmt, str(exc)) for fmt, exc in rendering.failures] == [("pdf", "out/a.pdf: no space left on device")]
    assert [f.format for f in rendering.files] == ["epub"] == [f.format for f in delivered]
    alone = render_formats(pub, article.resources, ["epub"], style, build_time=WHEN).files[0]
    assert rendering.files[0].data == alone.data  # no PDF written: no page-list pointing at it


def test_publish_refuses_a_format_named_twice(article, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(UsageError):
        publish(Publication((article.document,)), {}, [("pdf", tmp_path / "a.pdf"), ("pdf", tmp_path / "b.pdf")],
                load_style(None), build_time=WHEN)


def test_prepare_bytes_reads_an_upload_as_prepare_article_reads_the_file(article) -> None:  # type: ignore[no-untyped-def]
    uploaded = prepare_bytes(GENEVA.read_bytes(), str(GENEVA))
    assert uploaded.document == article.document
    assert uploaded.diagnostics == article.diagnostics
    with pytest.raises(UsageError, match="--from nope: unknown input format"):
        prepare_bytes(b"Title\n\nBody.", "x.txt", "nope")
    with pytest.raises(InputError, match="^empty.txt: "):
        prepare_bytes(b"", "empty.txt")
