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


def test_a_line_ending_in_a_word_no_sentence_ends_with_goes_on_whatever_comes_next():
    text = (
        "Levels were significantly lower than in\nControls (p = 0.01). Group A took 200 IU and\n"
        "- group B 50,000 IU monthly."
    )
    assert split_sentences(text) == [
        "Levels were significantly lower than in Controls (p = 0.01).",
        "Group A took 200 IU and group B 50,000 IU monthly.",
    ]


def test_a_line_ending_in_a_capital_letter_or_a_blank_line_stays_apart():
    text = "Lung cancer reduced by vitamins D and A\nA trial of 400 adults.\nIt was a\n\nNew part."
    assert split_sentences(text) == [
        "Lung cancer reduced by vitamins D and A",
        "A trial of 400 adults.",
        "It was a",
        "New part.",
    ]
