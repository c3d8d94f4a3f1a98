"""Images named by an article, read into memory for the writers (pipeline stage).

Writers never read files: :func:`load_resources` finds every image of a
document (figures and inline images anywhere: list items, block quotes, table
cells, nested), reads the local ones from the article's own folder, and
replaces each reference by a content key (``sha256-<hex>.<ext>``, so images in
a pack never collide). Remote images are fetched only when asked
(``--fetch-images``, under :mod:`briefpub.pipeline.fetch`'s limits); anything
else is refused and reported, and the caption or alt text is always kept. Only
regular files are read: a FIFO, device or socket named like an image (which
would block or never end) is refused, and so is a symbolic link leading outside
the article's folder.

The server (``briefpub serve``) has no article folder: a client sends the images with the
article, and :class:`SentFolder` stands in for the folder in the same :func:`load_resources`.
A ``--server`` client reads each image with this module's own reading (:func:`read_image`)
and sends what it found, so the server finds the same bytes, or reports the same reason.
"""

from __future__ import annotations

import dataclasses
import hashlib
import os
import posixpath
import re
import stat
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from briefpub._lazyre import lazy_re
from briefpub.diagnostics import Diagnostic, excerpt
from briefpub.tree import Block, Document, Figure, Image, Inline, iter_blocks, iter_inlines, map_blocks, map_inlines

__all__ = [
    "IMAGE_TYPES",
    "MAX_IMAGE_BYTES",
    "ImageNames",
    "ImageRecord",
    "SentFolder",
    "image_refs",
    "images_unchanged",
    "load_resources",
    "name_images",
    "needs_folder",
    "read_image",
]

MAX_IMAGE_BYTES = 20 * 1024 * 1024
IMAGE_TYPES = frozenset({".png", ".jpg", ".jpeg", ".gif", ".webp", ".svg"})

ImageNames = Mapping[str, tuple[str, str]]
"""Content key -> (input, reference as written there) of the first article naming that image."""

ImageRecord = list[tuple[str, str]]
"""What reading an article's images found: (reference, outcome) in reading order, the outcome being
the content key of the bytes read or ``!code: message`` of the diagnostic (see :func:`images_unchanged`)."""

_KEY_RE = lazy_re(r"sha256-[0-9a-f]{32}\.[a-z]{1,5}")


def image_refs(doc: Document) -> list[str]:
    """Every image reference of ``doc`` in reading order, each once."""
    refs: dict[str, None] = {}
    for block in iter_blocks(doc.blocks):
        if isinstance(block, Figure) and block.image:
            refs.setdefault(block.image, None)
    for node in iter_inlines(doc.blocks):
        if isinstance(node, Image) and node.src:
            refs.setdefault(node.src, None)
    return list(refs)


def needs_folder(ref: str, fetch_remote: bool = False) -> bool:
    """Whether reading the image ``ref`` takes the article's folder (or, with ``fetch_remote``, the network):
    what a server asks a ``--server`` client to read for it."""
    lowered = ref.lower()
    if fetch_remote and lowered.startswith(("http://", "https://")):
        return True
    return not ("://" in ref or lowered.startswith(("data:", "javascript:", "//")))


