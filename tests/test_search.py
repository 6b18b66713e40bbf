"""Ranking rules of `Searcher` on a small synthetic archive: copies collapse, paging and counts."""

from __future__ import annotations

import json

import pytest

from retrieval import search, store
from retrieval.indexer import build_index
from retrieval.search import CONFIDENT_SCORE, Searcher, confident_score
from tests.helpers import write_post

TITLE = "Vitamin D reduced falls in seniors"
QUESTION = "does vitamin D reduce falls in seniors?"


@pytest.fixture(scope="module")
def searcher(tmp_path_factory, embedder) -> Searcher:
    archive = tmp_path_factory.mktemp("copies")
    write_post(archive, "falls-a", TITLE, ["falls"], 3)
    write_post(archive, "falls-b", TITLE, ["falls"], 2)  # same title, another body
    write_post(archive, "falls-c", TITLE + " (2013)", ["falls"], 0)  # title-only copy
    others = [
        "Vitamin D and falls in nursing homes",
        "Omega-3 and depression",
        "Magnesium needed to use vitamin D",
        "Vitamin D levels in winter",
        "Sunshine and skin cancer",
        "Vitamin K2 and arteries",
    ]
    for i, title in enumerate(others):
        write_post(archive, f"other-{i}", title, ["misc"], 2)
    root = tmp_path_factory.mktemp("ix") / "copies"
    build_index(archive, root, embedder)
    return Searcher(store.load(root), embedder)


def test_copies_collapse_into_one_entry_with_text(searcher):
    answer = searcher.search(QUESTION, k=9)
    slugs = [h.slug for h in answer.hits]
    copies = [s for s in slugs if s.startswith("falls-")]
    assert slugs[0] in ("falls-a", "falls-b") and copies == [slugs[0]]
    assert len(slugs) == len(set(slugs)) == 7  # 9 posts, two of them copies


def test_total_counts_confident_entries_after_collapse(searcher):
    answer = searcher.search(QUESTION, k=9)
    assert answer.total == sum(h.score >= CONFIDENT_SCORE for h in answer.hits)
    assert searcher.search(QUESTION, k=1).total == answer.total


def test_a_long_question_is_confident_at_a_lower_score(searcher, monkeypatch):
    """A long question's vector holds all else it says, so it lies further from every post."""
    long = (
        "Long story short, my mother is 84 and has fallen twice this winter, once in the garden "
        "and once on the stairs, and her doctor never mentioned it: " + QUESTION
    )
    assert confident_score(long) < confident_score(QUESTION) == CONFIDENT_SCORE
    best = searcher.search(long).hits[0].score
    monkeypatch.setattr(search, "CONFIDENT_SCORE", best + 0.01)
    monkeypatch.setattr(search, "LONG_CONFIDENT_SCORE", best - 0.01)
    assert searcher.search(long).confident
    monkeypatch.setattr(search, "LONG_CONFIDENT_SCORE", best + 0.01)
    assert not searcher.search(long).confident


def test_pages_never_repeat_or_skip(searcher):
    whole = [h.slug for h in searcher.search(QUESTION, k=9).hits]
    paged = [h.slug for start in (0, 2, 4, 6) for h in searcher.search(QUESTION, 2, start).hits]
    assert paged == whole


def test_findings_are_quoted_from_the_chosen_copy(searcher):
    top = searcher.search(QUESTION).hits[0]
    row = searcher.index.by_slug[top.slug].row
    chunks = searcher.index.chunks
    text = " ".join(t for t, r in zip(chunks.text, chunks.post_row, strict=True) if r == row)
    assert top.findings and all(f.strip("… ") in " ".join(text.split()) for f in top.findings)
    assert json.dumps(searcher.search(QUESTION).to_json())  # the JSON contract serialises
