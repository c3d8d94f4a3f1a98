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


# ----------------------------------------------------------------------------- hostile front matter and raw HTML


@pytest.mark.parametrize(
    ("line", "kind", "kept"),
    [
        ("date: 2020-13-45", "timestamp", "META date: 2020-13-45"),
        ("date: 2020-02-30", "timestamp", "META date: 2020-02-30"),
        ("date: 2001-12-14t21:59:43+99:00", "timestamp", "META date: 2001-12-14t21:59:43+99:00"),
        ("date: 0000-01-01", "timestamp", "META date: 0000-01-01"),
        ("flag: !!bool maybe", "bool", "META extras: flag=maybe"),
        ("count: !!int abc", "int", "META extras: count=abc"),
        ("ratio: !!float abc", "float", "META extras: ratio=abc"),
        ("when: !!timestamp x", "timestamp", "META extras: when=x"),
        ("blob: !!binary '@@@ not base64 @'", "binary", "META extras: blob=@@@ not base64 @"),
        ("serial: " + "9" * 5000, "int", "META extras: serial=" + "9" * 5000),
    ],
)
def test_invalid_typed_scalar_is_reported_and_kept_as_text(line: str, kind: str, kept: str) -> None:
    result = read_bytes(f"---\ntitle: T\n{line}\n---\n\nBody text.\n".encode(), source="note.md", fmt="md")
    assert kept in outline(result.document).splitlines()
    (note,) = [d for d in result.diagnostics if d.code == "reader.metadata"]
    assert note.message == f"front matter line 3: not a valid {kind}: kept as text" and note.line == 3


@pytest.mark.parametrize(
    ("front", "problem"),
    [
        ("x: !!python/object/apply:os.system ['echo hi']", "could not determine a constructor"),
        ("x: !!python/name:os.system", "could not determine a constructor"),
        ("a: &a [x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\n"
         "c: [*b, *b, *b, *b, *b, *b, *b, *b, *b]", "aliases are not allowed"),
        ("x: " + "[" * 5000, "not valid YAML"),
    ],
)
def test_dangerous_front_matter_is_reported_and_ignored(front: str, problem: str) -> None:
    result = read_bytes(f"---\n{front}\n---\n\nBody text.\n".encode(), source="note.md", fmt="md")
    assert outline(result.document) == "P: Body text."
    assert any(d.code == "reader.metadata" and problem in d.message for d in result.diagnostics)


def test_control_character_in_a_raw_html_attribute_name() -> None:
    result = read_bytes(b'# T\n\n<div a\x01b="x" \x02="y">kept text</div>\n\nafter\n', source="n.md", fmt="md")
    assert outline(result.document) == "META title: T\nP: kept text\nP: after"
    assert any(d.code == "text.invalid-character" and "U+0001" in d.message for d in result.diagnostics)


@pytest.mark.parametrize("tag", ["embed", "keygen", "param", "source", "track", "wbr", "bgsound", "base", "basefont",
                                 "frame", "command", "nextid", "isindex", "area", "col", "input", "link", "meta"])
def test_void_html_elements_keep_what_follows(tag: str) -> None:
    text = f"# T\n\nInline <{tag} src=x> text after.\n\n<div><{tag} src=y><p>In a block.</p> tail</div>\n\nNext.\n"
    assert read(text) == "META title: T\nP: Inline text after.\nP: In a block.\nP: tail\nP: Next."


def test_control_characters_in_front_matter_are_removed_and_reported() -> None:
    result = read_bytes(b"---\ntitle: Ferry\x15 trial\x1a\n---\n\nBody.\n", source="n.md", fmt="md")
    assert outline(result.document) == "META title: Ferry trial\nP: Body."
    assert [d.code for d in result.diagnostics] == ["text.invalid-character"]
