"""The pipeline: read -> transform -> render -> atomic write (the stage that drives the others).

One path for every command: ``briefpub convert`` (:func:`convert_one`),
``briefpub pack`` (:func:`~briefpub.pipeline.pack.assemble_pack`, then
:func:`publish`) and manifest builds (:mod:`briefpub.pipeline.build`, which
calls the same two functions per job).

* :func:`prepare_article` reads an input (:mod:`briefpub.readers`), applies the
  transforms (:func:`briefpub.transforms.prepare`: ``--set`` overrides, heading
  ids and link targets) and loads its images (:mod:`.resources`).
  :func:`prepare_bytes` does the same for bytes received from elsewhere (the
  server's uploads).
* :func:`render_formats` resolves the fonts once (:func:`briefpub.fonts.resolve_fonts`)
  and runs each writer (pure: publication + style + options -> bytes), PDF first
  with its page starts passed on; :func:`publish` writes each result atomically
  (:mod:`.output`), returning one :class:`Artifact` per file with its checksum and
  the font files the writer used. ``briefpub serve``'s workers return the same
  bytes instead of writing them.

The build time comes from ``SOURCE_DATE_EPOCH`` when set
(:func:`build_time_from_env`); it dates the files, never the article.
"""

from __future__ import annotations

import dataclasses
import os
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from briefpub.diagnostics import Diagnostic
from briefpub.errors import BriefpubError, ConversionError, SetupError, UsageError, one_line
from briefpub.pipeline.fetch import is_url, read_url, url_stem
from briefpub.pipeline.output import TEMP_SUFFIX, atomic_write, cleanup_on_termination, remove_stale_temps
from briefpub.writers import WriteOptions, WriteResult, get_writer

if TYPE_CHECKING:  # the readers, the tree, the transforms and the fonts are imported when used: a --server
    # client writes what the server sent with FileWriter and names outputs with convert_targets, and needs none
    from briefpub.fonts import FontFile, FontSet
    from briefpub.pipeline.resources import ImageNames, ImageRecord, SentFolder
    from briefpub.readers import ReadResult
    from briefpub.styling.model import StyleSheet
    from briefpub.tree import Document, Publication

__all__ = [
    "TEMP_SUFFIX",
    "Artifact",
    "FileWriter",
    "PreparedArticle",
    "PublishError",
    "RenderedFile",
    "Rendering",
    "Report",
    "atomic_write",
    "build_time_from_env",
    "check_pdf_fonts",
    "cleanup_on_termination",
    "convert_one",
    "convert_targets",
    "load_resources",
    "output_stem",
    "prepare_article",
    "prepare_bytes",
    "publish",
    "read_input",
    "remove_stale_temps",
    "render",
    "render_formats",
    "style_fonts",
    "write",
]


def build_time_from_env(env: Mapping[str, str] | None = None) -> datetime:
    """The build timestamp: ``SOURCE_DATE_EPOCH`` (UTC) when set, else now."""
    env = os.environ if env is None else env
    raw = env.get("SOURCE_DATE_EPOCH", "").strip()
    if not raw:
        return datetime.now(UTC).replace(microsecond=0)
    try:
        return datetime.fromtimestamp(int(raw), tz=UTC)
    except (ValueError, OverflowError, OSError):
        raise UsageError(f"SOURCE_DATE_EPOCH={raw!r}: expected a whole number of seconds since 1970") from None


@dataclass(frozen=True, slots=True)
class Artifact:
    """One file written: where, which format, its checksum and size, and the font files used."""

    path: Path
    format: str
    sha256: str
    size: int
    seconds: float
    fonts: tuple[FontFile, ...] = ()

    def to_dict(self) -> dict[str, object]:
        """The JSON form used by reports."""
        return {
            "path": str(self.path),
            "format": self.format,
            "sha256": self.sha256,
            "size": self.size,
            "seconds": round(self.seconds, 4),
            "fonts": [f.to_dict() for f in self.fonts],
        }


