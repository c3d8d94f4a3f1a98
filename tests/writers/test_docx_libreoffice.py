"""DOCX writer against a real client: LibreOffice lays out every fixture and prints it to PDF.

One session-scoped fixture converts all the DOCX files in a single ``soffice``
start (about a second per file once warm); the tests then read the PDFs with
pdftotext, pypdf and pdffonts: the article's text, "Page N of M" on every page
with M the real page count, the paper size, and the fonts the styles named.
Briefing packs (32 articles, duplex, right-to-left, a contents page listing
headings) are checked for what only a layout engine can tell: the number next
to each contents entry is the page where that article (or heading) really
appears, and where the entry's link lands. The export keeps LibreOffice's
automatically inserted blank pages (``IsSkipEmptyPages=false``), as a duplex
printer needs them, so page numbers and the PDF's pages agree.
Skipped with a reason when soffice is absent locally; ``.ci/run`` installs it
and sets BRIEFPUB_REQUIRE_TOOLS=1 so that CI fails instead.
"""

from __future__ import annotations

import io
import re
import subprocess
import unicodedata
import zipfile
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import pytest
from lxml import etree
from pypdf import PdfReader

from briefpub.pipeline import style_fonts
from briefpub.styling import load_style, with_overrides
from briefpub.styling.model import StyleSheet
from briefpub.tree import (
    Block,
    Document,
    Figure,
    Heading,
    Meta,
    PackMeta,
    Paragraph,
    Publication,
    Text,
    document_words,
)
from briefpub.writers import WriteOptions
from briefpub.writers.common.frame import frames
from briefpub.writers.common.labels import CATALOGUE
from briefpub.writers.docx import WRITER
from briefpub.writers.docx.build import build
from classic_style import classic
from fidelity import missing_words, normalise_word
from samples import (
    arabic_document,
    briefing_pack,
    figure_resources,
    figures_document,
    hostile_document,
    images_everywhere_document,
    images_everywhere_resources,
    long_document,
    pack,
    pack_article,
    rich_document,
    rtl_pack,
    scripts_document,
    single,
)
from shared_data import REFERENCE, ROOT, shared_or_none
from tools import require_tool

BRIEFING = load_style("briefing")
PLAIN = load_style("plain")
LETTER = with_overrides(PLAIN, [("page.size", "Letter")])
DUPLEX = with_overrides(BRIEFING, [("page.duplex", "true")])
#: The briefing sheet before the typesetting work (DejaVu, 22 mm margins): the estimate follows any sheet.
CLASSIC = classic()
#: Keep the blank pages LibreOffice inserts before an odd-page section (its PDF export drops them by default).
PDF_FILTER = 'pdf:writer_pdf_Export:{"IsSkipEmptyPages":{"type":"boolean","value":"false"}}'
PACKS = ("pack", "pack32", "pack32-duplex", "pack32-stale", "rtl-pack", "pack-depth2", "demo-pack",
         "fixtures30-duplex", "fixtures30-letter", "fixtures30-plain", "german-pack", "classic-pack")
#: The page number a stale PAGEREF result claims in the "pack32-stale" case.
STALE = 999


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
    depth: int = 1  # how deep a pack's contents page goes
    stale: bool = False  # overwrite every stored PAGEREF result: LibreOffice must compute its own
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
        "pack32": Case(briefing_pack(32), resources=figure_resources()),
        "pack32-duplex": Case(briefing_pack(32), style=DUPLEX, resources=figure_resources()),
        "pack32-stale": Case(briefing_pack(32), resources=figure_resources(), stale=True),
        "rtl-pack": Case(rtl_pack()),
        "pack-depth2": Case(briefing_pack(12, summary_page=False), depth=2),
        "german-pack": Case(german_pack(), style=DUPLEX),
        "classic-pack": Case(briefing_pack(32), style=with_overrides(CLASSIC, [("page.duplex", "true")]),
                             resources=figure_resources()),
    }
    try:
        from briefpub.readers import read_path
    except ImportError:  # pragma: no cover - the reader lands separately
        return cases
    for path in sorted((ROOT / "fixtures" / "txt").glob("*.txt")):
        cases[f"txt-{path.stem}"] = Case(single(read_path(path).document))
    if shared_or_none(REFERENCE) is not None:
        cases["reference"] = Case(single(read_path(REFERENCE).document))
    cases["demo-pack"] = demo_pack()
    fixtures, resources = fixtures_pack(30)
    cases["fixtures30-duplex"] = Case(fixtures, style=DUPLEX, resources=resources)
    letter = with_overrides(BRIEFING, [("page.size", "Letter"), ("page.duplex", "true")])
    cases["fixtures30-letter"] = Case(fixtures, style=letter, resources=resources, depth=2)
    plain = with_overrides(PLAIN, [("page.duplex", "true")])
    cases["fixtures30-plain"] = Case(fixtures, style=plain, resources=resources)
    return cases


