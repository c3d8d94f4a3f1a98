"""The tagger: marked content while the PDF is drawn, recorded against the structure model (PDF writer, drawing).

:class:`StructureTagger` implements the text engine's
:class:`~briefpub.writers.pdf.typeset.tagging.Tagger` protocol and adds what
the layout needs for everything else it draws:

* **Text** set by the engine: ``TextFlowable(block, tag=element)``. The engine
  asks for a sequence per piece of a line; the tagger allocates the page's next
  MCID (pages are the canvas's page numbers, MCIDs count from 0 on each page),
  writes ``/P <</MCID 3>> BDC`` and records the reference against the element.
  A link's text gets its own sequences, owned by a ``Link`` element the tagger
  creates inside the paragraph's element (one per link, whatever the number of
  lines and pages it covers), and the link's annotations get ``StructParent``
  numbers that point to that element. A run in another language than its
  element's gets a ``Span`` element with ``/Lang`` (one per language run, inside
  the paragraph's element or its link's), which owns that run's sequences. The
  hyphen the engine inserts at a line end gets a ``Span`` element of its own
  whose ``/ActualText`` is a soft hyphen (U+00AD, ISO 32000-1 14.8.2.2.3); its
  sequence keeps the engine's ``/ActualText (-)`` for poppler, which reads the
  content only. Right-to-left glyphs, written in visual order, get a ``Span``
  whose ``/ActualText`` is their logical text (one per group of a line).
  Underlines become ``Layout`` artifacts.
* **Other content** (images, QR codes, list bullets drawn by reportlab, a table
  cell drawn as a string): :meth:`StructureTagger.marked` around its drawing,
  or the :class:`~briefpub.writers.pdf.tagging.flowables.Marked` wrapper.
* **Furniture** (running header, footer, "Page X of Y", protective markings,
  rules, backgrounds, blank-page notes): :meth:`StructureTagger.artifact`, or
  the :class:`~briefpub.writers.pdf.tagging.flowables.Artifact` wrapper.
* **Annotations the layout adds itself** (``canvas.linkRect(..., **entries)``):
  :meth:`StructureTagger.annotation` returns the ``StructParent`` entry.

Sequences never nest (PDF/UA-1 7.1-1/2): anything opened while a sequence is
open is written as part of it (text inside a marked figure belongs to the
figure; text inside an artifact stays an artifact), so no artifact ends up
inside real content and no MCID inside an artifact.

reportlab draws a document more than once with ``multiBuild``: only the last
pass's canvas is saved. The tagger starts over whenever a new canvas draws, so
its :meth:`~StructureTagger.recording` describes the last pass. The structure
elements themselves are made once, by the layout, before the build.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Literal

from briefpub.writers.pdf.tagging.model import ARTIFACT_TYPES, Element, StructTree, StructureError
from briefpub.writers.pdf.typeset.tagging import (
    SOFT_HYPHEN,
    Annotation,
    LinkInfo,
    MarkedContent,
    utf16_string,
)

__all__ = ["AnnotationRef", "ContentRef", "Kid", "Recording", "StructureTagger"]


@dataclass(frozen=True, slots=True)
class ContentRef:
    """A marked-content sequence: its page (1-based) and MCID."""

    page: int
    mcid: int


@dataclass(frozen=True, slots=True)
class AnnotationRef:
    """An annotation owned by an element: its ``StructParent`` key, page and description."""

    key: int
    page: int
    #: What the annotation's ``/Contents`` should say when it has none (the link text or its target).
    description: str


#: What an element holds besides its child elements, in drawing order.
Kid = Element | ContentRef | AnnotationRef


@dataclass(frozen=True, slots=True)
class Recording:
    """What the last pass drew, for :func:`~briefpub.writers.pdf.tagging.postprocess.finish`.

    ``content`` maps each element to its own content in drawing order: marked
    content, annotations and the ``Link`` elements the tagger made for links
    (those are not among their parent's ``children``; their own content is in
    ``content`` too). ``annotations`` maps ``StructParent`` keys to their
    elements (keys ``0 .. next_key - 1``); ``bboxes`` where each element was drawn
    (page and rectangle) when the layout said. ``problems`` says what could not be
    tagged as asked (content drawn without an element, a link inside an
    artifact...): the writer reports them.
    """

    tree: StructTree
    content: Mapping[Element, tuple[Kid, ...]]
    annotations: Mapping[int, Element]
    bboxes: Mapping[Element, tuple[tuple[int, tuple[float, float, float, float]], ...]]
    next_key: int
    pages: int
    problems: tuple[str, ...]


_State = Literal["mcid", "artifact", "pass"]


def _name(role: str) -> str:
    return "/" + role


class StructureTagger:
    """Marks content while it is drawn and records it against the elements of ``tree``.

    Set it as the canvas's ``bp_tagger`` (in the page template's ``onPage``, before
    anything is drawn on the page) or pass it to each ``TextFlowable``.
    """

    def __init__(self, tree: StructTree) -> None:
        self.tree = tree
        self._canvas: Any = None
        self._reset()

    # -- pass bookkeeping ------------------------------------------------------------

    def _reset(self) -> None:
        self._next_mcid: dict[int, int] = {}
        self._content: dict[Element, list[Kid]] = {}
        self._links: dict[tuple[int, int], Element] = {}
        self._spans: dict[tuple[int, int], Element] = {}
        self._annotations: dict[int, Element] = {}
        self._bboxes: dict[Element, list[tuple[int, tuple[float, float, float, float]]]] = {}
        self._stack: list[_State] = []
        self._problems: list[str] = []
        self._fallback: Element | None = None
        self._pages = 0

    def _sync(self, canvas: Any) -> int:
        """Start over when a new canvas draws (a new build pass); the current page number."""
        if canvas is not self._canvas:
            self._canvas = canvas
            self._reset()
        page = int(canvas.getPageNumber())
        self._pages = max(self._pages, page)
        return page

    def reset(self) -> None:
        """Forget everything recorded (the next drawing starts a new pass)."""
        self._canvas = None
        self._reset()

    # -- elements --------------------------------------------------------------------

    def _element(self, tag: object) -> Element:
        """The element a tag stands for: an :class:`Element`, or an object whose ``ref`` is one."""
        if isinstance(tag, Element) and tag.tree is self.tree:
            return tag
        ref = getattr(tag, "ref", None)
        if isinstance(ref, Element) and ref.tree is self.tree:
            return ref
        if self._fallback is None:
            self._fallback = self.tree.detached(self.tree.root, "P")
            self._content.setdefault(self.tree.root, []).append(self._fallback)
        self._problems.append(f"content drawn without a structure element of this document (tag {tag!r}): "
                              "tagged as a paragraph at the end of the document")
        return self._fallback

    def _link(self, owner: Element, link: LinkInfo) -> Element:
        """The ``Link`` element of ``link`` inside ``owner`` (made on first use, at that point of its content)."""
        if owner.standard_role == "Link":
            return owner
        key = (owner.ordinal, link.index)
        found = self._links.get(key)
        if found is None:
            found = self.tree.detached(owner, "Link")
            self._links[key] = found
            self._content.setdefault(owner, []).append(found)
        return found

    def _span(self, owner: Element, sequence: MarkedContent) -> Element:
        """The ``Span`` element of the language run of ``sequence`` inside ``owner`` (made on first use)."""
        lang = sequence.lang or ""
        if not lang or lang == owner.inherited_lang():
            return owner
        key = (owner.ordinal, sequence.lang_run)
        found = self._spans.get(key)
        if found is None or found.lang != lang:
            found = self.tree.detached(owner, "Span", lang=lang)
            self._spans[key] = found
            self._content.setdefault(owner, []).append(found)
        return found

    def _hyphen(self, owner: Element) -> Element:
        """A new ``Span`` for an inserted hyphen: its ``/ActualText`` is a soft hyphen."""
        span = self.tree.detached(owner, "Span", actual_text=SOFT_HYPHEN)
        self._content.setdefault(owner, []).append(span)
        return span

    def _logical(self, owner: Element, text: str) -> Element:
        """A new ``Span`` for right-to-left glyphs drawn in visual order: its ``/ActualText`` is their text."""
        span = self.tree.detached(owner, "Span", actual_text=text)
        self._content.setdefault(owner, []).append(span)
        return span

    # -- sequences -------------------------------------------------------------------

    def _open(self, page: int, element: Element, properties: str = "") -> str:
        if self._stack:
            self._stack.append("pass")
            return ""
        mcid = self._next_mcid.get(page, 0)
        self._next_mcid[page] = mcid + 1
        self._content.setdefault(element, []).append(ContentRef(page, mcid))
        self._stack.append("mcid")
        extra = f" {properties}" if properties else ""
        return f"{_name(element.role)} <</MCID {mcid}{extra}>> BDC"

    def _open_artifact(self, kind: str, subtype: str | None) -> str:
        if kind not in ARTIFACT_TYPES or (subtype is not None and subtype not in ARTIFACT_TYPES[kind]):
            raise StructureError(f"unknown artifact type {kind}/{subtype}")
        if self._stack:
            self._stack.append("pass")
            return ""
        self._stack.append("artifact")
        entries = f"/Type /{kind}" + (f" /Subtype /{subtype}" if subtype else "")
        return f"/Artifact <<{entries}>> BDC"

    def _close(self) -> str:
        if not self._stack:
            self._problems.append("a marked-content sequence was closed that was not open")
            return ""
        return "" if self._stack.pop() == "pass" else "EMC"

    # -- the text engine's protocol ------------------------------------------------------

    def begin(self, canvas: Any, sequence: MarkedContent) -> str:
        """Open the sequence for a piece of text: its element's, its link's, its language run's, a hyphen's.

        The language goes on the run's ``Span`` element; an ``actual_text`` (the
        inserted hyphen's) in the sequence's property list.
        """
        page = self._sync(canvas)
        if self._stack:  # inside a marked figure or an artifact: part of it
            self._stack.append("pass")
            return ""
        element = self._element(sequence.tag)
        if sequence.link is not None:
            element = self._link(element, sequence.link)
        element = self._span(element, sequence)
        if sequence.hyphen:
            element = self._hyphen(element)
        elif sequence.logical is not None:
            element = self._logical(element, sequence.logical)
        actual = sequence.actual_text
        return self._open(page, element, "" if actual is None else f"/ActualText {utf16_string(actual)}")

    def end(self, canvas: Any, sequence: MarkedContent) -> str:
        """Close it."""
        self._sync(canvas)
        return self._close()

    def begin_artifact(self, canvas: Any, tag: object) -> str:
        """Open a ``Layout`` artifact for the engine's decorations (underlines)."""
        self._sync(canvas)
        return self._open_artifact("Layout", None)

    def end_artifact(self, canvas: Any, tag: object) -> str:
        """Close it."""
        self._sync(canvas)
        return self._close()

    def link_annotation(self, canvas: Any, annotation: Annotation) -> Mapping[str, Any]:
        """``{"StructParent": k}`` for a link's annotation, owned by the link's ``Link`` element."""
        page = self._sync(canvas)
        if "artifact" in self._stack:
            self._problems.append(f"a link inside an artifact is not tagged: {annotation.link.target}")
            return {}
        element = self._link(self._element(annotation.tag), annotation.link)
        return self._annotate(page, element, annotation.link.text or annotation.link.target)

    # -- the layout's API ----------------------------------------------------------------

    def annotation(self, canvas: Any, element: Element, description: str = "") -> dict[str, int]:
        """The entries (``StructParent``) for an annotation the layout adds to the current page for ``element``.

        ``element`` is a ``Link`` (links) or ``Annot`` element; ``description`` is the
        annotation's ``/Contents`` if it has none. Pass the result on:
        ``canvas.linkRect("", key, rect, **tagger.annotation(canvas, link_element, "Contents"))``.
        """
        if element.standard_role not in ("Link", "Annot"):
            raise StructureError(f"an annotation belongs to a Link or Annot element, not {element.standard_role}")
        page = self._sync(canvas)
        return self._annotate(page, element, description)

    def _annotate(self, page: int, element: Element, description: str) -> dict[str, int]:
        key = len(self._annotations)
        self._annotations[key] = element
        self._content.setdefault(element, []).append(AnnotationRef(key, page, description))
        return {"StructParent": key}

    def open_marked(self, canvas: Any, element: Element,
                    bbox: tuple[float, float, float, float] | None = None) -> None:
        """Start ``element``'s content here (one MCID); :meth:`close` ends it. Prefer :meth:`marked`.

        ``bbox`` (default user space: x1, y1, x2, y2) is where the content is drawn
        on this page: it becomes the element's ``/BBox`` attribute when all of the
        element is on one page (figures, tables).
        """
        page = self._sync(canvas)
        if element.tree is not self.tree:
            raise StructureError("the element belongs to another structure tree")
        opened = self._open(page, element)
        if opened:
            canvas.addLiteral(opened)
        if bbox is not None:
            self.note_bbox(canvas, element, bbox)

    def open_artifact(self, canvas: Any, kind: str = "Layout", subtype: str | None = None) -> None:
        """Start an artifact here; :meth:`close` ends it. Prefer :meth:`artifact`."""
        self._sync(canvas)
        opened = self._open_artifact(kind, subtype)
        if opened:
            canvas.addLiteral(opened)

    def close(self, canvas: Any) -> None:
        """End what :meth:`open_marked` or :meth:`open_artifact` started."""
        self._sync(canvas)
        closed = self._close()
        if closed:
            canvas.addLiteral(closed)

    def note_bbox(self, canvas: Any, element: Element, bbox: tuple[float, float, float, float]) -> None:
        """Record where part of ``element`` is drawn on the current page (default user space)."""
        page = self._sync(canvas)
        self._bboxes.setdefault(element, []).append((page, bbox))

    @contextmanager
    def marked(self, canvas: Any, element: Element,
               bbox: tuple[float, float, float, float] | None = None) -> Iterator[None]:
        """Everything drawn inside the block is content of ``element`` (one MCID; see :meth:`open_marked`)."""
        self.open_marked(canvas, element, bbox)
        try:
            yield
        finally:
            self.close(canvas)

    @contextmanager
    def artifact(self, canvas: Any, kind: str = "Layout", subtype: str | None = None) -> Iterator[None]:
        """Everything drawn inside the block is an artifact: ``/Artifact <</Type /kind /Subtype /subtype>> BDC``.

        ``kind``: ``Pagination`` (running header, footer, page numbers, markings
        repeated on every page: ``subtype`` ``Header``, ``Footer`` or ``Watermark``),
        ``Layout`` (rules, bars, decorations), ``Page`` (printer's marks, blank-page
        notes) or ``Background`` (shading behind boxes and table cells).
        """
        self.open_artifact(canvas, kind, subtype)
        try:
            yield
        finally:
            self.close(canvas)

    def in_artifact(self) -> bool:
        """True inside an artifact (text drawn now is not real content)."""
        return "artifact" in self._stack

    # -- result ----------------------------------------------------------------------

    def recording(self) -> Recording:
        """What the last pass drew (call it after the build)."""
        problems = list(self._problems)
        if self._stack:
            problems.append(f"{len(self._stack)} marked-content sequence(s) left open at the end")
        return Recording(
            tree=self.tree,
            content={element: tuple(kids) for element, kids in self._content.items()},
            annotations=dict(self._annotations),
            bboxes={element: tuple(boxes) for element, boxes in self._bboxes.items()},
            next_key=len(self._annotations),
            pages=self._pages,
            problems=tuple(dict.fromkeys(problems)),
        )