@dataclass(slots=True)
class Report:
    """What happened to one input: artifacts written, diagnostics, or the error."""

    input: str
    artifacts: list[Artifact] = field(default_factory=list)
    diagnostics: list[Diagnostic] = field(default_factory=list)
    error: str = ""
    exit_code: int = 0

    def add_outputs(self, publish_step: Callable[[], tuple[Sequence[Artifact], Sequence[Diagnostic]]]) -> None:
        """Run a :func:`publish` step and keep what it wrote and said; when some formats failed
        (:class:`PublishError`), the others are kept and the failure goes into ``error`` and ``exit_code``."""
        try:
            artifacts, diagnostics = publish_step()
        except PublishError as exc:  # the formats that could be written were
            artifacts, diagnostics = exc.artifacts, exc.diagnostics
            self.error, self.exit_code = str(exc), exc.exit_code
        self.artifacts.extend(artifacts)
        self.diagnostics.extend(diagnostics)

    def to_dict(self) -> dict[str, object]:
        """The JSON form used by ``--json``."""
        return {
            "input": self.input,
            "ok": not self.error,
            "error": self.error or None,
            "outputs": [a.to_dict() for a in self.artifacts],
            "diagnostics": [d.to_dict() for d in self.diagnostics],
        }


@dataclass(frozen=True, slots=True)
class PreparedArticle:
    """An input read and transformed, with its images loaded: ready for a publication."""

    source: str
    read: ReadResult
    document: Document
    resources: Mapping[str, bytes]
    diagnostics: tuple[Diagnostic, ...]
    image_names: ImageNames = field(default_factory=dict)


def output_stem(path: str) -> str:
    """The output file stem for an input path (``stdin`` for ``-``; for a URL, from its path)."""
    if path == "-":
        return "stdin"
    if is_url(path):
        return url_stem(path)
    stem = Path(path).stem.strip().lstrip(".")
    return stem or "article"


def prepare_article(
    path: str, fmt: str | None = None, meta_overrides: Sequence[tuple[str, str]] = (), *, fetch_images: bool = False,
    image_record: ImageRecord | None = None,
) -> PreparedArticle:
    """Read an input (a file, ``-``, an http(s) URL), run the transforms and load its images (remote ones if asked).

    ``image_record`` receives what reading each image found (for the build cache, see
    :func:`~briefpub.pipeline.resources.load_resources`).
    """
    result = read_input(path, fmt)
    base_dir = None if path == "-" or is_url(path) else Path(path).parent
    source = "<stdin>" if path == "-" else path
    return _prepared(result, source, meta_overrides, base_dir, fetch_images, image_record)


def prepare_bytes(data: bytes, source: str, fmt: str | None = None, meta_overrides: Sequence[tuple[str, str]] = (),
                  *, image_record: ImageRecord | None = None, folder: SentFolder | None = None) -> PreparedArticle:
    """:func:`prepare_article` for bytes received from elsewhere (the server's uploads), named ``source``.

    The same checks, reader choice, transforms and messages as for a file of that
    name; its images are read from ``folder``, the files the client sent with it
    (:class:`~briefpub.pipeline.resources.SentFolder`; without one, images it names
    in its own folder are reported missing). Nothing is fetched.
    """
    from briefpub.readers import read_named

    return _prepared(read_named(data, source, fmt), source, meta_overrides, folder, False, image_record)


def _prepared(result: ReadResult, source: str, meta_overrides: Sequence[tuple[str, str]],
              base_dir: Path | SentFolder | None,
              fetch_images: bool, image_record: ImageRecord | None) -> PreparedArticle:
    from briefpub.transforms import prepare

    doc = prepare(result.document, meta_overrides)
    names: dict[str, tuple[str, str]] = {}
    doc, resources, image_diags = load_resources(doc, base_dir, source, fetch_remote=fetch_images, names=names,
                                                 record=image_record)
    return PreparedArticle(source, result, doc, resources, (*result.diagnostics, *image_diags), names)


