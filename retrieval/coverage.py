"""Does the archive cover what a question is about?

A near-topic question ("does vitamin D help <a condition the site never wrote about>?") still
finds plenty of vitamin D posts that look close, so a score threshold alone answers it
confidently. What tells it apart is a specific word of the question that no post contains, or
that none of the posts shown contains. A word counts as specific when it is uncommon in English
(wordfreq's Zipf frequency, shipped inside its wheel) and is no vocabulary alias, so everyday
words people use instead of medical terms never count; a misspelling of a word the archive has
('diabetis') never counts either. Other-language questions are not judged: the vocabulary cannot
restate every inflected word, and an untranslated word would look unknown.
"""

from __future__ import annotations

import difflib
import re
from collections import defaultdict
from collections.abc import Iterable
from functools import lru_cache

from retrieval.lexical import terms
from retrieval.synonyms import matches

COMMON_ZIPF = 3.0
"""Words at least this frequent (about once per 1M words) are everyday words, not subjects."""
MIN_LETTERS = 5
TYPO_SIMILARITY = 0.8
"""difflib ratio above which an unknown word is taken as a misspelling of an archive word."""
_WORD_RE = re.compile(r"^[a-z]+$")


@lru_cache(maxsize=65536)
def _zipf(word: str) -> float:
    from wordfreq import zipf_frequency

    return zipf_frequency(word, "en")


class ArchiveWords:
    """The archive's words, grouped for a cheap nearest-spelling check."""

    def __init__(self, known: Iterable[str]) -> None:
        self.known = frozenset(known)
        self._buckets: dict[tuple[str, int], list[str]] = defaultdict(list)
        for word in self.known:
            if _WORD_RE.match(word) and len(word) >= MIN_LETTERS - 2:
                self._buckets[(word[0], len(word))].append(word)

    def misspelt(self, word: str) -> bool:
        """True when the archive has a word spelt nearly the same (same first letter)."""
        matcher = difflib.SequenceMatcher(b=word, autojunk=False)
        for size in range(len(word) - 2, len(word) + 3):
            for other in self._buckets.get((word[0], size), ()):
                matcher.set_seq1(other)
                if (
                    matcher.real_quick_ratio() >= TYPO_SIMILARITY
                    and matcher.quick_ratio() >= TYPO_SIMILARITY
                    and matcher.ratio() >= TYPO_SIMILARITY
                ):
                    return True
        return False

    def specific_words(self, english: str) -> list[str]:
        """The question's uncommon words that are no vocabulary alias, and are not misspellings
        of an archive word (those are in the archive after all)."""
        parts, last = [], 0
        for m in matches(english, "en"):
            parts.append(english[last : m.start])
            last = m.end
        out = []
        for word in sorted(terms(" ".join([*parts, english[last:]]))):
            if len(word) < MIN_LETTERS or not _WORD_RE.match(word) or _zipf(word) >= COMMON_ZIPF:
                continue
            if word in self.known or word + "s" in self.known or not self.misspelt(word):
                out.append(word)
        return out

    def unknown(self, words: Iterable[str]) -> list[str]:
        """Those of `words` that no post contains."""
        return [w for w in words if w not in self.known and w + "s" not in self.known]
