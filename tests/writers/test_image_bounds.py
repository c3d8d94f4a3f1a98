"""Hostile images in every writer: bounded memory, the pixel limit, truncated files, nothing printed raw.

The images are made at test time (:func:`images.streamed_png` writes a 40-megapixel
photograph or a 20000 x 20000 decompression bomb row by row, without holding its
pixels). Conversions whose memory is measured run the CLI in a child process
that reports its own peak resident size (``ru_maxrss``) and runs under an
address-space ceiling, so a regression fails the test instead of the machine.
"""

from __future__ import annotations

import io
import json
import os
import re
import subprocess
import sys
import zipfile
from datetime import UTC, datetime
from pathlib import Path

import pikepdf
import pytest
from PIL import Image as PILImage

from briefpub.pipeline import style_fonts
from briefpub.styling import load_style
from briefpub.tree import Document, Figure, Image, Meta, Paragraph, Publication, Text
from briefpub.writers import WriteOptions, WriteResult
from briefpub.writers.common.images import print_bound
from briefpub.writers.docx import WRITER as DOCX
from briefpub.writers.epub import WRITER as EPUB
from briefpub.writers.pdf import WRITER as PDF
from extract import pdf_pages
from images import png, streamed_png

STYLE = load_style("briefing")
FONTS = style_fonts(STYLE)
BUILD = datetime(2017, 1, 23, tzinfo=UTC)
WRITERS = {"pdf": PDF, "epub": EPUB, "docx": DOCX}

#: Run the CLI, then write this process's peak resident size (KiB) to the file named first. Linux's
#: ``VmHWM`` is this program's own peak; ``ru_maxrss`` also counts the parent (a large pytest worker)
#: when the child was started with vfork, so it is only the fallback.
_LAUNCHER = """
import resource, sys
limit = int(sys.argv[2]) * 1024 * 1024
resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
from briefpub.cli import main
code = 0
try:
    main(sys.argv[3:])
except SystemExit as exc:
    code = exc.code if isinstance(exc.code, int) else 1
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
try:
    with open("/proc/self/status") as status:
        peak = next(int(line.split()[1]) for line in status if line.startswith("VmHWM:"))
except (OSError, StopIteration):
    pass
with open(sys.argv[1], "w") as out:
    out.write(str(peak))
sys.exit(code)
"""
#: Address space the child may take (MiB): far above what it needs, far below what the old writers took.
_ADDRESS_SPACE = 3072


def _convert(folder: Path, *args: str) -> tuple[int, str, str, float]:
    """``briefpub convert ARGS`` in a child under the address-space ceiling: (exit code, stdout, stderr,
    peak resident MiB)."""
    report = folder / "maxrss.txt"
    done = subprocess.run([sys.executable, "-c", _LAUNCHER, str(report), str(_ADDRESS_SPACE), "convert", *args],
                          cwd=folder, capture_output=True, text=True, timeout=600, check=False)
    peak = int(report.read_text()) / 1024 if report.exists() else float("inf")
    return done.returncode, done.stdout, done.stderr, peak


def _article(folder: Path, image: bytes, figures: int, name: str = "photo.png") -> None:
    (folder / name).write_bytes(image)
    body = "".join(f"![Caption {i} of the photograph]({name})\n\nParagraph {i}.\n\n" for i in range(figures))
    (folder / "a.md").write_text(f"# Photographs\n\nIntro.\n\n{body}", encoding="utf-8")


def _pdf_images(data: bytes) -> set[tuple[int, int, int]]:
    """(object number, width, height) of every image XObject the PDF's pages draw."""
    found: set[tuple[int, int, int]] = set()
    with pikepdf.open(io.BytesIO(data)) as pdf:
        for page in pdf.pages:
            for image in page.get_images().values():
                found.add((image.objgen[0], int(image.Width), int(image.Height)))
    return found


def _only_diagnostics(stderr: str) -> list[str]:
    """stderr's lines, each checked to be one diagnostic line (nothing printed raw: no Pillow warning)."""
    lines = stderr.splitlines()
    for line in lines:
        assert re.fullmatch(r".*: (warning|info): .* \[[a-z]+\.[a-z-]+\]", line), line
    assert "DecompressionBombWarning" not in stderr and "warnings.warn" not in stderr
    return lines