def demo_pack() -> Case:
    """The repository's own demo pack (``briefpub.toml``), built as ``briefpub build`` builds it."""
    from briefpub.pipeline.build import load_manifest
    from briefpub.pipeline.pack import assemble_pack

    manifest = load_manifest(ROOT / "briefpub.toml")
    target = next(t for t in manifest.targets if t.kind == "pack")
    fields = dict(target.pack)
    fields.setdefault("date", "2023-11-14")
    fields["summary_page"] = bool(fields.get("summary_page", False))
    meta = PackMeta(**{k: (v if k == "summary_page" else str(v)) for k, v in fields.items()})
    assembled = assemble_pack(target.inputs, meta, meta_overrides=[(k, v) for k, v in target.sets if "." not in k])
    style = with_overrides(load_style(target.style), [(k, v) for k, v in target.sets if "." in k])
    assert style.page.duplex
    return Case(assembled.publication, style=style, resources=assembled.resources)


def fixtures_pack(count: int) -> tuple[Publication, dict[str, bytes]]:
    """A pack of every article fixture (pasted text, Markdown, saved web pages), the reference article, the
    sample trees (tables, figures, pictures everywhere, scripts, Arabic, hostile text), then generated
    articles up to ``count``."""
    from briefpub.pipeline import prepare_article

    paths = [*sorted((ROOT / "fixtures" / "txt").glob("*.txt")), ROOT / "fixtures" / "md" / "analyst-note.md",
             ROOT / "fixtures" / "md" / "hostile.md", *sorted((ROOT / "fixtures" / "equivalence").glob("article.*")),
             *sorted((ROOT / "fixtures" / "html" / "pages").glob("*.html")),
             ROOT / "fixtures" / "html" / "hostile-page.html"]  # fmt: skip
    if shared_or_none(REFERENCE) is not None:
        paths.append(REFERENCE)
    docs: list[Document] = []
    resources: dict[str, bytes] = {**figure_resources(), **images_everywhere_resources()}
    for path in paths:
        article = prepare_article(str(path))
        docs.append(article.document)
        resources.update(article.resources)
    docs += [rich_document(), long_document(40), scripts_document(), arabic_document(), hostile_document(),
             figures_document(), images_everywhere_document()]  # fmt: skip
    docs += [pack_article(n) for n in range(1, count - len(docs) + 1)]
    meta = PackMeta(title="Fixtures Briefing Pack", subtitle="Every fixture and sample", date="2024-02-09",
                    compiled_by="Test Desk", reference="FX/30", version="2", marking="OFFICIAL",
                    summary_page=True)  # fmt: skip
    return Publication(tuple(docs[:count]), meta), resources


_GERMAN = (
    "Die Delegationen der drei Garantiemächte trafen am Samstag in der Hauptstadt ein, um die Tagesordnung, "
    "die Sitzordnung und den Wortlaut einer gemeinsamen Erklärung zu vereinbaren, die jede Seite zu Hause als "
    "Erfolg darstellen könnte. Die Verhandlungsführer äußerten sich zurückhaltend über die Aussichten auf "
    "eine Einigung über die Waffenstillstandslinie und den Gefangenenaustausch."
)


