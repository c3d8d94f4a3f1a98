"""Heading ids: assigned once, unique, readable, and internal links pointed at them."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from briefpub.transforms.ids import MAX_ID_LENGTH, RESERVED_IDS, assign_heading_ids, slug
from briefpub.tree import (
    BlockQuote,
    BulletList,
    Document,
    Heading,
    Link,
    ListItem,
    Paragraph,
    Text,
    iter_blocks,
    iter_inlines,
)


def _ids(doc: Document) -> list[str]:
    return [b.id for b in iter_blocks(doc.blocks) if isinstance(b, Heading)]


def _links(doc: Document) -> list[str]:
    return [n.url for n in iter_inlines(doc.blocks) if isinstance(n, Link)]


def test_two_headings_with_the_same_text_get_distinct_ids_numbered_like_pandoc() -> None:
    h = Heading(2, (Text("Background"),))
    doc = assign_heading_ids(Document(blocks=(h, Paragraph((Text("x"),)), h, h)))
    assert _ids(doc) == ["background", "background-1", "background-2"]


def test_headings_inside_quotes_and_lists_get_ids_too() -> None:
    doc = assign_heading_ids(Document(blocks=(
        Heading(2, (Text("Aims"),)),
        BlockQuote((Heading(3, (Text("Aims"),)),)),
        BulletList((ListItem((Heading(4, (Text("Aims"),)),)),)),
    )))
    assert _ids(doc) == ["aims", "aims-1", "aims-2"]


def test_reserved_ids_are_never_given_to_a_heading() -> None:
    doc = assign_heading_ids(Document(blocks=tuple(Heading(2, (Text(name),)) for name in sorted(RESERVED_IDS))))
    assert not set(_ids(doc)) & RESERVED_IDS


def test_fragment_links_follow_their_heading() -> None:
    h = Heading(2, (Text("Back ground"),))
    explicit = Heading(2, (Text("Other"),), id="Sec_1")
    para = Paragraph((
        Link("#back-ground", (Text("first"),)),
        Link("#back-ground-1", (Text("second"),)),
        Link("#Sec_1", (Text("explicit"),)),
        Link("#nowhere", (Text("missing"),)),
        Link("https://example.org/#back-ground", (Text("external"),)),
    ))
    doc = assign_heading_ids(Document(blocks=(para, h, h, explicit)))
    assert _ids(doc) == ["back-ground", "back-ground-1", "sec-1"]
    assert _links(doc) == ["#back-ground", "#back-ground-1", "#sec-1", "#nowhere",
                           "https://example.org/#back-ground"]


def test_ids_are_ascii_slugs_within_the_length_limit() -> None:
    doc = assign_heading_ids(Document(blocks=(Heading(1, (Text("Ünïcödé " * 20),)), Heading(1, (Text("١٢٣"),)))))
    for ident in _ids(doc):
        assert ident.isascii() and ident[0].isalpha() and len(ident) <= MAX_ID_LENGTH
        assert ident == slug(ident)


@given(st.lists(st.sampled_from(["A", "a", "A!", "Section", "section-1", "title", "1", ""]), min_size=1, max_size=12))
def test_ids_are_unique_whatever_the_heading_texts(texts: list[str]) -> None:
    doc = assign_heading_ids(Document(blocks=tuple(Heading(2, (Text(t),)) for t in texts)))
    ids = _ids(doc)
    assert len(ids) == len(set(ids)) == len(texts)
    assert assign_heading_ids(doc) == doc  # idempotent
