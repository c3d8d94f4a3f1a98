"""Hostile inputs through the CLI: valid files in every format, or one clear line and exit 2.

Never a traceback, never a partial file. Each converted EPUB also goes through EPUBCheck (one
JVM start for all of them), each PDF must open and give its text back, each DOCX must open.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest

from clirun import run
from extract import text_of

ARABIC = "بدأت المحادثات التمهيدية في العاصمة الكازاخستانية يوم الأحد."
HEBREW = "שר החוץ הגיע לאסטנה ביום ראשון."
CJK = "外交部发言人表示，会谈将于周一开始。"
EMOJI = "Peace talks 🕊️ begin 🇰🇿 today 👍🏽."


ACTIVE_LINK = re.compile(rb"<[a-z][^<>]*\b(?:href|src|target)\s*=\s*[\"']\s*javascript:", re.IGNORECASE)


def _text(body: str, title: str = "Hostile Input Article") -> bytes:
    return f"{title}\n\n{body}\n".encode()


# name -> (bytes of the input file, expected outcome: "ok" or a fragment of the error line)
CASES: dict[str, tuple[Callable[[], bytes], str]] = {
    "empty": (lambda: b"", "file is empty"),
    "whitespace-only": (lambda: b"   \n\t\n\xc2\xa0\n\n", "only whitespace"),
    "binary": (lambda: b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 20, "not a text article"),
    "nul-bytes": (lambda: b"Title\n\nSome\x00text\x00here" * 20, "not a text article"),
    "control-characters": (lambda: _text("Text with \x01 bell \x07 and escape \x1b[31m codes."), "ok"),
    "single-5mb-line": (lambda: b"Title\n\n" + b"word " * (5 * 1024 * 1024 // 5), "does not look like an article"),
    "10k-unbreakable-word": (lambda: _text("Before " + "x" * 10_000 + " after."), "ok"),
    "2000-char-title": (lambda: _text("Body text of the article.", "Long title " * 182), "ok"),
    "path-separator-title": (lambda: _text("Body.", "../../../etc/passwd/../.. \\..\\..\\"), "ok"),
    "markup-like": (lambda: _text("a <b & c </para> <font name=x> <script>alert(1)</script> ]]> &amp; "
                                  "<![CDATA[x]]> javascript:alert(1) <a href=\"javascript:x\">y</a>"), "ok"),
    "arabic": (lambda: _text(ARABIC, "محادثات السلام"), "ok"),
    "hebrew": (lambda: _text(HEBREW, "שיחות שלום"), "ok"),
    "cjk": (lambda: _text(CJK, "和平会谈"), "ok"),
    "emoji": (lambda: _text(EMOJI, "Talks 🕊️"), "ok"),
    "invalid-utf8": (lambda: b"Title\n\nCaf\xe9 au lait \x93quoted\x94 and more text \xe9t\xe9.\n", "ok"),
    "over-size-limit": (lambda: b"Title\n\n" + (b"word " * 200 + b"\n\n") * 9000, "too large"),
}




@pytest.fixture(autouse=True)
def _epoch(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1485129600")


def _check_outputs(out: Path, stem: str) -> dict[str, bytes]:
    files = {p.suffix[1:]: p.read_bytes() for p in out.iterdir()}
    assert sorted(files) == ["docx", "epub", "pdf"], sorted(files)
    assert not [p for p in out.iterdir() if p.name.startswith(".")], "temporary files left behind"
    # PDF opens and gives text back
    assert files["pdf"].startswith(b"%PDF-") and text_of("pdf", files["pdf"]).strip()
    # EPUB: zip with mimetype first, parseable documents
    with zipfile.ZipFile(io.BytesIO(files["epub"])) as z:
        assert z.namelist()[0] == "mimetype" and z.read("mimetype") == b"application/epub+zip"
        assert z.testzip() is None
    assert text_of("epub", files["epub"]).strip()
    # DOCX opens with python-docx
    import docx

    document = docx.Document(io.BytesIO(files["docx"]))
    assert any(p.text.strip() for p in document.paragraphs)
    # nothing active: no script element, no javascript: link target in any format
    assert b"<script" not in files["pdf"].lower()
    assert b"/URI (javascript" not in files["pdf"]
    for fmt in ("epub", "docx"):
        with zipfile.ZipFile(io.BytesIO(files[fmt])) as z:
            for entry in z.namelist():
                body = z.read(entry).lower()
                assert b"<script" not in body, (fmt, entry)
                assert not ACTIVE_LINK.search(body), (fmt, entry)
    return files


@pytest.mark.parametrize("name", list(CASES))
def test_hostile_input(name: str, tmp_path: Path, capsys: pytest.CaptureFixture[str],
                       monkeypatch: pytest.MonkeyPatch) -> None:
    make, expected = CASES[name]
    source = tmp_path / f"{name}.txt"
    source.write_bytes(make())
    out = tmp_path / "out"
    monkeypatch.chdir(tmp_path)
    code, stdout, stderr = run(["convert", "-q", "--out", str(out), str(source)], capsys)
    assert "Traceback" not in stderr
    if expected == "ok":
        assert code == 0, stderr
        _check_outputs(out, name)
    else:
        assert code == 2
        lines = stderr.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith(f"error: {source}") and expected in lines[0], stderr
        assert not out.exists() or not any(out.iterdir())


def test_markup_like_text_prints_literally(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source = tmp_path / "markup.txt"
    source.write_bytes(CASES["markup-like"][0]())
    code, _, err = run(["convert", "-q", "--out", str(tmp_path / "out"), str(source)], capsys)
    assert code == 0, err
    for fmt in ("pdf", "epub", "docx"):
        text = text_of(fmt, (tmp_path / "out" / f"markup.{fmt}").read_bytes())
        squashed = "".join(text.split())
        assert "a<b&c</para><fontname=x><script>alert(1)</script>]]>&amp;" in squashed, fmt


def test_active_link_check_can_fail() -> None:
    assert ACTIVE_LINK.search(b'<a class="x" href="javascript:alert(1)">')
    assert ACTIVE_LINK.search(b"<Relationship Target='javascript:x'/>")
    assert not ACTIVE_LINK.search(b'&lt;a href="javascript:x"&gt;')


def test_control_characters_are_reported(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source = tmp_path / "ctrl.txt"
    source.write_bytes(CASES["control-characters"][0]())
    code, _, err = run(["convert", "--to", "json", "--out", str(tmp_path / "out"), str(source)], capsys)
    assert code == 0
    assert "text.invalid-character" in err and "U+0001" in err and "U+0007" in err and "U+001B" in err


def test_hostile_epubs_pass_epubcheck(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from epubcheck_runner import run_epubcheck

    files = []
    for name, (make, expected) in CASES.items():
        if expected != "ok":
            continue
        source = tmp_path / f"{name}.txt"
        source.write_bytes(make())
        code, _, err = run(["convert", "-q", "--to", "epub", "--out", str(tmp_path / "out"), str(source)], capsys)
        assert code == 0, err
        files.append(tmp_path / "out" / f"{name}.epub")
    results = run_epubcheck(files, tmp_path)
    bad = {Path(k).name: (v.counts, v.messages[:3]) for k, v in results.items() if v.counts != (0, 0, 0)}
    assert not bad
    assert len(results) == len(files)
