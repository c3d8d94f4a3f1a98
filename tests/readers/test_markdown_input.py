"""Markdown reader: decoding, limits, line numbers, images through the pipeline, stdin."""

from __future__ import annotations

import codecs
import json
import subprocess
import sys
from pathlib import Path

import pytest

from briefpub.errors import InputError
from briefpub.readers import read_bytes, read_path
from briefpub.tree import document_words
from samples import outline


def read(text: str | bytes) -> str:
    data = text.encode("utf-8") if isinstance(text, str) else text
    return outline(read_bytes(data, source="note.md", fmt="md").document)


def test_bom_and_crlf() -> None:
    data = codecs.BOM_UTF8 + "---\r\ntitle: Café\r\n---\r\nLine one\r\nline two\r\n".encode()
    assert read(data) == "META title: Café\nP: Line one line two"


def test_windows_1252_is_detected_and_reported() -> None:
    result = read_bytes("“Quoted” café notes for the déjà vu desk.\n".encode("cp1252"), source="n.md", fmt="md")
    assert outline(result.document) == "P: “Quoted” café notes for the déjà vu desk."
    assert "decode.legacy-encoding" in [d.code for d in result.diagnostics]


def test_nesting_beyond_the_parser_limit_is_a_clear_error() -> None:
    with pytest.raises(InputError, match="nested more than"):
        read_bytes((">" * 200 + " deep\n").encode(), source="deep.md", fmt="md")


def test_deep_lists_are_flattened_not_lost() -> None:
    text = "".join("  " * i + "- item " + str(i) + "\n" for i in range(30))
    result = read_bytes(text.encode(), source="deep.md", fmt="md")
    assert document_words(result.document) == [w for i in range(30) for w in ("item", str(i))]


def test_pathological_emphasis_is_fast_and_kept() -> None:
    text = "*" * 20_000 + "a" + "*" * 20_000
    words = document_words(read_bytes(text.encode(), source="x.md", fmt="md").document)
    assert "a" in "".join(words)


def test_diagnostics_point_at_input_lines() -> None:
    text = "---\ntitle: T\n---\n\nFine.\n\nSee [x](javascript:alert(1)).\n\n<script>bad()</script>\n"
    result = read_bytes(text.encode(), source="n.md", fmt="md")
    lines = {d.message: d.line for d in result.diagnostics}
    assert lines["link with an unsafe URL kept as text"] == 7
    assert lines["<script> removed"] == 9


@pytest.mark.parametrize("data", [b"", b"  \n", b"PK\x03\x04zip"])
def test_unreadable_inputs(data: bytes) -> None:
    with pytest.raises(InputError):
        read_bytes(data, source="bad.md", fmt="md")


def test_images_are_loaded_relative_to_the_input(tmp_path: Path) -> None:
    from briefpub.pipeline import load_resources

    (tmp_path / "img").mkdir()
    png = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
    (tmp_path / "img" / "quay.png").write_bytes(png)
    note = tmp_path / "note.md"
    note.write_text("![The quay](img/quay.png)\n\n![Outside](../secret.png)\n", encoding="utf-8")
    doc = read_path(note).document
    doc, resources, diagnostics = load_resources(doc, tmp_path, str(note))
    assert list(resources.values()) == [png]
    assert [d.code for d in diagnostics] == ["reader.image-refused"]


def test_stdin_with_from_md() -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "briefpub", "inspect", "-", "--from", "md", "--json"],
        input=b"---\ntitle: Piped\n---\n# Piped\n\nSome *text*.\n",
        capture_output=True,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr.decode()
    doc = json.loads(proc.stdout)["document"]
    assert doc["meta"]["title"] == "Piped"
    assert [b["type"] for b in doc["blocks"]] == ["paragraph"]


def test_convert_markdown_to_json(tmp_path: Path) -> None:
    note = tmp_path / "note.md"
    note.write_text("---\ntitle: Note\nmarking: OFFICIAL\n---\nBody with a [link](https://x.example).\n")
    proc = subprocess.run(
        [sys.executable, "-m", "briefpub", "convert", str(note), "--to", "json", "--out", str(tmp_path / "out")],
        capture_output=True,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr.decode()
    data = json.loads((tmp_path / "out" / "note.json").read_text(encoding="utf-8"))
    assert data["meta"]["marking"] == "OFFICIAL"
