"""Misspelt words put right: subject words beside an English question (`subject_fixes`, read by
retrieval/query.py), and every word for a second try at a question the archive did not answer
clearly (`put_right`).

A misspelt subject word ("osteoporsis") leaves the question's vector far from the posts on it, so
the best score can fall below the confidence threshold. Correcting every question first was
measured and did worse (the embedding often reads a misspelt word better than a wrong correction),
so the correction is only a second try: `Searcher.search` asks again with the words put right
when the question as asked got no confident answer for its score (not because it names a
subject the archive lacks), and keeps that answer only if it is confident. On questions made from
a fifth of the archive's titles with one random edit in about half their longer words, confident
answers went from 386 to 420 of the 421 the titles get (the right post first: 329 to 343);
neither question set changed. Asked about each of the 536 listed subjects the archive does not
cover ("does vitamin D help colic?"), the second try made none confident; without the exception
for such subjects it made 15 ("colic" read as "folic").

Words are looked up by their archive term (`_fixes`): until they were, no subject ending in 's'
(diabetes, rickets, sepsis, every '-osis' and '-itis') was ever put right. Over 364 questions of
our own on 109 of the archive's topics, each name misspelt by one random edit ('does vitamin d
help parkinons'), the first post carried the topic's tag for 0.670 of them before and 0.758
after (the first three 0.843 -> 0.912, confident 0.964 -> 0.981); 350 of the 354 words put right
were the intended ones. Dev unchanged; the independent set's typo questions lost a little (hit@1
0.92 -> 0.83, facts of the first 3 posts 0.47 -> 0.43; three of them changed, none for the
better): the embedding had read their misspellings well already. (Their facts came back, 0.47,
once long questions were confident from a lower score, `search.LONG_CONFIDENT_SCORE`: one is
now answered as asked, not asked again with its words put right.)

A question in another language has its misspelt words read as the vocabulary's aliases one edit
away (`alias_fixes`) before it is restated: the vocabulary had restated only what it reads, so
'Hilft Vitamin D bei multile sklerose?' lost its subject. Over 187 questions of our own in the
seven languages (a topic's alias in a question template of its language, one random edit in its
longest word) the first post carried the topic for 0.209, now 0.759 (the first three 0.417 ->
0.898); spelt right, 206 such questions and 30 natural ones of our own are unchanged (none has a
word put right). Dev unchanged; independent language nDCG@10 0.635 -> 0.638.
"""

from __future__ import annotations

import re
import string
from collections.abc import Container, Mapping

from retrieval import synonyms
from retrieval.coverage import COMMON_ZIPF
from retrieval.language import zipf
from retrieval.lexical import terms
from retrieval.text import singular

MIN_LETTERS = 4
MIN_ALIAS_LETTERS = 5
"""A word of another language's question is read as a misspelt alias from this length: shorter
words one edit from an alias are often other words."""
MISSPELT_ZIPF = 2.0
"""An English question's word that no post has is read as a misspelt subject (`subject_fixes`)
only below this English frequency: rare words people do write ('hunched', 'tingle', 'snore',
'welts', 'steadier', 2.3-2.9) stay as written, misspellings ('docter' 1.9, 'inflamation' 1.3,
'hypothyrodism' 0) are put right. Read off our own questions' words, not an evaluation set's."""
_TOKEN_RE = re.compile(r"(\W+)")
_LETTERS_RE = re.compile(r"[a-z]+")


def one_edit(word: str) -> set[str]:
    """Every string one letter deleted, swapped with the next, changed or added away."""
    splits = [(word[:i], word[i:]) for i in range(len(word) + 1)]
    letters = string.ascii_lowercase
    return (
        {a + b[1:] for a, b in splits if b}
        | {a + b[1] + b[0] + b[2:] for a, b in splits if len(b) > 1}
        | {a + c + b[1:] for a, b in splits if b for c in letters}
        | {a + c + b for a, b in splits for c in letters}
    )


def put_right(text: str, known: Mapping[str, float]) -> str | None:
    """`text` with each word that is no archive word (`known`: word -> IDF), and no everyday
    English word, replaced by the archive word one edit away that most posts use; None when
    no word was replaced."""
    fixes = _fixes(text, known, COMMON_ZIPF, known)
    return with_fixes(text, fixes) if fixes else None


def subject_fixes(
    text: str, known: Mapping[str, float], subjects: Container[str]
) -> dict[str, str]:
    """The words of `text` (lower-case) that look misspelt (no archive word, rarer than
    MISSPELT_ZIPF), each with the archive word one edit away that names a subject (`subjects`:
    the vocabulary's English words), the one most posts use: 'ceoliac' -> 'celiac',
    'schizophernia' -> 'schizophrenia'. A word with no such neighbour is left out."""
    return _fixes(text, known, MISSPELT_ZIPF, subjects)


def alias_fixes(text: str, lang: str) -> dict[str, str]:
    """For a question in `lang` (one of the vocabulary's other languages), its words (lower-case)
    that no alias reads and that are rare there and in English (below MISSPELT_ZIPF), each with
    the alias word one edit away (folded) that is commonest in that language: 'multile sklerose'
    is read as 'multiple sclerosis', 'cáncir' as 'cancer'. Such a question is restated through
    the vocabulary, which reads nothing it does not know, and the embedding reads its English."""
    aliases = synonyms.alias_words(lang)
    fixes: dict[str, str] = {}
    for part in dict.fromkeys(p.lower() for p in _TOKEN_RE.split(text)):
        word = synonyms.fold(part)
        if len(word) < MIN_ALIAS_LETTERS or not word.isalpha() or word in aliases:
            continue
        if zipf(part, lang) >= MISSPELT_ZIPF or zipf(part) >= MISSPELT_ZIPF:
            continue
        near = [w for w in one_edit(word) if w in aliases]
        if near:
            fixes[part] = max(near, key=lambda w: (zipf(w, lang), zipf(w), w))
    return fixes


def with_fixes(text: str, fixes: Mapping[str, str]) -> str:
    """`text` with each word `fixes` has (by its lower-case form) replaced by its correction."""
    return "".join(fixes.get(part.lower(), part) for part in _TOKEN_RE.split(text))


def _fixes(
    text: str, known: Mapping[str, float], below: float, allowed: Container[str]
) -> dict[str, str]:
    """Each misspelt word of `text` (`_misspelt`, rarer in English than `below`) with the archive
    word one edit away that `allowed` has (as written or as its term) and most posts use, in the
    text's order. A word is looked up by its term, as `known` keys it ('osteoporosis' is
    'osteoporosi', plural 's' dropped): looked up as written, no subject ending in 's'
    ('osteoporsis', 'reckets', 'sopsis') could ever be put right."""
    fixes: dict[str, str] = {}
    for word in dict.fromkeys(part.lower() for part in _TOKEN_RE.split(text)):
        if _misspelt(word, known, below):
            near: dict[str, str] = {}
            for w in one_edit(word):
                term = singular(w)
                if term in known and (w in allowed or term in allowed) and terms(w):
                    near[w] = term  # `terms`: a stopword is no archive term
            if near:
                fixes[word] = min(near, key=lambda w: (known[near[w]], w))
    return fixes


def _misspelt(word: str, known: Mapping[str, float], below: float) -> bool:
    if len(word) < MIN_LETTERS or word in known or _LETTERS_RE.fullmatch(word) is None:
        return False
    found = terms(word)  # none for a stopword, which is meant as written
    return (
        bool(found)
        and not any(t in known for t in found)  # not set.isdisjoint: it reads all of `known`
        and zipf(word) < below  # a word as common as this is meant as written
    )
