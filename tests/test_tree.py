"""The document tree: immutability, sanitisation at construction, plain-text views."""

from __future__ import annotations

import dataclasses

import pytest

from briefpub.tree import (
    BlockQuote,
    Code,
    Document,
    Emphasis,
    Heading,
    LineBreak,
    Link,
    Meta,
    PackMeta,
    Paragraph,
    Publication,
    TableCell,
    Text,
    document_words,
    inline_text,
    sanitisation_report,
)


def test_nodes_are_frozen_and_hashable() -> None:
    p = Paragraph((Text("a"),))
    with pytest.raises(dataclasses.FrozenInstanceError):
        p.children = ()  # type: ignore[misc]
    assert hash(p) == hash(Paragraph((Text("a"),)))


def test_text_is_nfc_normalised() -> None:
    assert Text("e\u0301").text == "\u00e9"
    assert Meta(title="Cafe\u0301").title == "Café"


def test_xml_invalid_characters_are_removed_and_reported() -> None:
    with sanitisation_report() as fixes:
        t = Text("a\x00b\x1fc\ufffe\ud800d\x85e")
    assert t.text == "abcd e"  # NEL is a line end: it becomes a space
    assert [f.removed for f in fixes] == ["\x00\x1f\ufffe\ud800"]


def test_line_ends_and_tabs_inside_runs_become_spaces() -> None:
    assert Text("a\r\nb\tc\nd").text == "a b c d"


def test_sanitisation_outside_a_report_still_cleans() -> None:
    assert Text("x\x01y").text == "xy"


def test_meta_lists_and_extras_are_sanitised_and_sorted() -> None:
    m = Meta(authors=("A\x00",), extras=(("z", "1"), ("a", "2\x07")))
    assert m.authors == ("A",)
    assert m.extras == (("a", "2"), ("z", "1"))


def test_heading_level_range() -> None:
    with pytest.raises(ValueError, match="heading level"):
        Heading(0, (Text("x"),))
    with pytest.raises(ValueError, match="alignment"):
        TableCell((Text("x"),), align="middle")


def test_publication_rules() -> None:
    doc = Document(Meta(title="A"))
    assert Publication((doc,)).title == "A"
    with pytest.raises(ValueError):
        Publication(())
    with pytest.raises(ValueError):
        Publication((doc, doc))
    pack = Publication((doc, doc), PackMeta(title="Pack"))
    assert pack.is_pack and pack.title == "Pack"


def test_inline_text_and_document_words() -> None:
    runs = (Text("a "), Emphasis((Strong := Text("b"),)), LineBreak(), Link("https://x", (Text("c"),)),
            Code((Text("d"),)))
    assert inline_text(runs) == "a b cd"
    doc = Document(Meta(title="T t"), (Heading(2, (Text("H"),)), BlockQuote((Paragraph((Text("q"),)),),
                                                                          (Text("who"),))))
    assert document_words(doc) == ["T", "t", "H", "q", "who"]
    assert Strong.text == "b"
