"""Benchmark: main-content extraction on saved news pages (fixtures/html/pages).

For each page, the article text a person would keep is written by hand in
``NAME.expected.txt`` (standfirst, captions, body, lists, quotes, table cells;
not the headline, byline or date, which are metadata). Each extractor's output
is compared with it as a bag of words: precision (share of extracted words that
belong to the article), recall (share of the article's words extracted) and F1,
summed over all pages (micro-averaged), plus the median time per page.

Extractors: briefpub's own heuristic (the HTML reader), and, when installed,
trafilatura, readability-lxml, jusText and boilerpy3 (ArticleExtractor). They
are not project dependencies: trafilatura and readability-lxml are the optional
``bench`` extra (``pip install -e '.[bench]'``), the others are installed by hand::

    PYTHONPATH=src python bench/bench_html_extraction.py [--repeat 20] [--markdown]

``--dataset DIR`` measures a development set laid out as ``DIR/pages/NAME/source.html``
with ``DIR/ground-truth.json`` (``{NAME: {"articleBody": text}}``) instead, with the
usual metric of published extraction comparisons: ``\\w+`` tokens (case kept), multisets
of 4-token shingles, per-page tp/fp/fn normalised to sum 1, precision and recall the
means over the pages where they are defined, F1 their harmonic mean. briefpub's text is
its standfirst and body: the title and the rest of the metadata are left out, but the
standfirst is article text it moves into ``Meta.subtitle`` (printed under the headline),
so it counts; "briefpub (body only)" leaves it out too. briefpub,
trafilatura and readability-lxml run in the same process, one after the other, and
the time is CPU time (``time.process_time``) per page: the fastest of ``--dataset-repeat``
runs (3), then the median over the pages; every extractor reads a page before the next
page is read (and each reads a tiny page first, for its imports), so that other work on
a shared machine weighs on all of them alike. The pages are split in two halves by the
parity of the CRC-32 of their name (``tune``: even, meant for tuning the reader; ``check``:
odd, held out) and F1 is printed for each half, to show whether a change generalises.
briefpub's worst pages are listed with why (the first extra line kept, the largest
removal reported). ``--dump DIR`` also writes briefpub's tree and diagnostics (JSON) and
its text for every page, so that two revisions of the reader can be compared page by
page (``diff -r``); ``--pages FILE`` writes briefpub's per-page P/R/F1 (TSV);
``--extractors briefpub,trafilatura`` runs only those::

    PYTHONPATH=src python bench/bench_html_extraction.py --dataset ../shared/benchmarks/extraction-dev
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import time
import unicodedata
import zlib
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


def briefpub_body(data: bytes) -> str:
    """The article body as briefpub reads it (no title, no metadata)."""
    from briefpub.readers import read_bytes
    from briefpub.tree import block_text

    doc = read_bytes(data, source="page.html", fmt="html").document
    return "\n".join(part for block in doc.blocks for part in block_text(block))


def briefpub_article(data: bytes) -> str:
    """The article as briefpub reads it: the standfirst (``Meta.subtitle``, printed under the headline)
    and the body; no title or other metadata."""
    from briefpub.readers import read_bytes
    from briefpub.tree import block_text

    doc = read_bytes(data, source="page.html", fmt="html").document
    return "\n".join([doc.meta.subtitle, *(part for block in doc.blocks for part in block_text(block))])


def briefpub_snapshot(data: bytes) -> str:
    """briefpub's whole reading of a page (tree and diagnostics) as stable JSON."""
    from briefpub.jsontree import document_to_dict
    from briefpub.readers import read_bytes

    result = read_bytes(data, source="page.html", fmt="html")
    return json.dumps(
        {"document": document_to_dict(result.document), "diagnostics": [d.to_dict() for d in result.diagnostics]},
        ensure_ascii=False,
        indent=1,
        sort_keys=True,
    )


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


DATASET_EXTRACTORS: dict[str, Callable[[bytes], str]] = {
    "briefpub heuristic": briefpub_article,
    "briefpub (body only)": briefpub_body,
    "trafilatura 2.x": trafilatura_extract,
    "readability-lxml": readability_extract,
}

_TOKEN = re.compile(r"\w+")


