"""The PDF itself: embedded fonts, byte-identical rebuilds, link rectangles, ligatures, a rendered page."""

from __future__ import annotations

import hashlib
import io
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from briefpub.writers.pdf.typeset import Align, ParaStyle, Run, TextBlock, TextFlowable

LEADING = 14.5
BODY = ParaStyle(LEADING, hyphenate="en", space_after=6)
ROOT = Path(__file__).resolve().parents[3]


def _sample_story(fonts, article):
    chain = fonts.chain()
    story = [TextFlowable(TextBlock.of([Run("Harbour Hosts Preliminary Port Strike Talks", fonts.chain(bold=True,
                                                                                                    base="sans"), 22)],
                                       ParaStyle(26, align=Align.LEFT, balanced=True, space_after=8)))]
    story += [TextFlowable(TextBlock.of([Run(t, chain, 10.5)], BODY)) for t in article[:4]]
    story.append(TextFlowable(TextBlock.of([
        Run("The envoy (سيرجي لافروف) said that the ", chain, 10.5),
        Run("Astana talks", fonts.chain(bold=True), 10.5, link="https://example.org/astana", underline=True,
            colour="#1f4e8c"),
        Run(" would continue; Prime Minister ", chain, 10.5),
        Run("בנימין נתניהו", chain, 10.5, lang="he"),
        Run(" was not invited, according to officials who spoke on condition of anonymity.", chain, 10.5)], BODY)))
    story.append(TextFlowable(TextBlock.of([
        Run("بدأت المحادثات التمهيدية في العاصمة الكازاخستانية يوم الأحد، ووصل الوفد الحكومي السوري. وقال ",
            (fonts.arabic, fonts.sans), 10.5),
        Run("Sergey Lavrov (TASS)", (fonts.sans, fonts.arabic), 10.5, lang="en"),
        Run(" إن المحادثات لا تزال في مرحلتها الأولى، وإن الأطراف ستلتقي وجهاً لوجه للمرة الأولى منذ بداية الصراع.",
            (fonts.arabic, fonts.sans), 10.5)], ParaStyle(LEADING, space_after=6))))
    return story


def test_every_font_is_embedded(tools, fonts, article):
    data = tools.build(_sample_story(fonts, article))
    rows = tools.pdffonts(data)
    assert rows
    for row in rows:
        assert row[-5] == "yes", row  # emb
        assert row[-4] == "yes", row  # sub
        assert row[-3] == "yes", row  # uni (ToUnicode)


def test_rebuilds_are_byte_identical(tools, fonts, article):
    first = tools.build(_sample_story(fonts, article))
    second = tools.build(_sample_story(fonts, article))
    assert first == second


def test_rebuilds_in_other_processes_are_byte_identical(tmp_path):
    """Hash seeds and the order fonts are first met in a process must not reach the file."""
    script = tmp_path / "build.py"
    script.write_text(textwrap.dedent(f"""
        import hashlib, io, sys
        sys.path[:0] = [{str(ROOT / "tests")!r}, {str(ROOT / "tests" / "writers" / "pdf_typeset")!r}]
        from briefpub.fonts import find_family
        from briefpub.writers.pdf.typeset import ParaStyle, Run, TextBlock, TextFlowable
        from reportlab.platypus import SimpleDocTemplate
        serif = find_family("DejaVu Serif").face(False, False)
        arabic = find_family("Noto Sans Arabic").face(False, False)
        if sys.argv[1] == "warm":  # meet other glyphs first: private keys are assigned in another order
            warm = TextFlowable(TextBlock.of([Run("لا إله office fi", (arabic, serif), 12)], ParaStyle(14,
                                                                                          ligatures=True)))
            SimpleDocTemplate(io.BytesIO(), invariant=1).build([warm])
        text = "The envoy (سيرجي لافروف) said the talks would go on; the delegation arrived on Sunday. " * 3
        story = [TextFlowable(TextBlock.of([Run(text, (serif, arabic), 10.5)], ParaStyle(14.5, hyphenate="en")))]
        buf = io.BytesIO()
        SimpleDocTemplate(buf, invariant=1, initialFontName=None).build(story)
        print(hashlib.sha256(buf.getvalue()).hexdigest())
    """))
    digests = set()
    for seed, mode in (("1", "cold"), ("2", "warm"), ("3", "cold")):
        env = dict(os.environ, PYTHONHASHSEED=seed)
        done = subprocess.run([sys.executable, str(script), mode], capture_output=True, text=True, env=env,
                              check=True)
        digests.add(done.stdout.strip())
    assert len(digests) == 1


