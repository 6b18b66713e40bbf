"""Query speed, recall and memory of the retrieval on synthetic archives 10x (and 100x) today's.

    .venv/bin/python benchmarks/scale.py [--index index/archive] [--scale 10] [--scale 100]
                                         [--index-type auto|flat|ivf] [--queries 300]

Prints one JSON object: {"10x": {...}, "100x": {...}}, each with `p50_ratio` (search p50 over the
bare encode p50), `p95_ms`, `recall_at_10`, `peak_rss_mb`, `load_s`, `index_mb` and `build_s`.

A synthetic archive at scale s holds s copies of every post of the real index (read, never
written): copy 0 is the post itself; copy k has its own slug and row, its chunk and title vectors
each moved by Gaussian noise of norm --noise and normalised again (0.3: cosine ~0.96 to the
original), and the post's BM25 postings. Nothing is embedded or tokenised again.

For each scale one child process builds the FAISS indexes as `store.write_version` would
(`build_s`: the FAISS part only) and finds the exact top 10 posts of every question by scoring
every post from float32 vectors (best chunk, title, BM25, as `rank_posts` combines them). A
second child process loads the indexes as `store.load` reads them (`load_s`) and answers the
questions the way the serving code ranks them: build the query, encode it, FAISS candidates
(BM25 scores worked out beside them, on the side thread) and their exact scores; each search
is timed against the bare encode of the same question, interleaved. Its peak RSS is its own
VmHWM. Work that does not grow with the archive (key findings of the shown posts, collapsing
copies) is left out; benchmarks/speed.py measures it at today's size.

Questions: the opening words of the first chunk of posts spread over the archive, or the title of
posts without text (no evaluation set is read).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import bm25s
import faiss
import numpy as np

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(REPO))

from retrieval import store, threads  # noqa: E402
from retrieval.candidates import CandidateScorer  # noqa: E402
from retrieval.embedding import BACKENDS, Embedder  # noqa: E402
from retrieval.lexical import LexicalIndex  # noqa: E402
from retrieval.query import Query, build_query  # noqa: E402
from retrieval.search import EXACT_HEAD, RANK_HEAD, TITLE_ONLY_PENALTY, combine_scores  # noqa: E402

SEED = 13


def questions(index: store.IndexData, n: int) -> list[str]:
    """Opening words of the first chunk of posts spread over the archive (titles if no text)."""
    rows = np.linspace(0, len(index.posts) - 1, n).astype(int)
    first = np.searchsorted(index.chunks.post_row, rows)
    out = []
    for row, chunk in zip(rows.tolist(), first.tolist(), strict=True):
        has_text = chunk < len(index.chunks) and index.chunks.post_row[chunk] == row
        text = index.chunks.text[chunk] if has_text else index.posts[row].title
        out.append(" ".join(text.split()[:14]))
    return out


# ------------------------------------------------------------------ the parent: real data


def export_real(index_root: Path, work: Path, n: int, backend: str) -> None:
    """What the children need from the real index, as plain arrays (it is only read)."""
    data = store.load(index_root)
    np.save(work / "chunks.npy", np.asarray(data.chunk_vectors, dtype=np.float32))
    np.save(work / "titles.npy", np.asarray(data.title_vectors, dtype=np.float32))
    np.save(work / "post_row.npy", data.chunks.post_row)
    lexical = LexicalIndex(data)
    for key in ("data", "indices", "indptr"):
        np.save(work / f"bm25_{key}.npy", lexical.retriever.scores[key])
    qs = questions(data, n)
    built = [build_query(q) for q in qs]
    tokens = [lexical.token_ids(b.lexical) for b in built]
    embedder = Embedder(backend=backend)
    np.save(work / "query_vectors.npy", embedder.encode([b.dense for b in built]))
    meta = {"posts": len(data.posts), "questions": qs, "tokens": tokens}
    (work / "real.json").write_text(json.dumps(meta), "utf-8")


# ------------------------------------------------------------------ synthetic archive


def copy_of(real: np.ndarray, k: int, noise: float, part: str) -> np.ndarray:
    """Copy `k` of the real vectors: the real ones for 0, else each moved by Gaussian noise of
    norm `noise` and normalised again (the same every time it is asked for)."""
    if k == 0:
        return real.copy()
    rng = np.random.default_rng([SEED, k, ("chunks", "titles").index(part)])
    moved = real + rng.standard_normal(real.shape, dtype=np.float32) * (
        noise / np.sqrt(real.shape[1])
    )
    return moved / np.linalg.norm(moved, axis=1, keepdims=True)


def scaled_rows(post_row: np.ndarray, n_posts: int, scale: int) -> np.ndarray:
    """Chunk -> post row of the archive `scale` times over (copy k's posts follow copy k-1's)."""
    return (post_row[None, :] + n_posts * np.arange(scale)[:, None]).ravel()


def synthetic_postings(work: Path, scale: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """BM25 postings (token -> posts) with every post's postings repeated for each copy."""
    data, indices = np.load(work / "bm25_data.npy"), np.load(work / "bm25_indices.npy")
    indptr = np.load(work / "bm25_indptr.npy")
    n_posts = json.loads((work / "real.json").read_text("utf-8"))["posts"]
    sizes = np.diff(indptr)
    token = np.repeat(np.arange(len(sizes)), sizes)
    # a token's postings, then the same postings shifted by one archive for each further copy
    offset = np.arange(len(indices)) - indptr[token]
    first = indptr[token] * scale + offset
    out_indices = np.empty(len(indices) * scale, dtype=np.int32)
    out_data = np.empty(len(indices) * scale, dtype=data.dtype)
    for k in range(scale):
        at = first + k * sizes[token]
        out_indices[at] = indices + k * n_posts
        out_data[at] = data
    return out_data, out_indices, (indptr * scale).astype(np.int64)


