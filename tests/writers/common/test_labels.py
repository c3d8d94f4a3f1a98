"""The label catalogue: one set of words per language, dates one way per language."""

from __future__ import annotations

from datetime import date

import pytest

from briefpub.writers.common.labels import CATALOGUE, format_iso_date, labels_for


def test_every_language_has_every_label_and_twelve_months() -> None:
    assert {"en", "de", "fr", "es", "ru", "ar", "zh"} <= set(CATALOGUE)
    for labels in CATALOGUE.values():
        assert len(labels.months) == 12
        assert "{page}" in labels.page_of and "{pages}" in labels.page_of
        assert "{names}" in labels.by and "{number}" in labels.article_of
        for name in labels.__dataclass_fields__:
            assert getattr(labels, name) != "" or name in ("list_separator",)


@pytest.mark.parametrize(("lang", "footer", "key_points"), [
    ("de-AT", "Seite 3 von 12", "Kernpunkte"),
    ("fr", "Page 3 sur 12", "Points clés"),
    ("en-GB", "Page 3 of 12", "Key points"),
    ("xx", "Page 3 of 12", "Key points"),
])
def test_labels_follow_the_language(lang: str, footer: str, key_points: str) -> None:
    labels = labels_for(lang)
    assert labels.page_footer(3, 12) == footer and labels.key_points == key_points


@pytest.mark.parametrize(("lang", "expected"), [
    ("en", "1 December 2026"), ("de", "1. Dezember 2026"), ("fr", "1er décembre 2026"),
    ("es", "1 de diciembre de 2026"), ("ru", "1 декабря 2026 г."), ("zh", "2026年12月1日"),
])
def test_dates_are_written_the_language_s_way(lang: str, expected: str) -> None:
    assert labels_for(lang).format_date(date(2026, 12, 1)) == expected
    assert format_iso_date("2026-12-01T10:00:00Z", lang) == expected


def test_names_are_joined_as_a_list() -> None:
    assert labels_for("en").byline(["A", "B", "C"]) == "By A, B and C"
    assert labels_for("de").byline(["A", "B"]) == "Von A und B"
    assert labels_for("en").byline([]) == ""
