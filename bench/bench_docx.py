"""Benchmark the DOCX writer: write time per document and pages per second.

Run: /work/venv/bin/python bench/bench_docx.py [--repeat N] [--no-libreoffice]

Pages are counted by LibreOffice (one headless conversion of all outputs, when
``soffice`` is on PATH), so "pages/s" is the writer's speed against real pages;
the conversion time is reported separately (it is what the CI test pays).
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from briefpub.styling import load_style  # noqa: E402
from briefpub.tree import Publication  # noqa: E402
from briefpub.writers import WriteOptions  # noqa: E402
from briefpub.writers.docx import WRITER  # noqa: E402
from samples import long_document, pack, rich_document, scripts_document, single  # noqa: E402


def cases() -> dict[str, Publication]:
    return {
        "rich (1 article, every node kind)": single(rich_document()),
        "scripts (6 scripts)": single(scripts_document()),
        "long-120 (120 paragraphs)": single(long_document(120)),
        "long-1000 (1000 paragraphs)": single(long_document(1000)),
        "pack-10 (cover + 10 articles)": pack([rich_document(), long_document(60)] * 5),
    }


def pdf_pages(path: Path) -> int:
    out = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True).stdout
    return int(next(line.split()[-1] for line in out.splitlines() if line.startswith("Pages:")))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--no-libreoffice", action="store_true")
    args = parser.parse_args()
    style = load_style("briefing")
    options = WriteOptions()
    WRITER.write(single(rich_document()), style, options)  # warm imports and the template
    results: dict[str, tuple[float, bytes]] = {}
    for name, pub in cases().items():
        times = []
        for _ in range(args.repeat):
            start = time.perf_counter()
            data = WRITER.write(pub, style, options).data
            times.append(time.perf_counter() - start)
        results[name] = (statistics.median(times), data)

    pages: dict[str, int] = {}
    convert_seconds = None
    if not args.no_libreoffice and shutil.which("soffice") and shutil.which("pdfinfo"):
        with tempfile.TemporaryDirectory() as tmp:
            folder = Path(tmp)
            files = []
            for index, (_, data) in enumerate(results.values()):
                path = folder / f"case{index}.docx"
                path.write_bytes(data)
                files.append(str(path))
            profile = (folder / "profile").as_uri()
            command = ["soffice", "--headless", f"-env:UserInstallation={profile}", "--convert-to", "pdf"]
            subprocess.run([*command, "--outdir", str(folder / "warm"), files[0]], capture_output=True, check=True)
            start = time.perf_counter()
            subprocess.run([*command, "--outdir", str(folder / "pdf"), *files], capture_output=True, check=True)
            convert_seconds = time.perf_counter() - start
            for index, name in enumerate(results):
                pages[name] = pdf_pages(folder / "pdf" / f"case{index}.pdf")

    print(f"DOCX writer, median of {args.repeat} runs, Python {sys.version.split()[0]}")
    print(f"{'case':36} {'ms':>8} {'KiB':>7} {'pages':>6} {'pages/s':>8}")
    for name, (seconds, data) in results.items():
        count = pages.get(name)
        rate = f"{count / seconds:8.0f}" if count else f"{'-':>8}"
        print(f"{name:36} {seconds * 1000:8.1f} {len(data) / 1024:7.1f} {count or '-':>6} {rate}")
    if convert_seconds is not None:
        total = sum(pages.values())
        print(f"LibreOffice (warm profile) converted {len(pages)} files, {total} pages in {convert_seconds:.1f} s")


if __name__ == "__main__":
    main()
