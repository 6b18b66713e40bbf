"""The maintainers' gap report: what the community asked that the archive answered badly or not
at all, read from the question log and the 👍/👎 feedback. Both front ends render this one object.
"""

from __future__ import annotations

import csv
import time
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TextIO

from retrieval.feedback import FeedbackStore
from retrieval.question_log import DAY, QuestionLog
from retrieval.tags import GENERIC_TAGS, tag_key

LOG_OFF = "The question log is off (VDWBOT_QUESTION_LOG_DAYS=0): votes only."
"""Said above the report by both front ends when there are no questions to read."""


@dataclass(frozen=True)
class Unanswered:
    question: str
    times: int
    last_day: str


@dataclass(frozen=True)
class Downvoted:
    question: str
    posts: tuple[str, ...]
    """Titles of the posts that were shown (slugs when the index no longer has them)."""
    votes: int


@dataclass(frozen=True)
class DayCounts:
    day: str
    questions: int = 0
    not_confident: int = 0
    up: int = 0
    down: int = 0


@dataclass
class GapReport:
    days: int
    questions: int = 0
    unanswered: list[Unanswered] = field(default_factory=list)
    downvoted: list[Downvoted] = field(default_factory=list)
    topics: list[tuple[str, int]] = field(default_factory=list)
    per_day: list[DayCounts] = field(default_factory=list)

    def text(self, limit: int = 10, echo: Callable[[str], str] = str) -> str:
        """Plain text, at most `limit` entries a section; `echo` makes user text safe to show."""
        downs = sum(d.votes for d in self.downvoted)
        lines = [
            f"Gap report, last {self.days} days: {self.questions} questions, "
            f"{sum(u.times for u in self.unanswered)} without a confident answer, {downs} 👎."
        ]
        if self.unanswered:
            lines.append("No confident answer (most asked first):")
            lines += [
                f"  {u.times}× {echo(u.question)} (last {u.last_day})"
                for u in self.unanswered[:limit]
            ]
        if self.downvoted:
            lines.append("👎 votes, with the posts shown:")
            lines += [
                f"  {d.votes}× {echo(d.question)} → {'; '.join(echo(p) for p in d.posts)}"
                for d in self.downvoted[:limit]
            ]
        if self.topics:
            lines.append("Most asked topics (tags of the posts shown in confident answers):")
            lines.append("  " + ", ".join(f"{t} {n}" for t, n in self.topics[:limit]))
        if self.per_day:
            lines.append("Per day: questions / not confident / 👍 / 👎")
            lines += [
                f"  {d.day}  {d.questions} / {d.not_confident} / {d.up} / {d.down}"
                for d in self.per_day[-limit:]
            ]
        return "\n".join(lines)

    def write_csv(self, out: TextIO) -> None:
        """Every entry (no limit): section, day, text, count, detail."""
        w = csv.writer(out)
        w.writerow(["section", "day", "text", "count", "detail"])
        for u in self.unanswered:
            w.writerow(["no_confident_answer", u.last_day, u.question, u.times, ""])
        for d in self.downvoted:
            w.writerow(["thumbs_down", "", d.question, d.votes, " | ".join(d.posts)])
        for tag, n in self.topics:
            w.writerow(["topic", "", tag, n, ""])
        for c in self.per_day:
            detail = f"not confident {c.not_confident}; up {c.up}; down {c.down}"
            w.writerow(["day", c.day, "", c.questions, detail])


def _day(at: float) -> str:
    return time.strftime("%Y-%m-%d", time.gmtime(at))


def _key(question: str) -> str:
    return " ".join(question.lower().split())


def gap_report(
    log: QuestionLog,
    feedback: FeedbackStore,
    days: int,
    titles: Mapping[str, str] | None = None,
    now: float | None = None,
) -> GapReport:
    """The report over the last `days` days (UTC calendar days in the per-day counts)."""
    since = (time.time() if now is None else now) - days * DAY
    asked = log.since(since)
    votes = feedback.votes_since(since)
    titles = titles or {}
    report = GapReport(days=days, questions=len(asked))

    missed: dict[str, list] = {}
    topics: Counter[str] = Counter()
    per_day: dict[str, Counter[str]] = {}
    for q in asked:
        counts = per_day.setdefault(_day(q.at), Counter())
        counts["questions"] += 1
        if q.confident:
            topics.update({tag_key(t) for t in q.tags} - GENERIC_TAGS - {""})
        else:
            counts["not_confident"] += 1
            entry = missed.setdefault(_key(q.question), [q.question, 0, ""])
            entry[1] += 1
            entry[2] = _day(q.at)
    recent_first = sorted(
        (Unanswered(text, n, last) for text, n, last in missed.values()),
        key=lambda u: u.last_day,
        reverse=True,
    )
    report.unanswered = sorted(recent_first, key=lambda u: -u.times)

    down: Counter[tuple[str, tuple[str, ...]]] = Counter()
    for at, question, slugs, vote in votes:
        per_day.setdefault(_day(at), Counter())["up" if vote > 0 else "down"] += 1
        if vote < 0:
            down[(question, tuple(titles.get(s, s) for s in slugs))] += 1
    report.downvoted = [Downvoted(q, posts, n) for (q, posts), n in down.most_common()]
    report.topics = topics.most_common()
    report.per_day = [DayCounts(day, **c) for day, c in sorted(per_day.items())]
    return report