def test_link_rectangles_cover_exactly_the_link_text(tools, fonts):
    pikepdf = pytest.importorskip("pikepdf")
    chain = fonts.chain()
    link_text = "the Astana Times and several regional news agencies on the eve of negotiations"
    story = [TextFlowable(TextBlock.of([
        Run("Delegations at the meeting on the port strike held preliminary talks, as reported by ", chain, 10.5),
        Run(link_text, chain, 10.5, link="https://astanatimes.com/a", underline=True),
        Run(" between the government and opposition groups.", chain, 10.5)], ParaStyle(LEADING)))]
    width = 300.0
    margins = (595.2756 - width - 12) / 2
    data = tools.build(story, margins=margins)
    pdf = pikepdf.open(io.BytesIO(data))
    page = pdf.pages[0]
    height = float(page.MediaBox[3])
    rects = [[float(v) for v in a.Rect] for a in page.Annots]
    assert len(rects) >= 2  # the link spans lines
    link_words = link_text.split()
    covered = []
    for line in tools.bbox_lines(data)[0]:
        for rect in rects:
            top, bottom = height - rect[3], height - rect[1]
            inside = [w for w in line.words if top <= (w.y0 + w.y1) / 2 <= bottom]
            if not inside:
                continue
            within = [w for w in inside if w.x0 >= rect[0] - 0.5 and w.x1 <= rect[2] + 0.5]
            assert within, (rect, line.text)
            assert min(w.x0 for w in within) == pytest.approx(rect[0], abs=0.6)
            assert max(w.x1 for w in within) == pytest.approx(rect[2], abs=4.0)  # a trailing space may count
            covered.extend(w.text for w in within)
    assert covered == link_words


def test_ligatures_extract_as_letters(tools, fonts):
    text = "The official office staff flew to fluffy fields"
    style = ParaStyle(LEADING, ligatures=True)
    flowable = TextFlowable(TextBlock.of([Run(text, (fonts.serif,), 12)], style))
    layout = flowable.layout(400)
    assert any(len(t) > 1 for run in layout.lines[0].runs for t in run.texts)  # some ligature glyph was used
    data = tools.build([flowable])
    assert tools.words(tools.pdftotext(data)) == text.split()
    assert tools.words(tools.pypdf_text(data)) == text.split()


def test_unsafe_link_targets_are_kept_as_text_and_reported(tools, fonts):
    flowable = TextFlowable(TextBlock.of([Run("click ", fonts.chain(), 10.5),
                                          Run("here", fonts.chain(), 10.5, link="javascript:alert(1)")],
                                         ParaStyle(LEADING)))
    data = tools.build([flowable])
    assert flowable.report().unsafe_links == ("javascript:alert(1)",)
    assert b"javascript" not in data


def test_flowable_measurement_api(fonts):
    text = "It added that a press conference was scheduled for 0800 GMT on Tuesday, although it was unclear."
    flowable = TextFlowable(TextBlock.of([Run(text, fonts.chain(), 10.5)], ParaStyle(LEADING, align=Align.LEFT)))
    assert flowable.line_count(10000) == 1
    assert flowable.line_count(150) > 2
    widths = flowable.line_widths(150)
    assert len(widths) == flowable.line_count(150)
    assert all(w <= 150 for w in widths)
    assert flowable.plain_text() == text
    assert flowable.wrap(150, 1000) == (150, flowable.line_count(150) * LEADING)


def test_colour_and_underline_are_drawn(tools, fonts):
    pikepdf = pytest.importorskip("pikepdf")
    flowable = TextFlowable(TextBlock.of([Run("plain ", fonts.chain(), 10.5),
                                          Run("blue underlined", fonts.chain(), 10.5, colour="#1f4e8c",
                                              underline=True)], ParaStyle(LEADING)))
    data = tools.build([flowable])
    pdf = pikepdf.open(io.BytesIO(data))
    ops = [(str(op), [str(o) for o in operands]) for operands, op in pikepdf.parse_content_stream(pdf.pages[0])]
    assert ("rg", ["0.122", "0.306", "0.549"]) in ops
    assert any(op == "S" for op, _ in ops)
    assert any(op == "RG" and operands == ["0.122", "0.306", "0.549"] for op, operands in ops)


def test_rendered_page(tools, fonts, article, tmp_path):
    """Render a page (the test keeps the PNG under ``tmp_path`` for a look) and check it is not blank."""
    from PIL import Image

    from tools import require_tool

    require_tool("pdftoppm")
    data = tools.build(_sample_story(fonts, article))
    pdf = tmp_path / "sample.pdf"
    pdf.write_bytes(data)
    subprocess.run(["pdftoppm", "-png", "-r", "80", "-f", "1", "-l", "1", str(pdf), str(tmp_path / "page")],
                   check=True)
    image = Image.open(next(tmp_path.glob("page*.png"))).convert("L")
    dark = sum(image.histogram()[:128])
    assert 0.01 < dark / (image.width * image.height) < 0.2
    assert hashlib.sha256(data).hexdigest()
