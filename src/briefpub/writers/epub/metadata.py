"""Package metadata for the EPUB writer: identifier, dates, language, accessibility (writer stage).

Everything here is a pure function of the publication, the style sheet and
the build time, so the same input always gives the same OPF:

* the identifier is ``urn:uuid:`` + UUID v5 of the source URL (single article
  with an http(s) URL), else of a SHA-256 of the content (for packs: the pack
  metadata and every article);
* ``dcterms:modified`` is the build timestamp in UTC, ``CCYY-MM-DDThh:mm:ssZ``;
  ``dc:date`` is the article's own date (never the build time), only when it is
  a valid W3C date;
* the language comes from the document or pack, else the style sheet's default
  (never the machine locale), and must be a well-formed BCP 47 tag;
* the protective marking is the frame's (the article's, else the pack's).

The accessibility metadata is worked out in ``accessibility.py`` from what the
writer observed while rendering.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime

from briefpub._lazyre import lazy_re
from briefpub.jsontree import document_to_dict
from briefpub.language import is_rtl_language, normalise_tag, valid_tag
from briefpub.styling.model import StyleSheet
from briefpub.tree import Document, Publication, block_text
from briefpub.writers.common.frame import Frames, document_language, publication_language
from briefpub.writers.common.links import safe_href

__all__ = [
    "BookMetadata",
    "article_language",
    "book_metadata",
    "fallback_title",
    "identifier",
    "language_tag",
    "modified",
    "w3c_date",
]

_W3C_DATE = lazy_re(
    r"^\d{4}(?:-\d{2}(?:-\d{2}"  # year, month, day
    r"(?:T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:\d{2}))?)?)?$"  # time and zone
)


def language_tag(preferred: str, style: StyleSheet) -> tuple[str, bool]:
    """A well-formed language tag and whether ``preferred`` had to be replaced.

    An ill-formed tag falls back to the style sheet's default, then ``en``.
    """
    for candidate, replaced in ((preferred, False), (style.paragraphs.language, True), ("en", True)):
        tag = normalise_tag(candidate)
        if valid_tag(tag):
            return tag, replaced and bool(preferred.strip())
    return "en", True  # pragma: no cover - "en" always matches


def w3c_date(value: str) -> str:
    """``value`` if it is a valid W3C date (as ``dc:date`` requires), else ``""``."""
    value = value.strip()
    if not _W3C_DATE.match(value):
        return ""
    try:
        if len(value) >= 10:
            datetime.fromisoformat(value[:10])
        elif len(value) == 7:
            datetime.strptime(value, "%Y-%m")
    except ValueError:
        return ""
    return value


def modified(build_time: datetime) -> datetime:
    """The build time in UTC without microseconds (what ``dcterms:modified`` carries)."""
    return build_time.astimezone(UTC).replace(microsecond=0)


def _content_hash(pub: Publication) -> str:
    payload = {
        "pack": dataclasses.asdict(pub.pack) if pub.pack is not None else None,
        "documents": [document_to_dict(d) for d in pub.documents],
    }
    text = json.dumps(payload, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def identifier(pub: Publication) -> str:
    """``urn:uuid:`` + UUID v5 of the article's URL, else of the content's SHA-256."""
    if pub.pack is None:
        url = pub.documents[0].meta.url.strip()
        if url and safe_href(url) is not None:
            return f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, url)}"
    return f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, 'urn:sha256:' + _content_hash(pub))}"


def fallback_title(doc: Document, *, untitled: str = "Untitled", limit: int = 60) -> str:
    """The OPF title of an article: its title, else its first words, else ``untitled``."""
    if doc.meta.title.strip():
        return doc.meta.title.strip()
    for block in doc.blocks:
        text = " ".join(" ".join(block_text(block)).split())
        if text:
            if len(text) <= limit:
                return text
            cut = text[:limit].rsplit(" ", 1)[0] or text[:limit]
            return cut + "\u2026"
    return untitled


@dataclass(frozen=True, slots=True)
class BookMetadata:
    """Everything the OPF says about the publication."""

    identifier: str
    title: str
    language: str
    rtl: bool
    creators: tuple[str, ...]
    contributors: tuple[str, ...]
    date: str
    publisher: str
    sources: tuple[str, ...]
    description: str
    subjects: tuple[str, ...]
    marking: str
    modified: datetime
    language_replaced: bool


def _unique(values: list[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(v.strip() for v in values if v.strip()))


def _sources(urls: list[str]) -> tuple[str, ...]:
    return _unique([href for url in urls if (href := safe_href(url)) is not None])


def book_metadata(pub: Publication, style: StyleSheet, build_time: datetime, frames: Frames) -> BookMetadata:
    """The publication's metadata (see the module docstring for the rules)."""
    lang, replaced = language_tag(publication_language(pub, style), style)
    docs = pub.documents
    if pub.pack is None:
        doc = docs[0]
        m = doc.meta
        return BookMetadata(
            identifier=identifier(pub),
            title=fallback_title(doc, untitled=frames.articles[0].labels.untitled),
            language=lang,
            rtl=is_rtl_language(lang),
            creators=_unique(list(m.authors)),
            contributors=(),
            date=w3c_date(m.date_iso),
            publisher=m.source.strip(),
            sources=_sources([m.url]),
            description=" ".join(s.strip() for s in m.summary if s.strip()),
            subjects=_unique(list(m.keywords)),
            marking=frames.articles[0].marking,
            modified=modified(build_time),
            language_replaced=replaced,
        )
    pack = pub.pack
    authors = [a for d in docs for a in d.meta.authors]
    return BookMetadata(
        identifier=identifier(pub),
        title=frames.pack.title if frames.pack is not None else pack.title,
        language=lang,
        rtl=is_rtl_language(lang),
        creators=_unique([pack.compiled_by]),
        contributors=tuple(a for a in _unique(authors) if a not in (pack.compiled_by.strip(),)),
        date=w3c_date(pack.date),
        publisher="",
        sources=_sources([d.meta.url for d in docs]),
        description=pack.subtitle.strip(),
        subjects=_unique([k for d in docs for k in d.meta.keywords]),
        marking=frames.pack.marking if frames.pack is not None else "",
        modified=modified(build_time),
        language_replaced=replaced,
    )


def article_language(doc: Document, style: StyleSheet) -> tuple[str, bool]:
    """One article's well-formed language tag and whether the tree's tag was replaced."""
    return language_tag(document_language(doc, style), style)
