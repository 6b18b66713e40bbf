"""Which posts a question is scored against: all of them while the index is exact and small,
else the posts FAISS and BM25 find.

An exact index holds few enough vectors (`store.FLAT_MAX_VECTORS` chunks) that one product over
all of them is the cheapest exact answer: FAISS's flat search is that same scan plus a heap
(0.72 vs 0.47 ms for the archive's 16k chunks, column-major), and scoring every post also keeps
match counts exact. So every post is scored there.

Over an approximate (IVF) index, candidates are the posts of the question's nearest chunks, of
its nearest titles and BM25's top posts (and, for a question in another language, the posts its
multilingual lift raises most), and only they are scored: best chunk, title and lexical score,
from the stored vectors. A post with a chunk among the neighbours has its best
chunk among them too, as far as the list is exact; the other candidates have all their chunks
scored, unless even a best chunk a little above the last one found (`MISSED_BY`) could not lift
them into the head. A post left out has every chunk below the last chunk found, its title below
the last title found and its BM25 score below the last one taken, so (the scoring being
monotone) it cannot outscore the combination of those three: `Scored.certain` counts the entries
above it. How close the head comes to the exact one is measured by benchmarks/scale.py.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import NamedTuple

import faiss
import numpy as np

from retrieval import store, threads
from retrieval.arrays import ranges, unique
from retrieval.store import IndexData, IvfRows

CHUNK_NEIGHBOURS = 400
TITLE_NEIGHBOURS = 400
LEXICAL_TOP = 100
"""(recall@10 with benchmarks/scale.py: at 30x 0.996 with 200 chunks and titles, 0.988 with 100
titles and 50 BM25 posts; at 100x, where one post's 100 near-copies fill a list of 200, 0.969
with 200 chunks and titles, 0.984 with either at 400, 0.992 with both, for the same time)"""
PROBED = 0.0125
MIN_PROBES = 64
"""Share of the inverted lists an approximate search reads, at least MIN_PROBES: a constant
share keeps recall as the lists multiply (recall@10 at 30x, 2,776 lists: 0.989 with 32, 0.996
with 64 and with 128; at 100x, 5,069 lists, with 400 neighbours: 0.992 with 127 probes, 0.990
with 64 and 1 ms less ranking time, 0.988 with 51)."""
SAMPLE_STRIDE = 64
"""BM25's top posts are picked among those above a threshold from every 64th score: at 100x
(246,700 posts) 71 instead of 316 us a question, the same rows up to ties."""
MISSED_BY = 0.05
"""How far above the last chunk found a post's unfound best chunk may be (the lists are
approximate). A candidate the chunk search did not reach is scored only if, with its best chunk
that high, it could enter the head: at 30x recall@10 was 0.992 with this margin and with none
skipped, 0.990 with no margin, and the step took 2.1 instead of 3.0 ms."""
Combine = Callable[[np.ndarray, np.ndarray, np.ndarray, np.ndarray], np.ndarray]
"""(best chunk or title-only similarity, title similarity, lexical score, prior) -> post score,
for arrays of posts; must never decrease when one of its inputs grows. A post's own prior is
<= 0; only a question's lift (`CandidateScorer.score`) raises it above."""
Lexical = np.ndarray | None | Callable[[], np.ndarray | None]
"""Each post's lexical score (None: none), or a function giving them."""


class ChunkSims:
    """The question's similarity to each chunk of a post, for its key findings: read from the
    product over every chunk when every post was scored, else worked out for a post when first
    asked for (only the posts shown are). So a question over an approximate index never fills an
    array of every chunk (6.4 MB at 100x)."""

    def __init__(
        self, scorer: CandidateScorer, q: np.ndarray, every: np.ndarray | None = None
    ) -> None:
        """`every`: the similarity of every chunk, when it was worked out."""
        self._vectors, self._first, self._end = scorer.chunk_vectors, scorer.first, scorer.end
        self._q, self._every = q, every
        self._posts: dict[int, np.ndarray] = {}

    def of_post(self, row: int) -> np.ndarray:
        """Similarities of the post's chunks, in their order (empty for a post without text)."""
        first, end = int(self._first[row]), int(self._end[row])
        if self._every is not None:
            return self._every[first:end]
        if row not in self._posts:
            self._posts[row] = _sims(self._vectors, np.arange(first, end), self._q)
        return self._posts[row]


