"""The HTTP API of ``briefpub serve``: every endpoint, every bad input, the security checks."""

from __future__ import annotations

import base64
import io
import json
import re
import threading
import zipfile
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from briefpub.pipeline import convert_one
from briefpub.pipeline.pack import assemble_pack
from briefpub.styling import load_style
from briefpub.tree import PackMeta
from conftest import ROOT  # type: ignore[attr-defined]
from shared_data import require_shared

GENEVA = ROOT / "fixtures" / "txt" / "geneva-round.txt"
NOTE = ROOT / "fixtures" / "md" / "analyst-note.md"
HOSTILE = ROOT / "fixtures" / "html" / "hostile-page.html"
EPOCH = "1700000000"


@pytest.fixture(autouse=True)
def _epoch(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)


def _csrf(client: Any) -> str:
    page = client.get("/")
    assert page.status_code == 200
    found = re.search(r'name="csrf-token" content="([0-9a-f]+)"', page.text)
    assert found
    return found.group(1)


# ----------------------------------------------------------------------------- read-only endpoints


def test_healthz_formats_styles(serve: Any) -> None:
    with serve().client() as c:
        health = c.get("/healthz").json()
        assert health["status"] == "ok" and health["workers"] >= 1
        names = {(r["kind"], r["name"]) for r in c.get("/api/formats").json()}
        assert {("input", "txt"), ("input", "md"), ("input", "html"), ("output", "pdf"), ("output", "epub"),
                ("output", "docx")} <= names
        styles = c.get("/api/styles").json()
        assert any(s["name"] == "briefing" and s["default"] for s in styles)


def test_openapi_describes_every_route(serve: Any) -> None:
    from starlette.routing import Route

    run = serve()
    with run.client() as c:
        spec = c.get("/openapi.json").json()
    assert spec["openapi"].startswith("3.1")
    served = {(r.path, m.lower()) for r in run.app.routes if isinstance(r, Route) for m in (r.methods or ())
              if m not in ("HEAD",)}
    described = {(p, m) for p, ops in spec["paths"].items() for m in ops}
    served.discard(("/", "get"))  # the page, not the API
    assert served == described
    convert = spec["paths"]["/api/convert"]["post"]
    multipart = convert["requestBody"]["content"]["multipart/form-data"]["schema"]["properties"]
    assert {"image", "images", "style_sheets"} <= set(multipart)  # what --server clients send
    assert "style_sheets" in convert["requestBody"]["content"]["application/json"]["schema"]["allOf"][1]["properties"]
    pack = spec["paths"]["/api/pack"]["post"]
    assert {"request", "image"} <= set(pack["requestBody"]["content"]["multipart/form-data"]["schema"]["properties"])
    assert "style_sheets" in pack["requestBody"]["content"]["application/json"]["schema"]["properties"]
    assert all(p["name"] == "ask_images" for op in (convert, pack) for p in op["parameters"])
    assert "ImagesFound" in spec["components"]["schemas"]


def test_page_has_csp_and_no_inline_script(serve: Any) -> None:
    with serve().client() as c:
        page = c.get("/")
    csp = page.headers["content-security-policy"]
    assert "default-src 'self'" in csp and "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", page.text)  # every script is a file
    assert "bp_sid" in page.headers["set-cookie"] and "samesite=strict" in page.headers["set-cookie"].lower()
    assert page.headers["x-content-type-options"] == "nosniff"


# ----------------------------------------------------------------------------- convert


