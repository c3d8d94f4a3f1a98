"""``--server URL``: convert and pack on a running server write the bytes a local run writes."""

from __future__ import annotations

import hashlib
import io
import json
import os
from pathlib import Path
from typing import Any

import pytest

from clirun import run
from conftest import ROOT  # type: ignore[attr-defined]

GENEVA = ROOT / "fixtures" / "txt" / "geneva-round.txt"
NOTE = ROOT / "fixtures" / "md" / "analyst-note.md"
PAGE = ROOT / "fixtures" / "html" / "pages" / "blog-wildfire.html"


@pytest.fixture(autouse=True)
def _epoch(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    monkeypatch.delenv("BRIEFPUB_SERVER", raising=False)
    monkeypatch.delenv("BRIEFPUB_TOKEN", raising=False)


def _files(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir()) if not p.name.startswith(".")}


@pytest.mark.parametrize("command", [
    ["convert", str(GENEVA), str(NOTE), str(PAGE), "--set", "marking=OFFICIAL"],
    ["convert", str(NOTE), "--to", "epub,docx", "--style", "plain"],
    ["pack", str(GENEVA), str(NOTE), str(PAGE), "--title", "Morning Briefing", "--marking", "OFFICIAL",
     "--duplex", "--summary-page", "--reference", "R-1"],
])
def test_same_bytes_messages_and_code(serve: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                      command: list[str]) -> None:
    import httpx

    url = serve().url
    local = run([*command, "--out", str(tmp_path / "local")], capsys)
    remote = run([*command, "--out", str(tmp_path / "remote"), "--server", url], capsys)
    served = httpx.get(url + "/healthz").json()["conversions"]
    assert served == (1 if command[0] == "pack" else len(command) - 1 - command.count("--set") * 2 -
                      command.count("--to") * 2 - command.count("--style") * 2)  # the server did the work
    assert remote[0] == local[0] == 0
    assert remote[2].replace("remote", "local") == local[2]  # diagnostics on stderr
    assert remote[1].replace("remote", "local") == local[1]  # the paths written
    assert _files(tmp_path / "remote") == _files(tmp_path / "local")


def test_bad_input_same_error(serve: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    url = serve().url
    for command in (["convert", str(empty)], ["convert", str(tmp_path / "missing.txt")],
                    ["pack", str(GENEVA), str(empty), "--title", "T"], ["convert", str(GENEVA), "--to", "odt"],
                    ["convert", str(GENEVA), "--set", "page.size=Huge"]):
        local = run([*command, "--out", str(tmp_path / "o1")], capsys)
        remote = run([*command, "--out", str(tmp_path / "o2"), "--server", url], capsys)
        assert remote == local, command
        assert local[0] == 2
    assert not (tmp_path / "o2").exists() or not any((tmp_path / "o2").iterdir())


def _sha(folder: Path) -> dict[str, str]:
    return {name: hashlib.sha256(data).hexdigest() for name, data in _files(folder).items()}


def _article_with_images(tmp_path: Path) -> Path:
    """A Markdown article naming images beside it: one there, one in a sub-folder, one missing, one outside
    its folder, one not an image, one remote (not fetched)."""
    from PIL import Image

    folder = tmp_path / "art"
    (folder / "pics").mkdir(parents=True)
    Image.new("RGB", (40, 30), "red").save(folder / "pic.png")
    Image.new("RGB", (30, 40), "blue").save(folder / "pics" / "blue.png")
    Image.new("RGB", (8, 8), "green").save(tmp_path / "outside.png")
    (folder / "notes.txt").write_text("not an image", encoding="utf-8")
    (folder / "a.md").write_text(
        "# Title\n\n![A red box](pic.png)\n\nBody with ![blue](./pics/blue.png) inline.\n\n"
        "![gone](missing.png)\n\n![out](../outside.png)\n\n![txt](notes.txt)\n\n"
        "![web](https://example.com/x.png)\n\n![red again](pic.png)\n", encoding="utf-8")
    return folder / "a.md"


_STYLE = """extends = "base.toml"
[body]
size = "12pt"
"""
_BASE = """extends = "plain"
[page]
size = "Letter"
"""


def _style(tmp_path: Path) -> Path:
    folder = tmp_path / "styles"
    folder.mkdir(exist_ok=True)
    (folder / "base.toml").write_text(_BASE, encoding="utf-8")
    (folder / "my.toml").write_text(_STYLE, encoding="utf-8")
    return folder / "my.toml"


def _manifest_with(folder: Path, article: Path, style: Path) -> Path:
    folder.mkdir(exist_ok=True)
    manifest = folder / "briefpub.toml"
    manifest.write_text(f"""[build]
out = "out"
formats = ["pdf", "epub", "docx"]
style = "{style}"

[[pack]]
title = "Pictures"
inputs = ["{article}", "{GENEVA}"]

[[article]]
inputs = ["{article}"]
""", encoding="utf-8")
    return manifest


@pytest.mark.parametrize("kind", ["convert", "pack", "build"])
def test_style_files_and_images_beside_the_article_go_to_the_server(
        serve: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str], kind: str) -> None:
    """Issue 17: a style sheet file (with its extends chain) and an article's images are sent, not run locally."""
    import httpx

    article, style = _article_with_images(tmp_path), _style(tmp_path)
    url = serve().url
    results = {}
    for where, server in (("here", []), ("served", ["--server", url])):
        if kind == "build":
            out = tmp_path / where / "out"
            command = ["build", "-m", str(_manifest_with(tmp_path / where, article, style)), "--no-cache"]
        else:
            out = tmp_path / where
            command = [kind, str(article), *(["--title", "Pics", str(GENEVA)] if kind == "pack" else []),
                       "--style", str(style), "--out", str(out)]
        results[where] = run([*command, *server], capsys), out
    (local, local_out), (remote, remote_out) = results["here"], results["served"]
    assert httpx.get(url + "/healthz").json()["conversions"] == (6 if kind == "build" else 1)  # all on the server
    assert local[0] == remote[0] == 0
    assert remote[1].replace("served", "here") == local[1]
    if kind == "build":
        built = {n: h for n, h in _sha(local_out).items() if n != "build-report.json"}
        assert {n: h for n, h in _sha(remote_out).items() if n != "build-report.json"} == built
        report = json.dumps(_report(local_out))
        assert "image file not found" in report and "outside the article's folder" in report
        assert json.loads(json.dumps(_report(remote_out)).replace("/served/", "/here/")) == json.loads(report)
    else:
        assert "image file not found" in local[2] and "outside the article's folder" in local[2]
        assert remote[2].replace("served", "here") == local[2]  # the same diagnostics, missing image included
        assert _sha(remote_out) == _sha(local_out)


