"""The ``pdf`` writer: a print-ready briefing laid out with reportlab (writer stage).

This package is imported lazily by the writer registry; reportlab itself is
imported only when :meth:`PdfWriter.write` runs.

It renders the shared layer's frame (:mod:`briefpub.writers.common`: labels,
dates, anchors, link policy, inline runs) with the fonts the pipeline resolved
(``WriteOptions.fonts``). All text is set by the package's text engine
(``typeset``: HarfBuzz shaping, per-cluster font fallback, Knuth-Plass line
breaking, hyphenation, bidi); reportlab provides the canvas, page layout and
font subsetting. Modules: ``fonts`` (font chains on the conversion's font
set), ``styles`` (colours), ``paragraphs`` (runs to an engine paragraph: the
one place text is set),
``images`` (resources decoded and scaled), ``flowables`` (flowables that know
which block they render, right-hand page breaks and blank pages, QR codes,
indented quotes and list items, the source block kept with the article's
end), ``layout`` (one article as flowables),
``front`` (a pack's cover, contents with page numbers and summary page),
``furniture`` (markings, running header, "Page X of Y", the canvas and
document template), ``structure`` (the tagged PDF's structure tree as the
layout makes it), ``tagging`` (structure model, tagger, post-processor) and
``render`` (the driver). The PDF is tagged (PDF/UA-1): see
``docs/accessibility-pdf.md``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # annotations only: naming an output (its extension) imports no tree or style
    from briefpub.styling.model import StyleSheet
    from briefpub.tree import Publication
    from briefpub.writers import WriteOptions, WriteResult

__all__ = ["WRITER", "PdfWriter"]


class PdfWriter:
    """Writes a publication as a PDF briefing; pure and byte-reproducible for a given build time."""

    name = "pdf"
    extension = ".pdf"
    media_type = "application/pdf"

    def write(self, pub: Publication, style: StyleSheet, options: WriteOptions) -> WriteResult:
        """Lay out ``pub`` with ``style``; diagnostics say what could not be rendered."""
        from briefpub.writers.pdf.render import render

        return render(pub, style, options)


WRITER = PdfWriter()