def test_convert_multipart_gives_the_cli_bytes(serve: Any, tmp_path: Path) -> None:
    """The warm worker writes exactly what a cold ``briefpub convert`` writes."""
    report = convert_one(str(GENEVA), ["pdf", "epub", "docx"], tmp_path, load_style(None))
    with serve().client() as c:
        r = c.post("/api/convert", files={"file": (GENEVA.name, GENEVA.read_bytes(), "text/plain")},
                   data={"format": ["pdf", "epub", "docx"], "source": str(GENEVA)},
                   headers={"Accept": "application/json"})
        assert r.status_code == 200, r.text
        outputs = r.json()["outputs"]
        assert [o["filename"] for o in outputs] == ["geneva-round.pdf", "geneva-round.epub", "geneva-round.docx"]
        for artifact, out in zip(report.artifacts, outputs, strict=True):
            assert base64.b64decode(out["data"]) == artifact.path.read_bytes(), artifact.format
            assert out["sha256"] == artifact.sha256
        pdf = c.post("/api/convert", files={"file": (GENEVA.name, GENEVA.read_bytes(), "text/plain")})
        assert pdf.content == report.artifacts[0].path.read_bytes()  # one format: the file itself
        assert pdf.headers["content-disposition"] == 'attachment; filename="geneva-round.pdf"'


def test_convert_json_report_with_diagnostics(serve: Any) -> None:
    with serve().client() as c:
        r = c.post("/api/convert", json={"text": GENEVA.read_text(encoding="utf-8"), "filename": "g.txt",
                                         "format": ["pdf", "docx"], "set": {"marking": "OFFICIAL"}},
                   headers={"Accept": "application/json"})
    body = r.json()
    assert r.status_code == 200 and body["ok"]
    assert [o["format"] for o in body["outputs"]] == ["pdf", "docx"]
    assert base64.b64decode(body["outputs"][0]["data"]).startswith(b"%PDF")
    assert any(d["code"].startswith("reader.") for d in body["diagnostics"])


def test_convert_several_formats_as_a_zip(serve: Any) -> None:
    with serve().client() as c:
        r = c.post("/api/convert", files={"file": ("note.md", NOTE.read_bytes(), "text/markdown")},
                   data={"format": "pdf,epub"})
    assert r.status_code == 200 and r.headers["content-type"] == "application/zip"
    assert sorted(zipfile.ZipFile(io.BytesIO(r.content)).namelist()) == ["note.epub", "note.pdf"]


def test_reference_article(serve: Any) -> None:
    ref = require_shared()
    with serve().client() as c:
        r = c.post("/api/inspect", files={"file": (ref.name, ref.read_bytes(), "text/plain")})
    info = r.json()
    assert r.status_code == 200 and info["title"] and info["paragraphs"] > 3


@pytest.mark.parametrize(
    ("kwargs", "status", "code"),
    [
        ({"json": {"text": "", "filename": "empty.txt"}}, 422, "input"),
        ({"json": {"text": "   \n\n", "filename": "blank.txt"}}, 422, "input"),
        ({"files": {"file": ("x.png", b"\x89PNG\r\n\x1a\n" + b"\0" * 64, "image/png")}}, 415, "media-type"),
        ({"files": {"file": ("x.txt", b"\x89PNG\r\n\x1a\n" + b"\0" * 64, "text/plain")}}, 422, "input"),
        ({"content": b"plain words", "headers": {"Content-Type": "text/plain"}}, 415, "media-type"),
        ({"content": b"{not json", "headers": {"Content-Type": "application/json"}}, 400, "usage"),
        ({"json": ["a list"]}, 400, "usage"),
        ({"json": {"filename": "x.txt"}}, 400, "usage"),
        ({"json": {"data": "%%%", "filename": "x.txt"}}, 400, "usage"),
        ({"json": {"text": "Title\n\nBody.", "format": "odt"}}, 400, "unknown-format"),
        # a sheet file not sent is not found (the server reads no file a request names)
        ({"json": {"text": "Title\n\nBody.", "style": "../../etc/passwd"}}, 400, "style"),
        ({"json": {"text": "Title\n\nBody.", "from": "rtf"}}, 400, "usage"),
        ({"json": {"text": "Title\n\nBody.", "set": ["nonsense"]}}, 400, "usage"),
        ({"json": {"text": "Title\n\nBody.", "set": {"page.size": "Huge"}}}, 400, "style"),
        ({"data": {"format": "pdf"}, "files": {"other": ("x.txt", b"a", "text/plain")}}, 400, "usage"),
    ],
)
def test_convert_bad_input(serve: Any, kwargs: dict[str, Any], status: int, code: str) -> None:
    with serve().client() as c:
        r = c.post("/api/convert", **kwargs)
    assert r.status_code == status, r.text
    error = r.json()["error"]
    assert error["code"] == code and error["message"] and "\n" not in error["message"]
    assert error["exit_code"] == 2


