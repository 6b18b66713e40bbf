"""Question -> the texts that are searched: the dense query and the lexical (BM25) query.

Chat shorthand, abbreviations and other-language words get the archive's phrasing appended (from
synonyms.txt); the lexical query also gets the question's doses and levels in the archive's
usual units, since numbers are where exact matching pays (measured on the dev set: in the dense
query unit restatements were neutral, so they are left out there).
"""

from __future__ import annotations

from dataclasses import dataclass

from retrieval.synonyms import expansions
from retrieval.units import equivalents

MAX_QUESTION_CHARS = 1000


@dataclass(frozen=True)
class Query:
    text: str
    dense: str
    lexical: str


def normalize_question(question: str) -> str:
    """Collapse whitespace, drop invisible characters, cap length (the model reads 256 tokens)."""
    visible = "".join(ch for ch in question if ch.isprintable() or ch.isspace())
    return " ".join(visible.split())[:MAX_QUESTION_CHARS]


def build_query(question: str) -> Query:
    text = normalize_question(question)
    extra = expansions(text)
    dense = f"{text} ({', '.join(extra)})" if extra else text
    lexical = " ".join([text, *extra, *equivalents(text)])
    return Query(text, dense, lexical)