def shingles(text: str, size: int = 4) -> Counter[tuple[str, ...]]:
    """The multiset of ``size``-token shingles of ``text`` (``\\w+`` tokens, case kept)."""
    tokens = _TOKEN.findall(text)
    if len(tokens) < size:
        return Counter([tuple(tokens)]) if tokens else Counter()
    return Counter(tuple(tokens[i : i + size]) for i in range(len(tokens) - size + 1))


def page_scores(got_text: str, want_text: str) -> tuple[float, float, float]:
    """(tp, fp, fn) shingle counts of one page, normalised to sum 1 (all 0 when both are empty)."""
    got, want = shingles(got_text), shingles(want_text)
    tp = sum((got & want).values())
    fp = sum(got.values()) - tp
    fn = sum(want.values()) - tp
    total = tp + fp + fn
    return (tp / total, fp / total, fn / total) if total else (0.0, 0.0, 0.0)


def split_of(name: str) -> str:
    """"tune" or "check": the held-out split of a development page, by the parity of its name's hash."""
    return "tune" if zlib.crc32(name.encode("utf-8")) % 2 == 0 else "check"


def summary(precisions: list[float], recalls: list[float]) -> tuple[float, float, float]:
    p = statistics.fmean(precisions) if precisions else 0.0
    r = statistics.fmean(recalls) if recalls else 0.0
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


def briefpub_why(data: bytes, got: str, want: str) -> str:
    """Why a page scored low: the largest removal (lost text) or the start of the extra text kept."""
    from briefpub.readers import read_bytes

    result = read_bytes(data, source="page.html", fmt="html")
    want_tokens = set(shingles(want))
    extra = [line for line in got.splitlines() if line.strip() and not set(shingles(line)) <= want_tokens]
    removals = [d for d in result.diagnostics if d.code == "reader.boilerplate-removed"]
    biggest = max(removals, key=lambda d: int(m.group(1)) if (m := _WORDS.search(d.message)) else 0, default=None)
    parts = []
    if extra:
        parts.append(f"kept {len(extra)} extra line(s), first: {extra[0][:70]!r}")
    if biggest is not None:
        parts.append(f"largest removal: {biggest.message} {biggest.text[:60]!r}")
    return "; ".join(parts)


_WORDS = re.compile(r"(\d+) words")


