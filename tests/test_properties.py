"""Property-based robustness: random text through every reader, random trees through the EPUB writer.

(The PDF and DOCX writers have their own property tests in tests/writers/.) Example counts are
modest for CI; ``HYPOTHESIS_PROFILE=long pytest tests/test_properties.py`` runs many more.
"""

from __future__ import annotations

import contextlib
import io
import zipfile
from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st
from lxml import etree

from briefpub.errors import BriefpubError
from briefpub.pipeline import style_fonts
from briefpub.readers import READERS, read_bytes
from briefpub.styling import load_style
from briefpub.tree import Document, Publication
from briefpub.writers import WriteOptions, get_writer
from strategies import documents

BUILT_IN_READERS = [name for name, spec in READERS.specs().items() if spec.builtin]

article_like = st.lists(
    st.one_of(
        st.text(max_size=80),
        st.sampled_from(["", "\u00a0", "By Jane Doe", "* * *", "> quote", "> — Someone", "1. item", "• item",
                         "Add new comment", "© 2017", "## Heading", "<b>bold</b>", "---\ntitle: x\n---",
                         "<script>alert(1)</script>", "[link](javascript:x)", "| a | b |\n|---|---|\n| 1 | 2 |",
                         "https://example.org/x", "Photo: someone", "A   A"]),
    ),
    max_size=25,
).map("\n".join)


@pytest.mark.parametrize("reader", BUILT_IN_READERS)
@given(text=article_like)
def test_random_text_never_crashes_a_reader(reader: str, text: str) -> None:
    try:
        result = read_bytes(text.encode("utf-8", "surrogatepass"), source="random", fmt=reader)
    except BriefpubError:
        return  # refused with a clear message: fine
    assert isinstance(result.document, Document)


@pytest.mark.parametrize("reader", BUILT_IN_READERS)
@given(data=st.binary(max_size=400))
def test_random_bytes_never_crash_a_reader(reader: str, data: bytes) -> None:
    with contextlib.suppress(BriefpubError):
        read_bytes(data, source="random", fmt=reader)


PARSER = etree.XMLParser(resolve_entities=False, no_network=True)


@given(doc=documents)
def test_random_trees_give_structurally_valid_epubs(doc: Document) -> None:
    style = load_style()
    options = WriteOptions(build_time=datetime(2020, 1, 1, tzinfo=UTC), fonts=style_fonts(style))
    result = get_writer("epub").write(Publication((doc,)), style, options)
    with zipfile.ZipFile(io.BytesIO(result.data)) as z:
        names = z.namelist()
        assert names[0] == "mimetype" and z.getinfo("mimetype").compress_type == zipfile.ZIP_STORED
        assert z.testzip() is None
        for name in names:
            if name.endswith((".xhtml", ".opf", ".ncx", ".xml")):
                root = etree.fromstring(z.read(name), parser=PARSER)
                assert root is not None
                assert b"<script" not in z.read(name).lower()