def test_oversized_article_and_body(serve: Any) -> None:
    run = serve(max_file_bytes=1000, max_body_bytes=20_000)
    with run.client() as c:
        r = c.post("/api/convert", json={"text": "Title\n\n" + "word " * 400, "filename": "big.txt"})
        assert r.status_code == 413 and r.json()["error"]["code"] == "too-large"
        r = c.post("/api/convert", files={"file": ("big.txt", b"word " * 400, "text/plain")})
        assert r.status_code == 413
        r = c.post("/api/convert", content=b"x" * 30_000, headers={"Content-Type": "application/json"})
        assert r.status_code == 413

        def chunks() -> Any:  # no Content-Length: counted while read
            for _ in range(30):
                yield b"x" * 1000

        r = c.post("/api/convert", content=chunks(), headers={"Content-Type": "application/json"})
        assert r.status_code == 413


def test_hostile_html_fetches_nothing_runs_nothing(serve: Any) -> None:
    hits: list[str] = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            hits.append(self.path)
            self.send_response(404)
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    spy = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=spy.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{spy.server_address[1]}"
    page = HOSTILE.read_text(encoding="utf-8").replace("https://evil.example", base)
    page = page.replace("</article>", f'<img src="{base}/img.png" alt="x"><iframe src="{base}/frame"></iframe>'
                                      "</article>")
    try:
        with serve().client() as c:
            r = c.post("/api/convert", json={"text": page, "filename": "hostile.html", "format": ["epub", "pdf"]},
                       headers={"Accept": "application/json"})
    finally:
        spy.shutdown()
        spy.server_close()
    assert r.status_code == 200, r.text
    body = r.json()
    assert hits == []
    assert any(d["code"] == "reader.active-content" for d in body["diagnostics"])
    epub = zipfile.ZipFile(io.BytesIO(base64.b64decode(body["outputs"][0]["data"])))
    xhtml = b"".join(epub.read(n) for n in epub.namelist() if n.endswith(".xhtml")).lower()
    assert b"<script" not in xhtml and b"javascript:" not in xhtml and b"onload" not in xhtml


# ----------------------------------------------------------------------------- pack


def test_pack_gives_the_cli_bytes(serve: Any, tmp_path: Path) -> None:
    import datetime as dt

    from briefpub.pipeline import publish
    from briefpub.pipeline.pack import cover_date

    when = dt.datetime.fromtimestamp(int(EPOCH), tz=dt.UTC)
    meta = PackMeta(title="Morning Briefing", marking="OFFICIAL", reference="REF-1", date=cover_date(when))
    assembled = assemble_pack([str(GENEVA), str(NOTE)], meta)
    targets = [(f, tmp_path / f"morning-briefing.{f}") for f in ("pdf", "epub", "docx")]
    publish(assembled.publication, assembled.resources, targets, load_style(None), build_time=when)
    articles = [{"text": p.read_text(encoding="utf-8"), "filename": p.name, "source": str(p)} for p in (GENEVA, NOTE)]
    with serve().client() as c:
        r = c.post("/api/pack", json={"pack": {"title": "Morning Briefing", "marking": "OFFICIAL",
                                               "reference": "REF-1"}, "articles": articles},
                   headers={"Accept": "application/json"})
    body = r.json()
    assert r.status_code == 200 and body["articles"] == 2
    for out, (_fmt, path) in zip(body["outputs"], targets, strict=True):
        assert base64.b64decode(out["data"]) == path.read_bytes(), out["format"]


