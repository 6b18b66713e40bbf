"""Evidence labels: rules on made-up text, the archive's own titles, hand-labelled posts, and the
`evidence`/`newest` filters through search, the CLI and what people read."""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pytest

from bot.cli import main
from bot.render import answer_text, hit_embed
from retrieval import evidence, search, store
from retrieval.indexer import build_index
from retrieval.search import CONFIDENT_SCORE, Searcher
from tests.helpers import post_file

LABELS_FILE = Path(__file__).parent / "data" / "evidence_labels.json"
PRECISION_BAR = 0.85
RECALL_BAR = 0.65


@pytest.mark.parametrize(
    ("title", "opening", "expected"),
    [
        ("Hip fractures reduced with 800 IU – RCT", "", "rct"),
        ("Asthma and vitamin D – meta-analysis of 6 RCT", "", "meta-analysis"),
        ("Vitamin D and cancer – review of 2 RCT", "", "review"),
        ("Depression and vitamin D", "We conducted a systematic review and meta-analysis.",
         "meta-analysis"),
        ("Lupus and vitamin D", "Patients were randomized to 2,000 IU or placebo.", "rct"),
        ("Lupus and vitamin D", "Randomized controlled trials are needed to confirm this.", None),
        ("Gout and vitamin D", "We report a case of a 45-year-old woman with gout.", "case-report"),
        ("Stroke and vitamin D", "We followed a cohort of 3,000 adults.", "observational"),
        ("Colon cells and vitamin D", "Mice were fed a diet. In vitro, rat cells grew.",
         "animal-or-lab"),
        ("Vitamin D and the skin", "This review summarises what is known.", "review"),
        ("Vitamin D and the skin", "Sunshine makes vitamin D in the skin.", None),
    ],
)  # fmt: skip
def test_label_rules(title, opening, expected):
    assert evidence.label(title, (), opening) == expected


def test_meta_analysis_tag_counts():
    assert evidence.label("Vitamin D and falls", ("Meta-analysis",), "") == "meta-analysis"


def test_year():
    assert evidence.year("2013-05-25") == 2013
    assert evidence.year("") is None and evidence.year("unknown") is None


# The archive check is written apart from the rules: a title "says" RCT when it has the word
# RCT (any case, plural too), and meta-analysis when it has "meta-analys", "meta analys" or
# another "meta-" analysis (meta-regression, meta-meta-analysis).
_SAYS_RCT = re.compile(r"\brcts?\b", re.I)
_SAYS_META = re.compile(r"meta[- ]analys|\bmeta-", re.I)
_REVIEW_OF = re.compile(r"review of", re.I)


def test_every_title_saying_rct_or_meta_analysis_gets_that_label(archive_posts):
    wrong = []
    for post in archive_posts.posts:
        got = evidence.label(post.title, post.tags, post.body[:3000])
        if _SAYS_META.search(post.title):
            want = {"meta-analysis"}
        elif _SAYS_RCT.search(post.title):
            # "review of 2 RCT" names what the review covers: still a review
            want = {"rct"} if not _REVIEW_OF.search(post.title) else {"review", "systematic-review"}
        else:
            continue
        if got not in want:
            wrong.append((post.title, got))
    assert wrong == []


def test_precision_on_hand_labelled_posts(archive_posts, fast_tokenizer):
    """Posts labelled by reading title and opening (tests/data/evidence_labels.json; slugs and
    labels only). Precision: of the labels given, how many are right."""
    from retrieval.chunking import Chunker
    from retrieval.embedding import default_model_path
    from retrieval.onnx_backend import max_tokens_of

    gold = json.loads(LABELS_FILE.read_text("utf-8"))
    chunker = Chunker(fast_tokenizer, max_tokens_of(default_model_path()))
    by_slug = {p.slug: p for p in archive_posts.posts}
    given = right = labelled = found = 0
    for slug, want in gold.items():
        post = by_slug[slug]
        chunks = chunker.chunk_post(post)
        got = evidence.label(post.title, post.tags, chunks[0].text if chunks else "")
        given += got is not None
        right += got is not None and got == want
        labelled += want is not None
        found += want is not None and got == want
    precision, recall = right / given, found / labelled
    print(f"evidence labels: precision {precision:.3f} ({right}/{given}), "
          f"recall {recall:.3f} ({found}/{labelled})")  # fmt: skip
    assert len(gold) >= 60
    assert precision >= PRECISION_BAR and recall >= RECALL_BAR


