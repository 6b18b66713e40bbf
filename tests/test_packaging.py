"""A non-editable install (`pip install .`) carries every file the packages read at run time."""

from __future__ import annotations

import shutil
import subprocess
import sys

import pytest

from tests.helpers import REPO

pytestmark = pytest.mark.slow


def tracked(*prefixes: str) -> set[str]:
    out = subprocess.run(["git", "ls-files", *prefixes], cwd=REPO, capture_output=True, text=True)
    return set(out.stdout.split())


def test_install_has_every_package_file(tmp_path):
    if not (REPO / ".git").exists():
        pytest.skip("not a git checkout")
    # a copy of the checkout's tracked files, as a fresh clone has them (the build writes there)
    source, target = tmp_path / "src", tmp_path / "site"
    for name in tracked():
        (source / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(REPO / name, source / name)
    done = subprocess.run(
        [sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--no-build-isolation",
         "--disable-pip-version-check", "--target", str(target), str(source)],
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    wanted = tracked("bot", "retrieval")
    installed = {
        str(p.relative_to(target))
        for p in target.rglob("*")
        if p.is_file() and p.parts[len(target.parts)] in ("bot", "retrieval")
    }
    assert wanted - installed == set()
    # and the installed copy, not the checkout, finds its data: run from elsewhere
    probe = "import retrieval.synonyms as s; print(s.__file__, s.expansions('vit d'))"
    ran = subprocess.run(
        [sys.executable, "-I", "-c", f"import sys; sys.path.insert(0, {str(target)!r}); {probe}"],
        cwd=tmp_path, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert ran.returncode == 0, ran.stderr
    assert ran.stdout.startswith(str(target)) and "vitamin d" in ran.stdout.lower()