def german_pack() -> Publication:
    """A pack in German: German labels ("Seite 1 von 9", "Kernpunkte"), long compound words, umlauts."""
    docs = []
    for n in range(1, 9):
        blocks: list[Block] = [Paragraph((Text(f"Artikel {n}. {_GERMAN}"),))]
        for k, heading in enumerate(("Hintergrund", "Bewertung", "Ausblick")[: 1 + n % 3]):
            blocks.append(Heading(2, (Text(heading),)))
            blocks += [Paragraph((Text(f"{heading}, Teil {i + 1}. {_GERMAN}"),)) for i in range(1 + (n + k) % 4)]
        docs.append(Document(
            meta=Meta(title=f"Verhandlungsrunde {n}: Außenministerkonferenz über Grenzübergänge",
                      authors=("Korrespondentin",), date="9. Februar 2017", source="Beispielzeitung",
                      language="de", summary=("Die Gespräche beginnen am Montag.",) if n % 2 else ()),
            blocks=tuple(blocks),
        ))  # fmt: skip
    meta = PackMeta(title="Morgenlage", subtitle="Verhandlungen und Handel", date="2017-02-09",
                    compiled_by="Lagezentrum", reference="LZ/2017/3", version="1",
                    marking="VS-NUR FÜR DEN DIENSTGEBRAUCH",
                    language="de", summary_page=True)  # fmt: skip
    return Publication(tuple(docs), meta)


def _stale_pagerefs(data: bytes) -> bytes:
    """The same DOCX with every PAGEREF's stored result replaced by :data:`STALE`.

    The writer's estimates are usually exact, so only a file whose stored numbers
    are wrong shows that LibreOffice computes the numbers rather than printing them.
    """
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            content = source.read(info.filename)
            if info.filename == "word/document.xml":
                pattern = rb'(PAGEREF [^<]*</w:instrText></w:r><w:r><w:fldChar w:fldCharType="separate"/></w:r>'
                pattern += rb'<w:r><w:t xml:space="preserve">)\d+'
                content, count = re.subn(pattern, rb"\g<1>" + str(STALE).encode(), content)
                assert count >= 32
            target.writestr(info, content)
    return out.getvalue()


