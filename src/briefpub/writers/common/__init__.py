"""The writers' shared layer: what every writer decides the same way (writer stage).

* :mod:`.frame`: the article and pack frame (title block, byline, key points,
  attribution, markings, cover details, contents and summary entries, anchors),
  computed once per publication and rendered by each writer.
* :mod:`.links`: the one link policy (:func:`~.links.resolve_link`).
* :mod:`.inlines`: inlines flattened to styled runs (nested emphasis, links,
  language spans), the one inline walk.
* :mod:`.labels`: the labels and date formats of each language.

Block traversal is the tree's own (:func:`briefpub.tree.iter_blocks`,
:func:`briefpub.tree.enumerate_blocks`, :func:`briefpub.tree.map_blocks`).
"""

from __future__ import annotations

from briefpub.writers.common.frame import (
    ArticleFrame,
    Byline,
    Detail,
    Frames,
    OutlineEntry,
    PackFrame,
    SummaryEntry,
    document_language,
    frames,
    outline_depths,
    publication_language,
)
from briefpub.writers.common.inlines import BreakRun, ImageRun, Run, RunStyle, TextRun, flatten
from briefpub.writers.common.labels import Labels, format_iso_date, labels_for
from briefpub.writers.common.links import External, Internal, LinkTarget, Refused, resolve_link, safe_href

__all__ = [
    "ArticleFrame",
    "BreakRun",
    "Byline",
    "Detail",
    "External",
    "Frames",
    "ImageRun",
    "Internal",
    "Labels",
    "LinkTarget",
    "OutlineEntry",
    "PackFrame",
    "Refused",
    "Run",
    "RunStyle",
    "SummaryEntry",
    "TextRun",
    "document_language",
    "flatten",
    "format_iso_date",
    "frames",
    "labels_for",
    "outline_depths",
    "publication_language",
    "resolve_link",
    "safe_href",
]
