"""Posts' sentences as arrays, built once per post and index version, so that picking and
scoring the finding candidates of the posts shown for a question is a few array operations
instead of Python work per sentence (that work was 0.3 ms a post: a third of a query beyond its
encode).

A table holds every quotable-length sentence of a post's texts (its chunks, then its bold
lines) in order, with what ranking reads of each that does not depend on the question, and the
ids of its terms (`lexical.sentence_terms`), so that the question's words are matched by id.
Tables join into one (`SentenceTable.join`), post after post, so that several posts are scored
in one pass: a serving process joins every post's once per version.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from itertools import accumulate, pairwise
from typing import NamedTuple

import numpy as np

from retrieval.arrays import ranges
from retrieval.findings import (
    MAX_CANDIDATES,
    Sentence,
    completed,
    cues,
    is_quotable,
    may_lead,
    prior,
    result_lift,
    sentences,
    shorten,
)
from retrieval.junk import is_index_line
from retrieval.lexical import sentence_terms
from retrieval.ontology import tag_key


class TermIds:
    """Term -> small integer, shared by the tables of one index version (grows as they are
    built; one lock, since the bot builds tables in several worker threads)."""

    def __init__(self) -> None:
        self._ids: dict[str, int] = {}
        self._lock = threading.Lock()

    def of(self, terms: Iterable[str]) -> list[int]:
        """The ids of `terms`, a new term numbered next. Taken in sorted order: a sentence's terms
        are a set, whose order follows the process's string hashing, and the ids (and the order
        a row's term weights are summed in) must not."""
        with self._lock:
            return [self._ids.setdefault(t, len(self._ids)) for t in sorted(terms)]

    def known(self, terms: Iterable[str]) -> frozenset[int]:
        """The ids of those of `terms` that some table has (no id is added)."""
        return frozenset(i for t in terms if (i := self._ids.get(t)) is not None)

    def query(self, weights: dict[str, float]) -> QueryTerms:
        """The question's terms (`weights`: term -> IDF) by id: asked after the tables it is
        matched against are built, since a table's new terms get their ids then."""
        known = sorted((i, w) for t, w in weights.items() if (i := self._ids.get(t)) is not None)
        return QueryTerms(
            np.array([i for i, _ in known], dtype=np.int64),
            np.array([w for _, w in known], dtype=float),
            sum(weights.values()),
        )


