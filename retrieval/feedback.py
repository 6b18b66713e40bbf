"""👍/👎 feedback on answers: question, posts shown, vote. No names, no user ids, no message text.

One vote per person per answer (the same question with the same posts shown): a second click
replaces the first, so one person clicking 👎 five times counts once in the gap report. The
voter is kept only as a keyed hash of the user id together with that answer: it tells a repeat
vote on the same answer, and nothing else. The key is a random secret in its own file beside the
database, so the database alone does not link two votes to one person, nor a vote to a member.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
import sqlite3
import threading
import time
from pathlib import Path

FEEDBACK_FILE = "feedback.sqlite"
"""Its name in the index root."""
KEY_FILE = "feedback.key"
"""The voter key's file, beside FEEDBACK_FILE; made on first use, readable by its owner only."""
_SCHEMA = (
    "CREATE TABLE IF NOT EXISTS votes "
    "(voter TEXT PRIMARY KEY, at REAL, question TEXT, slugs TEXT, vote INTEGER)"
)


class FeedbackStore:
    """A small SQLite file beside the index versions (it outlives every rebuild)."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        self._key = _key(path.with_name(KEY_FILE))
        self.db = sqlite3.connect(path, check_same_thread=False)
        self.db.execute(_SCHEMA)
        self._migrate()

    def record(
        self, user_id: int, question: str, slugs: list[str], vote: int, at: float | None = None
    ) -> None:
        """The user's vote on one answer, replacing any earlier vote of theirs on it."""
        question, shown = question[:1000], " ".join(slugs)
        with self._lock:
            self.db.execute(
                "INSERT INTO votes VALUES (?, ?, ?, ?, ?) ON CONFLICT (voter) DO UPDATE SET "
                "at = excluded.at, vote = excluded.vote",
                (self._voter(user_id, question, shown), time.time() if at is None else at,
                 question, shown, vote),
            )  # fmt: skip
            self.db.commit()

    def votes_since(self, at: float) -> list[tuple[float, str, list[str], int]]:
        """(time, question, posts shown, vote) of the votes from `at` on, oldest first."""
        with self._lock:
            rows = self.db.execute(
                "SELECT at, question, slugs, vote FROM votes WHERE at >= ? ORDER BY at", (at,)
            ).fetchall()
        return [(a, q, s.split(), v) for a, q, s, v in rows]

    def _voter(self, user_id: int, question: str, shown: str) -> str:
        message = f"{user_id}\n{question}\n{shown}".encode()
        return hmac.new(self._key, message, hashlib.sha256).hexdigest()

    def _migrate(self) -> None:
        """Votes of the earlier table, which kept the user id, moved here (the last vote of each
        person on each answer) and that table dropped, so no user id stays on disk. Under a write
        lock: bot processes sharing the index folder may start at once, and one of them moves."""
        self.db.execute("BEGIN IMMEDIATE")
        try:
            old = self.db.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'feedback'"
            ).fetchone()
            if old is not None:
                rows = self.db.execute(
                    "SELECT at, user_id, question, slugs, vote FROM feedback ORDER BY at"
                ).fetchall()
                self.db.executemany(
                    "INSERT OR REPLACE INTO votes VALUES (?, ?, ?, ?, ?)",
                    [(self._voter(u, q, s), a, q, s, v) for a, u, q, s, v in rows],
                )
                self.db.execute("DROP TABLE feedback")
        except BaseException:
            self.db.rollback()
            raise
        self.db.commit()
        if old is not None:
            self.db.execute("VACUUM")  # the dropped table's pages held the user ids


def _key(path: Path) -> bytes:
    """The voter key at `path`, made (32 random bytes, mode 0600) when there is none. It is
    written whole under another name and linked into place, so a process starting at the same
    moment reads either no key or the one key, never part of it."""
    if not path.exists():
        tmp = path.with_name(f".{path.name}.{os.getpid()}")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as f:
            f.write(secrets.token_bytes(32))
        try:
            os.link(tmp, path)
        except FileExistsError:  # another process made it first: theirs is the key
            pass
        finally:
            tmp.unlink()
    return path.read_bytes()