# --- filters through search, CLI and rendering --------------------------------------------------

POSTS = [
    ("d-rct-2012", "Vitamin D reduced falls in seniors – RCT", "2012-03-01"),
    ("d-rct-2016", "Vitamin D reduced falls in nursing homes – RCT", "2016-07-01"),
    ("d-meta-2014", "Vitamin D reduced falls in seniors – meta-analysis", "2014-01-01"),
    ("d-obs-2018", "Falls in seniors more likely if low vitamin D", "2018-01-01"),
    ("d-title-only", "Falls and vitamin D – index", "2019-01-01"),
    ("d-other", "Omega-3 and depression", "2015-01-01"),
]
QUESTION = "does vitamin D reduce falls in seniors?"


@pytest.fixture(scope="module")
def index_root(tmp_path_factory, embedder) -> Path:
    archive = tmp_path_factory.mktemp("evidence_posts")
    for slug, title, date in POSTS:
        body = (
            ""
            if slug == "d-title-only"
            else f"{title}. Seniors took vitamin D or placebo and falls were counted for a year."
        )
        post_file(archive, slug, title, body, ["falls"], date)
    root = tmp_path_factory.mktemp("evidence_ix") / "ix"
    build_index(archive, root, embedder)
    return root


@pytest.fixture(scope="module")
def searcher(index_root, embedder) -> Searcher:
    return Searcher(store.load(index_root), embedder)


def test_hits_carry_label_and_year(searcher):
    hits = {h.slug: h for h in searcher.search(QUESTION, k=6).hits}
    assert (hits["d-rct-2012"].evidence, hits["d-rct-2012"].year) == ("rct", 2012)
    assert hits["d-meta-2014"].evidence == "meta-analysis"
    assert not hits["d-title-only"].has_text and hits["d-rct-2012"].has_text


def test_evidence_filter_keeps_only_those_labels_with_right_totals_and_pages(searcher):
    answer = searcher.search(QUESTION, k=6, evidence=["rct"])
    assert {h.slug for h in answer.hits} == {"d-rct-2012", "d-rct-2016"}
    assert answer.total == sum(h.score >= CONFIDENT_SCORE for h in answer.hits) <= 2
    paged = [h.slug for s in (0, 1) for h in searcher.search(QUESTION, 1, s, evidence=["rct"]).hits]
    assert paged == [h.slug for h in answer.hits]
    both = searcher.search(QUESTION, k=6, evidence=["rct", "meta-analysis"]).hits
    assert {h.evidence for h in both} == {"rct", "meta-analysis"} and len(both) == 3
    with pytest.raises(ValueError):
        searcher.search(QUESTION, evidence=["rtc"])


def test_newest_orders_the_posts_near_the_best_by_date(searcher):
    plain = searcher.search(QUESTION, k=6)
    newest = searcher.search(QUESTION, k=6, newest=True)
    floor = plain.hits[0].score - search.NEAR_BEST_MARGIN
    near = [h.slug for h in plain.hits[: search.NEAR_BEST_WINDOW] if h.score >= floor]
    assert len(near) >= 3, "the synthetic posts on falls should score close together"
    assert "d-other" not in near  # the post on another subject is not among them
    dates = [h.date for h in newest.hits[: len(near)]]
    assert dates == sorted(dates, reverse=True)
    assert {h.slug for h in newest.hits[: len(near)]} == set(near)
    assert [h.slug for h in newest.hits[len(near) :]] == [h.slug for h in plain.hits[len(near) :]]


