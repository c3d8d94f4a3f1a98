"""Bounded cost: work that grows linearly with the input, and memory ceilings for the worst inputs.

No wall-clock limits: ratios of CPU time between 1x, 4x and 16x inputs with very generous bounds
(quadratic work shows as 16x the input costing ~256x), counted work where it can be counted, and
peak memory (``ru_maxrss``) of a child process under an address-space limit. The figures
themselves are in ``bench/bench_growth.py``.
"""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest

from briefpub.readers.common.limits import MAX_BLOCKS, MAX_LINES
from briefpub.readers.common.notes import Notes
from briefpub.readers.html._parse import parse_document

ROOT = Path(__file__).resolve().parents[1]
MIB = 1024 * 1024

CHILD = """
import json, resource, sys
resource.setrlimit(resource.RLIMIT_AS, ({limit}, {limit}))
from briefpub.errors import BriefpubError
from briefpub.readers import read_path
try:
    result = read_path(sys.argv[1])
    outcome = "read {{}} blocks".format(len(result.document.blocks))
except BriefpubError as exc:
    outcome = "error: " + str(exc)
print(json.dumps([outcome, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024]))
"""


def read_in_child(path: Path, limit_mib: int = 1536) -> tuple[str, float]:
    """Read ``path`` in a child process under an address-space limit: (outcome, peak RSS in MiB)."""
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    proc = subprocess.run([sys.executable, "-c", CHILD.format(limit=limit_mib * MIB), str(path)],
                          capture_output=True, text=True, env=env, timeout=900)
    assert proc.returncode == 0, proc.stderr[-2000:]
    outcome, rss = json.loads(proc.stdout.strip().splitlines()[-1])
    return outcome, rss


