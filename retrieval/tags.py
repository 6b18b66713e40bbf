"""Tag catalogue: fuzzy lookup ('diabetis', 'omega 3', 'ms'), posts per tag, co-occurring tags."""

from __future__ import annotations

import difflib
import re
from collections import Counter, defaultdict
from dataclasses import dataclass

from retrieval.store import PostRecord
from retrieval.synonyms import expansions

GENERIC = {"vitamin d", "top news"}


def tag_key(tag: str) -> str:
    """'Omega-3' and 'omega 3' are one tag."""
    return re.sub(r"[^a-z0-9]+", " ", tag.lower()).strip()


@dataclass(frozen=True)
class TagMatch:
    tag: str
    posts: int


class TagCatalogue:
    def __init__(self, posts: list[PostRecord]) -> None:
        spellings: dict[str, Counter[str]] = defaultdict(Counter)
        self._posts: dict[str, list[PostRecord]] = defaultdict(list)
        for post in posts:
            for key in dict.fromkeys(tag_key(t) for t in post.tags if tag_key(t)):
                self._posts[key].append(post)
            for t in post.tags:
                spellings[tag_key(t)][t] += 1
        # Show the most used spelling, preferring lower case on ties ('diabetes' over 'Diabetes').
        self.display = {
            k: max(c, key=lambda s: (c[s], s.islower())) for k, c in spellings.items() if k
        }
        for items in self._posts.values():
            items.sort(key=lambda p: p.date, reverse=True)

    def __len__(self) -> int:
        return len(self._posts)

    def count(self, key: str) -> int:
        return len(self._posts.get(key, ()))

    def resolve(self, name: str) -> str | None:
        """The key of the tag a user named (exact, synonym or best fuzzy match)."""
        matches = self.match(name, limit=1)
        return tag_key(matches[0].tag) if matches else None

    def match(self, query: str, limit: int = 25) -> list[TagMatch]:
        """Best tags for a (possibly misspelt) name; an empty query gives the most used tags."""
        q = tag_key(query)
        if not q:
            return self.top(limit)
        wanted = [q] + [tag_key(p) for p in expansions(query)]
        scored: list[tuple[float, int, str]] = []
        for key in self._posts:
            score = max(self._similarity(w, key) for w in wanted)
            if score >= 0.6:
                scored.append((score, self.count(key), key))
        scored.sort(reverse=True)
        return [TagMatch(self.display[k], n) for _, n, k in scored[:limit]]

    @staticmethod
    def _similarity(query: str, key: str) -> float:
        if query == key:
            return 1.0
        if key.startswith(query) or f" {query}" in f" {key}":
            return 0.9 - 0.002 * (len(key) - len(query))
        words = key.split()
        ratio = difflib.SequenceMatcher(None, query, key).ratio()
        word_ratio = max(difflib.SequenceMatcher(None, query, w).ratio() for w in words)
        return max(ratio, 0.95 * word_ratio) if len(query) > 3 else ratio

    def posts(self, key: str) -> list[PostRecord]:
        """Posts with the tag, newest first."""
        return list(self._posts.get(key, ()))

    def related(self, key: str, limit: int = 8) -> list[TagMatch]:
        """Tags that most often appear on the same posts."""
        counts: Counter[str] = Counter()
        for post in self._posts.get(key, ()):
            counts.update({tag_key(t) for t in post.tags} - {key} - GENERIC)
        counts.pop("", None)
        return [TagMatch(self.display[k], n) for k, n in counts.most_common(limit)]

    def top(self, limit: int = 25) -> list[TagMatch]:
        ranked = sorted(self._posts, key=lambda k: -self.count(k))
        return [TagMatch(self.display[k], self.count(k)) for k in ranked[:limit]]
