"""All settings in one typed object: env vars `VDWBOT_*` and `DISCORD_TOKEN`, or a `.env` file."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Annotated, Literal

from pydantic import BeforeValidator, Field, SecretStr, ValidationError, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from retrieval.errors import VdwError
from retrieval.search import DEFAULT_BASE_URL

REPO_ROOT = Path(__file__).resolve().parent.parent
MAX_PREVIOUS = 4
"""Earlier questions of a conversation (thread, chat) passed with a follow-up: the latest ones."""


def _id_list(value: object) -> object:
    """Accept '1,2 3' as well as JSON lists for ID settings."""
    if isinstance(value, str):
        return [int(x) for x in value.replace(",", " ").split()]
    if isinstance(value, int):
        return [value]
    return value


IdList = Annotated[list[int], NoDecode, BeforeValidator(_id_list)]


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="VDWBOT_", env_file=".env", env_file_encoding="utf-8", extra="ignore"
    )

    # retrieval
    index: Path = Field(Path("index/default"), description="index root folder")
    seeds: Path = Field(REPO_ROOT / "seeds", description="demo archive used when no index exists")
    archive: Path | None = Field(None, description="archive folder that /reindex reads")
    archive_pull: bool = Field(False, description="git pull --ff-only the archive on /reindex")
    base_url: str = Field(DEFAULT_BASE_URL, description="site that post links point to")
    model: str | None = Field(None, description="sentence-transformers model path or name")
    backend: Literal["onnx", "onnx-int8", "torch"] = Field(
        "onnx", description="how the model runs (onnx: exported once, same vectors as torch)"
    )

    # discord
    discord_token: SecretStr | None = Field(
        None, validation_alias="DISCORD_TOKEN", description="bot token (never logged)"
    )
    guild_ids: IdList = Field(default_factory=list, description="guilds for instant command sync")
    answer_channels: IdList = Field(
        default_factory=list, description="channels where @mentions are answered"
    )
    maintainer_roles: IdList = Field(default_factory=list, description="roles allowed to /reindex")
    maintainer_users: IdList = Field(default_factory=list, description="users allowed to /reindex")
    ask_rate: int = Field(3, ge=1, description="questions per user per cooldown window")
    ask_per_seconds: float = Field(30.0, gt=0, description="cooldown window length")
    max_concurrent_searches: int = Field(2, ge=1, description="searches running at once")
    question_log_days: int = Field(
        90, ge=0, description="days questions are kept for /report (0: no question log)"
    )
    sync_hours: float = Field(
        0, ge=0, description="hours between background archive pulls + updates (0: never)"
    )
    discord_api_base: str | None = Field(
        None, description="REST base URL, with or without /api/v10 (a proxy, a local stand-in)"
    )
    discord_gateway: str | None = Field(None, description="gateway websocket URL")
    shard_count: int | None = Field(
        None, ge=1, description="shards of the whole bot (unset: the count Discord recommends)"
    )
    shard_ids: IdList = Field(
        default_factory=list, description="shards this process runs (empty: all of the count)"
    )

    @model_validator(mode="after")
    def _shards_fit_the_count(self) -> Settings:
        """Refused here, at startup, rather than by discord.py or as a shard never connected."""
        if not self.shard_ids:
            return self
        if self.shard_count is None:
            raise ValueError(
                "VDWBOT_SHARD_IDS needs VDWBOT_SHARD_COUNT (the shards of all processes)"
            )
        outside = [i for i in self.shard_ids if not 0 <= i < self.shard_count]
        if outside:
            raise ValueError(
                f"VDWBOT_SHARD_IDS {outside} not in 0..{self.shard_count - 1} "
                f"(VDWBOT_SHARD_COUNT={self.shard_count})"
            )
        if len(set(self.shard_ids)) != len(self.shard_ids):
            raise ValueError(f"VDWBOT_SHARD_IDS {self.shard_ids} names a shard twice")
        return self


class SettingsError(VdwError):
    """A setting's value is refused: one line naming the variable, not pydantic's traceback."""


def describe(error: ValidationError) -> str:
    """Each refused value as `VARIABLE: why`, in the names the user set."""
    fields = Settings.model_fields
    parts = []
    for e in error.errors():
        why = str(e["ctx"]["error"]) if e["type"] == "value_error" else e["msg"]
        if not e["loc"]:  # a check across settings: its message names them
            parts.append(why)
            continue
        name = str(e["loc"][0])
        alias = fields[name].validation_alias if name in fields else None
        parts.append(f"{alias if isinstance(alias, str) else 'VDWBOT_' + name.upper()}: {why}")
    return "bad setting: " + "; ".join(parts)


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    try:
        return Settings()
    except ValidationError as exc:
        raise SettingsError(describe(exc)) from None