@dataclass(frozen=True)
class SentenceTable:
    """One post's sentences, or several posts' one post after another (`join`), in order,
    with what ranking reads of each (one row each)."""

    sentences: tuple[Sentence, ...]
    shown: tuple[str, ...]
    """Each sentence as a finding quotes it (`findings.shorten`), made once instead of per quote."""
    bounds: np.ndarray
    """The sentences of text t are rows bounds[t]:bounds[t + 1]."""
    text_of: np.ndarray
    """The text of each row (read once per finding quoted: cheaper than searching `bounds`)."""
    key: np.ndarray
    """The same number for the same (lower-case) sentence wherever the post repeats it."""
    prior: np.ndarray
    """What it scores before any question is asked (`findings.prior`)."""
    dose_prior: np.ndarray
    """The same, for a question that asks for an amount."""
    aim: np.ndarray
    result: np.ndarray
    """May lead (`findings.may_lead`): a whole sentence stating a result (a statistic, an amount,
    which way an outcome went, or a conclusion)."""
    dose_result: np.ndarray
    """The same, for a question that asks for an amount (a study's dose answers it)."""
    quotable: np.ndarray
    opens: np.ndarray
    """Starts a passage (`findings.Sentence.opens`; a bold line's sentence as the line has it,
    also where it is quoted as its whole sentence)."""
    term_bounds: np.ndarray
    """The term ids of row r are term_ids[term_bounds[r]:term_bounds[r + 1]]."""
    term_ids: np.ndarray

    @classmethod
    def build(
        cls,
        chunks: Sequence[str],
        bold: Sequence[str] = (),
        title_numbers: Collection[str] = (),
        ids: TermIds | None = None,
        titles: Collection[str] = (),
    ) -> SentenceTable:
        """The table of a post's texts: its `chunks`, then its `bold` lines, one text each. A
        bold sentence cut from a longer one of the chunks is that whole sentence
        (`findings.completed`), still lifted as bold. `titles`: every post's title by its words
        alone (`ontology.tag_key`, which makes 'Omega-3' and 'omega 3' one); a sentence that is
        one, with or without its full stop, is a link to that post or a heading, not quoted."""
        ids = ids or TermIds()
        bold_set = {" ".join(b.split()).lower() for b in bold}
        rows: list[Sentence] = []
        bounds = [0]
        for text in chunks:
            rows.extend(sentences(text))
            bounds.append(len(rows))
        in_chunks = len(rows)
        cut = [sentences(line) for line in bold]
        bolded = [s for line in cut for s in line]
        rows.extend(completed(bolded, rows))
        bounds.extend(in_chunks + n for n in accumulate(len(line) for line in cut))
        lifted = [*rows[:in_chunks], *bolded]  # a whole sentence is lifted as its bold part was
        keys: dict[str, int] = {}
        terms = [ids.of(sentence_terms(s.low)) for s in rows]
        static = (
            np.array([s.has_number for s in rows], dtype=bool),
            np.array([any(b in s.low for b in bold_set) for s in lifted], dtype=bool),
            np.array([s.concludes for s in rows], dtype=bool),
            np.array([any(n in s.text for n in title_numbers) for s in rows], dtype=bool),
        )
        return cls(
            sentences=tuple(rows),
            shown=tuple(_shown(s.text) for s in rows),
            bounds=np.array(bounds, dtype=np.int64),
            text_of=np.repeat(np.arange(len(bounds) - 1, dtype=np.int32), np.diff(bounds)),
            key=np.array([keys.setdefault(s.low, len(keys)) for s in rows], dtype=np.int64),
            prior=prior(*static, np.array([result_lift(s) for s in rows], dtype=float)),
            dose_prior=prior(
                *static, np.array([result_lift(s, asks_dose=True) for s in rows], dtype=float)
            ),
            aim=np.array([cues(s).aim for s in rows], dtype=bool),
            result=np.array([may_lead(s) for s in rows], dtype=bool),
            dose_result=np.array([may_lead(s, asks_dose=True) for s in rows], dtype=bool),
            quotable=_quotable(rows, bounds, titles),
            opens=np.array([s.opens for s in lifted], dtype=bool),
            term_bounds=np.cumsum([0, *map(len, terms)], dtype=np.int64),
            term_ids=np.array([t for row in terms for t in row], dtype=np.int64),
        )

    def says(self, row: int, terms: frozenset[int]) -> bool:
        """Whether the sentence at `row` has one of the term ids `terms`."""
        ids = self.term_ids[self.term_bounds[row] : self.term_bounds[row + 1]]
        return not terms.isdisjoint(ids.tolist())

    @classmethod
    def join(cls, tables: Sequence[SentenceTable]) -> tuple[SentenceTable, list[int]]:
        """The tables one after another as one table, and the number its texts start at for each:
        the posts shown for a question are scored in one pass of array operations instead of one
        pass each. A sentence keeps its post's key (no repeat is found across posts) and terms."""
        if len(tables) <= 1:
            return (tables[0], [0]) if tables else (cls.build([], []), [])
        rows = np.cumsum([0, *(len(t.sentences) for t in tables)])
        entries = np.cumsum([0, *(len(t.term_ids) for t in tables)])
        texts = np.cumsum([0, *(len(t.bounds) - 1 for t in tables)]).tolist()

        def stacked(part: str, offsets: np.ndarray | None = None) -> np.ndarray:
            arrays = [getattr(t, part) for t in tables]
            if offsets is not None:
                arrays = [a + o for a, o in zip(arrays, offsets[:-1].tolist(), strict=True)]
            return np.concatenate(arrays)

        def bounds(part: str, offsets: np.ndarray) -> np.ndarray:
            """Each table's starts, moved by its offset, then where the last one ends."""
            starts = [
                getattr(t, part)[:-1] + o
                for t, o in zip(tables, offsets[:-1].tolist(), strict=True)
            ]
            return np.concatenate([*starts, offsets[-1:]])

        joined = cls(
            sentences=tuple(s for t in tables for s in t.sentences),
            shown=tuple(s for t in tables for s in t.shown),
            bounds=bounds("bounds", rows),
            text_of=stacked("text_of", np.array(texts, dtype=np.int32)),
            key=stacked("key", rows),  # a key is below its table's row count
            prior=stacked("prior"),
            dose_prior=stacked("dose_prior"),
            aim=stacked("aim"),
            result=stacked("result"),
            dose_result=stacked("dose_result"),
            quotable=stacked("quotable"),
            opens=stacked("opens"),
            term_bounds=bounds("term_bounds", entries),
            term_ids=stacked("term_ids"),
        )
        return joined, texts[:-1]

    def pick(self, texts: Sequence[int], group: Sequence[int] = (), groups: int = 1) -> Candidates:
        """The sentences of `texts` (text numbers, in the order given) without repeats, at most
        MAX_CANDIDATES of each group: a sentence is taken from the first text that has it.
        `group`: for each text, the post (0 to `groups` - 1) it is picked for, when the table
        joins several (`join`), their texts listed post after post; default: all one post."""
        numbers = np.asarray(texts, dtype=np.int64)
        rows, sizes = ranges(self.bounds[numbers], self.bounds[1:][numbers])
        first: dict[int, int] = {}  # key -> where first seen (np.unique took 0.02 ms more)
        for at, key in enumerate(self.key[rows].tolist()):
            first.setdefault(key, at)
        keep = np.fromiter(first.values(), np.int64, len(first))  # in order: seen in order
        source = np.repeat(np.arange(len(texts)), sizes)[keep]
        of = np.asarray(group, dtype=np.int64)[source] if len(group) else np.zeros_like(keep)
        if len(keep) > MAX_CANDIDATES:  # else no group can have too many
            within = np.arange(len(keep)) - np.searchsorted(of, of) < MAX_CANDIDATES
            keep, source, of = keep[within], source[within], of[within]
        return Candidates(self, rows[keep], source, of, groups)