@dataclass(frozen=True, slots=True)
class SentFolder:
    """An article's folder as a client sent it: file names -> bytes, and what the client's own reading
    found for references (``found``: reference -> the name of a file sent, or ``!code: message``, the
    outcome of :data:`ImageRecord`). A reference the client said nothing about is looked up by its
    name (``pics/chart.png`` or ``./pics/chart.png``: the file sent as ``pics/chart.png``).

    ``ask`` (``"folder"``, or ``"all"`` for http(s) images too): references only the client can read
    and about which it said nothing are not looked up but collected in ``wanted`` (the server then
    asks the client for them: a ``--server`` client reads them as a local run would).
    """

    files: Mapping[str, bytes] = field(default_factory=dict)
    found: Mapping[str, str] = field(default_factory=dict)
    ask: str = ""
    wanted: list[str] = field(default_factory=list)

    def settle(self, ref: str, source: str) -> tuple[str, bytes] | Diagnostic | None:
        """What the client said about ``ref`` (or that it must be asked for); None: the server's own rules."""
        if ref in self.found:
            return self.load(ref, source)
        if self.ask and needs_folder(ref, self.ask == "all"):
            self.wanted.append(ref)
            return Diagnostic("reader.image-missing", "image asked of the client", excerpt(ref), source)
        return None

    def load(self, ref: str, source: str) -> tuple[str, bytes] | Diagnostic:
        """What :func:`_load` finds for ``ref`` in this folder."""
        shown = excerpt(ref)
        outcome = self.found.get(ref)
        if outcome is not None and outcome.startswith("!"):
            code, _sep, message = outcome[1:].partition(": ")
            if code not in ("reader.image-refused", "reader.image-missing"):
                code = "reader.image-refused"
            return Diagnostic(code, message[:500] or "image not read", shown, source)
        name = outcome if outcome is not None else posixpath.normpath(ref.removeprefix("file:"))
        if name.startswith("/") or name == ".." or name.startswith("../"):
            return Diagnostic("reader.image-refused", "image outside the article's folder not read", shown, source)
        suffix = posixpath.splitext(name)[1].lower()
        if suffix not in IMAGE_TYPES:
            return Diagnostic("reader.image-refused", "not an image file type", shown, source)
        data = self.files.get(name)
        if data is None:
            return Diagnostic("reader.image-missing", "image file not found", shown, source)
        return f"sha256-{hashlib.sha256(data).hexdigest()[:32]}{suffix}", data


def read_image(ref: str, base_dir: Path | None, source: str, fetch_remote: bool = False) -> tuple[str, bytes] | str:
    """What reading the image ``ref`` of an article in ``base_dir`` finds: (content key, bytes), or the
    outcome ``!code: message`` of the diagnostic a local run gives (:data:`ImageRecord`). A ``--server``
    client sends this for each reference the server asks about."""
    loaded = _load(ref, base_dir, source, fetch_remote)
    return loaded if isinstance(loaded, tuple) else _outcome(loaded)


def _load(ref: str, base_dir: Path | SentFolder | None, source: str,
          fetch_remote: bool) -> tuple[str, bytes] | Diagnostic:
    """(content key, bytes) for one reference, or the diagnostic saying why it was not read."""
    if isinstance(base_dir, SentFolder) and (sent := base_dir.settle(ref, source)) is not None:
        return sent  # what the client's reading found (a fetched image too): nothing is fetched here
    lowered = ref.lower()
    shown = excerpt(ref)  # a data: address can be megabytes long
    if fetch_remote and lowered.startswith(("http://", "https://")):
        from briefpub.pipeline.fetch import FetchRefused, fetch_image

        try:
            data, suffix = fetch_image(ref)
        except FetchRefused as exc:
            return Diagnostic("reader.image-refused", f"remote image not fetched: {exc}", shown, source)
        return f"sha256-{hashlib.sha256(data).hexdigest()[:32]}{suffix}", data
    if "://" in ref or lowered.startswith(("data:", "javascript:", "//")) or base_dir is None:
        return Diagnostic("reader.image-refused", "image not read (remote or no base folder)", shown, source)
    if isinstance(base_dir, SentFolder):
        return base_dir.load(ref, source)
    root = base_dir.resolve()
    candidate = (root / ref.removeprefix("file:")).resolve()
    if not candidate.is_relative_to(root):
        return Diagnostic("reader.image-refused", "image outside the article's folder not read", shown, source)
    if candidate.suffix.lower() not in IMAGE_TYPES:
        return Diagnostic("reader.image-refused", "not an image file type", shown, source)
    try:
        data = _read_regular(candidate)
    except _NotRegular:
        return Diagnostic("reader.image-refused", "not a regular file (a pipe, device or folder) not read", shown,
                          source)
    except _TooLarge:
        return Diagnostic("reader.image-refused", "image larger than 20 MiB", shown, source)
    except OSError:
        return Diagnostic("reader.image-missing", "image file not found", shown, source)
    return f"sha256-{hashlib.sha256(data).hexdigest()[:32]}{candidate.suffix.lower()}", data


def _outcome(loaded: tuple[str, bytes] | Diagnostic) -> str:
    return loaded[0] if isinstance(loaded, tuple) else f"!{loaded.code}: {loaded.message}"


def images_unchanged(record: ImageRecord, base_dir: Path | None, source: str) -> bool:
    """Whether reading the images of ``record`` again finds what it found: the same bytes (by content
    key) or the same reason not to read them. The build cache asks this before restoring an artifact,
    so an edited, added or removed image rebuilds it without the article being read again."""
    return all(_outcome(_load(ref, base_dir, source, False)) == outcome for ref, outcome in record)


