"""Several serving processes on one index folder: all switch versions, one build at a time."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from retrieval import store
from tests.helpers import REPO
from tests.test_candidates import synthetic

# A serving process: answers a question for each line it reads, then prints the version it used.
SERVER = """
import sys
from pathlib import Path
import numpy as np
from retrieval.service import AnswerService
from tests.test_candidates import DIM

class Embedder:
    name = "test"
    def encode(self, texts):
        return np.ones((len(texts), DIM), np.float32) / np.sqrt(DIM)

service = AnswerService(Path(sys.argv[1]), Embedder(), "https://example.org")
for _ in sys.stdin:
    answer = service.ask("post")
    print(service.searcher().index.version, len(answer.hits), flush=True)
"""

BUILDER = """
import sys
from pathlib import Path
from retrieval import store
with store.build_lock(Path(sys.argv[1])):
    print("built")
"""


def ask(server: subprocess.Popen) -> list[str]:
    assert server.stdin is not None and server.stdout is not None
    server.stdin.write("question\n")
    server.stdin.flush()
    return server.stdout.readline().split()


@pytest.mark.slow
def test_processes_switch_together_and_build_one_at_a_time(tmp_path: Path) -> None:
    root = tmp_path / "ix"
    first = store.write_version(root, synthetic(60, seed=1)).name
    servers = [
        subprocess.Popen(
            [sys.executable, "-c", SERVER, str(root)],
            cwd=REPO,
            text=True,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        for _ in range(2)
    ]
    try:
        assert [ask(s) for s in servers] == [[first, "3"]] * 2
        with store.build_lock(root):  # a build in this process: the others' must wait their turn
            refused = subprocess.run(
                [sys.executable, "-c", BUILDER, str(root)], cwd=REPO, capture_output=True,
                text=True, timeout=60,
            )  # fmt: skip
            second = store.write_version(root, synthetic(80, seed=2)).name
        assert refused.returncode != 0 and "another build is running" in refused.stderr
        assert [ask(s) for s in servers] == [[second, "3"]] * 2
        done = subprocess.run(
            [sys.executable, "-c", BUILDER, str(root)], cwd=REPO, capture_output=True, text=True
        )
        assert done.stdout.strip() == "built"  # the lock is free again once the build ended
    finally:
        for s in servers:
            s.kill()
            s.wait()
