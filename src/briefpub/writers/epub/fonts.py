"""System fonts for the generated cover image (writer stage).

The cover is drawn with Pillow, which needs font files. Families are named in the style
sheet (``fonts.heading`` then ``fonts.fallback``); they are found by the system-font scan
shared with the PDF writer (:mod:`briefpub.writers._fonts`: standard font folders, name
tables read with the standard library, cached per process), so writing a PDF and an EPUB
in one process scans the fonts once. Results are deterministic for a given machine. When
no family is found at all, the cover falls back to Pillow's built-in font (see
``cover.py``).
"""

from __future__ import annotations

import unicodedata

from briefpub.writers._fonts import Face, Family
from briefpub.writers._fonts import coverage as _codepoints

__all__ = ["FontFace", "coverage", "find_face", "visible_count"]

#: A face of a font file (``index`` selects a face of a collection).
FontFace = Face


def find_face(family: str, bold: bool = False) -> FontFace | None:
    """The system face of ``family`` (bold or regular), or None when it is not installed."""
    found = Family.find(family.strip()) if family.strip() else None
    return found.face(bold, False) if found is not None else None


def _visible(ch: str) -> bool:
    """Characters that need a glyph (not spaces, controls, format characters or variation selectors)."""
    return not ch.isspace() and unicodedata.category(ch) not in ("Cc", "Cf") and not ("\ufe00" <= ch <= "\ufe0f")


def coverage(face: FontFace, text: str) -> int:
    """How many of the visible characters of ``text`` ``face`` has glyphs for."""
    cps = _codepoints(face)
    return sum(1 for ch in text if _visible(ch) and ord(ch) in cps)


def visible_count(text: str) -> int:
    """The number of characters :func:`coverage` counts."""
    return sum(1 for ch in text if _visible(ch))
