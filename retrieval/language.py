"""Which language a question is in, among the ones the vocabulary covers, and how common a word
is in a language.

py3langid ships its model inside the wheel (nothing is downloaded). It is restricted to English
and the vocabulary's seven other languages, and loaded on first use (1.5 s), so a process that
never sees a question pays nothing. wordfreq ships its word lists inside its wheel too.
"""

from __future__ import annotations

from functools import lru_cache

LANGUAGES = ("en", "de", "es", "fr", "it", "pt", "nl", "pl")
MIN_PROBABILITY = 0.5
"""Below this the question is taken as English: short English chat ('is 10k iu ok') is where
the identifier guesses, and reading English as English is the safe error."""


@lru_cache(maxsize=1)
def _identifier():
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    ident = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
    ident.set_languages(list(LANGUAGES))
    return ident


@lru_cache(maxsize=4096)
def detect(text: str) -> str:
    """The question's language code ('en' unless another is clearly more likely)."""
    if sum(ch.isalpha() for ch in text) < 8:
        return "en"
    lang, probability = _identifier().classify(text)
    return lang if lang != "en" and probability >= MIN_PROBABILITY else "en"


@lru_cache(maxsize=65536)
def zipf(word: str, lang: str = "en") -> float:
    """How common `word` is in `lang` on the Zipf scale (about 7 for 'the', 3 for once in a
    million words, 0 for unknown): what tells everyday words from specific ones."""
    from wordfreq import zipf_frequency

    return zipf_frequency(word, lang)