@pytest.mark.parametrize(
    ("payload", "status", "code"),
    [
        ({"pack": {"title": "T"}, "articles": []}, 400, "usage"),
        ({"pack": {"title": " "}, "articles": [{"text": "A\n\nB."}]}, 400, "usage"),
        ({"articles": [{"text": "A\n\nB."}]}, 400, "usage"),
        ({"pack": {"title": "T"}, "articles": [{"text": ""}]}, 422, "input"),
        ({"pack": {"title": "T", "duplex": "yes"}, "articles": [{"text": "A\n\nB."}]}, 400, "usage"),
        ({"pack": {"title": 5}, "articles": [{"text": "A\n\nB."}]}, 400, "usage"),
        ({"pack": {"title": "T", "colour": "red"}, "articles": [{"text": "A\n\nB."}]}, 400, "usage"),
        ({"pack": {"title": "T"}, "articles": [{"text": "A\n\nB."}] * 4}, 413, "too-many-articles"),
    ],
)
def test_pack_bad_input(serve: Any, payload: dict[str, Any], status: int, code: str) -> None:
    with serve(max_articles=3).client() as c:
        r = c.post("/api/pack", json=payload)
    assert r.status_code == status and r.json()["error"]["code"] == code, r.text


def test_pack_skipping_bad_inputs_reports_them_in_place(serve: Any) -> None:
    good = {"text": GENEVA.read_text(encoding="utf-8"), "filename": GENEVA.name, "source": "a/geneva.txt"}
    articles = [good, {"data": "", "filename": "e.txt", "source": "a/e.txt"},
                {"source": "a/gone.txt", "error": "a/gone.txt: no such file"}]
    with serve().client() as c:
        r = c.post("/api/pack", json={"pack": {"title": "T"}, "articles": articles, "skip_bad_inputs": True},
                   headers={"Accept": "application/json"})
        body = r.json()
        assert r.status_code == 200 and body["articles"] == 1, r.text
        skipped = [(d["source"], d["message"]) for d in body["diagnostics"] if d["code"] == "build.article-skipped"]
        assert skipped == [("a/e.txt", "article left out of the pack: a/e.txt: file is empty"),
                           ("a/gone.txt", "article left out of the pack: a/gone.txt: no such file")]
        # without skip_bad_inputs, the first unreadable input fails the pack with its own message
        r = c.post("/api/pack", json={"pack": {"title": "T"}, "articles": [good, articles[2]]})
        assert r.status_code == 422 and r.json()["error"]["message"] == "a/gone.txt: no such file"
        r = c.post("/api/pack", json={"pack": {"title": "T"}, "articles": [good], "skip_bad_inputs": "yes"})
        assert r.status_code == 400


def test_pack_needs_json_or_multipart_with_a_request_part(serve: Any) -> None:
    with serve().client() as c:
        r = c.post("/api/pack", content=b"A\n\nB.", headers={"Content-Type": "text/plain"})
        assert r.status_code == 415
        r = c.post("/api/pack", files={"file": ("a.txt", b"A\n\nB.", "text/plain")})
        assert r.status_code == 400 and "request" in r.json()["error"]["message"]


# ----------------------------------------------------------------------------- security


def test_token_required_off_loopback_and_checked(serve: Any) -> None:
    run = serve(token="s3cret")
    with run.client() as c:
        assert c.get("/healthz").status_code == 200
        assert c.get("/api/drafts").status_code == 401
        assert c.get("/api/drafts", headers={"Authorization": "Bearer wrong"}).status_code == 401
        r = c.post("/api/convert", json={"text": "A\n\nB."}, headers={"Authorization": "Bearer wrong"})
        assert r.status_code == 401 and r.json()["error"]["code"] == "auth"
        assert c.get("/api/drafts", headers={"Authorization": "Bearer s3cret"}).status_code == 200
        # the page signs in with the token, then uses its session and CSRF token
        csrf = _csrf(c)
        assert c.get("/api/session").json() == {"token_needed": True, "signed_in": False}
        bad = c.post("/api/session", json={"token": "nope"}, headers={"X-CSRF-Token": csrf})
        assert bad.status_code == 401
        ok = c.post("/api/session", json={"token": "s3cret"}, headers={"X-CSRF-Token": csrf})
        assert ok.status_code == 200
        assert c.get("/api/drafts").status_code == 200
        assert c.post("/api/drafts", headers={"X-CSRF-Token": csrf}).status_code == 201