def test_a_question_asking_for_recent_work_is_answered_newest_first(searcher, monkeypatch):
    """People ask "anything recent?" in words rather than with the option."""
    question = "any recent research on vitamin D and falls in seniors?"
    asked = [h.slug for h in searcher.search(question, k=6).hits]
    monkeypatch.setattr(evidence, "asks_newest", lambda question: False)
    option = [h.slug for h in searcher.search(question, k=6, newest=True).hits]
    plain = [h.slug for h in searcher.search(question, k=6).hits]
    assert asked == option != plain


@pytest.mark.parametrize(
    ("question", "asks"),
    [("latest research on vitamin D and autism", True),
     ("anything recent on vitamin D and MS?", True),
     ("any new studies on vitamin D and covid?", True),
     ("what is the current evidence on falls?", True),
     ("is vitamin D good for new mothers?", False),
     ("my recent blood test shows 20 ng/ml", False)],
)  # fmt: skip
def test_the_words_that_ask_for_recent_work(question, asks):
    assert evidence.asks_newest(question) == asks


def test_newest_leaves_the_posts_below_the_best_in_score_order(searcher, monkeypatch):
    """Newest first among every confident post put posts on other subjects first whenever they
    were newer (0.09 of the first 3 posts on the asked tag, over questions made from tags)."""
    monkeypatch.setattr(search, "NEAR_BEST_MARGIN", 0.0)  # only the best is near the best
    newest = searcher.search(QUESTION, k=3, newest=True)
    assert newest.total >= 3
    assert [h.slug for h in newest.hits] == [h.slug for h in searcher.search(QUESTION, k=3).hits]


def test_newest_leaves_a_post_far_below_the_best_in_its_place():
    scores = np.array([0.70, 0.95, 0.91, 0.99, 0.60])
    by_score = [3, 1, 2, 0, 4]
    assert len(Searcher._near_the_best(by_score, scores)) == 3  # 0.99, 0.95, 0.91 within 0.1
    assert len(Searcher._near_the_best([], scores)) == 0


def test_cli_evidence_rct_returns_only_rct_posts(index_root, capsys):
    args = ["ask", "--index", str(index_root), "--json", "-k", "5", "--evidence", "rct", QUESTION]
    assert main(args) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["results"] and {r["evidence"] for r in out["results"]} == {"rct"}
    assert all(isinstance(r["year"], int) for r in out["results"])
    assert main([*args, "--newest"]) == 0
    newest = json.loads(capsys.readouterr().out)
    years = [r["year"] for r in newest["results"] if r["score"] >= CONFIDENT_SCORE]
    assert newest["confident"] and years == [2016, 2012]


def test_cli_rejects_unknown_evidence(index_root, capsys):
    with pytest.raises(SystemExit):
        main(["ask", "--index", str(index_root), "--evidence", "rtc", QUESTION])
    assert "choose from" in capsys.readouterr().err


def test_badges_and_title_only_posts_are_shown(searcher):
    answer = searcher.search(QUESTION, k=6)
    text = answer_text(answer)
    assert "[RCT · 2012]" in text and "[Meta-analysis · 2014]" in text
    title_only = next(h for h in answer.hits if not h.has_text)
    assert "Index page, no text" in text
    embed = hit_embed(title_only, 1)
    assert "Index page, no text" in embed.description
    rct = next(h for h in answer.hits if h.evidence == "rct")
    assert "RCT · " in hit_embed(rct, 1).author.name


