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
from collections.abc import Iterable
from typing import Any

from briefpub._lazyre import lazy_re
from briefpub.dates import parse_date
from briefpub.errors import UsageError
from briefpub.language import normalise_tag, valid_tag
from briefpub.readers.common.limits import check_title
from briefpub.tree import Document

META_KEYS = (
    "title", "subtitle", "author", "authors", "date", "source", "url",
    "language", "lang", "marking", "summary", "keywords", "retrieved",
)
#: Free-form metadata (``extras``) is named with this prefix: ``--set extra.desk=Europe``.
EXTRA_PREFIX = "extra."
_EXTRA_KEY = lazy_re(r"^[a-z][a-z0-9_-]{0,40}$")
#: Keys whose empty value is refused rather than replaced by a default ("Untitled").
_NOT_EMPTY = ("title",)


def _style_keys() -> list[str]:
    from briefpub.styling.model import SECTION_TYPES

    return [f"{section}.{f.name}" for section, kind in SECTION_TYPES.items() for f in dataclasses.fields(kind)]


def _suggest(key: str, candidates: Iterable[str]) -> str:
    import difflib

    close = difflib.get_close_matches(key, list(candidates), n=1, cutoff=0.6)
    return f" (did you mean {close[0]}?)" if close else ""


def check_key(key: str, value: str = "x", where: str = "--set") -> str:
    """Validate one override key; return its kind: ``"meta"``, ``"extra"`` or ``"style"``.

    Raises :class:`UsageError` (exit 2) for an unknown key, with the closest known key
    as a suggestion, and for an empty ``title``. ``where`` prefixes the message
    (``--set`` or a manifest's ``file: pack[1].set``).
    """
    norm = key.strip().lower()
    if norm.startswith(EXTRA_PREFIX):
        name = norm[len(EXTRA_PREFIX):]
        if not _EXTRA_KEY.match(name):
            raise UsageError(f"{where} {key}: a free-form key is extra.NAME, NAME in lowercase letters, "
                             "digits, '_' and '-' (e.g. extra.desk)")
        return "extra"
    if "." in norm:
        known = _style_keys()
        if norm in known:
            return "style"
        hint = _suggest(norm, known) or " (every key: docs/style-sheet.md)"
        raise UsageError(f"{where} {key}: unknown style key{hint}")
    if norm in META_KEYS:
        if norm in _NOT_EMPTY and not value.strip():
            raise UsageError(f"{where} {key}: empty value (a document needs a title; leave the key out "
                             "to keep the article's own)")
        return "meta"
    hint = _suggest(norm, (*META_KEYS, *_style_keys())) or (
        f" (metadata keys: {', '.join(META_KEYS)}; free-form metadata is written {EXTRA_PREFIX}{norm}, "
        "a style key section.key)"
    )
    raise UsageError(f"{where} {key}: unknown key{hint}")


def split_overrides(
    pairs: Iterable[tuple[str, str]], where: str = "--set"
) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """Check ``(key, value)`` overrides and split them into (metadata, style) lists, in order.

    Metadata includes ``extra.NAME`` keys; nothing is applied here, so a bad key is
    refused before any input is read.
    """
    meta: list[tuple[str, str]] = []
    style: list[tuple[str, str]] = []
    for key, value in pairs:
        (style if check_key(key, value, where) == "style" else meta).append((key.strip(), value))
    return meta, style


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
            check_key(key, value)
            if key == "title":
                check_title(value.strip(), "--set title")
            changes: dict[str, Any] = {key: value.strip()}
            meta = dataclasses.replace(meta, **changes)
        elif check_key(key, value) == "extra":
            extras = dict(meta.extras)
            extras[key[len(EXTRA_PREFIX):]] = value
            meta = dataclasses.replace(meta, extras=tuple(extras.items()))
        else:
            raise UsageError(f"--set {key}: a style key, not metadata")
    return dataclasses.replace(doc, meta=meta)
