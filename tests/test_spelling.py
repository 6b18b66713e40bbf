"""Misspelt words put right: subject words read beside an English question, and for a second try
which words are touched and that a search uses it only when the question as asked had no
confident answer."""

from __future__ import annotations

import pytest

from retrieval import search, store
from retrieval.indexer import build_index
from retrieval.lexical import terms
from retrieval.query import build_query
from retrieval.search import Searcher
from retrieval.spelling import alias_fixes, one_edit, put_right, subject_fixes
from tests.helpers import SEED_SLUG, SEEDS

# Archive words with made-up IDFs (the lower, the more posts use the word), keyed by their
# terms as the lexical index keys them: plural 's' dropped, so 'osteoporosis' is 'osteoporosi'.
KNOWN = {next(iter(terms(w))): idf for w, idf in {
    "osteoporosis": 3.0, "asthma": 2.5, "bone": 1.0, "loss": 1.5, "lose": 4.0,
}.items()}  # fmt: skip


def test_one_edit_covers_deletions_swaps_changes_and_additions():
    near = one_edit("bone")
    assert {"one", "obne", "bane", "bones", "abone"} <= near
    assert "bone" in near  # changing a letter to itself
    assert "boned" not in one_edit("bo")


@pytest.mark.parametrize(
    ("text", "fixed"),
    [("is osteoporsis helped by vitamin D?", "is osteoporosis helped by vitamin D?"),
     ("Astmha and vitamin D", "asthma and vitamin D"),
     ("does vitamin D stop bone losss?", "does vitamin D stop bone loss?")],
)  # fmt: skip
def test_a_word_one_edit_from_an_archive_word_is_put_right(text, fixed):
    assert put_right(text, KNOWN) == fixed


def test_the_archive_word_most_posts_use_wins():
    assert put_right("does it help my bonez?", KNOWN) == "does it help my bone?"
    assert put_right("does it help my bonez?", {"bone": 2.0, "boned": 1.0}) == (
        "does it help my boned?"
    )
    assert put_right("what about los?", KNOWN) is None  # under four letters: left alone


@pytest.mark.parametrize(
    "text",
    [
        "does vitamin D help bone loss?",  # every word known or everyday
        "does vitamin D help hidradenitis?",  # rare, but nothing one edit away
        "what about tyres?",
    ],  # everyday English, not an archive word
)
def test_words_meant_as_written_are_left_alone(text):
    assert put_right(text, KNOWN) is None


def test_a_misspelt_subject_is_read_as_the_subject_word_one_edit_away():
    subjects = {"osteoporosis", "asthma", "rickets"}
    assert subject_fixes("is osteoporsis helped by vitamin D?", KNOWN, subjects) == {
        "osteoporsis": "osteoporosis"
    }
    # a subject ending in 's' is found by its term ('ricket'), put right as written
    assert subject_fixes("can low vitamin d cause reckets", {"ricket": 3.0}, subjects) == {
        "reckets": "rickets"
    }
    assert subject_fixes("does it help my bonez?", KNOWN, subjects) == {}  # 'bone': no subject
    # 'tingle' is rare in English but a word people write: not read as a misspelling
    assert subject_fixes("my feet tingle", {"single": 1.0}, {"single"}) == {}


def test_an_english_question_gets_its_misspelt_subjects_put_right_beside_them():
    known = {"celiac": 3.0, "disease": 1.0, "vitamin": 0.1}
    query = build_query("vitamin d and ceoliac disease", known=known)
    assert "ceoliac" in query.dense and "celiac" in query.dense  # appended, not substituted
    assert "celiac" in query.lexical
    assert build_query("vitamin d and ceoliac disease").dense == "vitamin d and ceoliac disease"
    assert "vitamin" not in build_query("vitamen d", known=known).dense.split("(")[-1]
    german = build_query("Hilft Vitamin D bei Zöliakie?", known=known)
    assert german.dense == build_query("Hilft Vitamin D bei Zöliakie?").dense  # English only


@pytest.fixture(scope="module")
def seed_searcher(tmp_path_factory, embedder) -> Searcher:
    root = tmp_path_factory.mktemp("spelling") / "ix"
    build_index(SEEDS, root, embedder)
    return Searcher(store.load(root), embedder)


def test_a_search_without_a_confident_answer_tries_again_with_the_words_put_right(
    seed_searcher, monkeypatch
):
    typed = "does vitamin D help MS bone lossy?"  # a word, if rare: not put right beside it
    fixed = put_right(typed, seed_searcher.lexical.idf)
    assert fixed == "does vitamin D help MS bone loss?"
    # against the index's own terms, a word ending in 's' too ('osteoporosis' is 'osteoporosi')
    assert put_right("does it prevent osteoporsis?", seed_searcher.lexical.idf) == (
        "does it prevent osteoporosis?"
    )
    as_typed = seed_searcher.search(typed).hits[0].score
    as_fixed = seed_searcher.search(fixed).hits[0].score
    assert as_fixed > as_typed, "the misspellings should cost the seed post some score"
    monkeypatch.setattr(search, "CONFIDENT_SCORE", (as_typed + as_fixed) / 2)
    answer = seed_searcher.search(typed)
    assert answer.confident and answer.read_as == fixed and answer.question == typed
    assert answer.hits[0].slug == SEED_SLUG and answer.to_json()["read_as"] == fixed
    naming = seed_searcher.search(typed.replace("?", " and hidradenitis?"))
    assert naming.missing and not naming.confident and naming.read_as is None  # not asked again
    monkeypatch.setattr(search, "CONFIDENT_SCORE", as_fixed + 0.01)  # the retry is no better
    answer = seed_searcher.search(typed)
    assert not answer.confident and answer.read_as is None
    assert seed_searcher.search("Hilft Vitamin D bei Knochenschwund?").read_as is None


def test_a_misspelt_word_of_another_language_is_read_as_the_alias_one_edit_away() -> None:
    """The vocabulary restates only what it reads: 'Helpt vitamine D bij diabees?' had been
    restated without its subject."""
    assert alias_fixes("Helpt vitamine D bij diabees?", "nl") == {"diabees": "diabetes"}
    assert build_query("¿La vitamina D ayuda con cáncir?").dense == "vitamin d help with cancer?"
    # words the vocabulary reads, common words and names one edit from no alias stay as written
    assert alias_fixes("Hilft Vitamin D bei Schuppenflechte und Ozempic?", "de") == {}
    assert build_query("Helpt vitamine D bij diabees?").text == "Helpt vitamine D bij diabees?"
