"""Sentence splitting for quotes: abbreviations, decimals, and text wrapped at a fixed width."""

from __future__ import annotations

from retrieval.sentences import split_sentences


def test_abbreviations_and_decimals_do_not_end_a_sentence():
    text = "Smith et al. found 2.5 times more falls vs. placebo. The effect held in women."
    assert split_sentences(text) == [
        "Smith et al. found 2.5 times more falls vs. placebo.",
        "The effect held in women.",
    ]


def test_a_wrapped_sentence_is_joined_across_its_lines():
    text = "Lesions shrank on MRI after one and two years of\ntreatment. Relapses fell by half."
    assert split_sentences(text) == [
        "Lesions shrank on MRI after one and two years of treatment.",
        "Relapses fell by half.",
    ]


def test_lines_that_end_a_sentence_or_start_a_new_one_stay_apart():
    text = "Bone loss was not prevented.\nlower doses were not tried\nAnother trial is running"
    assert split_sentences(text) == [
        "Bone loss was not prevented.",
        "lower doses were not tried",
        "Another trial is running",
    ]
