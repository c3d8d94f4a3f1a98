"""Marked-content hooks for tagged PDF: the :class:`Tagger` protocol the engine calls while drawing.

The engine writes every text-showing operator inside a marked-content sequence
that the tagger opens (``/P <</MCID 3>> BDC`` ... ``EMC``), so that a structure
tree (PDF/UA) can own it. Sequences never nest. A line's text is cut into
consecutive sequences wherever what they belong to changes:

* at link boundaries: the paragraph's text, then the link's text
  (:attr:`MarkedContent.link` set, for a ``Link`` element that is a child of the
  paragraph's element), then the paragraph's text again;
* at language boundaries: a run in another language than the paragraph's gets
  sequences of its own (:attr:`MarkedContent.lang`), which a structure tagger
  gives to a ``Span`` element with ``/Lang`` (one per language run; poppler's
  structure-text reader stops at marked content nested inside an MCID, so the
  language is not a nested ``/Span <</Lang>>``);
* around the hyphen the engine inserts at a line end
  (:attr:`MarkedContent.hyphen`): a sequence holding that one glyph, with the
  ``/ActualText`` extraction needs (:attr:`MarkedContent.actual_text`, "-": poppler
  joins a line ending in "-" with the next). The glyph itself maps to a soft
  hyphen (U+00AD) in ``ToUnicode``; a structure tagger puts the sequence in a
  ``Span`` element whose ``/ActualText`` is U+00AD, which is what tagged-PDF
  consumers read (ISO 32000-1, 14.8.2.2.3);
* around each group of right-to-left glyphs (:attr:`MarkedContent.logical`):
  they are written in visual order (what poppler and pypdf expect), so their
  logical text goes with them, for a structure tagger to give the sequence to a
  ``Span`` element whose ``/ActualText`` it is (what screen readers read; an
  ``/ActualText`` in the content would be reversed by poppler).

A paragraph split across pages opens new sequences on each page, with the same
``tag``.

The tagger writes a sequence's ``lang`` and ``actual_text`` where it belongs (in
its structure, or in the sequence's property list). A tagger that opens nothing
for a sequence (returns "") leaves them to the engine, which then wraps the
sequence's glyphs in a ``/Span <</Lang ... /ActualText ...>> BDC`` of its own:
untagged output keeps its extraction hints, and so does text drawn inside an
artifact. Decorations (underlines) are drawn inside sequences the tagger opens
with :meth:`Tagger.begin_artifact` (``/Artifact BMC``).

Each link annotation is announced with :meth:`Tagger.link_annotation` before it
is added to the page; the tagger may return entries for the annotation dictionary
(``StructParent``) and keep the page, rectangle and annotation name to build the
``OBJR`` of the link's structure element.

:class:`NullTagger` (the default) opens nothing. :class:`RecordingTagger` assigns
MCIDs per page, writes real operators and records everything: tests use it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol, runtime_checkable

__all__ = [
    "SOFT_HYPHEN",
    "Annotation",
    "LinkInfo",
    "MarkedContent",
    "NullTagger",
    "RecordedSequence",
    "RecordingTagger",
    "Tag",
    "Tagger",
    "find_tagger",
    "pdf_string_lang",
    "utf16_string",
]

#: What the hyphen inserted at a line end stands for (ISO 32000-1, 14.8.2.2.3).
SOFT_HYPHEN = "\u00ad"


def utf16_string(text: str) -> str:
    """``text`` as a PDF hexadecimal text string (UTF-16BE with its byte-order mark)."""
    return "<FEFF" + text.encode("utf-16-be").hex().upper() + ">"


def pdf_string_lang(lang: str) -> str:
    """A language tag as a PDF literal string (letters, digits and hyphens only)."""
    safe = "".join(c for c in lang if c.isalnum() or c == "-")
    return f"({safe})"


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
    #: The language (BCP 47) of the text when it differs from the paragraph's, else None.
    lang: str | None = None
    #: The ordinal of that language run in the paragraph (consecutive runs in one language), -1 without ``lang``.
    lang_run: int = -1
    #: The sequence's ``/ActualText`` for extraction (the inserted hyphen's "-"), or None.
    actual_text: str | None = None
    #: True for the sequence of the hyphen inserted at a line end (an incidental artifact: a soft hyphen).
    hyphen: bool = False
    #: The logical text of right-to-left glyphs drawn in visual order in this sequence, or None.
    logical: str | None = None

    @property
    def properties(self) -> str:
        """``/Lang`` and ``/ActualText`` entries for a property list ("" when there are none)."""
        entries = []
        if self.lang:
            entries.append(f"/Lang {pdf_string_lang(self.lang)}")
        if self.actual_text is not None:
            entries.append(f"/ActualText {utf16_string(self.actual_text)}")
        return " ".join(entries)


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
        """Open a marked-content sequence for text (``/P <</MCID n>> BDC``), or return "".

        A tagger that opens a sequence takes care of its ``lang`` and
        ``actual_text``; when it returns "", the engine writes them itself.
        """
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
    lang: str | None = None
    hyphen: bool = False
    logical: str | None = None


@dataclass
class RecordingTagger:
    """A tagger that writes ``/Role <</MCID n>> BDC`` (n counted per page) and records everything.

    The role is ``Link`` for a link's text, ``Span`` for an inserted hyphen and right-to-left glyphs, and the
    tag's ``role`` attribute (``P`` when it has none) otherwise; the sequence's
    ``/Lang`` and ``/ActualText`` go in its property list. Link annotations get
    ``StructParent`` numbers counted from 0.
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
        role = ("Span" if sequence.hyphen or sequence.logical is not None else "Link" if sequence.link is not None
                else str(getattr(sequence.tag, "role", "P")))
        self.sequences.append(RecordedSequence(sequence.page, mcid, role, sequence.tag, sequence.link,
                                               sequence.lang, sequence.hyphen, sequence.logical))
        self._open = mcid
        extra = sequence.properties
        return f"/{role} <</MCID {mcid}{' ' + extra if extra else ''}>> BDC"

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
