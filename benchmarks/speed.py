"""Build, update and answer speed, measured in one run so the ratios hold; prints one JSON object.

    .venv/bin/python benchmarks/speed.py [--n 300 | --all] [--backend onnx] [--index index/archive]

- full build of a fixed sample of the archive (every k-th post by name) into an empty index, and
  the bare encode time of exactly the batches that build embedded, each encoded again right
  after the build's own encode of it (target ratio <= 1.15);
- incremental update after editing 10 of those posts (target <= 0.05 of the full build), and
  of the full-archive index (--index, when it exists) after editing 3 posts and adding 1, in a
  process that has the model loaded, as the bot's /reindex runs it;
- warm query latency over 500 questions: search() end to end against the bare query encode,
  interleaved question by question (target p50 ratio <= 1.5), and the ranking step alone
  (candidates plus exact scoring, target p50 <= 2 ms), and the evaluation sets' questions in
  other languages on their own (target p50 ratio <= 3), with the query threads pinned as a
  serving process pins them (`VDWBOT_QUERY_THREADS`, or --query-threads), the pools recorded,
  and the findings prepared first as a serving process prepares them (`--no-prepare`: not);
  then again with 2 BLAS/OpenMP threads forced (--compare-threads), to show what pinning holds;
- cold start (process start to first answer, target <= 10 s) and peak RSS of a process
  answering 50 questions (target <= 1.2 GB), both against --index (the full archive) when it
  exists, else against the sample index;
- question latency while a rebuild really embeds (a 200-post sample into an empty index, so a
  cold embedding cache) on the build's own model instance, as the bot's /reindex runs it, against
  the same questions asked idle (target: p95 during <= 3 x idle p95). `--during-rebuild` runs
  only this part.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(REPO))

from retrieval import multilingual, store, threads  # noqa: E402
from retrieval.embedding import BACKENDS, Embedder  # noqa: E402
from retrieval.evaluation import load_questions  # noqa: E402
from retrieval.indexer import build_index  # noqa: E402
from retrieval.query import build_query  # noqa: E402
from retrieval.search import DEFAULT_BASE_URL, Ranking, Searcher  # noqa: E402
from retrieval.service import AnswerService  # noqa: E402


class Recording:
    """Wraps an Embedder: times every batch the build encodes, then encodes the same batch
    again on its own (the bare encode), right away, so both see the same machine conditions:
    run as two separate passes, the encode speed alone drifted by up to 12% between them. The
    multilingual model's batches (`openings`) are timed the same way and counted in both."""

    def __init__(self, embedder: Embedder) -> None:
        self.inner = embedder
        self.batches: list[list[str]] = []
        self.openings = 0
        self.seconds = 0.0
        self.bare_seconds = 0.0

    def __getattr__(self, name: str) -> Any:  # delegate everything else
        return getattr(self.inner, name)

    def twice(
        self, encode: Callable[[Sequence[str]], np.ndarray], texts: Sequence[str]
    ) -> np.ndarray:
        started = time.perf_counter()
        out = encode(texts)
        encoded = time.perf_counter()
        encode(texts)
        self.seconds += encoded - started
        self.bare_seconds += time.perf_counter() - encoded
        return out

    def encode(self, texts: Sequence[str], progress: bool = False) -> np.ndarray:
        self.batches.append(list(texts))
        return self.twice(self.inner.encode, texts)


class RecordingOpenings:
    """The build's multilingual encoder, its batches timed by a `Recording`."""

    name, dimension = multilingual.NAME, multilingual.DIMENSION

    def __init__(self, recorder: Recording) -> None:
        self.recorder = recorder

    def passages(self, texts: Sequence[str]) -> np.ndarray:
        self.recorder.openings += len(texts)
        return self.recorder.twice(multilingual.shared().passages, texts)


def pct(values: list[float], q: float) -> float:
    return round(float(np.percentile(values, q)) * 1000, 2)


