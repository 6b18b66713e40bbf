"""Lexical matching: BM25 over each post (bm25s), and the terms and IDF sentences are matched on."""

from __future__ import annotations

import logging
import math
import re
from collections import Counter
from functools import lru_cache

import bm25s
import numpy as np

from retrieval.store import IndexData
from retrieval.text import SENTENCES_KEPT, singular

logging.getLogger("bm25s").setLevel(logging.WARNING)  # it sets DEBUG on itself at import


class LexicalIndex:
    def __init__(self, index: IndexData) -> None:
        docs = [
            " ".join([p.title, " ".join(p.tags), *chunks])
            for p, chunks in zip(index.posts, index.post_chunks(), strict=True)
        ]
        self.n = len(docs)
        df: Counter[str] = Counter()
        for doc in docs:
            df.update(terms(doc))
        self.idf = {w: math.log(1 + self.n / (1 + c)) for w, c in df.items()}
        self.retriever = bm25s.BM25()
        if self.n:
            corpus = bm25s.tokenize(docs, stopwords="en", show_progress=False)
            self.retriever.index(corpus, show_progress=False)

    def scores(self, query: str) -> np.ndarray:
        """One score per post row, the best post scaled to 1 (all zero when nothing matches)."""
        ids = self.token_ids(query)
        if not ids:
            return np.zeros(self.n, dtype=np.float32)
        out = np.asarray(self.retriever.get_scores_from_ids(ids), dtype=np.float32)
        top = out.max()
        return out / top if top > 0 else out

    def token_ids(self, query: str) -> list[int]:
        """The query's BM25 vocabulary ids (words the archive never uses are dropped)."""
        tokens = [t for t in _BM25_TOKEN_RE.findall(query.lower()) if t not in _BM25_STOP]
        return self.retriever.get_tokens_ids(tokens) if self.n else []

    def posts_with(self, word: str) -> np.ndarray | None:
        """Rows of the posts whose title, tags or text has the lower-case word; None for a word
        BM25 does not index (a stopword or a single character), which says nothing."""
        if len(word) < 2 or word in _BM25_STOP or not _BM25_TOKEN_RE.fullmatch(word):
            return None
        token = self.retriever.vocab_dict.get(word) if self.n else None
        if token is None:
            return np.zeros(0, dtype=np.int64)
        return np.flatnonzero(self.retriever.get_scores_from_ids([token]))

    def weights(self, query_terms: set[str]) -> dict[str, float]:
        """Each of the question's terms with its IDF (1 for a word no post has): how much it
        counts when a sentence has it (`sentence_table.overlaps`). In sorted order, so that their
        sum, and every score added from them, is the same in every process (a set's order follows
        the process's string hashing)."""
        return {w: self.idf.get(w, 1.0) for w in sorted(query_terms)}


# bm25s's own tokenization (its default pattern and English stopwords), without its overhead
_BM25_TOKEN_RE = re.compile(r"(?u)\b\w\w+\b")
_BM25_STOP = frozenset(bm25s.stopwords.STOPWORDS_EN)
_WORD_RE = re.compile(r"[a-z0-9]+(?:[.,]\d+)*")
_QUESTION_WORDS = "vitamin d does do can could would will how much what should my i me get take any"
_STOP = _BM25_STOP | frozenset(_QUESTION_WORDS.split())


def terms(text: str) -> set[str]:
    """Lower-case words without stopwords, plural 's' dropped, thousands separators removed."""
    return _lower_terms(text.lower())


@lru_cache(maxsize=SENTENCES_KEPT)
def sentence_terms(low: str) -> frozenset[str]:
    """`_lower_terms`, kept: tokenising is most of what matching a sentence costs, and a serving
    process prepares every sentence of its index version once (`Searcher.prepare_findings`)."""
    return frozenset(_lower_terms(low))


def _lower_terms(low: str) -> set[str]:
    """`terms` of text that is lower-case already."""
    return {t for t in map(_term, set(_WORD_RE.findall(low))) if t}


def term_spans(low: str) -> list[tuple[int, int, str]]:
    """Where each term of lower-case text is: (start, end, term), stopwords left out."""
    spans = ((m.start(), m.end(), _term(m.group())) for m in _WORD_RE.finditer(low))
    return [span for span in spans if span[2]]


@lru_cache(maxsize=200_000)
def _term(word: str) -> str:
    word = re.sub(r"(?<=\d),(?=\d{3}\b)", "", word)
    if word in _STOP:
        return ""
    return singular(word)
