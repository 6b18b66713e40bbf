"""CLI contracts not covered elsewhere: `tags --json`, `run` without a token, empty `ask`."""

from __future__ import annotations

import io
import json
import os
import re
import subprocess
import sys

import pytest

from bot.cli import main
from retrieval.indexer import build_index
from tests.helpers import REPO, SEEDS


def test_tags_json_contract(tmp_path, embedder, capsys):
    root = tmp_path / "ix"
    build_index(SEEDS, root, embedder)
    assert main(["tags", "--index", str(root), "--json", "osteoporsis"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["query"] == "osteoporsis"
    assert out["tags"][0] == {"tag": "osteoporosis", "posts": 1}


def test_ask_without_question_is_one_clear_line(capsys):
    assert main(["ask"]) == 1
    assert capsys.readouterr().err.startswith("vdwbot: give a question")


@pytest.mark.parametrize(
    "args",
    [["ask", "-k", "0", "q"], ["ask", "-k", "-3", "q"], ["chat", "-k", "x"],
     ["report", "--days", "0"], ["tags", "--limit", "0", "bone"]],
)  # fmt: skip
def test_counts_below_one_are_a_usage_error_not_an_empty_answer(args, capsys):
    with pytest.raises(SystemExit) as exit_:
        main(args)
    assert exit_.value.code == 2
    err = capsys.readouterr().err
    assert "must be at least 1" in err or "is not a whole number" in err


def test_run_without_token_is_one_clear_line(tmp_path):
    env = {k: v for k, v in os.environ.items() if k != "DISCORD_TOKEN"}
    done = subprocess.run(
        [sys.executable, "-m", "bot", "run"], cwd=tmp_path, env=env, capture_output=True,
        text=True, timeout=120,
    )  # fmt: skip
    assert done.returncode == 1
    assert (
        done.stderr.strip()
        == "vdwbot: DISCORD_TOKEN is not set: put it in the environment or in .env"
    )
    assert str(REPO) not in done.stdout


def test_first_ask_prints_no_warnings(tmp_path):
    """The demo's first run exports the model to ONNX: only progress and the answer are shown."""
    index = tmp_path / "ix"  # no index and no exported model yet: both are made on this run
    done = subprocess.run(
        [sys.executable, "-m", "bot", "ask", "--index", str(index), "vitamin D and MS"],
        cwd=REPO, capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert (index / "cache" / "onnx").is_dir()  # the export really ran in this process
    assert "Warning" not in done.stderr, done.stderr  # TracerWarning, UserWarning, ...
    assert re.match(r"(In short: .+ \[\d\]\n\n)?1\. ", done.stdout), done.stdout  # answer only


def recording_asks(monkeypatch) -> list[tuple[str, tuple[str, ...]]]:
    """(question, previous) of every AnswerService.ask the CLI makes; answers stay real."""
    from retrieval.service import AnswerService

    asked: list[tuple[str, tuple[str, ...]]] = []
    ask = AnswerService.ask

    def recording(self, question, k=3, start=0, *, previous=(), **filters):
        asked.append((question, tuple(previous)))
        return ask(self, question, k, start, previous=previous, **filters)

    monkeypatch.setattr(AnswerService, "ask", recording)
    return asked


def test_ask_after_passes_the_earlier_questions_oldest_first(tmp_path, monkeypatch, capsys):
    asked = recording_asks(monkeypatch)
    root = tmp_path / "ix"
    argv = ["ask", "--index", str(root), "--json", "--after", "does vitamin D help MS?",
            "--after", "what dose did they use?", "and for", "kids?"]  # fmt: skip
    assert main(argv) == 0
    assert asked == [("and for kids?", ("does vitamin D help MS?", "what dose did they use?"))]
    assert json.loads(capsys.readouterr().out.splitlines()[-1])["question"] == "and for kids?"


def test_chat_keeps_context_until_new_and_quits(tmp_path, monkeypatch, capsys):
    asked = recording_asks(monkeypatch)
    lines = ["does vitamin D help MS bone loss?", "thanks!", "what dose?", "", "/new",
             "vitamin D and sleep", "/quit", "never asked"]  # fmt: skip
    monkeypatch.setattr(sys, "stdin", io.StringIO("\n".join(lines) + "\n"))
    assert main(["chat", "--index", str(tmp_path / "ix")]) == 0
    assert asked == [
        ("does vitamin D help MS bone loss?", ()),
        ("thanks!", ("does vitamin D help MS bone loss?",)),
        ("what dose?", ("does vitamin D help MS bone loss?",)),  # small talk is no turn
        ("vitamin D and sleep", ()),
    ]
    assert capsys.readouterr().out.count("1. ") == 3  # each one answered
    monkeypatch.setattr(sys, "stdin", io.StringIO("vitamin D and MS"))  # no newline, then EOF
    assert main(["chat", "--index", str(tmp_path / "ix")]) == 0
    assert asked[-1] == ("vitamin D and MS", ())


def test_report_prints_and_writes_csv(tmp_path, capsys):
    from retrieval.feedback import FEEDBACK_FILE, FeedbackStore
    from retrieval.question_log import QUESTIONS_FILE, QuestionLog
    from retrieval.search import Answer

    root = tmp_path / "ix"
    QuestionLog(root / QUESTIONS_FILE, 90).record(Answer("vitamin D and tinnitus?", False, [], 0))
    FeedbackStore(root / FEEDBACK_FILE).record(5, "vitamin D and gout", ["some-post"], -1)
    out_csv = tmp_path / "gaps.csv"
    assert main(["report", "--index", str(root), "--days", "3", "--csv", str(out_csv)]) == 0
    text = capsys.readouterr().out
    assert text.startswith("Gap report, last 3 days: 1 questions, 1 without a confident answer")
    assert "1× vitamin D and tinnitus?" in text and "1× vitamin D and gout → some-post" in text
    rows = out_csv.read_text("utf-8").splitlines()
    assert rows[0] == "section,day,text,count,detail" and len(rows) == 4  # + the day's counts
