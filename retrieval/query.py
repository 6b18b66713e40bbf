"""Question -> the texts that are searched: the dense query and the lexical (BM25) query.

- A question in another language is restated in English through the vocabulary (synonyms.txt)
  before it is embedded: the embedding model reads English only. Its misspelt words are read as
  the aliases one edit away first (`spelling.alias_fixes`).
- Chat shorthand, lay names and abbreviations get the archive's phrasing appended (to both
  queries of an English question; to the lexical query only of a restated one, which is in the
  archive's phrasing already).
- The lexical query also gets the question's doses and levels in the archive's usual units, since
  numbers are where exact matching pays (in the dense query, restating or removing them measured
  neutral to worse on both question sets).
- A follow-up in a thread is read together with the thread's earlier question (retrieval/
  conversation.py decides when).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property

from retrieval import conversation, language, spelling, synonyms
from retrieval.language import detect, zipf
from retrieval.synonyms import expansions, matches, translate, words
from retrieval.units import equivalents

MAX_QUESTION_CHARS = 1000
STATUS_PHRASES = frozenset({
    "vitamin d", "deficiency", "blood levels", "vitamin d blood test", "tests", "low", "high",
    "optimum",
})  # fmt: skip
"""The vocabulary's phrases for vitamin D itself and how its status is measured. Every question
here is about vitamin D, so appended to the dense query they say nothing about the subject and
pull it toward posts on levels in general; they stay in the lexical query. Chosen on dev (nDCG@10
0.751 -> 0.765, hit@3 0.872 -> 0.890, hit@1 0.716 -> 0.752), checked on the independent set
(0.590 -> 0.592, hit@1 0.750 -> 0.760, hit@3 unchanged); without 'vitamin d', 'tests', 'low',
'high' and 'optimum' dev gave 0.757."""
_STATUS_WORDS = frozenset(w for phrase in STATUS_PHRASES for w in phrase.split())
"""The words of STATUS_PHRASES: a misspelt one put right ('vitamen') is not appended either."""


@dataclass(frozen=True)
class Query:
    text: str
    """The question as asked (normalised)."""
    dense: str
    lang: str
    english: str
    """The question restated in English (the question itself when it is English)."""
    context: str = ""
    """The gist of the thread's earlier question (in English) a follow-up is read with; '' for
    none."""
    extra: tuple[str, ...] = ()
    """The vocabulary's phrasing of the question, read with its thread when it follows one."""
    follows: bool = False
    """The question was read with an earlier one of its thread."""

    # The two lexical queries are worked out when first read: a search reads them on its side
    # thread, beside the vector product, not before the encode (0.05 ms a question).
    @cached_property
    def lexical(self) -> str:
        """The words matched exactly (BM25)."""
        return _lexical(self._searched, list(self.extra), self.text)

    @cached_property
    def asked(self) -> str:
        """`lexical` of the English question alone: what key findings are matched on. Without
        `context` (a follow-up's posts are about the thread's topic already; what it adds is what
        it asks) and without another language's words (the posts are English: those words
        matched almost nothing and only shrank the share the English words carry)."""
        if self._searched == self.text:  # English, and no earlier question to read it with
            return self.lexical
        extra = expansions(self.english) if self.follows else list(self.extra)
        return _lexical(self.english, extra)

    @property
    def _searched(self) -> str:
        return self.after_context(self.english)

    def after_context(self, text: str) -> str:
        """`text` (a form of this question) read after the gist of the thread's earlier
        question, as every search of a follow-up reads it."""
        return _after(self.context, text)


def load_vocabulary() -> None:
    """Load what building a first query would load on first use: the language identifier and
    every language's vocabulary table (about a second on this machine)."""
    language.load()
    for lang in language.LANGUAGES:
        synonyms.load(lang)


_LINK_RE = re.compile(r"https?://\S+|www\.\S+", re.I)
_POST_LINK_RE = re.compile(r"/pages/([A-Za-z0-9][\w-]*)")


def normalize_question(question: str) -> str:
    """Collapse whitespace, drop invisible characters, read links (`_link_words`), cap length
    (the model reads 256 tokens)."""
    if question.isprintable():  # most questions: nothing to drop, no character loop
        visible = question
    else:
        visible = "".join(ch for ch in question if ch.isprintable() or ch.isspace())
    if "://" in visible or "www." in visible:
        visible = _LINK_RE.sub(_link_words, visible)
    return " ".join(visible.split())[:MAX_QUESTION_CHARS]


def _link_words(link: re.Match[str]) -> str:
    """A link to a post (`…/pages/<slug>/`, how the site's links are made) as its slug's words,
    which are its title's ('…/pages/vitamin-d-and-asthma/' -> 'vitamin d and asthma'); any other
    link as nothing: its host and path are no words of the question."""
    post = _POST_LINK_RE.search(link.group(0))
    return f" {post.group(1).replace('-', ' ').replace('_', ' ')} " if post else " "


