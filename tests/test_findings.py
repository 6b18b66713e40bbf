"""Key findings ranked for the result, and the lead answer quoted from them."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import weakref

import pytest
from hypothesis import given
from hypothesis import strategies as st

from retrieval import findings, language, search, store, synonyms
from retrieval import service as service_module
from retrieval.indexer import build_index
from retrieval.lexical import sentence_terms
from retrieval.ontology import tag_key
from retrieval.search import Searcher
from retrieval.sentence_table import Candidates, SentenceTable, TermIds, overlaps
from retrieval.service import AnswerService
from tests.helpers import SEED_SLUG, SEEDS, candidates, write_post

DEMO = "does vitamin D help MS bone loss?"
SENTENCES = [
    "Vitamin D did not prevent bone loss in this small population of adults.",
    "Those taking 4000 IU daily had 20 percent fewer falls (p = 0.03) than the others.",
    "The aim of this study was to test vitamin D against placebo in adults.",
    "Participants were randomised to receive 20 ng or placebo once a week for a year.",
    "CONCLUSION: vitamin D reduced the risk of falls by a third in the elderly.",
    "Weather was recorded daily at the site during the whole study period.",
    "Odds of infection were lower with vitamin D (OR 0.61, 95% CI 0.4 to 0.9).",
    "More research is needed to tell whether these effects last for longer.",
]
SEED_RESULT = (
    "Supplementation with 20,000 IU vitamin D(3) a week did not prevent bone loss in this small "
    "population."
)


def signals(n: int, question: float = 0.5, meaning: float = 0.5) -> findings.Signals:
    return findings.Signals([question] * n, [meaning] * n, [0.0] * n)


def cues(sentence: str) -> findings.Cues:
    return findings.cues(findings.sentences(sentence)[0])


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [("BMD fell by 1.4% in the placebo group (95% CI -2.3 to -0.4, p = 0.006).", (1, 1, 1, 0, 0)),
     ("Risk was lower with vitamin D (OR 0.61) than without it in this cohort.", (1, 0, 1, 0, 0)),
     ("Those who took 4,000 IU daily were 3 times more likely to reach 40 ng/ml.", (0, 1, 1, 0, 0)),
     ("Supplementation did not prevent bone loss in this small population.", (0, 0, 1, 0, 0)),
     ("Patients with MS or 2 of their carers filled in a questionnaire on diet.", (0, 0, 0, 0, 0)),
     ("In this trial we assessed whether a weekly dose prevents bone loss in MS.", (0, 0, 1, 1, 0)),
     ("The aim of this study was to compare vitamin D with placebo in adults.", (0, 0, 0, 1, 0)),
     ("Larger studies are warranted to assess the effect of vitamin D on bones.", (0, 0, 0, 1, 0)),
     # how a study was done: its amounts are what it gave, not what it found
     ("120 adults were randomized to receive 4,000 IU a day or placebo.", (0, 1, 0, 0, 1)),
     ("Serum 25(OH)D was measured at baseline and after 12 weeks in 80 women.", (0, 0, 0, 0, 1)),
     ("Children were recruited from 12 schools and given 2,000 IU daily.", (0, 1, 0, 0, 1)),
     ("This double-blind trial was conducted in 60 women with PCOS for 12 weeks.", (0, 0, 0, 0, 1)),
     ("Nine patients with psoriasis received vitamin D3 35,000 IU daily for 6 months.",
      (0, 1, 0, 0, 1)),
     ("All of them were treated with oral cholecalciferol 50,000 IU once a week.", (0, 1, 0, 0, 1)),
     # ... unless it also states an outcome
     ("Those randomized to 4,000 IU a day had fewer falls than the others.", (0, 1, 0, 0, 0)),
     ("Levels were measured in 80 women and were associated with fewer falls.", (0, 0, 1, 0, 0))],
)  # fmt: skip
def test_result_aim_and_method_cues(sentence, expected):
    assert tuple(cues(sentence)) == tuple(map(bool, expected))


@pytest.mark.parametrize(
    ("sentence", "aim"),
    [("Objective: To review the role of vitamin D in the onset of multiple sclerosis.", True),
     ("OBJECTIVE: Primary To compare the prevalence of vitamin D insufficiency at 40 weeks.", True),
     ("Background and aims: to investigate vitamin D receptor variants in asthma.", True),
     ("This study was designed to assess the effects of vitamin D in pregnant women.", True),
     ("Our goal was to compare daily with weekly vitamin D in nursing home residents.", True),
     # a goal that is a target level is what a reader asks for, not an aim
     ("The treatment goal is to keep serum 25(OH)D above 30 ng/mL all year.", False),
     # under the same labels, a statement of what is known is not an aim
     ("Background and purpose: Risk of hip fracture after stroke is 2 to 4 times higher.", False),
     ("Objectives: Low vitamin D status may be associated with Crohn's disease.", False),
     ("The objective reached 30 ng/ml in most of those treated.", False)],
)  # fmt: skip
def test_an_abstract_label_stating_the_aim_marks_an_aim(sentence, aim):
    assert cues(sentence).aim is aim


def test_a_result_outranks_the_aim_it_answers_even_with_fewer_question_words():
    text = (
        "In this trial we assessed whether vitamin D prevents bone loss in persons with MS.\n"
        "Vitamin D did not prevent bone loss: BMD fell by 0.7% (p = 0.118) with vitamin D."
    )
    cands = candidates([text])
    sig = findings.Signals([0.5, 0.3], [0.5, 0.5], [0.5, 0.5])
    best = findings.rank(cands, sig, set(), limit=1)[0]
    assert best[0].text.startswith("Vitamin D did not prevent")


def test_a_sentence_cut_where_its_chunk_ends_is_marked_and_never_leads():
    text = (
        "Hip BMD fell by 1.4% (p = 0.006) with placebo and by 0.7% with vitamin D.\n"
        "Mean loss was significantly less in the vitamin D group (0.05%), compared to the"
    )
    whole, cut = findings.sentences(text)
    assert cut.text.endswith("compared to the …") and not cut.whole
    assert not findings.may_lead(cut) and findings.may_lead(whole)
    assert not whole.text.endswith("…")
    (named,) = findings.sentences("Fewer infections with vitamin D than with vitamin A")
    assert named.text.endswith("vitamin A")  # a capital 'A' names a vitamin: nothing is cut


LONG = (
    "Patients given vitamin D had fewer hospital admissions, fewer days in intensive care, shorter "
    "stays and lower costs of care in the first year than the placebo group, while after two "
    "years their rate of falls was 30% lower (HR 0.70, 95% CI 0.55-0.89) and their rate of "
    "fractures was 20% lower than in those given placebo with calcium."
)

LONGER = (
    LONG.replace("calcium.", "calcium and those given nothing at all over the same years.")
    .replace("Patients", "Older patients living at home or in care")
    .replace("first year", "first year of the trial, in every region and at every site")
)


@pytest.mark.parametrize(
    "fragment",
    [
        "Supplementation raised concentrations in",
        "femoral bone density (28% vs 22%, p: 0.698), and",
    ],
)
def test_the_cut_mark_is_not_judged_as_part_of_the_sentence(fragment):
    (cut,) = findings.sentences(fragment)
    assert cut.text == f"{fragment} …"
    assert findings.is_quotable(cut.text) == findings.is_quotable(fragment)


def test_a_long_sentence_is_quoted_where_the_question_weighs_most():
    asked = {"fall": 3.0, "fracture": 2.5}
    quote = findings.focused(LONG, asked, limit=200)
    assert len(quote) <= 200 and quote.startswith("… ")
    assert "falls was 30% lower" in quote and "fractures was 20% lower" in quote
    assert quote.removeprefix("… ").removesuffix(" …") in LONG
    # no question word further on: cut at the end only, as any long quote is
    assert findings.focused(LONG, {"hospital": 3.0}, limit=200) == findings.shorten(LONG, 200)
    assert findings.focused(LONG, {}, limit=200) == findings.shorten(LONG, 200)
    assert findings.focused("Short enough.", asked) == "Short enough."
    (best,) = findings.rank(candidates([LONGER]), signals(1), set(), limit=1, weights=asked)[0]
    assert len(LONGER) > findings.MAX_FINDING_CHARS and best.text.startswith("… ")
    assert "fractures was 20% lower" in best.text


def test_a_long_sentence_quoted_from_its_middle_never_leads():
    """Quoted where the question weighs most, it may be a finding but not the lead; quoted from
    its start (cut at the end only), it may lead."""
    asked = {"fall": 3.0, "fracture": 2.5}
    (middle,) = findings.rank(candidates([LONGER]), signals(1), set(), limit=1, weights=asked)[0]
    (start,) = findings.rank(candidates([LONGER]), signals(1), set(), limit=1)[0]
    assert middle.text.startswith("… ") and not middle.result
    assert start.text.startswith("Older patients") and start.result


def test_each_post_quotes_up_to_its_own_limit():
    table = SentenceTable.build(["\n".join(SENTENCES[:4]), "\n".join(SENTENCES[4:])], ())
    cands = table.pick([0, 1], group=[0, 1], groups=2)
    first, second = findings.rank(cands, signals(len(cands)), set(), limit=[3, 1])
    assert len(first) == 3 and len(second) == 1
    assert {f.text for f in first} <= set(SENTENCES[:4]) and second[0].text in SENTENCES[4:]
    assert [len(f) for f in findings.rank(cands, signals(len(cands)), set(), limit=2)] == [2, 2]


@pytest.mark.parametrize(
    ("question", "dose"),
    [("how much vitamin D should a pregnant woman take?", True),
     ("what dose works for MS?", True),
     ("is 10k IU a day safe long term", True),
     ("how many mcg for a toddler?", True),
     ("how much lower is the risk of falls with vitamin D?", False),
     ("does vitamin D help depression?", False),
     ("what level should I aim for?", False),
     # asking whether something was tried is not asking for an amount
     ("has anyone actually tested it on school kids?", False),
     ("Has this been tried in humans?", False),
     ("did anyone try vitamin D for cluster headaches", False),
     ("has it ever been studied in children", False),
     ("has anyone given babies 2000 IU?", True),
     ("I have been tested twice this year", False),
     ("it has been shown that D3 works", False)],
)  # fmt: skip
def test_a_question_asking_for_an_amount_is_told_apart(question, dose):
    assert findings.asks_for_dose(question) is dose


@pytest.mark.parametrize(
    ("sentence", "dose"),
    [("Mothers were given 10k IU or 50 mcg a day, or 1.25 mg once a month.", True),
     ("Those who took 4,000 IU/day were 3 times more likely to reach 40 ng/ml.", True),
     ("Blood levels rose to 40 ng/ml (100 nmol/l) in 20% of the treated group.", False),
     ("During the trial a weekly dose prevented bone loss in most patients.", False)],
)  # fmt: skip
def test_a_stated_dose_is_told_apart_from_other_amounts(sentence, dose):
    assert findings.states_dose(findings.sentences(sentence)[0]) is dose


def test_a_dose_question_prefers_the_sentence_that_states_the_dose():
    text = (
        "Blood levels were 40 ng/ml in the treated group at the end of the year.\n"
        "The treated group took 4,000 IU of vitamin D every day for the whole year."
    )
    cands = candidates([text])
    sig = findings.Signals([0.6, 0.5], [0.5, 0.5], [0.5, 0.5])
    assert findings.rank(cands, sig, set(), limit=1)[0][0].text.startswith("Blood levels")
    found = findings.rank(cands, sig, set(), limit=1, asks_dose=True)[0]
    assert found[0].text.startswith("The treated group took")


def test_a_sentence_whose_chunk_names_the_subject_outranks_one_whose_chunk_does_not():
    other = "Adults from the city took part in this.\nBone density did not change in a year."
    named = "Adults with multiple sclerosis took part.\nBone density did not change over a year."
    ids = TermIds()
    cands = SentenceTable.build([other, named], [], ids=ids).pick([0, 1])
    question, context = overlaps(cands, ids.query({"sclerosi": 1.0, "bone": 1.0}))
    assert question.tolist() == [0.0, 0.5, 0.5, 0.5] and context.tolist() == [0.5, 0.5, 1.0, 1.0]
    sig = findings.Signals(question, [0.5] * 4, context)
    assert findings.rank(cands, sig, set(), limit=1)[0][0].text == named.splitlines()[1]


def test_the_numbers_of_the_title_lift_the_sentence_that_reports_them():
    text = (
        "Bone density was measured at the hip and spine every six months in all of them.\n"
        "Bone density was unchanged by 2,800 IU of vitamin D at the hip and spine after a year."
    )
    cands = candidates([text], title_numbers={"2,800", "2800"})
    found = findings.rank(cands, signals(2), set(), limit=1)[0]
    assert found[0].text.startswith("Bone density was unchanged")


def test_the_closer_chunk_lifts_its_sentences():
    a = "Vitamin D levels were measured in all the participants of the cohort."
    b = "Vitamin D levels were measured in every one of the children at birth."
    cands = candidates([a, b])
    sig = findings.Signals([0.5, 0.5], [0.2, 0.6], [0.5, 0.5])
    assert findings.rank(cands, sig, set(), limit=1)[0][0].text == b


@given(
    st.lists(st.sampled_from(SENTENCES), min_size=1, max_size=12),
    st.lists(st.floats(0, 1), min_size=36, max_size=36),
    st.integers(1, 4),
    st.booleans(),
)
def test_the_findings_are_the_best_scored_candidates_each_scored_alone(picked, values, limit, dose):
    """Scoring candidates together never changes a candidate's own score, and the findings are
    the best distinct ones."""
    cands = candidates(["\n".join(picked)], title_numbers={"20"})
    n = len(cands)
    sig = findings.Signals(values[:n], values[12 : 12 + n], values[24 : 24 + n])
    found = findings.rank(cands, sig, {"4000"}, limit=limit, asks_dose=dose)[0]
    alone = [
        findings.rank(
            Candidates(cands.table, cands.rows[[i]], cands.source[[i]], cands.group[[i]], 1),
            findings.Signals(*([s[i]] for s in sig)),
            {"4000"},
            limit=1,
            asks_dose=dose,
        )[0]
        for i in range(n)
    ]
    full = sorted((f[0] for f in alone if f), key=lambda f: -f.score)
    expected: list[findings.Finding] = []
    for f in full:
        if not any(f.text in e.text or e.text in f.text for e in expected):
            expected.append(f)
    assert [f.text for f in found] == [f.text for f in expected[:limit]]


@st.composite
def shown_post(draw: st.DrawFn) -> tuple[list[str], list[str], list[int], list[float]]:
    """A post as findings read it: its chunks, its bold lines, the order its chunks are picked
    in (closest first, as `_hits` picks them) and each picked text's similarity."""
    chunk = st.lists(st.sampled_from(SENTENCES), min_size=1, max_size=4).map("\n".join)
    chunks = draw(st.lists(chunk, max_size=3))
    bold = draw(st.lists(st.sampled_from(SENTENCES), max_size=2))
    order = draw(st.permutations(range(len(chunks))))
    picked = [*order, *range(len(chunks), len(chunks) + len(bold))]
    sims = draw(st.lists(st.floats(0, 1), min_size=len(picked), max_size=len(picked)))
    return chunks, bold, picked, sims


