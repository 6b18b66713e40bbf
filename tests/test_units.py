"""Milligrams are converted to IU only when the text ties them to vitamin D."""

from __future__ import annotations

import pytest

from retrieval.query import build_query
from retrieval.units import in_archive_units, iu_amounts


@pytest.mark.parametrize(
    "text",
    ["500 mg calcium", "magnesium 400 mg a day", "take 1000 mg of omega-3 daily",
     "vitamin D with 500 mg calcium", "vitamin D and magnesium (250 mg)"],
)  # fmt: skip
def test_milligrams_of_other_nutrients_are_not_vitamin_d(text):
    assert iu_amounts(text) == []


@pytest.mark.parametrize(
    ("text", "iu"),
    [("1.25 mg vitamin D", 50000), ("1.25 mg of vitamin D3 weekly", 50000),
     ("vitamin D: 0.25 mg", 10000), ("cholecalciferol 1.25 mg", 50000), ("100 mcg", 4000),
     ("50 µg of anything", 2000)],
)  # fmt: skip
def test_vitamin_d_milligrams_and_all_micrograms_convert(text, iu):
    assert iu_amounts(text)[0][0] == iu


def test_calcium_dose_is_not_restated_as_iu_in_the_lexical_query():
    query = build_query("is 500 mg calcium with vitamin D safe?")
    assert "IU" not in query.lexical


@pytest.mark.parametrize(
    ("text", "said"),
    [("how many IU in 50 mcg?", ["50 mcg = 2,000 IU"]),
     ("is 125 nmol/l too high", ["125 nmol/L = 50 ng/ml"]),
     ("1.25 mg of vitamin D3 weekly", ["1.25 mg = 50,000 IU"]),
     ("my level is 50 nmol and I take 25 µg a day", ["25 mcg = 1,000 IU", "50 nmol/L = 20 ng/ml"]),
     ("is 4000 IU safe at 30 ng/ml?", []),  # already in the archive's units
     ("500 mg calcium", [])],
)  # fmt: skip
def test_amounts_in_other_units_are_restated_in_the_archives(text, said):
    assert in_archive_units(text) == said
