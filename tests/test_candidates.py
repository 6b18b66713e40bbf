"""FAISS candidates: the head they give equals scoring every post; index types chosen and kept."""

from __future__ import annotations

import faiss
import numpy as np
import pytest

from retrieval import candidates, store
from retrieval.candidates import CandidateScorer
from retrieval.search import combine_scores

DIM = 32


def synthetic(n_posts: int, seed: int = 0) -> store.IndexData:
    """Random normalised vectors; every 7th post has no text (judged on its title alone)."""
    rng = np.random.default_rng(seed)
    sizes = rng.integers(1, 9, n_posts)
    sizes[::7] = 0
    post_row = np.repeat(np.arange(n_posts), sizes)

    def unit(n: int) -> np.ndarray:
        v = rng.standard_normal((n, DIM)).astype(np.float32)
        return v / np.linalg.norm(v, axis=1, keepdims=True)

    posts = [
        store.PostRecord(
            slug=f"post-{r}",
            title=f"Post {r}",
            date="",
            tags=(),
            categories=(),
            aliases=(),
            page_id=None,
            body="",
            path="",
            content_hash="h",
            row=r,
        )
        for r in range(n_posts)
    ]
    n = len(post_row)
    table = store.ChunkTable(post_row, [""] * n, [0] * n, ["text"] * n, ["h"] * n)
    return store.IndexData({"model": "test"}, posts, table, unit(n), unit(n_posts))


def brute_force(data: store.IndexData, q: np.ndarray, lexical: np.ndarray) -> np.ndarray:
    """Every post scored the way rank_posts scored them before candidates."""
    title = np.asarray(data.title_vectors) @ q
    dense = title.copy()
    chunk = np.asarray(data.chunk_vectors) @ q
    for row in range(len(data.posts)):
        mine = chunk[data.chunks.post_row == row]
        if len(mine):
            dense[row] = mine.max()
    return combine_scores(dense, title, lexical, np.zeros_like(title))


@pytest.mark.parametrize("exhaustive", [True, False])
def test_head_is_the_exact_ranking(exhaustive):
    """Scoring every post, or the candidates from exact neighbour lists, gives the exact head,
    and the chunks of a ranked post are scored when its findings ask."""
    data = synthetic(600)
    scorer = CandidateScorer.for_index(data, exhaustive)
    rng = np.random.default_rng(1)
    for _ in range(30):
        q = data.chunk_vectors[rng.integers(len(data.chunk_vectors))] + 0.3 * rng.standard_normal(
            DIM
        ).astype(np.float32)
        q /= np.linalg.norm(q)
        lexical = np.where(rng.random(600) < 0.2, rng.random(600), 0).astype(np.float32)
        expected = brute_force(data, q, lexical)
        got = scorer.score(q, lexical, combine_scores, head=10)
        assert got.certain >= 10
        if exhaustive:  # every post scored: match counts are exact
            assert np.count_nonzero(got.scores >= 0.2) == np.count_nonzero(expected >= 0.2)
        head = got.rows[:10]
        assert np.allclose(got.scores[head], np.sort(expected)[::-1][:10], atol=1e-5)
        assert np.allclose(got.scores[head], expected[head], atol=1e-5)
        for row in got.rows[:30]:  # a ranked post's chunks are scored for its findings
            mine = data.chunks.post_row == row
            sims = got.chunk_sims.of_post(int(row))
            assert np.allclose(sims, data.chunk_vectors[mine] @ q, atol=1e-5)


@pytest.mark.parametrize("exhaustive", [True, False])
def test_a_lift_raises_posts_no_search_found(exhaustive):
    """A question's lift (the multilingual model's, for another language) is added to every
    post's score; over candidates, the posts it raises most are scored even when the chunk,
    title and lexical searches did not find them, and the head stays certain."""
    data = synthetic(600)
    scorer = CandidateScorer.for_index(data, exhaustive)
    rng = np.random.default_rng(5)
    q = rng.standard_normal(DIM).astype(np.float32)
    q /= np.linalg.norm(q)
    none = np.zeros(600, np.float32)
    base = brute_force(data, q, none)
    lift = rng.normal(0, 0.01, 600).astype(np.float32)
    lowest = np.argsort(base)[:4]
    lift[lowest] = 2.0  # far above any similarity: these four must lead
    got = scorer.score(q, none, combine_scores, head=10, lift=lift)
    assert set(got.rows[:4].tolist()) == set(lowest.tolist())
    expected = base + lift
    head = got.rows[:10]
    assert np.allclose(got.scores[head], np.sort(expected)[::-1][:10], atol=1e-5)
    assert got.certain >= 10


