"""The publication's logical structure, made while the story is built (PDF writer, layout stage).

The PDF is tagged (PDF/UA-1): every piece of page content is either content of
a structure element or an artifact. :class:`Structure` holds the one
:class:`~briefpub.writers.pdf.tagging.StructTree` of a publication and the
:class:`~briefpub.writers.pdf.tagging.StructureTagger` that records, while the
pages are drawn, which content belongs to which element. The layout creates the
elements in reading order (source order) before anything is drawn and gives
each one to what draws it: a paragraph's ``ParagraphSpec(tag=element)``, a
picture's :func:`figure`, a table's ``TableTagging``; what draws itself on the
canvas (furniture, contents rows, rules) uses :func:`marked`, :func:`artifact`
and :func:`link_rect`, which do nothing when no structure tagger is on the
canvas (an untagged build).

The tree's shape::

    Document                           (/Lang: the publication's language)
      Sect   cover: P marking, H1 pack title, P subtitle, P details     (packs)
      Sect   contents: H2, TOC > TOCI > Span number, Link title, Reference page, P outlet and date
      Sect   summary: H2, L > LI > Lbl number, LBody > P title link, L key points | P opening sentence
      Art    (a single article) | Part (each article of a pack; /Lang where it differs)
        P marking, P "Article 3 of 12", H1|H2 title, P standfirst, P byline (Link to the source)
        Sect key points: H, L > LI > Lbl, LBody
        body: H2..H6, P (Link, Span /Lang, Figure for inline images), L, BlockQuote,
              Table > Caption, TR > TH /Scope | TD, Div > Figure /Alt + Caption
        Sect source: H, Table > TR > TH /Scope Row + TD, Figure (the QR code, /Alt naming the URL)
      P      the pack's end mark                                         (packs)

Headings never skip a level going down: a single article's title is ``H1``, a
pack's title ``H1`` and each article's ``H2``; body headings follow
(:class:`~briefpub.writers.pdf.tagging.HeadingLevels` from the article's title).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from reportlab.platypus import Flowable

from briefpub.diagnostics import Diagnostic
from briefpub.language import valid_tag
from briefpub.writers.pdf.tagging import (
    Artifact,
    Element,
    HeadingLevels,
    Marked,
    StructTree,
    StructureTagger,
    find_structure_tagger,
)

__all__ = ["Structure", "artifact", "figure", "language_of", "link_rect", "marked"]


class Structure:
    """A publication's structure tree, its heading levels and the tagger that records the drawing."""

    def __init__(self, lang: str, title: str) -> None:
        self.tree = StructTree(lang if valid_tag(lang) else "und", title)
        self.tagger = StructureTagger(self.tree)
        self.levels = HeadingLevels()

    @property
    def root(self) -> Element:
        """The ``Document`` element."""
        return self.tree.root

    def title(self, parent: Element, level: int) -> Element:
        """An article's (or the pack's) title heading at ``level``; the body's headings go on from it."""
        self.levels.current = level
        return parent.add(f"H{level}")

    def heading(self, parent: Element, level: int) -> Element:
        """A heading at ``level`` (clamped so that no level is skipped going down)."""
        return parent.add(self.levels.role(level))


def language_of(parent: Element, lang: str) -> str | None:
    """``lang`` when it differs from what ``parent`` inherits (an element's ``/Lang``), else None."""
    return lang if lang and valid_tag(lang) and lang != parent.inherited_lang() else None


def figure(parent: Element | None, content: Flowable, alt: str, diagnostics: list[Diagnostic],
           key: str = "", what: str = "image") -> Flowable:
    """``content`` (a picture) as a ``Figure`` of ``parent`` with ``alt`` as its ``/Alt``.

    A picture without alternative text (the article gave neither alt text nor a
    caption) is drawn as an artifact, as a decorative image is, and reported: a
    ``Figure`` with an empty ``/Alt`` fails PDF/UA-1 (7.3), and a made-up one
    would mislead. ``key`` (the image's resource key) goes in the report.
    """
    if parent is None:
        return content
    text = " ".join(alt.split())
    if text:
        return Marked(content, parent.add("Figure", alt=text))
    diagnostics.append(Diagnostic(
        "writer.accessibility",
        f"an {what} has no alternative text (no alt text, caption or title): the tagged PDF marks it as "
        "decoration, which screen readers skip", text=key, severity="warning"))
    return Artifact(content)


@contextmanager
def marked(canvas: Any, element: Element | None,
           bbox: tuple[float, float, float, float] | None = None) -> Iterator[None]:
    """What is drawn inside is content of ``element`` (nothing happens without a structure tagger)."""
    tagger = find_structure_tagger(canvas)
    if tagger is None or element is None or element.tree is not tagger.tree:
        yield
        return
    with tagger.marked(canvas, element, bbox):
        yield


@contextmanager
def artifact(canvas: Any, kind: str = "Layout", subtype: str | None = None) -> Iterator[None]:
    """What is drawn inside is an artifact of ``kind`` (nothing happens without a structure tagger)."""
    tagger = find_structure_tagger(canvas)
    if tagger is None:
        yield
        return
    with tagger.artifact(canvas, kind, subtype):
        yield


def link_rect(canvas: Any, rect: tuple[float, float, float, float], destination: str, element: Element | None,
              description: str) -> None:
    """A link annotation over ``rect`` (current coordinates) to the named destination, owned by ``element``.

    The annotation has ``/Contents`` (``description``) and, in a tagged build, the
    ``/StructParent`` that makes it the ``OBJR`` of its ``Link`` element
    (PDF/UA-1 7.18.5). reportlab's ``linkRect`` refuses entries it does not know,
    so the dictionary is made here, as the text engine makes its own.
    """
    from reportlab.pdfbase.pdfdoc import PDFArray, PDFDictionary, PDFName, PDFString

    tagger = find_structure_tagger(canvas)
    entries = (tagger.annotation(canvas, element, description)
               if tagger is not None and element is not None and element.tree is tagger.tree else {})
    box = canvas._absRect(rect, 1)
    annotation = PDFDictionary()
    annotation["Type"] = PDFName("Annot")
    annotation["Subtype"] = PDFName("Link")
    annotation["Rect"] = PDFArray([round(v, 3) for v in box])
    annotation["Border"] = PDFArray([0, 0, 0])
    annotation["F"] = 4
    annotation["Contents"] = PDFString(description)
    annotation["Dest"] = canvas._bookmarkReference(destination)
    for key in sorted(entries):
        annotation[key] = entries[key]
    canvas._addAnnotation(annotation, f"bpLink{canvas._annotationCount + 1}")
