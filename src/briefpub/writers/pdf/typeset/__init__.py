"""briefpub's text engine for the PDF writer: shaping, line breaking, bidi and drawing.

The engine replaces reportlab's ``Paragraph`` for article text. reportlab is used
only for the canvas, TrueType subset embedding and page layout (frames and
templates); the engine shapes text with HarfBuzz, breaks whole paragraphs with the
Knuth-Plass algorithm, orders right-to-left text with the Unicode Bidirectional
Algorithm, and draws glyph runs itself, calling a :class:`Tagger` around every
piece of text so that a tagged-PDF structure tree can own it.

Usage (layout stage)::

    faces = (body_regular, dejavu_sans, noto_arabic, noto_hebrew)  # a fallback chain (path + index objects)
    block = TextBlock.of([
        Run("Talks began in ", faces, 10.5),
        Run("Astana", faces, 10.5, link="https://example.org", underline=True, colour="#1f4e8c"),
        Run(" on Monday.", faces, 10.5),
    ], ParaStyle(leading=14.5, hyphenate="en-GB", space_after=6))
    flowable = TextFlowable(block, tag=Tag("P", element), bookmark=None)
    story.append(flowable)
    ...
    report = flowable.report()   # after layout: missing glyphs, ragged fallback, unknown language...

The tagger is found as ``TextFlowable(tagger=...)`` or the canvas's ``bp_tagger``
attribute (set it in the page template's ``onPage``); without one, no MCIDs are
written. Internal links (``#key``) must name a destination that exists when the
document is saved (a :class:`Bookmark` or ``canvas.bookmarkHorizontal``).

What extractors see (measured with poppler 22.12 ``pdftotext`` in its default
mode and pypdf 7.1 ``extract_text()``; see :mod:`.render`):

* Hyphenated words come out whole in both. poppler honours ``/ActualText`` and
  joins a line that ends in "-" with the next, dropping the hyphen: the inserted
  hyphen is wrapped in ``/ActualText (-)``. pypdf ignores ActualText and marked
  content and starts a new line whenever the text matrix moves vertically: the
  inserted hyphen extracts as nothing (empty ``ToUnicode``), and the word's second
  part is drawn with the first line's text matrix lowered by text rise. An
  ActualText of "" or U+00AD makes poppler keep the words apart; a soft hyphen in
  ``ToUnicode`` makes both print U+00AD.
* A hard hyphen that ends a line ("Turkey-|backed") stays in pypdf's text; poppler
  drops it ("Turkeybacked"), as it does for any PDF.
* Right-to-left text comes out in logical order with plain letters (ligatures and
  contextual forms map to their letters in ``ToUnicode``), in both, when the
  content is written the way the extractors reorder it: glyphs in visual order,
  groups bounded by letters in logical order, zero-width LRM/RLM marks at the
  edges of embedded runs (they appear in the extracted text; poppler also adds
  U+202A-U+202C embedding controls). ``/ActualText`` on right-to-left runs is
  reversed by poppler, so it is off (:class:`Extraction`).
* Known poppler limits: an Arabic or Hebrew combining mark raised by the font
  (tanween, shadda, niqqud) becomes a separate word; an Arabic paragraph on a page
  whose text is mostly left to right comes out in visual run order; pypdf gets
  both right.

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
