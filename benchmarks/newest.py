"""Does `--newest` stay on the subject? Prints one JSON object.

    .venv/bin/python benchmarks/newest.py [--index DIR] [--min-posts N] [--max-posts N]

Questions are made from the index's own tags, "vitamin d and <tag>", for every tag on
`--min-posts` to `--max-posts` posts that is not a generic or site tag. Each is asked with and
without `newest`. Reported per mode: the share of the first 3 posts that carry the asked tag or
name it in their title (a proxy for "on the subject", counted the same way in both modes), and
their mean year. The index is only read.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from retrieval import store  # noqa: E402
from retrieval.embedding import Embedder  # noqa: E402
from retrieval.search import DEFAULT_BASE_URL  # noqa: E402
from retrieval.service import AnswerService  # noqa: E402
from retrieval.tags import is_generic, tag_key  # noqa: E402


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--index", type=Path, default=HERE.parent / "index" / "archive")
    p.add_argument("--min-posts", type=int, default=10)
    p.add_argument("--max-posts", type=int, default=300)
    args = p.parse_args()
    embedder = Embedder(cache_dir=store.onnx_cache(args.index))
    service = AnswerService(args.index, embedder, DEFAULT_BASE_URL)
    searcher = service.searcher()
    posts = {post.slug: post for post in searcher.index.posts}
    catalogue = searcher.tags
    tags = sorted(
        key
        for key in catalogue.display
        if args.min_posts <= catalogue.count(key) <= args.max_posts and not is_generic(key)
    )

    def on_subject(slug: str, tag: str) -> bool:
        post = posts[slug]
        return tag in {tag_key(t) for t in post.tags} or tag in tag_key(post.title)

    out: dict = {"questions": len(tags)}
    for mode, newest in (("by_score", False), ("newest", True)):
        shares, years, confident = [], [], 0
        for tag in tags:
            answer = service.ask(f"vitamin d and {tag}", k=3, newest=newest)
            if not answer.confident:
                continue
            confident += 1
            shares.append(sum(on_subject(h.slug, tag) for h in answer.hits) / len(answer.hits))
            years += [h.year for h in answer.hits if h.year]
        out[mode] = {
            "confident": confident,
            "on_subject_share": round(sum(shares) / max(len(shares), 1), 3),
            "mean_year": round(sum(years) / max(len(years), 1), 2),
        }
    print(json.dumps(out, indent=2))


if __name__ == "__main__":
    main()
