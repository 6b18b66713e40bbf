"""Reindexing: a build killed at any moment leaves the old version serving; git archive sync."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from retrieval import store
from retrieval.indexer import build_index
from tests.helpers import REPO, SEED_SLUG, SEEDS, git, share_onnx_export, write_post


def write_posts(folder: Path, n: int, paragraphs: int, prefix: str = "post") -> None:
    for i in range(n):
        write_post(folder, f"{prefix}-{i}", f"Vitamin D study {prefix} {i}", ["x"], paragraphs)


def vdwbot(*args: str, **kwargs) -> subprocess.Popen:
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    return subprocess.Popen(
        [sys.executable, "-m", "bot", *args], cwd=REPO, env=env, text=True,
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, **kwargs,
    )  # fmt: skip


# The child builds the index for real, and stalls at one chosen moment so the kill lands there
# every run (a sleep-and-hope kill lands anywhere, and then a test can only accept any outcome).
STALL = """
import sys, time
from pathlib import Path
from retrieval import store
from retrieval.embed_cache import EmbeddingCache
from retrieval import indexer
from retrieval.embedding import Embedder

def stall_after(owner, name, when=lambda *a: True):
    real = getattr(owner, name)
    def wrapper(*args, **kwargs):
        result = real(*args, **kwargs)
        if when(*args):
            print("STALLED", flush=True)
            time.sleep(600)
        return result
    setattr(owner, name, wrapper)

moment, archive, root, batch = sys.argv[1:]
indexer.EMBED_BATCH = int(batch)  # small batches: a small archive still takes several
if moment == "embedding":  # one batch embedded and cached, more to go
    stall_after(EmbeddingCache, "put_many")
elif moment == "writing":  # FAISS files and SQLite written in .tmp-*, manifest not yet
    stall_after(store, "_write_sqlite")
else:  # the complete version renamed into versions/, CURRENT not yet switched
    stall_after(store, "_fsync_dir", lambda path: path.name == "versions")
indexer.build_index(Path(archive), Path(root), Embedder())
print("FINISHED", flush=True)
"""


CHILD_BATCH = 8


def stalled_build(moment: str, archive: Path, root: Path) -> subprocess.Popen:
    """A build in a child process that is still running, stalled at `moment`."""
    proc = subprocess.Popen(
        [sys.executable, "-c", STALL, moment, str(archive), str(root), str(CHILD_BATCH)],
        cwd=REPO, text=True, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
    )  # fmt: skip
    seen = []
    for line in proc.stdout:  # until the marker, or the end of output if the child exits
        if line.strip() == "STALLED":
            return proc
        seen.append(line)
    proc.wait(30)
    output = "".join(seen)[-3000:]
    raise AssertionError(f"build exited ({proc.returncode}) before {moment!r}:\n{output}")


@pytest.mark.parametrize("moment", ["embedding", "writing", "switching"])
def test_kill_9_mid_build_leaves_previous_version_serving(tmp_path, embedder, moment):
    archive = tmp_path / "posts"
    shutil.copytree(SEEDS, archive)
    root = tmp_path / "ix"
    build_index(archive, root, embedder)  # also exports the ONNX model the child loads
    before = store.current_version(root)
    write_posts(archive, 10, 4)  # about 20 texts to embed: several batches
    proc = stalled_build(moment, archive, root)
    assert proc.poll() is None  # still working when killed
    proc.send_signal(signal.SIGKILL)
    assert proc.wait(30) == -signal.SIGKILL
    assert store.current_version(root) == before
    serving = store.load(root)
    assert [p.slug for p in serving.posts] == [SEED_SLUG]
    leftovers = list(root.glob(".tmp-*"))
    versions = sorted(p.name for p in (root / "versions").iterdir())
    if moment == "embedding":
        assert leftovers == [] and versions == [before]
    elif moment == "writing":
        assert len(leftovers) == 1 and versions == [before]
        assert not (leftovers[0] / "manifest.json").exists()
    else:
        assert leftovers == [] and len(versions) == 2 and before in versions
    # the next run recovers: no stale lock, leftovers cleaned, the new posts indexed
    report = build_index(archive, root, embedder, incremental=True)
    assert report.posts == 11 and len(report.added) == 10
    assert not list(root.glob(".tmp-*"))
    assert store.current_version(root) == report.version != before
    assert len(store.load(root).posts) == 11
    # what was embedded before the kill comes from the cache: one batch, or everything
    if moment == "embedding":
        assert report.embedded > 0 and report.reused >= CHILD_BATCH, report.summary()
    else:
        assert report.embedded == 0, report.summary()


@pytest.mark.slow  # git, and a vdwbot process per pull
def test_archive_pull_fast_forwards_then_updates(tmp_path, embedder):
    remote, upstream, archive, root = (tmp_path / n for n in ("remote.git", "up", "posts", "ix"))
    git(tmp_path, "init", "-q", "--bare", "-b", "main", str(remote))
    git(tmp_path, "clone", "-q", str(remote), str(upstream))
    shutil.copy(next(SEEDS.glob("*.md")), upstream)
    git(upstream, "add", "-A")
    git(upstream, "commit", "-qm", "seed")
    git(upstream, "push", "-q", "origin", "HEAD:main")
    git(tmp_path, "clone", "-q", str(remote), str(archive))
    write_posts(upstream, 1, 3, prefix="new")
    git(upstream, "add", "-A")
    git(upstream, "commit", "-qm", "new post")
    git(upstream, "push", "-q", "origin", "HEAD:main")

    embedder.load()
    share_onnx_export(embedder, root)
    proc = vdwbot("archive", "pull", "--archive", str(archive), "--index", str(root))
    _, err = proc.communicate(timeout=300)
    assert proc.returncode == 0, err
    assert "archive moved" in err
    assert set(store.load(root).by_slug) == {SEED_SLUG, "new-0"}

    # divergence: a local commit plus a different upstream commit cannot be fast-forwarded
    write_posts(archive, 1, 2, prefix="local")
    git(archive, "add", "-A")
    git(archive, "commit", "-qm", "local edit")
    write_posts(upstream, 1, 2, prefix="other")
    git(upstream, "add", "-A")
    git(upstream, "commit", "-qm", "other edit")
    git(upstream, "push", "-q", "origin", "HEAD:main")
    version = store.current_version(root)
    proc = vdwbot("archive", "pull", "--archive", str(archive), "--index", str(root))
    _, err = proc.communicate(timeout=300)
    assert proc.returncode == 1
    assert "diverged" in err and "Traceback" not in err
    assert store.current_version(root) == version


def test_archive_pull_outside_git_is_a_clear_error(tmp_path):
    proc = vdwbot("archive", "pull", "--archive", str(tmp_path), "--index", str(tmp_path / "ix"))
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == 1 and "not a git checkout" in err
