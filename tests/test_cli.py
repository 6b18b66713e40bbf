"""CLI contracts not covered elsewhere: `tags --json`, `run` without a token, empty `ask`."""

from __future__ import annotations

import json
import os
import subprocess
import sys

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