@given(
    st.lists(shown_post(), min_size=2, max_size=3),
    st.sampled_from(["", "bone loss 4000 IU", "muscle strength trial"]),
)
def test_posts_read_from_one_joined_table_get_the_findings_each_gets_from_its_own(posts, question):
    """The shown posts are scored together, from one table joined of theirs: each post's
    findings and scores are those its own table gives, less any sentence an earlier post of
    the answer quotes (a sentence two posts share is quoted once; a post without text has
    none)."""
    ids = TermIds()
    tables = [SentenceTable.build(c, b, {"20"}, ids) for c, b, _, _ in posts]
    query = ids.query({t: 1.0 for t in question.split()})

    def found(cands: Candidates, sims: list[float], limit: int | list[int]) -> list[list]:
        question_share, context = overlaps(cands, query)
        meaning = [sims[i] for i in cands.source.tolist()]
        signals = findings.Signals(question_share, meaning, context)
        return findings.rank(cands, signals, {"4000"}, limit)

    def quoted(table: SentenceTable, post: list[findings.Finding]) -> list[tuple]:
        """Each finding, and as quoted with its neighbour (rows differ by table)."""
        return list(zip([f[:3] for f in post], findings.in_context(table, post), strict=True))

    # What the posts before quote, as written. (No sentence of SENTENCES holds another, so
    # dropping those a post's own ranking quoted is the same as ranking without them.)
    said: list[str] = []
    alone = []
    for t, (_, _, picked, sims) in zip(tables, posts, strict=True):
        every = found(t.pick(picked), sims, 10**6)[0]
        texts = [t.sentences[f.row].text for f in every]
        kept = [
            f for f, text in zip(every, texts, strict=True)
            if not any(text in s or s in text for s in said)
        ][:3]  # fmt: skip
        said += [t.sentences[f.row].text for f in kept]
        alone.append(quoted(t, kept))
    table, starts = SentenceTable.join(tables)
    texts = [
        start + t for start, (_, _, picked, _) in zip(starts, posts, strict=True) for t in picked
    ]
    group = [place for place, (_, _, picked, _) in enumerate(posts) for _ in picked]
    sims = [sim for *_, post_sims in posts for sim in post_sims]
    together = found(table.pick(texts, group, len(posts)), sims, 3)
    assert [quoted(table, post) for post in together] == alone


