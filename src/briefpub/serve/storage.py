"""Drafts of briefing packs in an embedded SQLite database (serve stage).

One file, ``drafts.sqlite3`` under the server's data folder, in WAL mode with
``synchronous=FULL``: a committed change survives a crash of the server or the
machine. An article's *bytes* are stored in the database as uploaded, never
written to a path named by the client. Builds and their files are stored too,
so a download works after a restart; a build that was running when the server
stopped is marked ``interrupted`` on the next start (:meth:`Store.open`), and
can be run again, since the draft itself is untouched by a build.

Concurrency (two tabs, two people): every draft has a ``version``, bumped by
each change. Changing settings, the order, an article's metadata, or removing
an article must name the version it was based on; a stale version is refused
(:class:`Conflict`, HTTP 409) and nothing is changed: the first write wins, the
other tab reloads. Adding an article needs no version (adding is never lost).
"""

from __future__ import annotations

import contextlib
import json
import secrets
import sqlite3
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

__all__ = ["DRAFT_SETTINGS", "Conflict", "Missing", "Store"]

_SCHEMA = """
CREATE TABLE IF NOT EXISTS drafts (
    id TEXT PRIMARY KEY,
    version INTEGER NOT NULL DEFAULT 1,
    settings TEXT NOT NULL,
    created TEXT NOT NULL,
    updated TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS articles (
    id TEXT PRIMARY KEY,
    draft_id TEXT NOT NULL REFERENCES drafts(id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    filename TEXT NOT NULL,
    fmt TEXT,
    data BLOB NOT NULL,
    meta TEXT NOT NULL DEFAULT '{}',
    info TEXT NOT NULL DEFAULT '{}',
    created TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS articles_by_draft ON articles(draft_id, position);
CREATE TABLE IF NOT EXISTS builds (
    id TEXT PRIMARY KEY,
    draft_id TEXT NOT NULL REFERENCES drafts(id) ON DELETE CASCADE,
    draft_version INTEGER NOT NULL,
    status TEXT NOT NULL,
    progress TEXT NOT NULL DEFAULT '{}',
    result TEXT NOT NULL DEFAULT '{}',
    created TEXT NOT NULL,
    finished TEXT
);
CREATE TABLE IF NOT EXISTS outputs (
    build_id TEXT NOT NULL REFERENCES builds(id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    media_type TEXT NOT NULL,
    data BLOB NOT NULL,
    PRIMARY KEY (build_id, name)
);
"""

DRAFT_SETTINGS: dict[str, Any] = {
    "title": "Briefing pack",
    "subtitle": "",
    "reference": "",
    "version": "",
    "marking": "",
    "compiled_by": "",
    "date": "",
    "style": "briefing",
    "duplex": False,
    "summary_page": False,
}
"""A new draft's pack settings; the page edits exactly these keys."""

ARTICLE_META = ("title", "author", "date", "marking")
"""The article metadata the page overrides (``--set`` keys)."""


class Conflict(Exception):
    """The draft changed since the version the request was based on (HTTP 409)."""

    def __init__(self, current: int) -> None:
        super().__init__(f"the draft was changed meanwhile (now version {current}); reload it")
        self.current = current


class Missing(LookupError):
    """No such draft, article or build (HTTP 404)."""


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _new_id() -> str:
    return secrets.token_urlsafe(12)


