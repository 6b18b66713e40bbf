"""The question log (no names or ids, retention, off switch) and the gap report built from it."""

from __future__ import annotations

import io
import sqlite3

from retrieval.feedback import FeedbackStore
from retrieval.gap_report import gap_report
from retrieval.question_log import DAY, QuestionLog
from retrieval.search import Answer, Hit

NOW = 1_800_000_000.0  # a fixed clock: 2027-01-15


def answer(question: str, confident: bool, *tagged: tuple[str, list[str]]) -> Answer:
    hits = [
        Hit(slug=slug, title=f"Title of {slug}", date="", tags=tuple(tags), url="", score=0.5)
        for slug, tags in tagged
    ]
    return Answer(question, confident, hits, len(hits))


def test_log_stores_no_user_and_keeps_only_the_retention(tmp_path):
    log = QuestionLog(tmp_path / "q.sqlite", keep_days=30)
    log.record(answer("old question", True, ("a", ["x"])), now=NOW - 40 * DAY)
    log.record(answer("recent question", False, ("b", ["y"])), now=NOW - DAY)
    log.record(answer("😀", False), now=NOW)  # nothing to search for: not a question
    columns = [r[1] for r in log.db.execute("PRAGMA table_info(questions)")]
    assert columns == ["at", "question", "confident", "slugs", "tags"]
    rows = log.since(0)
    assert [r.question for r in rows] == ["recent question"]  # the 40-day-old one was deleted
    assert rows[0].slugs == ("b",) and rows[0].tags == ("y",) and not rows[0].confident


def test_zero_days_turns_the_log_off_and_empties_it(tmp_path):
    path = tmp_path / "q.sqlite"
    QuestionLog(path, keep_days=90).record(answer("kept a while", True), now=NOW)
    log = QuestionLog(path, keep_days=0)
    log.record(answer("never kept", True), now=NOW)
    assert log.since(0) == []
    assert sqlite3.connect(path).execute("SELECT COUNT(*) FROM questions").fetchone() == (0,)


def test_report_lists_gaps_votes_topics_and_days(tmp_path):
    log = QuestionLog(tmp_path / "q.sqlite", keep_days=90)
    feedback = FeedbackStore(tmp_path / "f.sqlite")
    log.record(answer("Vitamin D and tinnitus?", False, ("p1", ["Hearing"])), now=NOW - 2 * DAY)
    log.record(answer("vitamin d and  TINNITUS?", False), now=NOW - DAY)
    log.record(answer("tesla tires", False), now=NOW - DAY)
    log.record(answer("dose in pregnancy", True, ("p2", ["Pregnancy", "Vitamin D"])), now=NOW)
    log.record(answer("pregnancy risks", True, ("p2", ["pregnancy"]), ("p3", ["Infant"])), now=NOW)
    log.record(answer("too old to count", False), now=NOW - 20 * DAY)
    feedback.record(7, "pregnancy risks", ["p2", "p9"], 1, at=NOW - DAY - 60)
    feedback.record(7, "pregnancy risks", ["p2", "p9"], -1, at=NOW - DAY)  # changed their mind
    feedback.record(8, "dose in pregnancy", ["p2"], 1, at=NOW)

    report = gap_report(log, feedback, days=7, titles={"p2": "Pregnancy post"}, now=NOW)
    assert report.questions == 5
    assert [(u.question, u.times) for u in report.unanswered] == [
        ("Vitamin D and tinnitus?", 2),
        ("tesla tires", 1),
    ]
    (down,) = report.downvoted
    assert down.question == "pregnancy risks" and down.posts == ("Pregnancy post", "p9")
    assert down.votes == 1
    assert report.topics == [("pregnancy", 2), ("infant", 1)]  # generic "vitamin d" left out
    days = {d.day: d for d in report.per_day}
    assert days["2027-01-15"].questions == 2 and days["2027-01-15"].up == 1
    assert days["2027-01-14"].not_confident == 2 and days["2027-01-14"].down == 1

    text = report.text()
    assert "2× Vitamin D and tinnitus?" in text and "Pregnancy post; p9" in text
    out = io.StringIO()
    report.write_csv(out)
    rows = out.getvalue().splitlines()
    assert rows[0] == "section,day,text,count,detail"
    assert "no_confident_answer,2027-01-14,Vitamin D and tinnitus?,2," in rows
