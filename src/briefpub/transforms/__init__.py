"""Transforms: small ordered functions Document -> Document (transform stage).

:func:`prepare` is what the pipeline runs between reading and writing:
metadata overrides from ``--set`` first, then heading ids (which also point
``#fragment`` links at the headings' final ids).
"""

from __future__ import annotations

from collections.abc import Iterable

from briefpub.transforms.ids import assign_heading_ids
from briefpub.transforms.meta import EXTRA_PREFIX, META_KEYS, apply_meta_overrides, split_overrides
from briefpub.tree import Document

__all__ = ["EXTRA_PREFIX", "META_KEYS", "apply_meta_overrides", "assign_heading_ids", "prepare", "split_overrides"]


def prepare(doc: Document, meta_overrides: Iterable[tuple[str, str]] = ()) -> Document:
    """Apply metadata overrides, then give every heading a unique id and retarget internal links."""
    return assign_heading_ids(apply_meta_overrides(doc, meta_overrides))