def test_each_post_joined_keeps_its_own_cap_of_candidates():
    lines = [f"Sentence number {i} of this long text says something new." for i in range(100)]
    tables = [SentenceTable.build(["\n".join(lines)], []) for _ in range(2)]
    table, starts = SentenceTable.join(tables)
    cands = table.pick(starts, [0, 1], 2)
    per_post = [cands.group.tolist().count(g) for g in (0, 1)]
    assert per_post == [findings.MAX_CANDIDATES] * 2
    assert cands.sentence(findings.MAX_CANDIDATES).text == lines[0]


def test_answers_are_the_same_from_the_joined_table_of_a_prepared_version(demo_searcher):
    """A serving process joins every post's table once prepared, and drops their own."""
    questions = [DEMO, "K2 arteries", "vitamin D and depression", "20,000 IU weekly and MS"]
    fresh = Searcher(demo_searcher.index, demo_searcher.embedder)
    before = [fresh.search(q).to_json() for q in questions]
    assert fresh._tables and fresh._joined is None
    assert fresh.prepare_findings() == len(fresh._joined[0].sentences) > 0
    assert not fresh._tables
    assert [fresh.search(q).to_json() for q in questions] == before
    joined = fresh._joined
    fresh._table(0)  # as a question that began before the join builds a table
    assert not fresh._tables  # ... which is not kept beside the joined one
    assert fresh.prepare_findings() == len(joined[0].sentences) and fresh._joined is joined


@pytest.fixture(scope="module")
def demo_searcher(tmp_path_factory, embedder) -> Searcher:
    """The README's demo archive (the seed post) and a few unrelated synthetic posts."""
    archive = tmp_path_factory.mktemp("demo")
    for f in SEEDS.glob("*.md"):
        (archive / f.name).write_bytes(f.read_bytes())
    for i, title in enumerate(["Omega-3 and depression", "Vitamin K2 and arteries"]):
        write_post(archive, f"other-{i}", title, ["misc"], 2)
    root = tmp_path_factory.mktemp("ix") / "demo"
    build_index(archive, root, embedder)
    return Searcher(store.load(root), embedder)


def test_demo_question_quotes_and_leads_with_the_seed_result(demo_searcher):
    answer = demo_searcher.search(DEMO)
    assert answer.confident and answer.hits[0].slug == SEED_SLUG
    assert SEED_RESULT in answer.hits[0].findings
    assert answer.lead == (SEED_RESULT, 0)
    assert json.loads(json.dumps(answer.to_json()))["lead"] == {"text": SEED_RESULT, "result": 0}


def test_the_lead_names_one_of_the_questions_rarest_terms_when_a_finding_does(
    demo_searcher, monkeypatch
):
    default = demo_searcher.search(DEMO).lead
    assert default is not None and "hip" not in default.text
    monkeypatch.setattr(search, "_lead_keys", lambda weights: frozenset({"hip"}))
    named = demo_searcher.search(DEMO).lead
    assert named is not None and "hip" in named.text and named != default
    assert named.text in demo_searcher.search(DEMO).hits[named.result].findings
    monkeypatch.setattr(search, "_lead_keys", lambda weights: frozenset({"zebra"}))
    assert demo_searcher.search(DEMO).lead == default  # no finding names it: the best leads


def test_the_leads_terms_are_the_rarest_two_and_no_contraction_fragment():
    weights = {"disease": 2.0, "help": 1.0, "parkinson": 6.0, "t": 3.0, "won": 9.0}
    assert search._lead_keys(weights) == {"parkinson", "disease"}


@pytest.mark.parametrize(
    "question",
    [DEMO, "is 20,000 IU a week enough for MS?", "vitamin D and depression", "K2 arteries",
     "hip bone density in multiple sclerosis trial"],
)  # fmt: skip
def test_the_lead_is_always_one_of_the_shown_findings_and_never_an_aim(demo_searcher, question):
    for k in (1, 3):
        answer = demo_searcher.search(question, k=k)
        if answer.lead is not None:
            assert answer.confident
            assert answer.lead.text in answer.hits[answer.lead.result].findings
            (sentence,) = findings.sentences(answer.lead.text)
            found = findings.cues(sentence)
            assert not found.aim
            assert findings.states_result(sentence, findings.asks_for_dose(question))


