"""The README's two Quick start commands work in a fresh clone; CI runs the second one."""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

import pytest

from tests.helpers import REPO, SEED_SLUG, SHARED


def quick_start_commands() -> list[str]:
    readme = (REPO / "README.md").read_text("utf-8")
    section = readme.split("## Quick start", 1)[1]
    block = re.search(r"```sh\n(.*?)```", section, re.S)
    assert block, "Quick start has no ```sh block"
    return [line.strip() for line in block.group(1).splitlines() if line.strip()]


def test_quick_start_is_two_commands_and_ci_runs_the_second():
    commands = quick_start_commands()
    assert len(commands) == 2
    ci = (REPO / ".ci" / "run").read_text("utf-8")
    assert commands[1] in ci.splitlines()


@pytest.mark.slow
@pytest.mark.timeout(3600)  # two steps of up to 1,800 s each: a venv from scratch, then demo
def test_quick_start_in_a_fresh_clone(tmp_path: Path):
    if not (REPO / ".git").exists():
        pytest.skip("not a git checkout")
    clone = tmp_path / "clone"
    subprocess.run(["git", "clone", "-q", str(REPO), str(clone)], check=True)
    # No outer make's command-line variables either: `make test PYTEST_ARGS=...` would hand
    # them to the clone's make, which would run this test again, and again.
    outer = ("VIRTUAL_ENV", "PYTEST_ADDOPTS", "MAKEFLAGS", "MFLAGS", "MAKELEVEL")
    env = {k: v for k, v in os.environ.items() if k not in outer}
    env["VDWBOT_SHARED"] = str(SHARED)
    demo, tests = quick_start_commands()
    run = subprocess.run(
        demo, shell=True, cwd=clone, env=env, capture_output=True, text=True, timeout=1800
    )
    assert run.returncode == 0, run.stderr[-3000:]
    assert f"https://vitamindwiki.com/pages/{SEED_SLUG}/" in run.stdout
    assert (clone / ".venv" / "bin" / "vdwbot").exists()
    # The test command sets up the same way; here it runs one quick module (CI runs it all).
    env["PYTEST_ARGS"] = "-q tests/test_archive.py"
    run = subprocess.run(
        tests, shell=True, cwd=clone, env=env, capture_output=True, text=True, timeout=1800
    )
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    assert re.search(r"\d+ passed", run.stdout)
