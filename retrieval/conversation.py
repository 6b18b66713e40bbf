"""Follow-up questions in a thread: which earlier question, if any, they are read with.

"what dose did they use?" or "and for kids?" mean nothing on their own, so by default a
follow-up is read after the thread's last question. Two things make it a new subject instead:
- the writer says so ("different question", "unrelated", "by the way");
- it names a subject (a condition, organ, treatment: a topic of the vocabulary that is no mere
  population, dose or study word) that the earlier question did not, and has no word that points
  back ("what about", "that", "they", "the same", "too"). Then it is searched on its own.

What the earlier question lends is its gist: its subjects and its less common words, not its
framing ("does", "help", "what", "much"), which would otherwise pull the follow-up towards posts
that answer the earlier question's kind of question rather than the new one. An earlier question
that was itself a follow-up lends it as it was read (`as_read`): after "does vitamin D help
asthma?" and "and for kids?", "any RCTs?" is still about asthma.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

from retrieval.language import zipf
from retrieval.synonyms import matches, named_in_english

GIST_ZIPF = 4.5
"""Words at least this common in English (Zipf scale: 'does' 5.7, 'children' 5.5, 'cancer' 4.9)
frame an earlier question rather than carry its subject, unless they name one of the archive's
topics. Chosen on the dev set's 14 follow-ups (hit@3 at 4.0 / 4.5 / 5.0 / 5.5: 11 / 12 / 11 /
10, and 10 with the whole earlier question), then checked on the independent set's 12 (10 -> 11)."""
_WORD_RE = re.compile(r"[\w'-]+")
_NUMBER_RE = re.compile(r"[\d.,]+")

_SHIFT_RE = re.compile(
    r"\b(?:different|another|other|new|separate|unrelated|off[- ]topic|random)\s+"
    r"(?:question|topic|thing|subject|note)\b|\bunrelated\b|\bby the way\b|\bbtw\b"
    r"|\bchang(?:e|ing)\s+(?:the\s+)?(?:subject|topic)\b|\bswitching\s+(?:gears|topics?)\b",
    re.I,
)
_BACK_RE = re.compile(
    r"\b(?:what|how)\s+about\b|^\s*(?:and|also|but|so|then|or)\b|\b(?:that|those|these|this|they"
    r"|them|their|the same|same|too|as well|also|either|instead|such|there|it)\b",
    re.I,
)
_FRAGMENT_RE = re.compile(
    r"^\s*(?:with|without|in|for|during|after|before|at|on|from|while|when|if|even)\b"
    r"(?:\W+\w+){0,3}\W*$",
    re.I,
)
"""A fragment of four words or fewer that opens with a preposition or a conjunction ("with
calcium or without?", "in pregnancy?", "even at 4000 IU?"): it goes on with the question before,
whatever it names."""
MODIFIERS = frozenset(
    {
        # populations, times of life
        "child", "infant", "youth", "seniors", "women", "men", "pregnancy", "breastfeeding",
        "preemie", "darker skin", "obesity", "sports", "mother", "doctor",
        # doses, levels and ways of taking it
        "vitamin d", "vitamin d2", "supplement", "dosage", "high dose", "loading dose", "how much",
        "intervention", "therapeutic intervention", "intervention non daily", "blood levels",
        "vitamin d blood test", "deficiency", "optimum", "daily", "iu", "mcg", "forms",
        "injection", "how and when", "absorption", "half life", "too much d", "rda",
        # study words
        "meta analysis", "review", "overview", "overview for doctors", "mice", "associations",
        "predict", "tests", "health risk", "top news", "off topic", "mortality",
    }
)  # fmt: skip
"""Vocabulary phrases that narrow a question rather than give it a subject of its own, spelt as
the vocabulary's phrases are (a test checks each is one)."""


def subjects(text: str) -> set[str]:
    """The vocabulary phrases `text` names, less the modifiers (some are question words, not
    topics: `context_for` keeps only the archive's topics)."""
    return {m.rule.phrase for m in matches(text, "en")} - MODIFIERS


def gist(question: str, is_topic: Callable[[str], bool]) -> str:
    """The topics and the less common words of an English question; the question itself when
    it has none, or only numbers: the gist of "my 80 year old mother keeps falling" was "80",
    and a thread on falls went on about nothing but that number. A topic is one of the archive's
    (`is_topic`) or one the vocabulary's English lines name: "hair loss" is no tag and its words
    are common, so a thread on it had gone on about nothing but "vitamin"."""
    english = named_in_english()
    topics = sorted(s for s in subjects(question) if is_topic(s) or s in english)
    rare = [
        w
        for w in _WORD_RE.findall(question)
        if any(c.isdigit() for c in w) or zipf(w.lower()) < GIST_ZIPF
    ]
    if not topics and all(_NUMBER_RE.fullmatch(w) for w in rare):
        return question
    return " ".join(dict.fromkeys([*topics, *rare]))


def context_for(question: str, previous: Sequence[str], is_topic: Callable[[str], bool]) -> str:
    """The earlier question to read the English `question` with ('' for none: a new subject).
    `previous`: the thread's earlier questions in English, oldest first."""
    if not previous:
        return ""
    if _SHIFT_RE.search(question):
        return ""
    last = previous[-1]
    own = {s for s in subjects(question) if is_topic(s)}
    if (
        own
        and not own & subjects(last)
        and not _BACK_RE.search(question)
        and not _FRAGMENT_RE.match(question)
    ):
        return ""
    return last


def as_read(previous: Sequence[str], is_topic: Callable[[str], bool]) -> list[str]:
    """The thread's earlier questions (in English, oldest first) as each was read: a follow-up
    after the gist of the question before it, as read in turn; a new subject on its own."""
    read: list[str] = []
    for question in previous:
        context = context_for(question, read, is_topic)
        read.append(f"{gist(context, is_topic)} {question}" if context else question)
    return read
