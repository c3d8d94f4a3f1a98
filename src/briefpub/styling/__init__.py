"""Style sheets: one TOML format drives every writer (styling stage).

``load_style("briefing")`` or ``load_style("path/to/sheet.toml")`` returns a
validated, immutable :class:`StyleSheet`; ``with_overrides`` applies
``--set section.key=value`` pairs. ``briefpub.styling.reference`` renders the
reference of every key (``docs/style-sheet.md`` is generated from it).
"""

from __future__ import annotations

from briefpub.styling.loader import (
    DEFAULT_SHEET,
    builtin_dir,
    builtin_names,
    load_style,
    load_style_from,
    read_style,
    with_overrides,
)
from briefpub.styling.model import PAGE_SIZES, StyleSheet, TextStyle

__all__ = [
    "DEFAULT_SHEET",
    "PAGE_SIZES",
    "StyleSheet",
    "TextStyle",
    "builtin_dir",
    "builtin_names",
    "load_style",
    "load_style_from",
    "read_style",
    "with_overrides",
]
