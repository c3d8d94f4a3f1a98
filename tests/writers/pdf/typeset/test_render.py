"""Text drawing (``briefpub.writers.pdf.typeset.render``): the glyph writer's plain path (strings
written in slices between adjustments, glyph keys looked up at once) writes the bytes its glyph-by-glyph
version wrote."""

from __future__ import annotations

import io
from typing import Any

import pytest
from reportlab.lib.pagesizes import A4
from reportlab.platypus import SimpleDocTemplate

from briefpub.pipeline import style_fonts
from briefpub.styling import load_style
from briefpub.writers.pdf.typeset import render
from briefpub.writers.pdf.typeset.flowable import TextFlowable
from briefpub.writers.pdf.typeset.layout import GlyphRun
from briefpub.writers.pdf.typeset.model import Align, ParaStyle, Run, TextBlock

FONTS = style_fonts(load_style())
TEXTS = [
    "AVATAR To Wa Yo: \u201cquoted\u201d talks \u2013 anti-terror office ffi fl 1,000 (TASS) Lavrov\u2019s "
    "representatives in Astana agreed on a ceasefire. " * 6,
    "".join(chr(c) for c in range(0x391, 0x3a9)) + " " + "".join(chr(c) for c in range(0x410, 0x44f)) + " "
    + "".join(chr(c) for c in range(0xc0, 0x17f) if chr(c).isalpha()) + " www.example.org/a/long/path",
    "\u0627\u0644\u0633\u0644\u0627\u0645 Peace \u05e9\u05dc\u05d5\u05dd \u4e2d\u6587 e\u0301te\u0301",
]


def _reference_glyphs(self: Any, run: GlyphRun, g0: int, g1: int, *, force_font: bool = False) -> None:
    """``_Writer.glyphs`` before its plain path wrote strings in slices (kept as the reference)."""
    if g0 >= g1:
        return
    font = run.item.font
    ttf = font.ttf
    size = run.item.size
    key_for = ttf.key_for
    keys = [key_for(run.gids[j], run.texts[j]) for j in range(g0, g1)]
    widths = ttf.face.charWidths
    default = ttf.face.defaultWidth
    per_point = 1000.0 / size
    hyphen = run.hyphen
    spaces = set(run.spaces)
    hyphen_text = self.extraction.hyphen_actual_text
    rtl_text = (not run.mark and ((self.extraction.rtl_actual_text and run.rtl)
                                  or (self.extraction.complex_actual_text and not run.rtl
                                      and run.item.script in render._COMPLEX_LTR)))
    plain = (not rtl_text and not g0 <= hyphen < g1
             and self.rise == self.base_rise and not any(run.x_off[g0:g1]) and not any(run.y_off[g0:g1]))
    if plain:
        # the common case (no marks, no inserted hyphen): only advances to adjust
        adjustments = [widths.get(k, default) - a * per_point for k, a in zip(keys, run.advances[g0:g1],
                                                                              strict=True)]
        j = 0
        buf = self.buf
        for subset, data in ttf.splitString("".join(map(chr, keys)), self.doc):
            state = (id(ttf), subset, size)
            if state != self.font or force_font:
                self.op(f"{ttf.getSubsetInternalName(subset, self.doc)} {render._fmt(size)} Tf")
                self.font = state
                force_font = False
            for byte in data:
                buf.append(byte)
                adjustment = adjustments[j]
                if adjustment >= 0.05 or adjustment <= -0.05:
                    self.number(adjustment, gap=g0 + j in spaces)
                j += 1
        return
    if rtl_text:
        texts = run.texts[g0:g1]
        logical = "".join(reversed(texts) if run.rtl else texts)
        self.op(f"/Span <</ActualText {render._utf16(logical)}>> BDC")
    j = g0
    for subset, data in ttf.splitString("".join(map(chr, keys)), self.doc):
        state = (id(ttf), subset, size)
        if state != self.font or force_font:
            self.op(f"{ttf.getSubsetInternalName(subset, self.doc)} {render._fmt(size)} Tf")
            self.font = state
            force_font = False
        for byte in data:
            rise = self.base_rise + run.y_off[j]
            if rise != self.rise:
                self.set_rise(rise)
            is_hyphen = j == hyphen
            if is_hyphen:
                if rtl_text:  # inside the run's own ActualText span: a nested one (a sequence cannot end here)
                    if hyphen_text is not None:
                        self.op(f"/Span <</ActualText {render._utf16(hyphen_text)}>> BDC")
                else:
                    self.open_hyphen()
            xo = run.x_off[j] * per_point
            if xo:
                self.number(-xo)
            self.buf.append(byte)
            key = keys[j - g0]
            self.number(widths.get(key, default) - run.advances[j] * per_point + xo, gap=j in spaces)
            if is_hyphen:
                if not rtl_text:
                    self.close_hyphen()
                elif hyphen_text is not None:
                    self.op("EMC")
            j += 1
    if rtl_text:
        self.op("EMC")



def _pdf(texts: list[str]) -> bytes:
    out = io.BytesIO()
    doc = SimpleDocTemplate(out, pagesize=A4, invariant=1, title="t", author="t", creator="t", producer="t")
    story = []
    for text in texts:
        for size, align, ligatures in ((10.5, Align.JUSTIFY, True), (22.0, Align.LEFT, False)):
            faces = tuple(FONTS.families("body")[0].faces)
            block = TextBlock.of([Run(text, faces, size)], ParaStyle(size * 1.3, align=align, hyphenate="en-GB",
                                                                     ligatures=ligatures))
            story.append(TextFlowable(block))
    doc.build(story)
    return out.getvalue()


@pytest.mark.parametrize("index", range(len(TEXTS)))
def test_glyphs_write_what_the_glyph_by_glyph_writer_wrote(monkeypatch: pytest.MonkeyPatch, index: int) -> None:
    texts = [TEXTS[index], *TEXTS[:index]]
    found = _pdf(texts)
    monkeypatch.setattr(render._Writer, "glyphs", _reference_glyphs)
    assert found == _pdf(texts)
