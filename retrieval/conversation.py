"""Follow-up questions in a thread: which earlier question, if any, they are read with.

"what dose did they use?" or "and for kids?" mean nothing on their own, so by default a
follow-up is read after the thread's last question. Two things make it a new subject instead:
- the writer says so ("different question", "unrelated", "by the way");
- it names a subject (a condition, organ, treatment: a topic of the vocabulary that is no mere
  population, dose or study word) that the earlier question did not, and has no word that points
  back ("what about", "that", "they", "the same", "too"). Then it is searched on its own.
A follow-up that says nothing but a pointer and a subject of the earlier question's kind ("what
about asthma?" after "does vitamin D help psoriasis?") asks that question again about its own
subject: it is read after the earlier question without its subjects. Read after all of it, it
had been answered about psoriasis: over 109 such follow-ups of our own (one for each of the
archive's topics, after a question on another), the first post carried the new topic for 0.49
of them, now 0.73 (the first three 0.65 -> 0.85). Over 104 naming a nutrient after a condition
("what about magnesium?" after migraines), which still ask about the condition, 0.68 -> 0.66
(agents after agents now switch too). Both question sets unchanged.

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

AGENTS = frozenset({
    # nutrients and supplements
    "active vitamin d", "alfacalcidol", "b vitamins", "beta carotene", "boron", "calcium",
    "calcipotriol", "cod liver oil", "collagen", "curcumin", "dha", "epa", "epsom salt", "fish oil",
    "flaxseed oil", "folic acid", "glutathione", "iodine", "iron", "krill oil", "magnesium",
    "magnesium citrate", "magnesium glycinate", "magnesium oxide", "melatonin", "methylcobalamin",
    "methylfolate", "mk-4", "mk-7", "multivitamin", "niacin", "omega 3", "paricalcitol",
    "phosphorus", "potassium", "probiotics", "protein", "retinol", "selenium", "vitamin a",
    "vitamin b12", "vitamin b6", "vitamin c", "vitamin d analogs", "vitamin d2", "vitamin d3",
    "vitamin e", "vitamin k", "vitamin k1", "vitamin k2", "zinc", "cofactors", "nutrients",
    "mineral",
    # foods and diets
    "beer", "cheese", "coffee", "dairy", "egg yolk", "eggs", "fermented foods", "fish", "herring",
    "kefir", "mackerel", "milk", "mushrooms", "olive oil", "oil", "salmon", "sardines", "salt",
    "iodized salt", "trout", "tuna", "wine", "yogurt", "infant formula", "breast milk",
    "fortification", "food sources", "gluten", "fructose", "ultraprocessed foods",
    "ketogenic diet", "diet", "vegan", "vegetarian", "gluten free",
    # drugs, vaccines and treatments
    "antibiotics", "antidepressants", "aromatase inhibitors", "aspirin", "atorvastatin",
    "bisphosphonates", "blood thinners", "carbamazepine", "chemotherapy", "cholestyramine",
    "hydrochlorothiazide", "immunotherapy", "inhaler", "insulin", "interferon", "ivermectin",
    "levothyroxine", "metformin", "nsaids", "opioids", "oral contraceptives", "painkillers",
    "penicillin", "phenytoin", "proton pump inhibitors", "raloxifene", "rosuvastatin",
    "simvastatin", "statins", "steroids", "warfarin", "medication", "mrna vaccine", "flu shot",
    "vaccination", "booster", "pfizer", "radiotherapy", "light therapy", "phototherapy",
    # exposures and habits
    "sun", "sunscreen", "tanning", "uv", "uv lamp", "uvb", "ultraviolet light", "exercise",
    "physical activity", "smoking", "alcohol", "nicotine", "passive smoking", "e-cigarette",
    "pollution", "pesticides", "glyphosate", "microplastics", "bpa", "particulate matter",
})  # fmt: skip
"""Vocabulary phrases for what is taken or met rather than had: nutrients and supplements, foods
and diets, drugs and treatments, exposures and habits. Written from general knowledge over the
vocabulary's 776 phrases (a test checks each is one), not from any question: a follow-up naming
one after a question on a condition asks about the two together ("what about magnesium?" after
migraines), one naming a condition after a condition asks about it instead."""
_IN_PLACE_RE = re.compile(
    r"(?:and|or|also|so|then|what about|how about|and what about|and for|what about for"
    r"|(?:the )?same (?:question |thing |goes )?(?:for|with)"
    r"|(?:does|would|could|can|will|is) (?:it|that|this|vitamin d) (?:also |too )?"
    r"(?:help|work|do anything|good|useful|helpful|any good)(?: (?:with|for|on|in|against))?"
    r"|is it (?:also )?(?:good|useful|helpful) for)(?: (?:too|also|as well))?"
)
"""What a follow-up says besides its subjects when it asks the earlier question again about
them ("what about asthma?", "and asthma?", "same question for asthma", "does it also help
asthma?"): a relation ("what about after a stroke?", "does it depend on your genes?") keeps
the earlier subject."""


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
    """The earlier question to read the English `question` with ('' for none: a new subject;
    the earlier question without its subjects when the follow-up puts its own in their place).
    `previous`: the thread's earlier questions in English, oldest first."""
    if not previous:
        return ""
    if _SHIFT_RE.search(question):
        return ""
    last = previous[-1]
    own = {s for s in subjects(question) if is_topic(s)}
    if not own or own & subjects(last) or _FRAGMENT_RE.match(question):
        return last
    if not _BACK_RE.search(question):
        return ""
    earlier = {s for s in subjects(last) if is_topic(s)}
    if _in_place_of(question, own, earlier):
        return _unnamed(last, earlier)
    return last


def _in_place_of(question: str, own: set[str], earlier: set[str]) -> bool:
    """Whether a follow-up asks the earlier question again with its own subjects in place of
    the earlier ones: it says nothing but them and a pointer (`_IN_PLACE_RE`), and they are of
    the earlier subjects' kind (all AGENTS or none), so "what about magnesium?" after a question
    on migraines still asks about migraines."""
    same_kind = {p in AGENTS for p in own} == {p in AGENTS for p in earlier}
    said = _unnamed(question, own)
    return bool(earlier) and same_kind and _IN_PLACE_RE.fullmatch(said) is not None


def _unnamed(question: str, phrases: set[str]) -> str:
    """The question's words (lower case) without those naming `phrases`."""
    low = question.lower()
    for m in sorted(matches(low, "en"), key=lambda m: m.start, reverse=True):
        if m.rule.phrase in phrases:
            low = f"{low[: m.start]} {low[m.end :]}"
    return " ".join(_WORD_RE.findall(low))


def as_read(previous: Sequence[str], is_topic: Callable[[str], bool]) -> list[str]:
    """The thread's earlier questions (in English, oldest first) as each was read: a follow-up
    after the gist of the question before it, as read in turn; a new subject on its own."""
    read: list[str] = []
    for question in previous:
        context = context_for(question, read, is_topic)
        read.append(f"{gist(context, is_topic)} {question}" if context else question)
    return read
