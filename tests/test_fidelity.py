"""Cross-format fidelity: every word of the tree, in order, in the PDF, EPUB and DOCX of every fixture.

Titles, headings, captions, list items, table cells and quote attributions are all words of the
tree (``document_words``), so each must appear in each output in reading order. PDF text is
compared tolerantly of hyphenation at line ends.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from articles import ARTICLES, ARTICLES_AND_REFERENCE, article_id
from briefpub.pipeline import prepare_article, render, style_fonts
from briefpub.styling import load_style
from briefpub.tree import Publication
from briefpub.writers import WriteOptions
from extract import text_of
from fidelity import assert_faithful
from shared_data import REFERENCE, require_shared

OPTIONS = WriteOptions(build_time=datetime(2017, 1, 23, tzinfo=UTC))
STYLE = load_style()


@pytest.mark.parametrize("fmt", ["pdf", "epub", "docx"])
@pytest.mark.parametrize("path", ARTICLES_AND_REFERENCE, ids=article_id)
def test_every_word_in_order(path: Path, fmt: str) -> None:
    if path == REFERENCE:
        require_shared(path)
    article = prepare_article(str(path))
    data, _, _ = render(Publication((article.document,)), fmt, STYLE, WriteOptions(
        build_time=OPTIONS.build_time, resources=article.resources, fonts=style_fonts(STYLE)))
    assert_faithful(article.document, text_of(fmt, data))


def test_fixture_list_is_not_empty() -> None:
    assert len(ARTICLES) >= 8
    assert {p.suffix for p in ARTICLES} == {".txt", ".md", ".html"}
