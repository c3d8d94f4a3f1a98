"""Typographic punctuation, per language, applied by the writers (writers' shared layer).

The tree keeps the text as written; a style with ``paragraphs.smart_punctuation``
on (the ``briefing`` style) prints it the way a typesetter would:

* quotation marks paired and in the language's form: “…” and ‘…’ (English,
  Chinese), „…“ and ‚…‘ (German), « … » with narrow no-break spaces (French),
  «…» (Spanish, Russian, Arabic);
* apostrophes as ’ (``Army's`` and ``Astana’s`` come out alike), including
  elisions such as ’90s;
* `` - `` and `` -- `` between words as a spaced en dash (–), ``---`` as an em
  dash (—), a hyphen between two numbers as an en dash (``23–24``; ISO dates,
  phone-like numbers and codes such as ``COVID-19`` are left alone);
* ``...`` as an ellipsis (…).

Headings: :func:`tie_segments` ties a heading's last two words with a
no-break space (a typesetter's rule: no heading ends on a line holding one
word), for the formats whose reading system breaks the lines (EPUB, DOCX); the
PDF engine balances headings itself.

Code is never changed. :func:`smarten_texts` works on a sequence of strings
(the runs of a paragraph) so that a quote opened in one run and closed in the
next pairs correctly, and the runs keep their boundaries.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

from briefpub._lazyre import lazy_re
from briefpub.language import primary_subtag

__all__ = ["QuoteStyle", "quote_style", "smarten", "smarten_texts", "tie_segments"]


@dataclass(frozen=True, slots=True)
class QuoteStyle:
    """A language's quotation marks: double open/close, single open/close, and the space inside."""

    double_open: str
    double_close: str
    single_open: str
    single_close: str
    inner_space: str = ""


_ENGLISH = QuoteStyle("\u201c", "\u201d", "\u2018", "\u2019")
_STYLES = {
    "en": _ENGLISH,
    "zh": _ENGLISH,
    "ja": QuoteStyle("\u300c", "\u300d", "\u300e", "\u300f"),
    "de": QuoteStyle("\u201e", "\u201c", "\u201a", "\u2018"),
    "fr": QuoteStyle("\u00ab", "\u00bb", "\u2039", "\u203a", "\u202f"),
    "es": QuoteStyle("\u00ab", "\u00bb", "\u201c", "\u201d"),
    "ru": QuoteStyle("\u00ab", "\u00bb", "\u201e", "\u201c"),
    "uk": QuoteStyle("\u00ab", "\u00bb", "\u201e", "\u201c"),
    "ar": QuoteStyle("\u00ab", "\u00bb", "\u2018", "\u2019"),
    "it": QuoteStyle("\u00ab", "\u00bb", "\u201c", "\u201d"),
    "pt": QuoteStyle("\u00ab", "\u00bb", "\u201c", "\u201d"),
    "pl": QuoteStyle("\u201e", "\u201d", "\u00ab", "\u00bb"),
    "nl": QuoteStyle("\u201c", "\u201d", "\u2018", "\u2019"),
}
_APOSTROPHE = "\u2019"


def quote_style(language: str) -> QuoteStyle:
    """The quotation marks of a BCP 47 language (English ones when it has none of its own here)."""
    return _STYLES.get(primary_subtag(language), _ENGLISH)


_DASHES = (
    (lazy_re(r"---"), "\u2014"),
    (lazy_re(r"(?<=\S) -{1,2} (?=\S)"), " \u2013 "),
    (lazy_re(r"(?<=[^\W\d_]) ?--(?= ?[^\W\d_])"), "\u2014"),
)
# A hyphen between two numbers, not inside a chain (2017-01-23) or a code (COVID-19), not phone-like (555-1234).
_RANGE = lazy_re(r"(?<![\w-])(\d{1,4})-(\d{1,4})(?![\w-]|\.\d)")
_ELLIPSIS = lazy_re(r"(?<!\.)\.\.\.(?!\.)")
_QUOTE = lazy_re("[\"'\u2019]")


def _is_space_or_start(char: str) -> bool:
    return not char or char.isspace() or char in "([{\u2014\u2013-/\u201c\u2018\u201e\u00ab\u2039"


def _letter(char: str) -> bool:
    return bool(char) and (char.isalnum() or unicodedata.category(char) in ("Mn", "Mc"))


def _ranges(text: str) -> str:
    def repl(m: re.Match[str]) -> str:
        left, right = m.group(1), m.group(2)
        if len(left) == 3 and len(right) == 4:
            return m.group(0)  # 555-1234: a phone number, not a range
        return f"{left}\u2013{right}"

    return _RANGE.sub(repl, text)


#: The most characters of smartened text kept per process (the cache is emptied when it is full).
SMARTENED_LIMIT = 1 << 20
_Key = tuple[tuple[str, ...], str, tuple[bool, ...] | None]
_SMARTENED: dict[_Key, tuple[str, ...]] = {}
_SMARTENED_SIZE = [0]