@pytest.fixture(scope="session")
def converted(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Case]:
    require_tool("soffice", "pdftotext", "pdffonts")
    folder = tmp_path_factory.mktemp("docx-libreoffice")
    cases = _cases()
    files = []
    for name, case in cases.items():
        options = WriteOptions(resources=case.resources, fonts=style_fonts(case.style))
        if case.depth == 1:
            result = WRITER.write(case.pub, case.style, options)
        else:
            result = build(case.pub, case.style, options, contents_depth=case.depth)
        path = folder / f"{name}.docx"
        path.write_bytes(_stale_pagerefs(result.data) if case.stale else result.data)
        files.append(str(path))
    out = folder / "pdf"
    command = [
        "soffice", "--headless", "--norestore", f"-env:UserInstallation={(folder / 'profile').as_uri()}",
        "--convert-to", PDF_FILTER, "--outdir", str(out), *files,
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
    """pdftotext writes lam-alef (and lam-alef maksura) ligatures reversed: an extraction quirk, not a layout fault."""
    return re.sub("\u0644([\u0627\u0623\u0625\u0622\u0649])", "\\1\u0644", word)


def _letters(text: str) -> str:
    """Only letters and digits, casefolded: a URL broken over lines in a right-to-left paragraph moves its slashes."""
    return re.sub(r"\W+", "", text).casefold()


def _missing(words: list[str], text: str, body: list[str]) -> list[str]:
    """Words not found in order; a word longer than a line is also looked for in the body without whitespace."""
    unbroken = "".join("".join(body).split()).casefold()
    letters = _letters(unbroken)
    return [
        w for w in missing_words(words, text, hyphenation=True)
        if normalise_word(w) not in unbroken and _letters(w) not in letters
    ]  # fmt: skip


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
        furniture = {doc.meta.title, doc.meta.marking, case.pub.title, case.pub.pack.marking if case.pub.pack else "",
                     "Untitled"}
        body = [
            line for line in text.splitlines()
            if line.strip() not in furniture and not page_numbers(line)
        ]  # fmt: skip
        missing = _missing(words, text, body)
        assert not missing, f"{len(missing)} words missing or out of order, first: {missing[:10]}"


@cache
def page_texts(path: Path) -> list[str]:
    """Each page's text (pdftotext -layout, one call per page; cached, do not modify)."""
    return [pdftotext(path, "-layout", "-f", str(n), "-l", str(n)) for n in range(1, len(PdfReader(path).pages) + 1)]


def _page_line(template: str) -> re.Pattern[str]:
    """A "Page {page} of {pages}" template as a pattern over text with whitespace and bidi controls removed
    (pdftotext moves the spaces of a right-to-left line)."""
    parts = re.split(r"(\{page\}|\{pages\})", "".join(template.split()))
    groups = {"{page}": r"(?P<page>\d+)", "{pages}": r"(?P<pages>\d+)"}
    return re.compile("".join(groups.get(part, re.escape(part)) for part in parts))


#: The page line in every language of the label catalogue (a footer follows the publication's language).
_PAGE_LINES = [_page_line(labels.page_of) for labels in CATALOGUE.values()]


#: The words of each right-to-left page line: pdftotext reorders the numbers of such a line, so
#: there only the words and the presence of both numbers are checked.
_RTL_PAGE_WORDS = [
    [w for w in re.split(r"\{pages?\}", labels.page_of) if w.strip()]
    for labels in CATALOGUE.values() if any(unicodedata.bidirectional(c) in ("R", "AL") for c in labels.page_of)
]


def page_numbers(text: str) -> list[tuple[int, int]]:
    """(page, pages) pairs the page lines in ``text`` name (for a right-to-left line: every pair of its numbers)."""
    pairs = []
    for line in text.splitlines():
        squashed = "".join(line.translate(_BIDI_CONTROLS).split())
        pairs += [(int(m["page"]), int(m["pages"])) for rx in _PAGE_LINES for m in rx.finditer(squashed)]
        for words in _RTL_PAGE_WORDS:
            if all("".join(w.split()) in squashed for w in words):
                numbers = [int(n) for n in re.findall(r"\d+", squashed)]
                pairs += [(a, b) for a in numbers for b in numbers]
    return pairs


def front_pages(texts: list[str]) -> int:
    """How many pages a pack's front matter takes: they carry no page number."""
    return next(i for i, text in enumerate(texts) if page_numbers(text))


@pytest.mark.slow
@pytest.mark.parametrize("name", NAMES)
def test_every_page_says_page_n_of_the_real_total(converted: dict[str, Case], name: str) -> None:
    case = converted[name]
    texts = page_texts(case.pdf)
    total = len(texts)
    front = front_pages(texts) if case.pub.is_pack else 0  # cover, contents, summary: no page number
    assert front >= (2 if case.pub.is_pack else 0)
    for number, page in enumerate(texts, start=1):
        text = " ".join(page.split())
        if number <= front:
            assert not page_numbers(text)
        elif not text:  # LibreOffice's automatic blank page before an odd-page section
            assert case.style.page.duplex and number % 2 == 0, f"page {number} is empty"
        else:
            assert (number, total) in page_numbers(text), f"page {number}/{total}: {text[-200:]!r}"
    assert (total, total) in page_numbers(texts[-1])  # the last page names the PDF's page count
    if name in ("long", "pack", "reference") or name in PACKS:
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
        ("rich", {"SourceSerifPro", "SourceSansPro", "DejaVuSansMono"}),
        ("scripts", {"WenQuanYiZenHei"}),  # East Asian slot of the body style
        ("arabic", {"NotoSansArabic"}),  # complex-script slot for an Arabic document
        ("pack", {"NotoSansArabic", "SourceSerifPro"}),  # an Arabic article in an English pack
    ],
)
def test_the_style_fonts_really_apply(converted: dict[str, Case], name: str, expected: set[str]) -> None:
    fonts = _fonts(converted[name].pdf)
    names = {font for font, _ in fonts}
    for family in expected:
        assert any(n == family or n.startswith(family + "-") for n in names), (family, names)
    assert all(emb == "yes" for _, emb in fonts), fonts