def sample(archive: Path, n: int | None, into: Path) -> list[Path]:
    files = sorted(archive.glob("*.md"))
    if n:
        files = files[:: max(1, len(files) // n)][:n]
    for f in files:
        shutil.copy(f, into / f.name)
    return sorted(into.glob("*.md"))


def questions(n: int, index: store.IndexData) -> list[str]:
    """The dev questions, then post titles phrased as questions, up to n."""
    qs = [q.question for q in load_questions(HERE / "questions_dev.json")]
    titles = [
        f"is it true that {p.title.lower()}?" for p in index.posts[:: max(1, len(index.posts) // n)]
    ]
    return (qs + titles)[:n]


def measure_build(args: argparse.Namespace, work: Path) -> tuple[dict, Path]:
    archive = work / "posts"
    archive.mkdir()
    files = sample(args.archive, None if args.all else args.n, archive)
    embedder = Embedder(backend=args.backend, cache_dir=work / "onnx-cache")
    embedder.encode(["warm up the model"])
    _ = embedder.tokenizer
    recorder = Recording(embedder)
    root = work / "ix"
    multilingual.shared().load()
    started = time.perf_counter()
    report = build_index(archive, root, recorder, multilingual_encoder=RecordingOpenings(recorder))  # type: ignore[arg-type]
    full = time.perf_counter() - started - recorder.bare_seconds
    bare = recorder.bare_seconds
    texts = [t for batch in recorder.batches for t in batch]
    tokens = sum(len(e.ids) for e in embedder.tokenizer.encode_batch(texts))
    edit_posts(files, 10)
    started = time.perf_counter()
    update = build_index(archive, root, embedder, incremental=True)
    upd = time.perf_counter() - started
    return {
        "posts": report.posts,
        "chunks": report.chunks,
        "texts_embedded": len(texts),
        "tokens_embedded": tokens,
        "openings_embedded": recorder.openings,
        "seconds": round(full, 2),
        "encode_seconds_inside_build": round(recorder.seconds, 2),
        "bare_encode_seconds": round(bare, 2),
        "ratio_to_bare_encode": round(full / bare, 3),
        "update_10_posts": {
            "updated": len(update.updated), "seconds": round(upd, 2),
            "ratio_to_full_build": round(upd / full, 4),
        },
    }, root  # fmt: skip


def edit_posts(files: list[Path], n: int) -> None:
    """Append a paragraph to `n` posts spread over `files`."""
    for f in files[:: max(1, len(files) // n)][:n]:
        f.write_text(f.read_text("utf-8") + "\n\nAn added paragraph for the update benchmark.\n")


def measure_archive_update(index_root: Path, archive: Path, backend: str, work: Path) -> dict:
    """A copy of the full-archive index updated after 3 posts were edited and 1 was added."""
    posts, root = work / "archive-posts", work / "archive-ix"
    shutil.copytree(archive, posts)
    version = store.current_version(index_root)
    shutil.copytree(index_root / "versions" / version, root / "versions" / version)
    shutil.copy(index_root / "CURRENT", root / "CURRENT")
    edit_posts(sorted(posts.glob("*.md")), 3)
    meta = {"title": "A new post on vitamin D and sleep", "slug": "benchmark-new-post", "tags": []}
    body = "A trial gave 40 adults 4,000 IU vitamin D daily; their sleep improved."
    (posts / "benchmark-new-post.md").write_text(f"{json.dumps(meta)}\n\n{body}\n", "utf-8")
    embedder = Embedder(backend=backend, cache_dir=store.onnx_cache(index_root))
    embedder.load()
    started = time.perf_counter()
    report = build_index(posts, root, embedder, incremental=True)
    return {
        "posts": report.posts, "added": len(report.added), "updated": len(report.updated),
        "texts_embedded": report.embedded, "seconds": round(time.perf_counter() - started, 2),
    }  # fmt: skip


def measure_queries(searcher: Searcher, n: int, query_threads: int) -> dict:
    """Warm latency with the query pools pinned to `query_threads`, recorded as in force."""
    pinned = threads.pin(query_threads)
    ranking: list[float] = []
    rank_posts = searcher.rank_posts

    def timed_rank(*args: Any, **kwargs: Any) -> Ranking:
        started = time.perf_counter()
        out = rank_posts(*args, **kwargs)
        ranking.append(time.perf_counter() - started)
        return out

    searcher.rank_posts = timed_rank  # type: ignore[method-assign]
    qs = questions(n, searcher.index)
    searcher.search("warm up", 3)
    ranking.clear()
    bare, full = interleaved(searcher, qs)
    del searcher.rank_posts
    return {
        "questions": len(qs), "index_posts": len(searcher.index.posts),
        "index_types": searcher.index.manifest.get("index_types", "flat"),
        "query_threads": pinned, "thread_pools": threads.in_force()["pools"],
        "search_ms": {"p50": pct(full, 50), "p95": pct(full, 95)},
        "ranking_ms": {"p50": pct(ranking, 50), "p95": pct(ranking, 95)},
        "bare_encode_ms": {"p50": pct(bare, 50), "p95": pct(bare, 95)},
        "p50_ratio": round(float(np.median(full) / np.median(bare)), 3),
    }  # fmt: skip


def interleaved(searcher: Searcher, qs: list[str]) -> tuple[list[float], list[float]]:
    """Seconds of each question's bare encode, and of its search right after it."""
    bare, full = [], []
    for q in qs:
        started = time.perf_counter()
        searcher.embedder.encode([q])
        bare.append(time.perf_counter() - started)
        started = time.perf_counter()
        searcher.search(q, 3)
        full.append(time.perf_counter() - started)
    return bare, full


def measure_other_languages(searcher: Searcher, rounds: int = 5) -> dict:
    """Warm latency of the evaluation sets' questions not in English (detected as a search
    detects them), each asked `rounds` times, interleaved with the bare encode of the same
    question: these also pay the multilingual model's encode (retrieval/multilingual.py)."""
    files = [HERE / "questions_dev.json", REPO.parent / "shared/eval/questions_independent.json"]
    qs = [
        q.question
        for f in files
        if f.exists()
        for q in load_questions(f)
        if build_query(q.question).lang != "en"
    ]
    searcher.search(qs[0], 3)
    bare, full = interleaved(searcher, qs * rounds)
    return {
        "questions": len(qs), "rounds": rounds, "openings": searcher.index.openings is not None,
        "search_ms": {"p50": pct(full, 50), "p95": pct(full, 95)},
        "bare_encode_ms": {"p50": pct(bare, 50), "p95": pct(bare, 95)},
        "p50_ratio": round(float(np.median(full) / np.median(bare)), 3),
    }  # fmt: skip


def run_child(cmd: list[str]) -> tuple[float, float]:
    """(wall seconds, peak RSS in MB) of one child process.

    The peak is the child's own VmHWM, read from /proc while it runs: rusage would also count
    the copy of this (large) benchmark process that exists between fork and exec.
    """
    started = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    status = Path(f"/proc/{proc.pid}/status")
    peak_kb = 0
    while proc.poll() is None:
        try:
            line = next(x for x in status.read_text().splitlines() if x.startswith("VmHWM:"))
            if b"\0bot\0" in Path(f"/proc/{proc.pid}/cmdline").read_bytes():  # after exec
                peak_kb = max(peak_kb, int(line.split()[1]))
        except (OSError, StopIteration):
            pass
        time.sleep(0.02)
    wall = time.perf_counter() - started
    if proc.returncode:
        raise SystemExit(f"{' '.join(cmd)} failed with {proc.returncode}")
    return wall, peak_kb / 1024


def measure_process(index_root: Path, backend: str, work: Path) -> dict:
    cli = [sys.executable, "-m", "bot", "ask", "--index", str(index_root), "--backend", backend]
    question = "does vitamin D help MS bone loss?"
    run_child([*cli, "--json", question])  # warm-up: exports the ONNX model once if needed
    cold, _ = run_child([*cli, "--json", question])
    batch = work / "batch.txt"
    qs = [q.question for q in load_questions(HERE / "questions_dev.json")][:50]
    batch.write_text("\n".join(qs), "utf-8")
    _, peak = run_child([*cli, "--batch", str(batch), "--json"])
    return {"cold_start_seconds": round(cold, 2), "peak_rss_mb": round(peak, 1)}


def measure_during_rebuild(
    index_root: Path, archive: Path, backend: str, work: Path, n_posts: int = 200
) -> dict:
    """Questions to the serving index, idle and then while a rebuild embeds `n_posts` posts."""
    embedder = Embedder(backend=backend, cache_dir=store.onnx_cache(index_root))
    service = AnswerService(index_root, embedder, DEFAULT_BASE_URL)
    qs = questions(200, service.searcher().index)
    service.ask("warm up")
    idle = []
    for q in qs[:100]:
        started = time.perf_counter()
        service.ask(q)
        idle.append(time.perf_counter() - started)
    posts = work / "rebuild-posts"
    posts.mkdir()
    sample(archive, n_posts, posts)
    builder = service.build_embedder()
    builder.load()
    report: dict = {}

    def rebuild() -> None:
        started = time.perf_counter()
        built = build_index(  # as `AnswerService.build(while_serving=True)`
            posts, work / "rebuild-ix", builder, multilingual_encoder=service.build_multilingual()
        )
        report.update(seconds=time.perf_counter() - started, embedded=built.embedded)

    thread = threading.Thread(target=rebuild)
    thread.start()
    during, i = [], 0
    while thread.is_alive():
        started = time.perf_counter()
        service.ask(qs[i % len(qs)])
        during.append(time.perf_counter() - started)
        i += 1
        time.sleep(0.05)  # a busy channel, not a flood: the build is meant to progress too
    thread.join()
    return {
        "posts_rebuilt": n_posts, "texts_embedded": report["embedded"],
        "rebuild_seconds": round(report["seconds"], 1), "build_threads": builder.threads,
        "idle_ms": {"n": len(idle), "p50": pct(idle, 50), "p95": pct(idle, 95)},
        "during_ms": {"n": len(during), "p50": pct(during, 50), "p95": pct(during, 95)},
        "p95_ratio": round(float(np.percentile(during, 95) / np.percentile(idle, 95)), 2),
    }  # fmt: skip


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--archive", type=Path, default=REPO.parent / "shared/archive/posts")
    p.add_argument(
        "--index",
        type=Path,
        default=REPO / "index" / "archive",
        help="full-archive index for the query, cold start and memory figures",
    )
    p.add_argument("--n", type=int, default=300)
    p.add_argument("--all", action="store_true", help="build the whole archive")
    p.add_argument("--queries", type=int, default=500)
    p.add_argument("--backend", choices=BACKENDS, default="onnx")
    p.add_argument(
        "--query-threads", type=int, default=0, help="default: VDWBOT_QUERY_THREADS, else 1"
    )
    p.add_argument(
        "--compare-threads",
        type=int,
        default=2,
        help="measure the queries again with this many BLAS/OpenMP threads forced (0: skip)",
    )
    p.add_argument("--queries-only", action="store_true", help="skip the build measurements")
    p.add_argument(
        "--no-prepare", action="store_true", help="measure queries without preparing findings"
    )
    p.add_argument(
        "--during-rebuild", action="store_true", help="only question latency during a rebuild"
    )
    args = p.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        if args.during_rebuild:
            serving = args.index if store.exists(args.index) else None
            if serving is None:
                measure_build(args, work)
                serving = work / "ix"
            result = measure_during_rebuild(serving, args.archive, args.backend, work)
            print(json.dumps({"backend": args.backend, "serving_index": str(serving),
                              "ask_during_rebuild": result}))  # fmt: skip
            return
        full_index = store.exists(args.index)
        if args.queries_only and not full_index:
            raise SystemExit(f"--queries-only needs an index at {args.index}")
        build, sample_root = (None, None) if args.queries_only else measure_build(args, work)
        serving = args.index if full_index else sample_root
        result = {
            "backend": args.backend,
            "build": build,
            "archive_update": (
                measure_archive_update(args.index, args.archive, args.backend, work)
                if full_index and not args.queries_only
                else None
            ),
        }
        embedder = Embedder(backend=args.backend, cache_dir=store.onnx_cache(serving))
        searcher = Searcher(store.load(serving, expected_model=embedder.name), embedder)
        if not args.no_prepare:  # as a serving process (bot, chat) does once it loads a version
            started = time.perf_counter()
            searcher.prepare_questions()
            result["query_side_prepared_seconds"] = round(time.perf_counter() - started, 2)
            started = time.perf_counter()
            prepared = searcher.prepare_findings()
            result["findings_prepared"] = {
                "sentences": prepared, "seconds": round(time.perf_counter() - started, 2)
            }  # fmt: skip
        result["queries"] = measure_queries(searcher, args.queries, args.query_threads)
        result["queries_other_languages"] = measure_other_languages(searcher)
        if args.compare_threads:
            result[f"queries_{args.compare_threads}_threads"] = measure_queries(
                searcher, args.queries, args.compare_threads
            )
        threads.pin(args.query_threads)
        if not args.queries_only:
            result["process"] = measure_process(serving, args.backend, work)
            result["ask_during_rebuild"] = measure_during_rebuild(
                serving, args.archive, args.backend, work
            )
        result["serving_index"] = str(serving)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
