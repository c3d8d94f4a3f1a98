"""Bidi detection (``briefpub.writers.pdf.typeset.bidi``): ``needs_bidi`` looks only at characters from
U+0590 on and answers as the test of every character did."""

from __future__ import annotations

import unicodedata

from hypothesis import given, settings
from hypothesis import strategies as hs

from briefpub.writers.pdf.typeset import bidi

POOL = "ab 1,.\u2019\u201c\u2013\u00e9\u0436\u05d0\u0628\u0663\u4e2d\u2066\u2067\u2068\u202a\u202b\u202d\u202e\u200f"


def _reference_needs_bidi(text: str) -> bool:
    if text.isascii() or max(text) < "\u0590":
        return False
    return any(ord(c) >= 0x0590 and unicodedata.bidirectional(c) in ("R", "AL", "AN", "RLE", "RLO", "LRE", "LRO",
                                                                        "RLI", "LRI", "FSI") for c in text)


@settings(max_examples=500, deadline=None)
@given(text=hs.text(alphabet=POOL, max_size=12))
def test_needs_bidi_matches_the_test_of_every_character(text: str) -> None:
    assert bidi.needs_bidi(text) == _reference_needs_bidi(text)
