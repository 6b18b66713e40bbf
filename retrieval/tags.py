"""Tag catalogue: lookup by any name of a topic, posts per tag, co-occurring tags.

A name resolves through the topic vocabulary (lay names, abbreviations, possessives, chemical
symbols, other languages: 'brittle bones', 'Crohn's', 'Zn', 'Brustkrebs') and the ontology's
phrases and equivalences ('c-section' -> caesarean, 'chronic kidney disease' = ckd), then by
fuzzy spelling ('diabetis').
"""

from __future__ import annotations

import difflib
from collections import Counter, defaultdict
from dataclasses import dataclass

from retrieval import synonyms
from retrieval.ontology import TagOntology, tag_key
from retrieval.store import IndexData, PostRecord

__all__ = ["GENERIC_TAGS", "TagCatalogue", "TagMatch", "is_generic", "tag_key"]

SITE_TAGS = frozenset(
    {"admin only", "category", "old name", "video page names", "z", "z section", "about d intro",
     "about d more", "more d topics", "books videos", "off topic", "follow thru", "conference"}
)  # fmt: skip
"""Tags that say how the site is organised, not what a post is about (read off the archive's
whole list of 333 tags): "Closest tags: category, admin only" helped nobody."""
GENERIC_TAGS = (
    frozenset(
        {
            "vitamin d",
            "vitamin d blood test",
            "intervention",
            "therapeutic intervention",
            "top news",
        }
    )
    | SITE_TAGS
)
"""On so many posts that they say nothing about one, or naming the site's own organisation:
never suggested, shown or called related (tag keys, `tag_key`)."""


def is_generic(tag: str) -> bool:
    return tag_key(tag) in GENERIC_TAGS


@dataclass(frozen=True)
class TagMatch:
    tag: str
    posts: int


class TagCatalogue:
    def __init__(self, posts: list[PostRecord], ontology: TagOntology | None = None) -> None:
        self.ontology = ontology or TagOntology()
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

    @classmethod
    def for_index(cls, index: IndexData) -> TagCatalogue:
        """The catalogue of a loaded index version, with the ontology it was built with."""
        ontology = TagOntology.from_json(index.ontology) if index.ontology else None
        return cls(index.posts, ontology)

    def count(self, key: str) -> int:
        return len(self._posts.get(key, ()))

    def resolve(self, name: str) -> str | None:
        """The key of the tag a user named (exact, synonym or best fuzzy match)."""
        matches = self.match(name, limit=1)
        return tag_key(matches[0].tag) if matches else None

    def _wanted(self, query: str) -> dict[str, bool]:
        """Names the query may stand for, best first, each marked whether a misspelling of it
        should count (only for what the user typed: a vocabulary phrase is spelt right)."""
        restated = synonyms.translate(query, None, tags=True)
        found = [m.rule.phrase for m in synonyms.matches(query, tags=True)]
        wanted: dict[str, bool] = {}
        for name in [query, *synonyms.names(query), restated, *found]:
            # A name whose alias is itself a tag: 'fatty liver' -> NAFLD, 'winter blues' -> SAD.
            tagged = [a for a in synonyms.aliases(name) if tag_key(a) in self._posts]
            for alias in [name, *tagged]:
                for key in self.ontology.tags_for(alias):
                    wanted.setdefault(key, alias in (query, restated))
        return wanted

    def match(self, query: str, limit: int = 25) -> list[TagMatch]:
        """Best tags for a (possibly misspelt, lay or foreign) name; an empty query gives the
        most used tags."""
        if not tag_key(query):
            return self.top(limit)
        wanted = list(self._wanted(query).items())
        scored: list[tuple[float, int, str]] = []
        for key in self._posts:
            # Earlier names are trusted a little more, so ties go to the likelier meaning.
            score = max(
                (1 - 0.01 * i) * self._similarity(name, key, fuzzy)
                for i, (name, fuzzy) in enumerate(wanted)
            )
            if score >= 0.6:
                scored.append((score, self.count(key), key))
        scored.sort(reverse=True)
        return [TagMatch(self.display[k], n) for _, n, k in scored[:limit]]

    @staticmethod
    def _similarity(query: str, key: str, fuzzy: bool = True) -> float:
        if query == key or query.replace(" ", "") == key.replace(" ", ""):
            return 1.0  # 'parkinson s' is 'parkinsons'
        if key.startswith(query) or f" {query}" in f" {key}":
            return 0.9 - 0.002 * (len(key) - len(query))
        words = key.split()
        if set(words) <= set(query.split()):  # the tag is part of a longer name
            return 0.85 - 0.01 * (len(query.split()) - len(words))
        if not fuzzy:
            return 0.0
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
            counts.update({tag_key(t) for t in post.tags} - {key} - GENERIC_TAGS)
        counts.pop("", None)
        return [TagMatch(self.display[k], n) for k, n in counts.most_common(limit)]

    def top(self, limit: int = 25) -> list[TagMatch]:
        ranked = sorted(self._posts, key=lambda k: -self.count(k))
        return [TagMatch(self.display[k], self.count(k)) for k in ranked[:limit]]
