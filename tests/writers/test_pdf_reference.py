"""The PDF writer on the reference article (skipped when ../shared is absent, failed in CI)."""

from __future__ import annotations

import io
import re
from datetime import UTC, datetime

import pypdf
import pytest

from briefpub.pipeline import prepare_article, style_fonts
from briefpub.styling import load_style
from briefpub.tree import Heading, Publication
from briefpub.writers import WriteOptions
from briefpub.writers.pdf import WRITER
from fidelity import missing_words
from shared_data import REFERENCE, require_shared


def assert_faithful(doc, text: str) -> None:
    """Every word in order, where a line-end hyphen is dropped only when that makes a word of the article.

    ("Sat-" + "urday" -> "Saturday", but "face-" + "to-face" stays "face-to-face".)
    """
    from briefpub.tree import document_words

    words = document_words(doc)
    vocabulary = {w.casefold() for w in re.findall(r"\w+", " ".join(words))}

    def join(m: re.Match[str]) -> str:
        glued = m[1] + m[2]
        return glued if glued.casefold() in vocabulary else f"{m[1]}-{m[2]}"

    text = re.sub(r"(\w+)-[ \t]*\n\s*(\w+)", join, text)
    missing = missing_words(words, text, hyphenation=False)
    assert not missing, f"{len(missing)} words missing or out of order, first: {missing[:10]}"


@pytest.fixture(scope="module")
def reference():
    require_shared(REFERENCE)
    doc = prepare_article(str(REFERENCE)).document
    options = WriteOptions(build_time=datetime(2024, 1, 1, tzinfo=UTC), fonts=style_fonts(load_style("briefing")))
    result = WRITER.write(Publication((doc,)), load_style("briefing"), options)
    return doc, result, options


def test_reference_article_prints_every_word_in_order(reference):
    doc, result, _options = reference
    r = pypdf.PdfReader(io.BytesIO(result.data))
    text = "\n".join(p.extract_text() for p in r.pages)
    assert_faithful(doc, text)
    assert not [d for d in result.diagnostics if d.severity != "info"]


def test_reference_article_outline_and_pages(reference):
    doc, result, _options = reference
    r = pypdf.PdfReader(io.BytesIO(result.data))
    assert len(r.pages) >= 2
    titles = [item.title for item in r.outline if not isinstance(item, list)]
    assert titles[0] == doc.meta.title
    headings = [b for b in doc.blocks if isinstance(b, Heading)]
    nested = [item.title for sub in r.outline if isinstance(sub, list) for item in sub]
    assert len(nested) == len(headings)
    for number, page in enumerate(r.pages, start=1):
        assert f"Page {number} of {len(r.pages)}" in page.extract_text()


def test_reference_article_rebuilds_identically(reference):
    doc, result, options = reference
    again = WRITER.write(Publication((doc,)), load_style("briefing"), options)
    assert again.data == result.data
