"""Embedding cache keyed by (model, text hash): a rebuild re-embeds only text that changed."""

from __future__ import annotations

import hashlib
import sqlite3
from collections.abc import Iterable
from pathlib import Path

import numpy as np


def text_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]


class EmbeddingCache:
    """SQLite file beside the index versions; safe to delete at any time."""

    def __init__(self, path: Path, model: str, dimension: int) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.model = model
        self.dimension = dimension
        self.db = sqlite3.connect(path)
        self.db.execute(
            "CREATE TABLE IF NOT EXISTS vectors "
            "(model TEXT, hash TEXT, vec BLOB, PRIMARY KEY (model, hash))"
        )

    def get_many(self, hashes: Iterable[str]) -> dict[str, np.ndarray]:
        wanted = list(dict.fromkeys(hashes))
        found: dict[str, np.ndarray] = {}
        for start in range(0, len(wanted), 500):
            part = wanted[start : start + 500]
            marks = ",".join("?" * len(part))
            rows = self.db.execute(
                f"SELECT hash, vec FROM vectors WHERE model = ? AND hash IN ({marks})",
                [self.model, *part],
            )
            for h, blob in rows:
                vec = np.frombuffer(blob, dtype=np.float32)
                if vec.shape == (self.dimension,):
                    found[h] = vec
        return found

    def put_many(self, items: dict[str, np.ndarray]) -> None:
        self.db.executemany(
            "INSERT OR REPLACE INTO vectors VALUES (?, ?, ?)",
            [(self.model, h, np.asarray(v, dtype=np.float32).tobytes()) for h, v in items.items()],
        )
        self.db.commit()

    def close(self) -> None:
        self.db.close()
