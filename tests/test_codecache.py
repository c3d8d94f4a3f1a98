"""Compiled dataclass methods from the disk cache: the same classes, a corrupt entry compiled again."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

_CHILD = textwrap.dedent(
    """
    import dataclasses, sys
    if sys.argv[1] == "install":
        from briefpub._codecache import install
        install()
    from briefpub import tree
    from briefpub.styling import load_style
    doc = tree.Document(tree.Meta(title="T", language="en"),
                        (tree.Heading(2, (tree.Text("H"),), "h"), tree.Paragraph((tree.Emphasis((tree.Text("x"),)),))))
    same = tree.Document(tree.Meta(title="T", language="en"),
                         (tree.Heading(2, (tree.Text("H"),), "h"), tree.Paragraph((tree.Emphasis((tree.Text("x"),)),))))
    try:
        doc.meta.title = "changed"
        frozen = "not frozen"
    except dataclasses.FrozenInstanceError as exc:
        frozen = str(exc)
    style = load_style("briefing")
    print(repr(doc), doc == same, hash(doc) == hash(same), hash(doc), frozen, repr(style),
          dataclasses.replace(doc.meta, title="U"), [f.name for f in dataclasses.fields(tree.Meta)])
    compiled = getattr(dataclasses, "exec", None)
    print("NEW", getattr(compiled, "new", None))
    """
)


def run_child(mode: str, cache: Path, **env: str) -> tuple[str, str]:
    out = subprocess.run([sys.executable, "-c", _CHILD, mode], capture_output=True, text=True, check=True,
                         env={**os.environ, "BRIEFPUB_CACHE_DIR": str(cache), "PYTHONHASHSEED": "0", **env}).stdout
    body, _, new = out.rpartition("NEW ")
    return body, new.strip()


def test_classes_from_cached_code_behave_as_compiled_ones(tmp_path: Path) -> None:
    plain, new = run_child("plain", tmp_path)
    assert new == "None" and not (tmp_path / "dataclass-code").exists()
    first, new = run_child("install", tmp_path)
    assert int(new) > 50  # every method compiled, and saved at exit
    assert len(list((tmp_path / "dataclass-code").iterdir())) == 1
    second, new = run_child("install", tmp_path)
    assert new == "0"  # every method from the cache
    assert plain == first == second


def test_a_corrupt_entry_is_compiled_again_and_rewritten(tmp_path: Path) -> None:
    plain, _ = run_child("plain", tmp_path)
    run_child("install", tmp_path)
    (entry,) = (tmp_path / "dataclass-code").iterdir()
    entry.write_bytes(entry.read_bytes()[:-100])
    again, new = run_child("install", tmp_path)
    assert again == plain and int(new) > 50
    assert run_child("install", tmp_path)[1] == "0"


def test_nothing_is_installed_with_the_cache_off(tmp_path: Path) -> None:
    _, new = run_child("install", tmp_path, BRIEFPUB_CACHE="off")
    assert new == "None" and not tmp_path.joinpath("dataclass-code").exists()


def test_an_entry_others_could_write_is_not_run(tmp_path: Path) -> None:
    run_child("install", tmp_path)
    (entry,) = (tmp_path / "dataclass-code").iterdir()
    assert entry.stat().st_mode & 0o077 == 0  # written private
    entry.chmod(0o666)
    assert int(run_child("install", tmp_path)[1]) > 50  # compiled, not loaded
