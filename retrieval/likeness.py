"""The places after an answer's first three, ordered with how like those three each post is.

The first three posts of a ranking are its surest. Below them, a post on the same subject as
they are (a title of like meaning, the same uncommon tags) is likelier to answer too than one
that scored a little higher on some word of the question: pseudo-relevance feedback. A second
ranking pass with the question moved towards the first posts was tried and not kept (it moved
the first places too); this one never moves the first FIXED places, so an answer's first page
stays as it was and only the later places change. A question asking for a kind of study is left
to `Searcher._of_kinds_first`, which reads the closest posts in score order.

Weights chosen on the dev set, checked on the independent set (README, "What each technique did").
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

import numpy as np

from retrieval.arrays import ranges
from retrieval.tags import tag_key

FIXED = 3
"""The first places, never moved: what the feedback is read from."""
WINDOW = 30
"""Places FIXED+1 .. WINDOW are ordered again (20 and 50 measured the same on both sets)."""
TITLE_WEIGHT = 0.3
"""Added to a post's score per unit of its title's cosine with the first posts' mean title."""
TAG_WEIGHT = 0.05
"""The same for its tags (IDF-weighted, as unit vectors) against the first posts' mean."""


class Rows(Protocol):
    """Vectors by row: a numpy array, or a store's IVF rows."""

    def __getitem__(self, ids: np.ndarray) -> np.ndarray: ...


class Likeness:
    """Built once per index version from the posts' title vectors and tags."""

    def __init__(self, title_vectors: Rows, tags: Sequence[Sequence[str]]) -> None:
        # a row-major copy of a stored (column-major) array: thirty rows gathered from columns
        # read a cache line per number
        self._titles = (
            np.ascontiguousarray(title_vectors)
            if isinstance(title_vectors, np.ndarray)
            else title_vectors
        )
        columns: dict[str, int] = {}
        keys = [list(dict.fromkeys(k for t in post if (k := tag_key(t)))) for post in tags]
        self._column = np.array(
            [columns.setdefault(k, len(columns)) for post in keys for k in post], dtype=np.int64
        )
        self._start = np.concatenate([[0], np.cumsum([len(k) for k in keys])]).astype(np.int64)
        self._tags = len(columns)
        used = np.bincount(self._column, minlength=self._tags)
        weight = np.log(max(len(keys), 1) / np.maximum(used, 1))[self._column]
        post = np.repeat(np.arange(len(keys)), np.diff(self._start))
        norm = np.sqrt(np.bincount(post, weights=weight**2, minlength=len(keys)))
        self._weight = weight / np.where(norm > 0, norm, 1)[post]

    def reorder(self, rows: list[int], scores: np.ndarray) -> list[int]:
        """`rows` (ranked, best first) with places FIXED+1 .. WINDOW sorted by their `scores`
        plus their likeness to the first FIXED rows (a stable sort: ties keep their order)."""
        if len(rows) <= FIXED + 1:
            return rows
        window = np.array(rows[:WINDOW])
        rest = window[FIXED:]
        titles = np.asarray(self._titles[window])
        like = TITLE_WEIGHT * (titles[FIXED:] @ _unit(titles[:FIXED].sum(axis=0)))
        like += TAG_WEIGHT * self._tag_likeness(window)
        placed = rest[np.argsort(-(scores[rest] + like), kind="stable")]
        return rows[:FIXED] + placed.tolist() + rows[WINDOW:]

    def _tag_likeness(self, window: np.ndarray) -> np.ndarray:
        """Cosine of the tag vector of each row of `window` after the first FIXED with the sum
        of those FIXED rows' vectors."""
        entries, sizes = ranges(self._start[window], self._start[window + 1])
        columns, weights = self._column[entries], self._weight[entries]
        split = int(sizes[:FIXED].sum())
        centre = _unit(np.bincount(columns[:split], weights[:split], self._tags))
        owner = np.repeat(np.arange(len(window) - FIXED), sizes[FIXED:])
        products = weights[split:] * centre[columns[split:]]
        return np.bincount(owner, products, len(window) - FIXED)


def _unit(vector: np.ndarray) -> np.ndarray:
    norm = float(np.sqrt(vector @ vector))
    return vector / norm if norm > 0 else vector
