"""Warm worker processes for the server: conversions on article bytes (serve stage).

A :class:`WorkerPool` keeps ``size`` processes (spawned, so no server state leaks into them).
Each imports the readers and writers and resolves the default style's fonts once
(:func:`_warm`), so a request costs what the in-process benchmark says, not a cold start.
The queue is bounded (:class:`Busy` beyond it), a job that runs too long ends its pool
(:class:`Timeout`), and a worker that dies (out of memory, a crash) is replaced: the next
job gets a fresh pool. Workers die with the server (``PR_SET_PDEATHSIG``, as build workers do).

The task functions (:func:`convert_task`, :func:`pack_task`, :func:`inspect_task`) take and
return plain data. They run the pipeline's own functions on the uploaded bytes
(:func:`briefpub.pipeline.prepare_bytes`, :func:`briefpub.pipeline.pack.assemble_articles`,
:func:`briefpub.pipeline.render_formats`, which :func:`briefpub.pipeline.publish` writes from),
so the server and ``--server`` clients get the bytes a cold run writes.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import functools
import multiprocessing
import os
import queue
import shutil
import subprocess
import tempfile
import threading
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from briefpub.errors import BriefpubError, ConversionError, InputError, one_line

if TYPE_CHECKING:
    from briefpub.pipeline import PreparedArticle
    from briefpub.pipeline.resources import SentFolder

__all__ = [
    "ArticleIn",
    "Busy",
    "NeedsImages",
    "StyleIn",
    "Timeout",
    "WorkerCrashed",
    "WorkerPool",
    "convert_task",
    "inspect_task",
    "pack_task",
]

_PROGRESS: Any = None  # the worker's end of the progress queue (set by _init)


class Busy(Exception):
    """The queue is full: the client should retry later (HTTP 503)."""


class Timeout(Exception):
    """A job ran longer than the pool allows; its workers were replaced (HTTP 503)."""


class NeedsImages(Exception):
    """Articles name images only the client can read (article index -> references): the server asks for them."""

    def __init__(self, wanted: dict[int, list[str]]) -> None:
        super().__init__(wanted)
        self.wanted = wanted


def _asked(articles: Sequence[ArticleIn]) -> None:
    """Raise :class:`NeedsImages` when reading the articles collected references to ask the client for."""
    wanted = {i: list(dict.fromkeys(a.folder.wanted)) for i, a in enumerate(articles)
              if a.folder is not None and a.folder.wanted}
    if wanted:
        raise NeedsImages(wanted)


class WorkerCrashed(Exception):
    """The worker running a job died (out of memory, a crash); the pool was replaced (HTTP 500)."""


@dataclass(frozen=True, slots=True)
class ArticleIn:
    """One article as the server received it: bytes, the name shown in messages, its reader, overrides.

    ``error``: the client could not read this input (its one-line message); preparing it fails
    with that message, so a pack skipping bad inputs reports it in its place and count.
    ``folder``: the image files sent with it (its folder, as far as the article names it).
    """

    data: bytes
    source: str
    fmt: str | None = None
    meta: tuple[tuple[str, str], ...] = ()
    error: str = ""
    folder: SentFolder | None = None


@dataclass(frozen=True, slots=True)
class StyleIn:
    """The style of a request: a built-in name, or a sheet's name with the sheet files sent (name as the
    client's messages give it -> TOML text, ``extends`` chain included), and ``--set`` style overrides."""

    name: str | None = None
    sources: tuple[tuple[str, str], ...] = ()
    sets: tuple[tuple[str, str], ...] = ()


@dataclass(slots=True)
class Output:
    """One rendered file."""

    format: str
    data: bytes
    sha256: str
    seconds: float
    fonts: tuple[dict[str, object], ...] = ()


@dataclass(slots=True)
class Rendered:
    """A task's result: files, diagnostics, and the formats that failed (format, message, exit code)."""

    outputs: list[Output] = field(default_factory=list)
    diagnostics: list[dict[str, Any]] = field(default_factory=list)
    failures: list[tuple[str, str, int]] = field(default_factory=list)
    preview: list[bytes] = field(default_factory=list)
    articles: int = 0
    images: dict[str, list[tuple[str, str]]] = field(default_factory=dict)  # source -> what reading its images found


