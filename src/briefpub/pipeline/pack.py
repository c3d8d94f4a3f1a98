"""Briefing packs: several articles assembled into one publication (pipeline stage).

:func:`assemble_pack` reads every input, applies the per-article metadata
overrides, gives each article its images, and returns one
:class:`~briefpub.tree.Publication` with :class:`~briefpub.tree.PackMeta`, plus
everything the readers reported. Writers then lay it out: cover, contents,
one article after another (each on a new page), running headers naming the
current article. Used by ``briefpub pack`` and by manifest builds.
"""

from __future__ import annotations

import functools
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from briefpub.diagnostics import Diagnostic
from briefpub.errors import BriefpubError, InputError
from briefpub.pipeline import PreparedArticle, prepare_article
from briefpub.pipeline.resources import ImageRecord
from briefpub.readers.common.limits import MAX_PACK_BLOCKS, block_count, check_title
from briefpub.tree import Document, PackMeta, Publication

_WINDOWS_RESERVED = frozenset(
    ["con", "prn", "aux", "nul", "conin$", "conout$"]
    + [f"{d}{n}" for d in ("com", "lpt") for n in (*"123456789", "\u00b9", "\u00b2", "\u00b3")]
)
NAME_MAX_BYTES = 120
"""Longest file stem :func:`safe_name` returns, in UTF-8 bytes (room for an extension and a temp name)."""


def _kept(ch: str) -> bool:
    """Letters, digits and combining marks of any script (the marks Indic and other scripts need)."""
    return unicodedata.category(ch)[0] in "LNM"


def safe_name(title: str, fallback: str = "pack", max_bytes: int = NAME_MAX_BYTES) -> str:
    """A file name stem from a title: lower-case letters and digits of any script, joined by hyphens.

    The title is NFC-normalised; anything else (path separators, dots, spaces,
    control and format characters) becomes one hyphen, none leading or trailing,
    so a hostile title cannot write outside the output folder or make a hidden
    file. Windows device names (``CON``, ``NUL``, ``COM1``...) get ``-`` +
    ``fallback`` appended. The stem is cut at ``max_bytes`` UTF-8 bytes, never
    inside a character. Returns ``fallback`` when no letter or digit is left.
    """
    text = unicodedata.normalize("NFC", title).lower()
    pieces: list[str] = []
    run: list[str] = []
    for ch in text:
        if _kept(ch) and (run or unicodedata.category(ch)[0] != "M"):
            run.append(ch)
        elif unicodedata.category(ch) == "Cf" or (unicodedata.category(ch)[0] == "M" and not run):
            continue  # invisible format characters and stray marks vanish
        elif run:
            pieces.append("".join(run))
            run = []
    if run:
        pieces.append("".join(run))
    slug = "-".join(pieces)
    if slug.split(".")[0] in _WINDOWS_RESERVED:
        slug = f"{slug}-{fallback or 'file'}"
    data = slug.encode("utf-8")
    if len(data) > max_bytes:
        cut = data[:max_bytes].decode("utf-8", "ignore")
        while cut and unicodedata.category(cut[-1])[0] not in "LN":  # no dangling mark or hyphen
            cut = cut[:-1]
        slug = cut
    return slug or fallback


def cover_date(when: datetime) -> str:
    """The default cover date for a build at ``when``: its ISO form, printed in the pack's language."""
    return when.date().isoformat()


@dataclass(slots=True)
class AssembledPack:
    """A pack ready for the writers: the publication, its images, and what was reported."""

    publication: Publication
    resources: dict[str, bytes]
    diagnostics: list[Diagnostic] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (input, error)
    image_names: dict[str, tuple[str, str]] = field(default_factory=dict)  # key -> (input, reference)


def skipped_diagnostics(skipped: Sequence[tuple[str, str]]) -> list[Diagnostic]:
    """One ``build.article-skipped`` error per input left out of a pack (``skip_bad_inputs``): (input, why)."""
    return [Diagnostic("build.article-skipped", f"article left out of the pack: {error}", source=path,
                       severity="error") for path, error in skipped]


def assemble_pack(
    inputs: Sequence[str],
    pack: PackMeta,
    *,
    fmt: str | None = None,
    meta_overrides: Sequence[tuple[str, str]] = (),
    skip_bad_inputs: bool = False,
    fetch_images: bool = False,
    image_records: dict[str, ImageRecord] | None = None,
) -> AssembledPack:
    """Read every input (a file, ``-``, a URL) into one pack; a bad input raises unless ``skip_bad_inputs``.

    The pack's title and its articles' blocks in all are bounded (see
    :mod:`briefpub.readers.common.limits`): a pack over the limits raises either way.
    ``image_records`` receives, per input, what reading its images found (for the build cache).
    """
    def preparing(path: str) -> Callable[[], PreparedArticle]:
        record = None if image_records is None else image_records.setdefault(path, [])
        return functools.partial(prepare_article, path, fmt, meta_overrides, fetch_images=fetch_images,
                                 image_record=record)

    return assemble_articles([(path, preparing(path)) for path in inputs], pack, skip_bad_inputs=skip_bad_inputs)


def assemble_articles(
    articles: Sequence[tuple[str, Callable[[], PreparedArticle]]],
    pack: PackMeta,
    *,
    skip_bad_inputs: bool = False,
    on_article: Callable[[int, str], None] | None = None,
) -> AssembledPack:
    """:func:`assemble_pack` for articles given as (name, a function preparing it), in pack order.

    The server's packs come here with their uploads' bytes
    (:func:`~briefpub.pipeline.prepare_bytes`). ``on_article(i, name)`` is called
    before each article is read (progress).
    """
    check_title(pack.title, "pack title")
    blocks = 0
    documents: list[Document] = []
    resources: dict[str, bytes] = {}
    diagnostics: list[Diagnostic] = []
    skipped: list[tuple[str, str]] = []
    names: dict[str, tuple[str, str]] = {}
    for i, (path, prepare_one) in enumerate(articles):
        if on_article is not None:
            on_article(i, path)
        try:
            article = prepare_one()
        except BriefpubError as exc:
            if not skip_bad_inputs:
                raise
            skipped.append((path, str(exc)))
            continue
        blocks += block_count(article.document)
        if blocks > MAX_PACK_BLOCKS:
            raise InputError(
                f"{path}: the pack reaches {blocks:,} blocks with this article (the limit for a pack is "
                f"{MAX_PACK_BLOCKS:,})"
            )
        documents.append(article.document)
        resources.update(article.resources)
        for key, named in article.image_names.items():
            names.setdefault(key, named)
        diagnostics.extend(article.diagnostics)
    if not documents:
        raise InputError(f"pack {pack.title!r}: no readable article among {len(articles)} input(s)")
    return AssembledPack(Publication(tuple(documents), pack), resources, diagnostics, skipped, names)
