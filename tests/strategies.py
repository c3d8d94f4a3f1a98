"""Hypothesis strategies for random document trees (shared by property tests)."""

from __future__ import annotations

from hypothesis import strategies as st

from briefpub.tree import (
    BlockQuote,
    BulletList,
    Code,
    Document,
    Emphasis,
    Figure,
    Heading,
    LineBreak,
    Link,
    ListItem,
    Meta,
    OrderedList,
    PageBreak,
    Paragraph,
    Strong,
    Table,
    TableCell,
    TableRow,
    Text,
    ThematicBreak,
)

words = st.text(min_size=1, max_size=30)
plain = st.text(max_size=40)
texts = st.builds(Text, words)
urls = st.sampled_from(["https://example.org/a", "http://x.test/?q=1&b=<2>", "mailto:a@b.c", "javascript:alert(1)", ""])

inlines = st.recursive(
    st.one_of(texts, st.builds(LineBreak), st.builds(Code, st.lists(texts, min_size=1, max_size=2).map(tuple))),
    lambda children: st.one_of(
        st.builds(Emphasis, st.lists(children, min_size=1, max_size=3).map(tuple)),
        st.builds(Strong, st.lists(children, min_size=1, max_size=3).map(tuple)),
        st.builds(Link, urls, st.lists(children, min_size=1, max_size=3).map(tuple), plain),
    ),
    max_leaves=6,
)
runs = st.lists(inlines, min_size=1, max_size=5).map(tuple)
cells = st.builds(TableCell, runs, st.sampled_from(["", "left", "center", "right"]))
rows = st.builds(TableRow, st.lists(cells, min_size=1, max_size=3).map(tuple))

blocks = st.recursive(
    st.one_of(
        st.builds(Paragraph, runs),
        st.builds(Heading, st.integers(1, 6), runs, st.sampled_from(["", "intro", "a-b"])),
        st.builds(Figure, runs, st.sampled_from(["", "img.png"]), plain),
        st.builds(ThematicBreak),
        st.builds(PageBreak),
        st.builds(Table, st.lists(rows, max_size=1).map(tuple), st.lists(rows, max_size=3).map(tuple),
                  st.one_of(st.just(()), runs)),
    ),
    lambda children: st.one_of(
        st.builds(BlockQuote, st.lists(children, min_size=1, max_size=2).map(tuple), st.one_of(st.just(()), runs)),
        st.builds(BulletList, st.lists(st.builds(ListItem, st.lists(children, min_size=1, max_size=2).map(tuple)),
                                       min_size=1, max_size=3).map(tuple)),
        st.builds(OrderedList, st.lists(st.builds(ListItem, st.lists(children, min_size=1, max_size=2).map(tuple)),
                                        min_size=1, max_size=3).map(tuple), st.integers(1, 99)),
    ),
    max_leaves=8,
)
metas = st.builds(
    Meta,
    title=plain,
    subtitle=plain,
    authors=st.lists(words, max_size=3).map(tuple),
    date=plain,
    date_iso=st.sampled_from(["", "2017-01-23"]),
    source=plain,
    url=st.sampled_from(["", "https://example.org/x"]),
    language=st.sampled_from(["", "en", "ar", "zh-Hans", "de-CH", "fr"]),  # fr: two-character quotes
    marking=st.sampled_from(["", "OFFICIAL", "OFFICIAL-SENSITIVE"]),
    summary=st.lists(words, max_size=3).map(tuple),
    keywords=st.lists(words, max_size=3).map(tuple),
    retrieved=plain,
    extras=st.dictionaries(st.text(min_size=1, max_size=8), plain, max_size=2).map(lambda d: tuple(d.items())),
)
documents = st.builds(Document, metas, st.lists(blocks, max_size=6).map(tuple))
