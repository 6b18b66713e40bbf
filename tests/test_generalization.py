"""Questions as people ask them: other languages, follow-ups in a thread, subjects the archive
never covers, title-only pages. Unit checks first, then the whole search on a small archive."""

from __future__ import annotations

import re

import numpy as np
import pytest

from retrieval.conversation import AGENTS, MODIFIERS, as_read, context_for, gist
from retrieval.coverage import ArchiveWords, acronym_coverage, soundex, writes_acronym
from retrieval.language import detect
from retrieval.query import STATUS_PHRASES, build_query, in_english
from retrieval.search import (
    FINDINGS_PER_POST,
    FIRST_POST_FINDINGS,
    LEXICAL_WEIGHT,
    RESTATED_LEXICAL_WEIGHT,
    REVIEW_MARGIN,
    TITLE_ONLY_PENALTY,
)
from retrieval.service import AnswerService
from retrieval.synonyms import named_in_english, rules
from tests.helpers import service_over


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("Hilft Vitamin D meiner Mutter gegen die Osteoporose?", "de"),
        ("¿Cuánta vitamina D necesita un bebé durante el invierno?", "es"),
        ("Est-ce que la vitamine D protège contre la grippe chez les enfants ?", "fr"),
        ("La vitamina D aiuta davvero contro la depressione invernale?", "it"),
        ("A vitamina D ajuda a prevenir o diabetes durante a gravidez?", "pt"),
        ("Helpt vitamine D echt tegen griep bij oudere mensen?", "nl"),
        ("Czy witamina D pomaga dzieciom na astmę?", "pl"),
        ("does vitamin D help with knee pain in older people?", "en"),
        ("is 10k iu ok", "en"),
        ("vit d?", "en"),
    ],
)
def test_language_detected(text: str, lang: str) -> None:
    assert detect(text) == lang


@pytest.mark.parametrize(
    ("text", "lang", "english"),
    [
        ("vitamina D e queda de cabelo", "pt", "vitamin d and hair loss"),  # identifier: es 0.50
        ("vitamina D y dolor de espalda", "es", "vitamin d and back pain"),
        ("vitamina d em cinco minutos", "pt", "vitamin d"),  # 'em' is also Spanish for MS
    ],
)
def test_neighbour_languages_are_told_apart_by_what_the_vocabulary_reads(
    text: str, lang: str, english: str
) -> None:
    assert in_english(text) == (lang, english)


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("Cuanta vitamina D necesita un bebe durante el invierno?", "es"),
        ("Is vitamine D goed voor de botten van mijn moeder?", "nl"),
        ("Was kann Vitamin D bei Depression und Angst tun?", "de"),
        ("Czy witamina D pomaga na bol plecow u starszych osob?", "pl"),
        ("what dose should my mother take for her bones?", "en"),
        ("Is there any trial that tested vitamin D and the flu?", "en"),
    ],
)
def test_plain_ascii_questions_are_told_apart_with_or_without_the_identifier(
    text: str, lang: str
) -> None:
    """Accents left out, a question in another language still goes to the identifier; English
    with two English-only function words is English at once, as the identifier would say."""
    from retrieval.language import ENGLISH_ONLY_WORDS, _identifier

    assert detect(text) == lang
    words = set(text.lower().replace("?", " ").split())
    shortcut = len(ENGLISH_ONLY_WORDS & words) >= 2
    assert shortcut == (lang == "en")
    if shortcut:
        assert _identifier().classify(text)[0] == "en"


@pytest.mark.parametrize(
    ("text", "script"),
    [
        ("Помогает ли витамин D при депрессии?", "Cyrillic"),
        ("维生素D能预防感冒吗", "Chinese"),
        ("ビタミンDは骨に良いですか", "Japanese"),
        ("비타민 D가 우울증에 도움이 되나요?", "Korean"),
        ("هل يساعد فيتامين د في علاج السكري؟", "Arabic"),
        ("Βοηθά η βιταμίνη D στα οστά;", "Greek"),
        ("Czy witamina D pomaga na osteoporozę?", None),
        ("Hilft Vitamin D über 50 gegen Müdigkeit?", None),
        ("does vitamin D help the 王 family's bones and muscles?", None),
        ("does vitamin D help?", None),
    ],
)  # fmt: skip
def test_a_script_no_language_read_here_uses_is_named(text: str, script: str | None) -> None:
    """Every language read here is written in Latin letters; a question mostly in another
    script is in none of them, whichever of them the identifier would pick."""
    from retrieval.language import unread_script

    assert unread_script(text) == script


