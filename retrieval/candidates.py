"""Which posts a question is scored against: FAISS neighbours and BM25's best, not every post.

Candidates are the posts of the question's nearest chunks (chunk index), of its nearest titles
(title index) and BM25's top posts. Only they are scored, exactly as before: best chunk, title
and lexical score, from the stored vectors. A post outside them has every chunk below the last
chunk found, its title below the last title found and its BM25 score below the last one taken,
so it cannot score above the combined score of those three thresholds (the scoring is
monotone). When fewer than `head` candidates score above that bound, the searches are widened
until they do or nothing is left unseen: with exact (flat) indexes the first `head` entries are
then the exact ranking; with a graph index they are as good as its neighbour lists.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import NamedTuple

import faiss
import numpy as np

from retrieval.store import IndexData

CHUNK_NEIGHBOURS = 400
TITLE_NEIGHBOURS = 200
LEXICAL_TOP = 200
WIDEN = 4
"""Factor by which the searches grow when the candidates do not settle the head."""

Combine = Callable[[np.ndarray, np.ndarray, np.ndarray], np.ndarray]
"""(best chunk or title-only similarity, title similarity, lexical score) -> post score, for
arrays of posts; must never decrease when one of its inputs grows."""


class Scored(NamedTuple):
    rows: np.ndarray
    """Candidate post rows, best first."""
    scores: np.ndarray
    """Score of every post row; -inf for posts that were not candidates."""
    chunk_sims: np.ndarray
    """Similarity of every chunk of a candidate post; -inf for the other chunks."""
    certain: int
    """How many leading entries of `rows` no other post can outscore."""


class CandidateScorer:
    """Candidates and their exact scores for one loaded index version."""

    def __init__(self, index: IndexData) -> None:
        self.index = index
        post_row = index.chunks.post_row
        rows = np.arange(len(index.posts))
        # chunks of a post are contiguous: its range [first, end) in the chunk table
        self._first = np.searchsorted(post_row, rows)
        self._end = np.searchsorted(post_row, rows + 1)
        self._post_row = post_row

    def score(
        self, query_vec: np.ndarray, lexical: np.ndarray | None, combine: Combine, head: int
    ) -> Scored:
        """Candidates for `query_vec` scored with `combine`, widened until `head` are certain."""
        q = np.ascontiguousarray(query_vec, dtype=np.float32).reshape(1, -1)
        n_posts, n_chunks = len(self.index.posts), len(self._post_row)
        k_chunks, k_titles, k_lexical = CHUNK_NEIGHBOURS, TITLE_NEIGHBOURS, LEXICAL_TOP
        while True:
            chunk_rows, chunk_floor = _neighbours(self.index.chunk_index, q, k_chunks)
            title_rows, title_floor = _neighbours(self.index.title_index, q, k_titles)
            lexical_rows, lexical_floor = _top(lexical, k_lexical)
            rows = np.unique(np.concatenate([self._post_row[chunk_rows], title_rows, lexical_rows]))
            scored = self._exact(q[0], rows, lexical, combine)
            bound = combine(
                np.array([max(chunk_floor, title_floor)]),
                np.array([title_floor]),
                np.array([lexical_floor]),
            )[0]
            certain = int(np.count_nonzero(scored.scores[scored.rows] > bound))
            unseen = k_chunks < n_chunks or k_titles < n_posts or k_lexical < n_posts
            if certain >= min(head, len(rows)) or not unseen:
                return scored._replace(certain=len(rows) if not unseen else certain)
            k_chunks, k_titles, k_lexical = (WIDEN * k for k in (k_chunks, k_titles, k_lexical))

    def _exact(
        self, q: np.ndarray, rows: np.ndarray, lexical: np.ndarray | None, combine: Combine
    ) -> Scored:
        """Best chunk, title and lexical score of each row, from the stored vectors."""
        title = _dot(self.index.title_vectors, rows, q)
        first, end = self._first[rows], self._end[rows]
        sizes = end - first
        ids = np.repeat(first - np.cumsum(sizes) + sizes, sizes) + np.arange(sizes.sum())
        sims = _dot(self.index.chunk_vectors, ids, q)
        dense = title.copy()  # a post without text is judged on its title alone
        with_text = sizes > 0
        if len(sims):
            starts = (np.cumsum(sizes) - sizes)[with_text]
            dense[with_text] = np.maximum.reduceat(sims, starts)
        lex = lexical[rows] if lexical is not None else np.zeros(len(rows), np.float32)
        post_scores = combine(dense, title, lex)
        scores = np.full(len(self.index.posts), -np.inf, dtype=post_scores.dtype)
        scores[rows] = post_scores
        chunk_sims = np.full(len(self._post_row), -np.inf, dtype=np.float32)
        chunk_sims[ids] = sims
        order = rows[np.argsort(-post_scores, kind="stable")]
        return Scored(order, scores, chunk_sims, 0)


def _neighbours(index: faiss.Index, q: np.ndarray, k: int) -> tuple[np.ndarray, float]:
    """Ids of the `k` nearest vectors, and the similarity no vector left out exceeds."""
    k = min(k, index.ntotal)
    if k == 0:
        return np.zeros(0, np.int64), -np.inf
    sims, ids = index.search(q, k)
    found = ids[0] >= 0
    everything = k == index.ntotal and bool(found.all())
    return ids[0][found], -np.inf if everything else float(sims[0][found][-1])


def _top(scores: np.ndarray | None, k: int) -> tuple[np.ndarray, float]:
    """Rows of the `k` best scores and the best score left out (0 when none are positive)."""
    if scores is None or not len(scores):
        return np.zeros(0, np.int64), 0.0
    if k >= len(scores):
        return np.flatnonzero(scores > 0), 0.0
    top = np.argpartition(-scores, k)[: k + 1]
    best = top[np.argsort(-scores[top], kind="stable")]
    return best[:k][scores[best[:k]] > 0], float(max(scores[best[k]], 0.0))


def _dot(vectors: np.ndarray, ids: np.ndarray, q: np.ndarray) -> np.ndarray:
    """Similarities of the rows `ids` (float16 rows are widened first)."""
    picked = vectors[ids]
    if picked.dtype != np.float32:
        picked = picked.astype(np.float32)
    return picked @ q