def test_twenty_figures_of_one_40_megapixel_photograph_stay_small(tmp_path: Path) -> None:
    """Each figure used to keep its own full decode (5.5 GB peak for the PDF alone): now the image is
    checked and downscaled once per writer and the figures share the encoded result."""
    _article(tmp_path, streamed_png(8000, 5000), 20)
    code, _out, err, peak = _convert(tmp_path, "-t", "pdf,epub,docx", "-o", "out", "a.md")
    assert code == 0, err
    assert err == ""
    assert peak < 600, f"peak resident size {peak:.0f} MiB"
    pdf = (tmp_path / "out" / "a.pdf").read_bytes()
    drawn = _pdf_images(pdf)
    bound = print_bound(*STYLE.page_size)
    assert len(drawn) == 1 and all(w <= bound[0] and h <= bound[1] for _n, w, h in drawn)
    assert all(f"Caption {i} of the photograph" in "".join(pdf_pages(pdf)) for i in (0, 19))
    with zipfile.ZipFile(tmp_path / "out" / "a.docx") as docx:
        media = [n for n in docx.namelist() if n.startswith("word/media/")]
        assert len(media) == 1
        with PILImage.open(io.BytesIO(docx.read(media[0]))) as embedded:
            assert embedded.width < 8000  # downscaled to the text block at print resolution
    with zipfile.ZipFile(tmp_path / "out" / "a.epub") as epub:
        assert len([n for n in epub.namelist() if n.startswith("EPUB/images/img-")]) == 1


@pytest.mark.parametrize(("width", "height", "grey"), [(13_000, 13_000, False), (20_000, 20_000, True)])
def test_an_image_over_the_pixel_limit_is_refused_by_every_writer(tmp_path: Path, width: int, height: int,
                                                                 grey: bool) -> None:
    """13k x 13k peaked at 1.7 GB in the PDF writer and printed Pillow's warning raw; the 20k x 20k bomb
    was copied into the DOCX. Both are refused everywhere, reported, their caption kept."""
    _article(tmp_path, streamed_png(width, height, grey=grey), 1)
    code, _out, err, peak = _convert(tmp_path, "-t", "pdf,epub,docx,json", "-o", "out", "a.md")
    assert code == 0, err
    assert peak < 400, f"peak resident size {peak:.0f} MiB"
    lines = _only_diagnostics(err)
    refused = [line for line in lines if "[writer.image-missing]" in line]
    assert len(refused) == 3 and all("too large" in line and "40,000,000" in line for line in refused)
    pdf = (tmp_path / "out" / "a.pdf").read_bytes()
    assert not _pdf_images(pdf) and "Caption 0 of the photograph" in "".join(pdf_pages(pdf))
    with zipfile.ZipFile(tmp_path / "out" / "a.docx") as docx:
        assert not [n for n in docx.namelist() if n.startswith("word/media/")]
        assert "Caption 0 of the photograph" in docx.read("word/document.xml").decode()
    with zipfile.ZipFile(tmp_path / "out" / "a.epub") as epub:
        assert not [n for n in epub.namelist() if n.startswith("EPUB/images/img-")]
    assert json.loads((tmp_path / "out" / "a.json").read_text())  # the tree itself is untouched