@pytest.mark.parametrize(
    ("text", "unread"),
    [
        ("Hjälper D-vitamin mot benskörhet?", "Swedish"),
        ("D vitamini kemik erimesine iyi gelir mi?", "Turkish"),
        ("Pomáhá vitamin D při roztroušené skleróze?", "Czech"),
        ("Vitamin D có giúp ích cho bệnh loãng xương không?", "Vietnamese"),
        ("Помогает ли витамин D при депрессии?", "Cyrillic script"),
        ("Czy witamina D pomaga na depresję?", None),
        ("¿La vitamina D ayuda con la psoriasis?", None),
        ("Is vitamine D goed tegen griep en verkoudheid?", None),
        ("A vitamina D ajuda na depressão pós-parto?", None),
        ("Ma mère a de l'ostéoporose, la vitamine D peut-elle aider ?", None),
        ("Mia nonna ha l'osteoporosi, la vitamina D serve?", None),
        ("Vitamin D in der Schwangerschaft", None),
        ("is 10k iu ok", None),
        ("Solanum glaucophyllum (a purple flower) produces active vitamin D3", None),
    ],
)  # fmt: skip
def test_a_language_not_read_here_is_named(text: str, unread: str | None) -> None:
    """Another language the identifier is sure of, over all it knows, is named; the eight read
    here, English chat and medical Latin are not."""
    from retrieval.language import unread as unread_of

    assert unread_of(text) == unread


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("hilft vitamin d bei winterdepression?", "de"),  # the identifier: Luxembourgish, English
        ("protetor solar impede a producao de vitamina d?", "pt"),  # no accents: Galician
        ("Helpt vitamine D bij psoriasis?", "nl"),
        ("vitamin d for acne", "en"),
        ("Fracture reduction vs vitamin D - trial history", "en"),  # 'réduction' folds to English
        ("Vitamin D and muscle cramps in seniors", "en"),
        # one English-only word: the identifier said Dutch and Italian; the vocabulary decides
        ("does vitamin d help diabetes", "en"),
        ("vitamin d and ulcerattive colitis?", "en"),
        ("Helpt vitamine D and K2 bij botontkalking?", "nl"),
        ("Quanta vitamina D devo prendere in gravidanza, what dose?", "it"),
    ],
)
def test_a_question_the_identifier_is_unsure_of_is_read_by_its_vocabulary(
    text: str, lang: str
) -> None:
    """Short questions without accents look English to the identifier; the words of one
    language's own vocabulary, commoner there than in English, say which it is."""
    assert detect(text) == lang


def test_the_language_read_is_what_an_identifier_limited_to_the_eight_picks() -> None:
    """One identifier over every language serves both questions: its probabilities over the eight
    languages read here pick what an identifier limited to them picks, English or not; among
    languages it finds close, the one the vocabulary reads more of ('dosis' is Spanish)."""
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    from retrieval.language import CLOSE_PROBABILITY, LANGUAGES, MIN_PROBABILITY, _vocabulary_reads

    limited = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
    limited.set_languages(list(LANGUAGES))
    texts = [
        "Hjälper D-vitamin mot benskörhet?", "Kan D-vitamin hjelpe mot depresjon hos eldre?",
        "Czy witamina D pomaga na depresję?", "Helpt vitamine D tegen depressie?",
        "D3 + K2 dosis por dia", "vit d n covid?", "A vitamina D ajuda na psoríase?",
        "La vitamine D est-elle utile pendant la grossesse ?", "Vitamina D ajută la osteoporoză?",
    ]  # fmt: skip
    for text in texts:
        lang, probability = limited.classify(text)
        expected = lang if lang != "en" and probability >= MIN_PROBABILITY else "en"
        got = detect(text)
        if got != expected:
            assert (
                "en" not in (got, expected) and dict(limited.rank(text))[got] >= CLOSE_PROBABILITY
            )
            assert _vocabulary_reads(text, got) > _vocabulary_reads(text, expected)
    assert detect("D3 + K2 dosis por dia") == "es"  # the identifier: Portuguese 0.56


