"""The topic vocabulary (retrieval/synonyms.txt): it parses, says how it was made, covers every
ontology topic and every tag of 10+ posts in eight languages, keeps its English aliases
unambiguous, and restates other-language questions in English.

Every sentence here was written for these tests; none comes from an evaluation set.
"""

from __future__ import annotations

import re
import tomllib
from collections import Counter

import pytest

from retrieval import synonyms
from retrieval.ontology import parse_ontology, tag_key
from retrieval.synonyms import (
    LANGUAGES,
    VocabularyError,
    expansions,
    matches,
    parse,
    translate,
)
from tests.helpers import REPO, SHARED

ONTOLOGY = SHARED / "archive" / "ontology.txt"
MIN_POSTS = 10

# Words too common to name a topic: an English-line alias must not be one of them.
ENGLISH_STOPWORDS = set(
    str.split(
        "a about above after again against all am an and any are as at be because been before "
        "being below between both but by can could did do does doing down during each few for "
        "from further had has have having he her here hers him his how i if in into is it its "
        "itself just me more most my no nor not now of off on once only or other our out over own "
        "same she should so some such than that the their them then there these they this those "
        "through to too under until up very was we were what when where which while who whom why "
        "will with would you your yours day week month year take help good bad best low high "
        "level levels sun sunshine much many"
    )
)
# The commonest function words of the other languages: English lines apply to their questions
# too, so an English alias must not be one of these ('als' is ALS in English, 'as' in German).
FOREIGN_FUNCTION_WORDS = {
    "de": str.split(
        "der die das den dem des und oder als auch bei mit für von zu im in ist es ich man "
        "kann wie was wer wenn nicht ein eine einen mein sein hat so noch nach vor aus"
    ),
    "es": str.split(
        "el la los las de del y o en con sin para por un una es que mi me se su al lo como "
        "más pero muy son hay tia tía"
    ),
    "fr": str.split(
        "le la les de des du et ou en avec sans pour par un une est que mon ma se son au ce "
        "ça ca comme plus mais très sur"
    ),
    "it": str.split(
        "il lo la gli le di del e o in con senza per un una è che mio mia si suo al come più "
        "ma molto sono"
    ),
    "pt": str.split(
        "o a os as de do da e ou em com sem para por um uma é que meu minha se seu ao como "
        "mais mas muito são eu"
    ),
    "nl": str.split(
        "de het een en of in met zonder voor van op is dat mijn zijn als ook bij hoe wat "
        "men mens kan niet"
    ),
    "pl": str.split("i w z na do od się nie jest to że czy jak co mój moja po dla przy ale"),
}
# Plain English questions of the kind people ask; no other-language alias may read them
# differently from English (a false friend such as Dutch 'arts' or German 'gut' would).
ENGLISH_SENTENCES = [
    "How much vitamin D should my baby take every day in winter?",
    "Is 5000 IU per day too much for a man of my age?",
    "Does vitamin D help with multiple sclerosis or is that a myth?",
    "What kind of vitamin D is best, drops or tablets?",
    "My doctor says my level is low; how long until it comes up?",
    "Can I take vitamin D with magnesium and K2 at the same time?",
    "Why do people with dark skin need more sun to make vitamin D?",
    "Is it safe to take a high dose once a week instead of daily?",
    "What does the research say about vitamin D and depression in older women?",
    "Should pregnant women take vitamin D, and how much?",
    "I have a long history of kidney stones, is calcium a problem?",
    "Does vitamin D lower the risk of getting the flu or a cold?",
    "My son has asthma and eczema; could low vitamin D be the cause?",
    "Do the arts of cooking fish or eggs change their vitamin D content?",
    "Is there a link between gut health and vitamin D status?",
    "What is the sole reason doctors test for vitamin D in the elderly?",
    "Come on, does sunscreen really stop the skin making vitamin D?",
    "He was told to take it with a fatty meal for better absorption.",
    "Will the bot also tell me which posts cover heart disease?",
    "A vet said my dog gets too much vitamin D from his food, is that true?",
    "Tag me when there is news about fractures in seniors.",
    "Per the new guideline, is 20 ng/ml enough or should it be 40?",
    "Does being overweight change how much vitamin D a person needs?",
    "Can vitamin D deficiency make you tired and give you muscle pain?",
    "Which is better for bones: sunshine or supplements?",
    "Does the sunshine vitamin protect against cancer?",
    "I'm on statins and blood thinners; does vitamin D interfere with them?",
    "How long does it take for blood levels to rise after starting 4000 IU?",
    "Is vitamin D linked to hair loss, acne or psoriasis?",
    "Any studies on vitamin D for autism, ADHD or tics in kids?",
]


def by_phrase() -> dict[str, list[synonyms.Rule]]:
    groups: dict[str, list[synonyms.Rule]] = {}
    for rule in synonyms.rules():
        groups.setdefault(rule.phrase, []).append(rule)
    return groups


def english(rule: synonyms.Rule) -> bool:
    return rule.lang in ("", synonyms.ENGLISH_ONLY)


# ---------------------------------------------------------------- the file itself


