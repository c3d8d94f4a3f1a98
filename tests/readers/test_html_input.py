"""HTML reader: encodings, limits, registration, stdin and the whole saved-page fixtures."""

from __future__ import annotations

import codecs
import json
import subprocess
import sys
from pathlib import Path

import pytest

from briefpub.errors import InputError
from briefpub.readers import detect_format, read_bytes, read_path
from briefpub.tree import Figure, Paragraph, document_words
from samples import outline

ROOT = Path(__file__).resolve().parents[2]
PAGES = ROOT / "fixtures" / "html" / "pages"


def read(data: bytes) -> tuple[str, str, list[str]]:
    result = read_bytes(data, source="page.html", fmt="html")
    return outline(result.document), result.encoding, [d.code for d in result.diagnostics]


# ----------------------------------------------------------------------------- encodings


@pytest.mark.parametrize(
    ("bom", "codec"),
    [(codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be")],
)
def test_bom_wins_over_meta_charset(bom: bytes, codec: str) -> None:
    page = '<meta charset="windows-1252"><p>Café “quoted”</p>'
    text, encoding, codes = read(bom + page.encode(codec))
    assert text == "P: Café “quoted”"
    assert encoding == codec and "decode.bom" in codes


@pytest.mark.parametrize(
    "declaration",
    [
        '<meta charset="windows-1252">',
        "<meta charset=iso-8859-1>",
        '<meta http-equiv="Content-Type" content="text/html; charset=windows-1252">',
        '<?xml version="1.0" encoding="windows-1252"?>',
    ],
)
def test_declared_charset_is_used(declaration: str) -> None:
    data = (declaration + "<p>Café “quoted” — £5</p>").encode("cp1252")
    text, encoding, _ = read(data)
    assert text == "P: Café “quoted” — £5"
    assert encoding == "cp1252"


def test_declared_legacy_charset_other_than_latin() -> None:
    data = '<meta charset="koi8-r"><p>Привет</p>'.encode("koi8-r")
    assert read(data)[:2] == ("P: Привет", "koi8-r")


def test_detection_without_declaration() -> None:
    data = "<p>Café “quoted” costs £5 and déjà vu.</p>".encode("cp1252")
    text, encoding, codes = read(data)
    assert "Café" in text and encoding == "cp1252" and "decode.legacy-encoding" in codes


def test_wrong_utf8_declaration_falls_back_to_detection() -> None:
    data = '<meta charset="utf-8"><p>Café “quoted” déjà vu</p>'.encode("cp1252")
    text, _, codes = read(data)
    assert "Café “quoted”" in text and "reader.metadata" in codes


def test_utf8_page_declared_gb2312_is_read_as_utf8() -> None:
    # issue 15 (6): a page re-saved as UTF-8 that kept its gb2312 declaration
    data = '<meta http-equiv="Content-Type" content="text/html; charset=gb2312"><p>腾讯科技 2016年10月14日</p>'.encode()
    text, encoding, codes = read(data)
    assert (text, encoding) == ("P: 腾讯科技 2016年10月14日", "utf-8")
    assert "reader.metadata" in codes and "decode.replacement" not in codes


def test_real_gb2312_page_keeps_its_declaration() -> None:
    data = '<meta charset="gb2312"><p>腾讯科技 2016年10月14日</p>'.encode("gb2312")
    text, encoding, codes = read(data)
    assert (text, encoding) == ("P: 腾讯科技 2016年10月14日", "gbk") and "reader.metadata" not in codes


def test_unknown_charset_label_is_reported() -> None:
    text, _, codes = read(b'<meta charset="x-no-such-thing"><p>Plain</p>')
    assert text == "P: Plain" and "reader.metadata" in codes


def test_windows_1252_numeric_references() -> None:
    assert read(b"<p>&#147;Quoted&#148; &#150; &#128;5</p>")[0] == "P: \u201cQuoted\u201d \u2013 \u20ac5"


# ----------------------------------------------------------------------------- limits and errors


def test_absurd_nesting_is_a_clear_error() -> None:
    page = "<html><body>" + "<div>" * 100_000 + "deep" + "</div>" * 100_000 + "</body></html>"
    with pytest.raises(InputError, match="nested more than 255"):
        read_bytes(page.encode(), source="deep.html", fmt="html")


def test_deep_but_legal_nesting_is_read() -> None:
    page = "<html><body>" + "<div><blockquote>" * 100 + "<p>deep</p>" + "</blockquote></div>" * 100 + "</body></html>"
    result = read_bytes(page.encode(), source="deep.html", fmt="html")
    assert document_words(result.document) == ["deep"]
    assert "reader.unsupported" in [d.code for d in result.diagnostics]


def test_deep_inline_nesting_is_read() -> None:
    page = "<p>" + "<b><i>" * 120 + "deep" + "</i></b>" * 120 + "</p>"
    assert document_words(read_bytes(page.encode(), source="x.html", fmt="html").document) == ["deep"]


@pytest.mark.parametrize("data", [b"", b"   \n  ", b"%PDF-1.7 binary", b"\x00\x01\x02" * 100])
def test_unreadable_inputs_are_input_errors(data: bytes) -> None:
    with pytest.raises(InputError):
        read_bytes(data, source="bad.html", fmt="html")


def test_a_page_with_only_furniture_gives_an_empty_document() -> None:
    result = read_bytes(b"<html><body><nav><a href='/'>Home</a></nav></body></html>", source="x.html", fmt="html")
    assert result.document.blocks == ()


def test_many_small_pages_do_not_leak_state() -> None:
    first = read(b"<h1>One</h1><p>By Ann Example</p><p>Text one.</p>")[0]
    read(b"<h1>Two</h1><p>By Bob Example</p><p>Text two.</p>")
    assert read(b"<h1>One</h1><p>By Ann Example</p><p>Text one.</p>")[0] == first


# ----------------------------------------------------------------------------- registration, CLI


@pytest.mark.parametrize(("name", "fmt"), [("a.html", "html"), ("a.HTM", "html"), ("a.xhtml", "html"),
                                           ("a.md", "md"), ("a.markdown", "md"), ("a.txt", "txt")])
def test_format_detected_by_extension(name: str, fmt: str) -> None:
    assert detect_format(Path(name)) == fmt


def test_an_extension_no_reader_claims_leaves_the_content_to_decide() -> None:
    assert detect_format(Path("page.php")) is None and detect_format("README") is None
    guessed = read_bytes(b"<!DOCTYPE html><html><body><h1>T</h1><p>Text of the page.</p></body></html>",
                         source="page.php", fmt=None)
    assert guessed.diagnostics[0].code == "reader.format-guessed" and guessed.document.meta.title == "T"


def test_xhtml_file(tmp_path: Path) -> None:
    page = tmp_path / "a.xhtml"
    page.write_text(
        '<?xml version="1.0" encoding="utf-8"?>\n<html xmlns="http://www.w3.org/1999/xhtml" xml:lang="fr">'
        "<head><title>Titre</title></head><body><p>Bonjour <em>le</em> monde.</p><br/><hr/></body></html>",
        encoding="utf-8",
    )
    doc = read_path(page).document
    assert outline(doc) == "META title: Titre\nMETA language: fr\nP: Bonjour *le* monde.\nHR"


def test_stdin_with_from_html() -> None:
    page = b"<html><head><title>From stdin</title></head><body><p>Piped <b>page</b>.</p><script>x()</script></body>"
    proc = subprocess.run(
        [sys.executable, "-m", "briefpub", "inspect", "-", "--from", "html", "--json"],
        input=page,
        capture_output=True,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr.decode()
    report = json.loads(proc.stdout)
    assert report["document"]["meta"]["title"] == "From stdin"
    assert "x()" not in json.dumps(report["document"])
    assert "reader.active-content" in [d["code"] for d in report["diagnostics"]]


def test_from_overrides_the_extension(tmp_path: Path) -> None:
    page = tmp_path / "saved.txt"
    page.write_text("<h1>Headline</h1><p>Body <em>text</em>.</p>", encoding="utf-8")
    assert outline(read_path(page, "html").document) == "META title: Headline\nP: Body *text*."


# ----------------------------------------------------------------------------- saved pages


@pytest.mark.parametrize("page", sorted(PAGES.glob("*.html")), ids=lambda p: p.stem)
def test_saved_page_keeps_the_whole_article(page: Path) -> None:
    from fidelity import missing_words

    expected = page.with_suffix("").with_suffix(".expected.txt").read_text(encoding="utf-8")
    doc = read_path(page).document
    text = "\n".join([doc.meta.subtitle, *(t for b in doc.blocks for t in _texts(b))])
    assert not missing_words(expected.split(), text, hyphenation=False)
    assert doc.meta.title


def _texts(block: object) -> list[str]:
    from briefpub.tree import block_text

    return list(block_text(block))  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("page", "furniture"),
    [
        ("herald-ferry", ["cookies", "Most read", "harbourwatcher", "Registered in England", "Coastline Briefing"]),
        ("gazette-budget", ["Sheep rustlers", "Valley Mum", "Showers", "Reproduction without permission"]),
        ("blog-wildfire", ["Owen from the valley", "Recent Posts", "Proudly powered", "Share this"]),
        ("wire-summit", ["Trending", "Morning Bid", "Port strike", "Advertisement"]),
        ("live-port", ["842 partners", "SaltmarshResident", "Most popular", "Related coverage"]),
    ],
)
def test_saved_page_drops_the_furniture_and_says_so(page: str, furniture: list[str]) -> None:
    result = read_path(PAGES / f"{page}.html")
    words = " ".join(document_words(result.document))
    reported = " ".join(d.text for d in result.diagnostics)
    for phrase in furniture:
        assert phrase not in words
        assert phrase.split()[0] in reported


def test_saved_page_structure() -> None:
    doc = read_path(PAGES / "herald-ferry.html").document
    assert doc.meta.authors == ("Mira Okafor",) and doc.meta.date_iso == "2024-03-14"
    assert doc.meta.subtitle.startswith("Boats will sail")
    figure = doc.blocks[0]
    assert isinstance(figure, Figure) and figure.image == "herald-ferry_files/east-quay.jpg"
    assert isinstance(doc.blocks[1], Paragraph)


# ----------------------------------------------------------------------------- removals (issue 15)


def test_every_removal_reports_its_whole_size_and_place() -> None:
    comments = "".join(
        f'<div class="c"><p class="who">Reader {i}</p>'
        f"<p>Comment number {i} says the ferry plan is a fine idea.</p></div>"
        for i in range(30)
    )
    page = (
        "<html><body><article><h1>Ferries</h1>"
        "<p>The harbour authority voted on Tuesday to run a trial of night ferries between the quays.</p>"
        "<p>Officials said the boats would sail every forty minutes until one in the morning.</p>"
        "<p>The trial will last six months and cost the authority a little under two million.</p>"
        f'<section id="comments">{comments}</section></article></body></html>'
    )
    result = read_bytes(page.encode(), source="p.html", fmt="html")
    (removal,) = [d for d in result.diagnostics if d.code == "reader.boilerplate-removed"]
    # the whole size (the excerpt is cut), and where it was: a removal that swallowed the article shows
    assert removal.message == "removed comments (390 words, body/article/section#comments)"
    assert removal.text.startswith("Reader 0 Comment number 0") and len(removal.text) <= 120


def test_class_word_on_the_articles_own_block_is_not_a_removal() -> None:
    # "read-more" (related links) on the block holding the rest of the article: kept, as prose
    body = "".join(f"<p>Paragraph {i} of the story carries on with the council's budget.</p>" for i in range(8))
    page = (
        "<html><body><article><h1>Budget</h1><p>Councillors agreed the budget.</p>"
        f'<div id="read-more">{body}</div></article></body></html>'
    )
    result = read_bytes(page.encode(), source="p.html", fmt="html")
    assert "Paragraph 7 of the story" in outline(result.document)
    assert not [d for d in result.diagnostics if d.code == "reader.boilerplate-removed"]
