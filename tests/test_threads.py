"""Query-time thread pools follow VDWBOT_QUERY_THREADS in a serving process, in every thread."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading

import pytest

from retrieval import threads
from tests.helpers import REPO

# A serving process: AnswerService over a small index, questions asked from the main thread and
# from a worker thread (the bot searches in asyncio.to_thread workers), pools read as it ranks.
SCRIPT = """
import json, sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
import numpy as np
from retrieval import store, threads
from retrieval.search import Searcher
from retrieval.service import AnswerService
from tests.test_candidates import DIM, synthetic

class Embedder:
    name = "test"
    def encode(self, texts):
        v = np.ones((len(texts), DIM), np.float32)
        return v / np.linalg.norm(v, axis=1, keepdims=True)

root = Path(sys.argv[1])
store.write_version(root, synthetic(200))
seen = []
rank_posts = Searcher.rank_posts
def recording(self, *args, **kwargs):
    ranking = rank_posts(self, *args, **kwargs)
    seen.append(threads.in_force())  # in the thread that ranked, as it ranked
    return ranking
Searcher.rank_posts = recording
service = AnswerService(root, Embedder(), "https://example.org")
service.ask("vitamin D and bones")
with ThreadPoolExecutor(1) as pool:
    pool.submit(service.ask, "vitamin D and muscles").result()
seen.append(threads.beside(threads.in_force).result())  # the side thread of every search
print(json.dumps(seen))
"""


def serving_pools(tmp_path, setting: str) -> list[dict]:
    # machine defaults that differ from the setting: 3 threads everywhere unless pinned
    env = {**os.environ, "OMP_NUM_THREADS": "3", "OPENBLAS_NUM_THREADS": "3"}
    env[threads.ENV] = setting
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT, str(tmp_path / setting)],
        capture_output=True, text=True, cwd=REPO, env=env, timeout=120,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.splitlines()[-1])


@pytest.mark.slow
@pytest.mark.parametrize("setting", ["1", "2"])
def test_setting_in_force_in_every_serving_thread(tmp_path, setting):
    seen = serving_pools(tmp_path, setting)
    assert len(seen) == 3  # the main thread's query, the worker's and the side thread
    for during_query in seen:
        assert during_query["setting"] == int(setting)
        apis = {p["api"] for p in during_query["pools"]}
        assert {"openblas", "openmp"} <= apis  # numpy's and FAISS's pools were found
        assert {p["threads"] for p in during_query["pools"]} == {int(setting)}


def test_bad_setting_is_refused(monkeypatch):
    monkeypatch.setenv(threads.ENV, "0")
    with pytest.raises(ValueError, match=threads.ENV):
        threads.configured()


def test_side_work_runs_on_another_thread_and_its_errors_reach_the_caller():
    assert threads.beside(threading.get_ident).result() != threading.get_ident()

    def broken() -> None:
        raise RuntimeError("side work failed")

    with pytest.raises(RuntimeError, match="side work failed"):
        threads.beside(broken).result()


def test_side_work_may_hand_on_side_work():
    """Work on the side thread that asks for more side work gets it done, not a deadlock."""
    nested = threads.beside(lambda: threads.beside(lambda: 41).result() + 1)
    assert nested.result() == 42
