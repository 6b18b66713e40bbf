"""The topic vocabulary (retrieval/synonyms.txt): it parses, says how it was made, covers every
ontology topic, every tag of 10+ posts and every health subject that 3+ titles or a tag of 3-9
posts name, in eight languages, keeps its English aliases unambiguous, and restates
other-language questions in English.

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

# English function words.
FUNCTION_WORDS = frozenset(
    str.split(
        "a about above after again against all am an and any are as at be because been before "
        "being below between both but by can could did do does doing down during each few for "
        "from further had has have having he her here hers him his how i if in into is it its "
        "itself just me more most my no nor not now of off on once only or other our out over own "
        "same she should so some such than that the their them then there these they this those "
        "through to too under until up very was we were what when where which while who whom why "
        "will with would you your yours"
    )
)
# Words too common to name a topic: an English-line alias must not be one of them.
ENGLISH_STOPWORDS = FUNCTION_WORDS | set(
    str.split(
        "day week month year take help good bad best low high level levels sun sunshine much many"
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


SPECIFIC_NAMES_START = "Specific names (added"


def specific_names_section() -> str:
    """The groups of the specific-names section (the first one, before every topic group),
    comments removed."""
    text = synonyms.RULES_FILE.read_text("utf-8")
    start = text.index("*/", text.index(SPECIFIC_NAMES_START)) + 2
    end = text.index("/* vitamin d */", start)
    return re.sub(r"/\*.*?\*/", "", text[start:end], flags=re.S)


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
    # the site's tag for pages about the wiki is not what a question 'about vitamin D' asks for
    assert "about d more" not in expansions("is there anything about vitamin D for acne?")
    assert "about d more" in expansions("where can I read more about vitamin D?")


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
    _assert_restated(lang, question, phrases)


def _assert_restated(lang: str, question: str, phrases: list[str]) -> None:
    """Each phrase is in the English restatement or among the archive phrases its English
    aliases add (what the query is built from: 'cansancio' -> 'fatigue', which adds 'chronic
    fatigue', as for an English question)."""
    english_text = translate(question, lang).lower()
    english_text = " ".join([english_text, *expansions(english_text)])
    for phrase in phrases:
        assert phrase in english_text, (english_text, phrase)


@pytest.mark.parametrize(
    ("lang", "question", "misread"),
    [
        ("fr", "Un effet sur la peau ?", "safe"),  # 'sur' (on) folds like 'sûr' (safe)
        ("fr", "Un jeune homme en a-t-il besoin ?", "empty stomach"),  # "jeune" like "jeûne"
        ("fr", "Je dors mal la nuit", "pain"),  # 'mal' is also 'badly'
        ("pt", "Ajuda mas não sei quanto", "bad"),  # 'mas' (but) folds like 'más' (bad)
        ("nl", "Mijn moeder en haar arts", "hair loss"),  # 'haar' is also 'her'
    ],
)
def test_everyday_words_are_not_read_as_topics(lang: str, question: str, misread: str) -> None:
    """An alias that is, or folds to, an everyday word of its language reads that word as a
    topic in every question: such aliases are left out."""
    english_text = translate(question, lang).lower()
    assert misread not in " ".join([english_text, *expansions(english_text)])


@pytest.mark.parametrize(
    ("question", "misread"),
    [
        ("does vitamin D reduce oxidative stress?", "mental stress"),
        ("does vitamin D improve cognitive performance?", "sports"),
        ("I keep hearing that vitamin D helps", "ear"),
        ("is there a dosing formula by body weight?", "breastfeeding"),
        ("white spots on my nails, low vitamin D?", "acne"),
    ],
)
def test_english_words_with_an_everyday_second_meaning_expand_only_in_context(
    question: str, misread: str
) -> None:
    """'stress', 'performance', 'hearing', 'formula' and 'spots' name a topic only in a longer
    phrase ('under a lot of stress', 'athletic performance', 'hard of hearing')."""
    assert misread not in expansions(question)


def test_accented_words_are_restated_in_english_spelling():
    """A word that is the English phrase once its accents are folded is still restated:
    'dépression' is not English, and the English model reads 'depression'."""
    assert "depression" in translate("un effet sur la dépression", "fr").split()
    assert "depressão" not in translate("ajuda na depressão", "pt")


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
    # The specific-name groups restate a narrower name ('infant', which the ontology maps to
    # #child too) and lead to a topic's group through its English aliases; they are not it.
    specific = set(parse(specific_names_section()))
    groups = {
        phrase: kept
        for phrase, rules in by_phrase().items()
        if (kept := [r for r in rules if r not in specific])
    }
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


# ---------------------------------------------------------------- title and rare-tag subjects

TITLE_MIN_POSTS = 3  # N of the rule in synonyms.txt's header: a term in 3+ titles
RARE_TAGS = range(3, MIN_POSTS)  # tags of 3-9 posts
NOT_TOPICS = REPO / "tests" / "data" / "title_terms_not_topics.txt"
# Words that neither start nor end a title term ('risk of cancer' is a term, 'of cancer' is not).
TERM_STOPWORDS = FUNCTION_WORDS | set(str.split("vs via per may might also less new etc"))
# Title terms of the rule that name a health subject: each now has a group or an alias line.
TITLE_SUBJECTS = [
    *str.split(
        "copd knee mri calcitriol analogs folic calcification hormone hormones review mice rats "
        "diet diarrhea fructose frailty ulcers absorption bioavailability cofactors rda "
        "hyperglycemia nutrients immigrants military veterans workers altitude musculoskeletal "
        "aspirin interferon oxide hospital protein spine spinal pediatrics endocrine rheumatology "
        "prediabetics psorasis t1 egg deficiencies blacks mothers maternal prescriptions drugs "
        "reuteri roundup mag aortic race caucasians swallowing metabolites youths dermatologists"
    ),
    *["quality of life", "weight gain", "half life", "clinical trials", "folic acid"],
]
RARE_TAG_SUBJECTS = ["Calcitriol", "Season of Birth", "Vitamin C", "Glyphosate", "B12"]


def _covered_words(text: str, lang: str | None = "en", *, tags: bool = False) -> list[bool]:
    """For each word of `text`: is it inside an alias or phrase of the vocabulary?"""
    spans = [(m.start, m.end) for m in matches(text, lang, tags=tags)]
    return [
        any(a <= w.start() and w.end() <= b for a, b in spans) for w in re.finditer(r"\w+", text)
    ]


def title_terms(posts, min_posts: int = TITLE_MIN_POSTS) -> dict[str, int]:
    """Every word or 2-/3-word phrase of the titles, outside every alias and phrase that matches
    in the title (English lines), not a number and not starting or ending with a stopword, that
    is in `min_posts` or more titles; with its title count."""
    counts: Counter[str] = Counter()
    for post in posts:
        covered = _covered_words(post.title)
        tokens = [
            None if hit or w.isdigit() or len(w) < 2 else w
            for w, hit in zip(
                map(synonyms.fold, re.findall(r"\w+", post.title)), covered, strict=True
            )
        ]
        grams = set()
        for n in (1, 2, 3):
            for i in range(len(tokens) - n + 1):
                gram = tokens[i : i + n]
                if None in gram or gram[0] in TERM_STOPWORDS or gram[-1] in TERM_STOPWORDS:
                    continue
                grams.add(" ".join(gram))
        counts.update(grams)
    return {t: n for t, n in counts.items() if n >= min_posts}


def uncovered_rare_tags(posts) -> dict[str, int]:
    """Tags of 3-9 posts with a word that no alias or phrase (any language, tag-only) covers;
    'Cancer - Lung' is read as 'lung cancer'."""
    counts = Counter(t for post in posts for t in set(post.tags))
    found = {}
    for tag, n in counts.items():
        name = re.sub(r"^cancer - (.+)$", r"\1 cancer", tag, flags=re.I).replace("_", " ")
        content = [w not in TERM_STOPWORDS for w in synonyms.words(name)]
        if n in RARE_TAGS and not all(
            hit or not c
            for hit, c in zip(_covered_words(name, None, tags=True), content, strict=True)
        ):
            found[tag] = n
    return found


def not_topics() -> set[str]:
    lines = NOT_TOPICS.read_text("utf-8").splitlines()
    return {line.strip() for line in lines if line.strip() and not line.startswith("#")}


def test_title_term_rule_on_synthetic_titles():
    class Post:
        def __init__(self, title, tags=()):
            self.title, self.tags = title, tags

    posts = [Post("Zorblax reduced 2X in mice"), Post("Zorblax and vitamin D"),
             Post("Less zorblax with breast cancer"), Post("Qwerty in 2012", ("Qwerty tag",)),
             Post("x", ("Qwerty tag",)), Post("y", ("Qwerty tag", "Cancer - Lung"))]  # fmt: skip
    assert title_terms(posts) == {"zorblax": 3}  # 'mice', 'vitamin d', 'breast cancer' are known
    assert title_terms(posts, 1)["reduced 2x"] == 1 and "2012" not in title_terms(posts, 1)
    assert uncovered_rare_tags(posts) == {"Qwerty tag": 3}  # 'Cancer - Lung' is lung cancer


def test_every_title_term_and_rare_tag_is_a_topic_or_listed_as_none(archive_posts):
    """The rule of the header's last paragraph: what titles (3+) and rare tags (3-9 posts) name
    is either matched by the vocabulary or listed, judged by hand, as naming no health subject."""
    terms = title_terms(archive_posts.posts)
    tags = uncovered_rare_tags(archive_posts.posts)
    assert len(terms) > 300  # the rule still reads the titles
    listed = not_topics()
    assert sorted(set(terms) - listed) == []
    assert sorted(set(tags) - listed) == []
    # The subjects are matched now; none of them is hidden in the list of non-topics.
    assert not set(TITLE_SUBJECTS) & set(terms) and not set(TITLE_SUBJECTS) & listed
    assert not set(RARE_TAG_SUBJECTS) & set(tags) and not set(RARE_TAG_SUBJECTS) & listed


def test_title_subject_groups_name_every_language():
    """Each new topic of the last section has an English line and lines in all seven languages
    (alias lines for a topic of an earlier section need not)."""
    text = synonyms.RULES_FILE.read_text("utf-8")
    cut = text.index("Title and rare-tag subjects (added")
    before = {r.phrase for r in parse(text[: text.rindex("/*", 0, cut)])}
    section = re.sub(r"/\*.*?\*/", "", text[text.index("*/", cut) + 2 :], flags=re.S)
    groups: dict[str, set[str]] = {}
    for rule in parse(section):
        if rule.phrase not in before:
            groups.setdefault(rule.phrase, set()).add(rule.lang)
    assert len(groups) >= 40
    thin = {p: langs for p, langs in groups.items() if not {"", *LANGUAGES} <= langs}
    assert thin == {}


@pytest.mark.parametrize(
    ("lang", "question", "phrases"),
    [
        ("en", "Is COPD or emphysema linked to low vitamin D?", ["copd"]),
        ("en", "Does folate or B12 interact with D3?", ["folic acid", "vitamin b12"]),
        ("de", "Hilft Vitamin D bei Knieschmerzen und Durchfall?", ["knee", "diarrhea"]),
        ("de", "Wie lang ist die Halbwertszeit von Calcitriol?", ["half life", "active vitamin d"]),
        ("es", "¿La vitamina D mejora la calidad de vida en la EPOC?", ["quality of life", "copd"]),
        ("es", "Mi médico me dio paricalcitol, ¿es lo mismo?", ["vitamin d analogs"]),
        ("fr", "La vitamine D contre la fragilité et la BPCO ?", ["frailty", "copd"]),
        ("fr", "Quelle est la demi-vie de la vitamine D ?", ["half life"]),
        ("it", "La vitamina D aiuta l'assorbimento dei minerali?", ["absorption", "mineral"]),
        ("it", "Soldati e reclute hanno poca vitamina D?", ["military"]),
        ("pt", "Vitamina D e ácido fólico na gravidez", ["folic acid", "pregnancy"]),
        ("pt", "Ganho de peso com vitamina D em camundongos", ["weight gain", "mice"]),
        ("nl", "Helpt vitamine D bij COPD en kniepijn?", ["copd", "knee"]),
        ("nl", "Is er een verband met verkalking van de vaten?", ["calcification"]),
        ("pl", "Czy witamina D pomaga na POChP i biegunkę?", ["copd", "diarrhea"]),
        ("pl", "Witamina D a kwas foliowy i jakość życia", ["folic acid", "quality of life"]),
    ],
)  # fmt: skip
def test_title_subjects_restate_in_english(lang, question, phrases):
    _assert_restated(lang, question, phrases)


# ---------------------------------------------------------------- completeness audit (2026-11-26)

QUESTION_WORDS_START = "/* help */"  # the question-word groups follow the topic groups


def _groups() -> list[tuple[str, dict[str, list[str]]]]:
    """Each `/* name */` block of the file with its lines: (name, {(prefix, phrase): aliases})."""
    text = synonyms.RULES_FILE.read_text("utf-8")
    found = []
    for block in re.split(r"\n(?=/\* )", text)[1:]:
        name = block.split("*/", 1)[0].removeprefix("/*").strip()
        lines: dict[tuple[str, str], list[str]] = {}
        for rule in parse(re.sub(r"/\*.*?\*/", "", block, flags=re.S)):
            lines.setdefault((rule.lang, rule.phrase), []).append(rule.alias)
        found.append((name, lines))
    return found


def _combined(lines: dict[tuple[str, str], list[str]]) -> bool:
    """A topic that is two topics together ('magnesium and cancer'): its German names join two
    names with 'und'; its Polish line is the two first names, composed."""
    return any(" und " in alias for (lang, _), aliases in lines.items() if lang == "de"
               for alias in aliases)  # fmt: skip


def test_every_group_with_one_language_line_has_all_seven():
    """Topic and question-word groups alike: a phrase that one language restates, every language
    restates (Dutch 'or' once lacked a line: 'of' is English, so it reads 'ofwel')."""
    thin = {}
    for name, lines in _groups():
        for phrase in {p for _, p in lines}:
            langs = {lang for lang, p in lines if p == phrase and lang in LANGUAGES}
            if langs and langs != set(LANGUAGES):
                thin[(name, phrase)] = sorted(set(LANGUAGES) - langs)
    assert thin == {}


def test_every_polish_topic_line_has_several_forms():
    """Polish questions inflect the topic's noun (nominative, genitive, accusative, instrumental,
    locative): a topic line with a single form misses most of them. Combined topics and the
    question words ('bez', 'oraz') are exempt."""
    text = synonyms.RULES_FILE.read_text("utf-8")
    question_words = {r.phrase for r in parse(text[text.index(QUESTION_WORDS_START) :])}
    single = {
        (name, phrase): aliases
        for name, lines in _groups()
        if not _combined(lines)
        for (lang, phrase), aliases in lines.items()
        if lang == "pl" and len(aliases) < 2 and phrase not in question_words
    }
    assert single == {}


def test_every_language_restates_the_common_adjectives():
    """The adjective people use in a question ('toxic', 'diabetic', 'pregnant', 'deficient',
    'allergic', 'obese', 'asthmatic', 'depressed') is on the topic's line in all seven languages."""
    adjectives = {
        "too much d": dict(de="giftig", es="tóxico", fr="toxique", it="tossico", pt="tóxico",
                           nl="giftig", pl="toksyczny"),
        "diabetes": dict(de="diabetiker", es="diabético", fr="diabétique", it="diabetico",
                         pt="diabético", nl="diabetisch", pl="cukrzycowy"),
        "pregnancy": dict(de="schwanger", es="embarazada", fr="enceinte", it="incinta",
                          pt="grávida", nl="zwanger", pl="ciężarna"),
        "deficiency": dict(de="mangelhaft", es="deficiente", fr="carencé", it="carente",
                           pt="deficiente", nl="deficiënt", pl="niedostateczny"),
        "allergy": dict(de="allergisch", es="alérgico", fr="allergique", it="allergico",
                        pt="alérgico", nl="allergisch", pl="uczulony"),
        "obesity": dict(de="übergewichtig", es="obeso", fr="obèse", it="obeso", pt="obeso",
                        nl="zwaarlijvig", pl="otyły"),
        "asthma": dict(de="asthmatisch", es="asmático", fr="asthmatique", it="asmatico",
                       pt="asmático", nl="astmatisch", pl="astmatyczny"),
        "depression": dict(de="depressiv", es="deprimido", fr="déprimé", it="depresso",
                           pt="deprimido", nl="depressief", pl="depresyjny"),
    }  # fmt: skip
    for phrase, by_lang in adjectives.items():
        for lang, word in by_lang.items():
            assert expansions(word, lang) == [phrase], (lang, word)


@pytest.mark.parametrize(
    ("lang", "question", "phrases"),
    [
        ("de", "Meine Mutter ist übergewichtig und hat Bluthochdruck: hilft Vitamin D?",
         ["mother", "obesity", "hypertension", "help"]),
        ("de", "Ist Vitamin D für Diabetiker sicher, oder wird es in hohen Dosen giftig?",
         ["diabetes", "safe", "high dose", "too much d"]),
        ("de", "Wir nehmen täglich 4000 IE; brauchen die Kinder mehr im Winter?",
         ["take", "daily", "iu", "need", "child", "winter"]),
        ("es", "¿Es tóxica la vitamina D para las embarazadas con asma?",
         ["too much d", "pregnancy", "asthma"]),
        ("es", "¿La vitamina D ayudaría a mis hijos con dermatitis atópica?",
         ["help", "child", "atopic dermatitis"]),
        ("es", "Mi abuela es diabética y tiene los huesos débiles, ¿cuánto debe tomar?",
         ["seniors", "diabetes", "osteoporosis", "how much", "need", "take"]),
        ("fr", "Mon fils est allergique et asthmatique : la vitamine D aide-t-elle ?",
         ["child", "allergy", "asthma", "help"]),
        ("fr", "Est-ce dangereux de prendre de fortes doses pendant la grossesse ?",
         ["risk", "take", "high dose", "pregnancy"]),
        ("fr", "Ma mère est carencée et fatiguée, faut-il une dose de charge ?",
         ["mother", "deficiency", "chronic fatigue", "need", "loading dose"]),
        ("it", "Sono carente di vitamina D e molto stanca, quanto devo prenderne?",
         ["deficiency", "chronic fatigue", "need"]),
        ("it", "I bambini asmatici dovrebbero prendere vitamina D in inverno?",
         ["child", "asthma", "need", "take", "winter"]),
        ("pt", "Os idosos diabéticos precisam de doses mais altas?",
         ["seniors", "diabetes", "need"]),
        ("pt", "A vitamina D ajudou a minha filha com psoríase e ansiedade?",
         ["help", "child", "psoriasis", "anxiety"]),
        ("nl", "Helpen hoge doses vitamine D tegen depressieve klachten bij ouderen?",
         ["help", "high dose", "depression", "seniors"]),
        ("nl", "Mijn zoon is allergisch en vaak verkouden; is vitamine D veilig?",
         ["child", "allergy", "virus", "safe"]),
        ("pl", "Czy witamina D pomaga kobietom w ciąży z cukrzycą ciążową?",
         ["help", "pregnancy", "gestational diabetes"]),
        ("pl", "Mój syn ma niedobór witaminy D i często choruje na infekcje",
         ["child", "deficiency", "disease", "infection"]),
        ("pl", "Czy duże dawki witaminy D są bezpieczne dla osób starszych z nadciśnieniem?",
         ["high dose", "safe", "seniors", "hypertension"]),
    ],
)  # fmt: skip
def test_audit_restates_adjectives_inflections_and_question_verbs(lang, question, phrases):
    _assert_restated(lang, question, phrases)


@pytest.mark.parametrize(
    ("lang", "question", "phrases"),
    [
        ("de", "Ich habe gestern meine Tablette vergessen, soll ich heute die doppelte nehmen?",
         ["forgot", "double", "take"]),
        ("es", "Tomo metformina: ¿qué alimentos contienen vitamina D?",
         ["metformin", "diabetes", "contain"]),
        ("fr", "Le soleil derrière une fenêtre permet-il de produire de la vitamine D ?",
         ["sun", "window", "production"]),
        ("it", "Devo prendere il calcio separatamente? Ho dimenticato la dose di ieri.",
         ["separately", "forgot"]),
        ("pt", "Tomo carbamazepina e quase não vejo a luz do dia, preciso de mais?",
         ["carbamazepine", "epilepsy", "sun", "need"]),
        ("nl", "Mijn moeder heeft een darmziekte en valpartijen, hoeveel vitamine D?",
         ["gut", "falls fractures", "how much"]),
        ("pl", "Czy skóra wytwarza witaminę D przez szybę? Dawka dla dziecka karmionego piersią?",
         ["production", "window", "breastfeeding"]),
        ("es", "¿Qué diferencia hay entre la D2 y la D3 si tengo cálculos renales?",
         ["difference", "vitamin d2", "vitamin d3", "kidney stones"]),
        ("de", "Welcher Unterschied besteht zwischen Vitamin D3 und D2 bei Nierensteinen?",
         ["difference", "vitamin d3", "vitamin d2", "kidney stones"]),
        ("nl", "Helpt vitamine D na een sportblessure? Moet ik mijn waarde laten controleren?",
         ["trauma surgery", "tests"]),
        ("de", "Beeinflusst Vitamin D den Schlaf, und zu welcher Tageszeit nehme ich es?",
         ["affect", "sleep", "time of day", "take"]),
        ("es", "¿El café bloquea o impide la absorción? ¿A qué hora la tomo?",
         ["coffee", "block", "prevent", "absorption", "when", "take"]),
        ("fr", "La crème solaire empêche-t-elle la vitamine D, ou l'heure compte-t-elle ?",
         ["sunscreen", "prevent", "time of day"]),
        ("it", "La vitamina D influisce sulla tiroide? Qual è l'orario migliore?",
         ["affect", "thyroid", "time of day"]),
        ("pt", "A vitamina D afeta o sono? Qual o melhor horário para tomar?",
         ["affect", "sleep", "time of day", "take"]),
        ("nl", "Heeft vitamine D invloed op de bloeddruk of remt het iets?",
         ["affect", "hypertension", "block"]),
        ("pl", "Czy witamina D wpływa na sen i o jakiej porze dnia ją brać?",
         ["affect", "sleep", "time of day"]),
    ],
)  # fmt: skip
def test_question_words_the_restating_had_dropped(lang, question, phrases):
    """Everyday words of questions in the seven languages that the restating had dropped: how a
    question asks (does it affect, block, at what time), a missed or doubled dose, what a food
    contains, making vitamin D behind a window, the drugs the English pass had named, bowel
    diseases, plural and case forms."""
    _assert_restated(lang, question, phrases)


@pytest.mark.parametrize(
    ("lang", "question", "misread"),
    [
        ("pt", "A vitamina D é segura na gravidez?", "and"),
        ("it", "La vitamina D è utile contro l'asma?", "and"),
        ("fr", "Où trouver de la vitamine D en hiver ?", "or"),
    ],
)
def test_a_word_its_accent_tells_apart_is_not_read_as_its_twin(lang, question, misread):
    """'é' is 'is', not 'e' ('and'): the accent is the whole difference."""
    assert misread not in translate(question, lang).lower().split()
    assert (
        misread
        in translate(question.replace("é", "e").replace("è", "e").replace("Où", "ou"), lang)
        .lower()
        .split()
    )


def test_accent_words_are_no_aliases_and_their_twins_are():
    """A word kept with its accent would miss an alias spelt with it; its twin must be an alias,
    or keeping the accent does nothing."""
    for lang, kept in synonyms.ACCENT_TELLS_APART.items():
        aliases = {r.alias for r in synonyms.rules() if r.lang == lang}
        for word in kept:
            assert word not in aliases, (lang, word)
            assert synonyms.fold(word) in aliases, (lang, word)


def test_audit_aliases_do_not_swallow_a_second_subject():
    """An audit alias does not join two subjects (folic acid *in pregnancy*, emphysema *in
    smokers*), so the second one is still restated."""
    assert {"folic acid", "pregnancy"} <= set(expansions("ácido fólico na gravidez", "pt"))
    assert {"growing pains", "child"} <= set(expansions("Wachstumsschmerzen bei Kindern", "de"))
    assert {"copd", "smoking"} <= set(expansions("longemfyseem bij rokers", "nl"))
    assert "treatment" in expansions("soulager la douleur", "fr")  # relieve: treat, not decrease


# ---------------------------------------------------------------- specific names (2026-11-26)


def test_specific_names_come_first_and_name_every_language():
    """The section is placed before every topic group (within a language the first group naming
    an alias keeps it), and each of its phrases is restated by all seven languages."""
    text = synonyms.RULES_FILE.read_text("utf-8")
    assert text.index(SPECIFIC_NAMES_START) < text.index("/* vitamin d */")
    section = parse(specific_names_section())
    langs: dict[str, set[str]] = {}
    for rule in section:
        langs.setdefault(rule.phrase, set()).add(rule.lang)
    assert len(langs) >= 250
    assert {p: ls for p, ls in langs.items() if ls != set(LANGUAGES)} == {}


def test_every_specific_name_is_an_english_alias_of_a_broader_group():
    """A restated name expands as in an English question: it is an English alias of a group
    whose phrase is another (the broad topic), so expansions() appends that phrase."""
    specific = {r.phrase for r in parse(specific_names_section())}
    english_aliases: dict[tuple[str, ...], str] = {}
    for rule in synonyms.rules():
        if english(rule):
            english_aliases.setdefault(synonyms.words(rule.alias), rule.phrase)
    broad = {p: english_aliases.get(synonyms.words(p)) for p in specific}
    assert {p: b for p, b in broad.items() if b is None or b in specific} == {}
    for phrase, topic in broad.items():  # appended, unless the name says it already
        assert topic in " ".join([phrase, *expansions(phrase)]), (phrase, topic)


def test_specific_names_win_in_their_language_and_leave_the_broad_groups_whole():
    """The broad groups keep every alias they had (nothing moved), and in each language an alias
    of the section now restates as the section's phrase."""
    section = parse(specific_names_section())
    in_section = set(section)
    rest = [r for r in synonyms.rules() if r not in in_section]
    assert any(r.alias == "nierensteine" and r.phrase == "kidney" for r in rest)
    assert any(r.alias == "fibromialgia" and r.lang == "es" for r in rest)
    for rule in section[::25]:
        found = matches(rule.alias, rule.lang)
        assert [m.rule.phrase for m in found] == [rule.phrase], rule


@pytest.mark.parametrize(
    ("lang", "question", "specific", "broad"),
    [
        ("es", "¿La vitamina D previene la trombosis venosa profunda?", "deep vein thrombosis",
         "blood clotting"),
        ("de", "Hilft Vitamin D bei Panikattacken?", "panic attacks", "anxiety"),
        ("pl", "Czy witamina D pomaga na kaszel?", "cough", "respiratory"),
        ("nl", "Helpt vitamine D tegen keelpijn?", "sore throat", "respiratory"),
        ("fr", "La vitamine D aide-t-elle contre la migraine ?", "migraine", "headache"),
        ("it", "La vitamina D riduce il rischio di infarto?", "heart attack", "cardiovascular"),
        ("pt", "Vitamina D e ácido úrico alto na gota", "uric acid", "gout"),
        ("de", "Hilft Vitamin D bei Gürtelrose?", "shingles", "herpes shingles"),
        ("es", "Tomo atorvastatina, ¿puedo tomar vitamina D?", "atorvastatin", "statins"),
        ("nl", "Vitamine D bij de ziekte van Hashimoto", "hashimoto's", "thyroid and parathyroid"),
        ("pl", "Witamina D a insulinooporność", "insulin resistance", "diabetes"),
        ("fr", "Vitamine D et lait maternel", "breast milk", "breastfeeding"),
        ("it", "Quanta vitamina D nel salmone?", "salmon", "fish"),
        ("pt", "Vitamina D para cólicas menstruais", "menstrual pain", "endometriosis"),
    ],
)  # fmt: skip
def test_specific_names_restate_as_in_english(lang, question, specific, broad):
    """A foreign question keeps its subject ('Panikattacken' -> 'panic attacks', not only
    'anxiety') and gets the broad phrase as an English question with that word would."""
    english_text = translate(question, lang).lower()
    assert specific in english_text, english_text
    assert broad in " ".join([english_text, *expansions(english_text)]), english_text
    english_question = f"does vitamin d help with {specific}"
    assert broad in " ".join([english_question, *expansions(english_question)])


def test_phrase_table_finds_the_longest_phrase_at_each_word_without_overlaps():
    from retrieval.phrases import PhraseTable

    table = PhraseTable([(("type", "1"), "a"), (("type", "1", "diabetes"), "b"),
                         (("diabetes",), "c"), (("diabetes",), "d"), (("1",), "e")])  # fmt: skip
    words = ["type", "1", "diabetes", "and", "diabetes", "type", "1"]
    assert table.find(words) == [(0, 3, "b"), (4, 1, "c"), (5, 2, "a")]
    assert table.find([]) == [] and table.find(["type"]) == []