@dataclass(frozen=True, slots=True)
class Store:
    """The drafts database at ``path``; one connection per operation (thread-safe, crash-safe)."""

    path: Path

    @classmethod
    def open(cls, folder: Path) -> Store:
        """Create or open the database in ``folder``; mark builds of a previous run as interrupted."""
        folder.mkdir(parents=True, exist_ok=True)
        store = cls(folder / "drafts.sqlite3")
        setup = sqlite3.connect(store.path, timeout=30, isolation_level=None)
        try:
            setup.execute("PRAGMA journal_mode=WAL")
            setup.executescript(_SCHEMA)
        finally:
            setup.close()
        with store._db() as db:
            db.execute("UPDATE builds SET status='interrupted', finished=? WHERE status IN ('queued', 'running')",
                       (_now(),))
        return store

    @contextlib.contextmanager
    def _db(self) -> Iterator[sqlite3.Connection]:
        db = sqlite3.connect(self.path, timeout=30, isolation_level=None)
        try:
            db.row_factory = sqlite3.Row
            db.execute("PRAGMA foreign_keys=ON")
            db.execute("PRAGMA synchronous=FULL")
            db.execute("BEGIN IMMEDIATE")
            try:
                yield db
            except BaseException:
                db.execute("ROLLBACK")
                raise
            db.execute("COMMIT")
        finally:
            db.close()

    # ------------------------------------------------------------------------- drafts

    def create_draft(self, settings: dict[str, Any] | None = None) -> dict[str, Any]:
        """A new, empty draft with default settings (updated by ``settings``)."""
        draft_id, now = _new_id(), _now()
        merged = {**DRAFT_SETTINGS, **(settings or {})}
        with self._db() as db:
            db.execute("INSERT INTO drafts (id, version, settings, created, updated) VALUES (?, 1, ?, ?, ?)",
                       (draft_id, json.dumps(merged), now, now))
        return self.draft(draft_id)

    def list_drafts(self) -> list[dict[str, Any]]:
        """Every draft, most recently changed first (id, title, version, articles, updated)."""
        with self._db() as db:
            rows = db.execute("SELECT d.id, d.version, d.settings, d.updated, COUNT(a.id) AS n FROM drafts d "
                              "LEFT JOIN articles a ON a.draft_id = d.id GROUP BY d.id "
                              "ORDER BY d.updated DESC, d.id").fetchall()
        return [{"id": r["id"], "version": r["version"], "title": json.loads(r["settings"]).get("title", ""),
                 "articles": r["n"], "updated": r["updated"]} for r in rows]

    def draft(self, draft_id: str) -> dict[str, Any]:
        """A draft with its settings and articles (without their bytes), in pack order."""
        with self._db() as db:
            row, arts = self._draft_rows(db, draft_id, "*", "id, filename, fmt, meta, info, length(data) AS size")
            last = db.execute("SELECT id, status, draft_version FROM builds WHERE draft_id = ? "
                              "ORDER BY created DESC, rowid DESC LIMIT 1", (draft_id,)).fetchone()
        return {
            "id": row["id"], "version": row["version"], "settings": json.loads(row["settings"]),
            "created": row["created"], "updated": row["updated"],
            "articles": [{"id": a["id"], "filename": a["filename"], "from": a["fmt"], "size": a["size"],
                          "meta": json.loads(a["meta"]), "structure": json.loads(a["info"])} for a in arts],
            "last_build": dict(last) if last else None,
        }

    @staticmethod
    def _draft_rows(db: sqlite3.Connection, draft_id: str, draft_columns: str,
                    article_columns: str) -> tuple[sqlite3.Row, list[sqlite3.Row]]:
        """A draft's row and its articles' rows in pack order (the columns named); :class:`Missing` if none."""
        row = db.execute(f"SELECT {draft_columns} FROM drafts WHERE id = ?", (draft_id,)).fetchone()  # noqa: S608
        if row is None:
            raise Missing(f"no draft {draft_id!r}")
        arts = db.execute(f"SELECT {article_columns} FROM articles WHERE draft_id = ? "  # noqa: S608
                          "ORDER BY position, created", (draft_id,)).fetchall()
        return row, arts

    def _bump(self, db: sqlite3.Connection, draft_id: str, version: int | None) -> int:
        """Increase the draft's version, refusing a stale ``version`` (None: no check)."""
        row = db.execute("SELECT version FROM drafts WHERE id = ?", (draft_id,)).fetchone()
        if row is None:
            raise Missing(f"no draft {draft_id!r}")
        if version is not None and version != row["version"]:
            raise Conflict(row["version"])
        db.execute("UPDATE drafts SET version = version + 1, updated = ? WHERE id = ?", (_now(), draft_id))
        return int(row["version"]) + 1

    def update_settings(self, draft_id: str, version: int, changes: dict[str, Any]) -> dict[str, Any]:
        """Change some of a draft's settings (keys of :data:`DRAFT_SETTINGS`)."""
        with self._db() as db:
            self._bump(db, draft_id, version)
            row = db.execute("SELECT settings FROM drafts WHERE id = ?", (draft_id,)).fetchone()
            settings = {**json.loads(row["settings"]), **changes}
            db.execute("UPDATE drafts SET settings = ? WHERE id = ?", (json.dumps(settings), draft_id))
        return self.draft(draft_id)

    def delete_draft(self, draft_id: str) -> None:
        """Remove a draft, its articles and builds."""
        with self._db() as db:
            if db.execute("DELETE FROM drafts WHERE id = ?", (draft_id,)).rowcount == 0:
                raise Missing(f"no draft {draft_id!r}")

    # ------------------------------------------------------------------------- articles

    def add_article(self, draft_id: str, filename: str, fmt: str | None, data: bytes, info: dict[str, Any],
                    meta: dict[str, str] | None = None) -> str:
        """Append an article (its bytes and recovered structure); always succeeds on an existing draft."""
        article_id = _new_id()
        with self._db() as db:
            self._bump(db, draft_id, None)
            (position,) = db.execute("SELECT COALESCE(MAX(position), -1) + 1 FROM articles WHERE draft_id = ?",
                                     (draft_id,)).fetchone()
            db.execute("INSERT INTO articles (id, draft_id, position, filename, fmt, data, meta, info, created) "
                       "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                       (article_id, draft_id, position, filename, fmt, data, json.dumps(meta or {}),
                        json.dumps(info), _now()))
        return article_id

    def count_articles(self, draft_id: str) -> int:
        """How many articles a draft has."""
        with self._db() as db:
            (n,) = db.execute("SELECT COUNT(*) FROM articles WHERE draft_id = ?", (draft_id,)).fetchone()
        return int(n)

    def update_article(self, draft_id: str, article_id: str, version: int, meta: dict[str, str]) -> dict[str, Any]:
        """Replace an article's metadata overrides."""
        with self._db() as db:
            self._bump(db, draft_id, version)
            if db.execute("UPDATE articles SET meta = ? WHERE id = ? AND draft_id = ?",
                          (json.dumps(meta), article_id, draft_id)).rowcount == 0:
                raise Missing(f"no article {article_id!r} in this draft")
        return self.draft(draft_id)

    def remove_article(self, draft_id: str, article_id: str, version: int) -> dict[str, Any]:
        """Take an article out of a draft."""
        with self._db() as db:
            self._bump(db, draft_id, version)
            if db.execute("DELETE FROM articles WHERE id = ? AND draft_id = ?", (article_id, draft_id)).rowcount == 0:
                raise Missing(f"no article {article_id!r} in this draft")
        return self.draft(draft_id)

    def reorder(self, draft_id: str, version: int, order: Sequence[str]) -> dict[str, Any]:
        """Put the articles in ``order`` (every article id of the draft, once)."""
        with self._db() as db:
            self._bump(db, draft_id, version)
            ids = {r["id"] for r in db.execute("SELECT id FROM articles WHERE draft_id = ?", (draft_id,))}
            if set(order) != ids or len(order) != len(ids):
                raise ValueError("order must list every article of the draft exactly once")
            for position, article_id in enumerate(order):
                db.execute("UPDATE articles SET position = ? WHERE id = ?", (position, article_id))
        return self.draft(draft_id)

    def article_sources(self, draft_id: str) -> tuple[int, dict[str, Any], list[dict[str, Any]]]:
        """(version, settings, articles with bytes) of a draft, read in one transaction (for a build)."""
        with self._db() as db:
            row, arts = self._draft_rows(db, draft_id, "version, settings", "id, filename, fmt, data, meta")
        return (row["version"], json.loads(row["settings"]),
                [{"id": a["id"], "filename": a["filename"], "fmt": a["fmt"], "data": bytes(a["data"]),
                  "meta": json.loads(a["meta"])} for a in arts])

    # ------------------------------------------------------------------------- builds

    def start_build(self, draft_id: str, draft_version: int) -> str:
        """Record a queued build of a draft's ``draft_version``."""
        build_id = _new_id()
        with self._db() as db:
            db.execute("INSERT INTO builds (id, draft_id, draft_version, status, created) VALUES (?, ?, ?, ?, ?)",
                       (build_id, draft_id, draft_version, "queued", _now()))
        return build_id

    def set_progress(self, build_id: str, status: str, progress: dict[str, Any]) -> None:
        """Record a build's state and progress."""
        with self._db() as db:
            db.execute("UPDATE builds SET status = ?, progress = ? WHERE id = ?",
                       (status, json.dumps(progress), build_id))

    def finish_build(self, build_id: str, status: str, result: dict[str, Any],
                     files: Sequence[tuple[str, str, bytes]] = ()) -> None:
        """Store a build's outcome and its files (name, media type, bytes) in one transaction."""
        with self._db() as db:
            db.execute("UPDATE builds SET status = ?, result = ?, finished = ? WHERE id = ?",
                       (status, json.dumps(result), _now(), build_id))
            db.executemany("INSERT OR REPLACE INTO outputs (build_id, name, media_type, data) VALUES (?, ?, ?, ?)",
                           [(build_id, name, media, data) for name, media, data in files])
            # keep the last three builds of the draft: older files go
            (draft_id,) = db.execute("SELECT draft_id FROM builds WHERE id = ?", (build_id,)).fetchone()
            db.execute("DELETE FROM builds WHERE draft_id = ? AND id NOT IN (SELECT id FROM builds WHERE "
                       "draft_id = ? ORDER BY created DESC, rowid DESC LIMIT 3)", (draft_id, draft_id))

    def build(self, build_id: str) -> dict[str, Any]:
        """A build's state, progress, result and the names of its files."""
        with self._db() as db:
            row = db.execute("SELECT * FROM builds WHERE id = ?", (build_id,)).fetchone()
            if row is None:
                raise Missing(f"no build {build_id!r}")
            names = [r["name"] for r in db.execute("SELECT name FROM outputs WHERE build_id = ? ORDER BY name",
                                                    (build_id,))]
        return {"id": row["id"], "draft": row["draft_id"], "draft_version": row["draft_version"],
                "status": row["status"], "progress": json.loads(row["progress"]),
                "result": json.loads(row["result"]), "files": names, "created": row["created"],
                "finished": row["finished"]}

    def output(self, build_id: str, name: str) -> tuple[str, bytes]:
        """(media type, bytes) of one file of a build."""
        with self._db() as db:
            row = db.execute("SELECT media_type, data FROM outputs WHERE build_id = ? AND name = ?",
                             (build_id, name)).fetchone()
        if row is None:
            raise Missing(f"no file {name!r} in build {build_id!r}")
        return row["media_type"], bytes(row["data"])
