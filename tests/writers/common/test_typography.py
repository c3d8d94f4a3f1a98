"""Typographic punctuation per language (the tree keeps the text as written)."""

from __future__ import annotations

import pytest

from briefpub.writers.common.typography import TIE_MAX, smarten, smarten_texts, tie_segments


@pytest.mark.parametrize(("lang", "text", "expected"), [
    ("en", "The negotiator's view and the government’s \"clear\" line",
     "The negotiator’s view and the government’s “clear” line"),
    ("en-GB", "Talks - held in Astana - ended", "Talks – held in Astana – ended"),
    ("en", "pages 23-24, 1939-1945", "pages 23–24, 1939–1945"),
    ("en", "on 2017-01-23, call 555-1234, COVID-19", "on 2017-01-23, call 555-1234, COVID-19"),
    ("en", "Wait... what---no", "Wait… what—no"),
    ("en", "the '90s and the students' books", "the ’90s and the students’ books"),
    ("en", "He said 'fine' then", "He said ‘fine’ then"),
    ("de", "Er sagte \"Hallo\" und 'ja'.", "Er sagte „Hallo“ und ‚ja‘."),
    ("fr", "Il a dit \"bonjour\".", "Il a dit «\u202fbonjour\u202f»."),
    ("ru", "Он сказал \"да\".", "Он сказал «да»."),
])
def test_quotes_dashes_and_ellipses(lang: str, text: str, expected: str) -> None:
    assert smarten(text, lang) == expected


def test_quotes_pair_across_runs_and_code_is_untouched() -> None:
    out = smarten_texts(['He said "it', "'s", ' fine" with ', '"code"'], "en", code=[False, False, False, True])
    assert out == ["He said “it", "’s", " fine” with ", '"code"']


def test_no_straight_quotes_remain_in_ordinary_prose() -> None:
    text = "\"Yes,\" she said, 'we're \"ready\".' It's 5 o'clock..."
    assert not set("\"'") & set(smarten(text, "en"))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Café Owners Protest New Licensing Rules", "Café Owners Protest New Licensing\u00a0Rules"),
        ("Rail Strike Called Off After Late-Night Deal ", "Rail Strike Called Off After Late-Night\u00a0Deal "),
        ("Key points", "Key points"),  # two words stay breakable
        ("Ceasefire", "Ceasefire"),
        ("", ""),
        ("An extraordinarily long compound-wordheadline", "An extraordinarily long compound-wordheadline"),
    ],
)
def test_a_headings_last_two_words_are_tied(text: str, expected: str) -> None:
    assert tie_segments([text]) == [expected]
    if expected != text:
        assert len(expected.rstrip().rsplit(" ", 1)[-1]) <= TIE_MAX


def test_the_tie_is_found_across_runs() -> None:
    assert tie_segments(["Talks ", "open on ", "regional", " ceasefire"]) == ["Talks ", "open on ", "regional",
                                                                              "\u00a0ceasefire"]  # fmt: skip
    assert tie_segments(["Talks open", " on regional ceasefire"]) == ["Talks open", " on regional\u00a0ceasefire"]
    assert tie_segments(["Talks", " open"]) == ["Talks", " open"]
