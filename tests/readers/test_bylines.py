"""Byline helpers shared by the readers: names and role or desk lines under them."""

from __future__ import annotations

import pytest

from briefpub.readers.common.bylines import is_name, is_role_line, parse_byline


@pytest.mark.parametrize("text", ["Callum Hughes", "Ana de la Cruz", "Tomasz Wójcik", "Mary-Jane O'Neill"])
def test_a_name_alone_is_a_name(text: str) -> None:
    assert is_name(text)


@pytest.mark.parametrize("text", ["Hughes", "Council tax will rise.", "Health correspondent", "the harbour wall"])
def test_other_short_lines_are_not_names(text: str) -> None:
    assert not is_name(text)


@pytest.mark.parametrize(
    ("text", "source"),
    [
        ("Health policy editor", ""),
        ("Senior Reporter, City Desk", ""),
        ("Coastline News, South West", ""),
        ("Coastline News South West", "Coastline News"),
    ],
)
def test_role_and_desk_lines(text: str, source: str) -> None:
    assert is_role_line(text, source)


@pytest.mark.parametrize(
    "text",
    [
        "Fishermen, Traders And Boat Owners Face Higher Costs.",  # a sentence
        "North of England",  # no job, no outlet, no "Outlet, Place" form
        "Gusts of 70mph, the forecasters say",  # figures and lower-case words
        "(All photos: Atlas staff)",  # a note on the pictures, though "staff" names a job
        "Council tax will rise by five per cent, the largest increase in a decade and more than expected",
    ],
)
def test_sentences_and_other_lines_are_not_role_lines(text: str) -> None:
    assert not is_role_line(text)


def test_parse_byline_still_reads_role_after_names() -> None:
    parsed = parse_byline("By Ana Ruiz, Senior Reporter")
    assert parsed is not None and parsed.authors == ["Ana Ruiz"] and parsed.role == "Senior Reporter"