# ----------------------------------------------------------------------------- in the worker


def _init(parent: int, progress: Any) -> None:
    """Worker set-up: die with the server, ignore Ctrl-C, then warm up."""
    from briefpub.pipeline.build import _worker_init

    global _PROGRESS
    _worker_init(parent)
    _PROGRESS = progress
    _warm()


def _warm() -> None:
    """Import the readers and writers and resolve the default style's fonts (cached per process)."""
    from briefpub.pipeline import style_fonts
    from briefpub.readers import READERS
    from briefpub.styling import load_style
    from briefpub.writers import PUBLICATION_FORMATS

    for name in READERS.names():
        with contextlib.suppress(BriefpubError):
            READERS.get(name)
    sheet = load_style(None)
    style_fonts(sheet)
    sample = ArticleIn(b"Warm-up\n\nA short paragraph, so every writer imports what it needs.\n", "warm-up.txt")
    with contextlib.suppress(BriefpubError):
        convert_task(sample, tuple(PUBLICATION_FORMATS), StyleIn(), 0)


def _report(job: str | None, done: int, total: int, stage: str) -> None:
    if job is not None and _PROGRESS is not None:
        with contextlib.suppress(Exception):
            _PROGRESS.put_nowait((job, done, total, stage))


def _style(style: StyleIn) -> Any:
    """The sheet of a request, resolved as the CLI resolves ``--style`` (:func:`briefpub.styling.load_style_from`:
    only built-in sheets are read from disk), with its overrides."""
    from briefpub.styling import load_style_from, with_overrides

    return with_overrides(load_style_from(style.name, dict(style.sources)), style.sets)


def _prepare(article: ArticleIn, record: list[tuple[str, str]] | None = None) -> PreparedArticle:
    """One uploaded article, read and transformed (:func:`briefpub.pipeline.prepare_bytes`); ``record``
    receives what reading its images found (a client's build cache keeps it)."""
    from briefpub.pipeline import prepare_bytes

    if article.error:
        raise InputError(article.error)
    return prepare_bytes(article.data, article.source, article.fmt, article.meta, image_record=record,
                         folder=article.folder)


def _render(pub: Any, resources: Any, formats: Sequence[str], sheet: Any, build_time: datetime,
            names: Mapping[str, tuple[str, str]], job: str | None = None, done: int = 0, total: int = 0) -> Rendered:
    """The files of ``pub`` (:func:`briefpub.pipeline.render_formats`, as ``publish`` writes them) as plain data."""
    from briefpub.pipeline import render_formats

    def progress(fmt: str) -> None:
        nonlocal done
        _report(job, done, total, f"writing {fmt.upper()}")
        done += 1

    rendering = render_formats(pub, resources, formats, sheet, build_time=build_time, image_names=names,
                               on_format=progress)
    return Rendered(
        outputs=[Output(f.format, f.data, f.sha256, f.seconds, tuple(font.to_dict() for font in f.fonts))
                 for f in rendering.files],
        diagnostics=[d.to_dict() for d in rendering.diagnostics],
        failures=[(fmt, str(exc), exc.exit_code) for fmt, exc in rendering.failures],
    )


def _build_time(epoch: int | None) -> datetime:
    if epoch is None:
        return datetime.now(UTC).replace(microsecond=0)
    return datetime.fromtimestamp(epoch, tz=UTC)


def convert_task(article: ArticleIn, formats: Sequence[str], style: StyleIn, epoch: int | None) -> Rendered:
    """One article into ``formats`` (what ``briefpub convert`` writes for it)."""
    from briefpub.tree import Publication

    sheet = _style(style)
    record: list[tuple[str, str]] = []
    prepared = _prepare(article, record)
    _asked([article])
    rendered = _render(Publication((prepared.document,)), prepared.resources, formats, sheet, _build_time(epoch),
                       prepared.image_names)
    rendered.diagnostics[:0] = [d.to_dict() for d in prepared.diagnostics]
    rendered.articles = 1
    rendered.images = {article.source: record}
    return rendered


