"""Query expansion, unit conversion, findings selection, tag lookup and evaluation metrics."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from retrieval import findings, synonyms
from retrieval.evaluation import Question, ndcg, score_question, summarize
from retrieval.lexical import terms
from retrieval.query import build_query, normalize_question
from retrieval.search import Answer, Hit, Lead
from retrieval.sentence_table import SentenceTable, TermIds, overlaps
from retrieval.store import PostRecord
from retrieval.synonyms import expansions
from retrieval.tags import TagCatalogue
from retrieval.units import equivalents, iu_amounts, ng_levels, number_forms
from tests.helpers import candidates


@pytest.mark.parametrize(
    ("text", "phrase"),
    [("my wife has MS", "multiple sclerosis"), ("does D3 help", "vitamin d"),
     ("k2 with d3?", "vitamin k2"), ("how much for a preggo", "pregnancy"),
     ("T2D and sugar", "type 2 diabetes"), ("CKD patients", "chronic kidney disease"),
     ("TB treatment", "tuberculosis")],
)  # fmt: skip
def test_synonyms_expand_chat_words_and_abbreviations(text, phrase):
    assert phrase in expansions(text)


@pytest.mark.parametrize(
    ("text", "phrase"),
    [("she has cysts on her ovaries", "polycystic ovary syndrome"),  # 'cysts on my ovaries'
     ("grandpa broke the hip last winter", "hip fractures")],  # 'broke his hip'
)  # fmt: skip
def test_an_alias_reads_any_english_determiner_as_its_own(text, phrase):
    assert phrase in expansions(text)


def test_synonyms_match_whole_words_only():
    assert expansions("symptoms of rickets") == []  # 'ms' inside a word is not MS


@pytest.mark.parametrize(
    ("text", "phrase"),
    [("my joints are stiff every morning", "arthritis"),  # 'stiff joints'
     ("is it true that cancer - breast?", "breast cancer"),  # a phrase names itself
     ("my hip joint is stiff", "arthritis"),  # a plural's 's' aside
     ("my heart flutters at night", "atrial fibrillation")],  # 'heart flutters', as written
)  # fmt: skip
def test_an_english_alias_is_read_in_any_order_within_a_few_words(text, phrase):
    assert phrase in expansions(text)


@pytest.mark.parametrize(
    ("text", "phrase"),
    [("joints of the knee often are stiff", "arthritis"),  # too far apart
     ("50,000 IU every 90 days", "daily"),  # a number between: not 'every day'
     ("vitamin d after gastric bypass surgery", "cardiovascular"),  # 'bypass' is taken
     ("how much for a 5 year old", "years old")],  # said already, but for the plural
)  # fmt: skip
def test_a_loose_reading_needs_near_free_words_and_no_number_between(text, phrase):
    assert phrase not in expansions(text)


def test_loading_english_prepares_the_loose_reading():
    """A serving process loads it with the vocabulary (17 ms), not on its first question."""
    synonyms._loose_index.cache_clear()
    synonyms.load("en")
    assert synonyms._loose_index.cache_info().currsize == 1


@pytest.mark.parametrize(
    ("text", "iu"),
    [("10k IU a day", 10000), ("100 mcg", 4000), ("50,000 IU weekly", 50000),
     ("2.5 mg vitamin D", 100000), ("1.000 IE täglich", 1000), ("400 units", 400)],
)  # fmt: skip
def test_doses_read_in_iu(text, iu):
    assert iu_amounts(text)[0][0] == iu


def test_weekly_and_levels_restated():
    assert "7,143 IU daily" in equivalents("50,000 IU once a week")
    assert equivalents("is 50 nmol/L low") == ["20 ng/ml"]
    assert ng_levels("30 ng/ml and 75 nmol/l") == [30, 30]
    assert {"20 ng", "50 nmol"} <= number_forms("50 nmol/L")
    assert equivalents("no numbers here") == []


def test_query_texts():
    q = build_query("  is 100 mcg of vit d\u200b too much?  ")
    assert q.text == "is 100 mcg of vit d too much?"
    assert "vitamin d" in q.lexical and "4,000 IU" in q.lexical and "4,000" not in q.dense
    assert "too much d" in q.dense  # the subject's phrase; 'vitamin d' is every question's
    assert normalize_question("x" * 5000) == "x" * 1000


def test_a_link_to_a_post_is_read_as_its_title_words_and_other_links_as_nothing():
    post = "https://vitamindwiki.com/pages/vitamin-d-and-asthma-attacks/"
    assert (
        normalize_question(f"what does {post} say?")
        == "what does vitamin d and asthma attacks say?"
    )
    assert normalize_question("see www.example.org/a?b=1 about psoriasis") == "see about psoriasis"
    assert normalize_question("https://evil.example/@everyone") == ""
    assert normalize_question("is 10,000 IU/day ok?") == "is 10,000 IU/day ok?"


def test_a_restated_question_is_embedded_as_restated_and_its_expansions_stay_lexical():
    """An English question's dense query carries the vocabulary's phrasing; a question restated
    from another language is that phrasing already, so only its lexical query gets more."""
    english = build_query("is the sunshine vitamin good for brittle bones?")
    assert "(" in english.dense and "osteoporosis" in english.dense
    for asked, phrase in [("¿La vitamina D ayuda con la migraña?", "headache"),
                          ("Hilft Vitamin D bei Hashimoto?", "thyroid")]:  # fmt: skip
        restated = build_query(asked)
        assert restated.lang != "en" and restated.dense == restated.english
        assert phrase not in restated.dense and phrase in restated.lexical


def test_vitamin_d_status_phrases_stay_out_of_the_dense_query():
    """'low vitamin D' and 'vitamin D levels' expand to the archive's status phrases, which every
    question here shares: the dense query keeps only the subject's phrase, the lexical query
    all of them."""
    query = build_query("could low vitamin D levels make my hair fall out?")
    assert "hair loss" in query.dense
    assert "deficiency" not in query.dense and "blood levels" not in query.dense
    assert "deficiency" in query.lexical
    only_status = build_query("are my vitamin D levels low?")
    assert "blood levels" in only_status.lexical
    assert only_status.dense == only_status.english


def test_findings_match_what_the_question_asks_in_english_not_its_thread():
    q = build_query("any trials on it?", ["does vitamin D help psoriasis?"])
    assert "psoriasis" in q.context and "psoriasis" in q.lexical
    assert "trials" in q.asked and "psoriasis" not in q.asked
    alone = build_query("does vitamin D help psoriasis?")
    assert alone.asked == alone.lexical
    german = build_query("Hilft Vitamin D bei Schuppenflechte?")
    assert "Schuppenflechte" in german.lexical and "psoriasis" in german.asked
    assert "Schuppenflechte" not in german.asked


def test_findings_skip_citations_authors_and_fragments():
    assert not findings.is_quotable("Steffensen LH, Jørgensen L, Straume B, Mellgren SI.")
    assert not findings.is_quotable("Monangi N1, Slaughter JL, Dawodu A, Smith C, Akinbi HT.")
    assert not findings.is_quotable("J Neurol. 2011 Mar 13. doi: 10.1007/s00415-011-5960-6")
    assert not findings.is_quotable("Department of Neurology, University Hospital of North Norway")
    assert not findings.is_quotable("PDF is attached at the bottom of this page")
    assert findings.is_quotable("Supplementation with 20,000 IU a week did not prevent bone loss.")


def test_findings_prefer_asked_numbers_bold_and_conclusions_and_never_repeat():
    text = (
        "The weather was nice during the study period in Norway.\n"
        "Participants took 20,000 IU vitamin D weekly for 96 weeks in this trial.\n"
        "CONCLUSION: vitamin D did not prevent bone loss in this small population."
    )
    cands = candidates([text, "vitamin D did not prevent bone loss"], ["did not prevent"])
    plain = candidates([text, "vitamin D did not prevent bone loss"], [])
    bold_lift = (cands.table.prior - plain.table.prior)[cands.rows]
    assert bold_lift.tolist() == pytest.approx([0, 0, findings.BOLD_LIFT, findings.BOLD_LIFT])
    sims = findings.Signals([0.2, 0.3, 0.3, 0.3], [0.0] * 4, [0.0] * 4)
    best = findings.rank(cands, sims, query_numbers={"20,000"}, limit=3)[0]
    # bold, a conclusion (read with its label, shown without it) and a result
    assert best[0].text == "vitamin D did not prevent bone loss in this small population."
    assert best[1].text.startswith("Participants took 20,000 IU")
    # the bold line is inside the conclusion already: quoted once, so the third is the weather
    assert best[2].text.startswith("The weather") and len(best) == 3
    unasked = findings.rank(cands, sims, query_numbers=set(), limit=3)[0]
    assert best[1].score - unasked[1].score == pytest.approx(findings.QUERY_NUMBER_LIFT)


def test_findings_are_cut_at_a_word_with_ellipsis():
    long = "word " * 200
    cut = findings.shorten(long)
    assert len(cut) <= 300 and cut.endswith("…") and not cut[:-1].endswith(" ")


def test_terms_drop_stopwords_and_plurals():
    assert terms("Does vitamin D help the bones? 10,000 IU") == {"help", "bone", "10000", "iu"}


WORDS = [
    "bone",
    "bones",
    "loss",
    "10,000",
    "10000",
    "1,000,000",
    "iu",
    "ms",
    "mss",
    "a1,234",
    "levels",
    "2.5",
    "the",
    "glass",
    "d3",
    "k2",
]


@given(
    st.lists(st.lists(st.sampled_from(WORDS), max_size=8), min_size=1, max_size=5),
    st.lists(st.sampled_from(WORDS), max_size=4),
    st.integers(0, 5),
)
def test_term_overlap_equals_its_definition(sentence_words, query_words, split):
    """Matching term ids over a table gives each sentence's share of the question's weight, and
    that of the terms found in any sentence of its text."""
    lines = [" ".join(w).upper() + " xylophonequartzmarimbaband." for w in sentence_words]
    texts = ["\n".join(lines[:split]), "\n".join(lines[split:])]
    ids = TermIds()
    cands = SentenceTable.build(texts, [], ids=ids).pick([0, 1])
    query = terms(" ".join(query_words))
    weights = {w: 1.0 + len(w) for w in query}
    question, context = overlaps(cands, ids.query(weights))
    total = sum(weights.values())
    found = [query & terms(cands.sentence(i).text) for i in range(len(cands))]
    by_text: dict[int, set[str]] = {}
    for i, words in enumerate(found):
        by_text.setdefault(int(cands.source[i]), set()).update(words)
    for i, words in enumerate(found):
        assert question[i] == pytest.approx(sum(weights[w] for w in words) / total if query else 0)
        in_text = by_text[int(cands.source[i])]
        assert context[i] == pytest.approx(sum(weights[w] for w in in_text) / total if query else 0)


def record(slug: str, tags: tuple[str, ...], date: str) -> PostRecord:
    return PostRecord(
        row=0, slug=slug, title=slug, date=date, tags=tags, categories=(), aliases=(), page_id=None,
        body="", path="", content_hash="h",
    )  # fmt: skip


def test_tag_catalogue_fuzzy_synonyms_and_cooccurrence():
    posts = [
        record("a", ("Diabetes", "obesity"), "2012-01-01"),
        record("b", ("diabetes", "obesity", "omega-3"), "2013-01-01"),
        record("c", ("multiple sclerosis", "Omega 3"), "2011-01-01"),
    ]
    cat = TagCatalogue(posts)
    assert cat.match("diabetis")[0].tag == "diabetes" and cat.match("diabetis")[0].posts == 2
    assert cat.match("ms")[0].tag == "multiple sclerosis"
    assert cat.match("OMEGA 3")[0].posts == 2
    assert [p.slug for p in cat.posts("diabetes")] == ["b", "a"]  # newest first
    assert cat.related("diabetes")[0].tag == "obesity"
    assert cat.match("zzzzzz") == []
    assert [m.tag for m in cat.match("")][:1] == ["diabetes"]


def test_metrics():
    assert ndcg(["a", "b"], {"a": 2}) == 1.0
    assert ndcg(["x", "a"], {"a": 2}) == pytest.approx(1 / np.log2(3))
    q = Question("q", "?", "paraphrase", {"a": 2, "b": 1}, ["20 ng"])
    hit = Hit("x", "t", "", (), "u", 0.5, ["levels of 20 ng/ml"])
    row = score_question(q, Answer("?", True, [hit, Hit("a", "t", "", (), "u", 0.4, [])], 2))
    assert row["hit1"] == 0.0 and row["hit3"] == 1.0 and row["mrr"] == 0.5 and row["facts"] == 1.0
    none = score_question(Question("n", "?", "no_answer", {}, []), Answer("?", False, [], 0))
    summary = summarize([row, none])
    assert summary["no_answer"] == {"questions": 1, "not_confident": 1.0}
    assert summary["by_kind"]["paraphrase"]["hit3"] == 1.0


def test_the_lead_is_measured_for_its_facts_and_for_the_post_it_comes_from():
    q = Question("q", "?", "lay", {"a": 2, "b": 1}, ["20 ng", "fewer falls"])
    answering, related = (Hit(s, "t", "", (), "u", 0.5, ["levels of 20 ng/ml"]) for s in "ab")

    def row(lead: Lead | None) -> dict:
        return score_question(q, Answer("?", True, [related, answering], 2, lead=lead))

    from_answer, from_related, none = (
        row(Lead("levels of 20 ng/ml", 1)),
        row(Lead("x", 0)),
        row(None),
    )
    assert (from_answer["lead_answers"], from_answer["lead"]) == (1.0, 0.5)
    assert (from_related["lead_answers"], from_related["lead"]) == (0.0, 0.0)
    assert (none["lead_answers"], none["lead"]) == (0.0, 0.0)
    summary = summarize([from_answer, none])
    assert summary["lead_answers"] == 0.5 and summary["facts"]["lead"] == 0.25
