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


# --------------------------------------------------------------------------- the walk


def _nested() -> tuple[Document, dict[str, object]]:
    from briefpub.tree import BulletList, Figure, Image, ListItem, OrderedList, Span, Table, TableRow

    fig_list = Figure((Text("in a list"),), image="list.png", alt="list")
    fig_quote = Figure((Text("in a quote"),), image="quote.png", alt="quote")
    cell_image = Image("cell.png", "cell")
    deep = Figure((Text("deep"),), image="deep.png")
    blocks = (
        Heading(1, (Text("Top"),)),
        BulletList((ListItem((fig_list,)), ListItem((Paragraph((Text("x"),)), OrderedList((ListItem((deep,)),)))))),
        BlockQuote((fig_quote,), attribution=(Text("Someone"),)),
        Table((), (TableRow((TableCell((cell_image, Span((Text("mot"),), "fr"))),)),)),
    )
    return Document(blocks=blocks), {"list": fig_list, "quote": fig_quote, "cell": cell_image, "deep": deep}


def test_iter_blocks_enters_lists_and_quotes_in_reading_order() -> None:
    from briefpub.tree import Figure, iter_blocks

    doc, parts = _nested()
    figures = [b for b in iter_blocks(doc.blocks) if isinstance(b, Figure)]
    assert figures == [parts["list"], parts["deep"], parts["quote"]]


def test_enumerate_blocks_gives_paths_through_containers() -> None:
    from briefpub.tree import enumerate_blocks

    doc, parts = _nested()
    paths = {id(block): path for path, block in enumerate_blocks(doc.blocks)}
    assert paths[id(parts["list"])] == (1, 0, 0)
    assert paths[id(parts["deep"])] == (1, 1, 1, 0, 0)
    assert paths[id(parts["quote"])] == (2, 0)


def test_iter_inlines_reaches_table_cells_and_spans() -> None:
    from briefpub.tree import Image, Span, iter_inlines

    doc, parts = _nested()
    nodes = list(iter_inlines(doc.blocks))
    assert parts["cell"] in nodes
    assert any(isinstance(n, Span) and n.lang == "fr" for n in nodes)
    assert Text("mot") in nodes and [n for n in nodes if isinstance(n, Image)] == [parts["cell"]]


def test_map_blocks_rewrites_nested_blocks_and_keeps_untouched_trees() -> None:
    from briefpub.tree import Figure, iter_blocks, map_blocks

    doc, _ = _nested()
    same = map_blocks(doc.blocks, lambda b: b)
    assert same is doc.blocks
    renamed = map_blocks(doc.blocks, lambda b: dataclasses.replace(b, image="x-" + b.image)
                         if isinstance(b, Figure) else b)
    assert sorted(b.image for b in iter_blocks(renamed) if isinstance(b, Figure)) == [
        "x-deep.png", "x-list.png", "x-quote.png"]
    assert renamed[0] is doc.blocks[0]  # the untouched heading is the same object


def test_map_inlines_reaches_cells_captions_and_attributions() -> None:
    from briefpub.tree import Image, iter_inlines, map_inlines

    doc, _ = _nested()

    def upper(node: object) -> object:
        if isinstance(node, Text):
            return Text(node.text.upper())
        if isinstance(node, Image):
            return dataclasses.replace(node, src="new.png")
        return node

    blocks = map_inlines(doc.blocks, upper)  # type: ignore[arg-type]
    texts = {n.text for n in iter_inlines(blocks) if isinstance(n, Text)}
    assert {"IN A LIST", "IN A QUOTE", "SOMEONE", "MOT", "TOP", "DEEP"} <= texts
    assert [n.src for n in iter_inlines(blocks) if isinstance(n, Image)] == ["new.png"]


def test_document_words_read_a_quote_before_its_attribution() -> None:
    doc = Document(Meta(title="T"), (BlockQuote((Paragraph((Text("said this"),)),), (Text("Someone"),)),))
    assert document_words(doc) == ["T", "said", "this", "Someone"]


def test_c1_controls_are_removed_and_reported() -> None:
    with sanitisation_report() as fixes:
        text = Text("a\u0080b\u0085c\u009fd")
    assert text.text == "ab cd"  # U+0085 (NEL) is a line end: a space, like CR/LF
    assert fixes and set(fixes[0].removed) == {"\u0080", "\u009f"}


def test_link_url_and_title_are_sanitised() -> None:
    link = Link("https://example.org/\u0007x", (Text("t"),), title="a\u0001b\u0090c")
    assert link.url == "https://example.org/x" and link.title == "abc"


@pytest.mark.parametrize(("raw", "clean"), [("a\nb\tc\r\nd", "a b c d"), ("e\u0301\n\u00a0x", "\u00e9 \u00a0x"),
                                          ("a\n\x01b", "a b"), ("\u2028x\ufffe", " x")])
def test_sanitise_turns_line_ends_into_spaces_and_still_removes_invalid_characters(raw: str, clean: str) -> None:
    from briefpub.tree import sanitisation_report, sanitise

    with sanitisation_report() as fixes:
        assert sanitise(raw) == clean
    assert bool(fixes) == ("\x01" in raw or "\ufffe" in raw)


def test_the_quick_ascii_check_lists_the_ascii_characters_of_the_invalid_pattern() -> None:
    from briefpub import tree

    invalid = tuple(c for c in map(chr, range(0x80)) if tree._INVALID_BMP.match(c))
    assert invalid == tree._INVALID_ASCII  # written out, so importing the tree compiles no pattern
    long_text = "x" * 1200
    with sanitisation_report() as fixes:
        assert Text(long_text + "\u0001\u007f").text == long_text  # the long-ASCII path uses the tuple
    assert fixes and fixes[0].removed == "\u0001\u007f"