def pack_task(articles: Sequence[ArticleIn], pack: dict[str, Any], formats: Sequence[str], style: StyleIn,
              epoch: int | None, job: str | None = None,
              preview_pages: int = 0, skip_bad_inputs: bool = False) -> Rendered:
    """Several articles into one pack (what ``briefpub pack`` writes); progress reported under ``job``.

    With ``skip_bad_inputs`` (manifest builds), an article that cannot be read is left out and
    reported (``build.article-skipped``), as a local build does.
    """
    from briefpub.pipeline.pack import assemble_articles, cover_date, skipped_diagnostics
    from briefpub.tree import PackMeta

    sheet = _style(style)
    build_time = _build_time(epoch)
    fields = {k: v for k, v in pack.items() if k in {f.name for f in dataclasses.fields(PackMeta)}}
    if not fields.get("date"):
        fields["date"] = cover_date(build_time)
    total = len(articles) + len(formats) + (1 if preview_pages else 0)
    records: dict[str, list[tuple[str, str]]] = {}
    assembled = assemble_articles([(a.source, functools.partial(_prepare, a, records.setdefault(a.source, [])))
                                   for a in articles], PackMeta(**fields), skip_bad_inputs=skip_bad_inputs,
                                  on_article=lambda i, name: _report(job, i, total, f"reading {name}"))
    _asked(articles)
    rendered = _render(assembled.publication, assembled.resources, formats, sheet, build_time,
                       assembled.image_names, job, len(articles), total)
    rendered.diagnostics[:0] = [d.to_dict() for d in (*assembled.diagnostics,
                                                       *skipped_diagnostics(assembled.skipped))]
    rendered.articles = len(assembled.publication.documents)
    rendered.images = records
    pdf = next((o.data for o in rendered.outputs if o.format == "pdf"), None)
    if preview_pages and pdf is not None:
        _report(job, total - 1, total, "drawing the preview")
        rendered.preview = preview_png(pdf, preview_pages)
    _report(job, total, total, "done")
    return rendered


def preview_png(pdf: bytes, pages: int, dpi: int = 60) -> list[bytes]:
    """The first ``pages`` pages of a PDF as PNG images (poppler's ``pdftoppm``); none without it."""
    tool = shutil.which("pdftoppm")
    if tool is None:
        return []
    with tempfile.TemporaryDirectory(prefix="bp-preview-") as tmp:
        source = os.path.join(tmp, "in.pdf")
        with open(source, "wb") as fh:
            fh.write(pdf)
        try:
            subprocess.run([tool, "-png", "-r", str(dpi), "-f", "1", "-l", str(pages), source,
                            os.path.join(tmp, "page")], check=True, capture_output=True, timeout=60)
        except (OSError, subprocess.SubprocessError):
            return []
        images = sorted(n for n in os.listdir(tmp) if n.endswith(".png"))
        out = []
        for name in images:
            with open(os.path.join(tmp, name), "rb") as fh:
                out.append(fh.read())
        return out


def inspect_task(article: ArticleIn) -> dict[str, Any]:
    """The recovered structure of one article (what ``briefpub inspect`` shows), for the page."""
    from briefpub.readers import read_named
    from briefpub.tree import Heading, Paragraph, inline_text, iter_blocks

    result = read_named(article.data, article.source, article.fmt)
    doc = result.document
    headings = [{"level": b.level, "text": inline_text(b.children)} for b in iter_blocks(doc.blocks)
                if isinstance(b, Heading)]
    paragraphs = [b for b in iter_blocks(doc.blocks) if isinstance(b, Paragraph)]
    words = sum(len(inline_text(p.children).split()) for p in paragraphs)
    m = doc.meta
    return {
        "title": m.title, "subtitle": m.subtitle, "authors": list(m.authors), "date": m.date,
        "marking": m.marking, "language": m.language, "source": m.source, "encoding": result.encoding,
        "headings": headings, "paragraphs": len(paragraphs), "words": words, "blocks": len(doc.blocks),
        "diagnostics": [d.to_dict() for d in result.diagnostics],
    }


# ----------------------------------------------------------------------------- in the server


