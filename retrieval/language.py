"""Which language a question is in, among the ones the vocabulary covers, and how common a word
is in a language.

py3langid ships its model inside the wheel (nothing is downloaded). It is restricted to English
and the vocabulary's seven other languages, and loaded on first use (1.5 s), so a process that
never sees a question pays nothing. wordfreq ships its word lists inside its wheel too.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Callable
from functools import lru_cache

from retrieval import synonyms

LANGUAGES = ("en", *synonyms.LANGUAGES)
"""English and the vocabulary's other languages: the only ones a question is read as."""
NAMES = {
    "en": "English", "de": "German", "es": "Spanish", "fr": "French", "it": "Italian",
    "pt": "Portuguese", "nl": "Dutch", "pl": "Polish",
}  # fmt: skip
SCRIPT_NAMES = {
    "CJK": "Chinese",
    "HIRAGANA": "Japanese",
    "KATAKANA": "Japanese",
    "HANGUL": "Korean",
}
"""Scripts named otherwise than by the first word of their letters' Unicode names."""
MIN_PROBABILITY = 0.5
"""Below this the question is taken as English: short English chat ('is 10k iu ok') is where
the identifier guesses, and reading English as English is the safe error."""
CLOSE_PROBABILITY = 0.1
"""Languages the identifier gives at least this share (of the eight read here) are weighed
against its first choice by the vocabulary: short questions in neighbouring languages look alike
('vitamina D e queda de cabelo' came out Spanish 0.50, Portuguese 0.49, and read in Spanish kept
only 'vitamin d e'), so the one whose vocabulary reads more of the question is taken (whether the
question is English is decided before, as without them, but for VOCABULARY_CHARS)."""
VOCABULARY_CHARS = 8
"""A question the identifier does not give to one of the seven (short ones read as English or
Luxembourgish: 'hilft vitamin d bei winterdepression?', 'protetor solar impede a producao de
vitamina d?' written without accents), and that has no English-only word, is read in the language
whose own vocabulary lines read at least this many of its characters, in words commoner there than
in English, and more than the English lines do ('vitamin d' aside). Of 528 questions of our own
in the seven, 4 had been read as English, and 2 of 280 more written by a helper; none is now. Of
7,295 English texts (every post title, 4,000 sentences of the posts, `speed.py`'s 500 questions
and 328 of our own) none changed language, at 12 characters as at 8 (at 4, one sentence did)."""
VOCABULARY_PROBABILITY = 0.05
"""The identifier's least probability for a language to be weighed by its vocabulary so."""
UNREAD_PROBABILITY = 0.7
"""How sure the identifier, over all its languages, must be that a question is in one not read
here before it is taken as such. On 2,325 texts in English or the seven (both question sets with
their earlier questions, `speed.py`'s 500 questions and every post title, less those English at
once), none reached it but the titles in Japanese, Hebrew and Tagalog; 'Latin' reached 0.67 on
English titles ('Solanum glaucophyllum…'), hence NEVER_UNREAD."""
NEVER_UNREAD = frozenset({"la", "zxx", "pcm"})
"""Never taken as a language not read here: Latin (medical English reads as it), 'no language'
and Nigerian Pidgin (an English-based creole)."""
OTHER_NAMES = {
    "af": "Afrikaans", "az": "Azerbaijani", "br": "Breton", "bs": "Bosnian", "ca": "Catalan",
    "cs": "Czech", "cy": "Welsh", "da": "Danish", "eo": "Esperanto", "et": "Estonian",
    "eu": "Basque", "fi": "Finnish", "fo": "Faroese", "fy": "Frisian", "ga": "Irish",
    "gd": "Scottish Gaelic", "gl": "Galician", "ha": "Hausa", "hr": "Croatian",
    "ht": "Haitian Creole", "hu": "Hungarian", "id": "Indonesian", "ig": "Igbo",
    "is": "Icelandic", "jv": "Javanese", "ku": "Kurdish", "lb": "Luxembourgish", "lt": "Lithuanian",
    "lv": "Latvian", "mg": "Malagasy", "ms": "Malay", "mt": "Maltese", "nn": "Norwegian",
    "no": "Norwegian", "oc": "Occitan", "qu": "Quechua", "ro": "Romanian", "sk": "Slovak",
    "sl": "Slovenian", "so": "Somali", "sq": "Albanian", "sr": "Serbian", "sv": "Swedish",
    "sw": "Swahili", "tk": "Turkmen", "tl": "Tagalog", "tr": "Turkish", "uz": "Uzbek",
    "vi": "Vietnamese", "wa": "Walloon", "xh": "Xhosa", "yo": "Yoruba", "zu": "Zulu",
}  # fmt: skip
"""Names of the languages in Latin letters the identifier knows and the bot does not read (one in
another script is named by its script: `unread_script`)."""


