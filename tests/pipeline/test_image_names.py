"""Writer diagnostics about images name them as the article did (``pics/broken.png``), never by the
content key the pipeline gave them (``sha256-<hex>.png``): convert, pack and manifest builds."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from briefpub.diagnostics import Diagnostic
from briefpub.pipeline import convert_one
from briefpub.pipeline.resources import name_images
from briefpub.styling import load_style
from clirun import run
from images import png, streamed_png

BUILD = datetime(2024, 5, 6, tzinfo=UTC)


def _article(folder: Path) -> Path:
    pics = folder / "pics"
    pics.mkdir()
    (pics / "broken.png").write_bytes(png(200, 150)[:90])  # truncated after the header
    (pics / "huge.png").write_bytes(streamed_png(20_000, 20_000, grey=True))  # 400 megapixels: refused
    (pics / "fine.png").write_bytes(png())
    article = folder / "a.md"
    article.write_text(
        "# Pictures\n\nSome text.\n\n![A broken one](pics/broken.png)\n\n![A huge one](pics/huge.png)\n\n"
        "![A fine one](pics/fine.png)\n",
        encoding="utf-8",
    )
    return article


@pytest.mark.parametrize("fmt", ["pdf", "epub", "docx"])
def test_convert_names_images_as_written(tmp_path: Path, fmt: str) -> None:
    article = _article(tmp_path)
    report = convert_one(str(article), [fmt], tmp_path / "out", load_style(), build_time=BUILD)
    assert not report.error
    image = [d for d in report.diagnostics if d.code.startswith("writer.image")]
    shown = "\n".join(d.format() for d in image)
    assert "pics/broken.png" in shown and "pics/huge.png" in shown, shown
    assert "sha256-" not in shown
    assert all(d.source == str(article) for d in image), shown


def test_pack_cli_names_images_as_written(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    article = _article(tmp_path)
    other = tmp_path / "b.md"
    other.write_text("# Other\n\nNo pictures here.\n", encoding="utf-8")
    code, _out, err = run(["pack", str(other), str(article), "--title", "P", "-o", str(tmp_path / "out")], capsys)
    assert code == 0, err
    assert "pics/broken.png" in err and "pics/huge.png" in err
    assert "sha256-" not in err
    assert f"{article}: warning" in err


def test_name_images_keeps_unknown_keys_and_other_diagnostics() -> None:
    key, unknown = "sha256-" + "a" * 32 + ".png", "sha256-" + "b" * 32 + ".jpg"
    names = {key: ("a.md", "pics/x.png")}
    diags = [
        Diagnostic("writer.image-missing", f"image {key!r} was not embedded", key),
        Diagnostic("writer.image-missing", "image not embedded", unknown),
        Diagnostic("writer.metadata", "bad", "x", source="s.md"),
    ]
    named = name_images(diags, names)
    assert named[0] == Diagnostic("writer.image-missing", "image 'pics/x.png' was not embedded", "pics/x.png",
                                  source="a.md")
    assert named[1:] == diags[1:]
    assert name_images(diags, {}) == diags


def test_build_report_names_images_as_written(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _article(tmp_path)
    (tmp_path / "briefpub.toml").write_text(
        '[build]\nout = "out"\nformats = ["pdf"]\n[[article]]\ninputs = ["a.md"]\n', encoding="utf-8")
    code, _out, err = run(["build", "-q", "-m", str(tmp_path / "briefpub.toml")], capsys)
    assert code == 0, err
    report = (tmp_path / "out" / "build-report.json").read_text(encoding="utf-8")
    assert "pics/broken.png" in report and "pics/huge.png" in report
    assert "sha256-" not in report
