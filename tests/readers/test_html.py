"""HTML reader: many small cases per fixture file (fixtures/html/*.txt), plus API-level checks."""

from __future__ import annotations

from pathlib import Path

import pytest

from briefpub.readers import read_bytes
from samples import check_diagnostic_codes, load_reader_cases, outline

CASES = Path(__file__).resolve().parent / "cases"
FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "html"


def case_params() -> list[object]:
    """The cases of fixtures/html/*.txt and of tests/readers/cases/html-*.cases."""
    params: list[object] = []
    for path in [*sorted(FIXTURES.glob("*.txt")), *sorted(CASES.glob("html-*.cases"))]:
        for title, source, expected, checks in load_reader_cases(path):
            params.append(pytest.param(source, expected, checks, id=f"{path.stem}: {title}"))
    return params


@pytest.mark.parametrize(("source", "expected", "checks"), case_params())
def test_html_case(source: str, expected: str, checks: list[str]) -> None:
    result = read_bytes(source.encode("utf-8"), source="case.html", fmt="html")
    assert outline(result.document) == expected
    check_diagnostic_codes([d.code for d in result.diagnostics], checks)
