"""The JSON form: exact round trip (property test), shape, and refusal of bad input."""

from __future__ import annotations

import json

import pytest
from hypothesis import given

from briefpub.errors import SchemaError
from briefpub.jsontree import SCHEMA, from_json, to_json
from briefpub.tree import Document
from samples import hostile_document, rich_document
from strategies import documents


@given(documents)
def test_round_trip_any_document(doc: Document) -> None:
    assert from_json(to_json(doc)) == doc


@pytest.mark.parametrize("doc", [rich_document(), hostile_document()])
def test_round_trip_samples(doc: Document) -> None:
    assert from_json(to_json(doc)) == doc


def _walk(node: object) -> list[dict[str, object]]:
    found: list[dict[str, object]] = []
    if isinstance(node, dict):
        found.append(node)
        for value in node.values():
            found += _walk(value)
    elif isinstance(node, list):
        for value in node:
            found += _walk(value)
    return found


def test_shape_every_node_typed_every_run_a_text_leaf() -> None:
    data = json.loads(to_json(rich_document()))
    assert data["schema"] == SCHEMA
    assert list(data) == ["schema", "meta", "blocks"]
    for node in _walk(data["blocks"]):
        assert "type" in node
        if node["type"] == "text":
            assert set(node) == {"type", "text"}
        else:
            # text lives only in text leaves (attributes such as url/alt/id are not runs)
            assert "text" not in node


@pytest.mark.parametrize(
    ("payload", "message"),
    [
        ('{"schema": "briefpub.document/2", "meta": {}, "blocks": []}', "version '2' is not supported"),
        ('{"schema": "other/1"}', "not a briefpub document"),
        ('{"meta": {}}', "missing 'schema'"),
        ("[1]", "must be a JSON object"),
        ("{", "not valid JSON"),
        ('{"schema": "briefpub.document/1", "blocks": [{"type": "text", "text": "x"}]}', "blocks[0]"),
        ('{"schema": "briefpub.document/1", "blocks": [{"type": "paragraph", "children": [{"type": "heading"}]}]}',
         "blocks[0].children[0]"),
        ('{"schema": "briefpub.document/1", "blocks": [{"type": "heading", "level": 9, "children": []}]}',
         "heading level"),
        ('{"schema": "briefpub.document/1", "meta": {"title": 3}}', "meta.title"),
        ('{"schema": "briefpub.document/1", "meta": {"colour": "x"}}', "unknown key"),
        ('{"schema": "briefpub.document/1", "extra": 1}', "unknown top-level"),
        ('{"schema": "briefpub.document/1", "blocks": [{"type": "heading", "level": true, "children": []}]}',
         "expected int"),
    ],
)
def test_bad_json_is_refused_clearly(payload: str, message: str) -> None:
    with pytest.raises(SchemaError, match=__import__("re").escape(message)):
        from_json(payload)


def test_minor_versions_of_the_same_major_are_accepted() -> None:
    assert from_json('{"schema": "briefpub.document/1.3", "meta": {}, "blocks": []}') == Document()
