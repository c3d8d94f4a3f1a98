"""The HTML reader's parsing (readers/html/_parse.py): void elements and hostile attribute names."""

from __future__ import annotations

import pytest

from briefpub.readers import read_bytes
from samples import outline

#: HTML5 void elements, and obsolete ones browsers still parse as void.
VOID = ["area", "base", "br", "col", "embed", "hr", "img", "input", "keygen", "link", "meta", "param", "source",
        "track", "wbr", "basefont", "bgsound", "frame", "image", "isindex", "command", "nextid"]


def read(data: bytes) -> str:
    return outline(read_bytes(data, source="page.html", fmt="html").document)


@pytest.mark.parametrize("tag", VOID)
def test_a_void_element_does_not_swallow_the_rest_of_the_article(tag: str) -> None:
    page = (f"<html><body><article><h1>Headline</h1><p>First paragraph.</p><{tag} src=x.png>"
            f"<p>Second paragraph.</p> loose text <div><p>Third <{tag} src=y.png> paragraph.</p></div>"
            "</article></body></html>")
    text = read(page.encode())
    for kept in ("First paragraph.", "Second paragraph.", "loose text", "Third", "paragraph."):
        assert kept in text, (tag, text)
    assert text.index("Second") < text.index("loose") < text.index("Third")


def test_image_is_read_as_img() -> None:
    assert "![](https://example.org/a.png)" in read(
        b'<html><body><article><p>A picture <image src="https://example.org/a.png"> here.</p></article></body></html>')


def test_nested_void_elements() -> None:
    text = read(b"<html><body><article><p>One.</p><embed><embed><keygen><p>Two.</p>three</article></body></html>")
    assert "P: One." in text and "P: Two." in text and "three" in text


@pytest.mark.parametrize("attribute", [b'a\x01b="x"', b'\x02="x"', b"on\x01click=x", b"x\x1f", b'a\x7fb="1"'])
def test_control_character_in_an_attribute_name(attribute: bytes) -> None:
    result = read_bytes(b"<html><body><article><p " + attribute + b">Hello there, reader.</p></article></body></html>",
                        source="page.html", fmt="html")
    assert outline(result.document) == "P: Hello there, reader."
    assert any(d.code == "text.invalid-character" for d in result.diagnostics)


@pytest.mark.parametrize("attribute", [b'{lazy}:src="a.png"', b"{x}=1", b"{a}b=1", b"{=1", b'{}onclick="x()"'])
def test_attribute_names_lxml_reads_as_namespaces(attribute: bytes) -> None:
    page = b'<html><body><article><p class="k" ' + attribute + b' href="javascript:x">Hello there, reader.</p>'
    result = read_bytes(page + b"</article></body></html>", source="page.html", fmt="html")
    assert outline(result.document) == "P: Hello there, reader."
    assert "1 attribute(s) with a name starting with '{' ignored" in [d.message for d in result.diagnostics]


@pytest.mark.parametrize("reference", [b"&#1;", b"&#x1f;", b"&#1<b>x</b>", b"&#65535;"])
def test_control_character_references_are_removed_and_reported(reference: bytes) -> None:
    # the <embed> and the <script> make the reader move the text around them (lxml refuses to set it)
    page = (b'<html><body><article><p title="a' + reference + b'">One ' + reference + b' two<embed>'
            + reference + b" three<script>x</script>" + reference + b" four.</p></article></body></html>")
    result = read_bytes(page, source="page.html", fmt="html")
    text = outline(result.document)
    assert text.startswith("P: One") and "two" in text and "three" in text and text.endswith("four.")
    assert any(d.code == "text.invalid-character" for d in result.diagnostics)


@pytest.mark.parametrize("broken", [b"<title>Ferry trial<-title>", b"<TITLE>Ferry trial",
                                    b"<title lang=en>Ferry trial"])