@pytest.mark.slow
def test_the_source_faces_come_from_the_docx_itself(converted: dict[str, Case]) -> None:
    """Source Serif/Sans Pro come with briefpub from PyPI, not from the system: fontconfig does not know them,
    so LibreOffice's PDF can only be set in them because the DOCX carries them (embedded subsets)."""
    require_tool("fc-list")
    installed = subprocess.run(["fc-list", ":", "family"], capture_output=True, text=True, check=True).stdout
    if "Source Serif Pro" in installed or "Source Sans Pro" in installed:  # pragma: no cover - a machine with them
        pytest.skip("the Source faces are installed on this system: embedding cannot be told apart")
    for name in ("rich", "reference", "demo-pack"):
        if name not in converted:  # the reference article is left out where ../shared is absent
            continue
        fonts = dict(_fonts(converted[name].pdf))
        for face in ("SourceSerifPro-Regular", "SourceSansPro-Bold"):
            assert fonts.get(face) == "yes", (name, face, fonts)


@pytest.mark.slow
def test_pack_articles_never_share_a_page(converted: dict[str, Case]) -> None:
    """Each page's running header names one article; each article's pages are contiguous."""
    titles = ["Talks Open on Regional Ceasefire", "محادثات", "A Long Article"]
    owners = []
    texts = page_texts(converted["pack"].pdf)
    for page in texts[front_pages(texts) :]:
        found = [i for i, title in enumerate(titles) if title in page]
        owners.append(found[0] if len(found) == 1 else None)
    assert None not in owners
    assert owners == sorted(owners) and set(owners) == {0, 1, 2}


# --------------------------------------------------------------------------
# Packs: the contents page against LibreOffice's own layout
# --------------------------------------------------------------------------

_BIDI_CONTROLS = dict.fromkeys(map(ord, "\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"))
#: A contents line: title, dot leader, page number (or mirrored). A title that nearly fills the line leaves
#: one leader dot ("... container terminal. .39").
_ENTRY = re.compile(r"^\s*(?:(\d+)\s*\.[\s.]*(.+?)|(.+?)\s*\.[\s.]*?(\d+))\s*$")


def _clean(text: str) -> str:
    return " ".join(text.translate(_BIDI_CONTROLS).split())


@dataclass
class Printed:
    """One contents entry as LibreOffice printed it: its page number, and where its link lands."""

    number: int
    lands_on: int


def _bbox_lines(path: Path, page: int) -> list[tuple[float, str]]:
    """(vertical centre from the top, text) of each printed line of ``page`` (pdftotext -bbox-layout)."""
    out = subprocess.run(["pdftotext", "-bbox-layout", "-f", str(page), "-l", str(page), str(path), "-"],
                         capture_output=True, check=True).stdout  # fmt: skip
    root = etree.fromstring(out, etree.HTMLParser(encoding="utf-8"))
    lines = []
    for line in root.iter("line"):
        words = [w.text or "" for w in line.iter("word")]
        lines.append(((float(line.get("ymin", "0")) + float(line.get("ymax", "0"))) / 2, " ".join(words)))
    return lines


def printed_contents(path: Path, texts: list[str]) -> list[Printed]:
    """The contents entries of a pack's PDF, in order (left-to-right or right-to-left lines).

    Titles are not read back: pdftotext scrambles mixed-direction lines; the
    entries are matched with the tree's articles by position instead. Each
    entry is the line that ends in its page number (a title may wrap over the
    lines above it); its link is the link annotation drawn over that line.
    """
    reader = PdfReader(path)
    entries: list[Printed] = []
    for index in range(front_pages(texts)):
        lines = [(centre, m) for centre, line in _bbox_lines(path, index + 1) if (m := _ENTRY.match(line))]
        if not lines:
            continue
        height = float(reader.pages[index].mediabox.height)
        links: list[tuple[float, float, int]] = []  # (top, bottom) from the page's top, target page
        for annotation in reader.pages[index].get("/Annots", []):
            link = annotation.get_object()
            if link.get("/Subtype") == "/Link" and link.get("/Dest") is not None:
                bottom, top = sorted((float(link["/Rect"][1]), float(link["/Rect"][3])))
                target = reader.get_page_number(link["/Dest"][0].get_object()) + 1
                links.append((height - top, height - bottom, target))
        for centre, m in lines:
            over = [target for top, bottom, target in links if top <= centre <= bottom]
            if not over:  # not an entry: a cover detail ("Version: 1.0"); a missed entry fails the count
                continue
            assert len(set(over)) == 1, f"page {index + 1}: the entry at {centre:.0f} pt has links to {over}"
            entries.append(Printed(int(m.group(1) or m.group(4)), over[0]))
    return entries