def test_only_a_sentence_that_states_a_result_may_lead():
    texts = [
        "Kidney transplant patients are advised to avoid the sun for their skin.",
        "Hip bone density fell by 2.1% in the vitamin D group over two years.",
        "Supplementation did not prevent bone loss in this small population.",
        "Conclusion: a weekly dose is a practical choice for these patients.",
    ]
    table = SentenceTable.build(texts, [])
    assert table.result.tolist() == [False, True, True, True]
    ranked = findings.rank(
        table.pick(range(4)), findings.Signals([0.9, 0.1, 0.1, 0.1], [0.0] * 4, [0.0] * 4), set()
    )[0]
    assert ranked[0].text.startswith("Kidney") and not ranked[0].result  # first, yet no lead
    assert all(f.result for f in ranked[1:])


def test_a_sentence_on_how_a_study_was_done_leads_only_for_a_dose():
    texts = [
        "In all, 120 adults were randomized to receive 4,000 IU a day or placebo for a year.",
        "Falls were reduced by a third in those taking vitamin D over the year of the trial.",
    ]
    table = SentenceTable.build(texts, [])
    assert table.result.tolist() == [False, True]
    assert table.dose_result.tolist() == [True, True]
    pick, asked = table.pick(range(2)), findings.Signals([0.9, 0.1], [0.0] * 2, [0.0] * 2)
    design = findings.rank(pick, asked, set())[0][0]
    assert design.text.startswith("In all") and not design.result  # quoted, but no lead
    assert findings.rank(pick, asked, set(), asks_dose=True)[0][0].result


@pytest.mark.parametrize(
    ("text", "whole"),
    [("Fracture risk fell by 20% in the treated group over two years.", True),
     ("eGFR fell by 20% in the untreated group over the two years.", True),
     ("“Vitamin D reduced the number of falls by a third,” said the author.", True),
     ("25(OH)D rose by 12 ng/ml on average in the treated group.", True),
     ("Conclusion: a weekly dose is a practical choice for these patients.", True),
     # a line cut from its sentence, or a list item continuing one
     ("increased risk of type 2 diabetes (relative risk 1.45) in the lowest third", False),
     ("only 11% were above 75 nmol/L at the end of the winter months", False)],
)  # fmt: skip
def test_only_a_whole_sentence_may_lead(text, whole):
    (sentence,) = findings.sentences(text)
    assert sentence.whole is whole
    assert findings.may_lead(sentence) is whole


@pytest.mark.parametrize(
    ("text", "leads"),
    [("Note: those with the lowest levels had 19% more strokes than the others.", False),
     ("Note - Magnesium and Omega-3 supplementation often gave 20% more benefit.", False),
     ("Note that the 1000 IU dose was the smallest one tested, at 3 times the RDA.", False),
     ("N.B. levels fell by 20% in winter in every group that was tested.", False),
     ("Notable reductions of 30% in falls were seen in the treated group.", True),
     ("NB cells grew 20% faster with calcitriol in the culture dish.", True)],
)  # fmt: skip
def test_an_editors_note_is_quoted_but_never_leads(text, leads):
    (sentence,) = findings.sentences(text)
    assert findings.is_quotable(text) and findings.states_result(sentence)
    assert findings.may_lead(sentence) is leads


def test_no_lead_when_not_confident(demo_searcher):
    answer = demo_searcher.search("what is the capital of France?")
    assert not answer.confident and answer.hits and answer.lead is None
    assert answer.to_json()["lead"] is None


def test_cli_text_and_discord_content_lead_with_the_quote(demo_searcher):
    from bot.render import answer_text, lead_line

    answer = demo_searcher.search(DEMO)
    assert answer_text(answer).splitlines()[0] == f"In short: {SEED_RESULT} [1]"
    assert lead_line(answer) == f"In short: {SEED_RESULT} [1]"  # the Discord reply's content
    assert lead_line(demo_searcher.search("what is the capital of France?")) is None


def test_facts_in_findings_against_what_the_shown_posts_hold():
    from retrieval.evaluation import Question, facts_row, facts_summary, summarize
    from retrieval.search import Answer, Hit

    bodies = {
        "a": "Doses of 20,000 IU weekly did not prevent bone loss. BMD fell 1.4% at the hip.",
        "b": "Levels rose to 123 nmol/L.",
    }
    hits = [
        Hit("a", "t", "", (), "u", 0.9, ["Doses of 20000 IU weekly did not prevent bone loss."]),
        Hit("b", "t", "", (), "u", 0.8, []),
        Hit("c", "t", "", (), "u", 0.7, ["Nothing to see."]),
    ]
    answer = Answer("?", True, hits, 3)
    facts = ["20,000 IU weekly", "1.4% at the hip", "123 nmol/L", "not anywhere"]
    q = Question("q", "?", "dose", {"a": 2}, facts)
    row = facts_row(q, answer, lambda slug: bodies.get(slug, ""))
    assert row == {"facts": 0.25, "facts1": 0.25, "lead": 0.0, "body3": 0.75, "body1": 0.5}
    lay = Question("r", "?", "lay", {"a": 2}, ["123 nmol/l"])
    other = facts_row(lay, answer, lambda slug: bodies.get(slug, ""))
    assert other == {"facts": 0.0, "facts1": 0.0, "lead": 0.0, "body3": 1.0, "body1": 0.0}
    assert facts_row(lay, answer) == {"facts": 0.0, "facts1": 0.0, "lead": 0.0}  # no ceilings
    assert facts_row(Question("n", "?", "no_answer", {}, facts), answer) == {}
    rows = [{**row, "kind": "dose"}, {**other, "kind": "lay"}]
    summary = facts_summary(rows)
    assert summary["facts"] == 0.125 and summary["body3"] == 0.875
    assert summary["selection3"] == round(0.125 / 0.875, 4) and summary["selection1"] == 0.5
    ranking = {"ndcg10": 1.0, "mrr": 1.0, "hit1": 1.0, "hit3": 1.0, "recall5": 1.0}
    ranking["lead_answers"] = 0.0
    by_kind = summarize([{**r, **ranking, "confident": True} for r in rows])["by_kind"]
    assert by_kind["lay"]["facts"] == {
        "n": 1, "facts": 0.0, "facts1": 0.0, "lead": 0.0, "body3": 1.0, "body1": 0.0,
        "selection3": 0.0,
    }  # fmt: skip


@pytest.mark.parametrize("prepare", [True, False])
def test_a_serving_process_prepares_findings_so_questions_split_no_sentence(
    tmp_path, embedder, prepare
):
    """A bot or chat (prepare=True) splits and tokenises every sentence once, in the background,
    after it loads a version; its questions then find them ready. A one-off question does not
    wait for that and splits what it quotes."""
    root = tmp_path / "ix"
    build_index(SEEDS, root, embedder)
    findings.sentences.cache_clear()
    sentence_terms.cache_clear()
    service = AnswerService(root, embedder, "https://example.org", prepare=prepare)
    service.searcher()
    assert service.prepared.wait(60)
    split, tokenised = findings.sentences.cache_info(), sentence_terms.cache_info()
    answer = service.ask(DEMO)
    assert SEED_RESULT in answer.hits[0].findings
    new_splits = findings.sentences.cache_info().misses - split.misses
    new_tokens = sentence_terms.cache_info().misses - tokenised.misses
    assert (new_splits == 0 and new_tokens == 0) == prepare


def test_preparing_stops_when_asked_and_leaves_the_version_unprepared(demo_searcher):
    fresh = Searcher(demo_searcher.index, demo_searcher.embedder)
    stop = threading.Event()
    stop.set()
    assert fresh.prepare_findings(stop=stop) == 0 and fresh._joined is None
    assert fresh.prepare_findings(stop=threading.Event()) > 0  # not asked: prepared