def test_other_language_question_restated_in_english() -> None:
    query = build_query("Hilft Vitamin D bei Schuppenflechte?")
    assert query.lang == "de"
    assert "psoriasis" in query.dense.lower()
    assert "vitamin d" in query.dense.lower()
    assert "bei" not in query.dense.split()  # left-over German words are not embedded
    assert "Schuppenflechte" in query.lexical  # the original words still match lexically


@pytest.mark.parametrize(
    ("question", "subject"),
    [
        ("Vitamin D und die Darmflora", "gut bacteria"),  # 'gut' is German for 'good'
        ("La vitamine D aide-t-elle contre la fatigue ?", "fatigue"),
        ("Helpt vitamine D bij migraine?", "migraine"),
    ],
)
def test_restated_words_kept_when_more_common_in_the_question_language(
    question: str, subject: str
) -> None:
    """Words the vocabulary put in are English, however common they are in the question's own
    language: those words alone used to be dropped as left-over native words."""
    assert subject in build_query(question).dense


@pytest.mark.parametrize(
    ("question", "subject", "gone"),
    [
        # a compound of a known word and one the vocabulary does not know, judged part by part
        ("Schützt Vitamin D vor einem schweren Covid-Verlauf?", "covid", "verlauf"),
        ("Hilft Vitamin D bei MS-Schüben?", "multiple sclerosis", "schüben"),
        # an article elided onto a restated word ('j'absorption' had been dropped as French)
        ("Est-ce que j'absorbe mal la vitamine D ?", "absorption", "j'"),
        ("La vitamina D aiuta con l'osteoporosi e l'asma", "osteoporosis", "l'"),
    ],
)
def test_a_restated_word_is_judged_without_what_is_glued_to_it(
    question: str, subject: str, gone: str
) -> None:
    """Judged whole, a restated word glued to an untranslated part or an elided article was
    dropped as a left-over native word and took the question's subject with it."""
    dense = build_query(question).dense.lower()
    assert re.search(rf"(?<![\w']){re.escape(subject)}\b", dense)
    assert gone not in dense


@pytest.mark.parametrize(
    ("question", "before"),
    [
        ("Schützt Vitamin D vor der Grippe?", False),  # protects against
        ("Czy witamina D chroni przed przeziębieniem?", False),
        ("Is vitamine D goed voor het hart?", False),  # for the
        ("Vitamin D vor 2 Jahren abgesetzt, jetzt Haarausfall", False),  # ago
        ("Soll ich Vitamin D nehmen, bevor ich operiert werde?", True),
        ("Czy brać witaminę D, zanim zajdę w ciążę?", True),
    ],
)
def test_prepositions_that_also_mean_against_are_not_read_as_before(
    question: str, before: bool
) -> None:
    assert ("before" in build_query(question).dense.split()) == before


@pytest.mark.parametrize(
    ("question", "misread"),
    [
        ("Gibt es einen Zusammenhang zwischen Vitamin D und Depressionen?", "take"),
        ("¿Debo tomar al menos 1000 UI al día?", "decrease"),
        ("Tengo la vitamina D bastante baja, ¿cuánto debo tomar?", "enough"),
        ("Mañana me hacen el análisis de sangre, ¿dejo la vitamina D?", "morning"),
        ("Jakie badanie zrobić, żeby sprawdzić poziom witaminy D?", "dental"),
        ("Quanta vitamina D serve al giorno a un adulto?", "help"),
        ("J'ai été diagnostiquée avec une carence en vitamine D.", "summer"),
    ],
)
def test_question_words_that_mostly_mean_something_else_are_not_restated(
    question: str, misread: str
) -> None:
    assert misread not in build_query(question).dense.split()


@pytest.mark.parametrize(
    ("question", "misread"),
    [
        ("Je suis trop fatiguée, est-ce un manque de vitamine D ?", "too much d"),
        ("He probado varios suplementos de vitamina D", "off topic"),
        ("Ik kan niet in slaap vallen, helpt vitamine D?", "falls fractures"),
        ("Dawka w wysokości 4000 j.m. dziennie jest bezpieczna?", "altitude"),
        ("Wolę brać witaminę D rano", "thyroid"),
        ("Fa male prendere troppa vitamina D?", "men"),
        ("Falls ich einen Mangel habe, wie viel soll ich nehmen?", "falls fractures"),
        ("Hoeveel vitamine D zit er in een ei?", "acne"),
        ("Una gota de vitamina D al día es suficiente?", "gout"),
        ("Je fais un régime végétarien, dois-je prendre de la vitamine D ?", "weight loss"),
        ("Ich habe mir Blut abnehmen lassen, der Wert ist 15", "weight loss"),
    ],
)
def test_everyday_words_are_not_read_as_topics(question: str, misread: str) -> None:
    assert misread not in build_query(question).dense


