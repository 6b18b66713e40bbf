"""The topic vocabulary (synonyms.txt): lay names, abbreviations and other-language names of each
topic, mapped to the phrase the archive uses.

Matching works on words, not characters: text and aliases are split into word tokens that are
lower-cased and stripped of accents, and the aliases of a scope sit in one dict keyed by their
token tuple. So "Crohn's", "crohn’s" and "crohn s" are one alias, "esclerosis multiple" matches
"esclerosis múltiple", and a question is scanned with a handful of dict lookups per word (no big
regex alternation, whose cost grows with the thousands of aliases).

People describe a condition in their own words: an alias reads any English determiner as its
own ('cysts on my ovaries' matches 'cysts on her ovaries'), and an English question's expansions
also read its aliases loosely (`LOOSE_WINDOW`: 'my joints are stiff' for 'stiff joints').

A scope is the set of lines that apply to a question: English lines always; `en:` lines only for
English questions; `de:`, `es:`, ... lines only for questions in that language; `tag:` lines only
for tag lookup.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from bm25s.stopwords import STOPWORDS_EN

from retrieval.phrases import PhraseTable
from retrieval.text import singular

RULES_FILE = Path(__file__).with_name("synonyms.txt")
LANGUAGES = ("de", "es", "fr", "it", "pt", "nl", "pl")
ENGLISH_ONLY = "en"
TAG_ONLY = "tag"
PREFIXES = (ENGLISH_ONLY, TAG_ONLY, *LANGUAGES)

_LINE_RE = re.compile(r'^(?:([a-z]+):\s*)?((?:"[^"]+"\s*)+)=>\s*"([^"]+)"$')
_WORD_RE = re.compile(r"\w+")
_FOLD = str.maketrans({"ł": "l", "ß": "ss", "ø": "o", "æ": "ae", "œ": "oe", "đ": "d", "ı": "i"})
# Question words ("and", "my", "what") restate a sentence but say nothing about its topic.
_FUNCTION_WORDS = frozenset(
    ["a", "an", "and", "or", "with", "without", "for", "my", "our", "after", "before", "during",
     "also", "what", "which", "when", "why", "how", "does", "is", "it", "true", "can", "of",
     "in", "to"]
)  # fmt: skip


_VITAMIN_WORD = re.compile(r"\b[vw]itamin")


class VocabularyError(ValueError):
    """A line of synonyms.txt that is not a rule; the message names the line."""


@dataclass(frozen=True)
class Rule:
    alias: str
    phrase: str
    lang: str  # "" for English lines that apply to every question, else a prefix


@dataclass(frozen=True)
class Match:
    start: int
    end: int
    rule: Rule


def fold(word: str) -> str:
    """Lower case without accents: 'Múltiple' -> 'multiple', 'Łuszczyca' -> 'luszczyca'."""
    if word.isascii():  # most words: nothing to fold but the case
        return word.lower()
    decomposed = unicodedata.normalize("NFKD", word.lower().translate(_FOLD))
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def words(text: str) -> tuple[str, ...]:
    return tuple(fold(w) for w in _WORD_RE.findall(text))


ACCENT_TELLS_APART = {
    "it": frozenset({"è"}),
    "pt": frozenset({"é"}),
    "fr": frozenset({"où"}),
}
"""Words of a language that only their accent tells from another, different word that is an
alias there: Italian 'è' and Portuguese 'é' ('is') from 'e' ('and'), French 'où' ('where') from
'ou' ('or'). Read without their accents, 'A vitamina D é segura?' was restated as 'vitamin d and
safe', in 10 of a helper's 80 Italian and Portuguese questions. Of the words whose accent tells
them apart from another common word of their language (Spanish 'qué', 'sí', 'él', 'más', French
'à', 'là', Italian 'né', 'là', Portuguese 'à', 'está'...), these are the ones whose twin is an
alias; a test checks that no word here is an alias itself, and that each twin is one."""
_DETERMINERS = frozenset(["my", "his", "her", "their", "your", "our", "the"])
"""English words that say whose, or which, thing an alias names: one alias reads them all
('cysts on my ovaries' is also 'cysts on her ovaries' and 'cysts on the ovaries')."""


def _keyed(said: tuple[str, ...]) -> tuple[str, ...]:
    """Words as the alias tables are keyed: every English determiner read as 'my'."""
    return tuple("my" if w in _DETERMINERS else w for w in said)


def _lower_words(text: str) -> tuple[str, ...]:
    """`words` with their accents kept."""
    return tuple(w.lower() for w in _WORD_RE.findall(text))


def parse(text: str) -> list[Rule]:
    """Every rule of a vocabulary file, in file order; a malformed line raises VocabularyError."""
    text = re.sub(r"/\*.*?\*/", lambda m: "\n" * m.group(0).count("\n"), text, flags=re.S)
    if "/*" in text or "*/" in text:
        raise VocabularyError("unclosed or stray comment marker")
    rules: list[Rule] = []
    for number, line in enumerate(text.splitlines(), 1):
        line = line.strip()
        if not line:
            continue
        m = _LINE_RE.match(line)
        if m is None:
            raise VocabularyError(f'line {number}: not \'[lang:] "alias" ... => "phrase"\'')
        lang, aliases, phrase = m.group(1) or "", m.group(2), m.group(3)
        if lang and lang not in PREFIXES:
            raise VocabularyError(f"line {number}: unknown prefix {lang!r}")
        for alias in re.findall(r'"([^"]+)"', aliases):
            if not words(alias):
                raise VocabularyError(f"line {number}: alias {alias!r} has no words")
            rules.append(Rule(alias, phrase, lang))
    return rules


@lru_cache(maxsize=1)
def rules() -> tuple[Rule, ...]:
    return tuple(parse(RULES_FILE.read_text("utf-8")))


@lru_cache(maxsize=1)
def named_in_english() -> frozenset[str]:
    """Phrases that English lines name: the topic groups. Most question-word groups have only
    other-language lines; those with English ones name things (milk, fish, sunscreen) or people,
    whom `conversation.MODIFIERS` keeps out of a thread's topics."""
    return frozenset(r.phrase for r in rules() if r.lang == "")


