"""``--set`` metadata overrides: keys, language tags and dates."""

from __future__ import annotations

import pytest

from briefpub.errors import UsageError
from briefpub.transforms import apply_meta_overrides
from briefpub.tree import Document


@pytest.mark.parametrize(("written", "iso"), [
    ("03/04/2017", "2017-04-03"),  # day first, as documented
    ("03.04.2017", "2017-04-03"),
    ("13/04/2017", "2017-04-13"),
    ("04/13/2017", "2017-04-13"),  # month first only when the first number cannot be a month
    ("23 January 2017", "2017-01-23"),
    ("Jan. 23, 2017", "2017-01-23"),
    ("31/02/2017", ""),
])
def test_numeric_dates_are_read_day_first(written: str, iso: str) -> None:
    meta = apply_meta_overrides(Document(), [("date", written)]).meta
    assert (meta.date, meta.date_iso) == (written, iso)


def test_language_is_checked_with_the_shared_bcp47_rule() -> None:
    assert apply_meta_overrides(Document(), [("lang", "zh-Hant-TW")]).meta.language == "zh-Hant-TW"
    assert apply_meta_overrides(Document(), [("language", "en_GB")]).meta.language == "en-GB"
    with pytest.raises(UsageError):
        apply_meta_overrides(Document(), [("language", "english!")])
