"""Typographic punctuation per language (the tree keeps the text as written)."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import pytest
from hypothesis import given, settings
from hypothesis import strategies as hs

from briefpub.writers.common import typography
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


def _reference_smarten_texts(texts: Sequence[str], language: str, *, code: Sequence[bool] | None = None) -> list[str]:
    """The character-at-a-time implementation :func:`smarten_texts` replaced (same results, slower)."""
    style = typography.quote_style(language)
    out: list[str] = []
    previous = ""  # the last character printed so far (context for the next run)
    open_double = False
    open_single = False
    for index, raw in enumerate(texts):
        if code is not None and code[index]:
            out.append(raw)
            previous = raw[-1:] or previous
            continue
        text = raw
        for pattern, replacement in typography._DASHES:
            text = pattern.sub(replacement, text)
        text = typography._ranges(text)
        text = typography._ELLIPSIS.sub("\u2026", text)
        following = next((t[:1] for t in texts[index + 1:] if t), "")
        chars: list[str] = []
        for i, char in enumerate(text):
            before = typography._mark(chars[-1], style.inner_space) if chars else previous
            after = text[i + 1] if i + 1 < len(text) else following
            if char == '"':
                opening = typography._is_space_or_start(before) or (not open_double and not typography._letter(before)
                                                          and before not in ".,;:!?\u2026")
                if opening and after and not after.isspace():
                    chars.append(style.double_open + style.inner_space)
                    open_double = True
                else:
                    if style.inner_space and chars and chars[-1] == " ":
                        chars.pop()
                    chars.append(style.inner_space + style.double_close)
                    open_double = False
            elif char in "'\u2019":
                if typography._letter(before) and typography._letter(after):
                    chars.append(typography._APOSTROPHE)  # don't, Astana's
                elif open_single and not typography._is_space_or_start(before) and not typography._letter(after):
                    chars.append(style.single_close)
                    open_single = False
                elif typography._letter(before):
                    chars.append(typography._APOSTROPHE)  # students' (no single quote is open)
                elif typography._is_space_or_start(before) and after[:1].isdigit():
                    chars.append(typography._APOSTROPHE)  # '90s
                elif typography._is_space_or_start(before) and after and not after.isspace():
                    chars.append(style.single_open)
                    open_single = True
                else:
                    chars.append(style.single_close if char == "'" else char)
            else:
                chars.append(char)
        result = "".join(chars)
        out.append(result)
        previous = result[-1:] or previous
    return out



_PIECES = ['"', "'", "\u2019", " ", "  ", "a", "b1", "Astana", "--", "---", " - ", "...", "1990-2000", "(", ")",
           ".", ",", "?", "\u00ab", "\u2014", "\t", "\u00a0", "e\u0301", "90s", "555-1234", "\u05d0"]


@settings(max_examples=400, deadline=None)
@given(runs=hs.lists(hs.tuples(hs.lists(hs.sampled_from(_PIECES), max_size=12).map("".join), hs.booleans()),
                     max_size=4),
       lang=hs.sampled_from(["en", "fr", "de", "it", "pl", "nl", "he"]))
def test_smarten_texts_matches_the_character_at_a_time_version(runs: list[tuple[str, bool]], lang: str) -> None:
    texts = [t for t, _ in runs]
    code = [c for _, c in runs]
    assert _outcome(smarten_texts, texts, lang, code) == _outcome(_reference_smarten_texts, texts, lang, code)
    assert _outcome(smarten_texts, texts, lang, None) == _outcome(_reference_smarten_texts, texts, lang, None)


def _outcome(function: Callable[..., list[str]], texts: list[str], lang: str, code: list[bool] | None) -> object:
    """The result, or the exception's type (neither version should raise)."""
    try:
        return function(texts, lang, code=code)
    except Exception as exc:
        return type(exc)


@pytest.mark.parametrize("text", ['"""', 'Il a dit """bonjour""" et "merci"', '"a""b"', "\"'\"", "''\""])
@pytest.mark.parametrize("lang", ["fr", "de", "en"])
def test_quotes_after_a_two_character_replacement_are_smartened(text: str, lang: str) -> None:
    # French quotes are two characters (« and a narrow no-break space): a quote right after one used to
    # be compared with both at once, and every writer failed with a TypeError on such a paragraph
    result = smarten(text, lang)
    assert '"' not in result and len(result) >= len(text)


def test_smartened_texts_are_kept_keyed_by_text_language_and_code(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[tuple[str, ...]] = []
    real = typography._smarten_texts

    def counting(texts: Sequence[str], language: str, code: Sequence[bool] | None) -> list[str]:
        calls.append(tuple(texts))
        return real(texts, language, code)

    monkeypatch.setattr(typography, "_smarten_texts", counting)
    monkeypatch.setattr(typography, "_SMARTENED", {})
    monkeypatch.setattr(typography, "_SMARTENED_SIZE", [0])
    first = smarten_texts(['He said "yes"', " -- then"], "en")
    assert first == ["He said \u201cyes\u201d", " -- then"]
    first.append("changed by the caller")  # a copy: the kept result is not touched
    assert smarten_texts(['He said "yes"', " -- then"], "en") == ["He said \u201cyes\u201d", " -- then"]
    assert len(calls) == 1
    smarten_texts(['He said "yes"', " -- then"], "fr")  # another language
    smarten_texts(['He said "yes"', " -- then"], "en", code=[False, True])  # other code flags
    smarten_texts(['He said "yes!"', " -- then"], "en")  # another text
    assert len(calls) == 4
    monkeypatch.setattr(typography, "SMARTENED_LIMIT", 30)
    smarten_texts(["x" * 25], "en")
    smarten_texts(["y" * 25], "en")  # over the limit: the kept results are dropped
    assert len(typography._SMARTENED) == 1


def test_french_double_quotes_pair_as_english_ones_do() -> None:
    # what comes before a quote is a French quote's mark, not the narrow space set inside it
    to_english = str.maketrans({"\u00ab": "\u201c", "\u00bb": "\u201d", "\u202f": None})
    for text in ('""x', 'Il a dit """oui""" puis "non"', '"a""b"', 'x"" y'):
        assert smarten(text, "fr").translate(to_english) == smarten(text, "en")
