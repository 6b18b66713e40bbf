"""The model options the README promises: `--model` (a folder path), `--backend`, int8, and ONNX
vectors equal to torch's."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys

import numpy as np
import pytest

from bot.cli import main
from retrieval import store
from retrieval.embedding import Embedder, default_model_path
from retrieval.indexer import build_index
from tests.helpers import REPO, SEED_SLUG, SEEDS, share_onnx_export

QUESTION = "does vitamin D help MS bone loss?"
TEXTS = [
    QUESTION,
    "Supplementation with 20,000 IU vitamin D3 a week did not prevent bone loss in MS.",
    "Vitamin D " * 300,  # longer than the window: both backends truncate alike
]


@pytest.fixture(scope="module")
def torch_embedder() -> Embedder:
    return Embedder(backend="torch")


@pytest.mark.slow  # loads torch
def test_onnx_vectors_equal_torch_vectors(embedder, torch_embedder):
    onnx, torch = embedder.encode(TEXTS), torch_embedder.encode(TEXTS)
    assert embedder.backend == "onnx" and torch_embedder.backend == "torch"
    assert embedder.name == torch_embedder.name  # so their indexes are interchangeable
    assert onnx.shape == torch.shape == (3, 384)
    np.testing.assert_allclose(onnx, torch, atol=1e-5)


def test_int8_is_close_but_recorded_as_another_model(embedder, tmp_path):
    int8 = Embedder(backend="onnx-int8")
    vectors, exact = int8.encode(TEXTS), embedder.encode(TEXTS)
    cosines = (vectors * exact).sum(axis=1)
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1, atol=1e-5)
    assert (cosines > 0.8).all() and not np.allclose(vectors, exact, atol=1e-3)
    report = build_index(SEEDS, tmp_path / "ix", int8)
    assert report.posts == 1
    assert store.load(tmp_path / "ix").manifest["model"] == "all-MiniLM-L6-v2+int8"
    # an fp32 update must not reuse int8 vectors, and an fp32 service refuses the int8 index
    with pytest.raises(store.IndexLoadError, match=r"built with model 'all-MiniLM-L6-v2\+int8'"):
        store.load(tmp_path / "ix", expected_model=embedder.name)


def test_cli_backend_int8_builds_and_answers(embedder, tmp_path, capsys):
    Embedder(backend="onnx-int8").load()  # exported once, next to the fp32 export
    root = tmp_path / "ix"
    share_onnx_export(embedder, root)
    ask = ["ask", "--index", str(root), "--backend", "onnx-int8", "--json", QUESTION]
    assert main(ask) == 0  # no index yet: built from seeds/ with int8
    assert json.loads(capsys.readouterr().out)["results"][0]["slug"] == SEED_SLUG
    assert store.load(root).manifest["model"] == "all-MiniLM-L6-v2+int8"
    assert main(["ask", "--index", str(root), "--json", QUESTION]) == 1  # default fp32
    assert "built with model 'all-MiniLM-L6-v2+int8'" in capsys.readouterr().err


@pytest.mark.slow  # loads torch
def test_cli_model_by_path_and_torch_backend(tmp_path, capsys):
    """A model folder given by path (the packaged one, copied elsewhere) runs on torch."""
    model = tmp_path / "my-model"
    shutil.copytree(default_model_path(), model)
    archive = tmp_path / "posts"
    shutil.copytree(SEEDS, archive)
    root = tmp_path / "ix"
    chosen = ["--index", str(root), "--model", str(model), "--backend", "torch"]
    assert main(["index", "build", "--archive", str(archive), *chosen]) == 0
    manifest = store.load(root).manifest
    assert manifest["model"] == str(model) and manifest["dimension"] == 384
    assert not (root / "cache" / "onnx").exists()  # torch: nothing exported
    capsys.readouterr()
    assert main(["ask", *chosen, "--json", QUESTION]) == 0
    assert json.loads(capsys.readouterr().out)["results"][0]["slug"] == SEED_SLUG
    # the index records its model: asking with the default model is refused, clearly
    assert main(["ask", "--index", str(root), QUESTION]) == 1
    assert f"built with model {str(model)!r}" in capsys.readouterr().err


def test_unknown_model_folder_is_a_clear_error(tmp_path, capsys):
    missing = tmp_path / "no-such-model"
    args = ["index", "build", "--archive", str(SEEDS), "--index", str(tmp_path / "ix")]
    assert main([*args, "--model", str(missing), "--backend", "torch"]) == 1
    err = capsys.readouterr().err
    assert "\nvdwbot: cannot load embedding model" in err and "--model" in err
    assert "Traceback" not in err


def test_nothing_is_downloaded_at_run_time():
    """The hub client is offline in every process that starts from the CLI, whatever the shell
    says (a missing model is then an error, never a download)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("HF_", "TRANSFORMERS_"))}
    script = (
        "import bot.cli, retrieval.embedding\n"
        "from huggingface_hub import constants\n"
        "print(constants.HF_HUB_OFFLINE)"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], cwd=REPO, env=env, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "True"
