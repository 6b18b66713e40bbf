"""Paths and builders the test files share (plain functions: fixtures stay in conftest.py)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from collections.abc import Collection, Sequence
from pathlib import Path

from retrieval.embedding import Embedder
from retrieval.indexer import build_index
from retrieval.sentence_table import Candidates, SentenceTable
from retrieval.service import AnswerService

REPO = Path(__file__).resolve().parent.parent
SHARED = Path(os.environ.get("VDWBOT_SHARED", REPO.parent / "shared"))
ARCHIVE = SHARED / "archive" / "posts"
SEEDS = REPO / "seeds"
SEED_SLUG = "2800-iu-vitamin-d-daily-did-not-decrease-bone-loss-for-those-with-ms"


def write_post(folder: Path, slug: str, title: str, tags: list[str], paragraphs: int) -> None:
    """A synthetic post in the archive's format (JSON front matter, markdown body)."""
    body = "\n\n".join(
        f"{title}. In trial number {i} the participants took vitamin D for {i + 2} months and "
        f"outcomes were measured against placebo with blood levels rising to {30 + i} ng/ml."
        for i in range(paragraphs)
    )
    post_file(folder, slug, title, body, tags, "2013-05-01")


def post_file(folder: Path, slug: str, title: str, body: str, tags: list[str], date: str) -> None:
    """One post file in the archive's format: JSON front matter, a blank line, the body."""
    meta = {"title": title, "slug": slug, "date": date, "tags": tags}
    (folder / f"{slug}.md").write_text(json.dumps(meta) + "\n\n" + body, "utf-8")


def service_over(posts: Sequence[tuple[str, str, str]], folder: Path, embedder) -> AnswerService:
    """A service answering from an index of `posts` (slug, title, body; written for what a test
    asks of them; no tags), archive and index made in `folder`."""
    archive, root = folder / "posts", folder / "index"
    archive.mkdir()
    for slug, title, body in posts:
        post_file(archive, slug, title, body, [], "2015-01-01")
    build_index(archive, root, embedder)
    return AnswerService(root, embedder, "https://example.org")


def sample_files(archive: Path, n: int) -> list[Path]:
    """A fixed, spread-out sample of archive files (every k-th by name)."""
    files = sorted(archive.glob("*.md"))
    step = max(1, len(files) // n)
    return files[::step][:n]


def share_onnx_export(embedder: Embedder, root: Path) -> None:
    """Let a CLI run on index `root` reuse `embedder`'s ONNX export instead of exporting the model
    again from torch: the CLI keeps its export in `root/cache/onnx`. Only that model's folder is
    copied, not every export the cache holds."""
    folder = embedder.onnx_folder
    shutil.copytree(folder, root / "cache" / "onnx" / folder.name, dirs_exist_ok=True)


def git(cwd: Path, *args: str) -> str:
    """Run git in `cwd` as a fixed test identity; its output (the command must succeed)."""
    who = {"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@t"}
    env = {**os.environ, **who, "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@t"}
    done = subprocess.run(["git", *args], cwd=cwd, env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    return done.stdout


def candidates(
    texts: Sequence[str], bold: Sequence[str] = (), title_numbers: Collection[str] = ()
) -> Candidates:
    """Every sentence of `texts` and `bold` as a finding candidate, as a post with those chunks
    and bold lines gives them."""
    return SentenceTable.build(texts, bold, title_numbers).pick(range(len(texts) + len(bold)))
