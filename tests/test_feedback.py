"""👍/👎 votes: one per person per answer, kept without any user id."""

import sqlite3
import stat

from retrieval.feedback import FEEDBACK_FILE, KEY_FILE, FeedbackStore

ANSWER = ("does vitamin D help MS?", ["ms-trial", "ms-review"])


def stored_rows(path):
    with sqlite3.connect(path) as db:
        return db.execute("SELECT * FROM votes").fetchall()


def test_a_second_click_replaces_the_first(tmp_path):
    store = FeedbackStore(tmp_path / FEEDBACK_FILE)
    for vote in (-1, -1, -1, 1):
        store.record(222, *ANSWER, vote)
    store.record(333, *ANSWER, -1)
    store.record(222, "another question", ["ms-trial"], -1)
    votes = sorted((q, tuple(s), v) for _, q, s, v in store.votes_since(0))
    assert votes == [
        ("another question", ("ms-trial",), -1),
        (ANSWER[0], tuple(ANSWER[1]), -1),
        (ANSWER[0], tuple(ANSWER[1]), 1),
    ]


def test_no_user_id_is_stored_and_votes_do_not_link(tmp_path):
    path = tmp_path / FEEDBACK_FILE
    store = FeedbackStore(path)
    store.record(222, *ANSWER, 1)
    store.record(222, "another question", ["ms-trial"], -1)
    rows = stored_rows(path)
    values = {str(v) for row in rows for v in row}
    assert "222" not in values
    voters = {row[0] for row in rows}
    assert len(voters) == 2  # the same person's two votes carry nothing in common
    with sqlite3.connect(path) as db:
        columns = {r[1] for r in db.execute("PRAGMA table_info(votes)")}
    assert not {"user_id", "user", "name"} & columns


def test_the_key_is_private_and_kept_across_restarts(tmp_path):
    path = tmp_path / FEEDBACK_FILE
    FeedbackStore(path).record(222, *ANSWER, -1)
    key = tmp_path / KEY_FILE
    assert stat.S_IMODE(key.stat().st_mode) == 0o600 and len(key.read_bytes()) == 32
    FeedbackStore(path).record(222, *ANSWER, 1)  # after a restart: still the same person
    assert [v for *_, v in FeedbackStore(path).votes_since(0)] == [1]


def test_votes_of_the_earlier_table_are_moved_without_their_user_ids(tmp_path):
    path = tmp_path / FEEDBACK_FILE
    with sqlite3.connect(path) as db:
        db.execute(
            "CREATE TABLE feedback (at REAL, user_id INTEGER, question TEXT, slugs TEXT, "
            "vote INTEGER)"
        )
        db.executemany(
            "INSERT INTO feedback VALUES (?, ?, ?, ?, ?)",
            [(1.0, 987654321, "q", "a b", -1), (2.0, 987654321, "q", "a b", 1),
             (3.0, 5, "q", "a b", -1)],
        )  # fmt: skip
    store = FeedbackStore(path)
    assert store.votes_since(0) == [(2.0, "q", ["a", "b"], 1), (3.0, "q", ["a", "b"], -1)]
    with sqlite3.connect(path) as db:
        tables = {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    assert tables == {"votes"}
    store.record(987654321, "q", ["a", "b"], -1, at=4.0)  # the moved vote is still theirs
    assert [v for *_, v in store.votes_since(0)] == [-1, -1]
