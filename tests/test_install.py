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
    # the page of `briefpub serve` is package data
    assert {f"briefpub/serve/static/{n}" for n in ("index.html", "app.js", "app.css")} <= set(names)
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


def _readme_blocks(section: str) -> list[str]:
    """The ```sh blocks of a README section (``## <section>``), in order."""
    import re

    text = (ROOT / "README.md").read_text(encoding="utf-8")
    body = text.split(f"\n## {section}\n", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"```sh\n(.*?)```", body, flags=re.S)


def _commands(block: str) -> list[str]:
    """Shell commands of a block: continuation lines joined, comments dropped."""
    joined = block.replace("\\\n", " ")
    return [line.split("  #", 1)[0].strip() for line in joined.splitlines() if line.strip()]


def test_readme_test_command_is_the_one_ci_runs() -> None:
    test_command = _commands(_readme_blocks("Quick start")[1])
    assert len(test_command) == 1
    assert test_command[0] in (ROOT / ".ci" / "run").read_text().splitlines()
    import tomllib

    addopts = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["pytest"]["ini_options"]["addopts"]
    assert "-n auto" in addopts  # the suite runs in parallel, as the README says


def test_readme_build_command_is_reproducible_and_counts_the_demo_articles() -> None:
    import tomllib

    (build,) = _commands(_readme_blocks("Quick start")[0])
    assert "SOURCE_DATE_EPOCH=" in build and build.endswith(".venv/bin/briefpub build")
    manifest = tomllib.loads((ROOT / "briefpub.toml").read_text())
    (pack,) = manifest["pack"]
    words = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve"]
    readme = " ".join((ROOT / "README.md").read_text(encoding="utf-8").split())
    assert f"{words[len(pack['inputs'])]} articles read from" in readme


def test_readme_usage_commands_run_in_a_fresh_shell_on_files_in_the_repository() -> None:
    """'Using it': the venv is activated before bare ``briefpub``, and every file named exists."""
    import shlex

    commands = _commands(_readme_blocks("Using it")[0])
    assert commands[0] == ". .venv/bin/activate"
    for command in commands[1:]:
        words = shlex.split(command)
        assert words[0] == "briefpub", command
        for word in words:
            if "/" in word and not word.endswith("/") and "://" not in word and not word.startswith("."):
                assert (ROOT / word).is_file(), f"{command}: {word} is not in the repository"


@pytest.mark.slow
def test_readme_usage_commands_succeed(tmp_path: Path) -> None:
    """Each 'Using it' command, as written (JSON output where a writer would only cost time), from a copy."""
    import shlex
    import shutil

    for name in ("fixtures", "briefpub.toml"):
        (shutil.copytree if name == "fixtures" else shutil.copy)(ROOT / name, tmp_path / name)
    env = {**os.environ, "SOURCE_DATE_EPOCH": "1700000000", "PYTHONPATH": str(ROOT / "src")}
    for command in _commands(_readme_blocks("Using it")[0])[1:]:
        words = shlex.split(command.replace(" < ", " STDIN "))
        stdin = None
        if "STDIN" in words:
            stdin = (tmp_path / words[-1]).read_bytes()
            words = words[: words.index("STDIN")]
        if words[1] in ("convert", "pack", "build"):
            words += ["--to", "json"] if words[1] != "build" else ["--out", "build-out", "--shard", "1/20"]
        proc = subprocess.run([sys.executable, "-m", "briefpub", *words[1:]], cwd=tmp_path, env=env, input=stdin,
                              capture_output=True, timeout=600)
        assert proc.returncode == 0, (command, proc.stderr.decode())
