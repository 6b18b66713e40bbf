"""Places after the first three ordered with their likeness to the first three posts."""

from __future__ import annotations

import numpy as np

from retrieval.likeness import FIXED, WINDOW, Likeness

DIM = 8


def unit(*values: float) -> np.ndarray:
    v = np.zeros(DIM, dtype=np.float32)
    v[: len(values)] = values
    return v / np.linalg.norm(v)


def test_a_post_like_the_first_three_passes_a_slightly_better_scored_one() -> None:
    vitamin_d_and_ms = unit(1, 0.1)
    titles = np.stack([vitamin_d_and_ms] * 3 + [unit(0, 0, 1), vitamin_d_and_ms, unit(0, 1)])
    tags = [["multiple sclerosis", "bone loss"]] * 3 + [["cooking"], ["Multiple Sclerosis"], []]
    likeness = Likeness(titles, tags)
    scores = np.array([0.80, 0.78, 0.76, 0.70, 0.68, 0.69])
    rows = [0, 1, 2, 3, 5, 4]  # by score
    assert likeness.reorder(rows, scores) == [0, 1, 2, 4, 5, 3]


def test_the_first_places_never_move_and_far_places_keep_their_order() -> None:
    rng = np.random.default_rng(3)
    n = WINDOW + 10
    titles = rng.standard_normal((n, DIM)).astype(np.float32)
    titles /= np.linalg.norm(titles, axis=1, keepdims=True)
    tags = [[f"tag {r % 4}", f"tag {r % 7}"] for r in range(n)]
    scores = np.sort(rng.random(n))[::-1]
    rows = list(range(n))
    reordered = Likeness(titles, tags).reorder(rows, scores)
    assert reordered[:FIXED] == rows[:FIXED]
    assert reordered[WINDOW:] == rows[WINDOW:]
    assert sorted(reordered) == rows


def test_without_likeness_the_later_places_stay_by_score_ties_in_order() -> None:
    titles = np.stack([unit(1), unit(1), unit(1), unit(0, 1), unit(0, 1), unit(0, 1)])
    likeness = Likeness(titles, [[]] * 6)
    rows = [0, 1, 2, 3, 4, 5]
    assert likeness.reorder(rows, np.full(6, 0.5)) == rows
    assert likeness.reorder([0, 1, 2, 5, 3, 4], np.array([0.9, 0.8, 0.7, 0.5, 0.4, 0.6])) == [
        0,
        1,
        2,
        5,
        3,
        4,
    ]


def test_too_few_rows_to_reorder_are_given_back() -> None:
    titles = np.stack([unit(1), unit(0, 1), unit(0, 0, 1), unit(1)])
    likeness = Likeness(titles, [["a"], ["b"], ["c"], ["a"]])
    assert likeness.reorder([0, 1, 2, 3], np.array([0.9, 0.8, 0.7, 0.6])) == [0, 1, 2, 3]
