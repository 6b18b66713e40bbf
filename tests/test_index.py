"""A real index over ~150 archive posts plus the seed: build, search, CLI contract, atomicity."""

from __future__ import annotations

import json
import shutil
from itertools import pairwise
from pathlib import Path

import pytest

from bot.cli import main
from retrieval import store
from retrieval.indexer import build_index
from retrieval.likeness import FIXED
from retrieval.search import FINDINGS_PER_POST, FIRST_POST_FINDINGS, REVIEW_MARGIN, Searcher
from tests.helpers import REPO, SEED_SLUG, SEEDS, share_onnx_export

SEED_URL = f"https://vitamindwiki.com/pages/{SEED_SLUG}/"
QUESTION = "does vitamin D help MS bone loss?"

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def searcher(sample_index, embedder) -> Searcher:
    return Searcher(store.load(sample_index, expected_model=embedder.name), embedder)


def test_manifest_records_model_and_counts(sample_index, sample_archive):
    data = store.load(sample_index)
    m = data.manifest
    assert m["model"] == "all-MiniLM-L6-v2" and m["dimension"] == 384
    assert m["posts"] == len(list(sample_archive.glob("*.md"))) == len(data.posts)
    assert m["chunks"] == len(data.chunks) == len(data.chunk_vectors) > m["posts"]
    assert m["skipped"] == []


def test_seed_post_comes_first(searcher):
    answer = searcher.search(QUESTION)
    assert answer.confident
    top = answer.hits[0]
    assert top.slug == SEED_SLUG and top.url == SEED_URL
    assert top.title == "2800 IU vitamin D daily did not decrease bone loss for those with MS"
    assert FINDINGS_PER_POST < len(top.findings) <= FIRST_POST_FINDINGS
    assert all(len(h.findings) <= FINDINGS_PER_POST for h in answer.hits[1:])
    assert all(
        len(h.findings) <= FINDINGS_PER_POST for h in searcher.search(QUESTION, start=1).hits
    )
    # findings are quoted from the post's own text, never invented
    row = searcher.index.by_slug[SEED_SLUG].row
    chunks = searcher.index.chunks
    post_text = " ".join(t for t, r in zip(chunks.text, chunks.post_row, strict=True) if r == row)
    post_text = " ".join(post_text.split())
    for finding in top.findings:
        assert finding.strip("… ") in post_text  # cut at either end, marked


def test_one_entry_per_post(searcher, monkeypatch):
    answer = searcher.search("vitamin D and cancer", k=10)
    slugs = [h.slug for h in answer.hits]
    assert len(slugs) == len(set(slugs)) == 10
    # the places after the first three are also ordered by their likeness to those
    # (retrieval/likeness.py), which never moves the first three
    assert [h.slug for h in searcher.search("vitamin D and cancer", k=FIXED).hits] == slugs[:FIXED]
    monkeypatch.setattr(searcher.likeness, "reorder", lambda rows, scores: rows)
    by_score = searcher.search("vitamin D and cancer", k=10).hits
    assert [h.slug for h in by_score[:FIXED]] == slugs[:FIXED]
    # best first: by score, a narrative review on the first page as if REVIEW_MARGIN lower
    placed = [h.score - (REVIEW_MARGIN if h.evidence == "review" else 0) for h in by_score]
    assert all(a >= b - 1e-4 for a, b in pairwise(placed))  # scores are shown rounded


def test_paging_continues_the_ranking(searcher):
    first = searcher.search("vitamin D and pregnancy", k=6)
    second = searcher.search("vitamin D and pregnancy", k=3, start=3)
    assert [h.slug for h in second.hits] == [h.slug for h in first.hits[3:6]]


def test_base_url_is_configurable(sample_index, embedder):
    s = Searcher(store.load(sample_index), embedder, base_url="http://mirror.example/")
    assert s.search(QUESTION).hits[0].url == f"http://mirror.example/pages/{SEED_SLUG}/"


def test_cli_json_contract(sample_index, capsys):
    assert main(["ask", "--index", str(sample_index), "--json", "-k", "4", QUESTION]) == 0
    out = json.loads(capsys.readouterr().out)
    assert set(out) == {
        "question", "confident", "lead", "missing", "asked_evidence", "read_as", "unread", "urgent",
        "units", "results",
    }  # fmt: skip
    assert out["question"] == QUESTION and out["confident"] is True
    assert out["asked_evidence"] == [] and out["read_as"] is None and out["unread"] is None
    assert out["urgent"] is False and out["units"] == []
    assert len(out["results"]) == 4
    lead = out["lead"]  # one of the quoted findings, naming the post it is from
    assert lead["text"] in out["results"][lead["result"]]["findings"]
    for r in out["results"]:
        assert set(r) == {"slug", "title", "url", "score", "findings", "evidence", "year"}
        assert isinstance(r["score"], float) and all(isinstance(f, str) for f in r["findings"])
        assert r["evidence"] is None or isinstance(r["evidence"], str)
        assert r["year"] is None or isinstance(r["year"], int)
        assert all(len(f) <= 300 for f in r["findings"])
    assert out["results"][0]["url"] == SEED_URL


