"""readers.read_source / read_named: the input checks every local run and ``--server`` client share."""

from __future__ import annotations

from pathlib import Path

import pytest

from briefpub.errors import InputError, UsageError
from briefpub.readers import MAX_INPUT_BYTES, read_named, read_path, read_source


def test_read_source_gives_the_bytes_and_the_name_messages_use(tmp_path: Path) -> None:
    article = tmp_path / "a.txt"
    article.write_bytes(b"Title\n\nBody.\n")
    assert read_source(article) == (b"Title\n\nBody.\n", str(article))
    assert read_source(str(article)) == (b"Title\n\nBody.\n", str(article))


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda p: p, "no such file"),
        (lambda p: (p.mkdir(), p)[1], "is a directory, not an article file"),
        (lambda p: (p.write_bytes(b"x" * (MAX_INPUT_BYTES + 1)), p)[1], "file is too large"),
    ],
)
def test_read_source_refuses_with_one_line_naming_the_file(tmp_path: Path, make, message: str) -> None:  # type: ignore[no-untyped-def]
    path = make(tmp_path / "bad.txt")
    with pytest.raises(InputError, match=f"^{path}: {message}"):
        read_source(path)


def test_read_named_chooses_the_reader_as_read_path_does(tmp_path: Path) -> None:
    article = tmp_path / "note.md"
    article.write_bytes(b"# Heading\n\nSome *text*.\n")
    assert read_named(article.read_bytes(), str(article)).document == read_path(article).document
    with pytest.raises(UsageError, match="--from rtf: unknown input format"):
        read_named(b"x", "x.txt", "rtf")
