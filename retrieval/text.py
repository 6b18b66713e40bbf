"""Text rules shared across retrieval and replies: cutting text to a length, the one way every
reply and finding does it; how many sentences' features a process keeps; and reading a word
without its plural 's', as BM25's terms and the vocabulary's loose reading both do."""

from __future__ import annotations

ELLIPSIS = "…"
SENTENCES_KEPT = 131_072
"""Sentences whose findings features (split, result cues, terms) each process keeps: every
sentence of today's archive (91k, chunks and bold lines) fits, and a serving process fills them
once per index version (`Searcher.prepare_findings`): 140 MB more peak RSS for today's archive."""


def clip(text: str, limit: int) -> str:
    """At most `limit` characters: cut at a word boundary when one is in the second half, with an
    ellipsis, and no dangling space or clause punctuation before it."""
    if len(text) <= limit:
        return text
    cut = text[: limit - len(ELLIPSIS)]
    space = cut.rfind(" ")
    if space >= limit // 2:
        cut = cut[:space]
    return cut.rstrip().rstrip(",;:").rstrip() + ELLIPSIS


def singular(word: str) -> str:
    """A lower-case word without a plural 's' ('joints' -> 'joint'; 'stress' and 'was' kept)."""
    return word[:-1] if len(word) > 3 and word.endswith("s") and not word.endswith("ss") else word