@pytest.mark.parametrize("n", [50, 101, 5_000, 300_000])
def test_lexical_top_is_the_k_best_scores(n):
    """BM25's top rows, found from a sampled threshold, hold the k best positive scores (rows
    may differ among ties), and the best score left out is the (k+1)-th."""
    rng = np.random.default_rng(n)
    for zeros in (0.0, 0.5, 0.999):
        scores = rng.random(n).astype(np.float32).round(2)  # many ties
        scores[rng.random(n) < zeros] = 0
        rows, floor = candidates._top(scores, 100)
        ranked = np.sort(scores)[::-1]
        expected = ranked[:100][ranked[:100] > 0]
        assert np.array_equal(np.sort(scores[rows])[::-1], expected)
        assert len(set(rows.tolist())) == len(rows)
        assert floor == (max(float(ranked[100]), 0.0) if n > 100 else 0.0)


def test_index_type_follows_size_and_setting(monkeypatch):
    assert store.index_type_for(store.FLAT_MAX_VECTORS) == "flat"
    assert store.index_type_for(store.FLAT_MAX_VECTORS + 1) == "ivf"
    assert store.index_type_for(10, "ivf") == "ivf"
    monkeypatch.setenv(store.INDEX_TYPE_ENV, "hnsw")
    with pytest.raises(ValueError, match="VDWBOT_INDEX_TYPE"):
        store.index_type_setting()


@pytest.mark.parametrize("setting", ["flat", "ivf"])
def test_written_index_type_is_recorded_and_loaded(tmp_path, monkeypatch, setting):
    monkeypatch.setenv(store.INDEX_TYPE_ENV, setting)
    data = synthetic(300)
    chunks = np.array(data.chunk_vectors)
    store.write_version(tmp_path, data)
    loaded = store.load(tmp_path)
    assert loaded.manifest["index_types"] == {"chunks": setting, "titles": setting}
    assert store.kind_of(loaded.chunk_index) == store.kind_of(loaded.title_index) == setting
    assert np.allclose(np.asarray(loaded.chunk_vectors), chunks, atol=2e-3)
    assert np.allclose(loaded.chunk_vectors[[5, 2]], chunks[[5, 2]], atol=2e-3)
    # an approximate index finds the same head here (small, well-separated data)
    q = chunks[3]
    lexical = np.zeros(300, np.float32)
    got = CandidateScorer.for_index(loaded).score(q, lexical, combine_scores, head=10)
    expected = brute_force(store.load(tmp_path), q, lexical)
    assert set(got.rows[:10].tolist()) == set(np.argsort(-expected)[:10].tolist())


def test_ivf_rows_are_what_faiss_reconstructs(tmp_path, monkeypatch):
    """The codes are read in place with numpy: the same float32 rows as FAISS's own decoding,
    in any order and over several blocks."""
    monkeypatch.setenv(store.INDEX_TYPE_ENV, "ivf")
    store.write_version(tmp_path, synthetic(300))
    loaded = store.load(tmp_path)
    assert len(loaded.chunk_vectors) > 2 * store.ROW_BLOCK
    path = tmp_path / "versions" / str(store.current_version(tmp_path)) / "chunks.faiss"
    reference = faiss.read_index(str(path))
    reference.make_direct_map()
    ids = np.random.default_rng(2).permutation(len(loaded.chunk_vectors))
    expected = reference.reconstruct_batch(ids)
    assert np.array_equal(loaded.chunk_vectors[ids], expected)
    assert np.array_equal(loaded.chunk_vectors[int(ids[0])], expected[0])
    assert np.array_equal(np.asarray(loaded.chunk_vectors)[ids], expected)
    q = expected[0]
    assert np.allclose(loaded.chunk_vectors.sims(ids, q), expected @ q, atol=1e-6)


@pytest.mark.parametrize("cut", [1, 7, 5000])
def test_truncated_ivf_file_is_refused(tmp_path, monkeypatch, cut):
    """Read in place, a file a few bytes short would leave lists past the buffer's end."""
    monkeypatch.setenv(store.INDEX_TYPE_ENV, "ivf")
    folder = store.write_version(tmp_path, synthetic(300))
    path = folder / "chunks.faiss"
    path.write_bytes(path.read_bytes()[:-cut])
    with pytest.raises(store.IndexLoadError, match=r"chunks\.faiss"):
        store.load(tmp_path)


class FixedEmbedder:
    """Every question is the same vector: the test compares indexes, not wording."""

    name = "test"

    def __init__(self, vector: np.ndarray) -> None:
        self.vector = vector

    def encode(self, texts: list[str]) -> np.ndarray:
        return np.tile(self.vector, (len(texts), 1))


def test_searcher_answers_alike_from_exact_and_approximate_versions(tmp_path, monkeypatch):
    from retrieval.search import Searcher

    data = synthetic(300, seed=3)
    embedder = FixedEmbedder(np.asarray(data.chunk_vectors)[10])
    answers = {}
    for setting in ("flat", "ivf"):
        monkeypatch.setenv(store.INDEX_TYPE_ENV, setting)
        store.write_version(tmp_path / setting, synthetic(300, seed=3))
        loaded = store.load(tmp_path / setting)
        assert (loaded.chunk_index is None) == (setting == "flat")
        answer = Searcher(loaded, embedder).search("post", k=5)
        answers[setting] = [(h.slug, round(h.score, 2)) for h in answer.hits]
    assert len(answers["flat"]) == 5
    assert answers["ivf"] == answers["flat"]
