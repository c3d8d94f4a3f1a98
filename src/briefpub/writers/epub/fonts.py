"""Fonts for the generated cover image, chosen from the conversion's font set (writer stage).

The cover is drawn with Pillow, which needs font files. They come from the
:class:`~briefpub.fonts.FontSet` the pipeline resolved once for the whole
conversion (``WriteOptions.fonts``, :func:`~briefpub.writers.require_fonts`):
the ``heading`` role's families followed by the fallback chain. The writer
never scans font folders itself. For each piece of text the first family
whose face has every glyph (HarfBuzz's cmap, kept in the disk cache by
:func:`briefpub.fonts.cached_coverage`, so a cold cover imports no HarfBuzz)
is used, else the one with the most; with no family at all the cover uses
Pillow's built-in font (see ``cover.py``).
"""

from __future__ import annotations

import unicodedata

from briefpub.fonts import Face, Family, cached_coverage

__all__ = ["covered", "face_for", "visible_count"]


def _visible(ch: str) -> bool:
    """Characters that need a glyph (not spaces, controls, format characters or variation selectors)."""
    return not ch.isspace() and unicodedata.category(ch) not in ("Cc", "Cf") and not ("\ufe00" <= ch <= "\ufe0f")


def covered(face: Face, text: str) -> int:
    """How many of the visible characters of ``text`` ``face`` has glyphs for."""
    cps = cached_coverage(face)
    return sum(1 for ch in text if _visible(ch) and ord(ch) in cps)


def visible_count(text: str) -> int:
    """The number of characters :func:`covered` counts."""
    return sum(1 for ch in text if _visible(ch))


def face_for(families: tuple[Family, ...], text: str, bold: bool) -> Face | None:
    """The face of the first family covering all of ``text``, else of the one covering most; None without fonts."""
    best: Face | None = None
    best_count = -1
    need = visible_count(text)
    for family in families:
        face = family.face(bold, False)
        count = covered(face, text)
        if count >= need:
            return face
        if count > best_count:
            best, best_count = face, count
    return best
