"""Shared fixtures: the real archive (skipped without ../shared), the model, sample indexes."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
SHARED = Path(os.environ.get("VDWBOT_SHARED", REPO.parent / "shared"))
ARCHIVE = SHARED / "archive" / "posts"
SEEDS = REPO / "seeds"
SEED_SLUG = "2800-iu-vitamin-d-daily-did-not-decrease-bone-loss-for-those-with-ms"


def write_post(folder: Path, slug: str, title: str, tags: list[str], paragraphs: int) -> None:
    """A synthetic post in the archive's format (JSON front matter, markdown body)."""
    meta = {"title": title, "slug": slug, "date": "2013-05-01", "tags": tags}
    body = "\n\n".join(
        f"{title}. In trial number {i} the participants took vitamin D for {i + 2} months and "
        f"outcomes were measured against placebo with blood levels rising to {30 + i} ng/ml."
        for i in range(paragraphs)
    )
    (folder / f"{slug}.md").write_text(json.dumps(meta) + "\n\n" + body, "utf-8")


@pytest.fixture(scope="session")
def archive_dir() -> Path:
    if not ARCHIVE.is_dir():
        pytest.skip(f"real archive not available at {ARCHIVE}")
    return ARCHIVE


@pytest.fixture(scope="session")
def archive_posts(archive_dir):
    from retrieval.archive import load_posts

    return load_posts(archive_dir)


@pytest.fixture(scope="session")
def fast_tokenizer():
    """What chunking uses: the model's tokenizer.json, without transformers."""
    from retrieval.embedding import default_model_path
    from retrieval.onnx_backend import load_tokenizer

    return load_tokenizer(default_model_path())


@pytest.fixture(scope="session")
def tokenizer():
    """The Hugging Face tokenizer, to check chunk lengths independently of chunking."""
    from transformers import AutoTokenizer

    from retrieval.embedding import default_model_path

    return AutoTokenizer.from_pretrained(default_model_path())


@pytest.fixture(scope="session")
def embedder():
    from retrieval.embedding import Embedder

    return Embedder()


def sample_files(archive: Path, n: int) -> list[Path]:
    """A fixed, spread-out sample of archive files (every k-th by name)."""
    files = sorted(archive.glob("*.md"))
    step = max(1, len(files) // n)
    return files[::step][:n]


@pytest.fixture(scope="session")
def sample_archive(archive_dir, tmp_path_factory) -> Path:
    """~150 real posts plus the seed, copied to a temp folder (never into the repo)."""
    folder = tmp_path_factory.mktemp("sample_archive")
    for f in sample_files(archive_dir, 150):
        shutil.copy(f, folder / f.name)
    for f in SEEDS.glob("*.md"):
        shutil.copy(f, folder / f.name)
    return folder


@pytest.fixture(scope="session")
def sample_index(sample_archive, embedder, tmp_path_factory) -> Path:
    from retrieval.indexer import build_index

    root = tmp_path_factory.mktemp("index") / "sample"
    build_index(sample_archive, root, embedder)
    return root