@dataclass
class Expected:
    """A contents entry as the tree says it should be: an article's title, or one of its headings."""

    text: str  # as pdftotext prints it on the article's page ("" for an untitled article)
    article: int  # index into the publication's documents


def expected_contents(case: Case) -> list[Expected]:
    out = []
    framed = frames(case.pub, case.style)
    for index, frame in enumerate(framed.articles):
        out.append(Expected(_clean(" ".join(_as_extracted(w) for w in frame.title.split())), index))
        if case.depth >= 2:
            for entry in frame.outline:
                if entry.depth < case.depth:
                    out.append(Expected(_clean(" ".join(_as_extracted(w) for w in entry.text.split())), index))
    return out


_MIRRORED = str.maketrans("\u2018\u2019\u201c\u201d\u2013\u2014", "''\"\"--", "<>()[]{}")  # and typographic quotes


def _joined(lines: list[str]) -> str:
    """Consecutive printed lines as one line: a line ending in a hyphen joins the next without a space."""
    out = ""
    for line in lines:
        out = f"{out}{line}" if out.endswith("-") or not out else f"{out} {line}"
    return out


def _first_page_with_line(texts: list[str], line: str, start: int) -> int | None:
    """The first page from ``start`` printing ``line``, on one line or wrapped over up to three (edge brackets
    may be mirrored in a right-to-left line)."""
    line = line.translate(_MIRRORED)
    for number in range(start, len(texts) + 1):
        lines = [_clean(candidate).translate(_MIRRORED) for candidate in texts[number - 1].splitlines()]
        lines = [candidate for candidate in lines if candidate]
        for index in range(len(lines)):
            if any(_joined(lines[index : index + size]) == line for size in (1, 2, 3)):
                return number
    return None


def article_starts(case: Case, texts: list[str]) -> list[int]:
    """The page on which each article starts, as the contents says."""
    printed = printed_contents(case.pdf, texts)
    assert case.pub.pack is not None
    printed = printed[case.pub.pack.summary_page :]
    expected = expected_contents(case)
    assert len(printed) == len(expected)
    starts: dict[int, int] = {}
    for entry, want in zip(printed, expected, strict=True):
        starts.setdefault(want.article, entry.number)
    return [starts[i] for i in range(len(case.pub.documents))]


@pytest.mark.slow
@pytest.mark.parametrize("name", PACKS)
def test_contents_numbers_are_the_pages_where_articles_appear(converted: dict[str, Case], name: str) -> None:
    """Every number LibreOffice printed in the contents is the page where that title (or heading) is printed."""
    case = converted[name]
    pack = case.pub.pack
    assert pack is not None
    texts = page_texts(case.pdf)
    front = front_pages(texts)
    printed = printed_contents(case.pdf, texts)
    expected = expected_contents(case)
    assert len(printed) == len(expected) + pack.summary_page
    if case.stale:
        # LibreOffice imports the TOC field as an index and prints its stored result as it is
        # (it does not recompute the PAGEREF fields inside): so the stored estimate must be exact.
        assert all(p.number == STALE for p in printed)
        return
    wrong = [(index, p.number, p.lands_on) for index, p in enumerate(printed) if p.number != p.lands_on]
    assert not wrong, f"{len(wrong)} of {len(printed)} entries name another page than their link lands on: {wrong}"
    if pack.summary_page:
        summary = printed.pop(0)
        assert 2 < summary.number <= front
        assert pack.language != "en" or "Key points" in texts[summary.number - 1]
    starts: dict[int, int] = {}
    for entry, want in zip(printed, expected, strict=True):
        # An article's title is looked for after the previous article's first page (articles never share a
        # page, and two articles may have the same title); its headings from its own first page.
        start = starts.get(want.article, max(starts.values(), default=front) + 1)
        found = _first_page_with_line(texts, want.text, start)
        assert found == entry.number, f"{want.text!r}: contents says {entry.number}, printed on page {found}"
        starts.setdefault(want.article, entry.number)
    pages = [starts[i] for i in range(len(case.pub.documents))]
    assert pages == sorted(pages) and len(set(pages)) == len(pages)
    if case.style.page.duplex:
        assert all(page % 2 == 1 for page in pages), pages


