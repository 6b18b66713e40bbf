"""Reindexing: a build killed at any moment leaves the old version serving; git archive sync."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from retrieval import store
from retrieval.indexer import build_index
from tests.conftest import REPO, SEED_SLUG, SEEDS, write_post

pytestmark = pytest.mark.slow


def write_posts(folder: Path, n: int, paragraphs: int, prefix: str = "post") -> None:
    for i in range(n):
        write_post(folder, f"{prefix}-{i}", f"Vitamin D study {prefix} {i}", ["x"], paragraphs)


def vdwbot(*args: str, **kwargs) -> subprocess.Popen:
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    return subprocess.Popen(
        [sys.executable, "-m", "bot", *args], cwd=REPO, env=env, text=True,
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, **kwargs,
    )  # fmt: skip


def wait_for_stderr(proc: subprocess.Popen, needle: str, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    seen = ""
    while time.monotonic() < deadline:
        chunk = proc.stderr.read(1)
        if not chunk:
            break
        seen += chunk
        if needle in seen:
            return
    raise AssertionError(f"never saw {needle!r}; stderr: {seen[-2000:]}")


@pytest.mark.parametrize("moment", ["embedding", "writing"])
def test_kill_9_mid_build_leaves_previous_version_serving(tmp_path, embedder, moment):
    archive = tmp_path / "posts"
    shutil.copytree(SEEDS, archive)
    root = tmp_path / "ix"
    build_index(archive, root, embedder)
    before = store.current_version(root)
    write_posts(archive, 40, 30)
    proc = vdwbot("index", "build", "--archive", str(archive), "--index", str(root))
    if moment == "embedding":
        wait_for_stderr(proc, "embedding:")
        time.sleep(1.0)
    else:  # the moment the new version's folder appears, before it is switched in
        deadline = time.monotonic() + 300
        while not list(root.glob(".tmp-*")) and time.monotonic() < deadline:
            time.sleep(0.005)
    proc.send_signal(signal.SIGKILL)
    proc.wait(30)
    serving = store.load(root)  # whatever is serving is complete and loadable
    assert serving.by_slug[SEED_SLUG]
    if moment == "embedding":
        assert store.current_version(root) == before
    else:  # killed while writing: either the old version, or the new one already switched in
        assert len(serving.posts) in (1, 41)
    # the next run recovers: no stale lock, leftovers cleaned, the new posts indexed
    report = build_index(archive, root, embedder, incremental=True)
    assert report.posts == 41 and not list(root.glob(".tmp-*"))
    assert store.current_version(root) != before


def git(cwd: Path, *args: str) -> str:
    who = {"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@t"}
    env = {**os.environ, **who, "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@t"}
    done = subprocess.run(["git", *args], cwd=cwd, env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_archive_pull_fast_forwards_then_updates(tmp_path):
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

    proc = vdwbot("archive", "pull", "--archive", str(archive), "--index", str(root))
    out, err = proc.communicate(timeout=300)
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
    out, err = proc.communicate(timeout=300)
    assert proc.returncode == 1
    assert "diverged" in err and "Traceback" not in err
    assert store.current_version(root) == version


def test_archive_pull_outside_git_is_a_clear_error(tmp_path):
    proc = vdwbot("archive", "pull", "--archive", str(tmp_path), "--index", str(tmp_path / "ix"))
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == 1 and "not a git checkout" in err
