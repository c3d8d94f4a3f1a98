"""Growth probes: CPU time of reading and of each writer at 1x, 4x and 16x of one dimension of the input.

Run: python bench/bench_growth.py [--only NAME ...] [--scales 1,4,16] [--formats pdf,epub,docx]

Each dimension (paragraphs, paragraph length, links, table rows and columns, list items, list
nesting, headings, articles in a pack, title length, attributes on one element) is scaled alone;
every workload runs in its own process (CPU time of that work only, imports and font loading
excluded; peak RSS of the process). Linear cost shows as 4x/16x in the ratio columns; a ratio
well over the scale is a super-linear path. Numbers, not pass/fail: the tests that guard growth
are ``tests/test_growth.py``.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PHRASE = ("The delegations met again on Tuesday to discuss the framework for regional cooperation on water, "
          "energy and transport, and agreed to publish a joint statement before the end of the month. ")


def words(n: int) -> str:
    text = (PHRASE * (n // 30 + 1)).split()[:n]
    return " ".join(text)


def paragraphs(s: int) -> tuple[str, str]:
    return "md", "# Paragraphs\n\n" + "".join(f"{words(40)} ({i})\n\n" for i in range(250 * s))


def paragraph_length(s: int) -> tuple[str, str]:
    return "md", "# Length\n\n" + words(300 * s) + "\n"


def links(s: int) -> tuple[str, str]:
    body = " ".join(f"[{words(3)}](https://example.com/path/{i}?q={i})" for i in range(100 * s))
    return "md", "# Links\n\n" + body + "\n"


def table_rows(s: int) -> tuple[str, str]:
    rows = "".join(f"| {i} | {words(3)} | {words(4)} | {i * 7} |\n" for i in range(40 * s))
    return "md", "# Rows\n\nText.\n\n| n | a | b | c |\n|---|---|---|---|\n" + rows


def table_cols(s: int) -> tuple[str, str]:
    cols = 2 * s
    head = "|" + "|".join(f" h{c} " for c in range(cols)) + "|\n|" + "|".join("---" for _ in range(cols)) + "|\n"
    rows = "".join("|" + "|".join(f" {r}{c} " for c in range(cols)) + "|\n" for r in range(10))
    return "md", "# Columns\n\nText.\n\n" + head + rows


def list_items(s: int) -> tuple[str, str]:
    return "md", "# Items\n\n" + "".join(f"- {words(6)} ({i})\n" for i in range(100 * s))


def list_nesting(s: int) -> tuple[str, str]:
    """Depth 1, 2 and 8 (the reader flattens lists deeper than 10): 80 items at each depth."""
    depth = {1: 1, 4: 2, 16: 8}.get(s, s)
    lines = [f"{'  ' * (i % depth)}- {words(8)} ({i})\n" for i in range(80 * depth)]
    return "md", "# Nesting\n\n" + "".join(lines)


def headings(s: int) -> tuple[str, str]:
    return "md", "# Headings\n\n" + "".join(f"## Part {i} {words(4)}\n\n{words(20)}\n\n" for i in range(50 * s))


def title_length(s: int) -> tuple[str, str]:
    return "md", "# " + words(100 * s) + "\n\n" + words(100) + "\n"


def attributes(s: int) -> tuple[str, str]:
    attrs = " ".join(f'data-x{i}="{i}"' for i in range(500 * s))
    return "html", (f"<html><head><title>Attributes</title></head><body><article><h1>Attributes</h1>"
                    f"<p {attrs}>{words(60)}</p><p>{words(80)}</p></article></body></html>")


DIMENSIONS: dict[str, Callable[[int], tuple[str, str]]] = {
    "paragraphs (250 x s)": paragraphs,
    "paragraph length (300 words x s)": paragraph_length,
    "links in a paragraph (100 x s)": links,
    "table rows (40 x s)": table_rows,
    "table columns (2 x s)": table_cols,
    "list items (100 x s)": list_items,
    "list nesting (depth 1, 2, 8)": list_nesting,
    "headings (50 x s)": headings,
    "title length (100 words x s)": title_length,
    "attributes on one element (500 x s)": attributes,
    "articles in a pack (4 x s)": lambda s: ("pack", str(4 * s)),
}


def child(fmt: str, path: str, formats: list[str]) -> dict[str, float]:
    """In the child process: read and write ``path``; CPU seconds per stage and peak RSS."""
    import resource

    from briefpub.pipeline import prepare_article, style_fonts, write
    from briefpub.pipeline.pack import assemble_pack
    from briefpub.styling import load_style
    from briefpub.tree import PackMeta, Publication
    from briefpub.writers import WriteOptions

    style = load_style("briefing")
    fonts = style_fonts(style)
    warm = Path(path).with_name("warm.md")
    warm.write_text("# Warm\n\nOne paragraph to load the writers.\n")
    pub = Publication((prepare_article(str(warm)).document,))
    for name in formats:
        write(pub, name, style, WriteOptions(fonts=fonts))
    out: dict[str, float] = {}
    start = time.process_time()
    if fmt == "pack":
        paths = json.loads(Path(path).read_text())
        assembled = assemble_pack(paths, PackMeta("Growth pack"))
        pub, resources = assembled.publication, assembled.resources
    else:
        article = prepare_article(path, fmt)
        pub, resources = Publication((article.document,)), article.resources
    out["read"] = time.process_time() - start
    options = WriteOptions(fonts=fonts, resources=resources)
    for name in formats:
        start = time.process_time()
        result = write(pub, name, style, options)
        out[name] = time.process_time() - start
        if result.pages and not options.print_pages:
            options = WriteOptions(fonts=fonts, resources=resources, print_pages=result.pages)
    out["rss_mib"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return out


def measure(dimension: str, scale: int, formats: list[str], tmp: Path) -> dict[str, float]:
    fmt, text = DIMENSIONS[dimension](scale)
    if fmt == "pack":
        paths = []
        for n in range(int(text)):
            article = tmp / f"article-{n}.md"
            article.write_text(f"# Article {n}\n\n" + "".join(f"{words(40)}\n\n" for _ in range(10)))
            paths.append(str(article))
        path = tmp / "pack.json"
        path.write_text(json.dumps(paths))
    else:
        path = tmp / f"input.{fmt}"
        path.write_text(text)
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src"), "SOURCE_DATE_EPOCH": "1485129600"}
    proc = subprocess.run([sys.executable, __file__, "--child", fmt, str(path), ",".join(formats)],
                          capture_output=True, text=True, env=env, timeout=3600)
    if proc.returncode != 0:
        return {"error": 1.0}
    result: dict[str, float] = json.loads(proc.stdout.strip().splitlines()[-1])
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--only", nargs="*", default=[], help="dimensions whose name starts with these words")
    parser.add_argument("--scales", default="1,4,16")
    parser.add_argument("--formats", default="pdf,epub,docx")
    parser.add_argument("--child", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(args.child[0], args.child[1], args.child[2].split(","))))
        return
    scales = [int(s) for s in args.scales.split(",")]
    formats = args.formats.split(",")
    stages = ["read", *formats]
    print(f"CPU seconds per stage at scales {scales}; ratio = time at the largest scale / time at 1x")
    print(f"{'dimension':38} {'stage':5} " + " ".join(f"{s:>7}x" for s in scales) + "   ratio  peak RSS MiB")
    for dimension in DIMENSIONS:
        if args.only and not any(dimension.startswith(o) for o in args.only):
            continue
        with tempfile.TemporaryDirectory() as tmp:
            results = [measure(dimension, s, formats, Path(tmp)) for s in scales]
        if any("error" in r for r in results):
            print(f"{dimension:38} failed")
            continue
        for stage in stages:
            times = [r[stage] for r in results]
            ratio = times[-1] / times[0] if times[0] > 0.001 else float("nan")
            rss = " / ".join(f"{r['rss_mib']:.0f}" for r in results) if stage == "read" else ""
            print(f"{dimension[:38]:38} {stage:5} " + " ".join(f"{t:8.2f}" for t in times)
                  + f"  {ratio:6.1f}  {rss}")
        sys.stdout.flush()


if __name__ == "__main__":
    main()
