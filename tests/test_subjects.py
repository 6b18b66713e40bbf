"""Named health subjects the archive barely covers (retrieval/subjects.txt, coverage.py): the list
itself, the coverage count per version, and the whole search on a small archive."""

from __future__ import annotations

import re

import numpy as np
import pytest

from retrieval.coverage import (
    SUBJECT_POSTS,
    SUBJECTS_FILE,
    SubjectCoverage,
    SubjectsError,
    parse_subjects,
    subjects,
)
from retrieval.search import CONFIDENT_SCORE
from retrieval.service import AnswerService
from tests.helpers import service_over


def test_list_parses_and_says_how_it_was_made() -> None:
    header = SUBJECTS_FILE.read_text("utf-8").split("\n\n")[0]
    assert "How it was made" in header and "general medical knowledge" in header
    assert len(subjects()) >= 800
    # spellings with and without accents ('sjögren', 'sjogren') are two names: posts use both
    names = [tuple(re.findall(r"\w+", n.lower())) for names in subjects() for n in names]
    assert len(names) == len(set(names)), "a name is listed once in the whole file"


def test_a_line_with_an_empty_name_is_refused() -> None:
    assert parse_subjects("# c\ngout | podagra\n") == [("gout", "podagra")]
    with pytest.raises(SubjectsError, match="line 2"):
        parse_subjects("gout\ntennis elbow | | lateral epicondylitis\n")


def _no_word_index(word: str) -> None:
    """A `posts_with` that indexes no word: every row is a candidate."""


def _coverage(titles: list[str], texts: list[str]) -> SubjectCoverage:
    return SubjectCoverage(titles, texts, _no_word_index)


def test_subject_no_post_names_is_reported() -> None:
    coverage = _coverage(["Gout"], ["Gout: uric acid fell with vitamin D."])
    assert coverage.named("Does vitamin D help Tennis Elbow?") == ["tennis elbow"]


def test_subject_named_by_posts_or_a_title_is_covered() -> None:
    question = "does vitamin D help frozen shoulder?"
    mentions = [f"Post {i}: a frozen shoulder eased." for i in range(SUBJECT_POSTS + 1)]
    assert _coverage(["x"] * len(mentions), mentions).named(question) == []
    few = mentions[:SUBJECT_POSTS]
    assert _coverage(["x"] * len(few), few).named(question) == ["frozen shoulder"]
    assert _coverage(["Frozen shoulder and vitamin D"], ["Nothing."]).named(question) == []


def test_name_matches_across_punctuation_and_longest_first() -> None:
    covered = _coverage(["x", "y"], ["Adhesive capsulitis at 50.", "Adhesive-capsulitis again."])
    assert covered.named("vitamin d for frozen shoulder pain?") == []  # same subject, other name
    empty = _coverage([], [])
    assert empty.named("vitamin d for frozen shoulder pain?") == ["frozen shoulder"]


def test_vocabulary_topic_is_never_reported() -> None:
    """'psoriasis' and 'knee replacement' are listed and aliases of synonyms.txt: the archive's
    topics, judged by the search itself even when a version lacks them."""
    empty = _coverage([], [])
    assert empty.named("does vitamin D help psoriasis after a knee replacement?") == []


def test_candidate_rows_come_from_the_word_index() -> None:
    """Only the rows `posts_with` gives are read, so a post it leaves out does not count."""
    texts = ["A tennis elbow healed.", "Another tennis elbow.", "Tennis elbow a third time."]
    having = {"tennis": np.array([0]), "elbow": np.array([0, 1])}
    coverage = SubjectCoverage(["a", "b", "c"], texts, having.get)
    assert coverage.named("vitamin d and tennis elbow") == ["tennis elbow"]


@pytest.fixture(scope="module")
def service(tmp_path_factory: pytest.TempPathFactory, embedder) -> AnswerService:
    posts = [
        (
            "frozen-shoulder",
            "Frozen shoulder eased with vitamin D",
            "Patients with a frozen shoulder given vitamin D regained movement sooner.\n\n"
            "Shoulder stiffness lasted 4 months less than with placebo.",
        ),
        (
            "elbow-tendons",
            "Elbow tendon pain healed faster with vitamin D",
            "Players with elbow tendon pain given 4,000 IU vitamin D daily healed faster.\n\n"
            "Tendon injuries of the elbow and knee were studied in athletes.",
        ),
        (
            "psoriasis",
            "Psoriasis improved with vitamin D",
            "Psoriasis plaques cleared in half of the patients given vitamin D for 12 weeks.",
        ),
    ]
    return service_over(posts, tmp_path_factory.mktemp("subjects"), embedder)


def test_listed_subject_no_post_covers_is_not_confident(service: AnswerService) -> None:
    answer = service.ask("does vitamin D help tennis elbow?")
    assert answer.hits[0].slug == "elbow-tendons"
    assert answer.hits[0].score >= CONFIDENT_SCORE  # close enough to pass for an answer
    assert not answer.confident
    assert answer.missing == ("tennis elbow",)


def test_listed_subject_the_posts_cover_is_confident(service: AnswerService) -> None:
    answer = service.ask("does vitamin D help a frozen shoulder?")
    assert answer.confident and answer.missing == ()
    assert service.ask("does vitamin D help psoriasis?").confident


def test_other_language_question_is_judged_by_the_listed_names_alone(
    service: AnswerService,
) -> None:
    """Its words are not looked up (a German word no English post has says nothing), but a
    listed subject named as in English ('Tennis Elbow', a drug or a Latin name) is."""
    answer = service.ask("Hilft Vitamin D bei einem Tennis Elbow nach dem Sport?")
    assert answer.missing == ("tennis elbow",) and not answer.confident
    answer = service.ask("Hilft Vitamin D bei Schuppenflechte nach dem Sport?")
    assert answer.missing == () and answer.confident
