"""Parsing dates as news articles write them into ISO 8601 (shared by readers and transforms).

``parse_date("Jan. 23, 2017") == "2017-01-23"``. Accepted shapes (an optional
weekday first, an optional time and zone last): ``23 January 2017``,
``January 23, 2017``, ``Jan. 23 2017``, ``2017-01-23`` (and full ISO date-times),
``23.01.2017`` and ``23/01/2017`` (day first, as in most of the world; a
month-first reading is used only when the first number exceeds 12). Anything
else gives ``None``: the date is then kept as written, without an ISO form.
"""

from __future__ import annotations

import re
from datetime import date

from briefpub._lazyre import lazy_re

_MONTHS = {
    name: number
    for number, names in enumerate(
        (
            ("january", "jan"),
            ("february", "feb"),
            ("march", "mar"),
            ("april", "apr"),
            ("may",),
            ("june", "jun"),
            ("july", "jul"),
            ("august", "aug"),
            ("september", "sep", "sept"),
            ("october", "oct"),
            ("november", "nov"),
            ("december", "dec"),
        ),
        start=1,
    )
    for name in names
}
_WEEKDAY = r"(?:(?:mon|tues?|wed(?:nes)?|thu(?:rs)?|fri|sat(?:ur)?|sun)(?:day)?\.?,?\s+)?"
_TIME = (
    r"(?:[,\s]+(?:at\s+)?\d{1,2}[:.]\d{2}(?:[:.]\d{2})?\s*(?:[ap]\.?m\.?)?"
    r"(?:\s*[A-Z]{2,5}|\s*[+-]\d{2}:?\d{2}|Z)?)?"
)
_MONTH = r"(?P<month>[A-Za-z]{3,9})\.?"
_PATTERNS = [
    lazy_re(rf"^{_WEEKDAY}(?P<day>\d{{1,2}})(?:st|nd|rd|th)?\s+{_MONTH},?\s+(?P<year>\d{{4}}){_TIME}$", re.I),
    lazy_re(rf"^{_WEEKDAY}{_MONTH}\s+(?P<day>\d{{1,2}})(?:st|nd|rd|th)?,?\s+(?P<year>\d{{4}}){_TIME}$", re.I),
    lazy_re(r"^(?P<year>\d{4})-(?P<nmonth>\d{2})-(?P<day>\d{2})(?:[T ][\d:.]+(?:Z|[+-]\d{2}:?\d{2})?)?$"),
    lazy_re(rf"^{_WEEKDAY}(?P<a>\d{{1,2}})[./](?P<b>\d{{1,2}})[./](?P<year>\d{{4}}){_TIME}$", re.I),
]


def parse_date(value: str) -> str | None:
    """ISO 8601 form (``YYYY-MM-DD``) of a date as written, or None."""
    text = " ".join(value.replace("\u00a0", " ").split()).strip(" .")
    for pattern in _PATTERNS:
        m = pattern.match(text)
        if not m:
            continue
        groups = m.groupdict()
        year = int(groups["year"])
        if groups.get("month"):
            month = _MONTHS.get(groups["month"].lower())
            if month is None:
                continue
            day = int(groups["day"])
        elif groups.get("nmonth"):
            month, day = int(groups["nmonth"]), int(groups["day"])
        else:
            a, b = int(groups["a"]), int(groups["b"])
            day, month = (a, b) if b <= 12 else (b, a)
        try:
            return date(year, month, day).isoformat()
        except ValueError:
            return None
    return None