@pytest.mark.parametrize(
    ("question", "subject"),
    [
        # what a condition damages (the mechanism pass)
        (
            "my sister has the disease where the immune system attacks the nerve coating",
            "multiple sclerosis",
        ),
        ("does vitamin D help repair myelin", "multiple sclerosis"),
        ("Hilft Vitamin D der Myelinscheide?", "multiple sclerosis"),
        ("¿La vitamina D protege la vaina de mielina?", "multiple sclerosis"),
        ("my son's pancreas stopped making insulin last year", "type 1 diabetes"),
        ("the villi in his gut are flattened", "celiac disease"),
        ("my mum has plaque in the arteries", "atherosclerosis"),
        ("my TPO antibodies are over 500", "thyroid and parathyroid"),
        ("Meine Darmzotten sind geschädigt", "celiac disease"),
        ("Ich habe Kristalle im Ohr und mir ist schwindelig", "vertigo"),
        # everyday English (ages, drugs, verb and chat forms, lay descriptions)
        ("my 6 year old is always catching colds", "child"),
        ("my wife says I stop breathing in my sleep", "sleep apnea"),
        ("I am on omeprazole long term, does it lower vitamin D?", "interactions"),
        ("my husband is on phenytoin for seizures", "epilepsy"),
        ("straight lines look bent and the middle of my vision is blurry", "macular degeneration"),
        ("I keep getting the runs after meals", "diarrhea"),
        ("does vitamin D help heartburn?", "acid reflux"),
        ("my fingers turn white in the cold", "raynaud's"),
        ("my son is hyperactive and cannot sit still", "adhd"),
        # everyday words of the other languages
        ("Ich nehme Pantoprazol, brauche ich mehr Vitamin D?", "proton pump inhibitors"),
        ("Tomo corticoides desde hace años, ¿necesito vitamina D?", "steroids"),
        ("Se me cae mucho el pelo, ¿puede ser la vitamina D?", "hair loss"),
        ("Wypadają mi włosy, czy to brak witaminy D?", "hair loss"),
        ("Mir ist übel nach der Vitamin D Tablette", "gut"),
    ],
)
def test_a_question_reaches_its_topic(question: str, subject: str) -> None:
    """The vocabulary's passes of this kind: people describe a condition by what goes wrong in
    it, name a drug or an age, or say it in their own language's everyday words."""
    assert subject in build_query(question).dense.lower()


def test_english_question_kept_as_asked() -> None:
    query = build_query("does vitamin D help with psoriasis?")
    assert query.lang == "en"
    assert query.english == "does vitamin D help with psoriasis?"
    assert query.context == ""


def test_a_two_subject_phrase_is_not_appended_for_the_subject_the_question_says() -> None:
    """The site's 'thyroid and parathyroid' would add only "parathyroid" to a thyroid question."""
    dense = build_query("does vitamin D interact with thyroid medication?").dense
    assert "parathyroid" not in dense and "interactions" in dense
    assert "thyroid and parathyroid" in build_query("vitamin D and hashimoto").dense


TOPICS = {"psoriasis", "multiple sclerosis", "asthma", "stroke", "hip fractures"}


def _any_topic(phrase: str) -> bool:
    return phrase in TOPICS


@pytest.mark.parametrize(
    "follow_up",
    ["and for kids?", "what dose did they use?", "any trials on that?", "what about in pregnancy?"],
)
def test_follow_up_read_with_previous_question(follow_up: str) -> None:
    previous = ["does vitamin D help with multiple sclerosis?"]
    assert context_for(follow_up, previous, _any_topic) == previous[0]


@pytest.mark.parametrize(
    "follow_up",
    ["which form is best?", "is injection better?", "any risk of toxicity?",
     "how well is it absorbed?", "what is the half life?"],
)  # fmt: skip
def test_how_it_is_taken_is_no_subject_of_its_own(follow_up: str) -> None:
    """The form, the way it is given and its safety narrow the thread's question even where
    the archive has a topic for them: after a question on magnesium, "which form is best?"
    asks which form of magnesium. (Every phrase an English line names counts as a topic here.)"""
    previous = ["does magnesium matter for vitamin D?"]
    assert (
        context_for(follow_up, previous, lambda phrase: phrase in named_in_english())
        == (previous[0])
    )


