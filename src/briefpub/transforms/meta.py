"""Metadata overrides from ``--set KEY=VALUE`` and manifests (transform stage).

Keys: ``title``, ``subtitle``, ``author`` / ``authors`` (comma-separated),
``date`` (as written; its ISO form is derived when it parses), ``source``,
``url``, ``language`` / ``lang``, ``marking``, ``summary`` (key points separated
by ``|``), ``keywords`` (comma-separated), ``retrieved``; any other key
without a dot goes into ``extras``. Keys with a dot are style keys and are not
handled here.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterable
from typing import Any

from briefpub.dates import parse_date
from briefpub.errors import UsageError
from briefpub.language import normalise_tag, valid_tag
from briefpub.readers.common.limits import check_title
from briefpub.tree import Document

META_KEYS = (
    "title", "subtitle", "author", "authors", "date", "source", "url",
    "language", "lang", "marking", "summary", "keywords", "retrieved",
)
_EXTRA_KEY = re.compile(r"^[a-z][a-z0-9_-]{0,40}$")


def _split(value: str, sep: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in value.split(sep) if part.strip())


def apply_meta_overrides(doc: Document, overrides: Iterable[tuple[str, str]]) -> Document:
    """Return ``doc`` with metadata replaced by ``(key, value)`` overrides, in order."""
    meta = doc.meta
    for key, value in overrides:
        key = key.strip().lower()
        if key in ("author", "authors"):
            meta = dataclasses.replace(meta, authors=_split(value, ","))
        elif key in ("language", "lang"):
            tag = normalise_tag(value)
            if tag and not valid_tag(tag):
                raise UsageError(f"--set {key}={value}: not a BCP 47 language tag (e.g. en, en-GB, ar)")
            meta = dataclasses.replace(meta, language=tag)
        elif key == "date":
            meta = dataclasses.replace(meta, date=value, date_iso=parse_date(value) or "")
        elif key == "summary":
            meta = dataclasses.replace(meta, summary=_split(value, "|"))
        elif key == "keywords":
            meta = dataclasses.replace(meta, keywords=_split(value, ","))
        elif key in ("title", "subtitle", "source", "url", "marking", "retrieved"):
            if key == "title":
                check_title(value.strip(), "--set title")
            changes: dict[str, Any] = {key: value.strip()}
            meta = dataclasses.replace(meta, **changes)
        elif _EXTRA_KEY.match(key):
            extras = dict(meta.extras)
            extras[key] = value
            meta = dataclasses.replace(meta, extras=tuple(extras.items()))
        else:
            raise UsageError(f"--set {key}: not a metadata key (known: {', '.join(META_KEYS)})")
    return dataclasses.replace(doc, meta=meta)
