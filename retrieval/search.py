"""Question -> the best posts, each with its key findings and link.

Posts are scored from the best-matching chunk of the post and the post title (titles on this site
summarise the finding), plus a small BM25 term for rare words and numbers, and for a question in
another language the multilingual lift (retrieval/multilingual.py). The weights were chosen on the
dev set (benchmarks/questions_dev.json; figures in the README). Posts with the same title, and
title-only copies of a post with text, are collapsed into one hit.
Both front ends (CLI and Discord) call `Searcher.search`, so they always say the same thing.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Collection, Iterable, Sequence
from dataclasses import asdict, dataclass, field, replace
from functools import partial
from typing import NamedTuple, TypedDict, Unpack

import numpy as np

from retrieval import evidence as study_types
from retrieval import (
    findings,
    language,
    likeness,
    multilingual,
    small_talk,
    spelling,
    threads,
    urgent,
)
from retrieval.candidates import CandidateScorer, ChunkSims, Lexical
from retrieval.conversation import subjects
from retrieval.coverage import ArchiveWords, SubjectCoverage, acronym_coverage
from retrieval.embedding import Embedder
from retrieval.lexical import LexicalIndex, terms
from retrieval.likeness import Likeness
from retrieval.query import Query, build_query, load_vocabulary
from retrieval.sentence_table import QueryTerms, SentenceTable, TermIds, overlaps
from retrieval.store import IndexData, PostRecord
from retrieval.tags import TagCatalogue, tag_key
from retrieval.text import SENTENCES_KEPT
from retrieval.units import in_archive_units, number_forms

DEFAULT_BASE_URL = "https://vitamindwiki.com"
TITLE_WEIGHT = 1.0
LEXICAL_WEIGHT = 0.05
RESTATED_LEXICAL_WEIGHT = 0.15
"""LEXICAL_WEIGHT for a question restated in English from another language: a word-by-word
restatement embeds less faithfully than a question asked in English, so its words count more
(chosen on the dev set's 21 language questions: nDCG@10 0.659 at 0.05, 0.677 at 0.1, 0.684 at
0.15, 0.679 at 0.2, 0.659 at 0.3; README)."""
TITLE_ONLY_PENALTY = 0.04
"""Taken off posts with no text (index pages): they match on the title alone and have nothing
to quote, so one ranks above a post with text only when its title matches clearly better."""
REVIEW_MARGIN = 0.06
REVIEW_WINDOW = 10
"""Within the first REVIEW_WINDOW posts (a page of results), a narrative review
(`evidence.REVIEW`; systematic reviews and meta-analyses are not) is placed as if it scored
REVIEW_MARGIN less: a review touches the question's subject among many, so it matched as well as
the study that answers it and was shown first. Its score, and so the answer's confidence, is
unchanged, and it stays on the page. Chosen on dev (0.03 / 0.04 / 0.06 / 0.08 / 0.1: nDCG@10
0.769 / 0.769 / 0.769 / 0.769 / 0.769 against 0.765, hit@3 0.899 / 0.917 / 0.927 / 0.927 / 0.927
against 0.890), checked on the independent set (hit@3 0.896 -> 0.906, hit@1 0.760 -> 0.771,
nDCG@10 0.592 -> 0.590). Lowering every review's score by as much instead (every page) gave the
same hit@k but independent nDCG@10 0.587: reviews it graded as useful left the first ten."""
CONFIDENT_SCORE = 0.54
"""Combined score above which the best hit is taken as an answer (calibrated on the dev set)."""
LONG_QUESTION_WORDS = 25
LONG_CONFIDENT_SCORE = 0.50
"""The score a question of LONG_QUESTION_WORDS words or more must reach instead: its vector
holds everything else it says ('Long story short, I've been feeling awful for months...'), so
it lies further from every post. Over 109 such questions of our own (one for each of the archive's
topics, 32 words in the middle, chatter around it), 94 had a post on their topic among the first
three, and 69 of those 94 were confident at 0.54, 85 at 0.50, 90 at 0.48; over 48 of the same
length on no health subject ('My laptop battery dies fast when I watch videos. Should I be
supplementing...?'), 12 were confident at 0.54 as at 0.50 and 0.48, 15 at 0.46. Chosen on those
sets; dev unchanged (its no-answer questions are short), independent answerable confident 0.958
-> 0.979 with its no-answer questions 7/8 as before."""
OWN_LANGUAGE_CHECKED = 20
"""How many of a question's first posts are checked for being written in its own language
(`Searcher._own_language_lowered`): a page and more; each post's language is read once (1.6 ms)."""
LANGUAGE_CHARS = 600
"""How much of a post's first chunk its language is read from."""
UNREAD_WEIGHT = 1.0
"""The multilingual lift's weight for a question in no language read here (`language.unread`: a
script none of them uses, or another language the identifier is sure of): the only part of the
score that reads it, so it orders the posts (the standardised lift spans several units, the other
parts one). Such an answer is never confident."""

RANK_HEAD = 1000
"""Posts ranked in full per query; paging and match counts never go deeper."""
EXACT_HEAD = 10
"""Leading entries that no candidate left unscored could enter, over an approximate index."""
DUPLICATE_WINDOW = 50
NEAR_DUPLICATE_TITLE = 0.9
"""Title cosine above which a title-only post is taken as a copy of a post with a body."""

SENTENCES_PER_TEXT = 5
"""Sentences a chunk or bold line holds on average, at most (today's archive: 4.1)."""
TABLES_KEPT = SENTENCES_KEPT // SENTENCES_PER_TEXT
"""Posts whose own sentence tables a process keeps while their version's are not joined: at
least every post of a version whose findings are prepared (it has fewer texts than this)."""
FINDING_CHUNKS = 6
"""Chunks of a post (the closest to the question) whose sentences may be quoted as findings."""
FIRST_POST_FINDINGS = 5
FINDINGS_PER_POST = 2
"""Findings quoted from the answer's first post with text (the first post, unless that is an
index page) and from each other one. Three posts of an answer quote nine, as three of three each
did, but more of them come from the post most likely to answer (its text holds 0.41-0.46 of the
asked-for facts, the next two 0.21-0.24 more). Chosen on dev among the splits that keep an
answer no longer: facts in the first 3 posts' findings 0.432 -> 0.432, the first post's 0.297 ->
0.314 (4-3-2: 0.415, 0.297; 6-2-1: 0.424, 0.348); checked on the independent set: 0.365 -> 0.382
and 0.264 -> 0.314; the lead unchanged on both."""
WARM_UP_QUESTION = "Does vitamin D help with muscle cramps at night?"
"""Only built into a query and checked for coverage, never searched: it loads the query side
(`Searcher.prepare_questions`)."""
LEAD_RANK_PENALTY = 0.45
"""Lowers a finding's claim to be the lead for each place its post is below the first. Chosen on
dev for the lead's post answering the question (`evaluation.lead_answers`) without losing facts
in the lead: 0.1 / 0.2 / 0.35 / 0.45 / 0.6 led from an answering post for 76 / 77 / 81 / 83 / 83
of 109 questions, facts in the lead 0.178 until 0.45, 0.170 from 0.5; checked on the independent
set: 63 -> 71 of 96, facts in the lead 0.123 -> 0.130. At 0.1 a third of the leads came from the
second or third post, some of them quoting a sentence on another subject than the question."""
LEAD_KEY_TERMS = 2
"""The lead is the best result finding holding one of the question's this many rarest terms (by
IDF), when any shown post has one; else the best result finding. The best alone had led
"does vitamin D help Parkinson's disease?" with a sentence on D2 against D3, "my son wets the bed"
with one on tanning beds. Over 100 questions of our own it changed 16 leads, 7 for the better and
2 for the worse (one reads "black-skinned" where the question says "dark skin"); on dev nothing
changed, on the independent set facts in the lead 0.135 -> 0.137. The rarest term alone: leads
from an answering post dev 0.789 -> 0.780, independent 0.750 -> 0.740."""
_CONTRACTED = frozenset({
    "s", "t", "m", "d", "ll", "re", "ve", "don", "didn", "doesn", "isn", "aren", "wasn", "weren",
    "won", "wouldn", "couldn", "shouldn", "hasn", "haven", "hadn", "ain",
})  # fmt: skip
"""What a contraction leaves beside its apostrophe ("won't": "won", "t"): no term to lead with
("won" is rare in the archive, so it ranked first among a question's terms)."""
NEAR_BEST_WINDOW = 10
NEAR_BEST_MARGIN = 0.1
"""The posts about as good as the best: among the first NEAR_BEST_WINDOW (one page of results),
those scoring within NEAR_BEST_MARGIN of the first. Two options reorder them:
- a question that asks for a kind of study in words ("any RCTs on ...?") sees first the posts of
  that kind among them, and, anywhere in the ranking, those tagged with a topic it names. Scores
  alone cannot tell a trial on the subject at place 30 (a subject with many posts) from an
  unrelated trial at place 30 (a subject with few), nor one at place 5 of a subject with 3 posts:
  the tag can. Both values were set by judgement, not fitted to any question set;
- `newest` (or a question asking for recent work in words: `evidence.asks_newest`) lists them
  newest first, the rest following by score. Measured by
  `benchmarks/newest.py` (220 questions made from the archive's tags): the first 3 posts carried
  the asked tag (or named it in the title) for 0.752 without `newest`; newest first among every
  confident post, 0.094 (mean year 2014.00 against 2013.09); among these, 0.682 (2013.53). On
  216 of those questions, margins 0.05 / 0.15 gave 0.728 (2013.28) / 0.631 (2013.68), windows
  5 / 20 gave 0.711 / 0.656: the values the study-type ordering already used are kept."""

_NUM_RE = re.compile(r"\d[\d,.]*\d|\d")
_NONE: frozenset[int] = frozenset()


@dataclass(frozen=True)
class Hit:
    slug: str
    title: str
    date: str
    tags: tuple[str, ...]
    url: str
    score: float
    findings: list[str] = field(default_factory=list)
    evidence: str | None = None
    """Study type the post reports (`retrieval.evidence.LABELS`), when it says."""
    year: int | None = None
    has_text: bool = True
    """False for a title-only post (an index page): there is nothing to quote."""


class Lead(NamedTuple):
    """The one quoted sentence that answers best: a finding of `hits[result]`."""

    text: str
    result: int


@dataclass(frozen=True)
class Answer:
    question: str
    confident: bool
    hits: list[Hit]
    total: int
    """How many posts matched at all (for 'n posts matched' footers and paging)."""
    missing: tuple[str, ...] = ()
    """Specific words of the question that no post contains, and listed subjects it names that
    the archive barely covers (then it is not confident)."""
    lead: Lead | None = None
    """The best quoted finding, when the answer is confident."""
    asked_evidence: tuple[str, ...] = ()
    """The study types the question asked for in words (`evidence.asked_for`), whose posts among
    the closest come first."""
    read_as: str | None = None
    """The question as searched when its misspelt words were put right (`Searcher.search`)."""
    unread: str | None = None
    """What the question is written in when it is no language read here ('Cyrillic script',
    'Swedish': `language.unread`): its posts were matched by the multilingual model alone, and it
    is not confident."""
    urgent: bool = False
    """The question sounds like an emergency happening now (`urgent.is_urgent`): the reply says
    first where help is."""
    units: tuple[str, ...] = ()
    """The question's amounts in units the archive seldom uses, restated in its own ('50 mcg =
    2,000 IU': `units.in_archive_units`)."""

    @property
    def empty(self) -> bool:
        """Nothing to search for: empty, emoji or punctuation only, or small talk ("hi",
        "thanks!", "help"; retrieval/small_talk.py)."""
        return nothing_to_ask(self.question)

    def to_json(self) -> dict:
        """The JSON contract of `vdwbot ask --json` (docs/ARCHITECTURE.md)."""
        return {
            "question": self.question,
            "confident": self.confident,
            "lead": self.lead._asdict() if self.lead else None,
            "missing": list(self.missing),
            "asked_evidence": list(self.asked_evidence),
            "read_as": self.read_as,
            "unread": self.unread,
            "urgent": self.urgent,
            "units": list(self.units),
            "results": [
                {
                    k: v
                    for k, v in asdict(h).items()
                    if k in ("slug", "title", "url", "score", "findings", "evidence", "year")
                }
                for h in self.hits
            ],
        }


class SearchOptions(TypedDict, total=False):
    """How a question is searched beyond its words; the front ends pass these on as they are."""

    previous: Sequence[str]
    """The thread's earlier questions, oldest first, for follow-ups."""
    evidence: Collection[str] | None
    """Keep only posts of these study types."""
    newest: bool
    """List the posts about as good as the best newest first, the rest following by score
    (NEAR_BEST_WINDOW, NEAR_BEST_MARGIN)."""


class Asked(NamedTuple):
    """What a question needs beyond its vector, none of it from the ranking."""

    lexical: np.ndarray | None
    """Each post's BM25 score, times RESTATED_LEXICAL_WEIGHT / LEXICAL_WEIGHT for a question
    restated from another language; None: the question has no words to match."""
    missing: tuple[str, ...]
    """`Answer.missing`."""
    weights: dict[str, float]
    """The terms its key findings are matched on, with their IDF."""
    numbers: set[str]
    """Its numbers, as written and in the archive's units."""
    asks_dose: bool
    urgent: bool
    """`Answer.urgent`."""
    kinds: tuple[str, ...]
    """The study types it asks for in words (`evidence.asked_for`)."""
    newest: bool
    """It asks for recent work in words (`evidence.asks_newest`)."""
    terms: QueryTerms | None
    """`weights` by term id, once the version's sentence tables are joined (every term has its
    id then); None before, when the tables a question builds give new terms their ids."""
    units: tuple[str, ...]
    """`Answer.units`."""


class Ranking(NamedTuple):
    order: np.ndarray
    """Post rows of the head of the ranking, best first: the candidate posts only."""
    scores: np.ndarray
    """Combined score of every post row; -inf for posts that were not candidates."""
    chunk_sims: ChunkSims
    """The question's similarity to each chunk of a post, for its findings."""


def combine_scores(
    dense: np.ndarray, title: np.ndarray, lexical: np.ndarray, prior: np.ndarray
) -> np.ndarray:
    """A post's score from its best chunk (title for a post without text), title and BM25, plus
    its prior (the title-only penalty)."""
    return (dense + TITLE_WEIGHT * title) / (1 + TITLE_WEIGHT) + prior + LEXICAL_WEIGHT * lexical


def confident_score(question: str) -> float:
    """The score the best post must reach for the answer to `question` to be confident."""
    long = len(question.split()) >= LONG_QUESTION_WORDS
    return LONG_CONFIDENT_SCORE if long else CONFIDENT_SCORE


def post_text(index: IndexData, row: int) -> str:
    """A post's title, bold lines and chunks (contiguous in the chunk table), as one text."""
    post = index.posts[row]
    first, end = np.searchsorted(index.chunks.post_row, [row, row + 1])
    return "\n".join([post.title, *post.bold, *index.chunks.text[first:end]])


def _lead_keys(weights: dict[str, float]) -> frozenset[str]:
    """The question's LEAD_KEY_TERMS rarest terms (`weights`: term -> IDF, in sorted order, so
    ties go the same way in every process), contraction fragments left out."""
    ranked = sorted((w for w in weights if w not in _CONTRACTED), key=lambda w: -weights[w])
    return frozenset(ranked[:LEAD_KEY_TERMS])


def _has_words(text: str) -> bool:
    return any(ch.isalnum() for ch in text)


def nothing_to_ask(text: str) -> bool:
    """No question in `text`: no letter or digit, or only small talk ('hi', 'thanks!')."""
    return not _has_words(text) or small_talk.only_small_talk(text)


def post_url(slug: str, base_url: str = DEFAULT_BASE_URL) -> str:
    return f"{base_url.rstrip('/')}/pages/{slug}/"


class Searcher:
    """Ranks posts of one loaded index version for a question."""

    def __init__(self, index: IndexData, embedder: Embedder, base_url: str = DEFAULT_BASE_URL):
        self.index = index
        self.embedder = embedder
        self.base_url = base_url
        keys = [" ".join(p.title.lower().split()) for p in index.posts]
        self._title_key = np.unique(keys, return_inverse=True)[1] if keys else np.zeros(0, int)
        self.tags = TagCatalogue.for_index(index)
        self.lexical = LexicalIndex(index)
        self._candidates = CandidateScorer.for_index(index)
        self._shared_title = np.bincount(self._title_key)[self._title_key] > 1
        self._has_text = self._candidates.with_text
        self._title_only = np.where(self._has_text, 0, -TITLE_ONLY_PENALTY).astype(np.float32)
        self.term_ids = TermIds()
        self._tables: dict[int, SentenceTable] = {}
        self._tables_lock = threading.Lock()
        self._joined: tuple[SentenceTable, list[int]] | None = None
        self._copy_of = self._title_only_copies()
        self._titles_as_words = frozenset(tag_key(p.title) for p in index.posts)
        """Every title by its words alone: a sentence that is one is a link, never a finding."""
        openings = index.openings
        same_model = index.manifest.get("openings_model") == multilingual.NAME
        shape = (len(multilingual.VIEWS), len(index.posts), multilingual.DIMENSION)
        fits = openings is not None and openings.shape == shape
        self._openings = openings if same_model and fits else None
        self._opening_hub = None if self._openings is None else multilingual.hubness(self._openings)
        self._post_language: dict[int, str] = {}
        """Posts' languages as read so far (`_language_of`)."""
        # a function of the index, not a method: the searcher's words would hold it in a cycle
        text_of = partial(post_text, index)
        self.words = ArchiveWords(
            self.lexical.idf, acronym_coverage(self.lexical.posts_with, text_of)
        )
        self.subjects = SubjectCoverage.for_index(index, self.lexical)
        self.evidence = self._evidence_labels()
        self._evidence_code = np.array(self._codes(self.evidence), dtype=np.int8)
        self._is_review = self._evidence_code == self._codes([study_types.REVIEW])[0]
        self.likeness = Likeness(index.title_vectors, [p.tags for p in index.posts])

    def _evidence_labels(self) -> list[str | None]:
        """Each post's study type, from its title, tags and opening chunk (fixed per version)."""
        openings = [""] * len(self.index.posts)
        first = self._candidates.text_first.tolist()
        for row, chunk in zip(np.flatnonzero(self._has_text).tolist(), first, strict=True):
            openings[row] = self.index.chunks.text[chunk]
        return [
            study_types.label(p.title, p.tags, opening)
            for p, opening in zip(self.index.posts, openings, strict=True)
        ]

    def rank_posts(
        self, query_vec: np.ndarray, lexical: Lexical = None, lift: np.ndarray | None = None
    ) -> Ranking:
        """Posts scored from their best chunk, title and BM25 (`lexical`: each post's score, or a
        function giving them) and `lift` (each post's, if any), best first: every post over an
        exact index, FAISS and BM25 candidates over an approximate one (retrieval/candidates.py).
        A post without text is judged on its title alone, less TITLE_ONLY_PENALTY."""
        threads.this_thread()
        scored = self._candidates.score(
            query_vec, lexical, combine_scores, EXACT_HEAD, RANK_HEAD, self._title_only, lift
        )
        return Ranking(scored.rows, scored.scores, scored.chunk_sims)

    def prepare_questions(self) -> None:
        """Load what a first question would load on first use: the language identifier, every
        language's vocabulary table, English word frequencies and the subject names (1.5-2.7 s).
        The first English question after a start took 0.57 s instead of 6 ms, the first German
        one 0.36 s. Other languages' word frequencies still load with their first question
        (0.15 s and about 40 MB each: most processes never see most languages). The multilingual
        model loads in 0.4 s (its ONNX graph exported once before, in about 6 s)."""
        load_vocabulary()
        self._asked(build_query(WARM_UP_QUESTION))  # English word frequencies, subject names
        if self._openings is not None:  # the multilingual model, read in once
            multilingual.shared().question(WARM_UP_QUESTION)

    def prepare_findings(self, stop: threading.Event | None = None) -> int:
        """Build every post's sentence table (sentences split and tokenised, result cues and
        quotability read), once, so that no question pays for it on first sight (6.2-6.9 s for
        today's 91k sentences), and join them into one table that the shown posts are read
        from (joining their own tables took 0.11 of a question's 0.56 ms of findings). Skipped,
        returning 0, when the version may hold more sentences than a process keeps, or left
        undone, returning 0, once `stop` is set (checked between posts). Returns the sentences
        prepared."""
        if self._joined is not None:
            return len(self._joined[0].sentences)
        texts = len(self.index.chunks.text) + sum(len(p.bold) for p in self.index.posts)
        if texts * SENTENCES_PER_TEXT > SENTENCES_KEPT:
            return 0
        tables = []
        for row in range(len(self.index.posts)):
            if stop is not None and stop.is_set():
                return 0
            tables.append(self._table(row))
        joined = SentenceTable.join(tables)
        with self._tables_lock:
            self._joined = joined
            self._tables.clear()  # the joined table holds them all
        return len(joined[0].sentences)

    def _tables_of(self, rows: list[int]) -> tuple[SentenceTable, list[int]]:
        """The sentences of the posts `rows` in one table, and the number each post's texts
        start at in it: the version's joined table once prepared, else their own tables."""
        if self._joined is not None:
            table, starts = self._joined
            return table, [starts[row] for row in rows]
        return SentenceTable.join([self._table(row) for row in rows])

    def _table(self, row: int) -> SentenceTable:
        """The post's sentences as arrays (its chunks, then its bold lines), kept per post until
        the version's tables are joined: the oldest goes when TABLES_KEPT are kept (a plain dict,
        not an lru_cache of a method, which would tie the searcher into a cycle that only a full
        collection frees)."""
        table = self._tables.get(row)
        if table is not None:
            return table
        post = self.index.posts[row]
        texts = self.index.chunks.text[self._candidates.first[row] : self._candidates.end[row]]
        table = SentenceTable.build(
            texts, post.bold, number_forms(post.title), self.term_ids, self._titles_as_words
        )
        with self._tables_lock:
            if self._joined is not None:  # a question that began before the join
                return table
            if len(self._tables) >= TABLES_KEPT:
                del self._tables[next(iter(self._tables))]
            self._tables[row] = table
        return table

    @staticmethod
    def finding_chunks(sims: np.ndarray, n: int = FINDING_CHUNKS) -> list[int]:
        """Of a post's chunks (`sims`: their similarities to the question), the `n` closest,
        then its opening chunk (usually the abstract) if not among them: their numbers within
        the post."""
        ids = np.argsort(-sims)[:n].tolist()
        return ids if 0 in ids or not len(sims) else [*ids, 0]

    def _title_only_copies(self) -> dict[int, frozenset[int]]:
        """For each post without text, the posts with text whose title it nearly repeats: what
        `_collapse` drops it for. Fixed per version, so worked out once here, not per query."""
        bare, full = np.flatnonzero(~self._has_text), np.flatnonzero(self._has_text)
        if not len(bare) or not len(full):
            return {}
        vectors = np.asarray(self.index.title_vectors, dtype=np.float32)
        with_text = vectors[full].T
        copies: dict[int, frozenset[int]] = {}
        for start in range(0, len(bare), 256):  # in blocks: memory stays small on any archive
            rows = bare[start : start + 256]
            near = (vectors[rows] @ with_text) >= NEAR_DUPLICATE_TITLE
            for row, hits in zip(rows.tolist(), near, strict=True):
                if hits.any():
                    copies[row] = frozenset(full[hits].tolist())
        return copies

    def _collapse(
        self, order: np.ndarray, scores: np.ndarray, need: int, floor: float
    ) -> tuple[list[int], int]:
        """One entry per post: same-title copies, and title-only copies of a post with a body
        (near-identical titles), keep only the best-scoring copy with text. Returns the first
        `need` entries and how many entries are confident (score `floor` or more)."""
        head = order[:DUPLICATE_WINDOW].tolist()
        shown = set(head)
        copies = {r for r in head if not self._copy_of.get(r, _NONE).isdisjoint(shown)}
        if copies:
            kept_head = np.array([r for r in head if r not in copies], dtype=order.dtype)
            order = np.concatenate([kept_head, order[len(head) :]])
        # Confident rows lead the order; only they and the first `need` entries are read.
        limit = max(need, int(np.count_nonzero(scores[order] >= floor)))
        while True:
            kept = self._first_of_each_title(order[:limit])
            if len(kept) >= need or limit >= len(order):
                break
            limit *= 2
        confident = int(np.count_nonzero(scores[kept] >= floor))
        return kept[:need].tolist(), confident

    def _first_of_each_title(self, rows: np.ndarray) -> np.ndarray:
        """`rows` without the later entries of a title already listed (few titles repeat)."""
        seen: set[int] = set()
        later = []
        for row in rows[self._shared_title[rows]].tolist():
            key = int(self._title_key[row])
            if key in seen:
                later.append(row)
            seen.add(key)
        return rows[~np.isin(rows, later)] if later else rows

    def search(
        self, question: str, k: int = 3, start: int = 0, **options: Unpack[SearchOptions]
    ) -> Answer:
        """The `k` best posts from rank `start` (for paging), with findings and links. An English
        question without a confident answer, and naming nothing the archive lacks, is asked again
        with its misspelt words put right (retrieval/spelling.py); that answer is given when it
        is confident."""
        answer, query = self._answer(question, k, start, **options)
        if answer.confident or answer.missing or answer.unread or query.lang != "en":
            return answer
        fixed = spelling.put_right(query.text, self.lexical.idf)
        if fixed is None:
            return answer
        retry, _ = self._answer(fixed, k, start, **options)
        if not retry.confident:
            return answer
        return replace(retry, question=answer.question, read_as=fixed)

    def _answer(
        self, question: str, k: int, start: int, **options: Unpack[SearchOptions]
    ) -> tuple[Answer, Query]:
        previous = options.get("previous", ())
        evidence = options.get("evidence")
        newest = options.get("newest", False)
        unknown = set(evidence or ()) - set(study_types.LABELS)
        if unknown:
            raise ValueError(f"unknown evidence labels: {', '.join(sorted(unknown))}")
        query = build_query(question, previous, self._is_topic, self.lexical.idf)
        question = query.text
        if nothing_to_ask(question) or not self.index.posts:
            return Answer(question, False, [], 0), query
        unread = language.unread(question)
        query_vec = self._query_vector(query)
        lift = self._opening_lift(query, unread)
        side = threads.beside(lambda: self._asked(query))
        ranking = self.rank_posts(query_vec, lambda: side.result().lexical, lift)
        order = ranking.order
        if lift is not None and not unread:
            order = self._own_language_lowered(order, ranking.scores, lift, query.lang)
        if evidence:  # filtered before collapsing, so totals and pages count matching posts only
            order = order[np.isin(self._evidence_code[order], self._codes(evidence))]
        kinds = () if evidence else side.result().kinds  # read with the lexical scores
        newest = newest or side.result().newest
        end = start + max(k, 0)  # the page is rows[start:end]
        head = max(end, REVIEW_WINDOW, NEAR_BEST_WINDOW if kinds or newest else 0)
        # the places after the first three by likeness, when the page shows any of them and no
        # kind of study is asked for (its posts lead, read from the places in score order)
        alike = end > likeness.FIXED and not kinds
        need = max(head, likeness.WINDOW) if alike else head
        rows, matched = self._collapse(order, ranking.scores, need, confident_score(question))
        if newest and matched:
            near = self._near_the_best(rows[:matched], ranking.scores)  # a prefix: by score
            rows = self._by_date(near) + rows[len(near) :]
        else:
            rows = self._reviews_placed(rows, ranking.scores)
            if alike:
                rows = self.likeness.reorder(rows, ranking.scores)
        if kinds:
            rows = self._of_kinds_first(ranking, rows, kinds, self._topics(query))
        asked = side.result()
        hits, lead = self._hits(rows[start:end], ranking, asked, first=start == 0)
        if unread:  # matched by the multilingual model alone: nearest posts, no answer
            return Answer(
                question, False, hits, 0, unread=unread, urgent=asked.urgent, units=asked.units
            ), query
        confident = matched > 0 and not asked.missing
        lead = lead if confident else None
        return Answer(
            question,
            confident,
            hits,
            matched,
            asked.missing,
            lead,
            kinds,
            urgent=asked.urgent,
            units=asked.units,
        ), query

    def _own_language_lowered(
        self, order: np.ndarray, scores: np.ndarray, lift: np.ndarray, lang: str
    ) -> np.ndarray:
        """`order` with the posts among its first OWN_LANGUAGE_CHECKED that are written in the
        question's own language scored without their multilingual lift above the middle, and
        placed again: the model finds the language they share, not the question's subject (a
        Spanish slide deck was among the first three for 8 of 40 Spanish questions on other
        subjects). `scores` is lowered in place, so the confident count agrees."""
        own = [
            row
            for row in order[:OWN_LANGUAGE_CHECKED].tolist()
            if lift[row] > 0 and self._language_of(row) == lang
        ]
        if not own:
            return order
        scores[own] -= lift[own]
        top = order[: 2 * OWN_LANGUAGE_CHECKED]  # room for a lowered post to fall
        placed = top[np.argsort(-scores[top], kind="stable")]
        return np.concatenate([placed, order[len(top) :]])

    def _language_of(self, row: int) -> str:
        """The language of the start of the post's first chunk (a title is often English when
        the text is not), read once per post; 'en' for a post without text."""
        lang = self._post_language.get(row)
        if lang is None:
            first, end = self._candidates.first[row], self._candidates.end[row]
            start = self.index.chunks.text[first][:LANGUAGE_CHARS] if end > first else ""
            lang = language.detect(" ".join(start.split())) if start else "en"
            self._post_language[row] = lang
        return lang

    def _is_topic(self, phrase: str) -> bool:
        return self.tags.count(tag_key(phrase)) > 0

    def _query_vector(self, query: Query) -> np.ndarray:
        """The question's vector; a follow-up is embedded after the gist of its thread's earlier
        question (measured against adding the two questions' vectors: as good or better on both
        sets, for one encode instead of two)."""
        return self.embedder.encode([query.after_context(query.dense)])[0]

    def _opening_lift(self, query: Query, unread: str | None = None) -> np.ndarray | None:
        """For a question in another language, what the multilingual model reads in each post's
        views, its opening and its bold lines (retrieval/multilingual.py), at UNREAD_WEIGHT for
        one in no language read here (`unread`); None for English, or a version without them."""
        if (query.lang == "en" and not unread) or self._openings is None:
            return None
        question = multilingual.shared().question(query.after_context(query.text))  # as embedded
        weight = UNREAD_WEIGHT if unread else multilingual.OPENING_WEIGHT
        return multilingual.lift(self._openings, question, weight, self._opening_hub)

    def _asked(self, query: Query) -> Asked:
        """What the question needs beyond its vector and the ranking: run beside the vector
        products (0.3-0.4 ms, which no longer adds to a question's time; the study types asked
        for were 0.02 ms of the asking thread's before they moved here)."""
        english, lexical, words = query.english, None, query.lexical
        if words:
            lexical = self.lexical.scores(words)
            if query.lang != "en":
                lexical *= RESTATED_LEXICAL_WEIGHT / LEXICAL_WEIGHT
        weights = self.lexical.weights(terms(query.asked))
        return Asked(
            lexical,
            self._uncovered(query),
            weights,
            number_forms(query.text) | {n for n in _NUM_RE.findall(query.text) if len(n) > 1},
            findings.asks_for_dose(english),
            urgent.is_urgent(query.text, english),
            study_types.asked_for(english),
            study_types.asks_newest(english),
            self.term_ids.query(weights) if self._joined is not None else None,
            tuple(in_archive_units(query.text)),
        )

    def _uncovered(self, query: Query) -> tuple[str, ...]:
        """The question's specific words that no post contains, then the listed subjects it
        names that the archive barely covers; for a question in another language, restated,
        only the latter (its own words are in no English post). Of subjects.txt's 507 barely
        covered subjects asked in the seven languages by their English name ('Hilft Vitamin D
        bei hidradenitis?'), 477 had been answered confidently, now 51; of 206 questions of our
        own in the seven on the archive's topics, none changed."""
        words = self.words.missing(query.english) if query.lang == "en" else []
        return tuple(dict.fromkeys([*words, *self.subjects.named(query.english)]))

    def _topics(self, query: Query) -> frozenset[str]:
        """The archive's topics (tag keys) the question names, or its thread's question."""
        text = query.after_context(query.english)
        return frozenset(tag_key(s) for s in subjects(text) if self._is_topic(s))

    def _of_kinds_first(
        self, ranking: Ranking, rows: list[int], kinds: tuple[str, ...], topics: frozenset[str]
    ) -> list[int]:
        """`rows` (the collapsed ranking) led by the posts of the study types `kinds` among the
        first NEAR_BEST_WINDOW that score within NEAR_BEST_MARGIN of the best, and by those
        anywhere in the ranking tagged with one of `topics`; the leaders in order of score, then
        the other rows as they were."""
        order, scores = ranking.order, ranking.scores
        near = [r for r in self._near_the_best(rows, scores) if self.evidence[r] in kinds]
        of_kinds = order[np.isin(self._evidence_code[order], self._codes(kinds))]
        topical = {post.row for key in topics for post in self.tags.posts(key)}
        tagged = [r for r in of_kinds.tolist() if r in topical and r not in near]
        leaders = self._first_of_each_title(order[np.isin(order, near + tagged)]).tolist()
        return leaders + [r for r in rows if r not in leaders]

    @staticmethod
    def _codes(labels: Iterable[str | None]) -> list[int]:
        """The codes of study-type `labels` in `_evidence_code`: 0 for no label."""
        return [study_types.LABELS.index(label) + 1 if label else 0 for label in labels]

    def _reviews_placed(self, rows: list[int], scores: np.ndarray) -> list[int]:
        """`rows` (in score order) with the first page ordered as if each narrative review scored
        REVIEW_MARGIN less (a stable sort: ties keep their order)."""
        page = rows[:REVIEW_WINDOW]
        reviews, page_scores = self._is_review[page].tolist(), scores[page].tolist()
        keys = [  # Python floats: with numpy scalars this took 0.022 instead of 0.017 ms
            REVIEW_MARGIN * review - score
            for review, score in zip(reviews, page_scores, strict=True)
        ]
        placed = sorted(range(len(page)), key=keys.__getitem__)
        return [page[i] for i in placed] + rows[REVIEW_WINDOW:]

    @staticmethod
    def _near_the_best(rows: list[int], scores: np.ndarray) -> list[int]:
        """Those of the first NEAR_BEST_WINDOW `rows` that score within NEAR_BEST_MARGIN of the
        first, in their order (a prefix when `rows` are in score order)."""
        floor = scores[rows[0]] - NEAR_BEST_MARGIN if rows else np.inf
        return [r for r in rows[:NEAR_BEST_WINDOW] if scores[r] >= floor]

    def _by_date(self, rows: list[int]) -> list[int]:
        """`rows` newest first; same date, by score as given (a reversed sort is still stable);
        undated last. ISO dates sort as strings."""
        return sorted(rows, key=lambda r: self.index.posts[r].date or "", reverse=True)

    def _hits(
        self,
        rows: list[int],
        ranking: Ranking,
        facts: Asked,
        first: bool = True,
    ) -> tuple[list[Hit], Lead | None]:
        """The hits with their findings, and the best of those findings as the lead; `first`:
        the hits start with the answer's first post, and the first of them with text (an index
        page has nothing to quote) quotes FIRST_POST_FINDINGS."""
        if not rows:
            return [], None
        table, starts = self._tables_of(rows)  # first: a new table's terms get ids
        asked = facts.terms if facts.terms is not None else self.term_ids.query(facts.weights)
        texts: list[int] = []
        group: list[int] = []
        meaning: list[float] = []  # Python floats: a few per post, numpy calls cost more
        for place, (row, start) in enumerate(zip(rows, starts, strict=True)):
            post_sims = ranking.chunk_sims.of_post(row)
            chunks = self.finding_chunks(post_sims)
            n_chunks, n_bold = len(post_sims), len(self.index.posts[row].bold)
            picked = [*chunks, *range(n_chunks, n_chunks + n_bold)]
            texts.extend(start + t for t in picked)
            group.extend([place] * len(picked))
            sims = post_sims[chunks].tolist()
            # a bold line is judged by the best chunk of its post
            meaning += [*sims, *[max([0.0, *sims])] * n_bold]
        cands = table.pick(texts, group, len(rows))
        question, context = overlaps(cands, asked)
        signals = findings.Signals(question, np.array(meaning)[cands.source], context)
        limits = [FINDINGS_PER_POST] * len(rows)
        with_text = next((place for place, row in enumerate(rows) if self._has_text[row]), None)
        if first and with_text is not None:
            limits[with_text] = FIRST_POST_FINDINGS
        found = findings.rank(cands, signals, facts.numbers, limits, facts.asks_dose, facts.weights)
        may_lead = [[f for f in post_found if f.result and not f.aim] for post_found in found]
        keys = self.term_ids.known(_lead_keys(facts.weights))
        naming = [[f for f in fs if table.says(f.row, keys)] for fs in may_lead]
        best: tuple[float, Lead, findings.Finding] | None = None
        for place, fs in enumerate(naming if any(naming) else may_lead):
            answer = fs[0] if fs else None
            if answer:
                claim = answer.score - LEAD_RANK_PENALTY * place
                if best is None or claim > best[0]:
                    best = (claim, Lead(answer.text, place), answer)
        lead, lead_finding = (best[1], best[2]) if best else (None, None)
        hits: list[Hit] = []
        earlier: list[str] = []
        for row, post_found in zip(rows, found, strict=True):
            quoted = findings.in_context(cands.table, post_found, lead_finding, earlier)
            earlier += quoted
            hits.append(self._hit(self.index.posts[row], float(ranking.scores[row]), quoted))
        return hits, lead

    def _hit(self, post: PostRecord, score: float, found: list[str]) -> Hit:
        return Hit(
            slug=post.slug,
            title=post.title,
            date=post.date,
            tags=post.tags,
            url=post_url(post.slug, self.base_url),
            score=round(score, 4),
            findings=found,
            evidence=self.evidence[post.row],
            year=study_types.year(post.date),
            has_text=bool(self._has_text[post.row]),
        )
