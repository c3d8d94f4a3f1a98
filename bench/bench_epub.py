"""Benchmark of the EPUB writer: time per article (not a test; run by hand or in CI for the record).

    /work/venv/bin/python bench/bench_epub.py [--repeat 7]

Prints, for each case, the median wall time of one ``WRITER.write`` call and the
time per article, plus a breakdown of one run into its stages (XHTML, CSS,
cover, packaging). Fonts are resolved once before timing, as the pipeline does;
the first call of a process still imports Pillow, lxml and ebooklib (reported
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

from briefpub.pipeline import style_fonts
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

    fonts = style_fonts(style)

    def options(resources: dict[str, bytes]) -> WriteOptions:
        return WriteOptions(build_time=build, resources=resources, fonts=fonts)

    def run(pub: Publication, resources: dict[str, bytes]) -> None:
        WRITER.write(pub, style, options(resources))

    all_cases = cases()
    first_pub, first_res = next(iter(all_cases.values()))
    print(f"cold first call (imports): {timed(run, first_pub, first_res) * 1000:.0f} ms")
    print(f"{'case':36} {'median ms':>10} {'ms/article':>11} {'KiB':>7}")
    for name, (pub, resources) in all_cases.items():
        times = [timed(run, pub, resources) for _ in range(args.repeat)]
        median = statistics.median(times) * 1000
        size = len(WRITER.write(pub, style, options(resources)).data) / 1024
        print(f"{name:36} {median:10.1f} {median / len(pub.documents):11.1f} {size:7.0f}")

    # Where the time goes: the articles' XHTML, the front matter, the CSS, the cover.
    from briefpub.writers.common import frames
    from briefpub.writers.epub import book
    from briefpub.writers.epub.accessibility import AccessibilityChecks
    from briefpub.writers.epub.article import Context, render_article
    from briefpub.writers.epub.cover import render_cover
    from briefpub.writers.epub.css import CSS_FILE, stylesheet
    from briefpub.writers.epub.images import ImageStore
    from briefpub.writers.epub.metadata import book_metadata
    from briefpub.writers.epub.pack_pages import render_contents_page, render_summary_page
    from briefpub.writers.epub.xhtml import Language

    def stages(pub: Publication, resources: dict[str, bytes]) -> dict[str, object]:
        pub = book._with_heading_ids(pub)
        fr = frames(pub, style)
        meta = book_metadata(pub, style, build, fr)
        page = Language(meta.language, meta.rtl)

        def context() -> Context:
            return Context(style=style, images=ImageStore(resources), checks=AccessibilityChecks(),
                           file_of=book._article_file, css=CSS_FILE)

        def articles() -> list[object]:
            ctx = context()
            return [render_article(f, ctx, language=page, marks={}) for f in fr.articles]

        found: dict[str, object] = {f"xhtml ({len(pub.documents)} articles)": articles}
        if fr.pack is not None:
            pack_frame = fr.pack

            def front() -> None:
                ctx = context()
                langs = [page] * len(fr.articles)
                render_contents_page(pack_frame, ctx, page=page, languages=langs, headings=[()] * len(langs),
                                     summary_file="summary.xhtml", marks=[])
                render_summary_page(pack_frame, ctx, page=page, languages=langs)

            found["contents + summary"] = front
        found["css"] = lambda: stylesheet(style)
        found["cover"] = lambda: render_cover(book._cover_text(fr, meta, context()), style, fonts)
        found["whole write"] = lambda: run(pub, resources)
        return found

    for label, (pub, resources) in (("rich article", (single(rich_document()), {})),
                                    ("30-article pack", (briefing_pack(30), figure_resources()))):
        print(f"{label} stages (median ms): " + ", ".join(
            f"{k} {statistics.median(timed(f) for _ in range(args.repeat)) * 1000:.1f}"
            for k, f in stages(pub, resources).items()))


if __name__ == "__main__":
    main()
