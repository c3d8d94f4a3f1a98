"""Writers: pure functions from a publication, a style sheet and options to bytes.

A writer never touches the clock, the environment or the file system: the build
time comes in through :class:`WriteOptions`, images come in as bytes in
``options.resources`` (keyed by :attr:`briefpub.tree.Figure.image`), and the
output goes back as :class:`WriteResult` bytes plus diagnostics. That is what
makes byte-identical builds easy. The pipeline writes the bytes atomically.

Built-in writers are registered here by name and imported only when used;
third-party writers come from the ``briefpub.writers`` entry-point group and
must provide an object satisfying :class:`Writer`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Protocol

from briefpub.errors import ConversionError
from briefpub.registry import PluginSpec, Registry

if TYPE_CHECKING:  # annotations only: naming the formats (``--to``, a --server client) imports no tree or style
    from briefpub.cache import DiskCache
    from briefpub.diagnostics import Diagnostic
    from briefpub.fonts import FontSet
    from briefpub.styling.model import StyleSheet
    from briefpub.tree import BlockPath, Publication

__all__ = [
    "PUBLICATION_FORMATS",
    "WRITERS",
    "PageStart",
    "WriteOptions",
    "WriteResult",
    "Writer",
    "get_writer",
    "require_fonts",
]

_EPOCH = datetime(1980, 1, 1, tzinfo=UTC)


@dataclass(frozen=True, slots=True)
class PageStart:
    """Where a page of the print (PDF) edition begins, so other formats can map to it (EPUB page-list).

    ``label`` is the printed page number; ``document`` the index of the article the
    page's first text belongs to and ``path`` that block's :data:`~briefpub.tree.BlockPath`
    (the block the page begins in, or continues); both None for front matter
    (cover, contents, summary page), ``path`` None for an article's title block.
    """

    page: int
    label: str
    document: int | None = None
    path: BlockPath | None = None


@dataclass(frozen=True, slots=True)
class WriteOptions:
    """Everything a writer may know besides the publication and the style.

    ``build_time`` (timezone-aware UTC) is the build timestamp, from
    ``SOURCE_DATE_EPOCH`` when set: it goes into "modified"/"created" metadata and
    zip entry times, never into the article's own date. ``resources`` maps
    :attr:`Figure.image <briefpub.tree.Figure.image>` keys to image bytes.
    ``fonts`` are the fonts of this conversion, resolved once by the pipeline
    (:func:`briefpub.fonts.resolve_fonts`); writers never look for fonts themselves.
    ``print_pages`` are the page starts of the PDF edition of the same publication
    when the pipeline made one in the same run (the EPUB writer's page-list).
    ``cache`` is the disk cache (:mod:`briefpub.cache`) a writer may keep results in between runs (the
    EPUB cover): the pipeline passes the user's; None (the default) means none, and the bytes are the same.
    """

    build_time: datetime = _EPOCH
    resources: Mapping[str, bytes] = field(default_factory=dict)
    generator: str = "briefpub"
    fonts: FontSet | None = None
    print_pages: tuple[PageStart, ...] = ()
    cache: DiskCache | None = None

    def __post_init__(self) -> None:
        if self.build_time.tzinfo is None:
            raise ValueError("build_time must be timezone-aware")


@dataclass(frozen=True, slots=True)
class WriteResult:
    """A writer's output: the file's bytes, what it could not render, the font files it used, and (paged
    formats) where each page begins."""

    data: bytes
    diagnostics: tuple[Diagnostic, ...] = ()
    fonts: tuple[str, ...] = ()
    pages: tuple[PageStart, ...] = ()


class Writer(Protocol):
    """What every writer (built-in or plugin) provides."""

    name: str
    extension: str
    media_type: str

    def write(self, pub: Publication, style: StyleSheet, options: WriteOptions) -> WriteResult:
        """Lay out ``pub`` with ``style`` and return the file's bytes."""
        ...


_BUILTIN = (
    PluginSpec("pdf", "briefpub.writers.pdf:WRITER", "print-ready PDF briefing (reportlab)", (".pdf",)),
    PluginSpec("epub", "briefpub.writers.epub:WRITER", "EPUB 3 e-book with NCX (ebooklib)", (".epub",)),
    PluginSpec("docx", "briefpub.writers.docx:WRITER", "Word document with real styles (python-docx)", (".docx",)),
    PluginSpec("json", "briefpub.writers.json:WRITER", "the document tree (briefpub.document/1)", (".json",)),
)

#: The formats ``convert`` writes when ``--to`` is not given.
PUBLICATION_FORMATS: tuple[str, ...] = ("pdf", "epub", "docx")

WRITERS: Registry[Writer] = Registry("writer", "briefpub.writers", _BUILTIN)


def require_fonts(options: WriteOptions) -> FontSet:
    """The fonts the pipeline resolved for this conversion (ConversionError when none were passed)."""
    if options.fonts is None:
        raise ConversionError(
            "no fonts were passed to the writer: resolve them with briefpub.pipeline.style_fonts(style) "
            "and pass WriteOptions(fonts=...)"
        )
    return options.fonts


def get_writer(name: str) -> Writer:
    """The writer registered as ``name`` (raises UnknownFormatError / PluginError)."""
    return WRITERS.get(name)