_ELISION_RE = re.compile(
    r"^(?:[cdjlmnst]|qu|jusqu|lorsqu|puisqu|un|dell|dall|nell|sull|all|coll|quell|quest)['’](?=\w)",
    re.I,
)
"""A French or Italian article or pronoun elided onto the next word ("l'osteoporosis" once the
vocabulary has restated "l'ostéoporose", "j'absorbe", "dell'asma"): not part of the word."""


def _drop_untranslated(text: str, lang: str, english: frozenset[str]) -> str:
    """Words the vocabulary left in the question's language (articles, verbs) are noise to an
    English model: keep the words more common in English than in that language, numbers,
    letters ('vitamin d') and the `english` words the vocabulary put in (Dutch reads 'uv' more
    often than English does, yet 'zonnebank' -> 'uv' is the question's subject), each without
    an article elided onto it ('l'osteoporosis' is judged and kept as 'osteoporosis'). A hyphenated
    compound not kept whole is judged part by part ('Covid-Verlauf' keeps 'Covid', 'multiple
    sclerosis-Schüben' keeps 'sclerosis'): whole, its untranslated part dropped the subject too."""

    def kept(w: str) -> bool:
        return (
            len(w) == 1
            or any(c.isdigit() for c in w)
            or (bool(words(w)) and english.issuperset(words(w)))
            or zipf(w) >= zipf(w, lang)
        )

    out: list[str] = []
    for w in text.split():
        w = _ELISION_RE.sub("", w) if "'" in w or "’" in w else w
        if kept(w):
            out.append(w)
        elif "-" in w:
            out += [part for part in w.split("-") if part and kept(part)]
    return " ".join(out)


def in_english(text: str) -> tuple[str, str]:
    """(the language of a normalised question, the question restated in English)."""
    lang = detect(text)
    if lang == "en":
        return lang, text
    text = spelling.with_fixes(text, spelling.alias_fixes(text, lang))
    english = frozenset(w for m in matches(text, lang) for w in words(m.rule.phrase))
    return lang, _drop_untranslated(translate(text, lang), lang, english)


def build_query(
    question: str,
    previous: Sequence[str] = (),
    is_topic: Callable[[str], bool] = lambda phrase: True,
    known: Mapping[str, float] | None = None,
) -> Query:
    """`is_topic`: whether a vocabulary phrase is one of the archive's topics (its tags);
    `known`: the archive's words (word -> IDF), against which an English question's misspelt
    subjects are put right (`_put_right`); None reads the question as written."""
    text = normalize_question(question)
    lang, english = in_english(text)
    earlier = [in_english(normalize_question(p))[1] for p in previous]
    context = conversation.context_for(english, conversation.as_read(earlier, is_topic), is_topic)
    gist = conversation.gist(context, is_topic) if context else ""
    extra = expansions(_after(context, english))
    if lang == "en" and known:
        extra += _put_right(english, context, extra, known)
    # A restated question is the vocabulary's phrasing already: its expansions are left to the
    # lexical query (language questions' nDCG@10 dev 0.70 -> 0.72, independent 0.45 -> 0.46).
    named: list[str] = []
    if lang == "en":
        said = frozenset(words(_after(context, english)))
        named = [e for e in extra if e not in STATUS_PHRASES and not _half_said(e, said)]
    dense = f"{english} ({', '.join(named)})" if named else english
    return Query(text, dense, lang, english, gist, tuple(extra), bool(context))


def _put_right(
    english: str, context: str, extra: list[str], known: Mapping[str, float]
) -> list[str]:
    """For an English question's misspelt subject words ('ceoliac', 'hypothyrodism'), the
    vocabulary's phrases for the question with them put right and the words themselves, beyond
    the `extra` it has: appended, as expansions are, not put in their place (the embedding often
    reads a misspelt word better than a wrong correction; putting every misspelling right in
    place lowered the independent set's typo hit@3 from 1.00 to 0.83)."""
    fixes = spelling.subject_fixes(english, known, synonyms.english_words())
    if not fixes:
        return []
    fixed = spelling.with_fixes(english, fixes)
    found = [e for e in expansions(_after(context, fixed)) if e not in extra]
    words_put_right = [w for w in fixes.values() if w not in _STATUS_WORDS]
    return list(dict.fromkeys([*found, *(w for w in words_put_right if w not in extra)]))


def _half_said(phrase: str, said: frozenset[str]) -> bool:
    """A phrase naming two subjects ('thyroid and parathyroid', the site's tag) of which the
    question says one: appended to the dense query it adds only the other one, and "does vitamin
    D interact with thyroid medication?" was answered with posts on hyperparathyroidism."""
    first, _, second = phrase.partition(" and ")
    return bool(second) and not said.isdisjoint([*words(first), *words(second)])


def _after(context: str, text: str) -> str:
    return f"{context} {text}" if context else text


def _lexical(english: str, extra: list[str], *also: str) -> str:
    """The words matched exactly: the English question, `also` (the question as asked), the
    vocabulary's phrasing and the quantities in the archive's units."""
    return " ".join(dict.fromkeys([english, *also, *extra, *equivalents(english)]))
