"""Benchmark of the PDF writer: pages per second and the reference article's time.

Run from the repository root::

    /work/venv/bin/python bench/bench_pdf.py [--repeat N]

Cases: the reference article (../shared/seeds/..., when present and the text
reader is available), a long plain article, the same with hyphenation off, a
long right-to-left (shaped) article and a pack. Each case is built once to warm
up (fonts resolved once per style, font loading) and then ``--repeat`` times;
the best run counts.
"""

from __future__ import annotations

import argparse
import io
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
from samples import long_document, pack, rich_document  # noqa: E402

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
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    print(f"{'case':38} {'pages':>6} {'best s':>8} {'pages/s':>8}")
    for name, pub, style in cases():
        options = WriteOptions(build_time=BUILD, fonts=style_fonts(style))
        WRITER.write(pub, style, options)  # warm-up: font loading
        best = float("inf")
        data = b""
        for _ in range(args.repeat):
            start = time.perf_counter()
            data = WRITER.write(pub, style, options).data
            best = min(best, time.perf_counter() - start)
        pages = len(pypdf.PdfReader(io.BytesIO(data)).pages)
        print(f"{name:38} {pages:6d} {best:8.3f} {pages / best:8.1f}")


if __name__ == "__main__":
    main()
