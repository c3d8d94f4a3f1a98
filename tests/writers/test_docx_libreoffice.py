"""DOCX writer against a real client: LibreOffice lays out every fixture and prints it to PDF.

One session-scoped fixture converts all the DOCX files in a single ``soffice``
start (about a second per file once warm); the tests then read the PDFs with
pdftotext, pypdf and pdffonts: the article's text, "Page N of M" on every page
with M the real page count, the paper size, and the fonts the styles named.
Skipped with a reason when soffice is absent locally; ``.ci/run`` installs it
and sets BRIEFPUB_REQUIRE_TOOLS=1 so that CI fails instead.
"""

from __future__ import annotations

import re
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from pypdf import PdfReader

from briefpub.styling import load_style, with_overrides
from briefpub.styling.model import StyleSheet
from briefpub.tree import Document, Figure, Meta, Paragraph, Publication, Text, document_words
from briefpub.writers import WriteOptions
from briefpub.writers.docx import WRITER
from conftest import REFERENCE, ROOT
from fidelity import missing_words, normalise_word
from samples import (
    arabic_document,
    hostile_document,
    long_document,
    pack,
    rich_document,
    scripts_document,
    single,
)
from tools import require_tool

BRIEFING = load_style("briefing")
LETTER = with_overrides(load_style("plain"), [("page.size", "Letter")])


def _png() -> bytes:
    import struct
    import zlib

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    width, height = 600, 300
    raw = b"".join(b"\x00" + b"\x30\x60\x90" * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b"")


@dataclass
class Case:
    """One fixture: what was written and where LibreOffice printed it."""

    pub: Publication
    style: StyleSheet = BRIEFING
    resources: dict[str, bytes] = field(default_factory=dict)
    pdf: Path = Path()


def _cases() -> dict[str, Case]:
    figure = Document(
        meta=Meta(title="A figure", marking="OFFICIAL"),
        blocks=(
            Paragraph((Text("Text before the picture."),)),
            Figure((Text("Delegates arriving at the hotel"),), image="arrival.png", alt="Delegates arriving"),
            Paragraph((Text("Text after the picture."),)),
        ),
    )
    cases = {
        "rich": Case(single(rich_document())),
        "long": Case(single(long_document())),
        "hostile": Case(single(hostile_document())),
        "scripts": Case(single(scripts_document())),
        "arabic": Case(single(arabic_document())),
        "pack": Case(pack([rich_document(), arabic_document(), long_document(40)], marking="OFFICIAL")),
        "figure": Case(single(figure), resources={"arrival.png": _png()}),
        "letter-plain": Case(single(rich_document()), style=LETTER),
    }
    try:
        from briefpub.readers import read_path
    except ImportError:  # pragma: no cover - the reader lands separately
        return cases
    for path in sorted((ROOT / "fixtures" / "txt").glob("*.txt")):
        cases[f"txt-{path.stem}"] = Case(single(read_path(path).document))
    if REFERENCE.is_file():
        cases["reference"] = Case(single(read_path(REFERENCE).document))
    return cases


@pytest.fixture(scope="session")
def converted(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Case]:
    require_tool("soffice", "pdftotext", "pdffonts")
    folder = tmp_path_factory.mktemp("docx-libreoffice")
    cases = _cases()
    files = []
    for name, case in cases.items():
        result = WRITER.write(case.pub, case.style, WriteOptions(resources=case.resources))
        path = folder / f"{name}.docx"
        path.write_bytes(result.data)
        files.append(str(path))
    out = folder / "pdf"
    command = [
        "soffice", "--headless", "--norestore", f"-env:UserInstallation={(folder / 'profile').as_uri()}",
        "--convert-to", "pdf", "--outdir", str(out), *files,
    ]  # fmt: skip
    proc = subprocess.run(command, capture_output=True, text=True, timeout=900, check=False)
    for name, case in cases.items():
        case.pdf = out / f"{name}.pdf"
        assert case.pdf.is_file(), f"LibreOffice did not convert {name}: {proc.stdout}\n{proc.stderr}"
    return cases


NAMES = sorted(_cases())


def pdftotext(path: Path, *args: str) -> str:
    return subprocess.run(["pdftotext", *args, str(path), "-"], capture_output=True, text=True, check=True).stdout


def _as_extracted(word: str) -> str:
    """pdftotext writes the lam-alef ligature as alef-lam (a known extraction quirk, not a layout fault)."""
    return re.sub("\u0644([\u0627\u0623\u0625\u0622])", "\\1\u0644", word)