def test_csrf(serve: Any) -> None:
    with serve().client() as c:
        csrf = _csrf(c)  # now a browser session (cookie): the CSRF token is required
        assert c.post("/api/drafts").status_code == 403
        assert c.post("/api/drafts", headers={"X-CSRF-Token": "0" * 64}).status_code == 403
        r = c.post("/api/drafts", headers={"X-CSRF-Token": csrf, "Origin": "http://evil.example"})
        assert r.status_code == 403 and r.json()["error"]["code"] == "csrf"
        r = c.post("/api/drafts", headers={"X-CSRF-Token": csrf, "Sec-Fetch-Site": "cross-site"})
        assert r.status_code == 403
        own = c.base_url.scheme + "://" + c.base_url.netloc.decode()
        r = c.post("/api/drafts", headers={"X-CSRF-Token": csrf, "Origin": own, "Sec-Fetch-Site": "same-origin"})
        assert r.status_code == 201
    with serve().client() as plain:  # no cookie, no Origin: a script on the loopback
        assert plain.post("/api/drafts").status_code == 201
        assert plain.post("/api/drafts", headers={"Origin": "http://evil.example"}).status_code == 403


def test_host_header_must_be_loopback(serve: Any) -> None:
    with serve().client() as c:
        r = c.get("/api/drafts", headers={"Host": "evil.example"})
        assert r.status_code == 400 and r.json()["error"]["code"] == "bad-host"
        assert c.get("/api/drafts", headers={"Host": "localhost:8000"}).status_code == 200


def test_unknown_paths_are_json_404(serve: Any) -> None:
    with serve().client() as c:
        assert c.get("/nope").json()["error"]["code"] == "not-found"
        assert c.get("/static/../../etc/passwd").status_code == 404
        assert c.get("/api/builds/../../x").status_code == 404
        assert c.delete("/api/convert").status_code == 405


# ----------------------------------------------------------------------------- drafts


def _new_draft(c: Any) -> dict[str, Any]:
    r = c.post("/api/drafts", json={"settings": {"title": "Morning pack"}})
    assert r.status_code == 201
    return dict(r.json())


def _wait(c: Any, build_id: str) -> dict[str, Any]:
    import time

    for _ in range(600):
        state = c.get(f"/api/builds/{build_id}").json()
        if state["status"] not in ("queued", "running"):
            return dict(state)
        time.sleep(0.1)
    raise AssertionError("build did not finish")


