"""The ``epub`` writer: EPUB 3 with NCX, accessible and reproducible (writer stage).

The package is split by concern: ``xhtml.py`` renders each article of the tree
as an XHTML content document, ``pack_pages.py`` renders a pack's contents and
key-points summary pages, ``css.py`` turns the style sheet into CSS,
``cover.py`` (with ``fonts.py``) draws the cover image (through the disk cache the
pipeline passes in, ``cover_cache.py``), ``images.py`` checks
and converts figure images, ``metadata.py`` derives the identifier, dates,
language and accessibility metadata, and ``book.py`` packages everything with
ebooklib into a deterministic zip. See ``docs/epub-writer.md``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # annotations only: naming an output (its extension) imports no tree or style
    from briefpub.styling.model import StyleSheet
    from briefpub.tree import Publication
    from briefpub.writers import WriteOptions, WriteResult

__all__ = ["WRITER", "EpubWriter"]


class EpubWriter:
    """Writes an EPUB 3 (nav, landmarks and NCX) that passes EPUBCheck 5 cleanly."""

    name = "epub"
    extension = ".epub"
    media_type = "application/epub+zip"

    def write(self, pub: Publication, style: StyleSheet, options: WriteOptions) -> WriteResult:
        """Lay out ``pub`` as an EPUB; same input and build time give the same bytes."""
        from briefpub.writers.epub.book import build_epub

        return build_epub(pub, style, options)


WRITER = EpubWriter()
