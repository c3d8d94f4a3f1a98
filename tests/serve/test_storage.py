"""Drafts in SQLite: optimistic versions (first write wins), bytes kept, interrupted builds marked."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from briefpub.serve.storage import Conflict, Missing, Store


def test_two_tabs_first_write_wins(tmp_path: Path) -> None:
    store = Store.open(tmp_path)
    draft = store.create_draft()
    v = draft["version"]
    results: list[str] = []

    def edit(title: str) -> None:
        try:
            store.update_settings(draft["id"], v, {"title": title})
            results.append(title)
        except Conflict:
            results.append("conflict")

    threads = [threading.Thread(target=edit, args=(f"tab {i}",)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    winners = [r for r in results if r != "conflict"]
    assert len(winners) == 1 and results.count("conflict") == 7
    after = store.draft(draft["id"])
    assert after["settings"]["title"] == winners[0] and after["version"] == v + 1


def test_adding_is_never_lost_and_bytes_are_kept(tmp_path: Path) -> None:
    store = Store.open(tmp_path)
    did = store.create_draft()["id"]
    payloads = [bytes([i]) * 1000 + b"\x00\xff" for i in range(10)]
    threads = [threading.Thread(target=store.add_article, args=(did, f"a{i}.txt", None, p, {}))
               for i, p in enumerate(payloads)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    _version, _settings, articles = Store.open(tmp_path).article_sources(did)  # reopened: as after a restart
    assert sorted(a["data"] for a in articles) == sorted(payloads)


def test_missing_and_interrupted(tmp_path: Path) -> None:
    store = Store.open(tmp_path)
    with pytest.raises(Missing):
        store.draft("nope")
    draft = store.create_draft()
    build = store.start_build(draft["id"], draft["version"])
    assert store.build(build)["status"] == "queued"
    assert Store.open(tmp_path).build(build)["status"] == "interrupted"
    assert (tmp_path / "drafts.sqlite3").exists()
