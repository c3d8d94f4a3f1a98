"""The ``docx`` writer: Word documents with real styles (python-docx), writer stage.

Files behave like ones a careful person made by hand: every paragraph uses a
Word built-in style (Title, Heading 1-6, Body Text, Quote, Caption, List
Bullet, List Number...) configured from the shared style sheet; fonts are
pinned in all four ``w:rFonts`` slots; the page has a running header, a
"Page X of Y" footer made of PAGE/NUMPAGES fields and the protective marking
at top and bottom; hyperlinks are real; output is byte-identical for the same
input and build time.

Modules: :mod:`.build` (the recipe), :mod:`.styles` (Word styles and
numbering), :mod:`.layout` (body blocks and inlines), :mod:`.front` (a pack's
cover, contents and summary pages), :mod:`.estimate` (the page numbers the
contents stores), :mod:`.furniture` (page setup, sections, header and
footer), :mod:`.oxml` (WordprocessingML python-docx has no API for),
:mod:`.package` (properties, template leftovers, deterministic zip).
``docs/docx-writer.md`` describes the decisions.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # annotations only: naming an output (its extension) imports no tree or style
    from briefpub.styling.model import StyleSheet
    from briefpub.tree import Publication
    from briefpub.writers import WriteOptions, WriteResult

__all__ = ["WRITER", "DocxWriter"]


class DocxWriter:
    """Writes a publication as an Office Open XML word-processing document."""

    name = "docx"
    extension = ".docx"
    media_type = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"

    def write(self, pub: Publication, style: StyleSheet, options: WriteOptions) -> WriteResult:
        """Lay out ``pub`` with ``style``; the build time comes from ``options``."""
        from briefpub.writers.docx.build import build

        return build(pub, style, options)


WRITER = DocxWriter()
