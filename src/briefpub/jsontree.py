"""The JSON form of the document tree (schema ``briefpub.document/1``).

``{"schema": "briefpub.document/1", "meta": {...}, "blocks": [...]}``: every node
is an object with a ``"type"``; every run of text is a
``{"type": "text", "text": "..."}`` leaf. :func:`to_json` and :func:`from_json`
are exact inverses (``from_json(to_json(doc)) == doc``). A document of another
major schema version, or one that does not match the schema, is refused with a
:class:`~briefpub.errors.SchemaError` naming the offending path.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import fields
from typing import Any

from briefpub.errors import SchemaError
from briefpub.tree import (
    BlockQuote,
    BulletList,
    Code,
    Document,
    Emphasis,
    Figure,
    Heading,
    Image,
    LineBreak,
    Link,
    ListItem,
    Meta,
    OrderedList,
    PageBreak,
    Paragraph,
    Span,
    Strong,
    Table,
    TableCell,
    TableRow,
    Text,
    ThematicBreak,
)

SCHEMA = "briefpub.document/1"
SCHEMA_NAME, _, _MAJOR = SCHEMA.partition("/")

# Field kinds: how each dataclass field is encoded.
_INLINES, _BLOCKS, _TEXTS, _ITEMS, _ROWS, _CELLS = "inlines", "blocks", "texts", "items", "rows", "cells"
_STR, _INT = "str", "int"

_NODES: dict[str, tuple[type, dict[str, str]]] = {
    "text": (Text, {"text": _STR}),
    "emph": (Emphasis, {"children": _INLINES}),
    "strong": (Strong, {"children": _INLINES}),
    "code": (Code, {"children": _TEXTS}),
    "link": (Link, {"url": _STR, "title": _STR, "children": _INLINES}),
    "linebreak": (LineBreak, {}),
    "image": (Image, {"src": _STR, "alt": _STR, "title": _STR}),
    "span": (Span, {"lang": _STR, "children": _INLINES}),
    "heading": (Heading, {"level": _INT, "id": _STR, "children": _INLINES}),
    "paragraph": (Paragraph, {"children": _INLINES}),
    "figure": (Figure, {"image": _STR, "alt": _STR, "caption": _INLINES}),
    "blockquote": (BlockQuote, {"blocks": _BLOCKS, "attribution": _INLINES}),
    "item": (ListItem, {"blocks": _BLOCKS}),
    "bullet_list": (BulletList, {"items": _ITEMS}),
    "ordered_list": (OrderedList, {"start": _INT, "items": _ITEMS}),
    "table": (Table, {"caption": _INLINES, "header": _ROWS, "rows": _ROWS}),
    "row": (TableRow, {"cells": _CELLS}),
    "cell": (TableCell, {"align": _STR, "children": _INLINES}),
    "thematic_break": (ThematicBreak, {}),
    "page_break": (PageBreak, {}),
}
_TYPE_OF: dict[type, str] = {cls: name for name, (cls, _) in _NODES.items()}
_ALLOWED: dict[str, frozenset[str]] = {
    _INLINES: frozenset({"text", "emph", "strong", "code", "link", "linebreak", "image", "span"}),
    _TEXTS: frozenset({"text"}),
    _BLOCKS: frozenset(
        {
            "heading",
            "paragraph",
            "figure",
            "blockquote",
            "bullet_list",
            "ordered_list",
            "table",
            "thematic_break",
            "page_break",
        }
    ),
    _ITEMS: frozenset({"item"}),
    _ROWS: frozenset({"row"}),
    _CELLS: frozenset({"cell"}),
}
_META_LISTS = ("authors", "summary", "keywords")


def node_to_dict(node: object) -> dict[str, Any]:
    """Encode one node (inline or block) as a JSON-ready dict."""
    name = _TYPE_OF[type(node)]
    out: dict[str, Any] = {"type": name}
    for key, kind in _NODES[name][1].items():
        value = getattr(node, key)
        if kind in (_STR, _INT):
            out[key] = value
        else:
            out[key] = [node_to_dict(child) for child in value]
    return out


def meta_to_dict(meta: Meta) -> dict[str, Any]:
    """Encode document metadata (lists for tuples, an object for extras)."""
    out: dict[str, Any] = {}
    for f in fields(meta):
        value = getattr(meta, f.name)
        if f.name == "extras":
            out["extras"] = dict(value)
        elif isinstance(value, tuple):
            out[f.name] = list(value)
        else:
            out[f.name] = value
    return out


def document_to_dict(doc: Document) -> dict[str, Any]:
    """Encode a document as the schema's top-level object."""
    return {
        "schema": SCHEMA,
        "meta": meta_to_dict(doc.meta),
        "blocks": [node_to_dict(b) for b in doc.blocks],
    }


