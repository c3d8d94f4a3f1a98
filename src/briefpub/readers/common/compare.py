""""Is this the same line?" comparisons (reader stage, shared by the readers).

Used where a reader must recognise text it has seen elsewhere: a first-level
heading repeating the front-matter title, a page title with its site name, a
headline line, a line opening with a known author's name.
"""

from __future__ import annotations

from briefpub._lazyre import lazy_re

_COMPARE_JUNK = lazy_re(r"[\s\u00a0]+")


def comparable(text: str) -> str:
    """A form of ``text`` for "is this the same line?" checks (case, spacing, a final stop or colon ignored)."""
    return _COMPARE_JUNK.sub(" ", text).strip().rstrip(".:").casefold()
