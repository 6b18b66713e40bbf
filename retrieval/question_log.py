"""The questions the bot was asked, kept for the maintainers' gap report: what people ask that
the archive lacks. Stored without user names or ids; rows older than the retention are deleted.
"""

from __future__ import annotations

import json
import sqlite3
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from retrieval.search import Answer

DAY = 86400.0
QUESTIONS_FILE = "questions.sqlite"
"""Its name in the index root, beside the feedback file."""


@dataclass(frozen=True)
class LoggedQuestion:
    at: float
    question: str
    confident: bool
    slugs: tuple[str, ...]
    tags: tuple[str, ...]


class QuestionLog:
    """A SQLite file beside the index versions; `keep_days` 0 turns the log off and empties it."""

    def __init__(self, path: Path, keep_days: int) -> None:
        self.keep_days = keep_days
        self._lock = threading.Lock()
        path.parent.mkdir(parents=True, exist_ok=True)
        self.db = sqlite3.connect(path, check_same_thread=False)
        self.db.execute(
            "CREATE TABLE IF NOT EXISTS questions "
            "(at REAL, question TEXT, confident INTEGER, slugs TEXT, tags TEXT)"
        )
        self.db.execute("CREATE INDEX IF NOT EXISTS questions_at ON questions (at)")
        self.purge()

    @property
    def enabled(self) -> bool:
        return self.keep_days > 0

    def record(self, answer: Answer, now: float | None = None) -> None:
        """One asked question: its text, whether it was answered, the posts and tags shown."""
        if not self.enabled or answer.empty:
            return
        now = time.time() if now is None else now
        slugs = [h.slug for h in answer.hits]
        tags = list(dict.fromkeys(t for h in answer.hits for t in h.tags))
        with self._lock:
            self.db.execute(
                "INSERT INTO questions VALUES (?, ?, ?, ?, ?)",
                (now, answer.question[:1000], int(answer.confident), json.dumps(slugs),
                 json.dumps(tags)),
            )  # fmt: skip
            self._delete_before(now - self.keep_days * DAY)

    def purge(self) -> None:
        """Delete what is past the retention (everything when the log is off)."""
        cutoff = time.time() - self.keep_days * DAY if self.enabled else float("inf")
        with self._lock:
            self._delete_before(cutoff)

    def _delete_before(self, cutoff: float) -> None:
        """Drop the questions asked before `cutoff` and commit (the caller holds the lock)."""
        self.db.execute("DELETE FROM questions WHERE at < ?", (cutoff,))
        self.db.commit()

    def since(self, at: float) -> list[LoggedQuestion]:
        with self._lock:
            rows = self.db.execute(
                "SELECT at, question, confident, slugs, tags FROM questions WHERE at >= ? "
                "ORDER BY at",
                (at,),
            ).fetchall()
        return [
            LoggedQuestion(a, q, bool(c), tuple(json.loads(s)), tuple(json.loads(t)))
            for a, q, c, s, t in rows
        ]

    def close(self) -> None:
        self.db.close()