def _shown(text: str) -> str:
    """`findings.shorten` of `text`, which is kept itself when that is the same (most are)."""
    short = shorten(text)
    return text if short == text else short


@dataclass(frozen=True)
class Candidates:
    """Sentences of one table picked for a question."""

    table: SentenceTable
    rows: np.ndarray
    source: np.ndarray
    """For each, the position (in the order picked) of the text it was taken from."""
    group: np.ndarray
    """For each, the post it was picked for (0 to `groups` - 1), in order."""
    groups: int

    def __len__(self) -> int:
        return len(self.rows)

    def sentence(self, i: int) -> Sentence:
        return self.table.sentences[self.rows[i]]


class QueryTerms(NamedTuple):
    """The question's terms that some table has, as sorted ids with their weights."""

    ids: np.ndarray
    weights: np.ndarray
    total: float
    """Weight of all the question's terms (those no table has count too)."""


def overlaps(cands: Candidates, query: QueryTerms) -> tuple[np.ndarray, np.ndarray]:
    """Share of the question's term weight in each candidate, and in the candidates of the text
    it comes from together (each term counted once per text)."""
    n, width = len(cands), len(query.ids)
    if not n or not width:
        return np.zeros(n), np.zeros(n)
    table = cands.table
    entries, sizes = ranges(table.term_bounds[cands.rows], table.term_bounds[1:][cands.rows])
    term = table.term_ids[entries]
    at = np.minimum(np.searchsorted(query.ids, term), width - 1)
    hit = query.ids[at] == term
    owner = np.repeat(np.arange(n), sizes)[hit]
    at = at[hit]
    question = np.bincount(owner, weights=query.weights[at], minlength=n) / query.total
    # The few (text, term) pairs found, each once, summed per text in order of term: in Python,
    # which is cheaper than the dozen numpy calls on arrays this small.
    source, weights = cands.source.tolist(), query.weights.tolist()
    texts = [source[o] for o in owner.tolist()]
    by_text: dict[int, float] = {}
    for text, term_at in sorted(set(zip(texts, at.tolist(), strict=True))):
        by_text[text] = by_text.get(text, 0.0) + weights[term_at]
    return question, np.array([by_text.get(text, 0.0) for text in source]) / query.total


_TITLE_HEAD_RE = re.compile(r"(?<=[?!:])\s+|\s+[–-]\s+")
TITLE_HEAD_WORDS = 3
INDEX_TEXT_ENTRIES = 3


def _is_title_line(text: str, titles: Collection[str]) -> bool:
    """A post's title (by its words), or a line opening with one before a note ('Would you be
    opposed to my getting more vitamin D? a question to your doctor…', 'Vitamin D and the immune
    system: new perspectives…'): a link or a cited title, not a finding. A head of fewer than
    TITLE_HEAD_WORDS words is a label ('Multiple sclerosis: relapses fell…'), not a title."""
    if not titles:
        return False
    if tag_key(text) in titles:
        return True
    head = _TITLE_HEAD_RE.split(text, maxsplit=1)[0]
    return head != text and len(head.split()) >= TITLE_HEAD_WORDS and tag_key(head) in titles


def _quotable(
    rows: Sequence[Sentence], bounds: Sequence[int], titles: Collection[str]
) -> np.ndarray:
    """Which sentences may be quoted (`is_quotable`, and not a post's title as a link). In a
    text that is mostly a book's index (half its lines or more are entries with a page number,
    at least INDEX_TEXT_ENTRIES), none is: an entry read alone ('CVD risk of ~ supplementation
    181') looks like words but is still the index."""
    quotable = np.array(
        [is_quotable(s.text) and not _is_title_line(s.text, titles) for s in rows], dtype=bool
    )
    index = np.array([is_index_line(s.text, pages_needed=1) for s in rows], dtype=bool)
    for first, end in pairwise(bounds):
        entries = int(index[first:end].sum())
        if entries >= INDEX_TEXT_ENTRIES and 2 * entries >= end - first:
            quotable[first:end] = False
    return quotable