def title_only_prior(post_row: np.ndarray, n_posts: int) -> np.ndarray:
    """As `Searcher` sets it: the penalty of posts without text."""
    has_text = np.bincount(post_row, minlength=n_posts) > 0
    return np.where(has_text, 0, -TITLE_ONLY_PENALTY).astype(np.float32)


def lexical_scores(postings: tuple, n: int, ids: list[int]) -> np.ndarray:
    """As `LexicalIndex.scores`, with the same bm25s summation: the best post scaled to 1."""
    if not ids:
        return np.zeros(n, dtype=np.float32)
    data, indices, indptr = postings
    out = bm25s.BM25._compute_relevance_from_scores(
        data, indptr, indices, n, np.asarray(ids, dtype=np.int64), np.dtype(np.float32)
    )
    top = out.max()
    return out / top if top > 0 else out


# ------------------------------------------------------------------ child: build


def build(work: Path, scale: int, kind: str, noise: float) -> None:
    """Write the scale's FAISS indexes and the exact top 10 of each question, a copy of the
    archive at a time (the whole synthetic archive is never in memory as float32)."""
    real = {"chunks": np.load(work / "chunks.npy"), "titles": np.load(work / "titles.npy")}
    post_row = np.load(work / "post_row.npy")
    folder = work / f"x{scale}"
    folder.mkdir(exist_ok=True)
    chosen = store.index_type_for(len(real["chunks"]) * scale, kind)  # as write_version does
    seconds = 0.0
    for part, vectors in real.items():
        n, d = len(vectors), vectors.shape[1]
        index = store.empty_index(chosen, d, n * scale)
        picked = store.training_rows(index, n * scale)
        if len(picked):
            sample = np.concatenate(
                [
                    copy_of(vectors, k, noise, part)[picked[picked // n == k] % n]
                    for k in range(scale)
                ]
            )
            started = time.perf_counter()
            index.train(sample)
            seconds += time.perf_counter() - started
            del sample
        for k in range(scale):
            block = copy_of(vectors, k, noise, part)
            started = time.perf_counter()
            index.add(block)
            seconds += time.perf_counter() - started
        faiss_write(index, folder / f"{part}.faiss")
        del index
    np.save(folder / "post_row.npy", scaled_rows(post_row, len(real["titles"]), scale))
    postings = synthetic_postings(work, scale)
    for key, value in zip(("data", "indices", "indptr"), postings, strict=True):
        np.save(folder / f"bm25_{key}.npy", value)
    tokens = json.loads((work / "real.json").read_text("utf-8"))["tokens"]
    np.save(folder / "truth.npy", exact_top(real, post_row, postings, tokens, work, scale, noise))
    (folder / "build.json").write_text(
        json.dumps({"build_s": round(seconds, 1), "index_types": {p: chosen for p in real}}),
        "utf-8",
    )


def faiss_write(index: faiss.Index, path: Path) -> None:
    faiss.write_index(index, str(path))


def exact_top(
    real: dict[str, np.ndarray],
    post_row: np.ndarray,
    postings: tuple,
    tokens: list[list[int]],
    work: Path,
    scale: int,
    noise: float,
) -> np.ndarray:
    """Top 10 post rows of each question from every post's exact float32 score, scored a copy
    of the archive at a time."""
    queries = np.load(work / "query_vectors.npy")
    n = len(real["titles"])
    lexical = np.stack([lexical_scores(postings, n * scale, t) for t in tokens])  # (q, posts)
    starts = np.flatnonzero(np.r_[True, post_row[1:] != post_row[:-1]])
    text_rows = post_row[starts]
    prior = title_only_prior(post_row, n)[:, None]
    best_scores = np.full((len(queries), 10), -np.inf, dtype=np.float32)
    best_rows = np.zeros((len(queries), 10), dtype=np.int64)
    for k in range(scale):
        title = copy_of(real["titles"], k, noise, "titles") @ queries.T  # (posts, q)
        dense = title.copy()
        sims = copy_of(real["chunks"], k, noise, "chunks") @ queries.T
        dense[text_rows] = np.maximum.reduceat(sims, starts, axis=0)
        block = lexical[:, k * n : (k + 1) * n].T
        scores = combine_scores(dense, title, block, prior).T  # (q, posts)
        all_scores = np.concatenate([best_scores, scores], axis=1)
        all_rows = np.concatenate(
            [best_rows, np.broadcast_to(np.arange(n) + k * n, scores.shape)], 1
        )
        keep = np.argpartition(-all_scores, 9, axis=1)[:, :10]
        best_scores = np.take_along_axis(all_scores, keep, 1)
        best_rows = np.take_along_axis(all_rows, keep, 1)
    order = np.argsort(-best_scores, axis=1, kind="stable")
    return np.take_along_axis(best_rows, order, 1)


# ------------------------------------------------------------------ child: serve


def serve(work: Path, scale: int, backend: str) -> None:
    """Load the scale's indexes and answer every question as the serving code ranks them."""
    threads.pin()
    real = json.loads((work / "real.json").read_text("utf-8"))
    embedder = Embedder(backend=backend)
    embedder.encode(["warm up the model"])
    folder = work / f"x{scale}"
    started = time.perf_counter()
    chunk_index = store.read_faiss(folder / "chunks.faiss")
    title_index = store.read_faiss(folder / "titles.faiss")
    post_row = np.load(folder / "post_row.npy")
    postings = tuple(np.load(folder / f"bm25_{k}.npy") for k in ("data", "indices", "indptr"))
    n_posts = title_index.ntotal
    scorer = CandidateScorer(
        chunk_index, title_index, store.vector_view(chunk_index), store.vector_view(title_index),
        post_row,
    )  # fmt: skip
    prior = title_only_prior(post_row, n_posts)
    load_s = time.perf_counter() - started
    truth = np.load(folder / "truth.npy")
    vocab_ids = real["tokens"]
    bare, full, ranking, found = [], [], [], []
    for i, question in enumerate(real["questions"]):
        started = time.perf_counter()
        embedder.encode([question])
        bare.append(time.perf_counter() - started)
        started = time.perf_counter()
        query = build_query(question)
        vector = embedder.encode([query.dense])[0]
        encoded = time.perf_counter()

        # BM25 beside the FAISS searches, as `Searcher.search` does (threads.beside), with the
        # query's lexical text worked out there as `Searcher._asked` does (the synthetic
        # postings are looked up by the real archive's token ids, found before timing)
        def side(query: Query = query, ids: list[int] = vocab_ids[i]) -> np.ndarray:
            _ = query.lexical
            return lexical_scores(postings, n_posts, ids)

        lexical = threads.beside(side)
        scored = scorer.score(vector, lexical.result, combine_scores, EXACT_HEAD, RANK_HEAD, prior)
        full.append(time.perf_counter() - started)
        ranking.append(time.perf_counter() - encoded)
        found.append(len(set(scored.rows[:10].tolist()) & set(truth[i].tolist())) / 10)
    peak_kb = next(
        int(line.split()[1])
        for line in Path("/proc/self/status").read_text().splitlines()
        if line.startswith("VmHWM:")
    )
    print(
        json.dumps(
            {
                "p50_ratio": round(float(np.median(full) / np.median(bare)), 3),
                "p50_ms": round(float(np.median(full)) * 1000, 2),
                "p95_ms": round(float(np.percentile(full, 95)) * 1000, 2),
                "bare_encode_p50_ms": round(float(np.median(bare)) * 1000, 2),
                "ranking_p50_ms": round(float(np.median(ranking)) * 1000, 2),
                "ranking_p95_ms": round(float(np.percentile(ranking, 95)) * 1000, 2),
                "recall_at_10": round(float(np.mean(found)), 4),
                "peak_rss_mb": round(peak_kb / 1024, 1),
                "load_s": round(load_s, 2),
                "query_threads": threads.in_force()["setting"],
            }
        )
    )


# ------------------------------------------------------------------ parent


def child(args: list[str]) -> dict | None:
    done = subprocess.run(
        [sys.executable, __file__, *args], cwd=REPO, capture_output=True, text=True
    )
    if done.returncode:
        raise SystemExit(f"{' '.join(args)} failed:\n{done.stderr[-3000:]}")
    lines = done.stdout.strip().splitlines()
    return json.loads(lines[-1]) if lines else None


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--index", type=Path, default=REPO / "index" / "archive")
    p.add_argument("--scale", type=int, action="append", help="copies of the archive (10)")
    p.add_argument("--index-type", choices=store.INDEX_TYPES, default="auto")
    p.add_argument("--queries", type=int, default=300)
    p.add_argument("--noise", type=float, default=0.3)
    p.add_argument("--backend", choices=BACKENDS, default="onnx")
    p.add_argument("--work", type=Path, help="folder for the synthetic archives (made if missing)")
    p.add_argument("--child", choices=("build", "serve"), help=argparse.SUPPRESS)
    args = p.parse_args()
    if args.child:
        (scale,) = args.scale
        if args.child == "build":
            build(args.work, scale, args.index_type, args.noise)
        else:
            serve(args.work, scale, args.backend)
        return
    if not store.exists(args.index):
        raise SystemExit(f"no index at {args.index}: build the full archive's first")
    if args.work:
        args.work.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=args.work) as tmp:
        work = Path(tmp)
        export_real(args.index, work, args.queries, args.backend)
        result: dict = {}
        for scale in args.scale or [10]:
            common = ["--work", str(work), "--scale", str(scale)]
            started = time.perf_counter()
            child(["--child", "build", *common, "--index-type", args.index_type,
                   "--noise", str(args.noise)])  # fmt: skip
            folder = work / f"x{scale}"
            built = json.loads((folder / "build.json").read_text("utf-8"))
            served = child(["--child", "serve", *common, "--backend", args.backend])
            result[f"{scale}x"] = {
                **served,
                "index_mb": round(
                    sum((folder / f).stat().st_size for f in ("chunks.faiss", "titles.faiss"))
                    / 2**20,
                    1,
                ),
                **built,
                "posts": len(np.load(work / "titles.npy")) * scale,
                "chunks": len(np.load(work / "post_row.npy")) * scale,
                "wall_s": round(time.perf_counter() - started, 1),
            }
        result["noise"] = args.noise
        result["questions"] = args.queries
    print(json.dumps(result))


if __name__ == "__main__":
    main()