@pytest.mark.parametrize(
    "follow_up",
    [
        "different question: is vitamin D good for psoriasis?",
        "unrelated, but does vitamin D help asthma?",
        "does vitamin D lower the risk of psoriasis?",
    ],
)
def test_new_subject_searched_alone(follow_up: str) -> None:
    assert (
        context_for(follow_up, ["does vitamin D help with multiple sclerosis?"], _any_topic) == ""
    )


def test_follow_up_pointing_back_keeps_context_despite_new_topic() -> None:
    previous = ["are hip fractures more likely with low vitamin D?"]
    assert context_for("what about after a stroke?", previous, _any_topic) == previous[0]


def test_follow_up_takes_the_gist_of_the_earlier_question() -> None:
    query = build_query(
        "what dose did they use?", ["does vitamin D help with psoriasis?"], _any_topic
    )
    assert "psoriasis" in query.context.split()
    assert not {"does", "help", "with"} & set(query.context.split())  # framing, not subject
    assert query.context in query.lexical and "psoriasis" in query.lexical


@pytest.mark.parametrize(
    "follow_up",
    ["what about asthma?", "and asthma?", "same question for asthma", "does it also help asthma?"],
)
def test_a_follow_up_naming_another_condition_asks_the_question_again_about_it(
    follow_up: str,
) -> None:
    """Read after the earlier question whole, it had been answered about the earlier subject."""
    query = build_query(follow_up, ["does vitamin D help with psoriasis?"], _any_topic)
    assert query.follows and "psoriasis" not in query.context
    assert "vitamin" in query.context.split()  # the earlier question's framing is still lent
    assert "psoriasis" not in query.lexical and "asthma" in query.dense


def test_a_follow_up_naming_something_taken_keeps_the_earlier_subject() -> None:
    topics = TOPICS | {"magnesium"}
    query = build_query(
        "what about magnesium?", ["does vitamin D help with asthma?"], topics.__contains__
    )
    assert "asthma" in query.context.split()


@pytest.mark.parametrize(
    "phrases", [MODIFIERS, STATUS_PHRASES, AGENTS], ids=["modifiers", "status", "agents"]
)
def test_phrase_lists_name_the_vocabularys_phrases(phrases: frozenset[str]) -> None:
    """A phrase renamed in the vocabulary leaves a list naming it matching nothing: 'meta-analysis'
    once, now 'meta analysis', so 'any meta-analysis?' was read as a new subject."""
    vocabulary = {rule.phrase for rule in rules()}
    assert sorted(phrases - vocabulary) == []


def test_follow_up_asking_for_a_kind_of_study_is_read_in_the_thread() -> None:
    thread = ["does vitamin D lower the risk of preeclampsia?"]
    for follow_up in ("any meta-analysis?", "any reviews?"):  # each phrase is a tag of the archive
        assert context_for(follow_up, thread, lambda phrase: True) == thread[0]


def test_follow_up_of_a_follow_up_keeps_the_thread_subject() -> None:
    thread = ["does vitamin D help with psoriasis?", "and for kids?"]
    assert "psoriasis" in as_read(thread, _any_topic)[1]
    query = build_query("any RCTs?", thread, _any_topic)
    assert "psoriasis" in query.context.split()


def test_new_subject_in_a_thread_is_what_later_follow_ups_read_with() -> None:
    thread = ["does vitamin D help with psoriasis?", "different question: does it help asthma?"]
    context = build_query("what dose?", thread, _any_topic).context.split()
    assert "asthma" in context and "psoriasis" not in context


def test_gist_of_a_question_without_rare_words_is_the_question() -> None:
    assert gist("what about the others?", _any_topic) == "what about the others?"
    # a number alone says nothing of the subject; with a word it goes along
    no_topic = lambda phrase: False  # noqa: E731
    falling = "my 80 year old mother keeps falling"
    assert gist(falling, no_topic) == falling
    # a topic the vocabulary names in English counts even when it is no tag of the archive
    assert gist("my 80 year old mother has osteomalacia", no_topic) == "rickets 80 osteomalacia"


