"""Sentence splitting for quotes: abbreviations, decimals, and text wrapped at a fixed width."""

from __future__ import annotations

import pytest

from retrieval.sentences import split_paragraphs, split_sentences


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param(
            "Smith et al. found 2.5 times more falls vs. placebo. The effect held in women.",
            ["Smith et al. found 2.5 times more falls vs. placebo.", "The effect held in women."],
            id="abbreviations and decimals do not end a sentence",
        ),
        pytest.param(
            "Lesions shrank on MRI after one and two years of\ntreatment. Relapses fell by half.",
            ["Lesions shrank on MRI after one and two years of treatment.",
             "Relapses fell by half."],
            id="a wrapped sentence is joined across its lines",
        ),
        pytest.param(
            "Bone loss was not prevented.\nlower doses were not tried\nAnother trial is running",
            ["Bone loss was not prevented.", "lower doses were not tried",
             "Another trial is running"],
            id="lines that end a sentence or start a new one stay apart",
        ),
        pytest.param(
            "Levels were significantly lower than in\nControls (p = 0.01). Group A took 200 IU and"
            "\n- group B 50,000 IU monthly.",
            ["Levels were significantly lower than in Controls (p = 0.01).",
             "Group A took 200 IU and group B 50,000 IU monthly."],
            id="a line ending in a word no sentence ends with goes on whatever comes next",
        ),
        pytest.param(
            "Deficiency was related to raised PTH,\n- higher blood pressure, and\n"
            "- insulin resistance.\nRisks were:\n- falls;\n- fractures.\n- Fractures were rarer."
            "\nRisk factors\n- obesity\n- dark skin\nKey points:\n- bone loss was not prevented",
            ["Deficiency was related to raised PTH, higher blood pressure, and insulin "
             "resistance.", "Risks were: falls; fractures.", "- Fractures were rarer.",
             "Risk factors", "- obesity", "- dark skin", "Key points:",
             "- bone loss was not prevented"],
            id="list items in lower case go on after a comma, or a colon when punctuated",
        ),
        pytest.param(
            "Lung cancer reduced by vitamins D and A\nA trial of 400 adults.\nIt was a\n\n"
            "New part.",
            ["Lung cancer reduced by vitamins D and A", "A trial of 400 adults.", "It was a",
             "New part."],
            id="a line ending in a capital letter or a blank line stays apart",
        ),
        pytest.param(
            "Levels rose in every arm (fig. 2). The trial was registered in Feb. 2014 and "
            "reported on pp. 12-15. Falls fell.",
            ["Levels rose in every arm (fig. 2).",
             "The trial was registered in Feb. 2014 and reported on pp. 12-15.", "Falls fell."],
            id="a lower-case figure, a page or a month abbreviation ends no sentence",
        ),
        pytest.param(
            "He said it “is not well documented.” Certainly more is needed. As Nair et al. [29] "
            "found, most were low. It was 60% in Nair et al. [29] The causes are unclear.",
            ["He said it “is not well documented.”", "Certainly more is needed.",
             "As Nair et al. [29] found, most were low.", "It was 60% in Nair et al. [29]",
             "The causes are unclear."],
            id="a closing curly quote or a reference marker after the full stop ends a sentence",
        ),
    ],
)  # fmt: skip
def test_split_sentences(text, expected):
    assert split_sentences(text) == expected


def test_sentences_are_grouped_by_paragraph_a_wrapped_line_joined_into_its_own():
    text = "Bone loss was not prevented. Falls\nfell by half.\n\n- A second point. And more."
    assert split_paragraphs(text) == [
        ["Bone loss was not prevented.", "Falls fell by half."],
        ["- A second point.", "And more."],
    ]
