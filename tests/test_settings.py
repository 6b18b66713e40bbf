"""Settings as the README describes them: `VDWBOT_*` variables or a `.env` file, all listed."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from pydantic import ValidationError

from bot.cli import main
from bot.config import Settings, get_settings
from tests.helpers import REPO

KEYS = ("VDWBOT_INDEX", "VDWBOT_BACKEND", "VDWBOT_MAINTAINER_USERS", "VDWBOT_ARCHIVE_PULL",
        "VDWBOT_SHARD_COUNT", "VDWBOT_SHARD_IDS")  # fmt: skip


@pytest.fixture
def clean_env(monkeypatch, tmp_path):
    for key in (*KEYS, "DISCORD_TOKEN"):
        monkeypatch.delenv(key, raising=False)
    monkeypatch.chdir(tmp_path)  # the working directory's .env is the one read
    return tmp_path


def test_dotenv_is_read_and_the_environment_wins(clean_env, monkeypatch):
    (clean_env / ".env").write_text(
        "VDWBOT_INDEX=/srv/vdw/index\nVDWBOT_BACKEND=onnx-int8\n"
        "VDWBOT_MAINTAINER_USERS=11, 22 33\nVDWBOT_ARCHIVE_PULL=true\nDISCORD_TOKEN=abc.def\n",
        "utf-8",
    )
    s = Settings()
    assert s.index == Path("/srv/vdw/index") and s.backend == "onnx-int8"
    assert s.maintainer_users == [11, 22, 33] and s.archive_pull is True
    assert s.discord_token is not None and s.discord_token.get_secret_value() == "abc.def"
    assert "abc.def" not in repr(s) and "abc.def" not in str(s)  # the token is never printed
    monkeypatch.setenv("VDWBOT_BACKEND", "torch")
    assert Settings().backend == "torch"


def test_defaults_without_env_or_dotenv(clean_env):
    s = Settings()
    assert s.index == Path("index/default") and s.backend == "onnx" and s.model is None
    assert s.seeds == REPO / "seeds" and s.discord_token is None
    assert (s.ask_rate, s.ask_per_seconds, s.max_concurrent_searches) == (3, 30, 2)


def test_a_bad_value_is_refused(clean_env, monkeypatch):
    monkeypatch.setenv("VDWBOT_BACKEND", "cuda")
    with pytest.raises(ValidationError, match="backend"):
        Settings()


def test_shard_settings(clean_env, monkeypatch):
    assert (Settings().shard_count, Settings().shard_ids) == (None, [])  # as Discord recommends
    monkeypatch.setenv("VDWBOT_SHARD_COUNT", "2")
    monkeypatch.setenv("VDWBOT_SHARD_IDS", "0,1")
    assert (Settings().shard_count, Settings().shard_ids) == (2, [0, 1])


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"VDWBOT_SHARD_IDS": "1"}, "VDWBOT_SHARD_IDS needs VDWBOT_SHARD_COUNT"),
        ({"VDWBOT_SHARD_COUNT": "2", "VDWBOT_SHARD_IDS": "0 2"},
         "VDWBOT_SHARD_IDS [2] not in 0..1 (VDWBOT_SHARD_COUNT=2)"),
        ({"VDWBOT_SHARD_COUNT": "2", "VDWBOT_SHARD_IDS": "1,1"},
         "VDWBOT_SHARD_IDS [1, 1] names a shard twice"),
        ({"VDWBOT_SHARD_COUNT": "0"}, "VDWBOT_SHARD_COUNT: Input should be greater than or equal"),
        ({"VDWBOT_BACKEND": "cuda"}, "VDWBOT_BACKEND: Input should be 'onnx', 'onnx-int8' or"),
    ],
)  # fmt: skip
def test_a_bad_setting_stops_startup_with_one_line(clean_env, monkeypatch, capsys, env, message):
    """`vdwbot run` (or any command) names the variable and the fix; no traceback."""
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    get_settings.cache_clear()
    try:
        assert main(["run"]) == 1
    finally:
        get_settings.cache_clear()
    err = capsys.readouterr().err
    assert err.startswith(f"vdwbot: bad setting: {message}") and err.count("\n") == 1, err


def test_readme_settings_table_lists_every_setting():
    readme = (REPO / "README.md").read_text("utf-8")
    section = readme.split("### Settings", 1)[1].split("\n## ", 1)[0]
    table = "\n".join(line for line in section.splitlines() if line.startswith("|"))
    documented = set(re.findall(r"`((?:VDWBOT_[A-Z_]+)|DISCORD_TOKEN)`", table))
    fields = {
        (f.validation_alias if isinstance(f.validation_alias, str) else f"VDWBOT_{name.upper()}")
        for name, f in Settings.model_fields.items()
    }
    assert documented == fields
    assert ".env" in (REPO / ".gitignore").read_text("utf-8").split()
