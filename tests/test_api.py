"""Public API hygiene: sorted, complete __all__; module docstrings; diagnostic codes known."""

from __future__ import annotations

import ast
import importlib
import pkgutil
import re
from pathlib import Path

import briefpub
from briefpub.diagnostics import CODES

SRC = Path(briefpub.__file__).resolve().parent


def _modules() -> list[str]:
    names = ["briefpub"]
    for info in pkgutil.walk_packages([str(SRC)], prefix="briefpub."):
        if info.name.endswith("__main__"):
            continue
        names.append(info.name)
    return names


def test_every_module_has_a_docstring() -> None:
    missing = []
    for path in SRC.rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        if not ast.get_docstring(tree):
            missing.append(str(path.relative_to(SRC)))
    assert not missing, missing


def test_all_is_sorted_and_complete_where_defined() -> None:
    for name in _modules():
        module = importlib.import_module(name)
        exported = getattr(module, "__all__", None)
        if exported is None:
            continue
        # isort style, as ruff's RUF022 keeps it: CONSTANTS, then Classes, then functions
        def style(item: str) -> tuple[int, str]:
            return (0 if item.isupper() else 1 if item[0].isupper() else 2, item)

        assert list(exported) == sorted(exported, key=style), name
        for item in exported:
            assert hasattr(module, item), f"{name}.__all__ names missing {item}"


def _codes_in_source() -> set[str]:
    """Every code a call in src/ emits: a ``stage.name`` literal as a call's first argument or ``code=``."""
    stages = "|".join(sorted({code.split(".")[0] for code in CODES}))
    pattern = re.compile(rf"""(?:\(\s*|code\s*=\s*)["']((?:{stages})\.[a-z][a-z-]*)["']""")
    used: set[str] = set()
    for path in SRC.rglob("*.py"):
        if path.name == "diagnostics.py" and path.parent == SRC:
            continue
        used.update(pattern.findall(path.read_text(encoding="utf-8")))
    return used


def test_every_diagnostic_code_used_is_registered() -> None:
    unknown = _codes_in_source() - set(CODES)
    assert not unknown, unknown


def test_every_registered_diagnostic_code_can_be_emitted() -> None:
    """The registry holds no dead codes: each one is emitted somewhere in src/."""
    dead = set(CODES) - _codes_in_source()
    assert not dead, dead


def test_diagnostics_doc_lists_every_code() -> None:
    doc = (SRC.parents[1] / "docs" / "diagnostics.md").read_text(encoding="utf-8")
    for code in CODES:
        assert f"`{code}`" in doc, code
