"""Follow-up questions in a thread: which earlier question, if any, they are read with.

"what dose did they use?" or "and for kids?" mean nothing on their own; "does it help psoriasis?"
after a question on MS starts a new subject and must not be dragged back to MS.
"""

from __future__ import annotations

from collections.abc import Sequence

from retrieval.language import detect
from retrieval.synonyms import translate


def context_for(question: str, previous: Sequence[str]) -> str:
    """The earlier question(s) to read `question` with, in English ('' for none)."""
    if not previous:
        return ""
    last = previous[-1]
    lang = detect(last)
    return translate(last, lang) if lang != "en" else last