def test_draft_lifecycle_and_restart(serve: Any, tmp_path: Path) -> None:
    data = tmp_path / "drafts"
    run = serve(data=data)
    with run.client() as c:
        draft = _new_draft(c)
        did = draft["id"]
        r = c.post(f"/api/drafts/{did}/articles", files=[("file", (GENEVA.name, GENEVA.read_bytes(), "text/plain")),
                                                           ("file", (NOTE.name, NOTE.read_bytes(), "text/markdown"))])
        assert r.status_code == 201
        draft = r.json()
        assert [a["filename"] for a in draft["articles"]] == ["geneva-round.txt", "analyst-note.md"]
        first = draft["articles"][0]["structure"]
        assert first["title"] and first["paragraphs"] > 0 and isinstance(first["diagnostics"], list)
        r = c.post(f"/api/drafts/{did}/articles", json={"text": "Pasted title\n\nPasted body.", "filename": "p.txt"})
        draft = r.json()
        ids = [a["id"] for a in draft["articles"]]
        v = draft["version"]
        # reorder; a stale version is refused and changes nothing
        r = c.put(f"/api/drafts/{did}/order", json={"order": ids[::-1], "version": v})
        assert r.status_code == 200
        stale = c.put(f"/api/drafts/{did}/order", json={"order": ids, "version": v})
        assert stale.status_code == 409 and stale.json()["error"]["code"] == "conflict"
        assert c.put(f"/api/drafts/{did}/order", json={"order": ids[:1], "version": v + 1}).status_code == 400
        assert c.put(f"/api/drafts/{did}/order", json={"order": ids}).status_code == 428
        r = c.patch(f"/api/drafts/{did}", json={"settings": {"marking": "OFFICIAL-SENSITIVE", "duplex": True},
                                                "version": v + 1})
        assert r.status_code == 200
        assert c.patch(f"/api/drafts/{did}", json={"settings": {"nope": 1}, "version": v + 2}).status_code == 400
        assert c.patch(f"/api/drafts/{did}", json={"settings": {"style": "x/../y"}, "version": v + 2}).status_code \
            == 400
        r = c.patch(f"/api/drafts/{did}/articles/{ids[2]}", json={"meta": {"author": "Jane Doe"}},
                    headers={"If-Match": str(v + 2)})
        assert r.status_code == 200 and r.json()["articles"][0]["meta"] == {"author": "Jane Doe"}
        assert c.patch(f"/api/drafts/{did}/articles/{ids[2]}", json={"meta": {"colour": "x"}, "version": v + 3}) \
            .status_code == 400
        extra = c.post(f"/api/drafts/{did}/articles", json={"text": "Spare\n\nTo remove.", "filename": "s.txt"}).json()
        spare = extra["articles"][-1]["id"]
        assert c.delete(f"/api/drafts/{did}/articles/{spare}", headers={"If-Match": str(v + 3)}).status_code == 409
        r = c.delete(f"/api/drafts/{did}/articles/{spare}", headers={"If-Match": str(extra["version"])})
        assert r.status_code == 200 and len(r.json()["articles"]) == 3
        listed = c.get("/api/drafts").json()
        assert [(d["id"], d["title"], d["articles"]) for d in listed] == [(did, "Morning pack", 3)]
        r = c.post(f"/api/drafts/{did}/builds")
        assert r.status_code == 202
        state = _wait(c, r.json()["id"])
        assert state["status"] == "done", state
        assert {"morning-pack.pdf", "morning-pack.epub", "morning-pack.docx", "morning-pack.zip"} <= set(
            state["files"])
        z = c.get(f"/api/builds/{state['id']}/files/morning-pack.zip")
        assert sorted(zipfile.ZipFile(io.BytesIO(z.content)).namelist()) == [
            "morning-pack.docx", "morning-pack.epub", "morning-pack.pdf"]
        assert c.get(f"/api/builds/{state['id']}/files/..%2F..%2Fsecret.key").status_code == 404
        before = c.get(f"/api/drafts/{did}").json()
    run.stop()
    again = serve(data=data)  # a restart: the draft, its articles and the build's files are all there
    with again.client() as c:
        after = c.get(f"/api/drafts/{did}").json()
        assert after == before
        assert c.get(f"/api/builds/{state['id']}/files/morning-pack.pdf").content.startswith(b"%PDF")
        assert c.delete(f"/api/drafts/{did}").status_code == 204
        assert c.get(f"/api/drafts/{did}").status_code == 404


def test_bad_upload_adds_nothing(serve: Any) -> None:
    with serve(max_articles=2).client() as c:
        did = _new_draft(c)["id"]
        r = c.post(f"/api/drafts/{did}/articles", files=[("file", ("ok.txt", b"Title\n\nBody.", "text/plain")),
                                                           ("file", ("empty.txt", b"", "text/plain"))])
        assert r.status_code == 422
        assert c.get(f"/api/drafts/{did}").json()["articles"] == []
        r = c.post(f"/api/drafts/{did}/articles", files=[("file", (f"a{i}.txt", b"T\n\nB.", "text/plain"))
                                                           for i in range(3)])
        assert r.status_code == 413
        assert c.post("/api/drafts/nope/articles", json={"text": "A"}).status_code == 404
        assert c.post(f"/api/drafts/{did}/builds").status_code == 400  # nothing to build