def _truncated_jpeg() -> bytes:
    out = io.BytesIO()
    PILImage.effect_noise((400, 300), 60).convert("RGB").save(out, format="JPEG")
    return out.getvalue()[: len(out.getvalue()) // 2]


def _write(name: str, resources: dict[str, bytes]) -> WriteResult:
    doc = Document(Meta(title="Cut short", language="en"), (
        Paragraph((Text("Before the pictures."),)),
        Figure((Text("Caption of the cut PNG"),), "cut.png", "a cut PNG"),
        Figure((Text("Caption of the cut JPEG"),), "cut.jpg", "a cut JPEG"),
        Paragraph((Text("Inline "), Image("cut.png", "the inline cut picture"), Text(" and after."))),
        Figure((Text("Caption of the good one"),), "good.png", "a good one"),
    ))
    return WRITERS[name].write(Publication((doc,)), STYLE, WriteOptions(build_time=BUILD, fonts=FONTS,
                                                                        resources=resources))


def _text_of(name: str, data: bytes) -> str:
    if name == "pdf":
        return "".join(pdf_pages(data))
    with zipfile.ZipFile(io.BytesIO(data)) as package:
        return "".join(package.read(n).decode() for n in package.namelist() if n.endswith((".xhtml", ".xml")))


@pytest.mark.parametrize("name", ["pdf", "epub", "docx"])
def test_a_truncated_image_is_reported_never_fatal_and_its_caption_kept(name: str) -> None:
    """One truncated image used to fail the whole PDF (and a truncated JPEG slipped into the EPUB and DOCX)."""
    cut_png = streamed_png(400, 300, keep=0.5)
    result = _write(name, {"cut.png": cut_png, "cut.jpg": _truncated_jpeg(), "good.png": png(60, 40)})
    missing = [d for d in result.diagnostics if d.code == "writer.image-missing"]
    assert {d.text for d in missing} == {"cut.png", "cut.jpg"}
    assert all("truncated" in d.message for d in missing)
    text = _text_of(name, result.data)
    for kept in ("Caption of the cut PNG", "Caption of the cut JPEG", "the inline cut picture",
                 "Caption of the good one"):
        assert kept in text, kept
    if name == "pdf":
        assert len(_pdf_images(result.data)) == 1  # the good one


def test_a_large_image_is_downscaled_once_in_the_pdf_and_shown_at_the_same_size() -> None:
    """Downscaling changes the pixels, never the layout: a 6000 x 600 picture (downscaled) is placed
    exactly as a 2000 x 200 one (not downscaled, also wider than the text) is."""
    placed = {}
    for width in (6000, 2000):
        doc = Document(Meta(title="Sizes", language="en"), (Figure((Text("wide"),), "x.png", "wide"),) * 3)
        result = PDF.write(Publication((doc,)), STYLE, WriteOptions(build_time=BUILD, fonts=FONTS,
                                                                    resources={"x.png": png(width, width // 10)}))
        assert not result.diagnostics
        drawn = _pdf_images(result.data)
        assert len(drawn) == 1
        assert next(iter(drawn))[1] == min(width, print_bound(*STYLE.page_size)[0])
        with pikepdf.open(io.BytesIO(result.data)) as pdf:
            placed[width] = [op for page in pdf.pages
                             for op in re.findall(rb"[\d.]+ 0 0 [\d.]+ 0 0 cm", page.Contents.read_bytes())
                             if not op.startswith(b"1 0 0 1 ")]  # the translations
    assert len(placed[6000]) == 3 and placed[6000] == placed[2000]


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no named pipes on this platform")
def test_nothing_hostile_is_left_unreported(tmp_path: Path) -> None:
    """All of it in one article: the CLI finishes, writes every format and prints only diagnostics."""
    (tmp_path / "bomb.png").write_bytes(streamed_png(20_000, 20_000, grey=True))
    (tmp_path / "cut.png").write_bytes(streamed_png(400, 300, keep=0.5))
    os.mkfifo(tmp_path / "pipe.png")
    (tmp_path / "a.md").write_text("# All of it\n\n![The bomb](bomb.png)\n\n![The cut one](cut.png)\n\n"
                                   "![The pipe](pipe.png)\n\nThe end.\n", encoding="utf-8")
    code, _out, err, peak = _convert(tmp_path, "-t", "pdf,epub,docx", "-o", "out", "a.md")
    assert code == 0, err
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["a.docx", "a.epub", "a.pdf"]
    lines = _only_diagnostics(err)
    assert sum("[writer.image-missing]" in line for line in lines) == 6  # bomb and cut one, three writers
    assert sum("[reader.image-refused]" in line for line in lines) == 1
    assert peak < 400
