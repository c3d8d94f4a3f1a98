"""The conversion pipeline: build time, atomic writes, image loading policy."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
from datetime import UTC, datetime
from pathlib import Path

import pytest

from briefpub.errors import UsageError
from briefpub.pipeline import (
    TEMP_SUFFIX,
    atomic_write,
    build_time_from_env,
    convert_one,
    load_resources,
    output_stem,
)
from briefpub.styling import load_style
from briefpub.tree import BlockQuote, Document, Figure, Meta, Text
from images import PNG


def test_build_time_from_source_date_epoch() -> None:
    assert build_time_from_env({"SOURCE_DATE_EPOCH": "1485129600"}) == datetime(2017, 1, 23, tzinfo=UTC)
    now = build_time_from_env({})
    assert now.tzinfo is not None and now.year >= 2024
    with pytest.raises(UsageError, match="SOURCE_DATE_EPOCH"):
        build_time_from_env({"SOURCE_DATE_EPOCH": "yesterday"})


def test_atomic_write_replaces_and_leaves_no_temp(tmp_path: Path) -> None:
    target = tmp_path / "sub" / "a.bin"
    atomic_write(target, b"one")
    atomic_write(target, b"two")
    assert target.read_bytes() == b"two"
    assert sorted(p.name for p in target.parent.iterdir()) == ["a.bin"]
    assert oct(target.stat().st_mode & 0o777) == "0o644"


def test_sigterm_during_write_leaves_no_partial_file(tmp_path: Path) -> None:
    script = textwrap.dedent(
        f"""
        import os, sys, time
        from pathlib import Path
        import briefpub.pipeline as c
        real_fdopen = os.fdopen
        class Slow:
            def __init__(self, fh): self.fh = fh
            def __enter__(self): return self
            def __exit__(self, *a): self.fh.close()
            def write(self, data):
                self.fh.write(data[:10]); self.fh.flush()
                print("writing", flush=True); time.sleep(30)
            def flush(self): pass
            def fileno(self): return self.fh.fileno()
        c.os.fdopen = lambda fd, mode: Slow(real_fdopen(fd, mode))
        with c.cleanup_on_termination():
            c.atomic_write(Path({str(tmp_path)!r}) / "a.pdf", b"x" * 1000)
        """
    )
    with subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True) as proc:
        assert proc.stdout is not None
        assert proc.stdout.readline().strip() == "writing"
        assert any(p.name.endswith(TEMP_SUFFIX) for p in tmp_path.iterdir())
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=20)
    assert proc.returncode == -signal.SIGTERM
    assert list(tmp_path.iterdir()) == []


def test_output_stem() -> None:
    assert output_stem("-") == "stdin"
    assert output_stem("a/b/c.txt") == "c"
    assert output_stem(".hidden") == "hidden"


def _doc(*images: str) -> Document:
    figs = tuple(Figure((Text(f"cap {i}"),), image=img) for i, img in enumerate(images))
    return Document(Meta(title="T"), (*figs, BlockQuote((Figure((Text("q"),), image="pic.png"),))))


def test_load_resources_policy(tmp_path: Path) -> None:
    (tmp_path / "pic.png").write_bytes(PNG)
    (tmp_path / "notes.txt").write_text("secret")
    outside = tmp_path.parent / "outside.png"
    outside.write_bytes(PNG)
    doc = _doc("pic.png", "https://evil.example/x.png", "../outside.png", "/etc/passwd", "missing.png",
               "notes.txt", "data:image/png;base64,AAAA", "pic.png")
    new, resources, diags = load_resources(doc, tmp_path, "a.md")
    keys = [b.image for b in new.blocks if isinstance(b, Figure)]
    assert keys[0].startswith("sha256-") and keys[0].endswith(".png") and keys[0] in resources
    assert keys[1:7] == [""] * 6 and keys[7] == keys[0]
    quote = new.blocks[-1]
    assert isinstance(quote, BlockQuote) and quote.blocks[0].image == keys[0]  # type: ignore[union-attr]
    assert resources[keys[0]] == PNG and len(resources) == 1
    codes = sorted(d.code for d in diags)
    assert codes == ["reader.image-missing"] + ["reader.image-refused"] * 5
    # captions are always kept
    assert [b.caption for b in new.blocks if isinstance(b, Figure)] == [b.caption for b in doc.blocks
                                                                       if isinstance(b, Figure)]


def test_convert_one_json(tmp_path: Path) -> None:
    src = tmp_path / "a.txt"
    src.write_text("Headline\n\nText.\n")
    report = convert_one(str(src), ["json"], tmp_path / "out", load_style(),
                         build_time=datetime(2017, 1, 1, tzinfo=UTC))
    assert [a.path.name for a in report.artifacts] == ["a.json"]
    assert report.artifacts[0].size == (tmp_path / "out" / "a.json").stat().st_size
    assert os.path.getsize(report.artifacts[0].path) > 0


def test_atomic_write_renames_the_complete_file_into_place(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The final path holds the old bytes until the new file is complete; then the very same inode appears."""
    import threading

    import briefpub.pipeline.output as output

    target = tmp_path / "a.pdf"
    target.write_bytes(b"old")
    started, release = threading.Event(), threading.Event()
    real_fdopen = os.fdopen
    renamed: list[tuple[int, int]] = []
    real_replace = os.replace

    class Blocking:
        def __init__(self, fh: object) -> None:
            self.fh = fh

        def __enter__(self) -> Blocking:
            return self

        def __exit__(self, *exc: object) -> None:
            self.fh.close()  # type: ignore[attr-defined]

        def write(self, data: bytes) -> None:
            self.fh.write(data[:3])  # type: ignore[attr-defined]
            started.set()
            release.wait(10)
            self.fh.write(data[3:])  # type: ignore[attr-defined]

        def flush(self) -> None:
            self.fh.flush()  # type: ignore[attr-defined]

        def fileno(self) -> int:
            return int(self.fh.fileno())  # type: ignore[attr-defined]

    def replace(src: str, dst: object) -> None:
        inode = os.stat(src).st_ino
        real_replace(src, dst)  # type: ignore[arg-type]
        renamed.append((inode, os.stat(dst).st_ino))  # type: ignore[arg-type]

    monkeypatch.setattr(output.os, "fdopen", lambda fd, mode: Blocking(real_fdopen(fd, mode)))
    monkeypatch.setattr(output.os, "replace", replace)
    worker = threading.Thread(target=atomic_write, args=(target, b"new content"))
    worker.start()
    assert started.wait(10)
    assert target.read_bytes() == b"old"  # a reader sees the old file while the new one is written
    release.set()
    worker.join(10)
    assert target.read_bytes() == b"new content"
    assert len(renamed) == 1 and renamed[0][0] == renamed[0][1]  # renamed into place, not copied
    assert [p.name for p in tmp_path.iterdir()] == ["a.pdf"]