@pytest.mark.slow
@pytest.mark.parametrize("name", NAMES)
def test_printed_text_is_faithful(converted: dict[str, Case], name: str) -> None:
    case = converted[name]
    text = pdftotext(case.pdf, "-layout")  # keeps a table row on one line
    for doc in case.pub.documents:
        words = [_as_extracted(w) for w in document_words(doc)]
        # A word longer than a line (a 3000-letter token, a long URL) is broken without a
        # hyphen, maybe across a page: look for those in the body text with the running
        # header/footer lines and all whitespace removed.
        furniture = {doc.meta.title, doc.meta.marking, case.pub.title}
        body = [
            line for line in text.splitlines()
            if line.strip() not in furniture and not re.fullmatch(r"\s*Page \d+ of \d+\s*", line)
        ]  # fmt: skip
        unbroken = "".join("".join(body).split()).casefold()
        missing = [w for w in missing_words(words, text, hyphenation=True) if normalise_word(w) not in unbroken]
        assert not missing, f"{len(missing)} words missing or out of order, first: {missing[:10]}"


@pytest.mark.slow
@pytest.mark.parametrize("name", NAMES)
def test_every_page_says_page_n_of_the_real_total(converted: dict[str, Case], name: str) -> None:
    case = converted[name]
    pages = PdfReader(case.pdf).pages
    total = len(pages)
    first_numbered = 2 if case.pub.is_pack else 1  # a pack's cover carries no page number
    for number, page in enumerate(pages, start=1):
        text = " ".join(page.extract_text().split())
        if number < first_numbered:
            assert "Page " not in text
            continue
        assert f"Page {number} of {total}" in text, f"page {number}/{total}: {text[-200:]!r}"
    if name in ("long", "pack", "reference"):
        assert total > 1


@pytest.mark.slow
def test_paper_size_follows_the_style(converted: dict[str, Case]) -> None:
    a4 = PdfReader(converted["rich"].pdf).pages[0].mediabox
    letter = PdfReader(converted["letter-plain"].pdf).pages[0].mediabox
    assert (round(float(a4.width)), round(float(a4.height))) == (595, 842)
    assert (round(float(letter.width)), round(float(letter.height))) == (612, 792)


@pytest.mark.slow
def test_marking_at_top_and_bottom_of_every_page(converted: dict[str, Case]) -> None:
    for page in PdfReader(converted["long"].pdf).pages:
        lines = [line for line in page.extract_text().splitlines() if line.strip()]
        assert lines[0].strip() == "OFFICIAL-SENSITIVE" or "OFFICIAL-SENSITIVE" in lines[0]
        assert lines[-1].strip().endswith("OFFICIAL-SENSITIVE")


def _fonts(path: Path) -> list[tuple[str, str]]:
    rows = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True).stdout.splitlines()
    out = []
    for row in rows[2:]:
        parts = row.split()
        name = parts[0].split("+", 1)[-1]
        emb = parts[-5]  # columns: name type [encoding] emb sub uni object-ID (two fields)
        out.append((name, emb))
    return out


@pytest.mark.slow
@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("rich", {"DejaVuSerif", "DejaVuSans", "DejaVuSansMono"}),
        ("scripts", {"WenQuanYiZenHei"}),  # East Asian slot of the body style
        ("arabic", {"NotoSansArabic"}),  # complex-script slot for an Arabic document
        ("pack", {"NotoSansArabic", "DejaVuSerif"}),  # an Arabic article in an English pack
    ],
)
def test_the_style_fonts_really_apply(converted: dict[str, Case], name: str, expected: set[str]) -> None:
    fonts = _fonts(converted[name].pdf)
    names = {font for font, _ in fonts}
    for family in expected:
        assert any(n == family or n.startswith(family + "-") for n in names), (family, names)
    assert all(emb == "yes" for _, emb in fonts), fonts


@pytest.mark.slow
def test_pack_articles_never_share_a_page(converted: dict[str, Case]) -> None:
    """Each page's running header names one article; each article's pages are contiguous."""
    titles = ["Talks Open on Regional Ceasefire", "محادثات", "A Long Article"]
    owners = []
    for page in PdfReader(converted["pack"].pdf).pages:
        text = page.extract_text()
        found = [i for i, title in enumerate(titles) if title in text]
        owners.append(found[0] if len(found) == 1 else None)
    assert owners[0] is None  # the cover
    body = owners[1:]
    assert None not in body
    assert body == sorted(body) and set(body) == {0, 1, 2}
