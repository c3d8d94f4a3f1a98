"""Marked-content hooks for tagged PDF: the :class:`Tagger` protocol the engine calls while drawing.

The engine writes every text-showing operator inside a marked-content sequence
that the tagger opens (``/P <</MCID 3>> BDC`` ... ``EMC``), so that a structure
tree (PDF/UA) can own it. Sequences never nest. A line's text is cut into
consecutive sequences at link boundaries: the paragraph's text, then the link's
text (:attr:`MarkedContent.link` set, for a ``Link`` element that is a child of the
paragraph's element), then the paragraph's text again. A paragraph split across
pages opens new sequences on each page, with the same ``tag``.

Inside a sequence the engine may add marked content of its own, without MCIDs:
``/Span <</Lang (ar)>> BDC`` around a run in another language than the
paragraph's, and ``/Span <</ActualText (...)>> BDC`` around the hyphen it inserted
at a line end. Decorations (underlines) are drawn inside sequences the tagger
opens with :meth:`Tagger.begin_artifact` (``/Artifact BMC``).

Each link annotation is announced with :meth:`Tagger.link_annotation` before it
is added to the page; the tagger may return entries for the annotation dictionary
(``StructParent``) and keep the page, rectangle and annotation name to build the
``OBJR`` of the link's structure element.

:class:`NullTagger` (the default) opens nothing. :class:`RecordingTagger` assigns
MCIDs per page, writes real operators and records everything: tests use it, and it
is the model for the structure-tree builder.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol, runtime_checkable

__all__ = [
    "Annotation",
    "LinkInfo",
    "MarkedContent",
    "NullTagger",
    "RecordedSequence",
    "RecordingTagger",
    "Tag",
    "Tagger",
    "find_tagger",
]


@dataclass(frozen=True, slots=True)
class Tag:
    """A convenient opaque tag: a structure role (``P``, ``H1``, ``LBody``, ``TD``, ``Caption``) and a reference."""

    role: str
    ref: object = None


@dataclass(frozen=True, slots=True)
class LinkInfo:
    """One link of a paragraph (the same object for every line and page the link is drawn on)."""

    #: The link's ordinal in its paragraph (0, 1, ...).
    index: int
    #: ``https://...``, ``mailto:...`` or ``#destination``.
    target: str
    #: The link's text (its annotation's ``Contents``).
    text: str


@dataclass(frozen=True, slots=True)
class MarkedContent:
    """A marked-content sequence the engine asks the tagger to open."""

    #: The flowable's tag (given by the layout).
    tag: object
    #: None for the paragraph's own text; the link for a link's text.
    link: LinkInfo | None
    #: The page number (``canvas.getPageNumber()``).
    page: int


@dataclass(frozen=True, slots=True)
class Annotation:
    """A link annotation about to be added to the page."""

    tag: object
    link: LinkInfo
    page: int
    #: ``(x1, y1, x2, y2)`` in default user space (absolute page coordinates).
    rect: tuple[float, float, float, float]
    #: The annotation's name in reportlab's document (``canvas._doc.refAnnotation(name)``).
    name: str


@runtime_checkable
class Tagger(Protocol):
    """What the engine calls while drawing (all methods return content-stream operators or "")."""

    def begin(self, canvas: Any, sequence: MarkedContent) -> str:
        """Open a marked-content sequence for text (``/P <</MCID n>> BDC``), or return ""."""
        ...

    def end(self, canvas: Any, sequence: MarkedContent) -> str:
        """Close the sequence opened by :meth:`begin` (``EMC``), or return ""."""
        ...

    def begin_artifact(self, canvas: Any, tag: object) -> str:
        """Open an artifact sequence for decorations (``/Artifact BMC``), or return ""."""
        ...

    def end_artifact(self, canvas: Any, tag: object) -> str:
        """Close the artifact sequence."""
        ...

    def link_annotation(self, canvas: Any, annotation: Annotation) -> Mapping[str, Any]:
        """Extra entries for a link annotation's dictionary (say ``{"StructParent": 4}``)."""
        ...


class NullTagger:
    """The default: no marked content, no extra annotation entries."""

    def begin(self, canvas: Any, sequence: MarkedContent) -> str:
        """Nothing."""
        return ""

    def end(self, canvas: Any, sequence: MarkedContent) -> str:
        """Nothing."""
        return ""

    def begin_artifact(self, canvas: Any, tag: object) -> str:
        """Nothing."""
        return ""

    def end_artifact(self, canvas: Any, tag: object) -> str:
        """Nothing."""
        return ""

    def link_annotation(self, canvas: Any, annotation: Annotation) -> Mapping[str, Any]:
        """Nothing."""
        return {}


NULL_TAGGER = NullTagger()


@dataclass(frozen=True, slots=True)
class RecordedSequence:
    """One sequence a :class:`RecordingTagger` opened."""

    page: int
    mcid: int
    role: str
    tag: object
    link: LinkInfo | None


@dataclass
class RecordingTagger:
    """A tagger that writes ``/Role <</MCID n>> BDC`` (n counted per page) and records everything.

    The role is ``Link`` for a link's text and the tag's ``role`` attribute (``P``
    when it has none) otherwise. Link annotations get ``StructParent`` numbers
    counted from 0.
    """

    sequences: list[RecordedSequence] = field(default_factory=list)
    annotations: list[tuple[Annotation, int]] = field(default_factory=list)
    artifacts: int = 0
    _next_mcid: dict[int, int] = field(default_factory=dict)
    _open: int | None = None

    def begin(self, canvas: Any, sequence: MarkedContent) -> str:
        """Open ``/Role <</MCID n>> BDC`` (raises if a sequence is already open: they must not nest)."""
        if self._open is not None:
            raise AssertionError("marked-content sequences must not nest")
        mcid = self._next_mcid.get(sequence.page, 0)
        self._next_mcid[sequence.page] = mcid + 1
        role = "Link" if sequence.link is not None else str(getattr(sequence.tag, "role", "P"))
        self.sequences.append(RecordedSequence(sequence.page, mcid, role, sequence.tag, sequence.link))
        self._open = mcid
        return f"/{role} <</MCID {mcid}>> BDC"

    def end(self, canvas: Any, sequence: MarkedContent) -> str:
        """``EMC``."""
        if self._open is None:
            raise AssertionError("no sequence open")
        self._open = None
        return "EMC"

    def begin_artifact(self, canvas: Any, tag: object) -> str:
        """``/Artifact BMC``."""
        if self._open is not None:
            raise AssertionError("an artifact inside a marked-content sequence")
        self.artifacts += 1
        self._open = -1
        return "/Artifact BMC"

    def end_artifact(self, canvas: Any, tag: object) -> str:
        """``EMC``."""
        self._open = None
        return "EMC"

    def link_annotation(self, canvas: Any, annotation: Annotation) -> Mapping[str, Any]:
        """``{"StructParent": k}``, k counted from 0."""
        key = len(self.annotations)
        self.annotations.append((annotation, key))
        return {"StructParent": key}


def find_tagger(canvas: Any, explicit: Tagger | None = None) -> Tagger:
    """The tagger to use: ``explicit``, else ``canvas.bp_tagger``, else a :class:`NullTagger`."""
    if explicit is not None:
        return explicit
    found = getattr(canvas, "bp_tagger", None)
    if found is not None:
        return found  # type: ignore[no-any-return]
    return NULL_TAGGER