def load_resources(
    doc: Document, base_dir: Path | SentFolder | None, source: str, *, fetch_remote: bool = False,
    names: dict[str, tuple[str, str]] | None = None, record: ImageRecord | None = None,
) -> tuple[Document, dict[str, bytes], list[Diagnostic]]:
    """:func:`briefpub.pipeline.resources.load_resources` (imported when first used)."""
    from briefpub.pipeline import resources

    return resources.load_resources(doc, base_dir, source, fetch_remote=fetch_remote, names=names, record=record)


def read_input(path: str, fmt: str | None = None) -> ReadResult:
    """Read one input as the user named it: a file, ``-`` (standard input) or an http(s) URL (fetched)."""
    if is_url(path):
        return read_url(path, fmt)
    from briefpub.readers import read_path

    return read_path(path, fmt)


def style_fonts(style: StyleSheet) -> FontSet:
    """The fonts of a conversion with ``style`` (resolved once per process per family list)."""
    from briefpub.fonts import ROLES, resolve_fonts

    return resolve_fonts({role: style.families(role) for role in ROLES})


def font_substitutions(pub: Publication, fonts: FontSet | None) -> list[Diagnostic]:
    """A warning when the publication has code and no monospaced family is installed to set it in."""
    if fonts is None or not fonts.mono_substitute:
        return []
    from briefpub.tree import Code, iter_inlines

    if not any(isinstance(node, Code) for doc in pub.documents for node in iter_inlines(doc.blocks)):
        return []
    return [Diagnostic("writer.font-substituted", "none of the style's monospaced font families is installed; "
                       f"code is set in {fonts.mono_substitute} (install one, e.g. the fonts-dejavu package)",
                       severity="warning")]  # fmt: skip


def write(pub: Publication, fmt: str, style: StyleSheet, options: WriteOptions) -> WriteResult:
    """Run one writer; unexpected writer failures become ConversionError (traceback kept for ``--debug``)."""
    writer = get_writer(fmt)
    try:
        return writer.write(pub, style, options)
    except (MemoryError, RecursionError) as exc:
        raise ConversionError(f"{fmt} writer ran out of resources: {type(exc).__name__}") from exc
    except BriefpubError:
        raise
    except Exception as exc:  # a writer bug: one line for users, traceback with --debug
        raise ConversionError(f"{fmt} writer failed: {one_line(exc)}") from exc


def render(pub: Publication, fmt: str, style: StyleSheet, options: WriteOptions) -> tuple[bytes, list[Diagnostic],
                                                                                             tuple[str, ...]]:
    """Run one writer: (bytes, diagnostics, font files used)."""
    result = write(pub, fmt, style, options)
    return result.data, list(result.diagnostics), tuple(getattr(result, "fonts", ()))


@dataclass(frozen=True, slots=True)
class RenderedFile:
    """One format of a publication, rendered: its bytes, checksum, time taken and the font files used."""

    format: str
    data: bytes
    sha256: str
    seconds: float
    fonts: tuple[FontFile, ...] = ()


@dataclass(slots=True)
class Rendering:
    """What :func:`render_formats` produced: the files (in the order asked), the formats that failed
    and why, and the writers' diagnostics."""

    files: list[RenderedFile] = field(default_factory=list)
    failures: list[tuple[str, BriefpubError]] = field(default_factory=list)
    diagnostics: list[Diagnostic] = field(default_factory=list)