def test_a_bad_style_file_and_a_missing_image_say_the_same(serve: Any, tmp_path: Path,
                                                           capsys: pytest.CaptureFixture[str]) -> None:
    article = _article_with_images(tmp_path)
    (tmp_path / "bad.toml").write_text('extends = "base.toml"\n[body]\nsize = "huge"\n', encoding="utf-8")
    (tmp_path / "base.toml").write_text('[page]\nsize = "Letter"\n', encoding="utf-8")
    (tmp_path / "broken.toml").write_text('[body\n', encoding="utf-8")
    (tmp_path / "orphan.toml").write_text('extends = "nowhere.toml"\n', encoding="utf-8")
    url = serve().url
    for style in ("bad.toml", "broken.toml", "orphan.toml", "absent.toml", "nosuch"):
        for command in (["convert", str(article)], ["pack", str(article), "--title", "T"]):
            args = [*command, "--style", str(tmp_path / style) if style != "nosuch" else style]
            local = run([*args, "--out", str(tmp_path / "o1")], capsys)
            remote = run([*args, "--out", str(tmp_path / "o2"), "--server", url], capsys)
            assert remote == local and local[0] == 2 and "error:" in local[2], args
    assert not (tmp_path / "o2").exists() or not any((tmp_path / "o2").iterdir())
    (tmp_path / "art" / "pic.png").unlink()  # now missing too: the same warning, the same code
    local = run(["convert", str(article), "--to", "epub", "--out", str(tmp_path / "m1")], capsys)
    remote = run(["convert", str(article), "--to", "epub", "--out", str(tmp_path / "m2"), "--server", url], capsys)
    assert remote[0] == local[0] == 0 and remote[2].replace("m2", "m1") == local[2]
    assert local[2].count("image file not found") >= 2
    assert _sha(tmp_path / "m1") == _sha(tmp_path / "m2")


