"""Benchmark of the EPUB writer: time per article (not a test; run by hand or in CI for the record).

    /work/venv/bin/python bench/bench_epub.py [--repeat 7]

Prints, for each case, the median wall time of one ``WRITER.write`` call and the
time per article, plus a breakdown of one run into its stages (XHTML, CSS,
cover, packaging). The first call of a process also locates fonts (reported
separately as "cold").
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from briefpub.styling import load_style
from briefpub.tree import Publication
from briefpub.writers import WriteOptions
from briefpub.writers.epub import WRITER
from samples import (
    arabic_document,
    briefing_pack,
    figure_resources,
    figures_document,
    long_document,
    pack,
    rich_document,
    rtl_pack,
    scripts_document,
    single,
)

REFERENCE = Path(__file__).resolve().parents[1] / ".." / "shared" / "seeds" / "000_f2fc37828fe0a249.txt"


def cases() -> dict[str, tuple[Publication, dict[str, bytes]]]:
    found: dict[str, tuple[Publication, dict[str, bytes]]] = {
        "rich (1 article)": (single(rich_document()), {}),
        "long (1 article, 120 paragraphs)": (single(long_document()), {}),
        "scripts (1 article)": (single(scripts_document()), {}),
        "figures (1 article, 8 figures)": (single(figures_document()), figure_resources()),
        "pack (10 articles)": (
            pack([rich_document(), long_document(), arabic_document(), scripts_document(), figures_document()] * 2),
            figure_resources(),
        ),
        "pack (30 articles, summary page)": (briefing_pack(30), figure_resources()),
        "pack (32 articles, summary page)": (briefing_pack(32), figure_resources()),
        "pack (RTL, 5 articles)": (rtl_pack(), {}),
    }
    if REFERENCE.is_file():
        try:
            from briefpub.readers import read_path

            found["reference article"] = (single(read_path(REFERENCE).document), {})
        except ImportError:
            pass
    return found


def timed(fn: object, *args: object) -> float:
    start = time.perf_counter()
    fn(*args)  # type: ignore[operator]
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()
    style = load_style("briefing")
    build = datetime(2024, 5, 6, tzinfo=UTC)

    def run(pub: Publication, resources: dict[str, bytes]) -> None:
        WRITER.write(pub, style, WriteOptions(build_time=build, resources=resources))

    all_cases = cases()
    first_pub, first_res = next(iter(all_cases.values()))
    print(f"cold first call (font lookup, imports): {timed(run, first_pub, first_res) * 1000:.0f} ms")
    print(f"{'case':36} {'median ms':>10} {'ms/article':>11} {'KiB':>7}")
    for name, (pub, resources) in all_cases.items():
        times = [timed(run, pub, resources) for _ in range(args.repeat)]
        median = statistics.median(times) * 1000
        size = len(WRITER.write(pub, style, WriteOptions(build_time=build, resources=resources)).data) / 1024
        print(f"{name:36} {median:10.1f} {median / len(pub.documents):11.1f} {size:7.0f}")

    # Where the time goes, for the rich article.
    from briefpub.writers.epub import book
    from briefpub.writers.epub.cover import render_cover
    from briefpub.writers.epub.css import stylesheet
    from briefpub.writers.epub.metadata import book_metadata
    from briefpub.writers.epub.xhtml import ImageStore

    pub = single(rich_document())
    meta = book_metadata(pub, style, build)
    stages = {
        "xhtml": lambda: book._render_articles(pub, style, ImageStore({})),
        "css": lambda: stylesheet(style),
        "cover": lambda: render_cover(book._cover_text(pub, meta), style),
        "whole write": lambda: run(pub, {}),
    }
    print(
        "rich article stages (median ms): "
        + ", ".join(
            f"{k} {statistics.median(timed(f) for _ in range(args.repeat)) * 1000:.1f}" for k, f in stages.items()
        )
    )

    # Where the time goes, for the 30-article pack.
    big = briefing_pack(30)
    big_meta = book_metadata(big, style, build)
    resources = figure_resources()

    def front_matter() -> None:
        book._pack_pages(big, style, big_meta, book._render_articles(big, style, ImageStore(resources)))

    pack_stages = {
        "xhtml (30 articles)": lambda: book._render_articles(big, style, ImageStore(resources)),
        "xhtml + contents + summary": front_matter,
        "cover": lambda: render_cover(book._cover_text(big, big_meta), style),
        "whole write": lambda: run(big, resources),
    }
    print(
        "30-article pack stages (median ms): "
        + ", ".join(
            f"{k} {statistics.median(timed(f) for _ in range(args.repeat)) * 1000:.1f}"
            for k, f in pack_stages.items()
        )
    )


if __name__ == "__main__":
    main()