def render_formats(
    pub: Publication,
    resources: Mapping[str, bytes],
    formats: Sequence[str],
    style: StyleSheet,
    *,
    build_time: datetime,
    fonts: FontSet | None = None,
    image_names: ImageNames | None = None,
    deliver: Callable[[RenderedFile], None] | None = None,
    on_format: Callable[[str], None] | None = None,
) -> Rendering:
    """Render ``pub`` in each of ``formats``: the one path from a publication to bytes.

    Fonts are resolved once for all the formats (unless given). A paged format
    (PDF) is rendered first, and the page starts it reports are passed to the
    others (the EPUB page-list maps to the PDF edition made in the same run).
    ``deliver`` receives each file as soon as it is rendered (:func:`publish` writes
    it there); a :class:`~briefpub.errors.BriefpubError` it raises fails that format
    like a writer error, and then its page starts are not passed on. ``on_format``
    is called before each format is started (progress).

    One format failing (a writer error, no usable font) does not stop the others:
    it is listed in :attr:`Rendering.failures`. ``image_names`` (content key ->
    (input, reference), from :func:`prepare_article`) makes the writers' diagnostics
    name images as the articles did, not by their content keys.
    """
    if fonts is None and any(fmt != "json" for fmt in formats):
        fonts = style_fonts(style)
    import hashlib  # here, not at import: ~3 ms (OpenSSL) an importer of the pipeline may not need

    from briefpub.cache import disk_cache
    from briefpub.fonts import file_record
    from briefpub.pipeline.resources import name_images

    options = WriteOptions(build_time=build_time, resources=resources, fonts=fonts, cache=disk_cache())
    rendering = Rendering(diagnostics=font_substitutions(pub, fonts))
    by_index: dict[int, RenderedFile] = {}
    for i in sorted(range(len(formats)), key=lambda i: formats[i] != "pdf"):
        fmt = formats[i]
        if on_format is not None:
            on_format(fmt)
        started = time.perf_counter()
        try:
            if fmt == "pdf":
                check_pdf_fonts(fonts)
            result = write(pub, fmt, style, options)
            rendered = RenderedFile(fmt, result.data, hashlib.sha256(result.data).hexdigest(),
                                    time.perf_counter() - started,
                                    tuple(file_record(p) for p in sorted(set(result.fonts))))
            if deliver is not None:
                deliver(rendered)
        except BriefpubError as exc:
            rendering.failures.append((fmt, exc))
            continue
        rendering.diagnostics.extend(name_images(result.diagnostics, image_names or {}))
        if result.pages and not options.print_pages:
            options = dataclasses.replace(options, print_pages=result.pages)
        by_index[i] = rendered
    rendering.files = [by_index[i] for i in range(len(formats)) if i in by_index]
    return rendering


def publish(
    pub: Publication,
    resources: Mapping[str, bytes],
    targets: Sequence[tuple[str, Path]],
    style: StyleSheet,
    *,
    build_time: datetime,
    fonts: FontSet | None = None,
    on_artifact: Callable[[Artifact], None] | None = None,
    image_names: ImageNames | None = None,
) -> tuple[list[Artifact], list[Diagnostic]]:
    """Render ``pub`` in each (format, path) of ``targets`` (:func:`render_formats`) and write each file atomically.

    Stale temporary files in the targets' folders (of processes that ended, see
    :func:`~briefpub.pipeline.output.remove_stale_temps`) are removed first.
    Artifacts are returned in the order of ``targets``.

    One format failing (a writer error, no usable font, a file that cannot be
    written: :class:`~briefpub.errors.OutputError`) does not stop the others (the
    EPUB then has no page-list): when any failed, :class:`PublishError` is raised
    after the rest are written, carrying their artifacts and diagnostics.
    """
    writer = FileWriter(targets, on_artifact)
    rendering = render_formats(pub, resources, list(writer.paths), style, build_time=build_time, fonts=fonts,
                               image_names=image_names, deliver=writer.deliver)
    return writer.finish(rendering.failures, rendering.diagnostics)