def test_an_exiting_process_waits_for_a_preparation_still_running(tmp_path, embedder, monkeypatch):
    """A preparation left inside an ONNX Runtime call while the interpreter is torn down aborts
    the process (exit status 134): at exit, preparing is stopped and waited for."""
    monkeypatch.setattr(service_module, "_exiting", threading.Event())  # not this process's
    monkeypatch.setattr(service_module, "_preparing", weakref.WeakSet())
    root = tmp_path / "ix"
    build_index(SEEDS, root, embedder)
    service = AnswerService(root, embedder, "https://example.org", prepare=True)
    service.searcher()
    (thread,) = list(service_module._preparing)
    service_module._stop_preparing()  # what atexit runs
    assert not thread.is_alive() and service.prepared.is_set()


def test_a_serving_process_loads_the_query_side_before_its_first_question(tmp_path, embedder):
    """A bot or chat loads the language identifier and the English vocabulary in the same
    background pass, so its first question does not wait for them (0.57 s otherwise)."""
    root = tmp_path / "ix"
    build_index(SEEDS, root, embedder)
    for cache in (language._identifier, synonyms._table, synonyms._matches):
        cache.cache_clear()  # as in a new process
    service = AnswerService(root, embedder, "https://example.org", prepare=True)
    service.searcher()
    assert service.prepared.wait(60)
    assert language._identifier.cache_info().currsize == 1
    tables_built = synonyms._table.cache_info().misses
    service.ask("is 10k iu ok for my bones")  # English, asked of the identifier
    assert synonyms._table.cache_info().misses == tables_built  # its vocabulary was ready


def test_candidates_take_a_repeated_sentence_from_the_first_text_and_stop_at_the_cap():
    lines = [f"Sentence number {i} of this long text says something new." for i in range(100)]
    table = SentenceTable.build(["\n".join(lines[:50]), "\n".join(lines[40:])], [])
    cands = table.pick([1, 0])
    assert len(cands) == findings.MAX_CANDIDATES
    assert cands.sentence(0).text == lines[40] and cands.source.tolist()[:60] == [0] * 60
    assert cands.sentence(60).text == lines[0] and set(cands.source[60:].tolist()) == {1}


def test_answers_are_the_same_when_few_sentence_tables_are_kept(demo_searcher, monkeypatch):
    import retrieval.search

    expected = [demo_searcher.search(q).to_json() for q in (DEMO, "K2 arteries")]
    monkeypatch.setattr(retrieval.search, "TABLES_KEPT", 1)
    demo_searcher._tables.clear()
    assert [demo_searcher.search(q).to_json() for q in (DEMO, "K2 arteries")] == expected
    assert len(demo_searcher._tables) == 1


def test_searches_in_several_threads_build_the_same_tables_as_one(demo_searcher):
    """The bot searches in worker threads: posts' tables and term ids built by two threads at
    once give the answers one thread gives."""
    import threading

    questions = [DEMO, "K2 arteries", "vitamin D and depression", "20,000 IU weekly and MS"] * 3
    serial = [demo_searcher.search(q).to_json() for q in questions]
    fresh = Searcher(demo_searcher.index, demo_searcher.embedder)
    got: dict[int, dict] = {}

    def ask(offset: int) -> None:
        for i in range(offset, len(questions), 2):
            got[i] = fresh.search(questions[i]).to_json()

    workers = [threading.Thread(target=ask, args=(n,)) for n in (0, 1)]
    for w in workers:
        w.start()
    for w in workers:
        w.join(60)
    assert [got[i] for i in range(len(questions))] == serial


NEIGHBOURS = [
    "Vitamin D was given to 120 adults with asthma for a year.",
    "Attacks fell by 40% compared with placebo.",
    "The effect was largest in those who started below 20 ng/ml.",
]


def _quoted(
    lines: list[str],
    texts: list[str] | None = None,
    alone: int | None = None,
    earlier: tuple[str, ...] = (),
):
    """The findings of a table of `texts` (default: `lines` as one paragraph) for the sentences
    `lines` in that order, as `in_context` quotes them after the posts above quoted `earlier`."""
    table = SentenceTable.build(texts or [" ".join(NEIGHBOURS)], [])
    rows = [next(i for i, s in enumerate(table.sentences) if s.text == line) for line in lines]
    found = [findings.Finding(line, 1.0, False, row) for line, row in zip(lines, rows, strict=True)]
    return findings.in_context(table, found, found[alone] if alone is not None else None, earlier)


def test_a_finding_is_quoted_with_the_sentence_after_it():
    assert _quoted([NEIGHBOURS[1]]) == [f"{NEIGHBOURS[1]} {NEIGHBOURS[2]}"]


def test_the_last_sentence_of_a_text_takes_the_one_before_never_another_text():
    assert _quoted([NEIGHBOURS[2]]) == [f"{NEIGHBOURS[1]} {NEIGHBOURS[2]}"]
    alone = _quoted([NEIGHBOURS[1]], texts=[NEIGHBOURS[0], NEIGHBOURS[1], NEIGHBOURS[2]])
    assert alone == [NEIGHBOURS[1]]


def test_the_lead_is_quoted_alone_and_no_finding_repeats_another():
    assert _quoted([NEIGHBOURS[1]], alone=0) == [NEIGHBOURS[1]]
    both = _quoted([NEIGHBOURS[0], NEIGHBOURS[1]])
    assert both[0] == NEIGHBOURS[0]  # its only neighbour is the other finding
    assert both[1] == f"{NEIGHBOURS[1]} {NEIGHBOURS[2]}"


def test_a_neighbour_a_post_above_quoted_is_not_quoted_again():
    """Near-copies of one paper share sentences: a post below does not add as its finding's
    neighbour what a post above already quotes (one answer of the independent set did)."""
    above = (f"Another post's finding. {NEIGHBOURS[2]}",)  # holds the sentence after
    assert _quoted([NEIGHBOURS[1]], earlier=above) == [f"{NEIGHBOURS[0]} {NEIGHBOURS[1]}"]
    assert _quoted([NEIGHBOURS[1]], earlier=(*above, NEIGHBOURS[0])) == [NEIGHBOURS[1]]


def test_a_neighbour_comes_from_the_same_passage_only():
    finding = NEIGHBOURS[1]
    # lines of one passage (an abstract's sections, each ending a sentence) go on from each other
    assert _quoted([finding], texts=["\n".join(NEIGHBOURS)]) == [f"{finding} {NEIGHBOURS[2]}"]
    # the next list item is another point; a line after a heading or a link starts another passage
    items = f"- {NEIGHBOURS[0]}\n- {finding}\n- Vitamin D and asthma in children, many studies"
    assert _quoted([finding], texts=[items]) == [finding]
    after_heading = f"Results in adults with asthma\n{finding}\n{NEIGHBOURS[2]}"
    assert _quoted([finding], texts=[after_heading]) == [f"{finding} {NEIGHBOURS[2]}"]
    under_heading = f"{finding}\nIn children\n{NEIGHBOURS[2]}"
    assert _quoted([finding], texts=[under_heading]) == [finding]
    assert _quoted([NEIGHBOURS[2]], texts=[under_heading]) == [NEIGHBOURS[2]]