def test_a_failing_format_does_not_stop_the_others(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The PDF runs first; when it fails the others are still written (without its page starts)."""
    import briefpub.pipeline as pipeline
    from briefpub.errors import ConversionError
    from briefpub.fonts import FontSet
    from briefpub.pipeline import PublishError, publish
    from briefpub.tree import Publication
    from briefpub.writers import WriteResult

    seen_pages = []

    def fake_write(pub: Publication, fmt: str, style: object, options: pipeline.WriteOptions) -> WriteResult:
        if fmt == "pdf":
            raise ConversionError("pdf writer failed: RuntimeError: boom")
        seen_pages.append(options.print_pages)
        return WriteResult(b"{}")

    monkeypatch.setattr(pipeline, "write", fake_write)
    pub = Publication((Document(Meta(title="T")),))
    targets = [("json", tmp_path / "a.json"), ("pdf", tmp_path / "a.pdf")]
    with pytest.raises(PublishError) as info:
        publish(pub, {}, targets, load_style(), build_time=datetime(2020, 1, 1, tzinfo=UTC), fonts=FontSet())
    # FontSet() has no fonts at all: the PDF is refused as a setup problem (exit 2) before its writer runs
    assert info.value.exit_code == 2 and "install fonts-dejavu-core" in str(info.value)
    assert str(info.value).startswith(f"{tmp_path / 'a.pdf'}: no installed font for the body and heading text")
    assert [a.path.name for a in info.value.artifacts] == ["a.json"] and (tmp_path / "a.json").is_file()
    assert not (tmp_path / "a.pdf").exists()

    with pytest.raises(PublishError) as info:  # a writer failure on valid input: exit 1
        publish(pub, {}, targets, load_style(), build_time=datetime(2020, 1, 1, tzinfo=UTC))
    assert info.value.exit_code == 1 and "pdf writer failed: RuntimeError: boom" in str(info.value)
    assert [a.format for a in info.value.artifacts] == ["json"] and seen_pages[-1] == ()


def test_convert_one_reports_a_failed_format_beside_the_written_ones(tmp_path: Path,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    import briefpub.pipeline as pipeline
    from briefpub.errors import ConversionError

    def broken(*args: object) -> None:
        raise ConversionError("pdf writer failed: RuntimeError: boom")

    monkeypatch.setattr(pipeline, "check_pdf_fonts", broken)
    src = tmp_path / "a.txt"
    src.write_text("Headline\n\nText.\n")
    report = convert_one(str(src), ["pdf", "json"], tmp_path / "out", load_style(),
                         build_time=datetime(2017, 1, 1, tzinfo=UTC))
    assert [a.format for a in report.artifacts] == ["json"]
    assert report.exit_code == 1 and "a.pdf: pdf writer failed" in report.error


def test_a_writer_bug_is_one_line_with_its_cause_kept(monkeypatch: pytest.MonkeyPatch) -> None:
    """A writer's unexpected exception, whatever its message, becomes one short line (the traceback stays
    chained for --debug)."""
    import briefpub.pipeline as pipeline
    from briefpub.errors import ConversionError
    from briefpub.tree import Publication

    class Broken:
        def write(self, *args: object) -> None:
            raise RuntimeError("first line\n  second line\t" + "x" * 500)

    monkeypatch.setattr(pipeline, "get_writer", lambda fmt: Broken())
    with pytest.raises(ConversionError) as info:
        pipeline.write(Publication((Document(Meta(title="T")),)), "pdf", load_style(),
                       pipeline.WriteOptions(build_time=datetime(2020, 1, 1, tzinfo=UTC)))
    message = str(info.value)
    assert "\n" not in message and message.startswith("pdf writer failed: RuntimeError: first line second line x")
    assert len(message) < 260 and isinstance(info.value.__cause__, RuntimeError)
