"""Bylines: "By NAME[, NAME and NAME][, Role][ | date | outlet]" (reader stage, shared by the readers).

The plain-text reader reads a byline line under the headline; the web-page
reader reads the text of a byline element (or a "By ..." line) the same way,
and falls back to a looser split when the page's markup already says the
element is a byline.
"""

from __future__ import annotations

import re
from typing import NamedTuple

from briefpub._lazyre import lazy_re
from briefpub.dates import parse_date

#: "By " opening a byline.
BY = lazy_re(r"^\s*by\s+", re.IGNORECASE)
_BYLINE = lazy_re(r"^by\s+(?P<rest>\S.*)$", re.IGNORECASE)
_NAME = lazy_re(
    r"^(?:[A-Z\u00c0-\u024f][\w.'\u2019\-]*|de|da|van|von|der|al|el|bin|la|le|du)"
    r"(?:\s+(?:[A-Z\u00c0-\u024f][\w.'\u2019\-]*|de|da|van|von|der|al|el|bin|la|le|du)){0,5}$"
)
_ROLE_WORDS = lazy_re(
    r"\b(?:reporter|correspondent|editor|writer|journalist|staff|columnist|analyst|contributor|"
    r"producer|photographer|chief|senior|political|foreign|diplomatic|economics|defence|defense|"
    r"security|science|health|business|bureau)\b",
    re.IGNORECASE,
)
_PARTS = lazy_re(r"\s*[|\u00b7\u2022]\s*|\s+[\u2013\u2014-]\s+")
_AND = lazy_re(r"\s+(?:and|&)\s+")
#: Separators between names in a loose list of authors ("A, B and C", "A; B & C").
NAME_SEPARATORS = lazy_re(r"\s*(?:,|;|\band\b|&)\s*")
#: The longest line read as a byline.
MAX_BYLINE = 160


class Byline(NamedTuple):
    """A parsed byline: author names, a date and an outlet as written, and the authors' role."""

    authors: list[str]
    date: str
    source: str
    role: str


def _is_role(piece: str) -> bool:
    return _ROLE_WORDS.search(piece) is not None and len(piece.split()) <= 5


_SMALL_WORDS = frozenset({"of", "the", "and", "for", "in", "on", "at", "&", "de", "du", "la", "le", "y"})
#: The longest line read as a byline's role or desk line.
MAX_ROLE_LINE = 80


def is_name(text: str) -> bool:
    """True when ``text`` is only a person's name: two to five capitalised words ("Callum Hughes")."""
    text = " ".join(text.split())
    return 2 <= len(text.split()) <= 5 and _NAME.match(text) is not None and not _ROLE_WORDS.search(text)


def is_role_line(text: str, source: str = "") -> bool:
    """True when ``text`` reads as the line under an author's name: a job ("Health correspondent"),
    the outlet (``source``) and a desk or region ("NBN News, North of England"), or a short run
    of capitalised words in "Outlet, Place" form."""
    text = " ".join(text.split())
    words = text.split()
    if (
        not words or len(text) > MAX_ROLE_LINE or len(words) > 8 or text.endswith((".", "!", "?", ";"))
        or ":" in text or text.startswith(("(", "[")) or not any(ch.isalpha() for ch in text)
    ):
        return False
    if _ROLE_WORDS.search(text) is not None and len(words) <= 6:
        return True
    if source and text.casefold().startswith(source.casefold()):
        return True
    if "," not in text or any(ch.isdigit() for ch in text):
        return False
    return all(w[0].isupper() or w.casefold() in _SMALL_WORDS for w in words)


def parse_byline(text: str) -> Byline | None:
    """The parts of a whole "By NAME[, NAME and NAME][, Role][, date|| outlet]" line, else None.

    A piece after a comma that names a job ("Chief Reporter", "Diplomatic Correspondent") is
    the role, not another author.
    """
    m = _BYLINE.match(text)
    if not m or len(text) > MAX_BYLINE:
        return None
    parts = [p.strip() for p in _PARTS.split(m.group("rest")) if p.strip()]
    names_part, extras = parts[0], parts[1:]
    # Trailing ", Role", ", date" or ", Outlet" inside the first part.
    pieces = [p.strip() for p in names_part.split(",")]
    authors: list[str] = []
    date = source = role = ""
    for i, piece in enumerate(pieces):
        if i > 0 and authors and not role and _is_role(piece):
            role = piece
            continue
        for name in _AND.split(piece):
            if _NAME.match(name) and not (i > 0 and role):
                authors.append(name)
            elif i > 0 and authors:
                extras.insert(0, ", ".join(pieces[i:]))
                break
            else:
                return None
        else:
            continue
        break
    for extra in extras:
        if not date and parse_date(extra) is not None:
            date = extra
        elif not role and _is_role(extra):
            role = extra
        elif not source and len(extra.split()) <= 4 and _NAME.match(extra):
            source = extra
        else:
            return None
    return Byline(authors, date, source, role) if authors else None
