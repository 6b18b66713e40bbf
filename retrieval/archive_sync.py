"""Archive sync: fast-forward the wiki's git checkout before an index update."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from retrieval.errors import VdwError

GIT_TIMEOUT = 120


class SyncError(VdwError):
    """The archive could not be fast-forwarded; the message says why and what to do."""


def _git(folder: Path, *args: str) -> subprocess.CompletedProcess[str]:
    try:
        return subprocess.run(
            ["git", "-C", str(folder), *args],
            capture_output=True, text=True, timeout=GIT_TIMEOUT,
            env={**os.environ, "GIT_TERMINAL_PROMPT": "0"},
        )  # fmt: skip
    except FileNotFoundError:
        raise SyncError("git is not installed") from None
    except subprocess.TimeoutExpired:
        raise SyncError(f"git {args[0]} took over {GIT_TIMEOUT} s (network down?)") from None


def is_git_checkout(folder: Path) -> bool:
    return _git(folder, "rev-parse", "--is-inside-work-tree").stdout.strip() == "true"


def pull(folder: Path) -> str:
    """`git pull --ff-only` in the archive; returns git's one-line summary."""
    if not is_git_checkout(folder):
        raise SyncError(f"{folder} is not a git checkout, so there is nothing to pull")
    before = _git(folder, "rev-parse", "HEAD").stdout.strip()
    done = _git(folder, "pull", "--ff-only", "--quiet")
    if done.returncode != 0:
        detail = " ".join((done.stderr or done.stdout).split())[:300]
        if "Not possible to fast-forward" in detail or "diverg" in detail:
            raise SyncError(
                f"the archive at {folder} has diverged from its remote; resolve it by hand "
                f"(git -C {folder} status) and reindex again. git said: {detail}"
            )
        raise SyncError(f"git pull failed in {folder}: {detail}")
    after = _git(folder, "rev-parse", "HEAD").stdout.strip()
    if before == after:
        return "archive already up to date"
    return f"archive moved {before[:8]} → {after[:8]}"
