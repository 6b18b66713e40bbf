"""Retrieval quality over a question file (format in docs/ARCHITECTURE.md): nDCG, MRR, hits,
facts, no-answer.

Grade 2 = the post answers the question, 1 = related. Questions with no relevant posts are
no-answer questions: the right reply is `confident: false`.
"""

from __future__ import annotations

import json
import math
import re
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from retrieval.search import Answer

K = 10


@dataclass(frozen=True)
class Question:
    id: str
    question: str
    kind: str
    relevant: dict[str, int]
    answer_facts: list[str]
    previous: tuple[str, ...] = ()
    """Earlier questions of the same thread, oldest first (follow-up questions)."""

    @property
    def answerable(self) -> bool:
        return any(g >= 2 for g in self.relevant.values())


def load_questions(path: Path) -> list[Question]:
    items = json.loads(Path(path).read_text("utf-8"))
    return [
        Question(
            id=str(q["id"]),
            question=q["question"],
            kind=q.get("kind", ""),
            relevant={str(k): int(v) for k, v in q.get("relevant", {}).items()},
            answer_facts=list(q.get("answer_facts", [])),
            previous=_previous(q.get("previous")),
        )
        for q in items
    ]


def _previous(value: str | list[str] | None) -> tuple[str, ...]:
    """`previous` is one earlier question or a list of them, oldest first."""
    if not value:
        return ()
    return (value,) if isinstance(value, str) else tuple(value)


def _norm(text: str) -> str:
    """Lower-case, no thousands separators or spacing noise, so '20,000 IU' matches '20000 iu'."""
    text = re.sub(r"(?<=\d)[,\s](?=\d{3}\b)", "", text.lower())
    return " ".join(text.split())


def ndcg(ranked: list[str], relevant: dict[str, int], k: int = K) -> float:
    dcg = sum(relevant.get(s, 0) / math.log2(i + 2) for i, s in enumerate(ranked[:k]))
    ideal = sorted(relevant.values(), reverse=True)[:k]
    idcg = sum(g / math.log2(i + 2) for i, g in enumerate(ideal))
    return dcg / idcg if idcg else 0.0


def first_answer_rank(ranked: list[str], relevant: dict[str, int]) -> int | None:
    return next((i + 1 for i, s in enumerate(ranked) if relevant.get(s, 0) >= 2), None)


def score_question(q: Question, answer: Answer) -> dict:
    ranked = [h.slug for h in answer.hits]
    row: dict = {"id": q.id, "kind": q.kind, "confident": answer.confident, "top": ranked[:3]}
    if not q.answerable:
        return row
    rank = first_answer_rank(ranked, q.relevant)
    answers = [s for s, g in q.relevant.items() if g >= 2]
    row.update(
        ndcg10=ndcg(ranked, q.relevant),
        mrr=1 / rank if rank else 0.0,
        hit1=float(rank == 1),
        hit3=float(rank is not None and rank <= 3),
        recall5=len(set(ranked[:5]) & set(answers)) / min(5, len(answers)),
    )
    if q.answer_facts:
        shown = _norm(" ".join(f for h in answer.hits[:3] for f in h.findings))
        row["facts"] = sum(_norm(f) in shown for f in q.answer_facts) / len(q.answer_facts)
    return row


def _mean(values: list[float]) -> float:
    return round(sum(values) / len(values), 4) if values else 0.0


METRICS = ("ndcg10", "mrr", "hit1", "hit3", "recall5")


def _metrics(rows: list[dict]) -> dict:
    """Every metric over a group of rows: ranking figures over its answerable questions,
    confidence over both kinds (a no-answer question should not be answered confidently)."""
    answerable = [r for r in rows if "ndcg10" in r]
    no_answer = [r for r in rows if "ndcg10" not in r]
    out: dict = {"questions": len(rows), "answerable": len(answerable)}
    if answerable:
        out.update({m: _mean([r[m] for r in answerable]) for m in METRICS})
        out["facts_in_findings"] = _mean([r["facts"] for r in answerable if "facts" in r])
        out["answerable_confident"] = _mean([float(r["confident"]) for r in answerable])
    if no_answer:
        out["no_answer"] = {
            "questions": len(no_answer),
            "not_confident": _mean([float(not r["confident"]) for r in no_answer]),
        }
    return out


def summarize(rows: list[dict]) -> dict:
    out = _metrics(rows)
    out.setdefault("no_answer", {"questions": 0, "not_confident": 0.0})
    kinds: dict[str, list[dict]] = defaultdict(list)
    for r in rows:
        kinds[r["kind"]].append(r)
    out["by_kind"] = {kind: _metrics(rs) for kind, rs in sorted(kinds.items())}
    return out


Ask = Callable[[str, int, tuple[str, ...]], Answer]
"""(question, k, earlier questions of the thread) -> answer."""


def evaluate(questions: list[Question], ask: Ask) -> tuple[dict, list[dict]]:
    """Ask every question (top K, follow-ups with their thread) -> (summary, per-question rows)."""
    started = time.perf_counter()
    rows = [score_question(q, ask(q.question, K, q.previous)) for q in questions]
    summary = summarize(rows)
    summary["seconds"] = round(time.perf_counter() - started, 1)
    return summary, rows
