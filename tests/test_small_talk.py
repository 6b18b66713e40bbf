"""Greetings, thanks and pings get the prompt an empty question gets, not the nearest posts."""

from __future__ import annotations

import pytest

from bot.cli import main
from bot.render import EMPTY_QUESTION
from retrieval import store
from retrieval.indexer import build_index
from retrieval.search import Searcher, nothing_to_ask
from retrieval.small_talk import WORDS, only_small_talk
from retrieval.synonyms import fold
from tests.helpers import SEEDS


@pytest.mark.parametrize(
    "text",
    ["hi", "Thanks!!", "Hello bot, can you help me?", "good morning everyone", "ok 👍", "what?",
     "Hallo, danke!", "Hola, muchas gracias", "merci beaucoup", "s'il vous plaît", "grazie mille",
     "obrigado", "goedemorgen", "dzięki!"],
)  # fmt: skip
def test_small_talk_in_every_language_read(text):
    assert only_small_talk(text)
    assert nothing_to_ask(text)


@pytest.mark.parametrize(
    "text",
    ["thanks, is it safe?", "hi, does vitamin D help sleep?", "vitamin", "sleep", "sun?",
     "hi 2000 IU", "what about kids?", "how much should I take?", "Danke, hilft Vitamin D?"],
)  # fmt: skip
def test_a_subject_or_a_number_makes_it_a_question(text):
    assert not only_small_talk(text)
    assert not nothing_to_ask(text)


def test_the_list_is_written_as_it_is_matched():
    assert all(fold(w) == w for w in WORDS)  # a word with an accent or a capital never matches


@pytest.fixture(scope="module")
def seed_index(tmp_path_factory, embedder):
    root = tmp_path_factory.mktemp("ix") / "seed"
    build_index(SEEDS, root, embedder)
    return root


def test_small_talk_is_not_searched_but_a_question_is(seed_index, embedder):
    searcher = Searcher(store.load(seed_index), embedder)
    hello = searcher.search("Hello bot, thanks!")
    assert hello.empty and not hello.hits and not hello.confident
    asked = searcher.search("does vitamin D help MS bone loss?")  # the same searcher answers
    assert not asked.empty and asked.hits and asked.confident


def test_cli_answers_small_talk_with_the_prompt(seed_index, capsys):
    assert main(["ask", "--index", str(seed_index), "hi there!"]) == 0
    assert capsys.readouterr().out.strip() == EMPTY_QUESTION
