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


@lru_cache(maxsize=1)
def _identifier():
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    ident = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
    ident.set_languages(list(LANGUAGES))
    return ident


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
calls English."""
_LOWER_WORD_RE = re.compile(r"[a-z']+")


@lru_cache(maxsize=4096)
def detect(text: str) -> str:
    """The question's language code ('en' unless another is clearly more likely)."""
    if sum(ch.isalpha() for ch in text) < 8:
        return "en"
    if (
        text.isascii()
        and len(ENGLISH_ONLY_WORDS.intersection(_LOWER_WORD_RE.findall(text.lower()))) >= 2
    ):
        return "en"
    lang, probability = _identifier().classify(text)
    return lang if lang != "en" and probability >= MIN_PROBABILITY else "en"


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