def test_interrupted_build_is_marked_and_can_rerun(serve: Any, tmp_path: Path) -> None:
    from briefpub.serve.storage import Store

    data = tmp_path / "crash"
    store = Store.open(data)
    draft = store.create_draft({"title": "Crash test"})
    store.add_article(draft["id"], "a.txt", None, b"Title\n\nBody text.", {})
    build = store.start_build(draft["id"], draft["version"])
    store.set_progress(build, "running", {"done": 1, "total": 5})  # the server died here
    with serve(data=data).client() as c:
        assert c.get(f"/api/builds/{build}").json()["status"] == "interrupted"
        assert len(c.get(f"/api/drafts/{draft['id']}").json()["articles"]) == 1
        state = _wait(c, c.post(f"/api/drafts/{draft['id']}/builds").json()["id"])
        assert state["status"] == "done"
    assert json.loads(json.dumps(state))["result"]["articles"] == 1


# ----------------------------------------------------------------------------- images and style sheets sent


def _png(colour: str = "red") -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (20, 10), colour).save(buffer, "PNG")
    return buffer.getvalue()


_PICTURE = b"# Pictures\n\n![A red box](pics/red.png)\n\nSome text.\n\n![gone](gone.png)\n\n![out](../x.png)\n"


def test_convert_with_images_sent_gives_the_cli_bytes(serve: Any, tmp_path: Path) -> None:
    """Images sent beside the article are read as from its folder: the bytes a local run writes, and its
    diagnostics (a name not sent is missing, one outside the folder refused)."""
    (tmp_path / "pics").mkdir()
    (tmp_path / "pics" / "red.png").write_bytes(_png())
    (tmp_path / "a.md").write_bytes(_PICTURE)
    report = convert_one(str(tmp_path / "a.md"), ["epub"], tmp_path / "out", load_style(None))
    with serve().client() as c:
        r = c.post("/api/convert", files=[("file", ("a.md", _PICTURE, "text/markdown")),
                                          ("image", ("pics/red.png", _png(), "image/png"))],
                   data={"format": "epub", "source": str(tmp_path / "a.md")}, headers={"Accept": "application/json"})
        assert r.status_code == 200, r.text
        answer = r.json()
    assert base64.b64decode(answer["outputs"][0]["data"]) == report.artifacts[0].path.read_bytes()
    local = [(d.code, d.message, d.text) for d in report.diagnostics if d.code.startswith("reader.image")]
    assert [(d["code"], d["message"], d["text"]) for d in answer["diagnostics"]
            if d["code"].startswith("reader.image")] == local
    assert [m for _c, m, _t in local] == ["image file not found", "image outside the article's folder not read"]


def test_asked_images_are_named_and_nothing_else_is_done(serve: Any) -> None:
    with serve().client() as c:
        r = c.post("/api/convert?ask_images=folder", json={"text": _PICTURE.decode(), "filename": "a.md",
                                                           "format": "pdf"})
        assert r.status_code == 422 and r.json()["error"]["code"] == "needs-images"
        assert r.json()["images"] == {"0": ["pics/red.png", "gone.png", "../x.png"]}
        assert c.get("/healthz").json()["conversions"] == 0


@pytest.mark.parametrize("name", ["../evil.png", "pics/../../evil.png", "/etc/evil.png", "C:evil.png",
                                  "C:/x/evil.png", "pics\\evil.png", "ev\x00il.png", "pics//evil.png", "./evil.png"])
def test_image_names_outside_the_folder_are_refused(serve: Any, name: str) -> None:
    boundary = "b0undary"
    body = b"".join(f'--{boundary}\r\nContent-Disposition: form-data; name="{field}"; filename="{filename}"\r\n'
                    f"Content-Type: {media}\r\n\r\n".encode() + data + b"\r\n"
                    for field, filename, media, data in (("file", "a.md", "text/markdown", _PICTURE),
                                                         ("image", name.replace("\\", "\\\\"), "image/png", _png())))
    with serve().client() as c:  # by hand: a client library would escape the NUL
        r = c.post("/api/convert", content=body + f"--{boundary}--\r\n".encode(),
                   headers={"Content-Type": f"multipart/form-data; boundary={boundary}"})
        assert r.status_code == 400, (name, r.text)
        assert r.json()["error"]["code"] == "bad-name" and r.json()["error"]["exit_code"] == 2