@pytest.mark.parametrize(
    ("question", "kinds"),
    [("any RCTs on vitamin D and MS?", ("rct",)),
     ("were there randomised controlled trials of this?", ("rct",)),
     ("does it work better than placebo?", ("rct",)),
     ("any trials in children with asthma?", ("rct",)),
     ("by trial and error I settled on 5000 IU, is that ok?", ()),
     ("is there a free trial period for the tests?", ()),
     ("is there a meta-analysis on falls?", ("meta-analysis",)),
     ("any systematic reviews on asthma?", ("meta-analysis", "systematic-review")),
     ("what do the reviews say about vitamin D and gout?", ("meta-analysis", "systematic-review",
                                                           "review")),
     ("does vitamin D help MS bone loss?", ()),
     ("was the study peer reviewed?", ()),
     ("I reviewed my diet, do I need vitamin D?", ())],
)  # fmt: skip
def test_the_kinds_of_study_a_question_asks_for_in_words(question, kinds):
    assert evidence.asked_for(question) == kinds


WORDS_QUESTION = "any RCTs on vitamin D and falls in seniors?"


def test_a_question_asking_for_rcts_in_words_sees_them_first_and_nothing_else_moves(
    searcher, monkeypatch
):
    asked = searcher.search(WORDS_QUESTION, k=6)
    monkeypatch.setattr(evidence, "asked_for", lambda question: ())
    plain = searcher.search(WORDS_QUESTION, k=6)
    assert asked.asked_evidence == ("rct",) and plain.asked_evidence == ()
    rcts = [h.slug for h in plain.hits if h.evidence == "rct"]
    assert [h.slug for h in asked.hits] == rcts + [h.slug for h in plain.hits if h.slug not in rcts]
    assert asked.total == plain.total
    assert searcher.search(WORDS_QUESTION, k=6, evidence=["meta-analysis"]).asked_evidence == ()


def test_only_a_question_not_asking_for_a_kind_of_study_is_ordered_by_likeness(
    searcher, monkeypatch
):
    """The kind's leaders are read from the closest posts in score order (retrieval/likeness.py);
    a page of the first three alone has nothing to order."""
    ordered: list[list[int]] = []
    reorder = searcher.likeness.reorder
    monkeypatch.setattr(
        searcher.likeness,
        "reorder",
        lambda rows, scores: ordered.append(rows) or reorder(rows, scores),
    )
    searcher.search(WORDS_QUESTION, k=6)
    searcher.search(QUESTION, k=3)
    assert ordered == []
    searcher.search(QUESTION, k=6)
    assert len(ordered) == 1


TOPIC_POSTS = [
    ("ast-obs", "Asthma attacks fewer in children with more vitamin D", "asthma"),
    ("ast-rct", "Weekly vitamin D3 for adults using inhalers – RCT", "asthma"),
    ("hair-rct", "Vitamin D given to women with hair loss – RCT", "hair"),
    ("ms-obs", "Multiple sclerosis relapses and vitamin D", "multiple sclerosis"),
]


def test_only_close_posts_of_the_kind_or_those_on_the_named_topic_are_brought_forward(
    tmp_path, embedder, monkeypatch
):
    archive = tmp_path / "posts"
    archive.mkdir()
    for slug, title, tag in TOPIC_POSTS:
        body = f"{title}. Patients took vitamin D or placebo and were followed for a year."
        post_file(archive, slug, title, body, [tag], "2015-01-01")
    build_index(archive, tmp_path / "ix", embedder)
    searcher = Searcher(store.load(tmp_path / "ix"), embedder)
    question = "any RCTs on vitamin D and asthma?"

    def slugs() -> list[str]:
        return [h.slug for h in searcher.search(question, k=4).hits]

    asked = slugs()
    monkeypatch.setattr(search, "NEAR_BEST_WINDOW", 0)  # only the topic can bring a post forward
    by_topic = slugs()
    monkeypatch.setattr(evidence, "asked_for", lambda question: ())
    plain = slugs()
    assert plain[0] == "ast-obs", "the observational asthma post should lead without the words"
    expected = ["ast-rct", *(s for s in plain if s != "ast-rct")]
    assert asked == by_topic == expected  # the unrelated trial, far below the best, stays put
