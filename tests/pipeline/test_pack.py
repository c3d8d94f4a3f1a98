"""Pack file names: letters and digits of every script kept, nothing unsafe, never a silent overwrite."""

from __future__ import annotations

import unicodedata
from pathlib import Path

import pytest

from briefpub.pipeline.pack import NAME_MAX_BYTES, safe_name
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