def test_a_line_that_is_a_post_title_is_a_link_not_a_finding():
    link = "Knee pain reduced by vitamin D in seven trials – meta-analysis 2014"
    text = f"{NEIGHBOURS[1]}\n- {link}\n{NEIGHBOURS[0]}"
    titles = {tag_key(link), tag_key("Some other post about asthma")}
    table = SentenceTable.build([text], [], titles=titles)
    quotable = {s.text: bool(q) for s, q in zip(table.sentences, table.quotable, strict=True)}
    assert quotable == {NEIGHBOURS[1]: True, link: False, NEIGHBOURS[0]: True}
    # by its words alone: case, dashes and a full stop do not matter
    assert tag_key(link.upper().replace("–", "-") + ".") == tag_key(link)
    assert all(SentenceTable.build([text], []).quotable)


def test_a_neighbour_is_not_quoted_across_an_abstracts_section_label():
    finding = NEIGHBOURS[1]
    labelled = f"SETTING: {NEIGHBOURS[0]} RESULTS: {finding} CONCLUSIONS: {NEIGHBOURS[2]}"
    assert _quoted([finding], texts=[labelled]) == [finding]
    # within one section the sentence after it still comes with it
    within = f"SETTING: {NEIGHBOURS[0]} RESULTS: {finding} {NEIGHBOURS[2]}"
    assert _quoted([finding], texts=[within]) == [f"{finding} {NEIGHBOURS[2]}"]


@pytest.mark.parametrize(
    "question",
    ["Does vitamin D supplementation provide any clinical benefit other than on bone?",
     "Has your research differentiated between the effects of K2 to treat the cancer? …"],
)  # fmt: skip
def test_a_question_states_no_finding_and_is_not_quoted(question):
    assert not findings.is_quotable(question)
    assert findings.is_quotable(question.replace("?", "."))


def test_an_administrative_section_stays_unquotable():
    (sentence,) = findings.sentences("Funding: The authors have no support or funding to report.")
    assert not findings.is_quotable(sentence.text)


def test_a_line_opening_with_a_post_title_before_a_note_is_a_link_not_a_finding():
    link = "Would you be opposed to my getting more vitamin D? a question to your doctor"
    cited = "Vitamin D and the immune system: new perspectives on an old theme."
    label = "Multiple sclerosis: relapses fell by half with 10,000 IU a day in the trial."
    titles = {
        tag_key("Would you be opposed to my getting more vitamin D"),
        tag_key("Vitamin D and the immune system"),
        tag_key("Multiple sclerosis"),  # a head of two words is a label, not a title
    }
    table = SentenceTable.build([f"{link}\n{cited}\n{label}"], [], titles=titles)
    quotable = {s.text: bool(q) for s, q in zip(table.sentences, table.quotable, strict=True)}
    assert quotable == {link: False, cited: False, label: True}


def test_nothing_of_a_text_that_is_mostly_a_books_index_is_quoted():
    index = (
        "supplementation 21, 638, 639 breastfeeding 620\n- bone health 637 mothers 640\n"
        "- CVD risk of ~ supplementation 181\n- homeostasis 102, 127, 163, 261, 354, 475\n"
        "- intestinal absorption 567 calcium 633"
    )
    assert not SentenceTable.build([index], []).quotable.any()
    # one entry among prose is only that line
    prose = f"{NEIGHBOURS[0]}\n{NEIGHBOURS[1]}\n- intestinal absorption 567\n{NEIGHBOURS[2]}"
    table = SentenceTable.build([prose], [])
    quotable = {s.text: bool(q) for s, q in zip(table.sentences, table.quotable, strict=True)}
    assert quotable == {**dict.fromkeys(NEIGHBOURS, True), "intestinal absorption 567": False}


def test_a_junk_or_too_long_neighbour_is_left_out():
    junk = "Neurology published online August 6, 2014"
    assert _quoted([NEIGHBOURS[1]], texts=[f"{NEIGHBOURS[1]} {junk}"]) == [NEIGHBOURS[1]]
    long = "The trial also measured " + "many other outcomes, " * 15 + "none of them changed."
    assert _quoted([NEIGHBOURS[1]], texts=[f"{NEIGHBOURS[1]} {long}"]) == [NEIGHBOURS[1]]


@pytest.mark.parametrize(
    ("text", "quoted"),
    [("Low levels were seen in MS [22] , but not in controls [3, 4].",
      "Low levels were seen in MS, but not in controls."),
     ("[14] This enzyme is found in the kidney and in many other tissues.",
      "This enzyme is found in the kidney and in many other tissues."),
     ("Based on the literature [11,14-31] four predictors of deficiency were used.",
      "Based on the literature four predictors of deficiency were used."),
     ("Median 25(OH)D was 54 [41–68] nmol/L in the group given vitamin D.",
      "Median 25(OH)D was 54 [41–68] nmol/L in the group given vitamin D.")],
)  # fmt: skip
def test_reference_markers_are_not_quoted_but_bracketed_data_is(text, quoted):
    assert [s.text for s in findings.sentences(text)] == [quoted]
    assert findings.sentences(text)[0].has_number == any(c.isdigit() for c in quoted)


@pytest.mark.parametrize(
    ("text", "quoted"),
    [("No change was seen in bone mineral density.3,5 Fracture risk was not assessed in adults.",
      ["No change was seen in bone mineral density.", "Fracture risk was not assessed in adults."]),
     ("The advised dose was revised from 400 to 800 IU/day for most adults.12,17,31",
      ["The advised dose was revised from 400 to 800 IU/day for most adults."]),
     ("Trials of vitamin D alone have failed to cut falls.2-4 However, a recent one did so.",
      ["Trials of vitamin D alone have failed to cut falls.", "However, a recent one did so."]),
     # a decimal, or a figure after a number, is data
     ("The mean level was 3.5 ng/ml lower in the treated group, see Table 1.2 for all adults.",
      ["The mean level was 3.5 ng/ml lower in the treated group, see Table 1.2 for all adults."])],
)  # fmt: skip
def test_reference_numbers_on_a_full_stop_end_the_sentence_and_are_not_quoted(text, quoted):
    assert [s.text for s in findings.sentences(text)] == quoted


