"""Answer quality over the whole archive, per question set and per kind; prints one JSON object
last, keyed by set name.

    .venv/bin/python benchmarks/quality.py [--archive DIR] [--index DIR] [--questions FILE ...]
        [--backend onnx|onnx-int8|torch] [--no-update] [--details]

Sets: the repo's dev set and, when ../shared is there, the independent set written by people who
never saw the system. The index is brought up to date with the archive first (incremental: nothing
is re-embedded when nothing changed; the first run embeds the whole archive, ~16 minutes on 2
cores) unless --no-update.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from retrieval import store  # noqa: E402
from retrieval.embedding import BACKENDS, Embedder  # noqa: E402
from retrieval.evaluation import chunk_bodies, evaluate, load_questions  # noqa: E402
from retrieval.search import DEFAULT_BASE_URL  # noqa: E402
from retrieval.service import AnswerService  # noqa: E402

DEFAULT_SETS = [
    HERE / "questions_dev.json",
    HERE.parent.parent / "shared" / "eval" / "questions_independent.json",
]


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--archive", type=Path, default=HERE.parent.parent / "shared/archive/posts")
    p.add_argument("--index", type=Path, default=HERE.parent / "index" / "archive")
    p.add_argument("--questions", type=Path, action="append", help="question file (repeatable)")
    p.add_argument("--no-update", action="store_true", help="use the index as it is")
    p.add_argument("--model", default=None)
    p.add_argument("--backend", choices=BACKENDS, default="onnx")
    p.add_argument("--details", action="store_true", help="print one line per question too")
    args = p.parse_args()
    embedder = Embedder(args.model, backend=args.backend, cache_dir=store.onnx_cache(args.index))
    service = AnswerService(args.index, embedder, DEFAULT_BASE_URL)
    if not args.no_update:
        report = service.build(args.archive, incremental=store.exists(args.index))
        print(report.summary().splitlines()[0], file=sys.stderr)
    files = args.questions or [p for p in DEFAULT_SETS if p.exists()]
    index = service.searcher().index
    out: dict = {"index_version": index.version}
    body = chunk_bodies(index)
    for path in files:
        summary, rows = evaluate(
            load_questions(path), lambda q, k, prev: service.ask(q, k=k, previous=prev), body
        )
        if args.details:
            for row in rows:
                print(json.dumps(row, ensure_ascii=False), file=sys.stderr)
        out[path.stem] = summary
    print(json.dumps(out))


if __name__ == "__main__":
    main()