class FileWriter:
    """Writes rendered files to their targets atomically, as they come (:func:`publish`, and the files a
    ``briefpub serve`` sends back to ``--server``).

    Stale temporary files in the targets' folders are removed first; :meth:`finish` returns the
    artifacts in the order of the targets, or raises :class:`PublishError` naming each failed format.
    """

    def __init__(self, targets: Sequence[tuple[str, Path]],
                 on_artifact: Callable[[Artifact], None] | None = None) -> None:
        self.paths = dict(targets)
        if len(self.paths) != len(targets):
            raise UsageError("a format is named twice among the targets")
        for folder in dict.fromkeys(path.parent for _fmt, path in targets):
            remove_stale_temps(folder, recursive=False)
        self.on_artifact = on_artifact
        self.written: dict[str, Artifact] = {}

    def deliver(self, rendered: RenderedFile) -> None:
        """Write one file (BriefpubError if it cannot be written)."""
        started = time.perf_counter()
        atomic_write(self.paths[rendered.format], rendered.data)
        artifact = Artifact(self.paths[rendered.format], rendered.format, rendered.sha256, len(rendered.data),
                            rendered.seconds + time.perf_counter() - started, rendered.fonts)
        self.written[rendered.format] = artifact
        if self.on_artifact is not None:
            self.on_artifact(artifact)

    def finish(self, failures: Sequence[tuple[str, BriefpubError]],
               diagnostics: list[Diagnostic]) -> tuple[list[Artifact], list[Diagnostic]]:
        """The artifacts written, in the targets' order; PublishError when ``failures`` name any format."""
        artifacts = [self.written[fmt] for fmt in self.paths if fmt in self.written]
        if failures:
            raise PublishError([(self.paths[fmt], exc) for fmt, exc in failures], artifacts, diagnostics)
        return artifacts, diagnostics


class PublishError(BriefpubError):
    """Some formats of a publication failed; the others were written (``artifacts``).

    The message names each failed file and why; the exit code is the highest of the
    failures' (2 when the machine lacks fonts, 1 for a writer failure).
    """

    def __init__(self, failures: Sequence[tuple[Path, BriefpubError]], artifacts: Sequence[Artifact],
                 diagnostics: Sequence[Diagnostic]) -> None:
        self.failures = tuple(failures)
        self.artifacts = list(artifacts)
        self.diagnostics = list(diagnostics)
        self.exit_code = max(exc.exit_code for _path, exc in failures)
        message = "; ".join(str(exc) if str(exc).startswith(f"{path}:") else f"{path}: {exc}"
                            for path, exc in failures)
        if artifacts:
            message += f" (written: {', '.join(a.format for a in artifacts)})"
        super().__init__(message)


def check_pdf_fonts(fonts: FontSet | None) -> None:
    """Refuse (exit 2, :class:`SetupError`) a PDF when a text role has no installed font at all."""
    if fonts is None:
        return
    empty = [role for role in ("body", "heading") if not fonts.families(role)]
    if empty:
        missing = ", ".join(fonts.missing) or "none listed"
        raise SetupError(
            f"no installed font for the {' and '.join(empty)} text (families not found: {missing}); install "
            "fonts-dejavu-core (Debian/Ubuntu) or name an installed TrueType family in the style's [fonts]"
        )


def convert_one(
    path: str,
    formats: Sequence[str],
    out_dir: Path,
    style: StyleSheet,
    *,
    fmt: str | None = None,
    meta_overrides: Sequence[tuple[str, str]] = (),
    build_time: datetime | None = None,
    fetch_images: bool = False,
) -> Report:
    """Convert one article into every format; raises on bad input, reports the rest.

    A format that fails is reported in the returned report's ``error`` (and ``exit_code``)
    beside the artifacts of the formats that were written.
    """
    from briefpub.tree import Publication

    report = Report(input=path)
    article = prepare_article(path, fmt, meta_overrides, fetch_images=fetch_images)
    report.diagnostics.extend(article.diagnostics)
    report.add_outputs(lambda: publish(Publication((article.document,)), article.resources,
                                       convert_targets(path, formats, out_dir), style,
                                       build_time=build_time or build_time_from_env(),
                                       image_names=article.image_names))
    return report


def convert_targets(path: str, formats: Sequence[str], out_dir: Path) -> list[tuple[str, Path]]:
    """Where ``briefpub convert`` writes an input in each format: ``OUT/<stem>.<ext>``."""
    stem = output_stem(path)
    return [(name, out_dir / f"{stem}{get_writer(name).extension}") for name in formats]
