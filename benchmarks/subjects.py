"""The subject rule (retrieval/coverage.py, subjects.txt) outside the question sets: how often it
flags questions the archive covers by definition, and what it costs; prints one JSON object.

    .venv/bin/python benchmarks/subjects.py [--index DIR] [--every N] [--posts K ...]

Questions are made from every N-th post: "is it true that <title>?", "... <first bold line>?" and
"... <opening sentence>?". Each post names its own subjects, so a flag is a false one (K from
the rule's SUBJECT_POSTS unless --posts gives others). Costs: building the coverage of the
loaded version (best of 3 builds after the first, which compiles the list's patterns once per
process), and reading one question (median and worst over those questions). The index is only
read; no question file is opened.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from functools import partial
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from retrieval import coverage, store  # noqa: E402
from retrieval.coverage import ArchiveWords, SubjectCoverage, acronym_coverage  # noqa: E402
from retrieval.lexical import LexicalIndex  # noqa: E402
from retrieval.query import build_query  # noqa: E402
from retrieval.search import post_text  # noqa: E402
from retrieval.tags import TagCatalogue, tag_key  # noqa: E402

OPENING_CHARS = 300


def questions(index: store.IndexData, every: int) -> dict[str, list[str]]:
    """English questions from every `every`-th post's title, first bold line, opening sentence."""
    first_chunk: dict[int, str] = {}
    for text, row in zip(index.chunks.text, index.chunks.post_row.tolist(), strict=True):
        first_chunk.setdefault(row, text)
    posts = index.posts[::every]
    ask = "is it true that {}?".format
    return {
        "title": [ask(p.title) for p in posts],
        "bold": [ask(p.bold[0]) for p in posts if p.bold],
        "opening": [
            ask(first_chunk[p.row].split(". ")[0][:OPENING_CHARS])
            for p in posts
            if p.row in first_chunk
        ],
    }


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--index", type=Path, default=HERE.parent / "index" / "archive")
    p.add_argument("--every", type=int, default=5, help="one post in N makes questions")
    p.add_argument("--posts", type=int, action="append", help="K values to try (repeatable)")
    args = p.parse_args()
    index = store.load(args.index)
    lexical = LexicalIndex(index)
    words = ArchiveWords(
        lexical.idf, acronym_coverage(lexical.posts_with, partial(post_text, index))
    )
    tags = TagCatalogue.for_index(index)
    SubjectCoverage.for_index(index, lexical)  # compiles the list's patterns, once per process
    builds = []
    for _ in range(3):
        start = time.perf_counter()
        SubjectCoverage.for_index(index, lexical)
        builds.append(time.perf_counter() - start)
    english: dict[str, list[str]] = {}
    for name, asked in questions(index, args.every).items():
        read = [build_query(q, (), lambda t: tags.count(tag_key(t)) > 0) for q in asked]
        english[name] = [q.english for q in read if q.lang == "en"]  # the rule's scope
    out: dict = {"index_version": index.version, "posts": len(index.posts)}
    out["subjects"] = len(coverage.subjects())
    out["load_ms"] = round(min(builds) * 1000, 1)
    for most in args.posts or [coverage.SUBJECT_POSTS]:
        rule = SubjectCoverage.for_index(index, lexical, most)
        row: dict = {"uncovered_subjects": len(rule.uncovered)}
        for name, qs in english.items():
            flagged = sum(1 for q in qs if rule.named(q))
            old = sum(1 for q in qs if words.missing(q))
            row[name] = {"questions": len(qs), "flagged": flagged, "word_rule_flagged": old}
        out[f"K={most}"] = row
    rule = SubjectCoverage.for_index(index, lexical)
    timings = []
    for q in (q for qs in english.values() for q in qs):
        start = time.perf_counter()
        rule.named(q)
        timings.append(time.perf_counter() - start)
    out["query_us"] = {
        "median": round(statistics.median(timings) * 1e6, 1),
        "max": round(max(timings) * 1e6, 1),
    }
    print(json.dumps(out))


if __name__ == "__main__":
    main()
