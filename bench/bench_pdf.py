"""Benchmark of the PDF writer: pages per second and the reference article's time.

Run from the repository root::

    /work/venv/bin/python bench/bench_pdf.py [--repeat N]

Cases: the reference article (../shared/seeds/..., when present and the text
reader is available), a long plain article, the same with hyphenation off, a
long right-to-left (shaped) article and packs (3 articles; 30 articles, duplex).
Each case is built once to warm up (fonts resolved once per style, font
loading) and then ``--repeat`` times; the table gives the median CPU time of the
process (``time.process_time``: what the writer costs, whatever else the shared
machine runs), the best wall time, and pages per CPU second.

Compile the bytecode first (``python -m compileall -q src``) or run twice: the
machines set ``PYTHONDONTWRITEBYTECODE=1``, and a first run without ``.pyc``
files compiles every module it imports.
"""

from __future__ import annotations

import argparse
import io
import statistics
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

import pypdf  # noqa: E402

from briefpub.pipeline import style_fonts  # noqa: E402
from briefpub.styling import load_style, with_overrides  # noqa: E402
from briefpub.styling.model import StyleSheet  # noqa: E402
from briefpub.tree import Document, Meta, Paragraph, Publication, Text  # noqa: E402
from briefpub.writers import WriteOptions  # noqa: E402
from briefpub.writers.pdf import WRITER  # noqa: E402
from samples import briefing_pack, long_document, pack, rich_document  # noqa: E402

REFERENCE = ROOT.parent / "shared" / "seeds" / "000_f2fc37828fe0a249.txt"
BUILD = datetime(2024, 1, 1, tzinfo=UTC)
ARABIC = "بدأت المحادثات التمهيدية في العاصمة الكازاخستانية يوم الأحد ووصل الوفد الحكومي السوري. "


def _arabic(paragraphs: int) -> Document:
    blocks = tuple(Paragraph((Text(ARABIC * 4),)) for _ in range(paragraphs))
    return Document(Meta(title="محادثات السلام في أستانا", language="ar"), blocks)


def cases() -> list[tuple[str, Publication, StyleSheet]]:
    briefing = load_style("briefing")
    out: list[tuple[str, Publication, StyleSheet]] = []
    if REFERENCE.is_file():
        try:
            from briefpub.readers import read_path

            out.append(("reference article", Publication((read_path(REFERENCE).document,)), briefing))
        except ImportError:
            pass
    out.append(("long article (400 paragraphs)", Publication((long_document(400),)), briefing))
    no_hyphens = with_overrides(briefing, [("paragraphs.hyphenate", "false")])
    out.append(("long article, no hyphenation", Publication((long_document(400),)), no_hyphens))
    out.append(("arabic, shaped RTL (120 paragraphs)", Publication((_arabic(120),)), briefing))
    docs = [rich_document(), long_document(60), rich_document()]
    out.append(("pack of 3 articles", pack(docs, marking="OFFICIAL"), briefing))
    duplex = with_overrides(briefing, [("page.duplex", "true"), ("furniture.contents_depth", "2")])
    out.append(("pack of 30 articles, duplex", briefing_pack(30), duplex))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    print(f"{'case':38} {'pages':>6} {'CPU median s':>13} {'best wall s':>12} {'pages/CPU s':>12}")
    for name, pub, style in cases():
        options = WriteOptions(build_time=BUILD, fonts=style_fonts(style))
        WRITER.write(pub, style, options)  # warm-up: font loading
        best = float("inf")
        cpu: list[float] = []
        data = b""
        for _ in range(args.repeat):
            start, start_cpu = time.perf_counter(), time.process_time()
            data = WRITER.write(pub, style, options).data
            cpu.append(time.process_time() - start_cpu)
            best = min(best, time.perf_counter() - start)
        pages = len(pypdf.PdfReader(io.BytesIO(data)).pages)
        median = statistics.median(cpu)
        print(f"{name:38} {pages:6d} {median:13.3f} {best:12.3f} {pages / median:12.1f}")


if __name__ == "__main__":
    main()