def test_image_limits_and_types(serve: Any) -> None:
    run = serve(max_image_bytes=1000, max_images=3)
    with run.client() as c:
        article = ("file", ("a.md", _PICTURE, "text/markdown"))
        big = c.post("/api/convert", files=[article, ("image", ("pics/red.png", b"\x89PNG" + b"0" * 2000,
                                                                  "image/png"))])
        assert big.status_code == 413 and big.json()["error"]["code"] == "too-large"
        many = c.post("/api/convert", files=[article, *[("image", (f"p{i}.png", _png(), "image/png"))
                                                        for i in range(4)]])
        assert many.status_code == 413 and many.json()["error"]["code"] == "too-many-files"
        flood = c.post("/api/convert", files=[article, *[("image", (f"p{i}.png", b"x", "image/png"))
                                                         for i in range(40)]])
        assert flood.status_code == 413 and flood.json()["error"]["code"] == "too-many-files"
        wrong = c.post("/api/convert", files=[article, ("image", ("notes.txt", b"text", "text/plain"))])
        assert wrong.status_code == 415 and wrong.json()["error"]["code"] == "media-type"
        typed = c.post("/api/convert", files=[article, ("image", ("pics/red.png", b"<html>", "text/html"))])
        assert typed.status_code == 415
        pack = c.post("/api/pack", files=[("request", ("r.json", json.dumps(
            {"pack": {"title": "T"}, "articles": [{"text": "T\n\nBody.", "filename": "a.txt"}]}), "application/json")),
            ("image", ("../x.png", _png(), "image/png"))])
        assert pack.status_code == 400 and pack.json()["error"]["code"] == "bad-name"


def test_style_sheets_sent_are_resolved_as_the_cli_resolves_them(serve: Any, tmp_path: Path) -> None:
    """A sheet and its extends chain, sent as text, give the bytes of ``--style file``; a bad one the CLI's
    message; nothing but built-in sheets is read from the server's disk."""
    from briefpub.errors import StyleError
    from briefpub.styling import read_style

    (tmp_path / "base.toml").write_text('extends = "plain"\n[page]\nsize = "Letter"\n', encoding="utf-8")
    (tmp_path / "my.toml").write_text('extends = "base.toml"\n[body]\nsize = "12pt"\n', encoding="utf-8")
    style = str(tmp_path / "my.toml")
    report = convert_one(str(GENEVA), ["pdf"], tmp_path / "out", load_style(style))
    sheets = read_style(style)[1]
    assert sorted(sheets) == [str(tmp_path / "base.toml"), style]
    with serve().client() as c:
        def convert(name: str, sent: dict[str, str]) -> Any:
            return c.post("/api/convert", json={"text": GENEVA.read_text(encoding="utf-8"), "filename": GENEVA.name,
                                                "source": str(GENEVA), "format": "pdf", "style": name,
                                                "style_sheets": sent})
        r = convert(style, sheets)
        assert r.status_code == 200, r.text
        assert r.content == report.artifacts[0].path.read_bytes()
        bad = {**sheets, str(tmp_path / "base.toml"): '[page]\nsize = "Huge"\n'}
        (tmp_path / "base.toml").write_text(bad[str(tmp_path / "base.toml")], encoding="utf-8")
        with pytest.raises(StyleError) as local:
            load_style(style)
        r = convert(style, bad)
        assert r.status_code == 400 and r.json()["error"] == {"code": "style", "message": str(local.value),
                                                              "exit_code": 2, "status": 400}
        missing = convert(style, {style: sheets[style]})  # the base not sent: as if it were not there
        assert missing.json()["error"]["message"] == f"{tmp_path / 'base.toml'}: style sheet not found"
        etc = convert("/etc/hostname.toml", {})
        assert etc.json()["error"]["message"] == "/etc/hostname.toml: style sheet not found"
        sneaky = convert("x.toml", {"x.toml": 'extends = "../../../../etc/os-release.toml"\n'})
        assert sneaky.json()["error"]["message"] == "../../../../etc/os-release.toml: style sheet not found"
        many = convert("x.toml", {f"{i}.toml": "" for i in range(10)})
        assert many.status_code == 413 and many.json()["error"]["code"] == "too-many-files"
