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


@pytest.mark.parametrize(("key", "value", "message"), [
    ("makring", "OFFICIAL", "--set makring: unknown key (did you mean marking?)"),
    ("titel", "T", "--set titel: unknown key (did you mean title?)"),
    ("page.sise", "A4", "--set page.sise: unknown style key (did you mean page.size?)"),
    ("body.colour_x", "#000", "unknown style key (did you mean body.colour?)"),
    ("desk", "Europe", "free-form metadata is written extra.desk"),
    ("extra.Bad Key", "x", "a free-form key is extra.NAME"),
    ("title", "  ", "--set title: empty value"),
])
def test_unknown_or_empty_keys_are_refused_with_a_suggestion(key: str, value: str, message: str) -> None:
    from briefpub.transforms import split_overrides

    with pytest.raises(UsageError) as info:
        split_overrides([(key, value)])
    assert message in str(info.value)
    if "." not in key:  # the same rule when the overrides are applied through the library
        with pytest.raises(UsageError):
            apply_meta_overrides(Document(), [(key, value)])


def test_split_overrides_keeps_order_and_puts_extras_in_metadata() -> None:
    from briefpub.transforms import split_overrides

    meta, style = split_overrides([("marking", ""), ("page.size", "Letter"), ("extra.desk", "Europe"),
                                   ("Title", "T")])
    assert meta == [("marking", ""), ("extra.desk", "Europe"), ("Title", "T")]
    assert style == [("page.size", "Letter")]
    doc = apply_meta_overrides(Document(), meta)
    assert doc.meta.extras == (("desk", "Europe"),) and doc.meta.title == "T" and doc.meta.marking == ""
    with pytest.raises(UsageError, match=r"^m.toml: pack\[1\].set makring: unknown key"):
        split_overrides([("makring", "x")], "m.toml: pack[1].set")