class Scored(NamedTuple):
    rows: np.ndarray
    """Candidate post rows, best first (at most `limit` of them)."""
    scores: np.ndarray
    """Score of every post row; -inf for posts that were not candidates."""
    chunk_sims: ChunkSims
    certain: int
    """How many leading entries of `rows` no post left out can outscore, as far as the
    neighbour lists are exact (all of them when every post was scored)."""


class CandidateScorer:
    """Candidates and their exact scores for one set of chunk and title vectors."""

    def __init__(
        self,
        chunk_index: faiss.Index | None,
        title_index: faiss.Index | None,
        chunk_vectors: np.ndarray | IvfRows,
        title_vectors: np.ndarray | IvfRows,
        post_row: np.ndarray,
        exhaustive: bool | None = None,
    ) -> None:
        """`exhaustive`: score every post (default: unless the indexes are approximate). Without
        indexes, candidates are searched in exact flat indexes made from the vectors."""
        if exhaustive is None:
            exhaustive = not any(isinstance(i, faiss.IndexIVF) for i in (chunk_index, title_index))
        self.exhaustive = exhaustive
        self.chunk_index = _or_flat(chunk_index, chunk_vectors, exhaustive)
        self.title_index = _or_flat(title_index, title_vectors, exhaustive)
        self.chunk_vectors, self.title_vectors = chunk_vectors, title_vectors
        rows = np.arange(len(title_vectors))
        # chunks of a post are contiguous: its range [first, end) in the chunk table
        self.first = np.searchsorted(post_row, rows)
        self.end = np.searchsorted(post_row, rows + 1)
        self._post_row = post_row
        self._all = rows
        self.with_text = self.end > self.first
        """The posts that have chunks (the others are judged on their title alone)."""
        self._text_rows = np.flatnonzero(self.with_text)
        self.text_first = self.first[self._text_rows]
        """The first chunk of each post with text, in row order."""
        self._chunk_params = _search_params(self.chunk_index)
        self._title_params = _search_params(self.title_index)

    @classmethod
    def for_index(cls, index: IndexData, exhaustive: bool | None = None) -> CandidateScorer:
        return cls(
            index.chunk_index, index.title_index, index.chunk_vectors, index.title_vectors,
            index.chunks.post_row, exhaustive,
        )  # fmt: skip

    def score(
        self,
        query_vec: np.ndarray,
        lexical: Lexical,
        combine: Combine,
        head: int,
        limit: int = 1000,
        prior: np.ndarray | None = None,
        lift: np.ndarray | None = None,
    ) -> Scored:
        """Candidates for `query_vec` scored with `combine` (and each post's `prior`, <= 0, plus
        its `lift` for this question, of any sign), the best `limit` in order; a candidate that
        could not enter the first `head` may be left unscored (over an approximate index), where
        the posts `lift` raises most are candidates too. `lexical` is read once the vector
        searches are done, so a function giving it may work it out meanwhile (`threads.beside`)."""
        q = np.ascontiguousarray(query_vec, dtype=np.float32).reshape(1, -1)
        if lift is not None:
            prior = lift if prior is None else prior + lift
        if self.exhaustive:
            scored = self._exact(q[0], self._all, lexical, combine, limit, prior)
            return scored._replace(certain=len(scored.rows))
        assert self.chunk_index is not None and self.title_index is not None  # see __init__
        # the two searches release the GIL: the titles on the side thread, beside the chunks
        title_index, title_params = self.title_index, self._title_params
        titles = threads.beside(lambda: _neighbours(title_index, q, TITLE_NEIGHBOURS, title_params))
        chunk_ids, chunk_sims, chunk_floor = _neighbours(
            self.chunk_index, q, CHUNK_NEIGHBOURS, self._chunk_params
        )
        title_rows, title_sims, title_floor = titles.result()
        lexical = _scores(lexical)
        lexical_rows, lexical_floor = _top(lexical, LEXICAL_TOP)
        lifted_rows, lift_floor = _top(lift, LEXICAL_TOP)
        rows = unique(
            np.concatenate([self._post_row[chunk_ids], title_rows, lexical_rows, lifted_rows])
        )
        scored = self._exact(
            q[0],
            rows,
            lexical,
            combine,
            limit,
            prior,
            (chunk_ids, chunk_sims),
            (title_rows, title_sims),
            (chunk_floor, head),
        )
        bound = combine(
            np.array([max(chunk_floor, title_floor)]),
            np.array([title_floor]),
            np.array([lexical_floor]),
            np.array([lift_floor]),  # a post left out has no lift above it; no prior above 0
        )[0]
        return scored._replace(certain=int(np.count_nonzero(scored.scores[scored.rows] > bound)))

    def _exact(
        self,
        q: np.ndarray,
        rows: np.ndarray,
        lexical: Lexical,
        combine: Combine,
        limit: int,
        prior: np.ndarray | None,
        found: tuple[np.ndarray, np.ndarray] | None = None,
        titles: tuple[np.ndarray, np.ndarray] | None = None,
        prune: tuple[float, int] | None = None,
    ) -> Scored:
        """Best chunk, title and lexical score of each row. A post with a chunk among the
        `found` neighbours (ids, similarities) has its best chunk among them too, as far as the
        neighbour list is exact; the other rows have all their chunks scored. The similarities
        of the `titles` found (rows, similarities) are reused. With `prune` (the last chunk
        similarity found, the head), rows the chunk search did not reach are dropped unscored
        when they could not enter the head."""
        n_posts = len(self.title_vectors)
        if len(rows) == n_posts:  # one product over the stored vectors, no gathering
            # Both products read memory the encode has just pushed out of the cache: the titles'
            # on the side thread (after any work already queued there), the chunks' here, at once.
            title_vectors = np.asarray(self.title_vectors)
            title_job = threads.beside(lambda: title_vectors @ q)
            chunk_sims = np.asarray(self.chunk_vectors) @ q
            title = title_job.result()
            dense = title.copy()  # a post without text is judged on its title alone
            if len(chunk_sims):
                dense[self._text_rows] = np.maximum.reduceat(chunk_sims, self.text_first)
            lex, pri = _scores(lexical), prior  # every row, in row order: no gathering
            if lex is None or pri is None:
                zeros = np.zeros(n_posts, np.float32)
                lex, pri = zeros if lex is None else lex, zeros if pri is None else pri
            post_scores = combine(dense, title, lex, pri)
            every = ChunkSims(self, q, chunk_sims)
            return self._ranked(rows, post_scores, post_scores, every, limit)
        title = np.full(len(rows), np.nan, dtype=np.float32)
        if titles is not None:  # the title search's own similarities, where it has them
            at = np.searchsorted(rows, titles[0])  # rows are sorted and hold every title found
            title[at] = titles[1]
        missing = np.flatnonzero(np.isnan(title))
        if len(missing):
            title[missing] = _sims(self.title_vectors, rows[missing], q)
        dense = title.copy()
        reached = np.zeros(len(rows), dtype=bool)
        if found is not None and len(found[0]):
            ids, sims = found
            best = np.full(len(rows), -np.inf, dtype=np.float32)  # per candidate, not per post
            np.maximum.at(best, np.searchsorted(rows, self._post_row[ids]), sims)
            reached = best > -np.inf
            dense[reached] = best[reached]
        lex, pri = _or_zeros(_scores(lexical), rows), _or_zeros(prior, rows)
        if prune is not None and reached.any():
            last, head = prune
            known = combine(dense[reached], title[reached], lex[reached], pri[reached])
            kth = -np.partition(-known, head - 1)[head - 1] if len(known) >= head else -np.inf
            has_text = self.with_text[rows]
            ceiling = combine(np.where(has_text, last + MISSED_BY, title), title, lex, pri)
            keep = reached | (ceiling >= kth)
            rows, title, dense, lex, pri, reached = (
                a[keep] for a in (rows, title, dense, lex, pri, reached)
            )
        others = np.flatnonzero(~reached)
        ids, sizes = self._chunks_of(rows[others])
        if len(ids):
            sims = _sims(self.chunk_vectors, ids, q)
            with_text = sizes > 0
            starts = (np.cumsum(sizes) - sizes)[with_text]
            dense[others[with_text]] = np.maximum.reduceat(sims, starts)
        post_scores = combine(dense, title, lex, pri)
        scores = np.full(n_posts, -np.inf, dtype=post_scores.dtype)
        scores[rows] = post_scores
        return self._ranked(rows, post_scores, scores, ChunkSims(self, q), limit)

    def _chunks_of(self, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Chunk ids of `rows`, post after post, and how many each post has."""
        return ranges(self.first[rows], self.end[rows])

    @staticmethod
    def _ranked(
        rows: np.ndarray,
        post_scores: np.ndarray,
        scores: np.ndarray,
        chunk_sims: ChunkSims,
        limit: int,
    ) -> Scored:
        """The best `limit` rows in order (only the head is ever read: partition, then sort)."""
        head = min(len(rows), limit)
        top = np.argpartition(-post_scores, head - 1)[:head] if head else np.arange(0)
        order = rows[top[np.argsort(-post_scores[top], kind="stable")]]
        return Scored(order, scores, chunk_sims, 0)


def _or_flat(
    index: faiss.Index | None, vectors: np.ndarray | IvfRows, exhaustive: bool
) -> faiss.Index | None:
    """`index`, or for a candidate search without one an exact flat index of `vectors`."""
    if index is None and not exhaustive:
        return store.make_index(vectors, "flat")
    return index


def _sims(vectors: np.ndarray | IvfRows, ids: np.ndarray, q: np.ndarray) -> np.ndarray:
    """Similarity of the vectors `ids` to `q`."""
    return vectors.sims(ids, q) if isinstance(vectors, IvfRows) else vectors[ids] @ q


def _scores(lexical: Lexical) -> np.ndarray | None:
    return lexical() if callable(lexical) else lexical


def _or_zeros(values: np.ndarray | None, rows: np.ndarray) -> np.ndarray:
    return values[rows] if values is not None else np.zeros(len(rows), np.float32)


def _search_params(index: faiss.Index | None) -> faiss.SearchParametersIVF | None:
    """How an IVF index is searched (made once: FAISS only reads them)."""
    if not isinstance(index, faiss.IndexIVF):
        return None
    params = faiss.SearchParametersIVF()
    params.nprobe = max(MIN_PROBES, math.ceil(PROBED * index.nlist))
    return params


def _neighbours(
    index: faiss.Index, q: np.ndarray, k: int, params: faiss.SearchParametersIVF | None
) -> tuple[np.ndarray, np.ndarray, float]:
    """Ids and similarities of the `k` nearest vectors, and the similarity no vector left out
    exceeds (exactly so for a flat index)."""
    k = min(k, index.ntotal)
    if k == 0:
        return np.zeros(0, np.int64), np.zeros(0, np.float32), -np.inf
    sims, ids = index.search(q, k, params=params)
    found = ids[0] >= 0
    everything = k == index.ntotal and bool(found.all())
    floor = -np.inf if everything else float(sims[0][found][-1])
    return ids[0][found], sims[0][found], floor


def _top(scores: np.ndarray | None, k: int) -> tuple[np.ndarray, float]:
    """Rows of the `k` best scores and the best score left out (0 when none are positive)."""
    if scores is None or not len(scores):
        return np.zeros(0, np.int64), 0.0
    if k >= len(scores):
        return np.flatnonzero(scores > 0), 0.0
    rows = _at_least(scores, k + 1)
    top = rows[np.argpartition(-scores[rows], k)[: k + 1]]
    best = top[np.argsort(-scores[top], kind="stable")]
    return best[:k][scores[best[:k]] > 0], float(max(scores[best[k]], 0.0))


def _at_least(scores: np.ndarray, n: int) -> np.ndarray:
    """Rows holding the `n` best scores (and some more): those at or above a threshold that
    every `SAMPLE_STRIDE`-th score puts about 4n rows clear, or all rows if that finds fewer.
    One comparison pass instead of a partition of every score."""
    sample = scores[::SAMPLE_STRIDE]
    j = len(sample) - 1 - 4 * n // SAMPLE_STRIDE
    if j > 0:
        rows = np.flatnonzero(scores >= np.partition(sample, j)[j])
        if len(rows) >= n:
            return rows
    return np.arange(len(scores))
