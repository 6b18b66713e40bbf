"""Questions that sound like an emergency are told where help is; questions about toxicity or
risk are not (sentences written for these tests from how such things are said)."""

from __future__ import annotations

import pytest

from retrieval import store
from retrieval.indexer import build_index
from retrieval.search import Searcher
from retrieval.urgent import is_urgent
from tests.helpers import SEEDS


@pytest.mark.parametrize(
    "question",
    [
        "my toddler swallowed a whole bottle of vitamin D drops, what do I do",
        "I took 500,000 IU by mistake, am I going to die",
        "I think I overdosed on vitamin D",
        "accidentally gave my baby 10 drops instead of 1",
        "my husband took too much vitamin d and now has chest pain",
        "my son took all of the tablets in the box",
        "I'm feeling suicidal, would vitamin D help",
        "grandpa took 20 capsules of 50000 IU by accident",
        "my daughter ate a full bottle of vit d gummies",
        "took way too much vit d and now my heart is racing",
        "my husband is not responding after taking a whole bottle",
    ],
)
def test_an_emergency_now_is_urgent(question: str) -> None:
    assert is_urgent(question)


@pytest.mark.parametrize(
    "question",
    [
        "Mein Kind hat aus Versehen eine ganze Flasche Vitamin D Tropfen getrunken",
        "Mi hijo se tomó por error un frasco entero de gotas de vitamina D",
        "J'ai pris 500 000 UI de vitamine D par erreur",
        "Ho dato per sbaglio dieci gocce al bambino",
        "Czy to groźne? Dziecko przypadkowo połknęło tabletki z witaminą D",
        "Mon enfant a avalé toute la boîte de vitamine D, que faire ?",
        "Meu filho tomou sem querer o frasco inteiro de vitamina D",
    ],
)
def test_an_accident_in_another_language_is_urgent(question: str) -> None:
    """The English restatement keeps the topics, not 'by mistake': that is read as asked."""
    assert is_urgent(question, restated="child vitamin d drops")


@pytest.mark.parametrize(
    "question",
    [
        "is 10,000 IU toxic?",
        "how much vitamin D is too much?",
        "can you overdose on vitamin D?",
        "does vitamin D help seizures?",
        "does vitamin d reduce suicide risk",
        "how many people take too much vitamin D",
        "is it safe to take 50,000 IU weekly",
        "does vitamin D help with blood poisoning in hospital?",
        "I take 5000 IU, is that too much?",
        "my doctor gave me 50000 iu capsules, how long should I take them",
        "can vit d deficiency cause suicidal thoughts?",
        "can vitamin d cause chest pains?",
        "I overdosed on vitamin D last year, could that still affect my kidneys?",
    ],
)
def test_a_question_about_toxicity_or_risk_is_not(question: str) -> None:
    assert not is_urgent(question)


def test_the_answer_carries_it_and_the_search_is_the_same(tmp_path_factory, embedder) -> None:
    root = tmp_path_factory.mktemp("ix") / "seed"
    build_index(SEEDS, root, embedder)
    searcher = Searcher(store.load(root), embedder)
    alarm = searcher.search("I took 500,000 IU of vitamin D by mistake and have MS bone loss")
    calm = searcher.search("500,000 IU of vitamin D and MS bone loss")
    assert alarm.urgent and alarm.to_json()["urgent"] is True
    assert not calm.urgent and calm.to_json()["urgent"] is False
    assert [h.slug for h in alarm.hits] == [h.slug for h in calm.hits]
