"""Date lines and datelines at the top of an article (reader stage, shared by the readers).

A *date line* is a short line that is only a date ("23 January 2017",
"Monday, Jan. 23, 2017"); a *dateline* opens the first paragraph of wire copy
("GENEVA, Feb. 9 --") and names where and when the story was filed. Dates are
parsed by :func:`briefpub.dates.parse_date`.
"""

from __future__ import annotations

from typing import NamedTuple

from briefpub._lazyre import lazy_re
from briefpub.dates import parse_date

#: A line longer than this is not a date line, however date-like its start.
MAX_DATE_LINE = 60

_DATELINE = lazy_re(
    r"^(?P<place>[A-Z][A-Z .'\-]{1,40}),\s+"
    r"(?P<date>[A-Z][a-z]{2,8}\.?\s+\d{1,2}(?:,\s+\d{4})?)\s*(?:\u2014|\u2013|--|-)\s+"
)


class Dateline(NamedTuple):
    """A wire-copy dateline: the date as written, its ISO form ("" when it does not parse), the whole match."""

    date: str
    date_iso: str
    text: str


def is_date_line(text: str) -> bool:
    """True when ``text`` is a short line holding only a date."""
    return len(text) <= MAX_DATE_LINE and parse_date(text) is not None


def match_dateline(text: str) -> Dateline | None:
    """The dateline opening ``text`` ("GENEVA, Feb. 9 --"), or None."""
    m = _DATELINE.match(text)
    if m is None:
        return None
    return Dateline(m.group("date"), parse_date(m.group("date")) or "", m.group(0).strip())