@pytest.mark.parametrize(
    ("text", "shown", "concludes"),
    [("CONCLUSIONS: Elderly stroke patients with low 25-OHD have more hip fractures.",
      "Elderly stroke patients with low 25-OHD have more hip fractures.", True),
     ("Conclusion:Topical vitamin D analogues have a role in dermatologic disease.",
      "Topical vitamin D analogues have a role in dermatologic disease.", True),
     ("Design, Setting, and Participants: We ran a double-blind trial in 400 adults.",
      "We ran a double-blind trial in 400 adults.", False),
     ("BACKGROUND; AIMS: The prevalence of fatty liver disease rises with age.",
      "The prevalence of fatty liver disease rises with age.", False),
     ("Background & aims: Low vitamin D is common in patients with cirrhosis.",
      "Low vitamin D is common in patients with cirrhosis.", False),
     ("Results Treatment with vitamin D3 did not alter the rate of first failure.",
      "Treatment with vitamin D3 did not alter the rate of first failure.", True),
     # the labels of systematic reviews and of structured clinical abstracts
     ("Data Synthesis: Included in the meta-analysis were 25 studies with 17,332 cases.",
      "Included in the meta-analysis were 25 studies with 17,332 cases.", False),
     ("Conclusions and Relevance: Monthly high-dose vitamin D did not prevent falls.",
      "Monthly high-dose vitamin D did not prevent falls.", True),
     ("Main Outcomes and Measures: The primary outcome was a level of 75 nmol/L or more.",
      "The primary outcome was a level of 75 nmol/L or more.", False),
     ("AUTHORS' CONCLUSIONS: Vitamin D3 seemed to decrease mortality in elderly people.",
      "Vitamin D3 seemed to decrease mortality in elderly people.", True),
     # the same words as a sentence's own subject stay
     ("Results were similar in both groups of the trial over the two years.",
      "Results were similar in both groups of the trial over the two years.", True),
     ("Findings were not altered by adjustment for sex or serum 25(OH)D.",
      "Findings were not altered by adjustment for sex or serum 25(OH)D.", True),
     # an interview's speaker initials are not quoted either
     ("CJ : Both can help, but vitamin K2 protects the arteries far better.",
      "Both can help, but vitamin K2 protects the arteries far better.", False),
     ("MH: Well, most of my patients need 2,000 IU a day or more.",
      "Well, most of my patients need 2,000 IU a day or more.", False),
     # a measure's abbreviation before its figure stays
     ("BMI: 29.1 in the treated group and 30.4 in the placebo group.",
      "BMI: 29.1 in the treated group and 30.4 in the placebo group.", False),
     # labels that are everyday words count as labels only before a colon
     ("POPULATION: Women with a prior spontaneous preterm birth.",
      "Women with a prior spontaneous preterm birth.", False),
     ("Conclusions and implications: Deficiency reduces erectile function.",
      "Deficiency reduces erectile function.", True),
     ("Outcomes were better in the group given 4,000 IU a day.",
      "Outcomes were better in the group given 4,000 IU a day.", False),
     # an administrative label stays, for the junk checks to read
     ("Funding: The authors have no support or funding to report.",
      "Funding: The authors have no support or funding to report.", False)],
)  # fmt: skip
def test_a_section_label_or_speakers_initials_are_not_shown_but_still_read(text, shown, concludes):
    (sentence,) = findings.sentences(text)
    assert sentence.text == shown
    assert sentence.concludes is concludes


def test_an_aim_under_a_label_is_still_an_aim_once_the_label_is_not_shown():
    (sentence,) = findings.sentences("Objective: To review the role of vitamin D in MS onset.")
    assert sentence.text == "To review the role of vitamin D in MS onset."
    assert findings.cues(sentence).aim


@pytest.mark.parametrize("mark", ["-", "*", "•", "►", "▪", "→", "–", ">"])
def test_a_bullet_is_not_quoted(mark):
    (sentence,) = findings.sentences(f"{mark} Relapses fell by half in the treated group of MS.")
    assert sentence.text == "Relapses fell by half in the treated group of MS."


def test_a_minus_sign_before_a_number_is_kept():
    (sentence,) = findings.sentences("-5 ng/ml was the mean change in the placebo group overall.")
    assert sentence.text.startswith("-5 ng/ml")


@pytest.mark.parametrize(
    ("text", "quoted"),
    [("Supplementation of deficient children could result in useful improvements. 159 The latter "
      "was driven by one trial.",
      ["Supplementation of deficient children could result in useful improvements.",
       "The latter was driven by one trial."]),
     ("2 - 5 In addition, associations with decreased mortality have been described.",
      ["In addition, associations with decreased mortality have been described."]),
     ("17 For persons with levels between 20 and 30 ng/mL, 800 IU may be enough.",
      ["For persons with levels between 20 and 30 ng/mL, 800 IU may be enough."]),
     ("239 Among the many links reported between vitamin D and disease, few were tested.",
      ["Among the many links reported between vitamin D and disease, few were tested."]),
     # a count before the words it counts stays
     ("106 NAFLD patients were randomized to receive calcitriol, vitamin D3 or placebo.",
      ["106 NAFLD patients were randomized to receive calcitriol, vitamin D3 or placebo."]),
     ("77 of the 89 confirmed and probable cases were infants (86.5%).",
      ["77 of the 89 confirmed and probable cases were infants (86.5%)."]),
     # two or more reference numbers go before any capitalised word, spaced or not
     ("8 9 Mongolian schoolchildren who drank fortified milk during winter had fewer colds.",
      ["Mongolian schoolchildren who drank fortified milk during winter had fewer colds."]),
     ("126 , 130 , 136 Associations with fibromyalgia have also been described in adults.",
      ["Associations with fibromyalgia have also been described in adults."]),
     # thousands are one count
     ("10,000 Finnish children got 2000 IU daily in their first year of life.",
      ["10,000 Finnish children got 2000 IU daily in their first year of life."]),
     ("74 942 Chinese women aged 40-70 years took part in the cohort study.",
      ["74 942 Chinese women aged 40-70 years took part in the cohort study."])],
)  # fmt: skip
def test_reference_numbers_after_a_full_stop_and_a_space_are_not_quoted(text, quoted):
    assert [s.text for s in findings.sentences(text)] == quoted


@pytest.mark.parametrize(
    "sentence",
    [
        "The median maternal 25(OH)D3 level was 22.19 ng/ml (IQR 14.40–31.19 ng/ml); the median "
        "cord blood 25(OH)D3 10.95 ng/ml (6.99–17.39 ng/ml).",
        "Women had lower 25(OH)D levels than men (31.3 ± 17.7 vs. 41.3 ± 26.5 ng/ml, p<0.001).",
        "Mean cord blood 25(OH)D was 22.1 ± 10.3 ng/mL in 2000 IU and 27.0 ± 13.3 ng/mL in "
        "4000 IU groups (P = .024).",
        "Low 25(OH)D metabolism score was associated with high (vs low) grade (OR 0.76, CI 0.63, "
        "0.93, p = 0.01); there was a similar association of its component variants: "
        "rs6013897-A in CYP24A1 (OR 0.78, CI 0.60, 1.01, p = 0.06) and rs10877012-T in CYP27B1 "
        "(OR 0.80, CI 0.63, 1.02, p = 0.07).",
    ],
)
def test_a_whole_sentence_dense_with_figures_is_quoted(sentence):
    """Fewer than half its characters are letters, but it says in words what they are."""
    assert findings._letters(sentence) < 0.5 * len(sentence)
    assert findings.is_quotable(sentence)


@pytest.mark.parametrize(
    "line",
    [
        "male sex (odds ratio [OR] = 2.83; P = 0.0006),",  # a clause torn from its list
        "4.00 (1.73-9.26), and 4.25 (1.84-9.85), respectively (P for trend <0.05).",
        "Girls: 19 ± 7 7% < 10 46% 10–20",  # a table row
        "Two RCTs46,52 High (I2 = 82%, P = 0.02).",
        "Liao XP (1); Xiao JP (1); Zang J (1); Fei X (1); Zhu Y (1); Pei JJ(1).",
        "Saudi Med J 2011; 32:589-92; PMID: 21666940 .",
    ],
)
def test_figures_without_a_sentence_around_them_are_not_quoted(line):
    assert not findings.is_quotable(line)


BOLD_POST = [
    "Multiple sclerosis is a possible cause of secondary osteoporosis in young adults.\n"
    f"{SEED_RESULT}\n"
    "Fall rates were lower with treatment (Vitamin D reduced falls by a third in the elderly.) "
    "than in controls.",
    "Mean serum 25(OH)D levels rose from 55 nmol/L at baseline to 123 nmol/L at week 96.",
]