@pytest.mark.slow
def test_depth_two_contents_lists_headings(converted: dict[str, Case]) -> None:
    case = converted["pack-depth2"]
    printed = printed_contents(case.pdf, page_texts(case.pdf))
    headings = [e for e in expected_contents(case) if e.text in {"Background", "Analysis", "Outlook"}]
    assert len(printed) == len(expected_contents(case)) and len(headings) >= 12


@pytest.mark.slow
@pytest.mark.parametrize("name", ["pack32", "pack32-duplex", "rtl-pack"])
def test_each_pack_article_is_faithful_on_its_own_pages(converted: dict[str, Case], name: str) -> None:
    """The pages from an article's contents number to the next one's hold every word of that article."""
    case = converted[name]
    texts = page_texts(case.pdf)
    starts = article_starts(case, texts)
    ends = [*starts[1:], len(texts) + 1]
    assert case.pub.pack is not None
    for doc, first, stop in zip(case.pub.documents, starts, ends, strict=True):
        text = "\n".join(texts[first - 1 : stop - 1])
        words = [_as_extracted(w) for w in document_words(doc)]
        furniture = {_clean(x) for x in (doc.meta.title, doc.meta.marking, case.pub.pack.title, case.pub.pack.marking,
                                         "Untitled")}
        body = [line for line in text.splitlines() if _clean(line) not in furniture and not page_numbers(line)]
        missing = _missing(words, text, body)
        assert not missing, f"{doc.meta.title!r}: {len(missing)} words missing, first: {missing[:10]}"


@pytest.mark.slow
@pytest.mark.parametrize("name", ["pack32", "pack32-duplex", "rtl-pack"])
def test_pack_marking_at_top_and_bottom_of_every_printed_page(converted: dict[str, Case], name: str) -> None:
    case = converted[name]
    texts = page_texts(case.pdf)
    front = front_pages(texts)
    starts = article_starts(case, texts)
    pack = case.pub.pack
    assert pack is not None
    for number, page in enumerate(texts, start=1):
        lines = [_clean(line) for line in page.splitlines() if line.strip()]
        if number <= front or "This page is intentionally left blank" in lines:
            marking = pack.marking
        else:
            owner = max(i for i, start in enumerate(starts) if start <= number)
            marking = converted[name].pub.documents[owner].meta.marking or pack.marking
        assert lines[0] == marking and lines[-1] == marking, f"page {number}: {lines[0]!r} / {lines[-1]!r}"


@pytest.mark.slow
def test_duplex_blank_pages(converted: dict[str, Case]) -> None:
    """Blank versos are printed and say so, with the markings and no running head; no page is empty."""
    texts = page_texts(converted["pack32-duplex"].pdf)
    assert [line.strip() for line in texts[1].splitlines() if line.strip()] == [
        "OFFICIAL", "This page is intentionally left blank", "OFFICIAL",
    ]  # fmt: skip
    assert not [n for n, text in enumerate(texts, start=1) if not text.strip()]
    blanks = [n for n, text in enumerate(texts, start=1) if "intentionally left blank" in text]
    assert len(blanks) > 3 and all(n % 2 == 0 for n in blanks)
    for n in blanks[1:]:
        lines = [line.strip() for line in texts[n - 1].splitlines() if line.strip()]
        assert lines[0] == lines[-1] == "OFFICIAL" and lines[1] == "This page is intentionally left blank"
        assert re.fullmatch(r"BP/2017/014 · Version 3 · Page \d+ of \d+", lines[2]), lines
