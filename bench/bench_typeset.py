"""Benchmark: the text engine (``writers.pdf.typeset``) against reportlab's ``Paragraph``.

Run from the repository root::

    .venv/bin/python bench/bench_typeset.py [--repeat N]

Both set the reference article (../shared/seeds/..., else a built-in stand-in)
justified in DejaVu Serif 10.5/14.5 pt on an A4 measure, hyphenated with pyphen's
en_US patterns. Fonts are loaded before timing (warm). Measured in CPU time
(``time.process_time``), median of ``--repeat`` runs:

* layout: every paragraph wrapped at the frame width (new flowables each run);
  the engine is measured with its shaping and hyphenation caches cleared before
  each run (a new article) and kept (the same article laid out again, as in a
  second ``multiBuild`` pass);
* build: the whole PDF built with a SimpleDocTemplate (layout, drawing, saving).
"""

from __future__ import annotations

import argparse
import io
import re
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
REFERENCE = ROOT.parent / "shared" / "seeds" / "000_f2fc37828fe0a249.txt"
WIDTH = 595.2756 - 2 * 62.36 - 12


def paragraphs() -> list[str]:
    if REFERENCE.is_file():
        text = REFERENCE.read_text(encoding="utf-8")
    else:
        sys.path.insert(0, str(ROOT / "tests" / "writers" / "pdf_typeset"))
        from conftest import FALLBACK_ARTICLE  # type: ignore[import-not-found]

        text = FALLBACK_ARTICLE
    return [" ".join(p.split()) for p in re.split(r"\n\s*\n", text) if p.strip()]


def median_cpu(fn: Callable[[], object], repeat: int) -> float:
    fn()  # warm-up
    times = []
    for _ in range(repeat):
        start = time.process_time()
        fn()
        times.append(time.process_time() - start)
    return statistics.median(times) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=21)
    args = parser.parse_args()

    from xml.sax.saxutils import escape

    from reportlab.lib.enums import TA_JUSTIFY
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont
    from reportlab.platypus import Paragraph, SimpleDocTemplate

    from briefpub.fonts import find_family
    from briefpub.writers.pdf.typeset import ParaStyle, Run, TextBlock, TextFlowable, breaking, hyphenation, shaping

    serif = find_family("DejaVu Serif")
    if serif is None:
        raise SystemExit("DejaVu Serif is not installed")
    face = serif.face(False, False)
    pdfmetrics.registerFont(TTFont("bench-serif", face.path, asciiReadable=1))
    texts = paragraphs()
    words = sum(len(t.split()) for t in texts)
    rl_style = ParagraphStyle("body", fontName="bench-serif", fontSize=10.5, leading=14.5, alignment=TA_JUSTIFY,
                              hyphenationLang="en_US", embeddedHyphenation=1, uriWasteReduce=0.3,
                              hyphenationMinWordLength=6, spaceAfter=6)
    engine_style = ParaStyle(14.5, hyphenate="en-US", space_after=6)

    def rl_story() -> list[object]:
        return [Paragraph(escape(t), rl_style) for t in texts]

    def engine_story() -> list[object]:
        return [TextFlowable(TextBlock.of([Run(t, face, 10.5)], engine_style)) for t in texts]

    def clear_caches() -> None:
        shaping._shape.cache_clear()
        hyphenation._hyphenator.cache_clear()
        breaking._POINTS_CACHE.clear()

    def layout(story: Callable[[], list[object]], cold: bool = False) -> Callable[[], object]:
        def run() -> None:
            if cold:
                clear_caches()
            for flowable in story():
                flowable.wrap(WIDTH, 10_000)  # type: ignore[attr-defined]
        return run

    def build(story: Callable[[], list[object]], cold: bool = False) -> Callable[[], object]:
        def run() -> bytes:
            if cold:
                clear_caches()
            buf = io.BytesIO()
            SimpleDocTemplate(buf, invariant=1, initialFontName="bench-serif", leftMargin=62.36,
                              rightMargin=62.36).build(story())
            return buf.getvalue()
        return run

    print(f"reference article: {len(texts)} paragraphs, {words} words; median CPU ms of {args.repeat} runs")
    rows = [
        ("layout  reportlab Paragraph", layout(rl_story)),
        ("layout  engine, caches cleared", layout(engine_story, cold=True)),
        ("layout  engine, caches warm", layout(engine_story)),
        ("build   reportlab Paragraph", build(rl_story)),
        ("build   engine, caches cleared", build(engine_story, cold=True)),
        ("build   engine, caches warm", build(engine_story)),
    ]
    results = {}
    for name, fn in rows:
        results[name] = median_cpu(fn, args.repeat)
        print(f"{name:34} {results[name]:8.1f}")
    base_layout = results["layout  reportlab Paragraph"]
    base_build = results["build   reportlab Paragraph"]
    print(f"ratio layout (cold/warm): {results['layout  engine, caches cleared'] / base_layout:.2f} / "
          f"{results['layout  engine, caches warm'] / base_layout:.2f}")
    print(f"ratio build  (cold/warm): {results['build   engine, caches cleared'] / base_build:.2f} / "
          f"{results['build   engine, caches warm'] / base_build:.2f}")


if __name__ == "__main__":
    main()