class _NotRegular(Exception):
    """The path names a FIFO, a device, a socket or a folder."""


class _TooLarge(Exception):
    """The file is over :data:`MAX_IMAGE_BYTES`."""


def _read_regular(path: Path) -> bytes:
    """The bytes of ``path`` if it is a regular file of at most :data:`MAX_IMAGE_BYTES`.

    A FIFO named like an image would block ``open`` until a writer comes, and a
    device could be read forever: the file is checked before it is opened,
    opened without blocking and without following a link, and checked again
    through the open descriptor (something could have replaced it in between);
    at most one byte over the limit is ever read.
    """
    if not stat.S_ISREG(os.stat(path).st_mode):
        raise _NotRegular(path)
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0) | getattr(os, "O_NOFOLLOW", 0)
    fd = os.open(path, flags)  # the path is resolved: a link appearing there since is not followed
    with os.fdopen(fd, "rb") as handle:
        info = os.fstat(handle.fileno())
        if not stat.S_ISREG(info.st_mode):
            raise _NotRegular(path)
        if info.st_size > MAX_IMAGE_BYTES:
            raise _TooLarge(path)
        data = handle.read(MAX_IMAGE_BYTES + 1)
    if len(data) > MAX_IMAGE_BYTES:
        raise _TooLarge(path)
    return data


def load_resources(
    doc: Document, base_dir: Path | SentFolder | None, source: str, *, fetch_remote: bool = False,
    names: dict[str, tuple[str, str]] | None = None, record: ImageRecord | None = None,
) -> tuple[Document, dict[str, bytes], list[Diagnostic]]:
    """Read the images ``doc`` names; returns the document with content keys, the key -> bytes map,
    and a diagnostic for every image not read (its reference is then emptied; caption and alt stay).

    When ``names`` is given, each key read is recorded there as ``(source, reference)`` (the first
    reference wins), so :func:`name_images` can show users what they wrote instead of the key.
    When ``record`` is given, every reference and what reading it found is appended to it
    (:data:`ImageRecord`).
    """
    resources: dict[str, bytes] = {}
    diagnostics: list[Diagnostic] = []
    keys: dict[str, str] = {}
    for ref in image_refs(doc):
        loaded = _load(ref, base_dir, source, fetch_remote)
        if record is not None:
            record.append((ref, _outcome(loaded)))
        if isinstance(loaded, Diagnostic):
            diagnostics.append(loaded)
            keys[ref] = ""
        else:
            keys[ref], resources[loaded[0]] = loaded[0], loaded[1]
            if names is not None:
                names.setdefault(loaded[0], (source, ref))
    if not keys:
        return doc, resources, diagnostics

    def figure(block: Block) -> Block:
        if isinstance(block, Figure) and block.image:
            return dataclasses.replace(block, image=keys.get(block.image, ""))
        return block

    def inline(node: Inline) -> Inline:
        if isinstance(node, Image) and node.src:
            return dataclasses.replace(node, src=keys.get(node.src, ""))
        return node

    blocks = map_inlines(map_blocks(doc.blocks, figure), inline)
    return dataclasses.replace(doc, blocks=blocks), resources, diagnostics


def name_images(diagnostics: Iterable[Diagnostic], names: ImageNames) -> list[Diagnostic]:
    """The writers' ``diagnostics`` with every content key replaced by the reference the article gave.

    Writers only see content keys (``sha256-<hex>.png``); users wrote ``pics/chart.png``. A diagnostic
    naming a key gets the reference in its message and text, and the input naming the image as its
    source when it has none (in a pack, the first article naming the image).
    """
    if not names:
        return list(diagnostics)

    def swap(match: re.Match[str]) -> str:
        found = names.get(match.group(0))
        return excerpt(found[1]) if found else match.group(0)

    named: list[Diagnostic] = []
    for diag in diagnostics:
        keys = _KEY_RE.findall(f"{diag.message}\n{diag.text}")
        known = [names[k] for k in keys if k in names]
        if not known:
            named.append(diag)
            continue
        named.append(dataclasses.replace(
            diag, message=_KEY_RE.sub(swap, diag.message), text=_KEY_RE.sub(swap, diag.text),
            source=diag.source or known[0][0],
        ))
    return named