@lru_cache(maxsize=1)
def english_words() -> frozenset[str]:
    """The words of the English lines' aliases and of every phrase (four letters or more): what
    a misspelt word of an English question may be read as (`spelling.subject_fixes`)."""
    return frozenset(w for w in alias_words(ENGLISH_ONLY) if len(w) >= 4 and w.isalpha())


def _scope(lang: str | None, tags: bool = False) -> tuple[str, ...]:
    """Line prefixes that apply, most specific first (it wins when an alias is in several)."""
    if tags:
        return (TAG_ONLY, "", ENGLISH_ONLY, *LANGUAGES)
    if lang in LANGUAGES:
        return (lang, "")
    if lang in (None, ENGLISH_ONLY):
        return (ENGLISH_ONLY, "")
    return ("",)  # a language the vocabulary does not cover: its English lines still apply


@lru_cache(maxsize=16)
def _table(scope: tuple[str, ...]) -> PhraseTable[Rule]:
    """Alias words -> rule for one scope (first rule of the most specific prefix wins)."""
    aliases = [(_keyed(words(r.alias)), r) for prefix in scope for r in rules() if r.lang == prefix]
    # A phrase names itself, so 'type 1 diabetes' is read whole and not as 'type 1' + 'diabetes'.
    names = [(_keyed(words(r.phrase)), Rule(r.phrase, r.phrase, "")) for r in rules()]
    return PhraseTable([*aliases, *names])


@lru_cache(maxsize=16)
def alias_words(lang: str) -> frozenset[str]:
    """Every word (folded, as the alias table keys it) of the aliases and phrases a question in
    `lang` is read with: what a misspelt word may be read as (`spelling.alias_fixes`)."""
    return frozenset(w for said in _table(_scope(lang)).values for w in said)


def load(lang: str) -> None:
    """Build the alias table a question in `lang` reads, and the words a misspelt word of it may
    be read as, now rather than on its first one (and for English, the loose reading's index)."""
    _table(_scope(lang))
    alias_words(lang)
    if lang == ENGLISH_ONLY:
        _loose_index()
        english_words()


def matches(text: str, lang: str | None = None, *, tags: bool = False) -> tuple[Match, ...]:
    """Aliases in `text`, left to right, each the longest one starting at its word. `lang`:
    the question's language (None: English)."""
    return _matches(text, lang or ENGLISH_ONLY, tags)