def test_file_parses_into_many_rules_in_every_language():
    counts = Counter(r.lang for r in synonyms.rules())
    assert sum(counts[p] for p in ("", "en")) > 1000
    assert all(counts[lang] > 1000 for lang in LANGUAGES), counts


def test_file_says_how_it_was_made():
    header = " ".join(synonyms.RULES_FILE.read_text("utf-8").split("*/", 1)[0].lower().split())
    for claim in ("general medical and language knowledge", "ontology", "10 or more posts"):
        assert claim in header
    assert "no evaluation question" in header
    assert re.search(r"\b20\d\d-\d\d-\d\d\b", header)


@pytest.mark.parametrize(
    "text",
    ['"ms" => multiple sclerosis', 'xx: "a" => "b"', '"ms" "multiple sclerosis"',
     '/* unclosed\n"a" => "b"', '"--" => "b"', 'de "krebs" => "cancer"'],
)  # fmt: skip
def test_malformed_lines_fail(text):
    with pytest.raises(VocabularyError):
        parse(text)


def test_parse_reads_prefixes_and_skips_comments():
    text = '/* a\ncomment */\n"ms" "m.s." => "multiple sclerosis"\n\nde: "krebs" => "cancer"\n'
    assert parse(text) == [
        synonyms.Rule("ms", "multiple sclerosis", ""),
        synonyms.Rule("m.s.", "multiple sclerosis", ""),
        synonyms.Rule("krebs", "cancer", "de"),
    ]
    with pytest.raises(VocabularyError, match="line 5"):
        parse('/*\n\n*/\n"a" => "b"\nnonsense\n')


def test_ships_as_package_data():
    config = tomllib.loads((REPO / "pyproject.toml").read_text("utf-8"))
    assert "synonyms.txt" in config["tool"]["setuptools"]["package-data"]["retrieval"]
    assert synonyms.RULES_FILE.parent == REPO / "retrieval"


# ---------------------------------------------------------------- unambiguous English lines


def test_no_english_line_alias_is_a_stopword():
    bad = [r.alias for r in synonyms.rules() if r.lang == "" and r.alias in ENGLISH_STOPWORDS]
    assert bad == []


def test_no_english_line_alias_is_a_function_word_of_another_language():
    folded = {synonyms.fold(w): lang for lang, ws in FOREIGN_FUNCTION_WORDS.items() for w in ws}
    english_lines = [r for r in synonyms.rules() if r.lang == ""]
    bad = [(r.alias, folded[r.alias]) for r in english_lines if r.alias in folded]
    assert bad == []


@pytest.mark.parametrize("sentence", ENGLISH_SENTENCES)
def test_other_language_aliases_never_fire_on_english(sentence):
    assert {m.rule.lang for m in matches(sentence)} <= {"", "en"}
    assert {m.rule.lang for m in matches(sentence, "en")} <= {"", "en"}
    # Even if a detector mistook the sentence for another language, it would read the same as
    # in a language the vocabulary does not cover ('xx': only the lines for every question).
    for lang in LANGUAGES:
        assert translate(sentence, lang) == translate(sentence, "xx"), lang


def test_misleading_expansions_are_gone():
    assert "vitamin d" in expansions("is the sunshine vitamin good for me")
    assert not any("sun" in p for p in expansions("is the sunshine vitamin good for me"))
    assert expansions("my levels are fine") == []
    assert "vitamin d blood test" not in expansions("what level should I aim for")


# ---------------------------------------------------------------- matching and translation


def test_matching_is_by_whole_words_accents_and_case_insensitive():
    assert expansions("symptoms of rickets") == []  # 'ms' inside a word is not MS
    assert expansions("esclerosis multiple", "es") == ["multiple sclerosis"]
    assert expansions("ESCLEROSIS MÚLTIPLE", "es") == ["multiple sclerosis"]
    assert expansions("Łuszczyca", "pl") == expansions("luszczyca", "pl") == ["psoriasis"]
    assert expansions("Crohn’s flare") == expansions("crohns flare") == ["crohn's disease"]


def test_language_lines_need_their_language():
    assert expansions("embarazo y vitamina d") == []
    assert {"pregnancy", "vitamin d"} <= set(expansions("embarazo y vitamina d", "es"))
    assert "pregnancy" not in expansions("embarazo", "it")


def test_longest_alias_wins():
    assert translate("cáncer de mama", "es") == "breast cancer"
    assert translate("Krebs", "de") == "cancer"
    assert translate("type 1 diabetes in kids", "en") == "type 1 diabetes in child"


