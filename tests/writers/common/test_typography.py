"""Typographic punctuation per language (the tree keeps the text as written)."""

from __future__ import annotations

import pytest

from briefpub.writers.common.typography import smarten, smarten_texts


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