@lru_cache(maxsize=4096)
def _matches(text: str, lang: str, tags: bool) -> tuple[Match, ...]:
    """`matches`, cached: a question's query, coverage and follow-up checks all read the same
    text."""
    spans = list(_WORD_RE.finditer(text))
    found = _read(text, lang, tags)[1]
    return tuple(Match(spans[i].start(), spans[i + n - 1].end(), rule) for i, n, rule in found)


@lru_cache(maxsize=4096)
def _read(
    text: str, lang: str, tags: bool
) -> tuple[tuple[str, ...], tuple[tuple[int, int, Rule], ...]]:
    """The text's words, and the aliases found in them (first word, number of words, rule): what
    `matches` places in the text and `expansions` reads by word."""
    said = words(text)
    kept = ACCENT_TELLS_APART.get(lang, frozenset())
    if kept and not text.isascii():  # such a word keeps its accent, so it matches no alias
        said = tuple(
            low if low in kept else w for w, low in zip(said, _lower_words(text), strict=True)
        )
    return said, tuple(_table(_scope(lang, tags)).find(_keyed(said)))


def _contains(haystack: tuple[str, ...], needle: tuple[str, ...]) -> bool:
    n = len(needle)
    return any(haystack[i : i + n] == needle for i in range(len(haystack) - n + 1))


def expansions(text: str, lang: str | None = None) -> list[str]:
    """Archive phrases for the aliases in `text` that the text does not already say, each once,
    longest alias first. `lang` adds that language's lines (default: English questions)."""
    said, spans = _read(text, lang or ENGLISH_ONLY, False)  # read once with `matches`
    best: dict[str, int] = {}
    found = [(rule, len(rule.alias)) for _, _, rule in spans]
    if lang in (None, ENGLISH_ONLY):  # then, read loosely, the words no longer alias took
        named = {rule.phrase for rule, _ in found}
        stems = _stems(said)
        found += [
            (rule, size)
            for rule, size in _read_loosely(text)
            if rule.phrase not in named and not _contains(stems, _stems(words(rule.phrase)))
        ]  # a phrase the question says but for a plural's 's' ('5 year old') adds nothing
    for rule, size in found:
        phrase = rule.phrase
        phrase_words = words(phrase)
        if set(phrase_words) <= _FUNCTION_WORDS or _contains(said, phrase_words):
            continue
        best[phrase] = max(best.get(phrase, 0), size)
    return sorted(best, key=lambda p: -best[p])


LOOSE_WINDOW = 3
"""An English alias or phrase of two or three words (no stopword, no number) also matches its
words in any order within this many consecutive words of an English question ('joints are
stiff' for 'stiff joints', 'cancer - breast' for 'breast cancer'), a plural's 's' aside, once
the strict reading has run: words a longer alias took are not read again ('gastric bypass
surgery' is no 'bypass surgery'), and a number between ends the window. Chosen on dev: 2 (the
same as none), 3, 4 and 5 gave hit@3 0.917 / 0.927 / 0.927 / 0.927, nDCG@10 0.788 / 0.794 /
0.794 / 0.794; 5 quoted one more fact in a first post but read more words wrongly together
('getting pregnant' in 'pregnant and already getting stretch marks'); checked on the independent
set: nDCG@10 0.606 -> 0.610, hit@1 0.760 -> 0.771."""


@lru_cache(maxsize=4096)
def _read_loosely(text: str) -> tuple[tuple[Rule, int], ...]:
    """The English aliases an English `text` names in its own word order (`_loose`), outside the
    words its aliases of two or more words took; cached, as `_read` is: a question's expansions
    and its coverage check both read it."""
    said, spans = _read(text, ENGLISH_ONLY, False)
    free = list(said)
    for i, n, _ in spans:
        if n > 1:
            free[i : i + n] = [""] * n
    return tuple(_loose(free))


def read_loosely(text: str) -> frozenset[str]:
    """The words (singular) of the English aliases an English `text` names in its own word order:
    'underactive' in 'my thyroid is underactive' ('underactive thyroid')."""
    return frozenset(w for rule, _ in _read_loosely(text) for w in _stems(words(rule.alias)))


def _stems(said: Sequence[str]) -> tuple[str, ...]:
    return tuple(singular(w) for w in said)


