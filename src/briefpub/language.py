"""Language tags: the one BCP 47 rule, direction and hyphenation patterns (shared by every stage).

Readers validate the language an article declares, ``--set language=`` is checked
against the same rule, and writers derive direction, ``xml:lang``/``w:lang`` and
hyphenation patterns from it, so a tag one stage accepts is never refused by
another. Standard library only.
"""

from __future__ import annotations

from briefpub._lazyre import lazy_re

__all__ = [
    "RTL_LANGUAGES",
    "hyphenation_patterns",
    "is_rtl_language",
    "normalise_tag",
    "primary_subtag",
    "valid_tag",
]

# Well-formed BCP 47 (RFC 5646) language tags, without grandfathered irregular tags.
_BCP47 = lazy_re(
    r"^(?:[A-Za-z]{2,3}(?:-[A-Za-z]{3}){0,3}|[A-Za-z]{4,8})"  # language (+ extlang)
    r"(?:-[A-Za-z]{4})?"  # script
    r"(?:-(?:[A-Za-z]{2}|[0-9]{3}))?"  # region
    r"(?:-(?:[A-Za-z0-9]{5,8}|[0-9][A-Za-z0-9]{3}))*"  # variants
    r"(?:-[0-9A-WY-Za-wy-z](?:-[A-Za-z0-9]{2,8})+)*"  # extensions
    r"(?:-[Xx](?:-[A-Za-z0-9]{1,8})+)?$"  # private use
)

#: Primary language subtags written right to left (and scripts that make any language RTL).
RTL_LANGUAGES = frozenset({"ar", "he", "iw", "fa", "ur", "yi", "ji", "ps", "sd", "ug", "dv", "ckb", "syr"})
_RTL_SCRIPTS = frozenset({"arab", "hebr", "syrc", "thaa", "nkoo", "adlm", "rohg"})
_LTR_SCRIPTS = frozenset({"latn", "cyrl"})


def normalise_tag(tag: str) -> str:
    """``tag`` trimmed, with ``_`` read as ``-`` (``en_GB`` -> ``en-GB``); not validated."""
    return tag.strip().replace("_", "-")


def valid_tag(tag: str) -> bool:
    """True when ``tag`` is a well-formed BCP 47 language tag (``en``, ``en-GB``, ``zh-Hant-TW``, ``ku-Arab``)."""
    return bool(tag) and _BCP47.match(tag) is not None


def primary_subtag(tag: str) -> str:
    """The primary language subtag, lower case (``en`` for ``en-GB``), or ``""``."""
    return normalise_tag(tag).split("-")[0].lower()


def is_rtl_language(tag: str) -> bool:
    """True when text in ``tag`` is written right to left (by its script subtag, else its language)."""
    parts = normalise_tag(tag).lower().split("-")
    for part in parts[1:]:
        if len(part) == 4 and part.isalpha():
            if part in _RTL_SCRIPTS:
                return True
            if part in _LTR_SCRIPTS:
                return False
    return parts[0] in RTL_LANGUAGES


def hyphenation_patterns(tag: str, available: frozenset[str] | set[str]) -> str | None:
    """The name of the pattern set (as pyphen names them, ``en_US``) for ``tag``, or None.

    Region-specific patterns when the tag has a region and they exist (``en-GB`` ->
    ``en_GB``); a bare language takes its most widely used patterns (``en`` ->
    ``en_US``, ``de`` -> ``de_DE``, ``pt`` -> ``pt_PT``), never another language's.
    """
    parts = normalise_tag(tag).split("-")
    language = parts[0].lower()
    if not language:
        return None
    region = next((p.upper() for p in parts[1:] if len(p) == 2 and p.isalpha()), "")
    candidates = [f"{language}_{region}"] if region else []
    candidates += [f"{language}_{_DEFAULT_REGION.get(language, language.upper())}", language]
    lowered = {name.lower(): name for name in available}
    for candidate in candidates:
        found = lowered.get(candidate.lower())
        if found is not None:
            return found
    prefixed = sorted(name for name in available if name.lower().startswith(language + "_"))
    return prefixed[0] if prefixed else None


_DEFAULT_REGION = {"en": "US", "de": "DE", "fr": "FR", "es": "ES", "pt": "PT", "nl": "NL", "it": "IT",
                   "sv": "SE", "da": "DK", "nb": "NO", "nn": "NO", "ru": "RU", "uk": "UA", "pl": "PL",
                   "cs": "CZ", "sk": "SK", "hu": "HU", "ro": "RO", "el": "GR", "sr": "Latn"}
