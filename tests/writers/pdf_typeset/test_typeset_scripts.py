"""Other scripts: CJK line breaking, Indic and Thai shaping and extraction, Greek and Cyrillic."""

from __future__ import annotations

import pytest

from briefpub.fonts import find_family
from briefpub.writers.pdf.typeset import ParaStyle, Run, TextBlock, TextFlowable, font_data
from briefpub.writers.pdf.typeset._unicode import CLOSING, OPENING

CHINESE = ("阿斯塔纳和谈于周一开始，叙利亚政府代表团和反对派代表团首次面对面会谈。俄罗斯、伊朗和土耳其三国负责监督停火"
           "协议的执行情况，并将在会谈结束后发表联合声明。")
HINDI = "नई दिल्ली में विदेश मंत्रालय ने कहा कि शांति वार्ता सोमवार को शुरू होगी और क्षेत्रीय प्रतिनिधि भाग लेंगे।"
THAI = "การเจรจาสันติภาพจะเริ่มขึ้นในวันจันทร์ที่กรุงอัสตานา"
GREEK_CYRILLIC = "Ελληνικά κείμενα και Кириллица: переговоры начались в понедельник в Астане."


@pytest.fixture(scope="module")
def chain(fonts):
    names = ("DejaVu Serif", "DejaVu Sans", "Noto Sans Devanagari", "Noto Sans Thai", "WenQuanYi Zen Hei",
             "Droid Sans Fallback")
    faces = tuple(f.face(False, False) for f in (find_family(n) for n in names) if f is not None)
    for needed in ("Noto Sans Devanagari", "Noto Sans Thai"):
        if not any(face.family == needed for face in faces):
            pytest.skip(f"{needed} is not installed")
    if not any(face.family in ("WenQuanYi Zen Hei", "Droid Sans Fallback") for face in faces):
        pytest.skip("no CJK TrueType font installed")
    return faces


def test_cjk_breaks_between_ideographs_but_not_before_closing_punctuation(fonts, chain):
    layout = TextFlowable(TextBlock.of([Run(CHINESE, chain, 11)], ParaStyle(16))).layout(200)
    assert len(layout.lines) > 3
    text = layout.prepared.text
    for line in layout.lines:
        assert text[line.start] not in CLOSING
        assert text[line.end - 1] not in OPENING
        assert line.width <= 200 + 0.01
    for line in layout.lines[:-1]:
        assert line.width == pytest.approx(200, abs=0.5)  # CJK lines justify on inter-character glue


def test_korean_breaks_between_words_not_inside_them(chain):
    korean = "외교부 장관은 월요일에 아스타나에서 열린 회담에 참석했다고 대변인이 밝혔다. " * 4
    if not all(any(ord(c) in font_data(face).coverage for face in chain) for c in "외교부"):
        pytest.skip("no Hangul font installed")
    layout = TextFlowable(TextBlock.of([Run(korean, chain, 11)], ParaStyle(16))).layout(150)
    assert len(layout.lines) > 3
    text = layout.prepared.text
    for line in layout.lines[:-1]:
        assert text[line.end:line.end + 1] in (" ", ""), text[line.start:line.end + 1]


def test_scripts_extract_as_written(tools, chain):
    texts = [CHINESE, HINDI, THAI, GREEK_CYRILLIC]
    story = [TextFlowable(TextBlock.of([Run(t, chain, 11)], ParaStyle(16, hyphenate="en"))) for t in texts]
    data = tools.build(story)
    expected = "".join("".join(texts).split())
    assert "".join(tools.pdftotext(data).split()) == expected
    assert "".join(tools.pypdf_text(data).split()) == expected
    assert all(not f.report().missing for f in story)


def test_devanagari_is_shaped(chain):
    from briefpub.writers.pdf.typeset.fonts import font_data
    from briefpub.writers.pdf.typeset.shaping import shape

    devanagari = font_data(next(f for f in chain if f.family == "Noto Sans Devanagari"))
    shaped = shape(devanagari, "क्षेत्रीय", script="Deva")
    assert len(shaped.gids) < len("क्षेत्रीय")  # conjuncts and matras: fewer glyphs than characters
    naive = [devanagari.nominal_glyph(c) for c in "क्षेत्रीय"]
    assert list(shaped.gids) != naive