def run_dataset(root: Path, args: argparse.Namespace) -> None:
    """Score the extractors on a development set (see the module docstring)."""
    truth = json.loads((root / "ground-truth.json").read_text(encoding="utf-8"))
    names = sorted(n for n in truth if (root / "pages" / n / "source.html").is_file())
    if args.only:
        names = [n for n in names if n.startswith(args.only)]
    dump = Path(args.dump) if args.dump else None
    if dump is not None:
        dump.mkdir(parents=True, exist_ok=True)
    chosen = {k for k in args.extractors.split(",") if k} or {"all"}
    extractors: dict[str, Callable[[bytes], str]] = {}
    for label, extract in DATASET_EXTRACTORS.items():
        if label.split()[0] not in chosen and label not in chosen and "all" not in chosen:
            continue
        try:
            extract(b"<html><body><p>warm-up: imports and caches</p></body></html>")
        except ImportError as exc:
            print(f"{label}: not installed ({exc.name})")
            continue
        extractors[label] = extract
    scores = {label: {s: ([], []) for s in ("all", "tune", "check")} for label in extractors}
    times: dict[str, list[float]] = {label: [] for label in extractors}
    failures: dict[str, list[str]] = {label: [] for label in extractors}
    empty: dict[str, list[str]] = {label: [] for label in extractors}
    per_page: dict[str, tuple[float, float, float, str]] = {}
    repeat = max(1, args.dataset_repeat)
    for name in names:  # page by page, every extractor in turn: a busy machine weighs on all alike
        data = (root / "pages" / name / "source.html").read_bytes()
        want = truth[name]["articleBody"]
        for label, extract in extractors.items():
            text, best = "", float("inf")
            for _ in range(repeat):
                start = time.process_time()
                try:
                    text = extract(data)
                except Exception as exc:  # a page an extractor cannot read scores zero
                    failures[label].append(f"{name}: {type(exc).__name__}: {exc}")
                    text = ""
                    break
                best = min(best, time.process_time() - start)
            times[label].append(best)
            if not text.strip():
                empty[label].append(name)
            tp, fp, fn = page_scores(text, want)
            for split in ("all", split_of(name)):
                if tp + fp > 0:
                    scores[label][split][0].append(tp / (tp + fp))
                if tp + fn > 0:
                    scores[label][split][1].append(tp / (tp + fn))
            if extract is briefpub_article:
                pp = tp / (tp + fp) if tp + fp else 0.0
                rr = tp / (tp + fn) if tp + fn else 0.0
                f = 2 * pp * rr / (pp + rr) if pp + rr else 0.0
                per_page[name] = (pp, rr, f, briefpub_why(data, text, want) if f < 0.9 else "")
                if dump is not None:
                    try:
                        (dump / f"{name}.json").write_text(briefpub_snapshot(data) + "\n", encoding="utf-8")
                        (dump / f"{name}.txt").write_text(text + "\n", encoding="utf-8")
                    except Exception as exc:  # recorded in the dump
                        (dump / f"{name}.json").write_text(f"error: {type(exc).__name__}: {exc}\n", encoding="utf-8")
    rows = [
        (label, {s: summary(*v) for s, v in scores[label].items()},
         statistics.median(t for t in times[label] if t != float("inf")) * 1000 if times[label] else 0.0,
         failures[label], empty[label])
        for label in extractors
    ]
    tune = sum(split_of(n) == "tune" for n in names)
    print(f"{len(names)} pages from {root} (tune split: {tune} pages, check split: {len(names) - tune})")
    if args.markdown:
        print("| extractor | precision | recall | F1 | F1 tune / check | median CPU ms/page |")
        print("|---|---:|---:|---:|---:|---:|")
    for label, by_split, ms, failures, empty in rows:
        p, r, f1 = by_split["all"]
        ft, fc = by_split["tune"][2], by_split["check"][2]
        if args.markdown:
            print(f"| {label} | {p:.3f} | {r:.3f} | {f1:.3f} | {ft:.3f} / {fc:.3f} | {ms:.1f} |")
        else:
            print(f"{label:28} P={p:.3f} R={r:.3f} F1={f1:.3f} (tune {ft:.3f}, check {fc:.3f}) "
                  f"{ms:6.1f} CPU ms/page")
        for failure in failures:
            print(f"    failed: {failure}")
        for name in empty:
            print(f"    empty: {name}")
    if per_page:
        print(f"\nbriefpub's {args.worst} worst pages (P, R, F1, why):")
        for name, (pp, rr, f, why) in sorted(per_page.items(), key=lambda kv: kv[1][2])[: args.worst]:
            print(f"  {name:40} [{split_of(name)}] P={pp:.2f} R={rr:.2f} F1={f:.2f}  {why}")
    if args.pages and per_page:
        Path(args.pages).write_text(
            "".join(f"{n}\t{pp:.3f}\t{rr:.3f}\t{f:.3f}\n" for n, (pp, rr, f, _) in sorted(per_page.items())),
            encoding="utf-8",
        )


def title_of(data: bytes) -> str:
    from briefpub.readers import read_bytes

    return read_bytes(data, source="page.html", fmt="html").document.meta.title


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeat", type=int, default=10, help="timed runs per page and extractor")
    parser.add_argument("--markdown", action="store_true", help="print the summary as a Markdown table")
    parser.add_argument("--only", default="", help="only pages whose name starts with this (e.g. heldout)")
    parser.add_argument("--dataset", default="", help="a development set (pages/NAME/source.html, ground-truth.json)")
    parser.add_argument("--dump", default="", help="with --dataset: write briefpub's tree of each page here")
    parser.add_argument("--extractors", default="", help="with --dataset: comma-separated (briefpub,trafilatura,...)")
    parser.add_argument("--dataset-repeat", type=int, default=3,
                        help="with --dataset: runs per page and extractor, the fastest counted")
    parser.add_argument("--worst", type=int, default=15, help="with --dataset: how many of briefpub's worst pages")
    parser.add_argument("--pages", default="", help="with --dataset: write briefpub's per-page P/R/F1 here (TSV)")
    args = parser.parse_args()
    if args.dataset:
        run_dataset(Path(args.dataset), args)
        return
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
