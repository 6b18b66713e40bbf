"""Cutting text to a length, the one way every reply and finding does it."""

from __future__ import annotations

ELLIPSIS = "…"


def clip(text: str, limit: int) -> str:
    """At most `limit` characters: cut at a word boundary when one is in the second half, with an
    ellipsis, and no dangling space or clause punctuation before it."""
    if len(text) <= limit:
        return text
    cut = text[: limit - len(ELLIPSIS)]
    space = cut.rfind(" ")
    if space >= limit // 2:
        cut = cut[:space]
    return cut.rstrip().rstrip(",;:").rstrip() + ELLIPSIS
