"""Does the archive cover what a question is about?

A near-topic question ("does vitamin D help <a condition the site never wrote about>?") still
finds plenty of vitamin D posts that look close, so a score threshold alone answers it
confidently. What tells it apart is a specific word of the question that no post contains. A
word counts as specific when it is uncommon in English (wordfreq's Zipf frequency) and is no
vocabulary alias, so everyday words people use instead of medical terms never count; a
misspelling of a word the archive has ('diabetis') never counts either. Other-language questions
are not judged: the vocabulary cannot restate every inflected word, and an untranslated word
would look unknown.

Subjects named with everyday words ('frozen shoulder', 'knee replacement') slip past that test,
and so does a rare word that some unrelated post happens to contain. So a second test reads the
question for a named health subject of subjects.txt (conditions, procedures, drugs, supplements
across all of medicine, written from general medical knowledge) and asks how many posts name it:
one the archive names in at most `SUBJECT_POSTS` posts and in no title is not covered. Names
that are vocabulary aliases or phrases are the archive's own topics and never count.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from functools import lru_cache
from pathlib import Path

import numpy as np

from retrieval.language import zipf
from retrieval.lexical import LexicalIndex, terms
from retrieval.phrases import PhraseTable
from retrieval.store import IndexData
from retrieval.synonyms import matches, read_loosely
from retrieval.synonyms import words as alias_words
from retrieval.text import singular

COMMON_ZIPF = 3.0
"""Words at least this frequent (about once per 1M words) are everyday words, not subjects."""
MIN_LETTERS = 5
EVERYDAY_WORDS = 40_000
"""The most frequent English words (down to Zipf 2.7): misspelt, they are no subject either."""
LONG_WORD = 7
"""Words this long may be misspelt further before they stop being the archive's word."""
SOUND_ALIKE_ZIPF = 4.0
"""A word one letter shorter than LONG_WORD may be misspelt as far, but only as a sound-alike of
an everyday word at least this frequent ('wimmen', 'women'): 'keloid', a subject no post names,
is no such word, nor is any of the 6-letter names of `subjects.txt` but two drug brands (which
the subjects rule flags itself)."""
_WORD_RE = re.compile(r"^[a-z]+$")
_LETTERS = "abcdefghijklmnopqrstuvwxyz"
_WORDS_RE = re.compile(r"(?<![\w-])[a-z]+(?![\w-])")
_ACRONYM_RE = re.compile(r"(?<![\w/-])([A-Z]{3,6})s?(?![\w/-])")
"""An acronym as a question writes it ('POTS', 'SIBO', 'SSRIs'): three to six capitals."""
ACRONYM_ZIPF = 4.0
"""An acronym that is also an everyday word at least this frequent ('SAFE', 'REALLY', 'URGENT':
Zipf 4.1 and up) is read as emphasis; below it ('POTS' 3.8, 'PANDAS' 3.1) as a name."""
CHAT_ACRONYMS = frozenset(
    ("asap", "fyi", "tbh", "imo", "imho", "btw", "omg", "lol", "idk", "pls", "plz", "thx", "tia",
     "afaik", "iirc", "diy", "faq", "eta", "rsvp")
)  # fmt: skip
"""Acronyms of chat and everyday writing, a closed class that names no subject."""


def _deletions(word: str) -> set[str]:
    return {word[:i] + word[i + 1 :] for i in range(len(word))}


def _insertions(word: str) -> set[str]:
    """`word` with one letter added anywhere."""
    return {word[:i] + c + word[i:] for i in range(len(word) + 1) for c in _LETTERS}


class _Spellings:
    """Words and the one-letter deletions of each (a symmetric-deletion index): a word within
    two edits of one of them shares a deletion with it."""

    def __init__(self, words: Iterable[str]) -> None:
        self.words = frozenset(words)
        self.deleted: set[str] = set()
        for word in self.words:
            if len(word) >= MIN_LETTERS - 1 and _WORD_RE.match(word):
                self.deleted |= _deletions(word)

    def near(self, word: str, variants: set[str]) -> bool:
        """Within two edits of one of the words, `variants` being `word`'s deletions."""
        return word in self.deleted or self.shares(variants)

    def shares(self, variants: set[str]) -> bool:
        return not variants.isdisjoint(self.words) or not variants.isdisjoint(self.deleted)


