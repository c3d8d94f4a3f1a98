"""The size limits every reader applies (readers/common/limits.py, through readers.read_bytes).

Each limit is checked on both sides (just under: read; just over: refused or dropped and
reported) and, for the refusals, through the CLI: exit 2, one line naming the file, no output.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from briefpub.errors import InputError
from briefpub.readers import read_bytes
from briefpub.readers.common import limits
from briefpub.readers.common.limits import (
    MAX_ATTRIBUTES,
    MAX_BLOCK_CHARS,
    MAX_BLOCKS,
    MAX_HTML_ELEMENTS,
    MAX_LINES,
    MAX_TITLE_CHARS,
    MAX_URL_CHARS,
    block_count,
    block_size,
    check_document,
    drop_long_urls,
)
from briefpub.tree import Document, Figure, Image, Link, Meta, Paragraph, Text, iter_blocks, iter_inlines
from clirun import run

URL = "https://example.com/"


def links(result_blocks: tuple) -> list[Link]:
    return [n for n in iter_inlines(result_blocks) if isinstance(n, Link)]


def refused(data: bytes, fmt: str, tmp_path: Path, capsys: pytest.CaptureFixture[str], name: str) -> str:
    """Convert through the CLI; assert exit 2, one error line, no output file; the line."""
    path = tmp_path / name
    path.write_bytes(data)
    out = tmp_path / "out"
    code, stdout, stderr = run(["convert", "-q", "-f", fmt, "-o", str(out), str(path)], capsys)
    assert code == 2, stderr
    lines = stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"error: {path}: "), stderr
    assert not list(out.glob("*.*")) if out.exists() else True
    return lines[0]


# -- link addresses and image references --------------------------------------------------------


def test_an_overlong_link_address_is_dropped_its_text_kept_and_reported():
    long_url = URL + "a" * (MAX_URL_CHARS + 1 - len(URL))
    ok_url = URL + "b" * (MAX_URL_CHARS - len(URL))
    md = f"# T\n\nSee [*the* report]({long_url}) and [this]({ok_url}).\n".encode()
    result = read_bytes(md, source="a.md", fmt="md")
    assert [link.url for link in links(result.document.blocks)] == [ok_url]
    para = result.document.blocks[0]
    assert isinstance(para, Paragraph) and "".join(
        n.text for n in iter_inlines((para,)) if isinstance(n, Text)) == "See the report and this."
    dropped = [d for d in result.diagnostics if d.code == "reader.unsupported" and "link address" in d.message]
    assert len(dropped) == 1 and f"{len(long_url):,} characters" in dropped[0].message
    assert dropped[0].source == "a.md" and dropped[0].text.startswith(URL)


@pytest.mark.parametrize("fmt,page", [
    ("md", "# T\n\nText ![a chart]({src} \"t\") after.\n\n![a map]({src})\n"),
    ("html", "<html><body><article><h1>T</h1><p>Text <img src=\"{src}\" alt=\"a chart\"> after, long enough "
             "to be the article's body text.</p><figure><img src=\"{src}\" alt=\"a map\"><figcaption>The map"
             "</figcaption></figure></article></body></html>"),
])
def test_an_overlong_image_reference_is_dropped_its_alternative_text_kept(fmt, page):
    src = "img/" + "x" * MAX_URL_CHARS + ".png"
    result = read_bytes(page.replace("{src}", src).encode(), source="a." + fmt, fmt=fmt)
    blocks = result.document.blocks
    assert not [n for n in iter_inlines(blocks) if isinstance(n, Image)]
    assert all(b.image == "" for b in iter_blocks(blocks) if isinstance(b, Figure))
    assert "a chart" in " ".join(n.text for n in iter_inlines(blocks) if isinstance(n, Text))
    assert any(d.code == "reader.unsupported" and "image reference" in d.message for d in result.diagnostics)


def test_a_link_address_counts_toward_the_block_size(tmp_path, capsys):
    """A paragraph under the limit whose link addresses take it over is refused (it made a 627 MB PDF)."""
    url = URL + "a" * (MAX_URL_CHARS - len(URL))
    text = "word " * 1_000
    links_md = " ".join(f"[{i}]({url})" for i in range(MAX_BLOCK_CHARS // MAX_URL_CHARS + 1))
    md = f"# T\n\n{text}{links_md}\n".encode()
    assert len(text) + len(links_md) < 2 * MAX_BLOCK_CHARS
    line = refused(md, "md", tmp_path, capsys, "links.md")
    assert "a single paragraph of" in line and f"(the limit is {MAX_BLOCK_CHARS:,})" in line
    fewer = " ".join(f"[{i}]({url})" for i in range(MAX_BLOCK_CHARS // MAX_URL_CHARS - 1))
    read_bytes(f"# T\n\n{text}{fewer}\n".encode(), source="a.md", fmt="md")  # under the limit: read


def test_alternative_texts_and_empty_cells_count_toward_the_block_size():
    para = Paragraph(tuple(Image("a.png", "x" * 1_000, "t" * 10) for _ in range(3)))
    assert block_size(para) == 3 * (1 + 5 + 1_000 + 10)
    assert block_size(Figure((Text("cap"),), "f.png", "alt")) == 3 + 5 + 3


def test_plain_text_paragraphs_and_headings_count_their_characters():
    from briefpub.tree import Heading, LineBreak, Strong

    assert block_size(Paragraph((Text("one "), Text("two")))) == 7
    assert block_size(Heading(2, (Text("Head"),), "an-id")) == 4
    assert block_size(Paragraph(())) == 0
    # anything else in the run is walked: one for each inline element
    assert block_size(Paragraph((Text("a"), LineBreak(), Text("b")))) == 3
    assert block_size(Paragraph((Strong((Text("bold"),)), Text("x")))) == 1 + 4 + 1


# -- block count, lines, elements ------------------------------------------------------------------


@pytest.fixture
def small_block_limit(monkeypatch: pytest.MonkeyPatch) -> int:
    """MAX_BLOCKS lowered to 1,000 (the same check; inputs 20 times smaller)."""
    monkeypatch.setattr(limits, "MAX_BLOCKS", 1_000)
    return 1_000


def test_the_block_limit_is_well_above_real_articles():
    assert MAX_BLOCKS == 20_000  # the longest page of the extraction benchmark has 1,075


def test_more_blocks_than_the_limit_is_one_clear_line(tmp_path, capsys, small_block_limit):
    md = "# Many\n\n" + "".join(f"P{i}.\n\n" for i in range(small_block_limit + 1))
    line = refused(md.encode(), "md", tmp_path, capsys, "many.md")
    assert line == (f"error: {tmp_path / 'many.md'}: {small_block_limit + 1:,} blocks (paragraphs, headings, list "
                    f"items, table rows...; the limit is {small_block_limit:,}): this does not look like an article")
    read_bytes(md.rsplit("P", 1)[0].encode(), source="a.md", fmt="md")  # one fewer: read


def test_list_items_and_table_rows_count_as_blocks():
    md = "# T\n\n" + "".join(f"- {i}\n" for i in range(10)) + "\n|a|b|\n|-|-|\n" + "| | |\n" * 5
    doc = read_bytes(md.encode(), source="a.md", fmt="md").document
    assert block_count(doc) == (1 + 10 + 10) + (1 + 1 + 5)  # list, items, their paragraphs; table, rows


def test_empty_table_rows_count_too(tmp_path, capsys, small_block_limit):
    md = "# T\n\n|a|b|\n|-|-|\n" + "| | |\n" * small_block_limit
    assert "blocks" in refused(md.encode(), "md", tmp_path, capsys, "rows.md")


@pytest.mark.parametrize("fmt", ["txt", "md", "html"])
def test_more_lines_than_the_limit_is_refused_before_parsing(fmt, tmp_path, capsys, monkeypatch):
    from briefpub.readers import READERS

    def never(*args: object, **kwargs: object) -> None:
        raise AssertionError("the reader was called")

    monkeypatch.setattr(READERS, "get", lambda name: type("R", (), {"read": never, "name": name})())
    line = refused(b"a\n\n" * (MAX_LINES // 2 + 1), fmt, tmp_path, capsys, "lines." + fmt)
    assert f"{MAX_LINES + 2:,} lines" in line and f"the limit is {MAX_LINES:,}" in line


def test_just_under_the_line_limit_is_read():
    paragraph = b"a line of the paragraph\n" * 10 + b"\n"
    data = b"Title\n\n" + paragraph * ((MAX_LINES - 2) // 11)
    assert MAX_LINES - 11 < data.count(b"\n") <= MAX_LINES
    read_bytes(data, source="a.txt", fmt="txt")


def test_a_page_of_too_many_elements_is_refused(tmp_path, capsys):
    page = "<html><body><article><p>" + "<b>x</b>" * MAX_HTML_ELEMENTS + "</p></article></body></html>"
    line = refused(page.encode(), "html", tmp_path, capsys, "big.html")
    assert f"more than {MAX_HTML_ELEMENTS:,} HTML elements" in line


@pytest.mark.parametrize("meta,what", [
    (Meta(title="T", subtitle="s" * (MAX_BLOCK_CHARS + 1)), r"a metadata value \(subtitle\) of 100,001 characters"),
    (Meta(title="T", authors=("A", "a" * (MAX_BLOCK_CHARS + 1))),
     r"a metadata value \(authors\) of 100,001 characters"),
    (Meta(title="t" * (MAX_TITLE_CHARS + 1)), r"a title of 10,001 characters \(the limit is 10,000\)"),
])
def test_an_overlong_metadata_value_or_title_is_refused(meta, what):
    check_document(Document(Meta(title="t" * MAX_TITLE_CHARS, subtitle="s" * MAX_BLOCK_CHARS)), "a.md")
    with pytest.raises(InputError, match=f"^a.md: {what}"):
        check_document(Document(meta), "a.md")


def test_a_title_over_the_limit_is_one_clear_line(tmp_path, capsys):
    """A 100,000-character headline used to make the PDF writer run away (exit 1); one line, exit 2 now."""
    line = refused(("# " + "word " * 20_000 + "\n\nText.\n").encode(), "md", tmp_path, capsys, "title.md")
    assert f"a title of 99,999 characters (the limit is {MAX_TITLE_CHARS:,})" in line


def test_an_overlong_article_address_is_dropped_and_reported():
    doc = Document(Meta(title="T", url=URL + "u" * MAX_URL_CHARS), (Paragraph((Text("Text."),)),))
    kept, notes = drop_long_urls(doc, "a.html")
    assert kept.meta.url == "" and kept.blocks == doc.blocks
    assert [d.code for d in notes] == ["reader.metadata"]
    assert drop_long_urls(kept, "a.html") == (kept, [])


# -- attributes ------------------------------------------------------------------------------------


def _attributes(count: int) -> str:
    return " ".join(f'data-a{i}="v{i}"' for i in range(count))


@pytest.mark.parametrize("fmt", ["html", "md"])
def test_attributes_beyond_the_cap_are_ignored_and_reported(fmt):
    """An element's first MAX_ATTRIBUTES attributes are read; the rest are cut off before libxml2
    (quadratic in them) sees the tag, and reported; its content is kept."""
    extra = 5
    tag = f'<a {_attributes(MAX_ATTRIBUTES - 1)} href="https://example.com/kept" {_attributes(extra)}>here</a>'
    late = f'<a {_attributes(MAX_ATTRIBUTES)} href="https://example.com/lost">there</a>'
    body = f"<p>Read {tag} and {late} for the whole story of the talks in Geneva this week.</p>"
    if fmt == "html":
        data = f"<html><body><article><h1>T</h1>{body}</article></body></html>"
    else:
        data = f"# T\n\n<div>\n{body}\n</div>\n"
    result = read_bytes(data.encode(), source="a." + fmt, fmt=fmt)
    assert [link.url for link in links(result.document.blocks)] == ["https://example.com/kept"]
    words = " ".join(n.text for n in iter_inlines(result.document.blocks) if isinstance(n, Text))
    assert "here" in words and "there" in words
    notes = sorted(d.message for d in result.diagnostics if "beyond the first" in d.message)
    assert notes == [f"1 attribute(s) of a <a> beyond the first {MAX_ATTRIBUTES:,} ignored",
                     f"{extra} attribute(s) of a <a> beyond the first {MAX_ATTRIBUTES:,} ignored"]
    assert all(d.code == "reader.unsupported" for d in result.diagnostics if "beyond the first" in d.message)


def test_a_hundred_thousand_attributes_are_read_in_linear_time(monkeypatch):
    """100,000 attributes on one element took libxml2 80 s (it checks each against all earlier ones).
    Counted work: the tag handed to libxml2 holds MAX_ATTRIBUTES of them."""
    from briefpub.readers.common.notes import Notes
    from briefpub.readers.html import _parse

    seen: list[int] = []
    real = _parse.etree.fromstring

    def counting(data: bytes, parser: object) -> object:
        seen.append(data.count(b"data-a"))
        return real(data, parser)

    page = f"<html><body><p {_attributes(100_000)}>Hello.</p></body></html>"
    monkeypatch.setattr(_parse.etree, "fromstring", counting)
    _parse.parse_document(page, "a.html", Notes("a.html"))
    assert seen == [MAX_ATTRIBUTES]


def test_many_elements_with_too_many_attributes_are_summarised():
    tag = f"<span {_attributes(MAX_ATTRIBUTES + 2)}>x</span>"
    page = f"<html><body><article><h1>T</h1><p>Text\n{tag * 25} of the article body.</p></article></body></html>"
    result = read_bytes(page.encode(), source="a.html", fmt="html")
    each = [d for d in result.diagnostics if "beyond the first" in d.message]
    summary = [d.message for d in result.diagnostics if "more element(s)" in d.message]
    assert len(each) == 20 and all(d.line == 2 for d in each)
    assert summary == [(f"5 more element(s) with over {MAX_ATTRIBUTES:,} attributes: 50 attribute(s) "
                        "ignored in all")]


def test_the_element_limit_is_exact():
    from lxml import etree

    from briefpub.readers.html._parse import _check_elements

    root = etree.Element("html")
    for _ in range(MAX_HTML_ELEMENTS - 1):
        etree.SubElement(root, "b")
    _check_elements(root, "big.html")  # exactly the limit: read
    etree.SubElement(root, "b")
    with pytest.raises(InputError, match=f"big.html: more than {MAX_HTML_ELEMENTS:,} HTML elements"):
        _check_elements(root, "big.html")
