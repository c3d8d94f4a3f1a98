"""The PDF writer never crashes: random trees (hypothesis) and edge cases all give a valid PDF."""

from __future__ import annotations

import io
from datetime import UTC, datetime

import pypdf
import pytest
from hypothesis import given, settings

from briefpub.errors import ConversionError
from briefpub.pipeline import style_fonts
from briefpub.styling import load_style
from briefpub.tree import (
    BlockQuote,
    BulletList,
    Document,
    Figure,
    Heading,
    ListItem,
    Meta,
    PackMeta,
    PageBreak,
    Publication,
    Table,
    TableRow,
    Text,
)
from briefpub.writers import WriteOptions
from briefpub.writers.pdf import WRITER, furniture, render
from samples import LOREM, long_document, pack_article, para, rich_document, single
from strategies import documents

STYLE = load_style("briefing")
OPTIONS = WriteOptions(build_time=datetime(2024, 1, 1, tzinfo=UTC), fonts=style_fonts(STYLE))


def pages(pub: Publication) -> int:
    data = WRITER.write(pub, STYLE, OPTIONS).data
    return len(pypdf.PdfReader(io.BytesIO(data)).pages)


@settings(max_examples=15, derandomize=True)
@given(documents)
def test_any_tree_gives_a_pdf(doc):
    assert pages(single(doc)) >= 1


def _nested(depth: int) -> BulletList:
    inner: list = [para(f"level {depth}")]
    if depth:
        inner.append(_nested(depth - 1))
    return BulletList((ListItem(tuple(inner)),))


@pytest.mark.parametrize(
    "doc",
    [
        Document(),
        Document(Meta(title="Only breaks"), (PageBreak(), PageBreak())),
        Document(Meta(title="Empty table"), (Table((), ()), Table((TableRow(()),), ()))),
        Document(Meta(title="Empty figure"), (Figure(()),)),
        Document(Meta(title="Huge title " * 40, subtitle="Huge standfirst " * 60), (para("x"),)),
        Document(Meta(title="Long heading"), (Heading(1, (Text("Word " * 400),)), para(LOREM))),
        Document(Meta(title="Deep lists"), (_nested(12),)),
        Document(Meta(title="Long quote"), (BlockQuote(tuple(para(LOREM) for _ in range(60)),
                                                       attribution=(Text("Someone"),)),)),
        Document(Meta(title="Many key points", summary=tuple(LOREM for _ in range(40))), (para("x"),)),
        Document(Meta(title="Huge cell"), (Table((), (TableRow((__import__("briefpub.tree").tree.TableCell(
            (Text(LOREM * 60),)),)),)),)),
    ],
    ids=["empty", "breaks", "empty-table", "empty-figure", "huge-title", "long-heading", "deep-lists",
         "long-quote", "many-key-points", "huge-cell"],
)
def test_edge_cases_give_a_pdf(doc):
    assert pages(single(doc)) >= 1


def test_long_quote_splits_across_pages_and_keeps_every_word():
    from fidelity import assert_faithful

    doc = Document(Meta(title="Quote"), (BlockQuote(tuple(para(f"{i}. {LOREM}") for i in range(40)),
                                                    attribution=(Text("Someone"),)),))
    data = WRITER.write(single(doc), STYLE, OPTIONS).data
    reader = pypdf.PdfReader(io.BytesIO(data))
    assert len(reader.pages) >= 3
    assert_faithful(doc, "\n".join(p.extract_text() for p in reader.pages))


def test_a_runaway_layout_stops_with_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    """A layout that keeps adding pages (a flowable that never fits and never shrinks) stops at the page
    budget with one clear error instead of running until memory is gone."""
    monkeypatch.setattr(render, "page_budget", lambda _pub, _sheet=None: 1)
    with pytest.raises(ConversionError, match="does not converge"):
        WRITER.write(single(long_document(30)), STYLE, OPTIONS)


@pytest.mark.parametrize("kind", ["rich", "long", "pack"])
def test_the_page_budget_leaves_real_documents_far_below_it(kind: str) -> None:
    pub = {
        "rich": lambda: single(rich_document()),
        "long": lambda: single(long_document(200)),
        "pack": lambda: Publication(tuple(pack_article(n) for n in range(1, 13)),
                                    PackMeta(title="Pack", summary_page=True)),
    }[kind]()
    assert 3 * pages(pub) <= furniture.page_budget(pub)