_SOUNDEX = {
    **dict.fromkeys("bfpv", "1"), **dict.fromkeys("cgjkqsxz", "2"), **dict.fromkeys("dt", "3"),
    "l": "4", **dict.fromkeys("mn", "5"), "r": "6",
}  # fmt: skip


def soundex(word: str) -> str:
    """American Soundex: the first letter and the next three consonant sounds ('women' and
    'wimmen' are both W550)."""
    out, last = word[:1].upper(), _SOUNDEX.get(word[:1], "")
    for ch in word[1:]:
        code = _SOUNDEX.get(ch, "")
        if code and code != last:
            out += code
        if ch not in "hw":
            last = code
    return (out + "000")[:4]


@lru_cache(maxsize=1)
def _common_by_sound() -> dict[str, tuple[str, ...]]:
    """The everyday words of Zipf SOUND_ALIKE_ZIPF and above (about 7,000), by `soundex`."""
    from wordfreq import top_n_list

    index: dict[str, list[str]] = {}
    for word in top_n_list("en", EVERYDAY_WORDS):  # most frequent first
        if zipf(word) < SOUND_ALIKE_ZIPF:
            break
        if _WORD_RE.match(word) and len(word) >= MIN_LETTERS:
            index.setdefault(soundex(word), []).append(word)
    return {sound: tuple(found) for sound, found in index.items()}


def _sounds_like_everyday(word: str, variants: set[str]) -> bool:
    """An everyday word that sounds the same (`soundex`) within about three edits: two letters
    off `word` (`variants`: its deletions) are it, or it less one letter."""
    twice = set().union(*map(_deletions, variants))
    return any(
        found in twice or not twice.isdisjoint(_deletions(found))
        for found in _common_by_sound().get(soundex(word), ())
    )


@lru_cache(maxsize=1)
def _everyday() -> _Spellings:
    """The most frequent English words: the same for every index version, so built once."""
    from wordfreq import top_n_list

    return _Spellings(w for w in top_n_list("en", EVERYDAY_WORDS) if _WORD_RE.match(w))


class ArchiveWords:
    """The archive's words, for telling a subject it lacks from a misspelling of one it has
    (or of an everyday English word)."""

    def __init__(
        self, known: Iterable[str], covers: Callable[[str], bool] = lambda acronym: False
    ) -> None:
        self.known = frozenset(known)
        self._covers = covers
        """Whether the archive covers an acronym (lower-case: `acronym_coverage`)."""
        self._archive = _Spellings(self.known)
        self._everyday = _everyday()
        _common_by_sound()  # built with the everyday words (0.14 s once), not by a question

    def misspelt(self, word: str) -> bool:
        """True when an archive or everyday English word ('should' for 'shoud') is within two
        edits (a letter missing, added, changed or two swapped: 'diabetis'), or, for words of 7
        letters or more, within about three ('osteoperosis', 'miscarage'). Measured on typos made
        by random edits of 600 rare archive words: one edit 100% found, two 69-73%, two letters
        left out 87-92% (60-61% before that case was looked for), a sound-alike spelling plus
        one edit 58-67% (over runs, each a different sample); none of 19 real medical words the
        archive lacks was taken for a typo; of 18 others (drug and disease names) one, 'lasik',
        is ('basic' is one edit away), the same with or without the last case."""
        variants = _deletions(word)
        spellings = (self._archive, self._everyday)
        if any(s.near(word, variants) for s in spellings):
            return True
        if len(word) == LONG_WORD - 1:
            return _sounds_like_everyday(word, variants)
        if len(word) < LONG_WORD:
            return False
        twice = set().union(*map(_deletions, variants))
        if any(s.shares(twice) for s in spellings):
            return True
        longer = _insertions(word)  # two letters left out: 'miscarage' for 'miscarriage'
        return any(s.shares(longer) for s in spellings)

    def missing(self, english: str) -> list[str]:
        """The question's uncommon words (as written, lower-case) that no post contains, and
        that are no vocabulary alias, read as written or in the question's own word order (a
        lay word of 'underactive thyroid' said as 'my thyroid is underactive' had been taken for
        a subject the archive lacks), and no misspelling of an archive or everyday word."""
        parts, last = [], 0
        for m in matches(english, "en"):
            parts.append(english[last : m.start])
            last = m.end
        parts.append(english[last:])
        out = []
        loose = read_loosely(english)  # 'underactive' of 'my thyroid is underactive'
        for word in dict.fromkeys(_WORDS_RE.findall(" ".join(parts).lower())):
            if len(word) < MIN_LETTERS or zipf(word) >= COMMON_ZIPF or singular(word) in loose:
                continue
            forms = terms(word)
            if forms.isdisjoint(self.known) and not any(map(self.misspelt, {word, *forms})):
                out.append(word)
        return out + [a for a in self._acronyms_of(english, parts) if a not in out]

    def _acronyms_of(self, english: str, parts: Sequence[str]) -> list[str]:
        """The acronyms of the question's `parts` (those no vocabulary alias covers) that the
        archive does not cover (`acronym_coverage`), lower-case: 'POTS' is no post's acronym,
        though 'pots' is one post's word, so the lower-case test above cannot tell. Not read in a
        question written mostly in capitals, where every word looks like one."""
        if sum(map(str.isupper, english)) > sum(map(str.islower, english)):
            return []
        found = (a.lower() for a in _ACRONYM_RE.findall(" ".join(parts)))
        return [
            a
            for a in dict.fromkeys(found)
            if a not in CHAT_ACRONYMS and zipf(a) < ACRONYM_ZIPF and not self._covers(a)
        ]


