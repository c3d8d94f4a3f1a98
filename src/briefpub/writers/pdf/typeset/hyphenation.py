"""Hyphenation points from pyphen patterns, per language and per word (cached).

:func:`hyphenator` maps a BCP 47 tag to pyphen's patterns: ``en-US`` -> ``en_US``,
``en-GB`` -> ``en_GB``, plain ``en`` -> ``en_US`` (pyphen's own ``en`` is British),
``no`` -> ``nb``, otherwise :func:`pyphen.language_fallback` (``de-CH-1996`` ->
``de_CH``). A language pyphen does not know gives ``None`` (no hyphenation; the
caller reports it unless the script is never hyphenated, like Arabic or Chinese).

Rules applied to every word: at least :data:`MIN_WORD` letters, at least
:data:`LEFT` letters before the first break and :data:`RIGHT` after the last,
no hyphenation of all-capital words (acronyms) or words with digits.
"""

from __future__ import annotations

import functools

import pyphen

__all__ = ["LEFT", "MIN_WORD", "NEVER_HYPHENATED", "RIGHT", "Hyphenator", "hyphenator", "pyphen_language"]

MIN_WORD = 6
LEFT = 2
RIGHT = 3
#: Languages whose scripts are not hyphenated: no report when pyphen lacks them.
NEVER_HYPHENATED = frozenset(
    {"zh", "ja", "ko", "ar", "he", "iw", "fa", "ur", "yi", "ps", "th", "lo", "km", "my", "bo", "dv", "ug", "sd"}
)
_EXPLICIT = {"en": "en_US", "no": "nb", "en_UK": "en_GB"}


def pyphen_language(tag: str) -> str | None:
    """pyphen's dictionary name for a BCP 47 tag, or None when it has none."""
    lang = tag.strip().replace("-", "_")
    if not lang:
        return None
    parts = lang.split("_")
    parts[0] = parts[0].lower()
    for i in range(1, len(parts)):
        parts[i] = parts[i].upper() if len(parts[i]) == 2 else parts[i].title()
    lang = "_".join(parts)
    if lang in _EXPLICIT:
        return _EXPLICIT[lang]
    found = pyphen.language_fallback(lang)
    if found is None and parts[0] in _EXPLICIT:
        return _EXPLICIT[parts[0]]
    return str(found) if found else None


class Hyphenator:
    """Hyphenation points of words in one language (cached per word)."""

    def __init__(self, dictionary: str) -> None:
        self.dictionary = dictionary
        self._dic = pyphen.Pyphen(lang=dictionary, left=LEFT, right=RIGHT)
        self._cache: dict[str, tuple[int, ...]] = {}

    def points(self, word: str) -> tuple[int, ...]:
        """Offsets inside ``word`` where it may be hyphenated (empty for short words and acronyms)."""
        found = self._cache.get(word)
        if found is not None:
            return found
        points: tuple[int, ...] = ()
        if len(word) >= MIN_WORD and word.isalpha() and not word.isupper():
            points = tuple(p for p in self._dic.positions(word) if LEFT <= p <= len(word) - RIGHT)
        if len(self._cache) > 50000:
            self._cache.clear()
        self._cache[word] = points
        return points


@functools.cache
def _hyphenator(dictionary: str) -> Hyphenator:
    return Hyphenator(dictionary)


def hyphenator(tag: str) -> Hyphenator | None:
    """The hyphenator for a BCP 47 language tag (one per dictionary and process), or None."""
    dictionary = pyphen_language(tag)
    return _hyphenator(dictionary) if dictionary else None