@lru_cache(maxsize=1)
def _identifier():
    """The identifier over every language it knows: its probabilities, taken over the languages
    read here alone, are what an identifier limited to them gives (the same softmax over the same
    scores), and over all of them they tell a language not read here."""
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    return LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)


def load() -> None:
    """Load the identifier now rather than on the first question that needs it (0.35 s warm,
    1.5 s from a cold disk)."""
    _identifier()


ENGLISH_ONLY_WORDS = frozenset({
    "the", "and", "does", "what", "how", "should", "with", "for", "this", "that", "there", "any",
    "about", "have", "has", "were", "which", "when", "why", "who", "would", "could", "than", "if",
    "you", "your", "from", "be", "are", "can",
})  # fmt: skip
"""Function words of English that are no word of the other seven languages ('is' and 'of' are
Dutch, 'was' and 'will' German, 'my', 'to' and 'by' Polish). Text in plain ASCII with two of them
is English without asking the identifier, which costs 0.2 ms a question right after an encode has
emptied the caches (0.03 ms warm). On 3,520 texts (both question sets, the speed and scale
benchmarks' questions, every post title), the 985 that take this path are all ones the identifier
calls English. With one of them, a question the identifier gives to one of the seven is read in
it only if that language's vocabulary reads it (`_read_by_vocabulary`): 'does vitamin d help
diabetes' came out Dutch, and so did 16 of 2,180 English questions of our own (templates over the
archive's topics, as named and misspelt; 15 Dutch, 1 Italian), and 17 of 'does vitamin D help
<subject>?' over subjects.txt's 1,067 subjects, which then escaped the English coverage check
(`coverage`) and were answered confidently. None is now, 16 questions of our own in the seven with
one English word ('Helpt vitamine D and K2 bij botontkalking?') keep their language, and of 8,631
texts (every title, 4,000 post sentences and those questions) only those 16 and two author lines
changed, each to English. Both question sets: no question changes language."""
_LOWER_WORD_RE = re.compile(r"[a-z']+")


def detect(text: str) -> str:
    """The question's language code ('en' unless another is clearly more likely)."""
    return _reading(text)[0]


@lru_cache(maxsize=4096)
def _reading(text: str) -> tuple[str, str | None]:
    """The language of LANGUAGES the question is read as, and the code of one not read here that
    it is clearly in (None when it is not)."""
    if sum(ch.isalpha() for ch in text) < 8:
        return "en", None
    english_words = (
        len(ENGLISH_ONLY_WORDS.intersection(_LOWER_WORD_RE.findall(text.lower())))
        if text.isascii()
        else 0
    )
    if english_words >= 2:
        return "en", None
    ranked = _identifier().rank(text)
    top, top_probability = ranked[0]
    # one English-only word is enough to rule out another language: short English chat ('can i
    # get enough vit d from food') can read as something else
    sure = top_probability >= UNREAD_PROBABILITY and top not in NEVER_UNREAD
    other = top if sure and top not in LANGUAGES and not english_words else None
    probabilities = dict(ranked)
    total = sum(probabilities.get(lang, 0.0) for lang in LANGUAGES)
    if not total:
        return "en", other
    share = {code: probabilities.get(code, 0.0) / total for code in LANGUAGES}
    lang = max(LANGUAGES, key=share.__getitem__)
    if lang == "en" or share[lang] < MIN_PROBABILITY:
        return (_read_by_vocabulary(text, probabilities) if not english_words else "en"), other
    if english_words:  # one English-only word: the language's vocabulary must read it too
        return _read_by_vocabulary(text, probabilities), other
    close = [code for code in synonyms.LANGUAGES if share[code] >= CLOSE_PROBABILITY]
    if len(close) == 1:  # 40 of both sets' 41: no neighbour to weigh, no vocabulary to read
        return lang, other
    return max(close, key=lambda code: (_vocabulary_reads(text, code), share[code])), other


