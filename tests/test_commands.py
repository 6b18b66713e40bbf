"""README commands with no other test: `index build` (progress and report), `index update` with
edited, added and removed posts, and `vdwbot eval`; all on seed-sized archives in a temp dir."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest

from bot.cli import main
from retrieval import store
from tests.helpers import SEED_SLUG, SEEDS, share_onnx_export, write_post

QUESTION = "does vitamin D help MS bone loss?"


@pytest.fixture
def archive(tmp_path) -> Path:
    folder = tmp_path / "posts"
    shutil.copytree(SEEDS, folder)
    write_post(folder, "sun-a", "Sunshine in winter and vitamin D levels", ["sun"], 4)
    write_post(folder, "k2-b", "Vitamin K2 with vitamin D for arteries", ["k2"], 4)
    return folder


@pytest.fixture
def root(tmp_path, embedder) -> Path:
    embedder.load()  # the export the CLI then copies instead of exporting again
    root = tmp_path / "ix"
    share_onnx_export(embedder, root)
    return root


def posts_text(root: Path, slug: str) -> str:
    data = store.load(root)
    row = data.by_slug[slug].row
    return " ".join(
        t for t, r in zip(data.chunks.text, data.chunks.post_row, strict=True) if r == row
    )


def test_index_build_shows_progress_and_reports(archive, root, capsys):
    (archive / "broken.md").write_text('{"title": "x"', "utf-8")
    assert main(["index", "build", "--archive", str(archive), "--index", str(root)]) == 0
    err = capsys.readouterr().err
    for stage in ("parsing + chunking", "embedding", "writing index"):
        assert stage in err  # one progress bar per stage
    version = store.current_version(root)
    data = store.load(root)
    head = re.search(r"index version (\S+): (\d+) posts, (\d+) chunks in [\d.]+ s", err)
    assert head and head.groups() == (version, "3", str(len(data.chunks)))
    assert "added 3, updated 0, removed 0, skipped 1" in err
    assert re.search(r"skipped \S*broken\.md: invalid JSON", err)


def test_index_update_handles_edited_added_and_removed_posts(archive, root, capsys):
    assert main(["index", "build", "--archive", str(archive), "--index", str(root)]) == 0
    before = store.load(root)
    seed_vectors = before.chunk_vectors[before.chunks.post_row == before.by_slug[SEED_SLUG].row]
    edited = (archive / "sun-a.md").read_text("utf-8")
    (archive / "sun-a.md").write_text(edited + "\n\nCalcifediol raised levels within weeks.")
    (archive / "k2-b.md").unlink()
    write_post(archive, "new-c", "Magnesium is needed to use vitamin D", ["magnesium"], 2)
    capsys.readouterr()

    assert main(["index", "update", "--archive", str(archive), "--index", str(root)]) == 0
    err = capsys.readouterr().err
    assert "added 1, updated 1, removed 1, skipped 0" in err
    after = store.load(root)
    assert after.version != before.version
    assert sorted(after.by_slug) == sorted([SEED_SLUG, "sun-a", "new-c"])
    assert "Calcifediol raised levels within weeks." in posts_text(root, "sun-a")
    # the unchanged post kept its vectors; only the edited and the new post were embedded
    seed_now = after.chunk_vectors[after.chunks.post_row == after.by_slug[SEED_SLUG].row]
    assert (seed_now == seed_vectors).all()
    embedded = int(re.search(r"\((\d+) texts embedded", err).group(1))
    new_texts = sum(r != after.by_slug[SEED_SLUG].row for r in after.chunks.post_row) + 2
    assert 0 < embedded <= new_texts
    # and the answer reads the edited text
    assert main(["ask", "--index", str(root), "--json", "-k", "3", "calcifediol in winter"]) == 0
    answer = json.loads(capsys.readouterr().out)
    assert answer["results"][0]["slug"] == "sun-a"


def test_eval_scores_the_answers_that_ask_gives(archive, root, tmp_path, capsys):
    assert main(["index", "build", "--archive", str(archive), "--index", str(root)]) == 0
    other = "is shoe size linked to eye colour?"
    questions = [
        {"id": "ms", "question": QUESTION, "kind": "paraphrase", "relevant": {SEED_SLUG: 2},
         "answer_facts": ["20,000 IU"]},
        {"id": "k2", "question": "vitamin K2 and arteries", "kind": "paraphrase",
         "relevant": {"k2-b": 2}, "answer_facts": []},
        {"id": "none", "question": other, "kind": "no_answer", "relevant": {}},
    ]  # fmt: skip
    qfile = tmp_path / "questions.json"
    qfile.write_text(json.dumps(questions), "utf-8")
    capsys.readouterr()
    assert main(["ask", "--index", str(root), "--json", other]) == 0
    other_confident = json.loads(capsys.readouterr().out)["confident"]

    args = ["eval", "--index", str(root), "--questions", str(qfile)]
    assert main([*args, "--json", "--details"]) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    rows, summary = [json.loads(x) for x in lines[:-1]], json.loads(lines[-1])
    assert len(rows) == 3
    assert summary["questions"] == 3 and summary["answerable"] == 2
    assert summary["hit1"] == summary["hit3"] == summary["mrr"] == 1.0
    assert summary["no_answer"] == {"questions": 1, "not_confident": float(not other_confident)}
    assert main(args) == 0  # the text summary
    text = capsys.readouterr().out
    assert text.startswith("3 questions (2 answerable)") and "nDCG@10 1.000" in text
