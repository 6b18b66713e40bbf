"""Shared fixtures: the real archive (skipped without ../shared), the model, sample indexes."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.helpers import ARCHIVE, SEEDS, sample_files, share_onnx_export


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
    share_onnx_export(embedder, root)  # CLI tests on it load the model, not export it
    return root
