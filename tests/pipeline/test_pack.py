"""Packs (pipeline/pack.py): file names keep letters and digits of every script, nothing unsafe, never a
silent overwrite; the pack's title and its articles' blocks in all are limited."""

from __future__ import annotations

import unicodedata
from pathlib import Path

import pytest

from briefpub.errors import InputError
from briefpub.pipeline import pack as pack_module
from briefpub.pipeline.pack import NAME_MAX_BYTES, assemble_pack, safe_name
from briefpub.readers.common.limits import MAX_TITLE_CHARS
from briefpub.tree import PackMeta
from clirun import run


@pytest.mark.parametrize(
    ("title", "name"),
    [
        ("Daily Pack / ../ Test", "daily-pack-test"),
        ("Утренний брифинг", "утренний-брифинг"),
        ("每日简报", "每日简报"),
        ("أخبار اليوم", "أخبار-اليوم"),
        ("नमस्ते दुनिया", "नमस्ते-दुनिया"),  # vowel signs (combining marks) kept
        ("Ελληνικά: 2026", "ελληνικά-2026"),
        ("Cafe\u0301 du matin", "café-du-matin"),  # NFC
        ("..\\..\\etc\\passwd", "etc-passwd"),
        ("  .hidden. name. ", "hidden-name"),
        ("a\u200bb\u202ec\x00d\x1fe", "abc-d-e"),  # format characters vanish, controls separate
        ("CON", "con-pack"),
        ("lpt1", "lpt1-pack"),
        ("???", "pack"),
    ],
)
def test_safe_name(title: str, name: str) -> None:
    assert safe_name(title) == name


def test_safe_name_is_capped_in_utf8_bytes_on_a_character_boundary() -> None:
    for title in ("x" * 300, "日本" * 100, "Ж" * 200, "नमस्ते" * 40):
        name = safe_name(title)
        data = name.encode("utf-8")
        assert 0 < len(data) <= NAME_MAX_BYTES
        assert data.decode("utf-8") == name
        assert unicodedata.category(name[-1])[0] in "LN"


def test_pack_keeps_a_non_latin_title_in_the_file_name(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "a.txt").write_text("Headline\n\nText.\n")
    out = tmp_path / "out"
    for title in ("Утренний брифинг", "每日简报"):
        code, stdout, err = run(["pack", str(tmp_path / "a.txt"), "--title", title, "-t", "json", "-o", str(out)],
                                capsys)
        assert code == 0, err
    assert sorted(p.name for p in out.iterdir()) == sorted(["утренний-брифинг.json", "每日简报.json"])


@pytest.mark.parametrize(("args", "option"), [(["--title", "???"], "--title"), (["--title", "T", "--name", "/."],
                                                                                   "--name")])
def test_pack_refuses_a_title_with_nothing_to_name_the_file(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                            args: list[str], option: str) -> None:
    (tmp_path / "a.txt").write_text("Headline\n\nText.\n")
    code, out, err = run(["pack", str(tmp_path / "a.txt"), *args, "-t", "json", "-o", str(tmp_path / "out")], capsys)
    assert code == 2 and out == ""
    assert err.startswith(f"error: {option} ") and "give --name" in err and err.count("\n") == 1
    assert not (tmp_path / "out").exists()


def articles(tmp_path: Path, count: int, paragraphs: int) -> list[str]:
    paths = []
    for n in range(count):
        path = tmp_path / f"a{n}.md"
        path.write_text(f"# Article {n}\n\n" + "".join(f"Paragraph {i}.\n\n" for i in range(paragraphs)))
        paths.append(str(path))
    return paths


def test_a_pack_over_the_block_limit_names_the_article_that_crosses_it(tmp_path, monkeypatch):
    monkeypatch.setattr(pack_module, "MAX_PACK_BLOCKS", 25)
    paths = articles(tmp_path, 3, 10)
    assert len(assemble_pack(paths[:2], PackMeta("P")).publication.documents) == 2  # 20 blocks
    with pytest.raises(InputError, match=rf"^{paths[2]}: the pack reaches 30 blocks with this article "
                                         r"\(the limit for a pack is 25\)"):
        assemble_pack(paths, PackMeta("P"), skip_bad_inputs=True)  # not a bad article: refused anyway


def test_an_overlong_pack_title_is_one_clear_line(tmp_path, capsys):
    paths = articles(tmp_path, 1, 2)
    code, _out, err = run(["pack", "-q", "--title", "t" * (MAX_TITLE_CHARS + 1), "-o", str(tmp_path / "out"),
                           *paths], capsys)
    assert code == 2
    assert err.strip() == (f"error: pack title: a title of {MAX_TITLE_CHARS + 1:,} characters (the limit is "
                           f"{MAX_TITLE_CHARS:,}): this does not look like a headline")
    assert not (tmp_path / "out").exists() or not list((tmp_path / "out").iterdir())


def test_an_overlong_title_set_on_the_command_line_is_refused(tmp_path, capsys):
    paths = articles(tmp_path, 1, 2)
    code, _out, err = run(["convert", "-q", "--set", "title=" + "t" * (MAX_TITLE_CHARS + 1), "-o",
                           str(tmp_path / "out"), *paths], capsys)
    assert code == 2 and err.strip().startswith(f"error: --set title: a title of {MAX_TITLE_CHARS + 1:,} characters")
