"""A real, non-editable install: the wheel carries the built-in style sheets and works."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.slow
def test_wheel_install_works_with_builtin_styles(tmp_path: Path) -> None:
    dist = tmp_path / "dist"
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q", "-w", str(dist), str(ROOT)],
        check=True, capture_output=True,
    )
    wheel = next(dist.glob("briefpub-*.whl"))
    names = zipfile.ZipFile(wheel).namelist()
    assert "briefpub/styles/briefing.toml" in names and "briefpub/styles/plain.toml" in names
    assert "briefpub/py.typed" in names
    site = tmp_path / "site"
    subprocess.run([sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--target", str(site), str(wheel)],
                   check=True, capture_output=True)
    env = {**os.environ, "PYTHONPATH": str(site), "SOURCE_DATE_EPOCH": "1485129600"}
    work = tmp_path / "work"
    work.mkdir()

    def run(*args: str) -> str:
        proc = subprocess.run([sys.executable, "-m", "briefpub", *args], cwd=work, env=env, capture_output=True,
                              text=True)
        assert proc.returncode == 0, proc.stderr
        return proc.stdout

    where = subprocess.run([sys.executable, "-c", "import briefpub; print(briefpub.__file__)"], env=env, cwd=work,
                           capture_output=True, text=True, check=True).stdout
    assert where.startswith(str(site))  # the installed copy, not the source tree
    assert {r["name"] for r in json.loads(run("styles", "--json"))} >= {"briefing", "plain"}
    run("convert", "-q", "--style", "plain", "--to", "json", str(ROOT / "fixtures" / "txt" / "geneva-round.txt"))
    assert (work / "out" / "geneva-round.json").is_file()


def test_every_third_party_import_of_src_is_a_declared_dependency() -> None:
    """``rich`` was imported by the CLI but undeclared: an install without typer's extras lacked it."""
    import ast
    import importlib.metadata
    import re
    import tomllib

    declared = {re.split(r"[<>=!~ \[;]", dep, maxsplit=1)[0].lower().replace("_", "-")
                for dep in tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]}
    top_levels: set[str] = set()
    for path in (ROOT / "src" / "briefpub").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                top_levels.update(alias.name.split(".")[0] for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                top_levels.add(node.module.split(".")[0])
    distributions = importlib.metadata.packages_distributions()
    missing = []
    for name in sorted(top_levels - set(sys.stdlib_module_names) - {"briefpub"}):
        dists = {d.lower().replace("_", "-") for d in distributions.get(name, [name])}
        if not dists & declared:
            missing.append(f"{name} ({', '.join(sorted(dists))})")
    assert not missing, f"imported by src/ but not in [project] dependencies: {missing}"
