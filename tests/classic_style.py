"""The ``briefing`` style with the faces and page geometry it had before the PDF typesetting work.

The briefing style now sets Source Serif Pro and Source Sans Pro (installed from PyPI) at 11/15 pt in a
121 mm column (``docs/pdf-writer.md``). Tests of the other writers that pin font names, page setup or
page counts worked out for the earlier sheet (DejaVu Serif and Sans, 10.5/14.5 pt, 22 mm margins) use
:func:`classic` so that what they check stays what they were written for.
"""

from __future__ import annotations

from briefpub.styling import load_style, with_overrides
from briefpub.styling.model import StyleSheet

#: The keys the typesetting work changed in ``styles/briefing.toml``, at their earlier values.
CLASSIC_KEYS: list[tuple[str, str]] = [
    ("page.margin_top", "22mm"), ("page.margin_bottom", "22mm"),
    ("page.margin_inner", "22mm"), ("page.margin_outer", "22mm"),
    ("fonts.body", '["DejaVu Serif", "Noto Serif"]'), ("fonts.heading", '["DejaVu Sans", "Noto Sans"]'),
    ("body.size", "10.5pt"), ("body.leading", "14.5pt"),
]


def classic(sheet: StyleSheet | None = None) -> StyleSheet:
    """``sheet`` (the briefing style by default) with the earlier faces and geometry."""
    return with_overrides(sheet if sheet is not None else load_style("briefing"), CLASSIC_KEYS)
