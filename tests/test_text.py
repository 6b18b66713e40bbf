"""The one clipping function: never over the limit, cut at a word, marked with an ellipsis."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from retrieval.tags import is_generic
from retrieval.text import clip


@given(st.text(max_size=400), st.integers(2, 300))
def test_clip_never_exceeds_the_limit_and_keeps_short_text(text, limit):
    out = clip(text, limit)
    assert len(out) <= limit
    if len(text) <= limit:
        assert out == text
    else:
        assert out.endswith("…") and text.startswith(out[:-1])


def test_clip_cuts_at_a_word_without_dangling_punctuation():
    assert clip("alpha beta, gamma delta", 14) == "alpha beta…"
    assert clip("x" * 50, 10) == "x" * 9 + "…"  # no word boundary: cut inside the word


def test_generic_tags_are_one_set_whatever_the_spelling():
    assert is_generic("Vitamin D") and is_generic("Top News") and is_generic("intervention")
    assert not is_generic("Vitamin D3") and not is_generic("diabetes")
    # the site's own organisation is no subject either; a subject that sounds like one still is
    assert is_generic("Admin only") and is_generic("Z-section") and is_generic("about D - intro")
    assert not is_generic("sun") and not is_generic("overview for doctors")