@pytest.mark.parametrize(
    ("follow_up", "follows"),
    [
        ("with calcium or without?", True),
        ("in pregnancy?", True),
        ("For psoriasis, does vitamin D help?", False),  # a question of its own
        ("does it help acne?", True),  # 'it' points back
        ("different question: does vitamin D help acne?", False),
    ],
)
def test_a_short_fragment_goes_on_with_the_question_before(follow_up: str, follows: bool) -> None:
    earlier = ["my mum has osteoporosis, how much vitamin D should she take?"]
    assert bool(context_for(follow_up, earlier, _any_topic_but_bone)) == follows


def _any_topic_but_bone(phrase: str) -> bool:
    return phrase not in {"bone"}


def test_a_follow_up_keeps_a_topic_whose_words_are_common() -> None:
    """'hair loss' is no tag and neither word is rare: the thread had gone on about 'vitamin'."""
    no_topic = lambda phrase: False  # noqa: E731
    assert "hair loss" in gist("does low vitamin D cause hair loss?", no_topic)
    assert "mother" not in gist("my mother keeps falling over", no_topic)  # a person, no subject


def test_other_language_previous_question_restated() -> None:
    context = build_query("and for kids?", ["Hilft Vitamin D bei Schuppenflechte?"]).context
    assert "psoriasis" in context


@pytest.fixture(scope="module")
def words() -> ArchiveWords:
    return ArchiveWords(["diabete", "psoriasi", "grandma", "bone", "fracture", "osteoporosi"])


def test_unknown_specific_word_reported(words: ArchiveWords) -> None:
    assert words.missing("does vitamin D help hidradenitis?") == ["hidradenitis"]


@pytest.mark.parametrize(
    "question",
    [
        "does vitamin D help diabetis?",  # a misspelling of an archive word
        "does vitamin D help ostoeporosis?",  # two letters swapped in a long word
        "does vitamin D help osteprosis?",  # two letters left out of a long word
        "shoud I take vitamin D definately?",  # misspelt everyday words
        "my neighbour keeps forgetting things, would vitamin D help?",  # everyday words
        "does vitamin D help psoriasis?",  # in the archive
        "will the sunshine vitamin help brittle bones?",  # vocabulary aliases
        "my thyroid is underactive, does vitamin D help?",  # an alias in the asker's word order
        "vitamin D and hair loss in wimmen",  # a six-letter sound-alike of an everyday word
        "is it good for older peeple?",
    ],
)
def test_covered_questions_report_nothing(words: ArchiveWords, question: str) -> None:
    assert words.missing(question) == []


def test_a_six_letter_subject_is_no_sound_alike(words: ArchiveWords) -> None:
    """Six-letter words may be misspelt as far as longer ones only as sound-alikes of everyday
    words: 'keloid' stays a subject no post has."""
    assert words.missing("does vitamin D help keloid scars in wimmen?") == ["keloid"]
    assert [soundex(w) for w in ("women", "wimmen", "keloid", "killed")] == [
        "W550", "W550", "K430", "K430",
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("text", "acronym", "written"),
    [
        ("Our ADHD trial", "adhd", True),
        ("AFib was rarer", "afib", True),
        ("fewer SSRIs were taken", "ssri", True),
        ("Pots and pans", "pots", False),  # a word, not an acronym
        ("the POTSDAM cohort", "pots", False),  # inside another word
    ],
)
def test_acronyms_are_read_as_the_archive_writes_them(
    text: str, acronym: str, written: bool
) -> None:
    assert writes_acronym(text, acronym) is written


@pytest.mark.parametrize(
    ("acronym", "covered"),
    [
        ("harms", True),  # the word of many posts: capitals for emphasis
        ("pots", False),  # one post's word, never written as an acronym
        ("adhd", True),  # one post writes it as one
        ("sibo", False),  # no post has it
    ],
)
def test_acronym_coverage(acronym: str, covered: bool) -> None:
    texts = ["What harms bones", "Harms of salt", "Pots and pans", "Kids with ADHD"]
    rows = {"harms": [0, 1], "pots": [2], "adhd": [3]}
    covers = acronym_coverage(
        lambda word: np.array(rows.get(word, []), dtype=np.int64), texts.__getitem__
    )
    assert covers(acronym) is covered


