"""docs/style-sheet.md is generated from the model and must be current."""

from __future__ import annotations

import dataclasses
from pathlib import Path

from briefpub.styling.model import SECTION_TYPES
from briefpub.styling.reference import reference_markdown

DOC = Path(__file__).resolve().parents[2] / "docs" / "style-sheet.md"


def test_reference_is_current() -> None:
    assert DOC.read_text(encoding="utf-8") == reference_markdown(), (
        "docs/style-sheet.md is stale: run python -m briefpub.styling.reference > docs/style-sheet.md"
    )


def test_reference_documents_every_key() -> None:
    text = reference_markdown()
    for section, cls in SECTION_TYPES.items():
        assert f"## `[{section}]`" in text
        for f in dataclasses.fields(cls):
            assert f"| `{f.name}` |" in text
            assert f.metadata["doc"]