SUBJECTS_FILE = Path(__file__).with_name("subjects.txt")
SUBJECT_POSTS = 1
"""A listed subject named in at most this many posts (and in no title) is not covered. On the
dev set every K from 0 to 10 gave the same figures (no-answer 14/16 -> 16/16, answerable
confident 0.991 unchanged), so K was chosen on questions made from the archive's own titles,
bold lines and opening sentences (benchmarks/subjects.py: 1,217 in English, covered by
definition): flagged 0 / 1 / 3 / 7 with K = 0 / 1 / 2 / 5. K = 1 still catches a subject that
one unrelated post names in passing."""


def acronym_coverage(
    posts_with: Callable[[str], np.ndarray | None],
    text_of: Callable[[int], str],
    most: int = SUBJECT_POSTS,
) -> Callable[[str], bool]:
    """Whether the archive covers an acronym (lower-case): as a word of more than `most` posts
    (its word or plural, by `posts_with`: 'HARMS', 'DOSES' written for emphasis), or written as
    an acronym in one of the few that have it (`text_of` a post row, `writes_acronym`). So at
    most `most` posts are read: the word 'dose' is in hundreds, and reading them took 150 ms."""

    def covers(acronym: str) -> bool:
        rows: set[int] = set()
        for word in (acronym, f"{acronym}s"):
            found = posts_with(word)
            rows.update(found.tolist() if found is not None else ())
        if len(rows) > most:
            return True
        return any(writes_acronym(text_of(row), acronym) for row in sorted(rows))

    return covers


def writes_acronym(text: str, acronym: str) -> bool:
    """Whether `text` writes `acronym` (lower-case), or its plural, with two capitals or more, as
    an acronym is written ('ADHD', 'AFib', 'SSRIs'), not as a word ('Pots and pans')."""
    pattern = re.compile(rf"(?<!\w){re.escape(acronym)}s?(?!\w)", re.I)
    return any(sum(map(str.isupper, m.group())) >= 2 for m in pattern.finditer(text))


_TOKEN_RE = re.compile(r"\w+")
_WORD_CHAR_RE = re.compile(r"\w")


class SubjectsError(ValueError):
    """A line of subjects.txt that is not a subject; the message names the line."""


def parse_subjects(text: str) -> list[tuple[str, ...]]:
    """Each subject's names, in file order ('#' lines are comments)."""
    out = []
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        names = tuple(n.strip() for n in line.split("|"))
        if not all(map(_tokens, names)):
            raise SubjectsError(f"line {number}: a name without words")
        out.append(names)
    return out


@lru_cache(maxsize=1)
def subjects() -> tuple[tuple[str, ...], ...]:
    return tuple(parse_subjects(SUBJECTS_FILE.read_text("utf-8")))


def _tokens(text: str) -> tuple[str, ...]:
    return tuple(_TOKEN_RE.findall(text.lower()))


