"""Chunks fit the model's window (counted by its own tokenizer) and cover the body text."""

from __future__ import annotations

import re
from itertools import pairwise

import pytest

from retrieval.archive import Post
from retrieval.chunking import Chunker
from retrieval.junk import is_reference_line
from retrieval.markdown import to_sections
from retrieval.sentences import continues, split_sentences

MAX_TOKENS = 256  # all-MiniLM-L6-v2's window, special tokens included


def make_post(body: str, title: str = "A post title") -> Post:
    return Post("slug", title, "2014-01-01", (), (), (), None, body, "mem", "h")


def no_space(text: str) -> str:
    return re.sub(r"\s+", "", text)


def token_lengths(tokenizer, texts: list[str]) -> list[int]:
    if not texts:
        return []
    return [len(ids) for ids in tokenizer(texts, add_special_tokens=True)["input_ids"]]


@pytest.fixture(scope="module")
def chunker(fast_tokenizer):
    return Chunker(fast_tokenizer, MAX_TOKENS)


def assert_covers(post: Post, chunks) -> None:
    """Every character of the embeddable sections is in the chunks, in order (spacing aside)."""
    expected = "".join(
        line
        for s in to_sections(post.body)
        if not s.boilerplate
        for line in s.lines
        if not is_reference_line(line)
    )
    got = "".join(c.text for c in chunks)
    assert no_space(got) == no_space(expected)


def test_long_unpunctuated_text_is_cut_not_truncated(chunker, tokenizer):
    body = " ".join(f"word{i} vitamin" for i in range(1500))
    post = make_post(body, title="T " * 200)  # an absurdly long title is cut too
    chunks = chunker.chunk_post(post)
    assert len(chunks) > 5
    assert max(token_lengths(tokenizer, [c.embed_text for c in chunks])) <= MAX_TOKENS
    assert_covers(post, chunks)


def test_chunks_know_post_section_and_position(chunker):
    body = "# Abstract\n\nFirst finding here.\n\n# Results\n\n" + "Result sentence. " * 200
    chunks = chunker.chunk_post(make_post(body))
    assert [c.position for c in chunks] == list(range(len(chunks)))
    assert chunks[0].section == "Abstract" and chunks[-1].section == "Results"
    assert all(c.slug == "slug" for c in chunks)
    assert all(c.embed_text.startswith("A post title") for c in chunks)


def test_references_are_not_embedded(chunker):
    body = "Main text about bones.\n\n## References\n\n1. Smith J. Bones. 2010."
    text = " ".join(c.text for c in chunker.chunk_post(make_post(body)))
    assert "Main text about bones." in text and "Smith" not in text


def test_empty_body_has_no_chunks(chunker):
    assert chunker.chunk_post(make_post("")) == []


def test_a_sentence_over_several_lines_stays_in_one_chunk(chunker):
    lead_in = "Vitamin D deficiency appears to be related to an"
    items = [
        "- increase in parathyroid hormone levels and",
        "- can predispose to essential hypertension and left ventricular hypertrophy,",
        "- increased insulin resistance, and",
        "- eventually to atherosclerosis and adverse cardiovascular events.",
    ]
    split = 0
    for filler in range(20, 60):  # move the list across every place a chunk could end
        body = "\n".join(
            [" ".join(f"Sentence {i} about bones." for i in range(filler)), lead_in, *items]
        )
        chunks = chunker.chunk_post(make_post(body))
        split += len(chunks) > 1
        for before, after in pairwise(chunks):
            assert not continues(before.text.split("\n")[-1], after.text.split("\n")[0])
        sentences = [s for c in chunks for s in split_sentences(c.text)]
        whole = [s for s in sentences if s.startswith(lead_in)]
        assert whole and whole[0].endswith("adverse cardiovascular events.")
    assert split >= 10  # the filler alone fills a chunk, so the list must start the next


def test_no_sentence_is_read_across_two_sections(chunker):
    body = "# Methods\n\nThey took the dose of\n\n# Results\n\nfalls were fewer in the D group."
    chunks = chunker.chunk_post(make_post(body))
    assert len(chunks) == 1  # both sections in one chunk: only a blank line keeps them apart
    assert split_sentences(chunks[0].text) == [
        "They took the dose of",
        "falls were fewer in the D group.",
    ]


@pytest.mark.slow  # chunks ~100 of the longest real posts
def test_real_posts_fit_and_are_covered(chunker, tokenizer, archive_posts):
    posts = sorted(archive_posts.posts, key=lambda p: len(p.body), reverse=True)
    sample = posts[:20] + posts[20::25]  # the longest posts plus a spread of the rest
    lengths = []
    for post in sample:
        chunks = chunker.chunk_post(post)
        assert_covers(post, chunks)
        lengths += token_lengths(tokenizer, [c.embed_text for c in chunks])
    assert max(lengths) <= MAX_TOKENS
    # packed, not fragmented: most chunks use a good part of the window
    assert sorted(lengths)[len(lengths) // 2] > MAX_TOKENS // 2
