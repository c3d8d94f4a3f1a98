"""EPUBCheck 5 over every EPUB the writer makes: 0 fatals, 0 errors, 0 warnings each.

A JVM start costs seconds, so a session fixture writes every output (samples,
hostile cases, figures, a pack, the reference article when available) into one
directory and validates them all in a single JVM: a small Java program, run
with the JDK's single-file source launcher, calls EPUBCheck's API once per file
and prints one line per message and per file. Where the launcher is unavailable
(a JRE without ``jdk.compiler``), each file is checked by the jar's own CLI
(``--json``), two at a time. Deliberately broken EPUBs (one with a warning, one
with errors) go through the same run, so the tests prove the harness reports
problems rather than silently passing.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest

from briefpub.errors import BriefpubError
from briefpub.pipeline import style_fonts
from briefpub.styling import load_style
from briefpub.tree import (
    BlockQuote,
    BulletList,
    Document,
    Heading,
    Link,
    ListItem,
    Meta,
    OrderedList,
    Paragraph,
    Publication,
    Table,
    TableCell,
    TableRow,
)
from briefpub.writers import PageStart, WriteOptions
from briefpub.writers.epub import WRITER
from epub_package import rewrite_entry
from epubcheck_runner import CheckResult, run_epubcheck
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
    para,
    print_pages,
    rich_document,
    rtl_pack,
    scripts_document,
    single,
    t,
)
from shared_data import REFERENCE, shared_or_none

pytestmark = pytest.mark.slow

BUILD = datetime(2024, 5, 6, 7, 8, 9, tzinfo=UTC)


# --------------------------------------------------------------------------
# What gets checked
# --------------------------------------------------------------------------


def edge_document() -> Document:
    """Constructs that tend to break validators: odd URLs, empty and duplicate structures, nesting."""
    return Document(
        meta=Meta(
            title="Edge cases & <odd> ones",
            authors=("A", "A"),
            date_iso="2017-02-30",  # not a real date: must not reach dc:date
            url="https://example.org/a b/ü?x=1&y=<2>#frag",
            language="en-GB",
            keywords=("", "x"),
            summary=("",),
        ),
        blocks=(
            Heading(2, (t("Same"),), id="same"),
            Heading(2, (t("Same"),), id="same"),
            Heading(2, (t("1 starts with a digit"),), id="1bad id"),
            Heading(4, (t("Skips a level"),)),
            Paragraph(
                (
                    Link("https://bücher.example/ä b", (t("idn"),)),
                    Link("http://exa mple.org/", (t("bad host"),)),
                    Link("mailto:desk@example.org?subject=Hi there", (t("mail"),)),
                    Link("https://example.org/%zz", ()),
                    Link("vbscript:msgbox", (t("vb"),)),
                    Link("  JAVASCRIPT:alert(1)", (t("js"),)),
                )
            ),
            Table(header=(), rows=(), caption=(t("empty table"),)),
            Table(header=(TableRow((TableCell((t("h"),)), TableCell((t("h2"),), align="center"))),), rows=()),
            Table(header=(), rows=(TableRow((TableCell(()),)), TableRow(()))),
            BlockQuote(()),
            BlockQuote((BlockQuote((para("nested quote"),)),), attribution=(t("someone"),)),
            BulletList(()),
            OrderedList((ListItem(()), ListItem((OrderedList((ListItem((para("deep"),)),), start=0),))), start=-2),
            Paragraph(()),
        ),
    )


def _reference() -> Publication | None:
    if shared_or_none(REFERENCE) is None:
        return None
    from briefpub.readers import read_path

    return single(read_path(REFERENCE).document)


Case = Callable[[], tuple[Publication, dict[str, bytes], str] | None]
CASES: dict[str, Case] = {
    "rich": lambda: (single(rich_document()), {}, "briefing"),
    "rich-plain": lambda: (single(rich_document(marking="")), {}, "plain"),
    "long": lambda: (single(long_document()), {}, "briefing"),
    "hostile": lambda: (single(hostile_document()), {}, "briefing"),
    "scripts": lambda: (single(scripts_document()), {}, "briefing"),
    "arabic": lambda: (single(arabic_document()), {}, "briefing"),
    "figures": lambda: (single(figures_document()), figure_resources(), "briefing"),
    "edge": lambda: (single(edge_document()), {}, "briefing"),
    "empty": lambda: (single(Document()), {}, "briefing"),
    "bad-language": lambda: (single(Document(Meta(title="x", language="English"), (para("y"),))), {}, "plain"),
    "pack": lambda: (
        pack(
            [rich_document(), arabic_document(), figures_document(), hostile_document(), Document()],
            date="2017-01-24",
            compiled_by="Desk",
            reference="BP/1",
            version="2",
            marking="OFFICIAL",
        ),
        figure_resources(),
        "briefing",
    ),
    "pack-arabic": lambda: (pack([arabic_document(), arabic_document()], language="ar"), {}, "briefing"),
    # Packs with front matter: 32 articles (every sample, shared heading ids, summary page, figures),
    # a right-to-left pack with hostile and English articles, and a plain-style pack without summary page.
    "pack-32": lambda: (briefing_pack(32), figure_resources(), "briefing"),
    "pack-rtl-hostile": lambda: (rtl_pack(), {}, "briefing"),
    "pack-plain-no-summary": lambda: (briefing_pack(9, summary_page=False), figure_resources(), "plain"),
    "images-everywhere": lambda: (single(images_everywhere_document()), images_everywhere_resources(), "briefing"),
    "pack-internal-links": lambda: (
        pack([images_everywhere_document(), rich_document(), images_everywhere_document()], summary_page=True),
        images_everywhere_resources(),
        "briefing",
    ),
    "reference": lambda: (ref, {}, "briefing") if (ref := _reference()) is not None else None,
}

#: Cases written with the print edition's page starts (a page list): case name -> page map.
PRINTED = {"pack-print-pages": print_pages, "reference": lambda pub: print_pages(pub, front=0),
           "images-everywhere": print_pages, "pack-rtl-hostile": print_pages}
CASES["pack-print-pages"] = lambda: (briefing_pack(12), figure_resources(), "briefing")

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"


def _fixture_case(path: Path) -> Case:
    def make() -> tuple[Publication, dict[str, bytes], str] | None:
        try:
            from briefpub.readers import read_path
        except ImportError:
            return None
        try:
            doc = read_path(path).document
        except BriefpubError:  # a fixture the reader refuses on purpose: not the writer's concern
            return None
        return single(doc), {}, "briefing"

    return make


# Every article fixture of the repository, read by the reader as the CLI would.
for _path in sorted(p for p in FIXTURES.rglob("*") if p.is_file()) if FIXTURES.is_dir() else []:
    CASES[f"fixture:{_path.relative_to(FIXTURES).as_posix()}"] = _fixture_case(_path)

# Broken on purpose: (name, entry to rewrite, rewrite, least (fatals, errors, warnings) expected).
MUTANTS: list[tuple[str, str, Callable[[bytes], bytes], tuple[int, int, int]]] = [
    (
        "mutant-warning",  # a dc:date EPUBCheck only warns about
        "EPUB/content.opf",
        lambda opf: opf.replace(b"<dc:date>2017-01-23</dc:date>", b"<dc:date>23 January 2017</dc:date>"),
        (0, 0, 1),
    ),
    (
        "mutant-error",  # a link to a file that is not in the package
        "EPUB/article-001.xhtml",
        lambda html: html.replace(b"<p>Talks resume", b'<p><a href="missing.xhtml">gone</a> Talks resume'),
        (0, 1, 0),
    ),
]


@pytest.fixture(scope="session")
def epubcheck_results(tmp_path_factory: pytest.TempPathFactory) -> dict[str, CheckResult | None]:
    """Every case written to one directory and validated in (at best) one JVM start."""
    workdir = tmp_path_factory.mktemp("epubcheck")
    files: dict[str, Path] = {}
    for name, case in CASES.items():
        made = case()
        if made is None:
            continue
        pub, resources, style = made
        sheet = load_style(style)
        pages = tuple(p for p in PRINTED[name](pub) if isinstance(p, PageStart)) if name in PRINTED else ()
        data = WRITER.write(pub, sheet, WriteOptions(build_time=BUILD, resources=resources,
                                                     fonts=style_fonts(sheet), print_pages=pages)).data
        files[name] = workdir / f"{re.sub(r'[^A-Za-z0-9.-]+', '_', name)}.epub"
        files[name].write_bytes(data)
    rich = files["rich"].read_bytes()
    for name, entry, change, _ in MUTANTS:
        files[name] = workdir / f"{name}.epub"
        files[name].write_bytes(rewrite_entry(rich, entry, change))
    results = run_epubcheck(list(files.values()), workdir)
    return {name: results.get(str(path)) for name, path in files.items()} | {
        name: None for name in CASES if name not in files
    }


# One test, not one per file: under pytest-xdist every worker that uses the session
# fixture would start its own JVM, so all verdicts are asserted together.
def test_epubcheck_reports_nothing_and_the_harness_catches_problems(
    epubcheck_results: dict[str, CheckResult | None],
) -> None:
    problems = []
    for name in CASES:
        result = epubcheck_results[name]
        if result is None:
            if name == "reference" or name.startswith("fixture:"):
                continue  # the reference article or the reader is unavailable (see test_epub.py)
            problems.append(f"{name}: EPUBCheck produced no result")
        elif result.counts != (0, 0, 0):
            problems.append(f"{name}: {result.counts} (fatals, errors, warnings)\n  " + "\n  ".join(result.messages))
    for name, _, _, least in MUTANTS:
        result = epubcheck_results[name]
        if result is None or any(got < want for got, want in zip(result.counts, least, strict=True)):
            problems.append(f"{name}: expected at least {least}, got {result and result.counts}")
        elif not all(re.match(r"^(FATAL|ERROR|WARNING) ", m) for m in result.messages):
            problems.append(f"{name}: unexpected message format {result.messages}")
    assert not problems, "\n".join(problems)
