"""Markdown reader: many small cases per fixture file (fixtures/md/*.txt), plus API-level checks."""

from __future__ import annotations

from pathlib import Path

import pytest

from briefpub.readers import read_bytes
from samples import check_diagnostic_codes, load_reader_cases, outline

CASES = Path(__file__).resolve().parent / "cases"
FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "md"


def case_params() -> list[object]:
    """The cases of fixtures/md/*.txt and of tests/readers/cases/markdown-*.cases."""
    params: list[object] = []
    for path in [*sorted(FIXTURES.glob("*.txt")), *sorted(CASES.glob("markdown-*.cases"))]:
        for title, source, expected, checks in load_reader_cases(path):
            params.append(pytest.param(source, expected, checks, id=f"{path.stem}: {title}"))
    return params


@pytest.mark.parametrize(("source", "expected", "checks"), case_params())
def test_markdown_case(source: str, expected: str, checks: list[str]) -> None:
    result = read_bytes(source.encode("utf-8"), source="case.md", fmt="md")
    assert outline(result.document) == expected
    check_diagnostic_codes([d.code for d in result.diagnostics], checks)