@pytest.fixture(scope="module")
def acronym_words() -> ArchiveWords:
    return ArchiveWords(["pot", "panda", "help", "safe"], lambda a: writes_acronym("ADHD, SAD", a))


@pytest.mark.parametrize(
    ("question", "missing"),
    [
        ("does vitamin D help POTS?", ["pots"]),  # 'pots' is an archive word, POTS no acronym of it
        ("does vitamin D help PANDAS in kids", ["pandas"]),
        ("does vitamin D help ADHD?", []),  # the archive writes it
        ("is vitamin D really SAFE?", []),  # emphasis: an everyday word
        ("need an answer ASAP, does vitamin D help ADHD", []),  # chat
        ("DOES VITAMIN D HELP POTS?", []),  # written in capitals throughout
    ],
)
def test_acronyms_the_archive_never_writes_are_reported(
    acronym_words: ArchiveWords, question: str, missing: list[str]
) -> None:
    assert acronym_words.missing(question) == missing


@pytest.fixture(scope="module")
def service(tmp_path_factory: pytest.TempPathFactory, embedder) -> AnswerService:
    posts = [
        (
            "ms-relapses",
            "Fewer multiple sclerosis relapses with 10,000 IU of vitamin D",
            "Multiple sclerosis patients given 10,000 IU vitamin D daily had 40% fewer "
            "relapses.\n\nChildren with multiple sclerosis had fewer relapses with vitamin D "
            "as well.",
        ),
        (
            "psoriasis-topical",
            "Psoriasis improved with vitamin D",
            "Psoriasis plaques cleared in half of the patients given vitamin D for 12 weeks.\n\n"
            "Skin scaling and itching were reduced compared with placebo.",
        ),
        (
            "children-fitness",
            "Children who run more are fitter",
            "Kids who ran three times a week had better fitness scores at school.\n\n"
            "Running and sports in childhood build endurance.",
        ),
        (
            "pregnancy-dose",
            "Pregnant women need 4,000 IU of vitamin D",
            "Pregnant women given 4,000 IU vitamin D daily had fewer complications.\n\n"
            "Preeclampsia was less common with the higher dose during pregnancy.",
        ),
        ("psoriasis-index", "Psoriasis", ""),  # a title-only index page
        (
            "lupus-trial",
            "Vitamin D reduced lupus flares – RCT",
            "In a trial of 60 lupus patients, 4,000 IU vitamin D daily halved flares over a "
            "year.\n\nFatigue also improved.",
        ),
        (
            "lupus-review",
            "Vitamin D and lupus: a review",
            "This narrative review covers vitamin D and lupus, from flares to treatment.\n\n"
            "Many studies are summarised.",
        ),
    ]
    return service_over(posts, tmp_path_factory.mktemp("generalization"), embedder)


def test_german_question_finds_the_english_post(service: AnswerService) -> None:
    answer = service.ask("Hilft Vitamin D bei Schuppenflechte?")
    assert answer.hits[0].slug.startswith("psoriasis")


def test_restated_question_words_count_more(service: AnswerService) -> None:
    """A question restated from another language has its BM25 scores weighted by
    RESTATED_LEXICAL_WEIGHT instead of LEXICAL_WEIGHT; an English question's are as they are."""
    searcher = service.searcher()
    german = build_query("Hilft Vitamin D bei Schuppenflechte?")
    english = build_query("does vitamin D help psoriasis?")
    bm25 = searcher.lexical.scores(german.lexical)
    assert german.lang == "de" and bm25.max() > 0
    weighted = searcher._asked(german).lexical
    assert weighted == pytest.approx(bm25 * RESTATED_LEXICAL_WEIGHT / LEXICAL_WEIGHT)
    assert RESTATED_LEXICAL_WEIGHT > LEXICAL_WEIGHT
    plain = searcher._asked(english).lexical
    assert plain == pytest.approx(searcher.lexical.scores(english.lexical))


def test_follow_up_answered_in_context(service: AnswerService) -> None:
    alone = service.ask("what about for kids?")
    in_thread = service.ask(
        "what about for kids?", previous=["does vitamin D reduce multiple sclerosis relapses?"]
    )
    assert alone.hits[0].slug == "children-fitness"
    assert in_thread.hits[0].slug == "ms-relapses"


