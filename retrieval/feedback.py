"""👍/👎 feedback on answers: user id, question, posts shown, vote. No names, no message text."""

from __future__ import annotations

import sqlite3
import threading
import time
from pathlib import Path

FEEDBACK_FILE = "feedback.sqlite"
"""Its name in the index root."""


class FeedbackStore:
    """A small SQLite file beside the index versions (it outlives every rebuild)."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        self.db = sqlite3.connect(path, check_same_thread=False)
        self.db.execute(
            "CREATE TABLE IF NOT EXISTS feedback (at REAL, user_id INTEGER, question TEXT, "
            "slugs TEXT, vote INTEGER)"
        )

    def record(self, user_id: int, question: str, slugs: list[str], vote: int) -> None:
        with self._lock:
            self.db.execute(
                "INSERT INTO feedback VALUES (?, ?, ?, ?, ?)",
                (time.time(), user_id, question[:1000], " ".join(slugs), vote),
            )
            self.db.commit()

    def votes_since(self, at: float) -> list[tuple[float, str, list[str], int]]:
        """(time, question, posts shown, vote) of the votes from `at` on, oldest first."""
        with self._lock:
            rows = self.db.execute(
                "SELECT at, question, slugs, vote FROM feedback WHERE at >= ? ORDER BY at", (at,)
            ).fetchall()
        return [(a, q, s.split(), v) for a, q, s, v in rows]