def _read_by_vocabulary(text: str, probabilities: dict[str, float]) -> str:
    """The language of the seven whose own vocabulary reads the question (VOCABULARY_CHARS),
    else English."""
    weighed = [c for c in synonyms.LANGUAGES if probabilities.get(c, 0.0) >= VOCABULARY_PROBABILITY]
    reads = {code: _vocabulary_reads(text, code, _own_word_of(code)) for code in weighed}
    best = max(weighed, key=lambda c: (reads[c], probabilities[c]), default=None)
    if best is None or reads[best] < VOCABULARY_CHARS:
        return "en"
    english = _vocabulary_reads(text, None, lambda m, low: m.rule.phrase != "vitamin d")
    return best if reads[best] > english else "en"


def _own_word_of(lang: str) -> Callable[[synonyms.Match, str], bool]:
    """Whether a match is read by a line of `lang` itself, in an alias with a word commoner in
    `lang` than in English ('réduction' is French and English once its accent is folded)."""
    return lambda m, low: (
        m.rule.lang == lang and any(zipf(w, lang) > zipf(w) for w in low[m.start : m.end].split())
    )


def _vocabulary_reads(
    text: str,
    lang: str | None,
    counted: Callable[[synonyms.Match, str], bool] = lambda m, low: True,
) -> int:
    """How many characters of `text` the vocabulary of `lang` (with the English lines; None: the
    English lines alone) reads in the matches `counted` keeps, abbreviations of two letters left
    out: they are words of the neighbour ('em' is Spanish for multiple sclerosis and Portuguese
    for 'in')."""
    low = text.lower()
    return sum(
        m.end - m.start
        for m in synonyms.matches(low, lang)
        if m.end - m.start > 2 and counted(m, low)
    )


def unread(text: str) -> str | None:
    """What the question is written in when it is none of the languages read here: its script
    ('Cyrillic script', `unread_script`) or its language ('Swedish'); None otherwise."""
    script = unread_script(text)
    if script:
        return f"{script} script"
    other = _reading(text)[1]
    return OTHER_NAMES.get(other, "another language") if other else None


@lru_cache(maxsize=4096)
def unread_script(text: str) -> str | None:
    """The script most of the question's letters are in ('Cyrillic', 'Chinese', 'Arabic'...) when
    it is not the Latin one every language read here is written in; None otherwise. Such a
    question is in none of LANGUAGES: the identifier, limited to them, would still pick one (a
    Russian question read as Polish, a Chinese one as English)."""
    if text.isascii():
        return None
    scripts = Counter(
        unicodedata.name(ch, "UNKNOWN").split(" ", 1)[0] for ch in text if ch.isalpha()
    )
    if not scripts or scripts["LATIN"] * 2 >= sum(scripts.values()):
        return None
    top = max((s for s in scripts if s != "LATIN"), key=scripts.__getitem__)
    return SCRIPT_NAMES.get(top, top.title())


@lru_cache(maxsize=65536)
def zipf(word: str, lang: str = "en") -> float:
    """How common `word` is in `lang` on the Zipf scale (about 7 for 'the', 3 for once in a
    million words, 0 for unknown): what tells everyday words from specific ones."""
    from wordfreq import zipf_frequency

    return zipf_frequency(word, lang)
