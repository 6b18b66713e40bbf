"""Key findings: the sentences of a post that answer the question, quoted verbatim.

Candidates are the sentences of the post's best-matching chunks, its opening chunk (the abstract)
and the lines the author bolded. They are ranked by similarity to the question, lifted for
numbers (most for the numbers the question asked about or the title reports), bold lines and
conclusions. Reference lists, citations, author lines and affiliations are never quoted.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from functools import lru_cache
from typing import NamedTuple

import numpy as np

from retrieval.junk import is_junk
from retrieval.sentences import split_sentences
from retrieval.text import clip

MAX_FINDING_CHARS = 300
MIN_SENTENCE_CHARS = 25

_NUMBER_RE = re.compile(r"\d")
_WORD_RE = re.compile(r"[^\W\d_]{3,}")
_ASCII_NON_LETTERS = bytes(b for b in range(128) if not chr(b).isalpha())
_CONCLUSION_RE = re.compile(r"^(conclusions?|results?|findings|interpretation)\b|\bconclud", re.I)
_CONCLUSION_STARTS = ("conclusion", "result", "findings", "interpretation")
MAX_CANDIDATES = 60
_LIST_MARK_RE = re.compile(r"^[-*]\s+")


class Sentence(NamedTuple):
    """A sentence long enough to quote, with what ranking asks of it (computed once)."""

    text: str
    low: str
    has_number: bool
    concludes: bool


class Candidate(NamedTuple):
    sentence: Sentence
    bold: bool

    @property
    def text(self) -> str:
        return self.sentence.text


def is_quotable(sentence: str) -> bool:
    """False for fragments, mostly non-letters, and junk (citations, authors, site notes,
    captions, navigation, table fragments: see `retrieval.junk`)."""
    s = sentence.strip()
    tokens = len(s.split())
    if len(s) < MIN_SENTENCE_CHARS or tokens < 5:
        return False
    letters = _letters(s)
    if letters < 0.5 * len(s):
        return False
    # Numbers and symbols with a word or two ("January 2000 to June 2012."): only a short or
    # number-heavy sentence can be one, so only those have their words counted.
    if (tokens <= 10 or letters < 0.7 * len(s)) and len(_WORD_RE.findall(s, 0, 200)) < 3:
        return False
    return not is_junk(s)


def _letters(text: str) -> int:
    """How many letters `text` has; ASCII text (most of the archive) is counted in C."""
    if text.isascii():
        return len(text.encode("ascii").translate(None, _ASCII_NON_LETTERS))
    return sum(map(str.isalpha, text))


def _may_conclude(low: str) -> bool:
    """Cheap necessary condition for `_CONCLUSION_RE` (on the lower-cased sentence)."""
    return "conclud" in low or low.startswith(_CONCLUSION_STARTS)


def shorten(text: str, limit: int = MAX_FINDING_CHARS) -> str:
    """One line of at most `limit` characters, so a finding never exceeds it."""
    return clip(" ".join(text.split()), limit)


@lru_cache(maxsize=4096)
def sentences(text: str) -> tuple[Sentence, ...]:
    """The quotable-length sentences of a chunk or bold line. Cached by text: the same posts
    keep answering related questions, and a repeat skips the splitting and per-sentence checks."""
    out = []
    for sentence in split_sentences(text):
        if sentence.startswith(("-", "*")):
            sentence = _LIST_MARK_RE.sub("", sentence)
        if len(sentence) < MIN_SENTENCE_CHARS:
            continue
        low = sentence.lower()
        concludes = _may_conclude(low) and bool(_CONCLUSION_RE.search(sentence))
        out.append(Sentence(sentence, low, bool(_NUMBER_RE.search(sentence)), concludes))
    return tuple(out)


def candidates(chunk_texts: list[str], bold: list[str]) -> list[Candidate]:
    """Sentences from the given chunks, in order, without repeats (quotability is checked in
    `rank`, only for the sentences that rank high enough to be shown)."""
    bold_set = {" ".join(b.split()).lower() for b in bold}
    seen: set[str] = set()
    out: list[Candidate] = []
    for text in chunk_texts:
        for sentence in sentences(text):
            if sentence.low in seen:
                continue
            seen.add(sentence.low)
            out.append(Candidate(sentence, any(b in sentence.low for b in bold_set)))
            if len(out) >= MAX_CANDIDATES:
                return out
    return out


def rank(
    cands: list[Candidate],
    similarities: np.ndarray,
    query_numbers: Collection[str],
    title_numbers: Collection[str] = frozenset(),
    limit: int = 3,
) -> list[str]:
    """Best `limit` findings: similarity, lifted for numbers, bold lines and conclusions."""
    scored: list[tuple[float, int]] = []
    for i, (cand, sim) in enumerate(zip(cands, similarities, strict=True)):
        score = float(sim)
        if cand.sentence.has_number:
            score += 0.05
        if cand.bold:
            score += 0.08
        if cand.sentence.concludes:
            score += 0.05
        if query_numbers and any(n in cand.text for n in query_numbers):
            score += 0.1
        if title_numbers and any(n in cand.text for n in title_numbers):
            score += 0.06
        scored.append((score, i))
    chosen: list[str] = []
    for _, i in sorted(scored, reverse=True):
        text = cands[i].text
        if any(text in c or c in text for c in chosen):
            continue  # the same sentence quoted twice (e.g. bold line and its paragraph)
        if not is_quotable(text):
            continue
        chosen.append(text)
        if len(chosen) == limit:
            break
    return [shorten(t) for t in chosen]
