"""Benchmark: main-content extraction on saved news pages (fixtures/html/pages).

For each page, the article text a person would keep is written by hand in
``NAME.expected.txt`` (standfirst, captions, body, lists, quotes, table cells;
not the headline, byline or date, which are metadata). Each extractor's output
is compared with it as a bag of words: precision (share of extracted words that
belong to the article), recall (share of the article's words extracted) and F1,
summed over all pages (micro-averaged), plus the median time per page.

Extractors: briefpub's own heuristic (the HTML reader), and, when installed,
trafilatura, readability-lxml, jusText and boilerpy3 (ArticleExtractor). They
are not project dependencies; install them in a separate environment::

    python -m venv /tmp/benchvenv
    /tmp/benchvenv/bin/pip install trafilatura readability-lxml justext boilerpy3 \\
        lxml markdown-it-py pyyaml charset-normalizer
    PYTHONPATH=src /tmp/benchvenv/bin/python bench/bench_html_extraction.py [--repeat 20] [--markdown]
"""

from __future__ import annotations

import argparse
import re
import statistics
import time
import unicodedata
from collections import Counter
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PAGES = ROOT / "fixtures" / "html" / "pages"
_EDGE = re.compile(r"^[^\w]+|[^\w]+$")


def words(text: str) -> Counter[str]:
    out: Counter[str] = Counter()
    for raw in unicodedata.normalize("NFKC", text).split():
        w = _EDGE.sub("", raw).casefold()
        if w:
            out[w] += 1
    return out


def briefpub_extract(data: bytes) -> str:
    from briefpub.readers import read_bytes
    from briefpub.tree import block_text

    doc = read_bytes(data, source="page.html", fmt="html").document
    parts = [doc.meta.subtitle]
    for block in doc.blocks:
        parts.extend(block_text(block))
    return "\n".join(parts)


def trafilatura_extract(data: bytes) -> str:
    import trafilatura

    return trafilatura.extract(data, include_tables=True, include_comments=False, include_images=False) or ""


def trafilatura_recall_extract(data: bytes) -> str:
    import trafilatura

    return trafilatura.extract(data, include_tables=True, include_comments=False, favor_recall=True) or ""


def readability_extract(data: bytes) -> str:
    import lxml.html
    from readability import Document

    summary = Document(data).summary(html_partial=True)
    return str(lxml.html.fromstring(summary).text_content())


def justext_extract(data: bytes) -> str:
    import justext

    paragraphs = justext.justext(data, justext.get_stoplist("English"))
    return "\n".join(p.text for p in paragraphs if not p.is_boilerplate)


def boilerpy_extract(data: bytes) -> str:
    from boilerpy3 import extractors

    return str(extractors.ArticleExtractor().get_content(data.decode("utf-8", errors="replace")))


EXTRACTORS: dict[str, Callable[[bytes], str]] = {
    "briefpub heuristic": briefpub_extract,
    "trafilatura 2.x": trafilatura_extract,
    "trafilatura (favor_recall)": trafilatura_recall_extract,
    "readability-lxml": readability_extract,
    "jusText": justext_extract,
    "boilerpy3 Article": boilerpy_extract,
}


def title_of(data: bytes) -> str:
    from briefpub.readers import read_bytes

    return read_bytes(data, source="page.html", fmt="html").document.meta.title


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeat", type=int, default=10, help="timed runs per page and extractor")
    parser.add_argument("--markdown", action="store_true", help="print the summary as a Markdown table")
    parser.add_argument("--only", default="", help="only pages whose name starts with this (e.g. heldout)")
    args = parser.parse_args()
    pages = sorted(p for p in PAGES.glob(f"{args.only}*.html"))
    rows = []
    for name, extract in EXTRACTORS.items():
        tp = extracted = expected = 0
        times: list[float] = []
        per_page: list[str] = []
        try:
            for page in pages:
                data = page.read_bytes()
                want = words(page.with_suffix("").with_suffix(".expected.txt").read_text(encoding="utf-8"))
                text = extract(data).strip()
                first, _, rest = text.partition("\n")
                if words(first) == words(title_of(data)):
                    text = rest  # the headline is metadata, whoever extracted it
                got = words(text)
                hit = sum((got & want).values())
                tp += hit
                extracted += sum(got.values())
                expected += sum(want.values())
                precision = hit / max(sum(got.values()), 1)
                per_page.append(f"{page.stem}: P={precision:.2f} R={hit / sum(want.values()):.2f}")
                for _ in range(args.repeat):
                    start = time.perf_counter()
                    extract(data)
                    times.append(time.perf_counter() - start)
        except ImportError as exc:
            print(f"{name}: not installed ({exc.name})")
            continue
        precision = tp / max(extracted, 1)
        recall = tp / max(expected, 1)
        f1 = 2 * precision * recall / max(precision + recall, 1e-9)
        rows.append((name, precision, recall, f1, statistics.median(times) * 1000, per_page))
    if args.markdown:
        print("| extractor | precision | recall | F1 | median ms/page |")
        print("|---|---:|---:|---:|---:|")
        for name, p, r, f, ms, _ in rows:
            print(f"| {name} | {p:.3f} | {r:.3f} | {f:.3f} | {ms:.1f} |")
    else:
        for name, p, r, f, ms, per_page in rows:
            print(f"{name:28} P={p:.3f} R={r:.3f} F1={f:.3f} {ms:7.1f} ms/page")
            for line in per_page:
                print(f"    {line}")


if __name__ == "__main__":
    main()