@pytest.mark.parametrize(
    ("lang", "question", "phrases"),
    [
        ("de", "Hilft Vitamin D bei Multipler Sklerose?", ["help", "multiple sclerosis"]),
        ("de", "Wie viel Vitamin D braucht mein Kind im Winter?", ["how much", "child", "winter"]),
        ("es", "¿La vitamina D previene la gripe en ancianos?", ["prevent", "influenza"]),
        ("es", "Tengo déficit de vitamina D y mucho cansancio", ["deficiency", "chronic fatigue"]),
        ("fr", "Combien de vitamine D pendant la grossesse ?", ["how much", "pregnancy"]),
        ("fr", "La vitamine D réduit-elle le risque de cancer du sein?", ["risk", "breast cancer"]),
        ("it", "La vitamina D aiuta contro la psoriasi?", ["help", "psoriasis"]),
        ("it", "Quante UI al giorno per un neonato?", ["how much", "iu", "daily", "child"]),
        ("pt", "A vitamina D ajuda na depressão e na ansiedade?", ["depression", "anxiety"]),
        ("pt", "Qual a dose para osteoporose?", ["dosage", "osteoporosis"]),
        ("nl", "Helpt vitamine D tegen botontkalking bij ouderen?", ["osteoporosis", "seniors"]),
        ("nl", "Hoeveel vitamine D bij zwangerschap?", ["how much", "pregnancy"]),
        ("pl", "Czy witamina D pomaga na stwardnienie rozsiane?", ["help", "multiple sclerosis"]),
        ("pl", "Jaka dawka witaminy D dla dziecka z astmą?", ["how much", "child", "asthma"]),
    ],
)  # fmt: skip
def test_translate_restates_the_topic_words_in_english(lang, question, phrases):
    english_text = translate(question, lang).lower()
    for phrase in phrases:
        assert phrase in english_text, (english_text, phrase)


def test_translate_keeps_what_it_does_not_know():
    assert translate("Hilft Zzyzx bei Krebs?", "de") == "help Zzyzx for cancer?"
    assert translate("Does D3 help, Vitamin D?", "en") == "Does vitamin d help, Vitamin D?"
    assert translate("", "de") == ""


def test_tag_only_aliases_stay_out_of_questions():
    assert expansions("take 400 mg of calcium") == []  # mg is milligrams in a question
    assert synonyms.names("Mg") == ["magnesium"] and synonyms.names("zn") == ["zinc"]


# ---------------------------------------------------------------- coverage of the archive


@pytest.fixture(scope="module")
def topics(archive_posts) -> dict[str, int]:
    """Every ontology topic (phrase targets, categories, equivalences) and every tag on 10+
    posts, with its post count. Combinations such as '(#cancer #child) => #childhood_cancer'
    and associations ('~') name no topic of their own, unless 10+ posts carry the tag."""
    if not ONTOLOGY.is_file():
        pytest.skip(f"ontology not available at {ONTOLOGY}")
    counts: Counter[str] = Counter()
    for post in archive_posts.posts:
        counts.update({tag_key(t) for t in post.tags} - {""})
    found = {k: n for k, n in counts.items() if n >= MIN_POSTS}
    text = re.sub(r"/\*.*?\*/", "", ONTOLOGY.read_text("utf-8"), flags=re.S)
    for line in map(str.strip, text.splitlines()):
        if not line or line.startswith("(") or "~" in line:
            continue
        if m := re.search(r"=>\s*#(\w+)$", line):  # one tag on the right: a phrase or category
            found.setdefault(tag_key(m.group(1)), 0)
        elif "=>" not in line and "=" in line:  # an equivalence
            for tag in re.findall(r"#(\w+)", line):
                found.setdefault(tag_key(tag), 0)
    return dict(sorted(found.items()))


def covering_groups(topics: dict[str, int]) -> dict[str, list[synonyms.Rule]]:
    """The vocabulary group that names each topic: its phrase is the topic, or the ontology
    maps its phrase to the topic or to an equivalent tag, or one of its aliases is the topic."""
    ontology = parse_ontology(ONTOLOGY.read_text("utf-8"))
    groups = by_phrase()
    covered: dict[str, list[synonyms.Rule]] = {}
    for phrase, rules in groups.items():
        for key in ontology.tags_for(phrase):
            covered.setdefault(key.replace(" ", ""), rules)
    for rules in groups.values():
        for rule in rules:
            covered.setdefault(tag_key(rule.alias).replace(" ", ""), rules)
    return {t: covered[t.replace(" ", "")] for t in topics if t.replace(" ", "") in covered}


def test_every_topic_has_a_group_in_all_seven_languages(topics):
    assert len(topics) > 250  # ~60 ontology-only topics and ~250 tags
    groups = covering_groups(topics)
    assert sorted(set(topics) - set(groups)) == []
    thin = {t: lang for t, rules in groups.items() for lang in LANGUAGES
            if not any(r.lang == lang for r in rules)}  # fmt: skip
    assert thin == {}


def test_every_single_topic_has_an_english_lay_name_or_abbreviation(topics):
    """Combined topics ('magnesium and cancer', 'cancer in vdr') have no lay name of their own."""
    groups = covering_groups(topics)
    combined = {t for t in topics if re.search(r" (and|in) ", t) and "head and neck" not in t}
    bare = sorted(
        t for t, rules in groups.items() if t not in combined and not any(map(english, rules))
    )
    assert bare == []


def test_language_aliases_are_spread_over_the_topics(topics):
    """Not a handful of topics with long lists: most topics have several names per language."""
    groups = covering_groups(topics)
    for lang in LANGUAGES:
        per_topic = [sum(r.lang == lang for r in rules) for rules in groups.values()]
        assert sum(n >= 2 for n in per_topic) >= 0.7 * len(per_topic), lang