def test_an_unclosed_title_does_not_swallow_the_page(broken: bytes) -> None:
    page = b"<html><head>" + broken + b'\n<meta name="author" content="Mira Okafor"></head><body><article>'
    result = read_bytes(page + b"<p>The article text.</p></article></body></html>", source="page.html", fmt="html")
    lines = outline(result.document).splitlines()
    assert lines[0].startswith("META title: Ferry trial") and len(lines[0]) < 40
    assert "META authors: Mira Okafor" in lines and lines[-1] == "P: The article text."
    assert "<title> never closed: ended at the next tag" in [d.message for d in result.diagnostics]


@pytest.mark.parametrize("tag", ["wbr", "embed", "source", "WBR"])
def test_hundreds_of_void_elements_are_not_nesting(tag: str) -> None:
    # nested one inside the other, 256 of them passed libxml2's depth limit: the page was refused
    words = b"".join(b"part%d<%s>" % (i, tag.encode()) for i in range(300))
    page = b'<html><body><article><p>Long <wbr title="a>b">' + words + b" end.</p><p>Next.</p></article></body></html>"
    text = outline(read_bytes(page, source="page.html", fmt="html").document)
    assert text.startswith("P: Long part0part1") and text.endswith("part299 end.\nP: Next.")


@pytest.mark.parametrize(("written", "text"), [("One &#xFFFE;two &#65534;", "One two "), ("One \ufffftwo", "One two"),
                                               ("One\x0b two\x1f", "One two"), ("Plain { text }", "Plain { text }")])
def test_refused_characters_written_or_referred_to_are_removed(written: str, text: str) -> None:
    # literal ones are found in the page's UTF-8 bytes, references by number; a "{" outside a tag changes nothing
    from briefpub.readers.common.notes import Notes
    from briefpub.readers.html._parse import parse_document

    notes = Notes("page.html")
    root = parse_document(f'<html><body><p class="a" data-x="1">{written}</p></body></html>', "page.html", notes)
    p = root.find("body/p")
    assert p is not None and p.keys() == ["class", "data-x"] and p.text == text
    assert notes.items == []


@pytest.mark.parametrize("value", ["JaVaScRiPt:x()", "\x01 java\tscript :x()", "java\u017fcript:x()",
                                   "javascr\u0130pt:x()", "vbscr\u0131pt:x()"])
def test_script_urls_in_any_case_are_removed_from_every_attribute(value: str) -> None:
    from briefpub.readers.common.notes import Notes
    from briefpub.readers.html._parse import neutralise, parse_document

    notes = Notes("page.html")
    root = parse_document(f'<html><body><p data-go="{value}" title="a: b" style="x:y">Text</p></body></html>',
                          "page.html", notes)
    neutralise(root, notes)
    p = root.find("body/p")
    assert p is not None and p.keys() == ["title", "style"]
    assert [d.message for d in notes.items] == ["1 attribute(s) with script URLs removed"]


def test_short_text_of_stops_at_its_limit_and_counts_collapsed_white_space() -> None:
    from lxml import etree

    from briefpub.readers.html._parse import short_text_of, text_of, words_of

    el = etree.fromstring("<div> By   <b>Ann\n\n  Lee</b>\t" + " " * 500 + "<i>x</i></div>", etree.HTMLParser())
    assert short_text_of(el, 300) == text_of(el) == "By Ann Lee x" == " ".join(words_of(el))
    assert short_text_of(el, 12) == "By Ann Lee x" and short_text_of(el, 11) is None
    long = etree.fromstring("<div>" + "<p>word</p>" * 1000 + "</div>", etree.HTMLParser())
    assert short_text_of(long, 300) is None and len(text_of(long)) > 300


@pytest.mark.parametrize("script", ["x" * 5000, " \n " * 400 + "short", "word " * 30 + " " * 2000 + "end",
                                    " ".join(["w"] * 200), "a" + " " * 476 + "b" * 200])
def test_a_removed_elements_quote_is_the_excerpt_of_all_its_text(script: str) -> None:
    from briefpub.diagnostics import excerpt
    from briefpub.readers.common.notes import Notes
    from briefpub.readers.html._parse import neutralise, parse_document

    notes = Notes("page.html")
    root = parse_document(f"<html><body><p>Text</p><video>{script}</video></body></html>", "page.html", notes)
    neutralise(root, notes)
    assert [d.text for d in notes.items] == [excerpt(script)]
