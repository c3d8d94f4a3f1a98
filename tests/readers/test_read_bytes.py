"""read_bytes: a reader's bug is one clean error for that input, and the other inputs still convert."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from briefpub.errors import BriefpubError, ReaderError
from briefpub.pipeline.pack import assemble_pack
from briefpub.readers import READERS, ReadResult, read_bytes
from briefpub.tree import PackMeta
from clirun import run


class _Selective:
    """The text reader, except that an input whose text starts with "BUG" raises ``error``."""

    name = "txt"

    def __init__(self, error: BaseException) -> None:
        self.error = error

    def read(self, data: bytes, *, source: str, base_dir: Path | None) -> ReadResult:
        from briefpub.readers.text import READER

        if data.startswith(b"BUG"):
            raise self.error
        return READER.read(data, source=source, base_dir=base_dir)


@pytest.fixture
def buggy_txt(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(READERS._loaded, "txt", _Selective(ValueError("no such\nkey")))


@pytest.mark.parametrize(
    ("error", "message"),
    [
        (ValueError("no such\nkey"), "a.txt: txt reader failed: ValueError: no such key"),
        (AttributeError("x"), "a.txt: txt reader failed: AttributeError: x"),
        (MemoryError(), "a.txt: txt reader ran out of resources: MemoryError"),
        (RecursionError("deep"), "a.txt: txt reader ran out of resources: RecursionError"),
    ],
)
def test_a_reader_bug_becomes_one_line_with_its_cause(
    monkeypatch: pytest.MonkeyPatch, error: BaseException, message: str
) -> None:
    monkeypatch.setitem(READERS._loaded, "txt", _Selective(error))
    with pytest.raises(ReaderError) as caught:
        read_bytes(b"BUG\n\ntext", source="a.txt", fmt="txt")
    assert str(caught.value) == message and "\n" not in str(caught.value)
    assert caught.value.exit_code == 1 and caught.value.__cause__ is error


def test_briefpub_errors_pass_through_unchanged(buggy_txt: None) -> None:
    with pytest.raises(BriefpubError) as caught:
        read_bytes(b"", source="a.txt", fmt="txt")
    assert not isinstance(caught.value, ReaderError) and caught.value.exit_code == 2


def test_pack_skipping_bad_inputs_skips_a_reader_bug(tmp_path: Path, buggy_txt: None) -> None:
    good, bad = tmp_path / "good.txt", tmp_path / "bad.txt"
    good.write_text("Good headline\n\nGood body.\n")
    bad.write_text("BUG\n\nbody\n")
    assembled = assemble_pack([str(bad), str(good)], PackMeta("P"), skip_bad_inputs=True)
    assert [d.meta.title for d in assembled.publication.documents] == ["Good headline"]
    assert assembled.skipped == [(str(bad), f"{bad}: txt reader failed: ValueError: no such key")]
    with pytest.raises(ReaderError):
        assemble_pack([str(bad), str(good)], PackMeta("P"))


def test_convert_reports_the_bug_and_converts_the_rest(
    tmp_path: Path, buggy_txt: None, capsys: pytest.CaptureFixture[str]
) -> None:
    good, bad = tmp_path / "good.txt", tmp_path / "bad.txt"
    good.write_text("Good headline\n\nGood body.\n")
    bad.write_text("BUG\n\nbody\n")
    code, _, err = run(["convert", "-q", "--to", "json", "--out", str(tmp_path / "out"), str(bad), str(good)], capsys)
    assert code == 1 and "Traceback" not in err
    assert err.strip().splitlines() == [f"error: {bad}: txt reader failed: ValueError: no such key"]
    assert (tmp_path / "out" / "good.json").is_file() and not (tmp_path / "out" / "bad.json").exists()


def test_build_pack_with_skip_bad_inputs_survives_a_reader_bug(
    tmp_path: Path, buggy_txt: None, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    (tmp_path / "a.txt").write_text("Good headline\n\nGood body.\n")
    (tmp_path / "b.txt").write_text("BUG\n\nbody\n")
    manifest = tmp_path / "briefpub.toml"
    manifest.write_text('[build]\nout = "dist"\nformats = ["json"]\n\n'
                        '[[pack]]\ntitle = "P"\ninputs = ["*.txt"]\nskip_bad_inputs = true\n')
    code, out, err = run(["build", "-m", str(manifest), "--json", "--jobs", "1"], capsys)
    assert code == 0, err
    (result,) = json.loads(out)["results"]
    assert result["ok"]
    skipped = [d for d in result["diagnostics"] if d["code"] == "build.article-skipped"]
    assert len(skipped) == 1 and "txt reader failed: ValueError" in skipped[0]["message"]
