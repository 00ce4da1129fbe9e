"""Votes in SQLite: one file, WAL mode, every write committed before it is acknowledged.

Two tables:
- ``tasks``: every comparison handed to an annotator, under a random token. The token is all the page
  knows; which model sits on which side stays on the server, so the page never holds a model name.
- ``votes``: one row per task token (its primary key), so a repeated submit of the same vote is recorded
  once. Each row keeps the question, the two models in their on-screen order, the vote, the annotator, the
  time, and where it came from (``human`` or ``simulated``).

WAL lets several annotators' requests read while one writes; ``synchronous=FULL`` makes a committed vote
survive a crash or power loss. Each thread opens its own connection.
"""

from __future__ import annotations

import secrets
import sqlite3
import threading
import time
from pathlib import Path

from ..core.errors import InputError
from .bt import VOTES, Vote

SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS tasks (
  token TEXT PRIMARY KEY, question TEXT NOT NULL, model_left TEXT NOT NULL, model_right TEXT NOT NULL,
  annotator TEXT NOT NULL, created REAL NOT NULL);
CREATE TABLE IF NOT EXISTS votes (
  token TEXT PRIMARY KEY, question TEXT NOT NULL, model_left TEXT NOT NULL, model_right TEXT NOT NULL,
  vote TEXT NOT NULL CHECK (vote IN ('left', 'right', 'tie', 'both_bad')),
  annotator TEXT NOT NULL, source TEXT NOT NULL DEFAULT 'human', created REAL NOT NULL);
CREATE INDEX IF NOT EXISTS votes_pair ON votes (question, model_left, model_right);
"""
VERSION = "1"


class ArenaError(InputError):
    """A problem with the arena's inputs (database, runs, votes), said in one line."""


class VoteStore:
    def __init__(self, path: str | Path):
        self.path = Path(path)
        if self.path.is_dir():
            raise ArenaError(f"{self.path} is a folder; give the database file, e.g. {self.path / 'votes.sqlite'}")
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._local = threading.local()
        try:
            self._raw().executescript(SCHEMA)
            with self.connect() as db:
                db.execute("INSERT OR IGNORE INTO meta VALUES ('version', ?)", (VERSION,))
                version = db.execute("SELECT value FROM meta WHERE key = 'version'").fetchone()[0]
        except sqlite3.DatabaseError as e:
            raise ArenaError(f"{self.path}: not a usable arena database ({e}); move it aside or give another --db") from None
        if version != VERSION:
            raise ArenaError(f"{self.path}: arena database version {version}, this streampro writes {VERSION}")

    def connect(self) -> _Tx:
        """``with store.connect() as db``: one transaction on this thread's connection."""
        return _Tx(self._raw())

    def _raw(self) -> sqlite3.Connection:
        """This thread's connection (sqlite3 connections must not cross threads), autocommit mode."""
        db = getattr(self._local, "db", None)
        if db is None:
            db = sqlite3.connect(self.path, timeout=30, isolation_level=None)
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA synchronous=FULL")
            db.execute("PRAGMA busy_timeout=30000")
            self._local.db = db
        return db

    # -- tasks and votes --------------------------------------------------------------------------
    def issue(self, question: str, left: str, right: str, annotator: str) -> str:
        token = secrets.token_urlsafe(16)
        with self.connect() as db:
            db.execute("INSERT INTO tasks VALUES (?, ?, ?, ?, ?, ?)", (token, question, left, right, annotator, time.time()))
        return token

    def task(self, token: str) -> tuple[str, str, str] | None:
        """(question, left model, right model) of an issued task, or None."""
        with self.connect() as db:
            row = db.execute("SELECT question, model_left, model_right FROM tasks WHERE token = ?", (token,)).fetchone()
        return None if row is None else tuple(row)

    def vote(self, token: str, vote: str, annotator: str, source: str = "human") -> bool:
        """Record the vote of an issued task; False when that task was already voted (recorded once)."""
        if vote not in VOTES:
            raise ArenaError(f"unknown vote {vote!r}; expected one of {', '.join(VOTES)}")
        task = self.task(token)
        if task is None:
            raise ArenaError("unknown task token: ask /api/next for a comparison first")
        with self.connect() as db:
            cur = db.execute("INSERT OR IGNORE INTO votes VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                             (token, *task, vote, annotator, source, time.time()))
        return cur.rowcount == 1

    def add_votes(self, votes: list[Vote], annotator: str, source: str, meta: tuple[str, str] | None = None) -> None:
        """Bulk insert (the simulator): tasks, votes and a ``meta`` entry (what made them) in one transaction,
        so an interrupted run leaves all of them or none."""
        now = time.time()
        rows = [(secrets.token_urlsafe(16), v.question, v.left, v.right) for v in votes]
        with self.connect() as db:
            if meta is not None:
                db.execute("INSERT INTO meta VALUES (?, ?)", meta)
            db.executemany("INSERT INTO tasks VALUES (?, ?, ?, ?, ?, ?)", [(*r, annotator, now) for r in rows])
            db.executemany("INSERT INTO votes VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                           [(*r, v.vote, annotator, source, now) for r, v in zip(rows, votes, strict=True)])

    def votes(self, source: str | None = None) -> list[Vote]:
        with self.connect() as db:
            q = "SELECT question, model_left, model_right, vote FROM votes"
            rows = db.execute(q + " WHERE source = ? ORDER BY rowid" if source else q + " ORDER BY rowid",
                              (source,) if source else ()).fetchall()
        return [Vote(*r) for r in rows]

    def tasks(self) -> list[tuple[str, str, str]]:
        """(question, left, right) of every comparison handed out so far, voted or not."""
        with self.connect() as db:
            return [tuple(r) for r in db.execute("SELECT question, model_left, model_right FROM tasks ORDER BY rowid")]

    def by_annotator(self) -> dict[str, int]:
        """Votes per annotator."""
        with self.connect() as db:
            return dict(db.execute("SELECT annotator, COUNT(*) FROM votes GROUP BY annotator").fetchall())

    def meta(self, key: str) -> str | None:
        with self.connect() as db:
            row = db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return None if row is None else row[0]

    def count(self) -> int:
        with self.connect() as db:
            return db.execute("SELECT COUNT(*) FROM votes").fetchone()[0]


class _Tx:
    """``with store.connect() as db``: one transaction, committed on success, rolled back on error."""

    def __init__(self, db: sqlite3.Connection):
        self.db = db

    def __enter__(self) -> sqlite3.Connection:
        self.db.execute("BEGIN IMMEDIATE")
        return self.db

    def __exit__(self, kind, *exc) -> None:
        self.db.execute("ROLLBACK" if kind else "COMMIT")