def test_unreachable_server(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(["convert", str(GENEVA), "--out", str(tmp_path), "--server", "http://127.0.0.1:9"], capsys)
    assert code == 2 and out == "" and err.startswith("error: --server http://127.0.0.1:9: cannot reach")
    code, out, err = run(["convert", str(GENEVA), str(PAGE), "--out", str(tmp_path), "--server",
                          "http://127.0.0.1:9"], capsys)  # asked once, not once per input
    assert code == 2 and out == "" and err.count("cannot reach") == 1 and err.count("\n") == 1
    code, _out, err = run(["convert", str(GENEVA), "--out", str(tmp_path), "--server", "ftp://x"], capsys)
    assert code == 2 and "expected the address" in err
    assert not [p for p in tmp_path.iterdir() if p.suffix in (".pdf", ".epub", ".docx")]


def test_token_from_environment(serve: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                monkeypatch: pytest.MonkeyPatch) -> None:
    url = serve(token="t0k").url
    code, _out, err = run(["convert", str(GENEVA), "--out", str(tmp_path), "--server", url], capsys)
    assert code == 2 and "token" in err
    monkeypatch.setenv("BRIEFPUB_TOKEN", "t0k")
    monkeypatch.setenv("BRIEFPUB_SERVER", url)
    code, _out, _err = run(["convert", str(GENEVA), "--out", str(tmp_path)], capsys)
    assert code == 0 and (tmp_path / "geneva-round.pdf").exists()
    assert os.environ["BRIEFPUB_SERVER"] == url


# ----------------------------------------------------------------------------- briefpub build --server

_MANIFEST = """\
[build]
out = "{out}"
formats = ["pdf", "epub", "docx"]
set = {{ marking = "OFFICIAL" }}

[[pack]]
title = "Morning Briefing"
reference = "MB-1"
duplex = true
summary_page = true
inputs = ["{geneva}", "{note}", "{page}"]

[[pack]]
title = "Patchy pack"
skip_bad_inputs = true
formats = ["pdf", "epub"]
inputs = ["{geneva}", "empty.txt", "missing.txt", "{note}"]

[[article]]
inputs = ["{page}", "empty.txt"]
formats = ["docx", "pdf"]
set = {{ author = "Desk" }}
"""


def _manifest(folder: Path) -> Path:
    """``folder/briefpub.toml`` building into ``folder/out``."""
    folder.mkdir(exist_ok=True)
    (folder / "empty.txt").write_bytes(b"")
    manifest = folder / "briefpub.toml"
    manifest.write_text(_MANIFEST.format(out="out", geneva=GENEVA, note=NOTE, page=PAGE), encoding="utf-8")
    return manifest


def _built(folder: Path) -> dict[str, bytes]:
    return {name: data for name, data in _files(folder).items() if name != "build-report.json"}


def _report(folder: Path) -> dict[str, Any]:
    """The build report but for the times taken."""
    report = json.loads((folder / "build-report.json").read_text(encoding="utf-8"))
    report.pop("seconds")
    for entry in report["results"]:
        entry.pop("seconds")
    return dict(report)


def test_build_on_the_server_writes_what_a_local_build_writes(serve: Any, tmp_path: Path,
                                                               capsys: pytest.CaptureFixture[str]) -> None:
    import httpx

    url = serve().url
    local = run(["build", "-m", str(_manifest(tmp_path / "local")), "--no-cache"], capsys)
    remote = run(["build", "-m", str(_manifest(tmp_path / "remote")), "--no-cache", "--server", url], capsys)
    # 7 artifacts are built by the server: 3 + 2 pack formats, and 2 formats of the readable article
    # (the empty article fails here, reading it, as a local build fails it)
    assert httpx.get(url + "/healthz").json()["conversions"] == 7
    assert local[0] == remote[0] == 1  # the empty article failed, the rest was built
    assert _built(tmp_path / "remote" / "out") == _built(tmp_path / "local" / "out")  # artifacts and SHA256SUMS
    remote_report = json.dumps(_report(tmp_path / "remote" / "out")).replace("/remote/", "/local/")
    assert json.loads(remote_report) == _report(tmp_path / "local" / "out")  # but the folder's name
    strip = [line.split(" (")[0] for line in local[2].splitlines()]
    assert [line.split(" (")[0] for line in remote[2].replace("remote", "local").splitlines()] == strip
    report = _report(tmp_path / "local" / "out")
    skipped = [d for r in report["results"] if r["id"].startswith("pack:patchy") for d in r["diagnostics"]
               if d["code"] == "build.article-skipped"]
    assert [d["source"].rsplit("/", 1)[-1] for d in skipped] == ["empty.txt", "missing.txt"] * 2


def test_build_on_the_server_restores_cached_artifacts_without_asking_it(
        serve: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    import httpx

    url = serve().url
    cached = {}
    for where, server in (("local", []), ("remote", ["--server", url])):
        monkeypatch.setenv("BRIEFPUB_BUILD_CACHE_DIR", str(tmp_path / where / "cache"))
        manifest = _manifest(tmp_path / where)
        first = run(["build", "-m", str(manifest), *server], capsys)
        built = _built(tmp_path / where / "out")
        served = httpx.get(url + "/healthz").json()["conversions"]
        second = run(["build", "-m", str(manifest), *server], capsys)
        assert first[0] == second[0] == 1
        assert _built(tmp_path / where / "out") == built
        report = _report(tmp_path / where / "out")
        cached[where] = [r["id"] for r in report["results"] if r["cached"]]
        rebuilt = [r["id"] for r in report["results"] if r["ok"] and not r["cached"]]
        # the server is asked for what is rebuilt, nothing else (a pack naming a missing input is
        # never cached, as in a local build)
        assert httpx.get(url + "/healthz").json()["conversions"] - served == (len(rebuilt) if server else 0)
    assert cached["remote"] == cached["local"] and len(cached["local"]) == 5


def test_build_with_an_unreachable_server_is_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    manifest = _manifest(tmp_path)
    code, out, err = run(["build", "-m", str(manifest), "--server", "http://127.0.0.1:9"], capsys)
    assert code == 2 and out == ""
    assert err.startswith("error: --server http://127.0.0.1:9: cannot reach the server") and err.count("\n") == 1
    assert not (tmp_path / "out").exists()


def test_pack_built_by_the_server_is_cached_here(serve: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    import httpx

    monkeypatch.setenv("BRIEFPUB_BUILD_CACHE_DIR", str(tmp_path / "cache"))
    url = serve().url
    command = ["pack", str(GENEVA), str(PAGE), "--title", "T", "--out", str(tmp_path / "out"), "--server", url]
    assert run(command, capsys)[0] == 0
    written = _files(tmp_path / "out")
    code, out, _err = run([*command, "--json"], capsys)
    assert code == 0 and all(o["cached"] for o in json.loads(out)["outputs"])
    assert httpx.get(url + "/healthz").json()["conversions"] == 1  # the second came from the cache
    assert _files(tmp_path / "out") == written


def test_a_pack_on_the_server_reports_each_file_as_it_is_written(serve: Any, tmp_path: Path) -> None:
    """The progress of `pack --server` advances per format, as a local pack's does (publish's FileWriter)."""
    from datetime import UTC, datetime

    from briefpub.serve.client import remote_pack

    url = serve().url
    targets = [(fmt, tmp_path / f"p.{fmt}") for fmt in ("pdf", "epub", "docx")]
    seen: list[str] = []
    result = remote_pack(url, [str(GENEVA), str(PAGE)], {"title": "T"}, targets, style=None, sets=[], fmt=None,
                         build_time=datetime(2020, 1, 1, tzinfo=UTC), fetch_images=False,
                         on_artifact=lambda a: seen.append(a.format))
    assert result is not None
    assert sorted(seen) == ["docx", "epub", "pdf"] and seen[0] == "pdf"
    assert [a.format for a in result[1]] == ["pdf", "epub", "docx"] and all(p.is_file() for _f, p in targets)


def test_a_url_and_fetched_images_are_read_here_and_converted_there(
        serve: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    """An article named by URL, with --fetch-images: this side fetches (as a local run does) and the server
    converts; the server fetches nothing."""
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    from PIL import Image

    from briefpub.pipeline import fetch

    buffer = io.BytesIO()
    Image.new("RGB", (30, 20), "purple").save(buffer, "PNG")
    hits: list[str] = []

    class Site(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            hits.append(self.path)
            host = f"http://127.0.0.1:{self.server.server_address[1]}"
            body, kind = {"/news/story.md": (f"# A story\n\n![purple]({host}/pic.png)\n\nText.\n".encode(),
                                             "text/markdown"),
                          "/pic.png": (buffer.getvalue(), "image/png")}.get(self.path, (b"", ""))
            self.send_response(200 if body else 404)
            self.send_header("Content-Type", kind or "text/plain")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: Any) -> None:
            pass

    site = ThreadingHTTPServer(("127.0.0.1", 0), Site)
    threading.Thread(target=site.serve_forever, daemon=True).start()
    monkeypatch.setattr(fetch, "address_allowed", lambda address: True)  # let this test reach the loopback
    try:
        url = f"http://127.0.0.1:{site.server_address[1]}/news/story.md"
        server = serve().url
        local = run(["convert", url, "--fetch-images", "--out", str(tmp_path / "here")], capsys)
        assert hits == ["/news/story.md", "/pic.png"]
        remote = run(["convert", url, "--fetch-images", "--out", str(tmp_path / "served"), "--server", server],
                     capsys)
    finally:
        site.shutdown()
        site.server_close()
    assert hits == ["/news/story.md", "/pic.png"] * 2  # fetched here, once each, as locally; never by the server
    assert local[0] == remote[0] == 0 and remote[1].replace("served", "here") == local[1]
    assert remote[2] == local[2]
    assert _sha(tmp_path / "served") == _sha(tmp_path / "here") and len(_sha(tmp_path / "here")) == 3
    import httpx

    assert httpx.get(server + "/healthz").json()["conversions"] == 1  # converted there, not here