def smarten_texts(texts: Sequence[str], language: str, *, code: Sequence[bool] | None = None) -> list[str]:
    """``texts`` (consecutive runs of one paragraph) with typographic punctuation; ``code[i]`` runs untouched.

    Results are kept per process, keyed by the texts, the language and the code flags (the PDF, DOCX
    and EPUB writers smarten the same paragraphs of a conversion), up to :data:`SMARTENED_LIMIT`
    characters.
    """
    key: _Key = (tuple(texts), language, None if code is None else tuple(code))
    found = _SMARTENED.get(key)
    if found is None:
        found = tuple(_smarten_texts(key[0], language, key[2]))
        size = sum(map(len, found))
        if _SMARTENED_SIZE[0] + size > SMARTENED_LIMIT:
            _SMARTENED.clear()
            _SMARTENED_SIZE[0] = 0
        if size <= SMARTENED_LIMIT:
            _SMARTENED[key] = found
            _SMARTENED_SIZE[0] += size
    return list(found)


def _mark(replacement: str, inner_space: str) -> str:
    """The quotation mark of a quote's replacement, without the space some languages set inside it."""
    return (replacement.replace(inner_space, "") if inner_space else replacement)[-1:] or replacement[-1:]


def _smarten_texts(texts: Sequence[str], language: str, code: Sequence[bool] | None) -> list[str]:
    style = quote_style(language)
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
        for pattern, replacement in _DASHES:
            text = pattern.sub(replacement, text)
        text = _ranges(text)
        text = _ELLIPSIS.sub("\u2026", text)
        following = next((t[:1] for t in texts[index + 1:] if t), "")
        # Only quotes and apostrophes change, and only they look at their neighbours: the text between
        # them is copied in slices. ``pieces`` is what is printed; ``plain[k]`` says whether piece k is
        # copied text or a replacement. What comes before a quote is the last character printed, or for a
        # replacement its quotation mark (French « and » come with a narrow space, which is not a gap).
        pieces: list[str] = []
        plain: list[bool] = []
        pos = 0
        for match in _QUOTE.finditer(text):
            i = match.start()
            if i > pos:
                pieces.append(text[pos:i])
                plain.append(True)
            pos = i + 1
            char = text[i]
            before = (pieces[-1][-1] if plain[-1] else _mark(pieces[-1], style.inner_space)) if pieces else previous
            after = text[i + 1] if i + 1 < len(text) else following
            if char == '"':
                opening = _is_space_or_start(before) or (not open_double and not _letter(before)
                                                          and before not in ".,;:!?\u2026")
                if opening and after and not after.isspace():
                    replacement = style.double_open + style.inner_space
                    open_double = True
                else:
                    if style.inner_space and pieces and before == " ":
                        if plain[-1] and len(pieces[-1]) > 1:
                            pieces[-1] = pieces[-1][:-1]
                        else:
                            pieces.pop()
                            plain.pop()
                    replacement = style.inner_space + style.double_close
                    open_double = False
            elif _letter(before) and _letter(after):
                replacement = _APOSTROPHE  # don't, Astana's
            elif open_single and not _is_space_or_start(before) and not _letter(after):
                replacement = style.single_close
                open_single = False
            elif _letter(before):
                replacement = _APOSTROPHE  # students' (no single quote is open)
            elif _is_space_or_start(before) and after[:1].isdigit():
                replacement = _APOSTROPHE  # '90s
            elif _is_space_or_start(before) and after and not after.isspace():
                replacement = style.single_open
                open_single = True
            else:
                replacement = style.single_close if char == "'" else char
            pieces.append(replacement)
            plain.append(False)
        if pos < len(text):
            pieces.append(text[pos:])
            plain.append(True)
        result = "".join(pieces)
        out.append(result)
        previous = result[-1:] or previous
    return out


def smarten(text: str, language: str) -> str:
    """One string with typographic punctuation (titles, captions, key points)."""
    return smarten_texts([text], language)[0]


#: The longest pair of last words that is tied: a longer pair could not wrap on a phone's narrow line.
TIE_MAX = 24


def _tie_position(text: str) -> int | None:
    """Where a heading's last two words meet: the index of the space to make a no-break space.

    None when there is nothing to tie: fewer than three words (a two-word heading must stay
    breakable), or a last pair longer than :data:`TIE_MAX` characters.
    """
    body = text.rstrip()
    last = body.rfind(" ")
    if last <= 0 or body[last - 1] == " ":
        return None
    before = body.rfind(" ", 0, last)
    if before <= 0 or not body[:before].strip() or len(body) - before - 1 > TIE_MAX:
        return None
    return last


def tie_segments(texts: Sequence[str]) -> list[str]:
    """A heading's text, split in runs, with its last two words tied by a no-break space (the runs keep
    their boundaries; unchanged when there is nothing to tie)."""
    out = list(texts)
    at = _tie_position("".join(out))
    if at is None:
        return out
    for index, text in enumerate(out):
        if at < len(text):
            out[index] = f"{text[:at]}\u00a0{text[at + 1 :]}"
            break
        at -= len(text)
    return out
