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
from retrieval.store import IndexData

K = 10
SHOWN = 3
"""Posts a reply shows (the bot's page, the CLI's default): the findings and the lead are
measured on an answer of this many posts, as people read it. The lead is chosen among the posts
shown, so an answer of K posts could lead from a post nobody sees."""


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


def score_question(
    q: Question, answer: Answer, body: Body | None = None, shown: Answer | None = None
) -> dict:
    """The ranking measures of `answer` (K posts), and those of the findings and the lead of
    `shown` (the same question answered with SHOWN posts; `answer` itself when not given)."""
    shown = answer if shown is None else shown
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
        lead_answers=float(lead_answers(q, shown)),
    )
    row.update(facts_row(q, shown, body))
    return row


def lead_answers(q: Question, answer: Answer) -> bool:
    """Whether the answer leads with a sentence quoted from a post that answers the question
    (grade 2): the lead is read as the answer, so one from a merely related post misleads."""
    if answer.lead is None:
        return False
    return q.relevant.get(answer.hits[answer.lead.result].slug, 0) >= 2


Body = Callable[[str], str]
"""slug -> the text findings are quoted from (see `chunk_bodies`)."""


def chunk_bodies(index: IndexData) -> Body:
    """The indexed text of each post (its chunks and bold lines): everything findings can quote,
    without the author, affiliation and citation lines and reference lists chunking leaves out."""
    bodies = {
        p.slug: "\n".join([*chunks, *p.bold])
        for p, chunks in zip(index.posts, index.post_chunks(), strict=True)
    }
    return lambda slug: bodies.get(slug, "")


def facts_row(q: Question, answer: Answer, body: Body | None = None) -> dict:
    """Share of the answer facts quoted in the findings of the first 3 posts, of the first post
    and in the lead; with `body`, also the shares the bodies of those posts hold (what findings
    could reach at best), so sentence choice and post choice can be told apart."""
    if not q.answerable or not q.answer_facts:
        return {}
    facts = [_norm(f) for f in q.answer_facts]

    def share(texts: list[str]) -> float:
        shown = _norm("\n".join(texts))
        return sum(f in shown for f in facts) / len(facts)

    first3, first = answer.hits[:3], answer.hits[:1]
    row = {
        "facts": share([f for h in first3 for f in h.findings]),
        "facts1": share([f for h in first for f in h.findings]),
        "lead": share([answer.lead.text] if answer.lead else []),
    }
    if body is not None:
        row["body3"] = share([body(h.slug) for h in first3])
        row["body1"] = share([body(h.slug) for h in first])
    return row


def facts_summary(rows: list[dict]) -> dict:
    """Means of the facts measures, and the selection ratios (findings ÷ body ceiling)."""
    rows = [r for r in rows if "facts" in r]
    out: dict = {"n": len(rows)}
    for key in ("facts", "facts1", "lead", "body3", "body1"):
        if any(key in r for r in rows):
            out[key] = _mean([r[key] for r in rows if key in r])
    for facts, body in (("facts", "body3"), ("facts1", "body1")):
        if out.get(body):
            out[f"selection{body[-1]}"] = round(out[facts] / out[body], 4)
    return out


def _mean(values: list[float]) -> float:
    return round(sum(values) / len(values), 4) if values else 0.0


METRICS = ("ndcg10", "mrr", "hit1", "hit3", "recall5", "lead_answers")


def _metrics(rows: list[dict]) -> dict:
    """Every metric over a group of rows: ranking figures over its answerable questions,
    confidence over both kinds (a no-answer question should not be answered confidently)."""
    answerable = [r for r in rows if "ndcg10" in r]
    no_answer = [r for r in rows if "ndcg10" not in r]
    out: dict = {"questions": len(rows), "answerable": len(answerable)}
    if answerable:
        out.update({m: _mean([r[m] for r in answerable]) for m in METRICS})
        out["facts_in_findings"] = _mean([r["facts"] for r in answerable if "facts" in r])
        if any("facts" in r for r in answerable):
            out["facts"] = facts_summary(answerable)
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


def evaluate(
    questions: list[Question], ask: Ask, body: Body | None = None
) -> tuple[dict, list[dict]]:
    """Ask every question (top K, follow-ups with their thread; an answerable one again with
    SHOWN posts for its findings and lead) -> (summary, per-question rows). With `body`, the facts
    measures include what the shown posts hold (see `facts_row`)."""
    started = time.perf_counter()
    rows = []
    for q in questions:
        shown = ask(q.question, SHOWN, q.previous) if q.answerable else None
        rows.append(score_question(q, ask(q.question, K, q.previous), body, shown))
    summary = summarize(rows)
    summary["seconds"] = round(time.perf_counter() - started, 1)
    return summary, rows
