"""Question -> the best posts, each with its key findings and link.

Posts are scored from two dense signals: the best-matching chunk of the post and the post title
(titles on this site summarise the finding). Posts with the same title are collapsed into one hit.
Both front ends (CLI and Discord) call `Searcher.search`, so they always say the same thing.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field

import numpy as np

from retrieval import findings
from retrieval.embedding import Embedder
from retrieval.store import IndexData, PostRecord
from retrieval.tags import TagCatalogue

DEFAULT_BASE_URL = "https://vitamindwiki.com"
CHUNK_CANDIDATES = 400
TITLE_WEIGHT = 0.5
CONFIDENT_SCORE = 0.45
"""Combined score (scaled to 0..1) above which the best hit is taken as an answer."""
MAX_QUESTION_CHARS = 1000

_NUM_RE = re.compile(r"\d[\d,.]*")


@dataclass(frozen=True)
class Hit:
    slug: str
    title: str
    date: str
    tags: tuple[str, ...]
    url: str
    score: float
    findings: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Answer:
    question: str
    confident: bool
    hits: list[Hit]
    total: int
    """How many posts matched at all (for 'n posts matched' footers and paging)."""

    def to_json(self) -> dict:
        """The CLI/DESIGN.md JSON contract."""
        return {
            "question": self.question,
            "confident": self.confident,
            "results": [
                {
                    k: v
                    for k, v in asdict(h).items()
                    if k in ("slug", "title", "url", "score", "findings")
                }
                for h in self.hits
            ],
        }


def post_url(slug: str, base_url: str = DEFAULT_BASE_URL) -> str:
    return f"{base_url.rstrip('/')}/pages/{slug}/"


def normalize_question(question: str) -> str:
    """Collapse whitespace and cap length; the model reads at most 256 tokens anyway."""
    return " ".join(question.split())[:MAX_QUESTION_CHARS]


class Searcher:
    """Ranks posts of one loaded index version for a question."""

    def __init__(self, index: IndexData, embedder: Embedder, base_url: str = DEFAULT_BASE_URL):
        self.index = index
        self.embedder = embedder
        self.base_url = base_url
        self._title_keys = [" ".join(p.title.lower().split()) for p in index.posts]
        self.tags = TagCatalogue(index.posts)

    def rank_posts(
        self, query_vec: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray, dict[int, list[int]]]:
        """(post rows best first, their scores, best chunk ids per post row)."""
        n_posts = len(self.index.posts)
        chunk_best = np.zeros(n_posts, dtype=np.float32)
        post_chunks: dict[int, list[int]] = {}
        ntotal = self.index.chunk_index.ntotal
        if ntotal:
            sims, ids = self.index.chunk_index.search(
                query_vec[None, :], min(CHUNK_CANDIDATES, ntotal)
            )
            for sim, cid in zip(sims[0], ids[0], strict=True):
                if cid < 0:
                    continue
                row = int(self.index.chunks.post_row[cid])
                if row not in post_chunks:
                    chunk_best[row] = sim
                    post_chunks[row] = []
                post_chunks[row].append(int(cid))
        title_sims = self.index.title_vectors @ query_vec if n_posts else np.zeros(0)
        # A post without a retrieved chunk is judged on its title alone.
        dense = np.where(chunk_best > 0, chunk_best, title_sims)
        scores = (dense + TITLE_WEIGHT * title_sims) / (1 + TITLE_WEIGHT)
        order = np.argsort(-scores, kind="stable")
        return order, scores, post_chunks

    def _collapse(self, order: np.ndarray, scores: np.ndarray) -> list[int]:
        """One entry per title: the best-scoring copy (usually the one with a body)."""
        seen: set[str] = set()
        rows: list[int] = []
        for row in order:
            key = self._title_keys[row]
            if key in seen:
                continue
            seen.add(key)
            rows.append(int(row))
        return rows

    def search(self, question: str, k: int = 3, start: int = 0) -> Answer:
        """The `k` best posts from rank `start` (for paging), with findings and links."""
        question = normalize_question(question)
        if not question or not self.index.posts:
            return Answer(question, False, [], 0)
        query_vec = self.embedder.encode([question])[0]
        order, scores, post_chunks = self.rank_posts(query_vec)
        rows = self._collapse(order, scores)
        page = rows[start : start + max(k, 0)]
        best = float(scores[rows[0]]) if rows else 0.0
        hits = self._hits(page, scores, post_chunks, query_vec, question)
        matched = sum(1 for r in rows if scores[r] >= CONFIDENT_SCORE)
        return Answer(question, best >= CONFIDENT_SCORE, hits, matched)

    def _hits(
        self,
        rows: list[int],
        scores: np.ndarray,
        post_chunks: dict[int, list[int]],
        query_vec: np.ndarray,
        question: str,
    ) -> list[Hit]:
        per_post = []
        for row in rows:
            post = self.index.posts[row]
            texts = [self.index.chunks.text[c] for c in post_chunks.get(row, [])[:2]]
            per_post.append((post, findings.candidates(texts, list(post.bold))))
        all_text = [c.text for _, cands in per_post for c in cands]
        sims = self.embedder.encode(all_text) @ query_vec if all_text else np.zeros(0)
        numbers = set(_NUM_RE.findall(question))
        hits: list[Hit] = []
        offset = 0
        for row, (post, cands) in zip(rows, per_post, strict=True):
            part = sims[offset : offset + len(cands)]
            offset += len(cands)
            hits.append(self._hit(post, float(scores[row]), findings.rank(cands, part, numbers)))
        return hits

    def _hit(self, post: PostRecord, score: float, found: list[str]) -> Hit:
        return Hit(
            slug=post.slug,
            title=post.title,
            date=post.date,
            tags=post.tags,
            url=post_url(post.slug, self.base_url),
            score=round(score, 4),
            findings=found,
        )
