"""Guessing the format of standard input and of files with an extension no reader claims."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from briefpub.readers import read_path
from briefpub.readers.sniff import sniff_format

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "fixtures"


@pytest.mark.parametrize("path", [*sorted((FIXTURES / "html" / "pages").glob("*.html")),
                                  FIXTURES / "equivalence" / "article.html", FIXTURES / "html" / "hostile-page.html"])
def test_every_saved_page_fixture_is_sniffed_as_html(path: Path) -> None:
    assert sniff_format(path.read_bytes()) == "html"


@pytest.mark.parametrize("path", [FIXTURES / "md" / "analyst-note.md", FIXTURES / "equivalence" / "article.md"])
def test_markdown_fixtures_are_sniffed_as_md(path: Path) -> None:
    assert sniff_format(path.read_bytes()) == "md"


@pytest.mark.parametrize("path", [*sorted((FIXTURES / "txt").glob("*.txt")), FIXTURES / "equivalence" / "article.txt"])
def test_plain_text_fixtures_stay_plain_text(path: Path) -> None:
    assert sniff_format(path.read_bytes()) == "txt"


@pytest.mark.parametrize(("data", "fmt"), [
    (b"\xef\xbb\xbf  \n<!-- saved from url=(0014)about:internet -->\n<!DOCTYPE html><p>x", "html"),
    (b'<?xml version="1.0"?>\n<html xmlns="http://www.w3.org/1999/xhtml"><body>x</body></html>', "html"),
    ("<article><h1>T</h1></article>".encode("utf-16"), "html"),
    (b"<HEAD><title>T</title>", "html"),
    (b"---\ntitle: T\nauthors:\n  - A\n---\nBody.\n", "md"),
    (b"# Title\n\nBody text only.\n", "md"),
    (b"Headline\n\nSome text.\n\n## Section\n\nA [link](https://example.com).\n", "md"),
    (b"Headline\n\nWe are #1 in the region.\n\n# not a heading? yes, but no construct\n", "txt"),
    (b"Headline\n\nThe <b>tag</b> is mentioned in the text.\n", "txt"),
    (b"---\nA dash line that opens nothing\nand text.\n", "txt"),
    (b"", "txt"),
])
def test_sniffing_rules(data: bytes, fmt: str) -> None:
    assert sniff_format(data) == fmt


def test_stdin_without_from_is_sniffed_and_the_guess_reported(monkeypatch: pytest.MonkeyPatch) -> None:
    page = (FIXTURES / "html" / "pages" / "wire-summit.html").read_bytes()
    monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(page)))
    result = read_path("-")
    assert not result.document.meta.title.lower().startswith("<!doctype")
    assert result.document.meta.title == read_path(FIXTURES / "html" / "pages" / "wire-summit.html").document.meta.title
    guess = result.diagnostics[0]
    assert (guess.code, guess.severity, guess.source) == ("reader.format-guessed", "info", "<stdin>")
    assert guess.message == "read as html (guessed from the content; use --from to choose)"
    monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(page)))
    assert all(d.code != "reader.format-guessed" for d in read_path("-", "txt").diagnostics)  # --from wins


@pytest.mark.parametrize("name", ["page.php", "page", "page.HTM5"])
def test_an_unclaimed_extension_is_sniffed(tmp_path: Path, name: str) -> None:
    target = tmp_path / name
    target.write_bytes((FIXTURES / "html" / "pages" / "wire-summit.html").read_bytes())
    result = read_path(target)
    assert result.diagnostics[0].code == "reader.format-guessed" and "read as html" in result.diagnostics[0].message


def test_a_known_extension_keeps_its_reader(tmp_path: Path) -> None:
    target = tmp_path / "page.txt"
    target.write_bytes(b"<!DOCTYPE html>\n<html><body><p>Text.</p></body></html>\n")
    result = read_path(target)
    assert all(d.code != "reader.format-guessed" for d in result.diagnostics)
    assert result.document.meta.title == "<!DOCTYPE html>"  # the .txt reader, as asked
