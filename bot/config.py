"""All settings in one typed object: env vars `VDWBOT_*` and `DISCORD_TOKEN`, or a `.env` file."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

REPO_ROOT = Path(__file__).resolve().parent.parent


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="VDWBOT_", env_file=".env", env_file_encoding="utf-8", extra="ignore"
    )

    index: Path = Field(Path("index/default"), description="index root folder")
    seeds: Path = Field(REPO_ROOT / "seeds", description="demo archive used when no index exists")
    base_url: str = Field("https://vitamindwiki.com", description="site that post links point to")
    model: str | None = Field(None, description="sentence-transformers model path or name")
    discord_token: SecretStr | None = Field(
        None, validation_alias="DISCORD_TOKEN", description="bot token (never logged)"
    )


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