def test_the_worst_markdown_input_is_refused_within_a_memory_ceiling(tmp_path):
    """8 MiB of one-letter paragraphs: 2.8 million blocks, about 6 GB and minutes in the Markdown
    parser before; refused before parsing now."""
    path = tmp_path / "tiny.md"
    path.write_bytes(b"a\n\n" * (8 * MIB // 3 - 1))
    outcome, rss = read_in_child(path)
    assert outcome.startswith("error: ") and f"(the limit is {MAX_LINES:,})" in outcome
    assert rss < 300


@pytest.mark.slow
@pytest.mark.parametrize("fmt,unit", [("md", "P{}.\n\n"), ("html", "<p>P{}.</p>\n")])
def test_the_most_blocks_under_the_line_limit_are_refused_within_a_memory_ceiling(tmp_path, fmt, unit):
    """The worst input the line limit lets through (one short block every other line) is read and
    refused by the block count with bounded memory (the Markdown parser's 2 KB a block included)."""
    path = tmp_path / f"many.{fmt}"
    body = "".join(unit.format(i) for i in range(MAX_LINES // 2 - 10))
    path.write_text("<html><body>" + body + "</body></html>" if fmt == "html" else "Title\n\n" + body)
    outcome, rss = read_in_child(path)
    assert outcome.startswith("error: ") and f"the limit is {MAX_BLOCKS:,}" in outcome
    assert rss < 700


def _cpu(fn: object, *args: object) -> float:
    start = time.process_time()
    fn(*args)  # type: ignore[operator]
    return time.process_time() - start


def test_many_attributes_on_one_element_parse_in_linear_time():
    """libxml2 checks every attribute of a tag against the earlier ones: 100,000 attributes took
    80 s. Capped before parsing, 16x the attributes must cost far less than 256x (quadratic)."""

    def page(n: int) -> str:
        attrs = " ".join(f'data-a{i}="v{i}"' for i in range(n))
        return f"<html><body><p {attrs}>Hello.</p></body></html>"

    sizes = [6_000, 24_000, 96_000]
    pages = [page(n) for n in sizes]
    parse_document(pages[0], "a.html", Notes("a.html"))  # warm
    times = [min(_cpu(parse_document, p, "a.html", Notes("a.html")) for _ in range(3)) for p in pages]
    assert times[2] < 40 * max(times[0], 0.005), times


def test_docx_links_do_not_scan_every_relationship(monkeypatch):
    """python-docx's ``relate_to`` compares each new link with every relationship of the part (and
    every id): 1,600 links took 3.4 s, 16 times 100 links 38 times 100's cost. The writer keeps its own
    index: the scans it still makes (fonts, images) do not grow with the links."""
    from docx.opc.rel import Relationships

    from briefpub.pipeline import style_fonts
    from briefpub.styling import load_style
    from briefpub.tree import Document, Link, Meta, Paragraph, Publication, Text
    from briefpub.writers import WriteOptions
    from briefpub.writers.docx import WRITER

    scans: list[int] = []
    real = Relationships._get_matching

    def counting(self: Relationships, *args: object, **kwargs: object) -> object:
        scans.append(len(self))
        return real(self, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(Relationships, "_get_matching", counting)
    style = load_style("briefing")
    options = WriteOptions(fonts=style_fonts(style))
    work = []
    for n in (100, 1_600):
        scans.clear()
        paragraphs = tuple(Paragraph((Text("See "), Link(f"https://example.com/{i}", (Text(f"page {i}"),)),
                                      Text("."))) for i in range(n))
        data = WRITER.write(Publication((Document(Meta(title="Links"), paragraphs),)), style, options).data
        work.append(sum(scans))
        rels = zipfile.ZipFile(io.BytesIO(data)).read("word/_rels/document.xml.rels").decode()
        assert rels.count('TargetMode="External"') == n and "https://example.com/0\"" in rels
    assert work[1] <= 2 * work[0] + 100, work


def _tiny_pack(n: int) -> object:
    from briefpub.tree import Document, Meta, PackMeta, Paragraph, Publication, Text

    docs = tuple(Document(Meta(title=f"Article {i}"), (Paragraph((Text(f"Body of article {i}."),)),))
                 for i in range(n))
    return Publication(docs, PackMeta("Growth pack", marking="OFFICIAL"))


def test_docx_pack_sections_do_not_walk_the_package(monkeypatch):
    """python-docx names each new header or footer part by walking every part of the package and
    relates it after comparing it with every relationship: a pack of 800 articles cost 3x per article
    what 200 did. The writer names and relates its parts itself: no walk, no scan per section, and
    every section still has its own header and footer parts (four per article: first page and rest)."""
    from docx.opc.package import OpcPackage
    from docx.opc.rel import Relationships

    from briefpub.pipeline import style_fonts
    from briefpub.styling import load_style
    from briefpub.writers import WriteOptions
    from briefpub.writers.docx import WRITER

    walks: list[int] = []
    scans: list[int] = []
    real_walk, real_match = OpcPackage.iter_parts, Relationships._get_matching

    def walking(self: OpcPackage) -> object:
        walks.append(1)
        return real_walk(self)

    def matching(self: Relationships, *args: object, **kwargs: object) -> object:
        scans.append(len(self))
        return real_match(self, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(OpcPackage, "iter_parts", walking)
    monkeypatch.setattr(Relationships, "_get_matching", matching)
    style = load_style("briefing")
    options = WriteOptions(fonts=style_fonts(style))
    counts = []
    for n in (8, 64):
        walks.clear()
        scans.clear()
        data = WRITER.write(_tiny_pack(n), style, options).data  # type: ignore[arg-type]
        names = zipfile.ZipFile(io.BytesIO(data)).namelist()
        headers = [name for name in names if name.startswith("word/header")]
        footers = [name for name in names if name.startswith("word/footer")]
        assert len(headers) == len(footers) == 1 + 2 * n, (n, len(headers), len(footers))
        counts.append((len(walks), sum(scans)))
    (walks_small, scans_small), (walks_large, scans_large) = counts
    assert walks_large == walks_small, counts  # a fixed number of walks (building, saving), none per section
    assert scans_large <= scans_small + 100, counts
