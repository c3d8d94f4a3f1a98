"""The conversion pipeline: read -> transform -> write -> atomic output (output stage).

This is the library behind ``briefpub convert``: it resolves the build time
(``SOURCE_DATE_EPOCH``), loads local images named by an article into
``WriteOptions.resources`` (never from the network, never from outside the
article's folder), runs each writer and writes its bytes atomically: to a
hidden temporary file in the output folder, then renamed into place, so an
interrupted run never leaves a partial artifact under its final name.
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import os
import signal
import tempfile
import time
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from types import FrameType

from briefpub.diagnostics import Diagnostic
from briefpub.errors import BriefpubError, ConversionError, UsageError
from briefpub.readers import ReadResult, read_path
from briefpub.styling.model import StyleSheet
from briefpub.transforms import prepare
from briefpub.tree import Block, BlockQuote, Document, Figure, Publication
from briefpub.writers import WriteOptions, get_writer

TEMP_SUFFIX = ".briefpub-partial"
_MAX_IMAGE_BYTES = 20 * 1024 * 1024
_IMAGE_TYPES = {".png", ".jpg", ".jpeg", ".gif", ".webp", ".svg"}


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
    """One file written: where, which format, its checksum and size."""

    path: Path
    format: str
    sha256: str
    size: int
    seconds: float

    def to_dict(self) -> dict[str, object]:
        """The JSON form used by reports."""
        return {
            "path": str(self.path),
            "format": self.format,
            "sha256": self.sha256,
            "size": self.size,
            "seconds": round(self.seconds, 4),
        }


@dataclass(slots=True)
class Report:
    """What happened to one input: artifacts written, diagnostics, or the error."""

    input: str
    artifacts: list[Artifact] = field(default_factory=list)
    diagnostics: list[Diagnostic] = field(default_factory=list)
    error: str = ""
    exit_code: int = 0

    def to_dict(self) -> dict[str, object]:
        """The JSON form used by ``--json``."""
        return {
            "input": self.input,
            "ok": not self.error,
            "error": self.error or None,
            "outputs": [a.to_dict() for a in self.artifacts],
            "diagnostics": [d.to_dict() for d in self.diagnostics],
        }


# ----------------------------------------------------------------------------- resources


def _figures(blocks: Sequence[Block]) -> Iterator[Figure]:
    for block in blocks:
        if isinstance(block, Figure):
            yield block
        elif isinstance(block, BlockQuote):
            yield from _figures(block.blocks)


def load_resources(
    doc: Document, base_dir: Path | None, source: str, *, fetch_remote: bool = False
) -> tuple[Document, dict[str, bytes], list[Diagnostic]]:
    """Read the local images a document names; refuse remote or outside-folder ones.

    Remote ``http(s)`` images are downloaded only with ``fetch_remote`` (``--fetch-images``),
    under the limits of :mod:`briefpub.fetch`.

    Returns the document with each figure's ``image`` replaced by a content key
    (``sha256-<hex>.<ext>``, so packs never collide), the key -> bytes map, and a
    diagnostic for every image not read (the caption is always kept).
    """
    resources: dict[str, bytes] = {}
    diagnostics: list[Diagnostic] = []
    keys: dict[str, str] = {}
    for fig in _figures(doc.blocks):
        ref = fig.image
        if not ref or ref in keys:
            continue
        keys[ref] = ""
        lowered = ref.lower()
        if fetch_remote and lowered.startswith(("http://", "https://")):
            from briefpub.fetch import FetchRefused, fetch_image

            try:
                data, suffix = fetch_image(ref)
            except FetchRefused as exc:
                diagnostics.append(Diagnostic("reader.image-refused", f"remote image not fetched: {exc}", ref, source))
                continue
            key = f"sha256-{hashlib.sha256(data).hexdigest()[:32]}{suffix}"
            resources[key] = data
            keys[ref] = key
            continue
        if "://" in ref or lowered.startswith(("data:", "javascript:", "//")) or base_dir is None:
            diagnostics.append(
                Diagnostic("reader.image-refused", "image not read (remote or no base folder)", ref, source)
            )
            continue
        root = base_dir.resolve()
        candidate = (root / ref.removeprefix("file:")).resolve()
        if not candidate.is_relative_to(root):
            diagnostics.append(
                Diagnostic("reader.image-refused", "image outside the article's folder not read", ref, source)
            )
            continue
        if candidate.suffix.lower() not in _IMAGE_TYPES:
            diagnostics.append(Diagnostic("reader.image-refused", "not an image file type", ref, source))
            continue
        try:
            if candidate.stat().st_size > _MAX_IMAGE_BYTES:
                diagnostics.append(Diagnostic("reader.image-refused", "image larger than 20 MiB", ref, source))
                continue
            data = candidate.read_bytes()
        except OSError:
            diagnostics.append(Diagnostic("reader.image-missing", "image file not found", ref, source))
            continue
        key = f"sha256-{hashlib.sha256(data).hexdigest()[:32]}{candidate.suffix.lower()}"
        resources[key] = data
        keys[ref] = key

    def rewrite(block: Block) -> Block:
        if isinstance(block, Figure) and block.image:
            return dataclasses.replace(block, image=keys.get(block.image, ""))
        if isinstance(block, BlockQuote):
            return dataclasses.replace(block, blocks=tuple(rewrite(b) for b in block.blocks))
        return block

    if keys:
        doc = dataclasses.replace(doc, blocks=tuple(rewrite(b) for b in doc.blocks))
    return doc, resources, diagnostics


# ----------------------------------------------------------------------------- atomic output

_LIVE_TEMPS: set[str] = set()


def _remove_live_temps(signum: int, frame: FrameType | None) -> None:
    for name in list(_LIVE_TEMPS):
        with contextlib.suppress(OSError):
            os.unlink(name)
    signal.signal(signum, signal.SIG_DFL)
    os.kill(os.getpid(), signum)


@contextlib.contextmanager
def cleanup_on_termination() -> Iterator[None]:
    """While active, SIGTERM/SIGHUP remove temporary files before the process dies."""
    previous = {}
    for sig in (signal.SIGTERM, signal.SIGHUP):
        with contextlib.suppress(ValueError, OSError):  # not the main thread, or unsupported
            previous[sig] = signal.signal(sig, _remove_live_temps)
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def atomic_write(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` via a hidden temporary file and a rename."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=TEMP_SUFFIX, dir=path.parent)
    _LIVE_TEMPS.add(tmp)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    finally:
        _LIVE_TEMPS.discard(tmp)


def remove_stale_temps(out_dir: Path) -> None:
    """Remove temporary files a killed earlier run left in ``out_dir``."""
    if out_dir.is_dir():
        for stale in out_dir.glob(f".*{TEMP_SUFFIX}"):
            with contextlib.suppress(OSError):
                stale.unlink()


# ----------------------------------------------------------------------------- conversion


def render(
    pub: Publication, fmt: str, style: StyleSheet, options: WriteOptions
) -> tuple[bytes, list[Diagnostic]]:
    """Run one writer; unexpected writer failures become ConversionError."""
    writer = get_writer(fmt)
    try:
        result = writer.write(pub, style, options)
    except (MemoryError, RecursionError) as exc:
        raise ConversionError(f"{fmt} writer ran out of resources: {type(exc).__name__}") from exc
    except BriefpubError:
        raise
    except Exception as exc:  # a writer bug: one line for users, traceback with --debug
        raise ConversionError(f"{fmt} writer failed: {type(exc).__name__}: {exc}") from exc
    return result.data, list(result.diagnostics)


def output_stem(path: str) -> str:
    """The output file stem for an input path (``stdin`` for ``-``)."""
    if path == "-":
        return "stdin"
    stem = Path(path).stem.strip().lstrip(".")
    return stem or "article"


def read_prepared(
    path: str, fmt: str | None, meta_overrides: Sequence[tuple[str, str]], *, fetch_images: bool = False
) -> tuple[ReadResult, Document, dict[str, bytes], list[Diagnostic]]:
    """Read an input, apply overrides and ids, and load its images (remote ones only if asked)."""
    result = read_path(path, fmt)
    doc = prepare(result.document, meta_overrides)
    base_dir = None if path == "-" else Path(path).parent
    doc, resources, image_diags = load_resources(
        doc, base_dir, "<stdin>" if path == "-" else path, fetch_remote=fetch_images
    )
    return result, doc, resources, image_diags


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
    """Convert one article into every format; raises on bad input, reports the rest."""
    report = Report(input=path)
    result, doc, resources, image_diags = read_prepared(path, fmt, meta_overrides, fetch_images=fetch_images)
    report.diagnostics.extend(result.diagnostics)
    report.diagnostics.extend(image_diags)
    options = WriteOptions(
        build_time=build_time or build_time_from_env(), resources=resources
    )
    pub = Publication((doc,))
    stem = output_stem(path)
    for name in formats:
        started = time.perf_counter()
        data, diags = render(pub, name, style, options)
        writer = get_writer(name)
        target = out_dir / f"{stem}{writer.extension}"
        atomic_write(target, data)
        report.diagnostics.extend(diags)
        report.artifacts.append(
            Artifact(target, name, hashlib.sha256(data).hexdigest(), len(data), time.perf_counter() - started)
        )
    return report
