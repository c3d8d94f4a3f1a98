"""Language tags: one BCP 47 rule for every stage, direction, hyphenation patterns."""

from __future__ import annotations

import pytest

from briefpub.language import hyphenation_patterns, is_rtl_language, normalise_tag, primary_subtag, valid_tag


@pytest.mark.parametrize("tag", ["en", "en-GB", "zh-Hant-TW", "ku-Arab", "sr-Latn-RS", "de-CH-1996", "x-private"[2:],
                                 "es-419", "en-US-x-twain"])
def test_well_formed_tags_are_accepted(tag: str) -> None:
    assert valid_tag(tag)


@pytest.mark.parametrize("tag", ["", "engl1sh", "en_GB", "e", "en-", "12", "en--GB", "ar!"])
def test_ill_formed_tags_are_refused(tag: str) -> None:
    assert not valid_tag(tag)


def test_normalise_and_primary() -> None:
    assert normalise_tag(" en_GB ") == "en-GB" and primary_subtag("EN-gb") == "en"


@pytest.mark.parametrize(("tag", "rtl"), [("ar", True), ("he-IL", True), ("fa", True), ("ku-Arab", True),
                                          ("az-Arab", True), ("ar-Latn", False), ("en", False), ("ku", False)])
def test_direction(tag: str, rtl: bool) -> None:
    assert is_rtl_language(tag) is rtl


def test_hyphenation_patterns_by_region() -> None:
    available = {"en_US", "en_GB", "de_DE", "de_CH", "pt_BR", "pt_PT", "fr"}
    assert hyphenation_patterns("en", available) == "en_US"
    assert hyphenation_patterns("en-GB", available) == "en_GB"
    assert hyphenation_patterns("en-AU", available) == "en_US"
    assert hyphenation_patterns("de-CH", available) == "de_CH"
    assert hyphenation_patterns("pt", available) == "pt_PT"
    assert hyphenation_patterns("fr-CA", available) == "fr"
    assert hyphenation_patterns("ja", available) is None
