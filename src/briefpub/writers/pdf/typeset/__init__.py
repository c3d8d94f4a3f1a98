"""briefpub's text engine for the PDF writer: shaping, line breaking, bidi and drawing.

The engine replaces reportlab's ``Paragraph`` for article text. reportlab is used
only for the canvas, TrueType subset embedding and page layout (frames and
templates); the engine shapes text with HarfBuzz, breaks whole paragraphs with the
Knuth-Plass algorithm, orders right-to-left text with the Unicode Bidirectional
Algorithm, and draws glyph runs itself, calling a :class:`Tagger` around every
piece of text so that a tagged-PDF structure tree can own it.

Usage (layout stage)::

    block = TextBlock.of([Run("Talks began ", faces, 10.5), Run("in Astana", faces, 10.5, link="https://...")],
                         ParaStyle(leading=14.5, hyphenate="en-GB"))
    story.append(TextFlowable(block, tag=Tag("P", element)))

Modules: :mod:`.model` (input), :mod:`.fonts` (faces and subset fonts),
:mod:`.shaping`, :mod:`.bidi`, :mod:`.hyphenation`, :mod:`.itemize` (fallback,
levels, items), :mod:`.breaking` (Knuth-Plass), :mod:`.layout` (lines),
:mod:`.render` (content streams, links), :mod:`.tagging` (marked-content hooks),
:mod:`.flowable` (the platypus flowable).
"""

from __future__ import annotations

from briefpub.writers.pdf.typeset.flowable import DEST_EVENT, Bookmark, Report, TextFlowable
from briefpub.writers.pdf.typeset.fonts import FontData, font_data
from briefpub.writers.pdf.typeset.hyphenation import hyphenator, pyphen_language
from briefpub.writers.pdf.typeset.layout import GlyphRun, Layout, Line, layout_paragraph
from briefpub.writers.pdf.typeset.model import LINE_BREAK, Align, FaceLike, LineBreak, ParaStyle, Run, TextBlock
from briefpub.writers.pdf.typeset.render import Extraction
from briefpub.writers.pdf.typeset.tagging import (
    Annotation,
    LinkInfo,
    MarkedContent,
    NullTagger,
    RecordedSequence,
    RecordingTagger,
    Tag,
    Tagger,
)

__all__ = [
    "DEST_EVENT",
    "LINE_BREAK",
    "Align",
    "Annotation",
    "Bookmark",
    "Extraction",
    "FaceLike",
    "FontData",
    "GlyphRun",
    "Layout",
    "Line",
    "LineBreak",
    "LinkInfo",
    "MarkedContent",
    "NullTagger",
    "ParaStyle",
    "RecordedSequence",
    "RecordingTagger",
    "Report",
    "Run",
    "Tag",
    "Tagger",
    "TextBlock",
    "TextFlowable",
    "font_data",
    "hyphenator",
    "layout_paragraph",
    "pyphen_language",
]
