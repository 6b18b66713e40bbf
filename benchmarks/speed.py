"""Build, update and answer speed, measured in one run so the ratios hold; prints one JSON object.

    .venv/bin/python benchmarks/speed.py [--n 300 | --all] [--backend onnx] [--index index/archive]

- full build of a fixed sample of the archive (every k-th post by name) into an empty index, and
  the bare encode time of exactly the batches that build embedded, each encoded again right
  after the build's own encode of it (target ratio <= 1.15);
- incremental update after editing 10 of those posts (target <= 0.05 of the full build), and
  of the full-archive index (--index, when it exists) after editing 3 posts and adding 1, in a
  process that has the model loaded, as the bot's /reindex runs it;
- warm query latency over 500 questions: search() end to end against the bare query encode,
  interleaved question by question (target p50 ratio <= 1.5);
- cold start (process start to first answer, target <= 10 s) and peak RSS of a process
  answering 50 questions (target <= 1.2 GB), both against --index (the full archive) when it
  exists, else against the sample index.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(REPO))

from retrieval import store  # noqa: E402
from retrieval.embedding import BACKENDS, Embedder  # noqa: E402
from retrieval.evaluation import load_questions  # noqa: E402
from retrieval.indexer import build_index  # noqa: E402
from retrieval.search import Searcher  # noqa: E402


class Recording:
    """Wraps an Embedder: times every batch the build encodes, then encodes the same batch
    again on its own (the bare encode), right away, so both see the same machine conditions:
    run as two separate passes, the encode speed alone drifted by up to 12% between them."""

    def __init__(self, embedder: Embedder) -> None:
        self.inner = embedder
        self.batches: list[list[str]] = []
        self.seconds = 0.0
        self.bare_seconds = 0.0

    def __getattr__(self, name: str):  # delegate everything else
        return getattr(self.inner, name)

    def encode(self, texts, progress: bool = False):
        started = time.perf_counter()
        out = self.inner.encode(texts)
        encoded = time.perf_counter()
        self.inner.encode(texts)
        self.seconds += encoded - started
        self.bare_seconds += time.perf_counter() - encoded
        self.batches.append(list(texts))
        return out


def pct(values: list[float], q: float) -> float:
    return round(float(np.percentile(values, q)) * 1000, 1)


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
    started = time.perf_counter()
    report = build_index(archive, root, recorder)  # type: ignore[arg-type]
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
    embedder = Embedder(backend=backend, cache_dir=index_root / "cache" / "onnx")
    embedder.load()
    started = time.perf_counter()
    report = build_index(posts, root, embedder, incremental=True)
    return {
        "posts": report.posts, "added": len(report.added), "updated": len(report.updated),
        "texts_embedded": report.embedded, "seconds": round(time.perf_counter() - started, 2),
    }  # fmt: skip


def measure_queries(index_root: Path, backend: str, n: int) -> dict:
    embedder = Embedder(backend=backend, cache_dir=index_root / "cache" / "onnx")
    searcher = Searcher(store.load(index_root, expected_model=embedder.name), embedder)
    qs = questions(n, searcher.index)
    searcher.search("warm up", 3)
    bare, full = [], []
    for q in qs:
        started = time.perf_counter()
        embedder.encode([q])
        bare.append(time.perf_counter() - started)
        started = time.perf_counter()
        searcher.search(q, 3)
        full.append(time.perf_counter() - started)
    return {
        "questions": len(qs), "index_posts": len(searcher.index.posts),
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
    args = p.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        build, sample_root = measure_build(args, work)
        full_index = store.exists(args.index)
        serving = args.index if full_index else sample_root
        result = {
            "backend": args.backend,
            "build": build,
            "archive_update": (
                measure_archive_update(args.index, args.archive, args.backend, work)
                if full_index
                else None
            ),
            "queries": measure_queries(serving, args.backend, args.queries),
            "process": measure_process(serving, args.backend, work),
            "serving_index": str(serving),
        }
    print(json.dumps(result))


if __name__ == "__main__":
    main()
