"""The ``json`` writer: the document tree itself (schema ``briefpub.document/1``).

A single article is written as the document's JSON form. A pack is written as
``{"schema": "briefpub.pack/1", "pack": {...}, "documents": [...]}``, each
document in its own JSON form.
"""

from __future__ import annotations

import dataclasses
import json

from briefpub.jsontree import document_to_dict
from briefpub.styling.model import StyleSheet
from briefpub.tree import Publication
from briefpub.writers import WriteOptions, WriteResult

PACK_SCHEMA = "briefpub.pack/1"


class JsonWriter:
    """Writes the tree; deterministic (sorted nothing, schema order kept)."""

    name = "json"
    extension = ".json"
    media_type = "application/json"

    def write(self, pub: Publication, style: StyleSheet, options: WriteOptions) -> WriteResult:
        """Serialise the publication as UTF-8 JSON with a trailing newline."""
        if pub.pack is None:
            data: dict[str, object] = document_to_dict(pub.documents[0])
        else:
            data = {
                "schema": PACK_SCHEMA,
                "pack": dataclasses.asdict(pub.pack),
                "documents": [document_to_dict(d) for d in pub.documents],
            }
        text = json.dumps(data, ensure_ascii=False, indent=2) + "\n"
        return WriteResult(text.encode("utf-8"))


WRITER = JsonWriter()
