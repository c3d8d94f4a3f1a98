"""Colours of the style sheet for reportlab's drawing (PDF writer, styling stage).

Text is set by the text engine (:mod:`briefpub.writers.pdf.paragraphs`), which
takes the style sheet's text styles as they are; rules, boxes, table grids and
the marking banners are drawn by reportlab in the style's colours.
"""

from __future__ import annotations

from reportlab.lib import colors

__all__ = ["colour"]


def colour(value: str) -> colors.Color:
    """A reportlab colour from ``#rrggbb``."""
    return colors.HexColor(value)
