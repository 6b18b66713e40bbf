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

import re
from collections.abc import Iterable
from functools import lru_cache

from retrieval.lexical import terms
from retrieval.synonyms import matches

COMMON_ZIPF = 3.0
"""Words at least this frequent (about once per 1M words) are everyday words, not subjects."""
MIN_LETTERS = 5
_WORD_RE = re.compile(r"^[a-z]+$")
_WORDS_RE = re.compile(r"(?<![\w-])[a-z]+(?![\w-])")


@lru_cache(maxsize=65536)
def _zipf(word: str) -> float:
    from wordfreq import zipf_frequency

    return zipf_frequency(word, "en")


def _deletions(word: str) -> set[str]:
    return {word[:i] + word[i + 1 :] for i in range(len(word))}


class ArchiveWords:
    """The archive's words, with each one-letter deletion of them for a cheap check of whether
    a word is one or two edits from an archive word (a symmetric-deletion index)."""

    def __init__(self, known: Iterable[str]) -> None:
        self.known = frozenset(known)
        self._deleted: set[str] = set()
        for word in self.known:
            if len(word) >= MIN_LETTERS - 1 and _WORD_RE.match(word):
                self._deleted |= _deletions(word)

    def misspelt(self, word: str) -> bool:
        """True when an archive word is within two edits: a letter missing, added, changed or
        two letters swapped, or one of each ('diabetis', 'osteoporsis')."""
        variants = _deletions(word)
        return (
            word in self._deleted
            or not variants.isdisjoint(self.known)
            or not variants.isdisjoint(self._deleted)
        )

    def specific_words(self, english: str) -> list[str]:
        """The question's uncommon words (as written, lower-case) that are no vocabulary alias
        and no misspelling of an archive word (those are in the archive after all)."""
        parts, last = [], 0
        for m in matches(english, "en"):
            parts.append(english[last : m.start])
            last = m.end
        out = []
        for word in dict.fromkeys(_WORDS_RE.findall(" ".join([*parts, english[last:]]).lower())):
            if len(word) < MIN_LETTERS or _zipf(word) >= COMMON_ZIPF:
                continue
            if self._known(word) or not any(map(self.misspelt, {word, *terms(word)})):
                out.append(word)
        return out

    def _known(self, word: str) -> bool:
        return any(t in self.known for t in terms(word))

    def unknown(self, words: Iterable[str]) -> list[str]:
        """Those of `words` that no post contains."""
        return [w for w in words if not self._known(w)]