def test_cli_batch_keeps_order(sample_index, tmp_path, capsys):
    questions = ["is vitamin D good for MS bones", "", "vitamin D dose in pregnancy", "cancer"]
    batch = tmp_path / "q.txt"
    batch.write_text("\n".join(questions), "utf-8")
    assert main(["ask", "--index", str(sample_index), "--batch", str(batch), "--json"]) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    assert [json.loads(x)["question"] for x in lines] == [q for q in questions if q]


def test_cli_text_answer(sample_index, capsys):
    assert main(["ask", "--index", str(sample_index), QUESTION]) == 0
    out = capsys.readouterr().out
    lead, posts = out.split("\n\n", 1)
    assert lead.startswith("In short: ") and lead.endswith("[1]")
    assert posts.startswith(
        "1. 2800 IU vitamin D daily did not decrease bone loss for those with MS"
    )
    assert SEED_URL in out


def test_ask_without_index_builds_from_seeds(tmp_path, embedder, capsys):
    root = tmp_path / "fresh"
    embedder.load()
    share_onnx_export(embedder, root)
    assert main(["ask", "--index", str(root), "--json", QUESTION]) == 0
    captured = capsys.readouterr()
    assert json.loads(captured.out)["results"][0]["slug"] == SEED_SLUG
    assert "building one from the demo archive" in captured.err
    assert store.exists(root)


def test_model_mismatch_is_a_clear_error(sample_index):
    with pytest.raises(store.IndexLoadError, match="built with model 'all-MiniLM-L6-v2'"):
        store.load(sample_index, expected_model="some-other-model")


def test_failed_build_leaves_serving_index_untouched(tmp_path, embedder, monkeypatch):
    root = tmp_path / "ix"
    build_index(SEEDS, root, embedder)
    before = store.current_version(root)

    def disk_full(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(store, "_write_sqlite", disk_full)
    with pytest.raises(OSError, match="No space"):
        build_index(SEEDS, root, embedder)
    assert store.current_version(root) == before
    assert store.load(root).posts[0].slug == SEED_SLUG
    assert not list(root.glob(".tmp-*"))


def test_incremental_update_embeds_only_new_posts(tmp_path, embedder, archive_dir):
    archive = tmp_path / "posts"
    shutil.copytree(SEEDS, archive)
    root = tmp_path / "ix"
    build_index(archive, root, embedder)
    extra = next(p for p in sorted(archive_dir.glob("*.md")) if p.stat().st_size > 3000)
    shutil.copy(extra, archive / extra.name)
    report = build_index(archive, root, embedder, incremental=True)
    assert report.added == [extra.stem] and report.updated == [] and report.removed == []
    seed_chunks = len(store.load(root).chunks) - report.embedded + 1  # +1: the new title
    assert report.reused >= seed_chunks > 0
    (archive / extra.name).unlink()
    report = build_index(archive, root, embedder, incremental=True)
    assert report.removed == [extra.stem] and report.embedded == 0
    version = store.current_version(root)
    again = build_index(archive, root, embedder, incremental=True)  # nothing changed
    assert again.version == version == store.current_version(root) and again.embedded == 0


def test_build_report_lists_skipped_posts(tmp_path, embedder):
    archive = tmp_path / "posts"
    shutil.copytree(SEEDS, archive)
    (archive / "broken.md").write_text('{"title": "x"', "utf-8")
    report = build_index(archive, tmp_path / "ix", embedder)
    assert report.posts == 1 and [Path(s.path).name for s in report.skipped] == ["broken.md"]
    assert "broken.md" in report.summary() and "invalid JSON" in report.summary()
    assert store.load(tmp_path / "ix").manifest["skipped"][0]["reason"].startswith("invalid JSON")


def test_update_and_answer_without_importing_torch(tmp_path, embedder):
    """An update embeds new text with ONNX Runtime and chunks with the model's tokenizer.json, so
    neither a maintainer's update nor a question waits seconds for transformers and torch."""
    import subprocess
    import sys

    embedder.load()  # exports the ONNX model once, into the cache the child uses too
    archive = tmp_path / "posts"
    shutil.copytree(SEEDS, archive)
    script = f"""
import sys
from pathlib import Path
from retrieval.embedding import Embedder
from retrieval.indexer import build_index
from retrieval.service import AnswerService
embedder = Embedder()
report = build_index(Path({str(archive)!r}), Path({str(tmp_path / "ix")!r}), embedder)
service = AnswerService(Path({str(tmp_path / "ix")!r}), embedder, "https://vitamindwiki.com")
answer = service.ask({QUESTION!r})
print(report.posts, answer.hits[0].slug, sorted({{"torch", "transformers"}} & set(sys.modules)))
"""
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, cwd=REPO)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["1", SEED_SLUG, "[]"]