def test_a_bold_line_cut_from_a_sentence_is_quoted_as_that_whole_sentence():
    """The author bolded part of a sentence: the candidate is the whole sentence, lifted as
    bold, from the bold line alone (its chunk not among the closest) and quoted once when its
    chunk is picked too."""
    cut = "a week did not prevent bone loss"
    table = SentenceTable.build(BOLD_POST, [cut])
    plain = SentenceTable.build(BOLD_POST)
    assert [s.text for s in table.sentences[table.bounds[2] :]] == [SEED_RESULT]
    (row,) = [r for r, s in enumerate(plain.sentences) if s.text == SEED_RESULT]
    assert table.prior[-1] == pytest.approx(plain.prior[row] + findings.BOLD_LIFT)
    assert table.result[-1]  # a whole sentence stating a result: it may lead
    alone = findings.rank(table.pick([1, 2]), signals(2), set(), limit=5)[0]
    assert SEED_RESULT in [f.text for f in alone]
    picked = table.pick([0, 1, 2])
    both = findings.rank(picked, signals(len(picked)), set(), limit=5)[0]
    assert [f.text for f in both].count(SEED_RESULT) == 1
    assert not any(cut in f.text and f.text != SEED_RESULT for f in [*alone, *both])


@pytest.mark.parametrize(
    "bold",
    [
        SEED_RESULT,  # a sentence of the chunks
        "did not prevent bone loss in this small population",  # a line of the chunks' own
        "Vitamin D reduced falls by a third in the elderly.",  # a whole sentence in a longer one
        "Vitamin D3 with K2 taken together for a whole year",  # in no sentence of the post
        "rose from 55 nmol/L at base",  # cut inside a word
        "serum levels rose in the treated group",  # from a sentence too long to quote whole
        "Dr Hansen at the University Hospital",  # from a sentence never quoted (junk)
    ],
)
def test_a_bold_line_that_is_a_sentence_or_is_in_none_is_quoted_as_it_is(bold):
    weeks = ", ".join(f"by week {w} to {50 + w} nmol/L in those who took it" for w in range(8))
    long = f"Serum levels rose in the treated group, {weeks}."
    assert len(long) > findings.MAX_FINDING_CHARS and findings.is_quotable(long)
    points = "Key points:\n- did not prevent bone loss in this small population"
    note = "Correspondence to Dr Hansen at the University Hospital of North Norway in Tromso."
    table = SentenceTable.build([*BOLD_POST, long, points, note], [bold])
    assert [s.text for s in table.sentences[table.bounds[5] :]] == [bold]
    assert table.prior[-1] >= findings.BOLD_LIFT


def test_the_demo_post_quotes_its_bold_dose_with_the_sentence_it_was_cut_from(demo_searcher):
    """The seed post bolds '20,000 IU vitamin D(3) or placebo once a week' inside the sentence
    that says who was given what."""
    seed = demo_searcher.index.posts[0]
    assert seed.slug == SEED_SLUG
    (cut,) = [b for b in seed.bold if b.startswith("20,000 IU")]
    table = demo_searcher._table(0)
    (shown,) = [s.text for s in table.sentences[int(table.bounds[-2]) :]]
    assert shown.startswith("Participants were randomised to receive") and cut in shown


@pytest.mark.parametrize(
    "text, shown",
    [
        (
            "Adults may need a vitamin D intake exceeding 2,000 IU per day .",
            "Adults may need a vitamin D intake exceeding 2,000 IU per day.",
        ),
        (
            "Risk was higher in the lowest category ( HR = 2.21 , 95% CI 1.40-3.49 ).",
            "Risk was higher in the lowest category (HR = 2.21, 95% CI 1.40-3.49).",
        ),
        (
            "A pooled analysis of vitamin D dose requirements for fracture prevention. .",
            "A pooled analysis of vitamin D dose requirements for fracture prevention.",
        ),
        (  # unpaired bold marks left by the conversion to text; a footnote's '*' stays
            "Every drug that is prescribed probably decreases your magnesium levels **.",
            "Every drug that is prescribed probably decreases your magnesium levels.",
        ),
        (
            "Adults at high risk* need two a day, **because their levels fall faster.",
            "Adults at high risk* need two a day, because their levels fall faster.",
        ),
        (  # a ratio keeps its spaced colon; a space after a mark is not touched
            "Cases and controls were matched 1 : 2 by age, sex and season of the draw.",
            "Cases and controls were matched 1 : 2 by age, sex and season of the draw.",
        ),
    ],
)
def test_a_quote_is_shown_without_the_spaces_and_marks_formatting_left(text, shown):
    assert [s.text for s in findings.sentences(text)] == [shown]


def test_term_ids_do_not_depend_on_the_process_string_hashing():
    """A sentence's terms are a set; numbered in its order, the ids, and so the order a row's
    term weights are summed in, changed with PYTHONHASHSEED, and near-tied findings with them."""
    code = (
        "from retrieval.lexical import terms\n"
        "from retrieval.sentence_table import TermIds\n"
        "ids = TermIds()\n"
        "words = terms('Daily vitamin D3 lowered fracture risk in older women with low serum "
        "calcidiol levels and weak muscles during winter months')\n"
        "ids.of(words)\n"
        "print(ids.query({w: float(len(w)) for w in sorted(words)}).weights.tolist())\n"
    )
    outputs = {
        subprocess.run(
            [sys.executable, "-c", code],
            env={**os.environ, "PYTHONHASHSEED": seed},
            cwd=os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        for seed in ("1", "2", "3", "4")
    }
    assert len(outputs) == 1


@pytest.mark.parametrize(
    ("text", "shown"),
    [# reference numbers printed before the full stop
     ("Levels above 50 ng/ml protected against breast cancer by nearly 50% 9.",
      "Levels above 50 ng/ml protected against breast cancer by nearly 50%."),
     ("Toxicity occurs at concentrations of more than 375 ng/ml 8.",
      "Toxicity occurs at concentrations of more than 375 ng/ml."),
     ("The same was seen in an experimental animal model (EAE) 23, 24.",
      "The same was seen in an experimental animal model (EAE)."),
     # after a word, a number may be the sentence's own
     ("The mean age of the women enrolled in the trial was 45.",
      "The mean age of the women enrolled in the trial was 45."),
     ("The dose was raised from 1,000 IU to 4,000 IU in week 2.",
      "The dose was raised from 1,000 IU to 4,000 IU in week 2."),
     # a copyright notice run on after the sentence (it had left the sentence unquoted)
     ("Vitamin A may assist vitamin D in preventing lung cancer among smokers. © 2014 Wiley "
      "Periodicals, Inc.",
      "Vitamin A may assist vitamin D in preventing lung cancer among smokers."),
     ("A loading dose was effective and well tolerated in obese children. © 2014 S. Karger AG.",
      "A loading dose was effective and well tolerated in obese children."),
     # a trademark sign inside a sentence is no notice (and its sentence is not quoted)
     ("DSM© supported a meta-analysis showing a 30% lower risk of type 1 diabetes.",
      "DSM© supported a meta-analysis showing a 30% lower risk of type 1 diabetes.")],
)  # fmt: skip
def test_a_sentence_is_shown_without_what_was_printed_onto_its_end(text, shown):
    (sentence,) = findings.sentences(text)
    assert sentence.text == shown
    assert findings.is_quotable(sentence.text) == ("©" not in shown)
