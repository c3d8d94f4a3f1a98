"""Tagged PDF (PDF/UA-1) for the PDF writer: the structure model, the tagger and the post-processor.

reportlab has no tagging API, and a structure tree cannot be added to a PDF
after the fact: content must be marked while it is drawn. This package does it
in three steps, one per stage of the PDF writer:

1. **Layout** builds the logical structure as a :class:`StructTree` of
   :class:`Element` objects, in reading (source) order, before anything is
   drawn, and gives each element to what draws it::

       tree = StructTree(lang="en-GB", title=frame.title)
       part = tree.root.add("Part")                      # one per article in a pack
       TextFlowable(title_block, tag=part.add("H1"))
       TextFlowable(paragraph_block, tag=part.add("P"))  # links, Span/Lang, hyphens: the engine and tagger
       items = part.add("L", list_numbering="Disc")
       item = items.add("LI")
       Marked(bullet_flowable, item.add("Lbl")); TextFlowable(text, tag=item.add("LBody"))
       Marked(image_flowable, part.add("Figure", alt=figure.alt))
       table = part.add("Table"); row = table.add("TR")
       TextFlowable(cell_text, tag=row.add("TH", scope="Column"))
       Table(data, renderCB=TableTagging(table))         # backgrounds, rules, repeated headers: artifacts
       Artifact(HRFlowable(...))                         # decoration

2. **Drawing**: a :class:`StructureTagger` on the canvas (``canvas.bp_tagger``,
   set in the page template's ``onPage``) allocates MCIDs per page and records
   every sequence against its element; page furniture is drawn inside
   ``with tagger.artifact(canvas, "Pagination", "Header"):`` (running header,
   markings), ``"Pagination", "Footer"`` (footer, "Page X of Y") or
   ``"Layout"`` (rules).

3. **Output**: :func:`finish` takes reportlab's PDF (bytes, or a file) and
   ``tagger.recording()`` and writes the structure tree, ``ParentTree``, the
   catalog entries and XMP metadata with pikepdf (imported only then), saved
   deterministically.

Modules: :mod:`.model` (elements, roles, the rules fixed by the standards),
:mod:`.tagger` (marked content), :mod:`.flowables` (reportlab wrappers),
:mod:`.postprocess` (pikepdf). What is claimed and how it is checked:
``docs/accessibility-pdf.md``.
"""

from __future__ import annotations

from briefpub.writers.pdf.tagging.flowables import Artifact, Marked, TableTagging, find_structure_tagger
from briefpub.writers.pdf.tagging.model import (
    ARTIFACT_TYPES,
    LIST_NUMBERING,
    SCOPES,
    STANDARD_ROLES,
    Element,
    HeadingLevels,
    StructTree,
    StructureError,
)
from briefpub.writers.pdf.tagging.postprocess import Finished, finish
from briefpub.writers.pdf.tagging.tagger import AnnotationRef, ContentRef, Recording, StructureTagger

__all__ = [
    "ARTIFACT_TYPES",
    "LIST_NUMBERING",
    "SCOPES",
    "STANDARD_ROLES",
    "AnnotationRef",
    "Artifact",
    "ContentRef",
    "Element",
    "Finished",
    "HeadingLevels",
    "Marked",
    "Recording",
    "StructTree",
    "StructureError",
    "StructureTagger",
    "TableTagging",
    "find_structure_tagger",
    "finish",
]