def _is_topic(name: str) -> bool:
    """The whole name is a vocabulary alias or phrase: a topic of the archive."""
    found = matches(name, "en")
    return len(found) == 1 and alias_words(name[found[0].start : found[0].end]) == alias_words(name)


@lru_cache(maxsize=1)
def _names() -> PhraseTable[int]:
    """Name words -> subject number (the same for every version, so built once), leaving out
    vocabulary topics."""
    return PhraseTable(
        (_tokens(name), number)
        for number, names in enumerate(subjects())
        for name in names
        if not _is_topic(name)
    )


class _Phrase:
    """A name's words in order as whole words, any punctuation or spaces between them. The
    pattern opens with the first word's letters, so the regex engine skips ahead to them (a
    leading lookbehind made it try every position: 17x slower), and the word start is checked
    on each find."""

    def __init__(self, words: tuple[str, ...]) -> None:
        self._re = re.compile(r"\W+".join(map(re.escape, words)) + r"(?!\w)")

    def in_(self, text: str) -> bool:
        return any(
            m.start() == 0 or not _WORD_CHAR_RE.match(text, m.start() - 1)
            for m in self._re.finditer(text)
        )


@lru_cache(maxsize=4096)
def _phrase(words: tuple[str, ...]) -> _Phrase:
    """Compiled once per process: the list is the same for every version."""
    return _Phrase(words)


def _covered(
    names: tuple[str, ...],
    titles: list[str],
    texts: list[str],
    posts_with: Callable[[str], np.ndarray | None],
    most: int,
) -> bool:
    """Some title names the subject, or more than `most` posts do (counting stops there)."""
    found: set[int] = set()
    for name in names:
        words = _tokens(name)
        rows = _candidates(words, posts_with, len(texts))
        phrase = _phrase(words)
        if any(phrase.in_(titles[r]) for r in rows):
            return True
        for row in rows:
            if row not in found and phrase.in_(texts[row]):
                found.add(row)
                if len(found) > most:
                    return True
    return False


def _candidates(
    words: tuple[str, ...], posts_with: Callable[[str], np.ndarray | None], n: int
) -> list[int]:
    """Rows (of `n`) that hold every indexed word of a name."""
    rows: np.ndarray | None = None
    for word in words:
        having = posts_with(word)
        if having is not None:
            rows = having if rows is None else np.intersect1d(rows, having)
    return list(range(n)) if rows is None else rows.tolist()


class SubjectCoverage:
    """The listed subjects one index version barely covers (worked out when it loads)."""

    def __init__(
        self,
        titles: Sequence[str],
        texts: Sequence[str],
        posts_with: Callable[[str], np.ndarray | None],
        most: int = SUBJECT_POSTS,
    ) -> None:
        """`titles` and `texts` (title, text and bold lines) per post row; `posts_with` finds
        the rows holding a word (a cheap superset, for the phrase test to confirm). Only the
        subject numbers are kept, not the texts."""
        low_titles = [t.lower() for t in titles]
        low_texts = [t.lower() for t in texts]
        self.uncovered = frozenset(
            number
            for number, names in enumerate(subjects())
            if not _covered(names, low_titles, low_texts, posts_with, most)
        )

    @classmethod
    def for_index(
        cls, index: IndexData, lexical: LexicalIndex, most: int = SUBJECT_POSTS
    ) -> SubjectCoverage:
        """From each post's title, bold lines and chunks, the word index giving candidates."""
        texts = [
            "\n".join([p.title, *p.bold, *chunks])
            for p, chunks in zip(index.posts, index.post_chunks(), strict=True)
        ]
        return cls([p.title for p in index.posts], texts, lexical.posts_with, most)

    def named(self, english: str) -> list[str]:
        """The barely covered subjects an English question names (as written, lower-case):
        longest name first at each word, none inside a vocabulary alias."""
        low = english.lower()
        spans = list(_TOKEN_RE.finditer(low))
        out: list[str] = []
        for i, n, number in _names().find([m.group() for m in spans]):
            if number in self.uncovered:
                start, end = spans[i].start(), spans[i + n - 1].end()
                if not any(m.start <= start and end <= m.end for m in matches(low, "en")):
                    out.append(low[start:end])
        return list(dict.fromkeys(out))
