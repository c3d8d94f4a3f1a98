"""Which characters each embedded face must hold (``briefpub.writers.docx.fonttable``): the shortcut for
runs of Latin, Greek and Cyrillic text gives what the character-by-character path gives."""

from __future__ import annotations

import pytest
from lxml import etree

from briefpub.writers.docx import fonttable
from briefpub.writers.docx import styles as st
from briefpub.writers.docx.fonttable import FaceUse, _Collector, slot_of
from briefpub.writers.docx.oxml import Fonts

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
RUNS = ["Plain ASCII text, 1234.", "Typographic \u201cquotes\u201d \u2013 and \u2019s \u2026", "\u00e9t\u00e9 \u00df",
        "\u0394\u03b5\u03bb\u03c6\u03bf\u03af \u041c\u043e\u0441\u043a\u0432\u0430",
        "Mixed \u05e9\u05dc\u05d5\u05dd (Hebrew) 12", "\u6771\u4eac in text", "\u200f mark", "\u0e44\u0e17\u0e22 Thai"]


class Recording(_Collector):
    """Records what each run adds, per font name, instead of looking faces up."""

    def __init__(self) -> None:
        body = FaceUse("body", False, False)
        fonts = Fonts("LatinFace", "EastAsianFace", "ComplexFace")
        super().__init__({st.NORMAL: body}, {}, {"body": fonts, "heading": fonts, "mono": fonts})
        self.added: list[tuple[str, bool, bool, frozenset[str]]] = []

    def add(self, family_name: str, bold: bool, italic: bool, text: str) -> None:
        self.added.append((family_name, bold, italic, frozenset(text)))


def _paragraph(text: str) -> etree._Element:
    p = etree.Element(f"{{{W}}}p")
    run = etree.SubElement(p, f"{{{W}}}r")
    etree.SubElement(run, f"{{{W}}}t").text = text
    return p


@pytest.mark.parametrize("text", RUNS)
def test_the_latin_shortcut_adds_what_the_slow_path_adds(text: str, monkeypatch: pytest.MonkeyPatch) -> None:
    fast = Recording()
    fast.paragraph(_paragraph(text))
    monkeypatch.setattr(fonttable, "_latin_only", lambda: frozenset())
    slow = Recording()
    slow.paragraph(_paragraph(text))
    assert {(n, b, i, c) for n, b, i, c in fast.added if c} == {(n, b, i, c) for n, b, i, c in slow.added if c}


def test_the_shortcut_set_holds_only_latin_slot_characters() -> None:
    latin = fonttable._latin_only()
    assert all(slot_of(c) == "latin" for c in latin)
    assert "\u05d0" not in latin and "\u200f" not in latin and "\u201c" in latin and "\u0416" in latin
