"""Longest whole-phrase matching over a text's words: the one way the vocabulary's aliases and
the subject list's names are found in a question."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Generic, TypeVar

T = TypeVar("T")


class PhraseTable(Generic[T]):
    """Phrases (tuples of words) with a value each; the first value given for a phrase stays."""

    def __init__(self, items: Iterable[tuple[tuple[str, ...], T]]) -> None:
        self.values: dict[tuple[str, ...], T] = {}
        for phrase, value in items:
            self.values.setdefault(phrase, value)
        lengths: dict[str, set[int]] = {}
        for phrase in self.values:
            lengths.setdefault(phrase[0], set()).add(len(phrase))
        # per first word, the lengths of the phrases it starts, longest first: a word starts no
        # phrase far more often than one, and only the lengths it does start are looked up
        self._lengths = {w: tuple(sorted(n, reverse=True)) for w, n in lengths.items()}

    def find(self, words: Sequence[str]) -> list[tuple[int, int, T]]:
        """(first word, number of words, value) of the longest phrase starting at each word,
        left to right; a phrase found is skipped whole, so none overlap."""
        found: list[tuple[int, int, T]] = []
        i = 0
        while i < len(words):
            for n in self._lengths.get(words[i], ()):
                value = self.values.get(tuple(words[i : i + n])) if i + n <= len(words) else None
                if value is not None:
                    found.append((i, n, value))
                    i += n
                    break
            else:
                i += 1
        return found
