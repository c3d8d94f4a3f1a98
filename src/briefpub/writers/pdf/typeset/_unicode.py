"""Character properties the text engine needs (standard library only).

* :func:`cluster_bounds`: approximate extended grapheme clusters (a base and its
  marks, joiner sequences, emoji modifiers, flags, Indic conjuncts), the unit of
  font fallback and of last-resort line breaks.
* :func:`script_runs`: the text split by script, for HarfBuzz (each run is shaped
  with its script's shaper); common characters (spaces, punctuation, digits) and
  marks join the script around them.
* Break classes used by the line breaker: CJK ideographs (a break opportunity on
  each side), closing punctuation (never a break before it), opening punctuation
  (never a break after it), spaces that stretch and spaces that do not break.
"""

from __future__ import annotations

import bisect
import re
import unicodedata

from briefpub._lazyre import lazy_re

__all__ = [
    "CLOSING",
    "NO_BREAK_SPACES",
    "OPENING",
    "cluster_bounds",
    "is_cjk",
    "is_invisible",
    "is_space",
    "script_runs",
]

#: Characters with no break before them (closing punctuation, CJK small kana, iteration marks).
CLOSING = frozenset(
    ")]}»›”’!?;:,.%‰…"
    "、。，．！？：；）」』】〕〉》〗〙〛｝｠"
    "ヽヾーァィゥェォッャュョヮヵヶぁぃぅぇぉっゃゅょゎゕゖ々〻゛゜"
)
#: Characters with no break after them (opening punctuation).
OPENING = frozenset("([{«‹“‘„¿¡（「『【〔〈《〖〘〚｛｟")
#: Spaces that never break a line (they still stretch in justified lines, except the narrow ones).
NO_BREAK_SPACES = frozenset("\u00a0\u202f\u2007\u2060\ufeff")
_SPACES = frozenset(" \t\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2008\u2009\u200a\u205f\u3000")


def is_space(char: str) -> bool:
    """A breakable space (word separator)."""
    return char in _SPACES


def is_invisible(char: str) -> bool:
    """A character that draws nothing: format controls, variation selectors, soft hyphen."""
    code = ord(char)
    return (
        0xFE00 <= code <= 0xFE0F
        or 0xE0100 <= code <= 0xE01EF
        or unicodedata.category(char) == "Cf"
    )


_CJK_RANGES = (
    (0x1100, 0x11FF), (0x2E80, 0x2FDF), (0x2FF0, 0x303F), (0x3040, 0x31FF), (0x3200, 0x4DBF),
    (0x4E00, 0x9FFF), (0xA960, 0xA97F), (0xAC00, 0xD7AF), (0xF900, 0xFAFF), (0xFE30, 0xFE4F),
    (0xFF00, 0xFF60), (0xFFE0, 0xFFE6), (0x1B000, 0x1B16F), (0x20000, 0x3FFFF),
)


def is_cjk(char: str) -> bool:
    """An ideograph, kana, Hangul syllable or fullwidth form: lines may break on either side."""
    code = ord(char)
    if code < 0x1100:
        return False
    return any(lo <= code <= hi for lo, hi in _CJK_RANGES)


def _joins_previous(char: str, previous: str) -> bool:
    code = ord(char)
    if previous == "\u200d" or char == "\u200d":
        return True
    if 0xFE00 <= code <= 0xFE0F or 0x1F3FB <= code <= 0x1F3FF or 0xE0020 <= code <= 0xE007F:
        return True
    if 0xE0100 <= code <= 0xE01EF:
        return True
    category = unicodedata.category(char)
    if category in ("Mn", "Mc", "Me"):
        return True
    # Indic conjuncts: a virama joins the next consonant to its cluster.
    if category == "Lo" and unicodedata.combining(previous) == 9:
        return True
    # Regional indicator pairs (flags).
    if 0x1F1E6 <= code <= 0x1F1FF and 0x1F1E6 <= ord(previous) <= 0x1F1FF:
        return True
    return previous == "\r" and char == "\n"


def cluster_bounds(text: str) -> list[int]:
    """The start offsets of the grapheme clusters of ``text``, then ``len(text)``."""
    bounds = [0] if text else []
    previous = ""
    pair_open = False
    for i, char in enumerate(text):
        if i and _joins_previous(char, previous) and not (pair_open and 0x1F1E6 <= ord(char) <= 0x1F1FF):
            if 0x1F1E6 <= ord(char) <= 0x1F1FF:
                pair_open = True
        else:
            if i:
                bounds.append(i)
            pair_open = False
        previous = char
    bounds.append(len(text))
    return bounds