@lru_cache(maxsize=1)
def _loose_index() -> dict[str, list[tuple[frozenset[str], Rule]]]:
    """English aliases of two or three words, none a function word or a number, by their first
    (stemmed) word."""
    index: dict[str, list[tuple[frozenset[str], Rule]]] = {}
    english = [r for r in rules() if r.lang in ("", ENGLISH_ONLY)]
    names = [Rule(p, p, "") for p in dict.fromkeys(r.phrase for r in rules())]  # names itself
    for rule in [*english, *names]:
        alias = words(rule.alias)
        if not 2 <= len(alias) <= 3:
            continue
        if any(w in _FUNCTION_WORDS or w in STOPWORDS_EN or w.isdigit() for w in alias):
            continue
        stems = frozenset(_stems(alias))
        if len(stems) == len(alias):
            index.setdefault(singular(alias[0]), []).append((stems, rule))
    return index


def _loose(said: list[str]) -> list[tuple[Rule, int]]:
    """English aliases whose words stand within LOOSE_WINDOW consecutive words of `said` (''
    for a word taken already), in any order and with no number among them ('every 90 days' is
    not 'every day'), with the length of the alias (`expansions` ranks by it)."""
    stems = _stems(said)
    index, found = _loose_index(), {}
    for i, stem in enumerate(stems):
        for alias, rule in index.get(stem, ()):
            if rule.alias in found:
                continue
            for j in range(max(0, i - LOOSE_WINDOW + 1), i + 1):
                window = stems[j : j + LOOSE_WINDOW]
                if alias <= set(window) and not any(w[:1].isdigit() for w in window):
                    found[rule.alias] = rule
                    break
    return [(rule, len(alias)) for alias, rule in found.items()]


def translate(text: str, lang: str | None, *, tags: bool = False) -> str:
    """`text` with every alias of `lang` (and every English alias) replaced by its English phrase,
    the rest left as it is: 'Hilft Vitamin D bei Schuppenflechte?' -> 'help vitamin d bei
    psoriasis?'. Words the vocabulary does not know stay in the original language. With `tags`,
    the aliases of every language and the tag-only ones apply (a tag name has no sentence to
    detect a language from)."""
    out: list[str] = []
    last = 0
    for m in matches(text, lang, tags=tags):
        if _lower_words(m.rule.phrase) == _lower_words(text[m.start : m.end]):
            continue  # already English: keep the writer's spelling ('dépression' is not)
        phrase = m.rule.phrase
        if _VITAMIN_WORD.search(fold(m.rule.alias)) and "vitamin" not in phrase:
            phrase = f"vitamin d {phrase}"  # 'nivel de vitamina d' -> 'blood levels' loses it
        out += [text[last : m.start], phrase]
        last = m.end
    out.append(text[last:])
    return "".join(out)


@lru_cache(maxsize=1)
def _by_name() -> dict[tuple[str, ...], tuple[str, ...]]:
    """Alias words -> every phrase it names in any scope, tag-only and English lines first."""
    order = {p: i for i, p in enumerate(_scope(None, tags=True))}
    found: dict[tuple[str, ...], list[str]] = {}
    for rule in sorted(rules(), key=lambda r: order[r.lang]):
        phrases = found.setdefault(words(rule.alias), [])
        if rule.phrase not in phrases:
            phrases.append(rule.phrase)
    return {k: tuple(v) for k, v in found.items()}


def names(name: str) -> list[str]:
    """Phrases a whole name stands for in any language or as a tag-only alias (for tag lookup),
    most specific first: 'Zn' -> ['zinc'], 'Brustkrebs' -> ['breast cancer']."""
    return list(_by_name().get(words(name), ()))


@lru_cache(maxsize=1)
def _by_phrase() -> dict[tuple[str, ...], tuple[str, ...]]:
    found: dict[tuple[str, ...], list[str]] = {}
    for rule in rules():
        found.setdefault(words(rule.phrase), []).append(rule.alias)
    return {k: tuple(dict.fromkeys(v)) for k, v in found.items()}


def aliases(phrase: str) -> tuple[str, ...]:
    """Every alias of a phrase, in file order ('Seasonal affective disorder' -> ..., 'sad')."""
    return _by_phrase().get(words(phrase), ())
