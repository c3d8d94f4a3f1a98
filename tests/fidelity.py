"""Text-fidelity checks shared by writer tests: every word of the tree, in order."""

from __future__ import annotations

import re
import unicodedata

from briefpub.tree import Document, document_words

_PUNCT_EDGE = re.compile(r"^[^\w]+|[^\w]+$")
#: Typographic punctuation (writers print it when ``paragraphs.smart_punctuation`` is on) as typed.
TYPOGRAPHIC = str.maketrans({"\u2018": "'", "\u2019": "'", "\u201a": "'", "\u201b": "'", "\u201c": '"',
                              "\u201d": '"', "\u201e": '"', "\u201f": '"', "\u00ab": '"', "\u00bb": '"',
                              "\u2039": "'", "\u203a": "'", "\u2013": "-", "\u2014": "-", "\u2026": "...",
                              "\u202f": " ", "\u2009": " "})


def normalise_word(word: str) -> str:
    """Compare words loosely: NFKC, typographic punctuation as typed, no hyphens, no edge punctuation,
    casefolded."""
    word = unicodedata.normalize("NFKC", word).replace("\u00ad", "").translate(TYPOGRAPHIC)
    # Hyphens are ignored: a hard hyphen at a line end ("face-to-" / "face") and a soft
    # hyphenation break look the same in extracted text.
    word = word.replace("-", "").replace("\u2010", "")
    return _PUNCT_EDGE.sub("", word).casefold()


def missing_words(expected: list[str], actual_text: str, *, hyphenation: bool = True) -> list[str]:
    """Words of ``expected`` not found, in order, in ``actual_text`` (empty list = faithful).

    With ``hyphenation``, a word broken across lines ("nego-" "tiations") still
    matches: the actual text is also searched with line-end hyphens removed.
    """
    text = unicodedata.normalize("NFKC", actual_text).replace("\u00ad", "").translate(TYPOGRAPHIC)
    if hyphenation:
        text = re.sub(r"(\w)[-\u2010]\s*\n\s*(\w)", r"\1\2", text)
    haystack = [normalise_word(w) for w in text.split()]
    joined = " ".join(haystack)
    pos = 0
    missing: list[str] = []
    # NFKC can turn one character into "space + mark" (U+00B4): split expected words again after it.
    pieces = [p for w in expected for p in unicodedata.normalize("NFKC", w).split()]
    for word in pieces:
        needle = normalise_word(word)
        if not needle:
            continue
        found = joined.find(needle, pos)
        if found < 0:
            missing.append(word)
        else:
            pos = found + len(needle)
    return missing


def assert_faithful(doc: Document, actual_text: str, *, hyphenation: bool = True) -> None:
    """Fail naming the first missing words if any word of ``doc`` is absent or out of order."""
    missing = missing_words(document_words(doc), actual_text, hyphenation=hyphenation)
    assert not missing, f"{len(missing)} words missing or out of order, first: {missing[:10]}"