def to_json(doc: Document, *, indent: int | None = 2) -> str:
    """Serialise a document; keys in schema order, non-ASCII kept as is."""
    return json.dumps(document_to_dict(doc), ensure_ascii=False, indent=indent)


# -------------------------------------------------------------------------- decoding


def _fail(path: str, problem: str) -> SchemaError:
    return SchemaError(f"{path}: {problem}")


def _expect(value: object, kind: type, path: str) -> Any:
    if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
        raise _fail(path, f"expected {kind.__name__}, got {type(value).__name__}")
    return value


def node_from_dict(data: object, allowed: frozenset[str], path: str) -> Any:
    """Decode one node, checking its type is allowed where it stands."""
    obj = _expect(data, dict, path)
    name = obj.get("type")
    if name not in allowed:
        raise _fail(path, f"node type {name!r} not allowed here (expected one of {sorted(allowed)})")
    cls, spec = _NODES[name]
    unknown = set(obj) - set(spec) - {"type"}
    if unknown:
        raise _fail(path, f"unknown key(s) {sorted(unknown)} in {name!r}")
    kwargs: dict[str, Any] = {}
    for key, kind in spec.items():
        if key not in obj:
            continue
        sub = f"{path}.{key}"
        if kind == _STR:
            kwargs[key] = _expect(obj[key], str, sub)
        elif kind == _INT:
            kwargs[key] = _expect(obj[key], int, sub)
        else:
            items = _expect(obj[key], list, sub)
            kwargs[key] = tuple(
                node_from_dict(item, _ALLOWED[kind], f"{sub}[{i}]") for i, item in enumerate(items)
            )
    try:
        return cls(**kwargs)
    except (TypeError, ValueError) as exc:
        raise _fail(path, str(exc)) from None


def meta_from_dict(data: object, path: str = "meta") -> Meta:
    """Decode document metadata."""
    obj = _expect(data, dict, path)
    known = {f.name for f in fields(Meta)}
    unknown = set(obj) - known
    if unknown:
        raise _fail(path, f"unknown key(s) {sorted(unknown)}")
    kwargs: dict[str, Any] = {}
    for key, value in obj.items():
        sub = f"{path}.{key}"
        if key == "extras":
            extras = _expect(value, dict, sub)
            kwargs[key] = tuple((str(k), _expect(v, str, f"{sub}.{k}")) for k, v in extras.items())
        elif key in _META_LISTS:
            kwargs[key] = tuple(
                _expect(v, str, f"{sub}[{i}]") for i, v in enumerate(_expect(value, list, sub))
            )
        else:
            kwargs[key] = _expect(value, str, sub)
    return Meta(**kwargs)


def check_schema(value: object) -> None:
    """Refuse anything but a ``briefpub.document/1`` (any 1.x minor) schema tag."""
    if not isinstance(value, str):
        raise SchemaError("missing 'schema': not a briefpub document tree")
    name, _, version = value.partition("/")
    major = version.split(".")[0]
    if name != SCHEMA_NAME:
        raise SchemaError(f"schema {value!r} is not a briefpub document tree ({SCHEMA})")
    if major != _MAJOR:
        raise SchemaError(
            f"schema version {version!r} is not supported: this briefpub reads major version {_MAJOR}"
        )


def document_from_dict(data: Mapping[str, object]) -> Document:
    """Decode the schema's top-level object."""
    check_schema(data.get("schema"))
    unknown = set(data) - {"schema", "meta", "blocks"}
    if unknown:
        raise SchemaError(f"unknown top-level key(s) {sorted(unknown)}")
    meta = meta_from_dict(data.get("meta", {}))
    blocks = _expect(data.get("blocks", []), list, "blocks")
    return Document(
        meta=meta,
        blocks=tuple(
            node_from_dict(b, _ALLOWED[_BLOCKS], f"blocks[{i}]") for i, b in enumerate(blocks)
        ),
    )


def from_json(text: str | bytes) -> Document:
    """Parse a JSON document tree; refuses unknown schemas and malformed trees."""
    try:
        data = json.loads(text)
    except (ValueError, RecursionError) as exc:
        raise SchemaError(f"not valid JSON: {exc}") from None
    if not isinstance(data, dict):
        raise SchemaError("a document tree must be a JSON object")
    return document_from_dict(data)


__all__ = [
    "SCHEMA",
    "check_schema",
    "document_from_dict",
    "document_to_dict",
    "from_json",
    "meta_from_dict",
    "meta_to_dict",
    "node_from_dict",
    "node_to_dict",
    "to_json",
]