# Scripts (ISO 15924 tags as HarfBuzz wants them), by code point range.
_SCRIPT_TABLE: tuple[tuple[int, int, str], ...] = (
    (0x0041, 0x005A, "Latn"), (0x0061, 0x007A, "Latn"), (0x00AA, 0x00AA, "Latn"), (0x00BA, 0x00BA, "Latn"),
    (0x00C0, 0x00D6, "Latn"), (0x00D8, 0x00F6, "Latn"), (0x00F8, 0x024F, "Latn"), (0x0250, 0x02AF, "Latn"),
    (0x0370, 0x03FF, "Grek"), (0x0400, 0x052F, "Cyrl"), (0x0530, 0x058F, "Armn"), (0x0590, 0x05FF, "Hebr"),
    (0x0600, 0x064A, "Arab"), (0x0660, 0x0669, "Arab"), (0x066E, 0x06FF, "Arab"), (0x0700, 0x074F, "Syrc"),
    (0x0750, 0x077F, "Arab"), (0x0780, 0x07BF, "Thaa"), (0x07C0, 0x07FF, "Nkoo"), (0x0800, 0x083F, "Samr"),
    (0x0840, 0x085F, "Mand"), (0x0860, 0x086F, "Syrc"), (0x0870, 0x08FF, "Arab"), (0x0900, 0x097F, "Deva"),
    (0x0980, 0x09FF, "Beng"), (0x0A00, 0x0A7F, "Guru"), (0x0A80, 0x0AFF, "Gujr"), (0x0B00, 0x0B7F, "Orya"),
    (0x0B80, 0x0BFF, "Taml"), (0x0C00, 0x0C7F, "Telu"), (0x0C80, 0x0CFF, "Knda"), (0x0D00, 0x0D7F, "Mlym"),
    (0x0D80, 0x0DFF, "Sinh"), (0x0E00, 0x0E7F, "Thai"), (0x0E80, 0x0EFF, "Laoo"), (0x0F00, 0x0FFF, "Tibt"),
    (0x1000, 0x109F, "Mymr"), (0x10A0, 0x10FF, "Geor"), (0x1100, 0x11FF, "Hang"), (0x1200, 0x139F, "Ethi"),
    (0x13A0, 0x13FF, "Cher"), (0x1780, 0x17FF, "Khmr"), (0x1800, 0x18AF, "Mong"), (0x1C90, 0x1CBF, "Geor"),
    (0x1E00, 0x1EFF, "Latn"), (0x1F00, 0x1FFF, "Grek"), (0x2C60, 0x2C7F, "Latn"), (0x2D00, 0x2D2F, "Geor"),
    (0x2DE0, 0x2DFF, "Cyrl"), (0x2E80, 0x2FDF, "Hani"), (0x3040, 0x309F, "Hira"), (0x30A0, 0x30FF, "Kana"),
    (0x3100, 0x312F, "Bopo"), (0x3130, 0x318F, "Hang"), (0x31F0, 0x31FF, "Kana"), (0x3400, 0x4DBF, "Hani"),
    (0x4E00, 0x9FFF, "Hani"), (0xA640, 0xA69F, "Cyrl"), (0xA720, 0xA7FF, "Latn"), (0xA980, 0xA9DF, "Java"),
    (0xAB30, 0xAB6F, "Latn"), (0xAC00, 0xD7AF, "Hang"), (0xF900, 0xFAFF, "Hani"), (0xFB00, 0xFB06, "Latn"),
    (0xFB13, 0xFB17, "Armn"), (0xFB1D, 0xFB4F, "Hebr"), (0xFB50, 0xFDFF, "Arab"), (0xFE70, 0xFEFC, "Arab"),
    (0xFF21, 0xFF3A, "Latn"), (0xFF41, 0xFF5A, "Latn"), (0xFF66, 0xFF9F, "Kana"), (0xFFA0, 0xFFDC, "Hang"),
    (0x1B000, 0x1B0FF, "Kana"), (0x1EE00, 0x1EEFF, "Arab"), (0x20000, 0x3FFFF, "Hani"),
)
_SCRIPT_STARTS = [lo for lo, _hi, _s in _SCRIPT_TABLE]


def _script_class(keep: bool) -> re.Pattern[str]:
    """A character class of the table's Latin ranges (``keep``) or of its other scripts' ranges."""
    ranges = "".join(f"{re.escape(chr(lo))}-{re.escape(chr(hi))}" for lo, hi, script in _SCRIPT_TABLE
                     if (script == "Latn") == keep)
    return lazy_re(f"[{ranges}]")


_LATIN_SCRIPT = _script_class(True)
_OTHER_SCRIPTS = _script_class(False)


def _script_of(code: int) -> str | None:
    i = bisect.bisect_right(_SCRIPT_STARTS, code) - 1
    if i >= 0:
        _lo, hi, script = _SCRIPT_TABLE[i]
        if code <= hi:
            return script
    return None


def script_runs(text: str) -> list[tuple[int, int, str | None]]:
    """``(start, end, script)`` runs of ``text``; ``None`` when it has no letter of any script.

    Characters of no script (spaces, punctuation, digits, symbols, combining marks
    outside a script's block) take the script before them, or after them at the start.
    """
    if not text:
        return []
    if text.isascii() or max(text) < "\u0370":
        return [(0, len(text), "Latn" if any(c.isalpha() for c in text) else None)]
    if _OTHER_SCRIPTS.search(text) is None:
        # Latin and characters of no script only (curly quotes, dashes): what the loop below gives for it
        return [(0, len(text), "Latn" if _LATIN_SCRIPT.search(text) else None)]
    runs: list[tuple[int, int, str | None]] = []
    start = 0
    current: str | None = None
    for i, char in enumerate(text):
        code = ord(char)
        script = _script_of(code) if code >= 0x41 else None
        if script is None or script == current:
            continue
        if current is None:
            current = script  # leading common characters join the first script
            continue
        runs.append((start, i, current))
        start, current = i, script
    runs.append((start, len(text), current))
    return runs