def test_follow_up_of_a_follow_up_answered_in_the_thread_subject(service: AnswerService) -> None:
    thread = ["does vitamin D reduce multiple sclerosis relapses?", "what about for kids?"]
    assert service.ask("what dose did they use?", previous=thread).hits[0].slug == "ms-relapses"
    assert service.ask("what dose did they use?", previous=thread[1:]).hits[0].slug != "ms-relapses"


def test_subject_change_answered_on_its_own(service: AnswerService) -> None:
    question = "different question: does it help psoriasis?"
    answer = service.ask(question, previous=["does vitamin D reduce multiple sclerosis relapses?"])
    assert answer.hits[0].slug.startswith("psoriasis")
    assert answer.hits == service.ask(question).hits


def test_title_only_page_scored_below_its_title_match(service: AnswerService) -> None:
    """A page with no text is judged on its title alone, less a margin: a post with text at
    about the same score ranks above it, a clearly better title match still wins."""
    searcher = service.searcher()
    rows = {p.slug: i for i, p in enumerate(searcher.index.posts)}
    vec = searcher.embedder.encode(["psoriasis"])[0]
    scores = searcher.rank_posts(vec).scores
    title_sim = float(vec @ searcher.index.title_vectors[rows["psoriasis-index"]])
    assert scores[rows["psoriasis-index"]] == pytest.approx(title_sim - TITLE_ONLY_PENALTY)
    assert TITLE_ONLY_PENALTY > 0


@pytest.mark.parametrize(
    ("question", "first"),
    [
        ("lupus flares and vitamin D", "lupus-trial"),  # the review leads by less than the margin
        ("should lupus patients take vitamin D?", "lupus-review"),  # by more
    ],
)
def test_review_on_the_first_page_placed_after_a_study_it_barely_outscores(
    service: AnswerService, question: str, first: str
) -> None:
    """Within the first page a narrative review stands as if REVIEW_MARGIN lower; its score is
    unchanged."""
    answer = service.ask(question, k=10)
    score = {hit.slug: hit.score for hit in answer.hits}
    lead = score["lupus-review"] - score["lupus-trial"]
    assert lead > 0  # the review matches better either way
    assert (lead < REVIEW_MARGIN) == (first == "lupus-trial")
    assert answer.hits[0].slug == first


def test_subject_the_archive_never_mentions_is_not_confident(service: AnswerService) -> None:
    answer = service.ask("does vitamin D help hidradenitis suppurativa?")
    assert not answer.confident
    assert "hidradenitis" in answer.missing
    assert service.ask("does vitamin D reduce multiple sclerosis relapses?").confident


def test_the_first_post_with_text_quotes_the_most_when_an_index_page_comes_first(
    tmp_path_factory: pytest.TempPathFactory, embedder
) -> None:
    results = " ".join(
        f"In trial {i}, knee pain fell by {20 + i}% with 4,000 IU of vitamin D a day (p < 0.05)."
        for i in range(1, 8)
    )
    service = service_over(
        [
            ("knee-index", "Knee pain and vitamin D", ""),
            ("knee-trials", "Seven trials: 4,000 IU a day eased osteoarthritis", results),
        ],
        tmp_path_factory.mktemp("first-with-text"),
        embedder,
    )
    index_page, trials = service.ask("knee pain and vitamin D").hits
    assert not index_page.has_text and index_page.findings == []
    assert FINDINGS_PER_POST < len(trials.findings) <= FIRST_POST_FINDINGS


def test_a_line_linking_another_post_by_its_title_is_never_quoted(
    tmp_path_factory: pytest.TempPathFactory, embedder
) -> None:
    other = "Knee osteoarthritis pain reduced by vitamin D in seven trials"
    body = (
        "Knee pain fell by 30% with 4,000 IU of vitamin D a day in 120 adults (p < 0.01).\n\n"
        f"- {other}\n\n"
        "Stiffness also eased in the vitamin D group compared with placebo after a year."
    )
    service = service_over(
        [
            ("knee-trial", "4,000 IU of vitamin D a day eased knee pain – RCT", body),
            ("knee-review", other, "Seven trials of vitamin D for knee arthritis were pooled."),
        ],
        tmp_path_factory.mktemp("title-link"),
        embedder,
    )
    hits = service.ask("does vitamin D ease knee pain?", k=2).hits
    quoted = [f for h in hits for f in h.findings]
    assert quoted and all(other not in f for f in quoted)