class WorkerPool:
    """Warm worker processes with a bounded queue, crash recovery and clean shutdown."""

    def __init__(self, size: int = 2, queue_limit: int = 32, timeout: float = 300.0) -> None:
        self.size = max(1, size)
        self.queue_limit = queue_limit
        self.timeout = timeout
        self._ctx = multiprocessing.get_context("spawn")
        self._progress: Any = self._ctx.Queue()
        self._listeners: dict[str, Callable[[int, int, str], None]] = {}
        self._lock = threading.Lock()
        self._pending = 0
        self._pool: ProcessPoolExecutor | None = None
        self._stopping = threading.Event()
        self._drain = threading.Thread(target=self._drain_progress, name="briefpub-progress", daemon=True)
        self._drain.start()
        self.recycled = 0

    def start(self) -> None:
        """Start the processes and wait until every one is warm."""
        pool = self._ensure()
        futures = [pool.submit(os.getpid) for _ in range(self.size * 2)]
        for f in futures:
            f.result(timeout=120)

    def _ensure(self) -> ProcessPoolExecutor:
        with self._lock:
            if self._pool is None:
                self._pool = ProcessPoolExecutor(self.size, mp_context=self._ctx, initializer=_init,
                                                 initargs=(os.getpid(), self._progress))
            return self._pool

    def _recycle(self, broken: ProcessPoolExecutor) -> None:
        with self._lock:
            if self._pool is broken:
                self._pool = None
                self.recycled += 1
        _kill(broken)

    def pids(self) -> list[int]:
        """Process ids of the live workers (for memory figures and tests)."""
        pool = self._pool
        return [p.pid for p in (pool._processes or {}).values() if p.pid] if pool else []

    def _drain_progress(self) -> None:
        while not self._stopping.is_set():
            try:
                job, done, total, stage = self._progress.get(timeout=0.2)
            except queue.Empty:
                continue
            except (EOFError, OSError, ValueError):
                return
            listener = self._listeners.get(job)
            if listener is not None:
                listener(done, total, stage)

    async def run(self, fn: Callable[..., Any], *args: Any, job: str | None = None,
                  on_progress: Callable[[int, int, str], None] | None = None) -> Any:
        """Run ``fn(*args)`` in a warm worker; BriefpubError from the task is re-raised as it was."""
        with self._lock:
            if self._pending >= self.queue_limit:
                raise Busy(f"{self._pending} conversions are queued (the limit is {self.queue_limit})")
            self._pending += 1
        if job is not None and on_progress is not None:
            self._listeners[job] = on_progress
        pool = self._ensure()
        try:
            future: Future[Any] = pool.submit(fn, *args)
            try:
                return await asyncio.wait_for(asyncio.wrap_future(future), self.timeout)
            except TimeoutError:
                self._recycle(pool)
                raise Timeout(f"the conversion took longer than {self.timeout:.0f} s and was stopped") from None
            except BrokenProcessPool:
                self._recycle(pool)
                raise WorkerCrashed("the worker process ended unexpectedly (out of memory?); it was replaced") \
                    from None
        finally:
            with self._lock:
                self._pending -= 1
            if job is not None:
                self._listeners.pop(job, None)

    def close(self) -> None:
        """Stop every worker (no orphans) and the progress thread."""
        self._stopping.set()
        with self._lock:
            pool, self._pool = self._pool, None
        if pool is not None:
            _kill(pool)
        self._drain.join(2)
        with contextlib.suppress(Exception):
            self._progress.close()
            self._progress.join_thread()


def _kill(pool: ProcessPoolExecutor) -> None:
    processes = list((pool._processes or {}).values())
    for proc in processes:
        with contextlib.suppress(Exception):
            proc.terminate()
    for proc in processes:
        with contextlib.suppress(Exception):
            proc.join(5)
            if proc.is_alive():
                proc.kill()
                proc.join(2)
    pool.shutdown(wait=False, cancel_futures=True)


def error_of(exc: BaseException) -> BriefpubError:
    """Anything a task raised, as a BriefpubError (a bug becomes a one-line ConversionError)."""
    if isinstance(exc, BriefpubError):
        return exc
    return ConversionError(f"internal error: {one_line(exc)}")
