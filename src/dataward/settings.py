"""Settings from ``DATAWARD_*`` environment variables, with embedded defaults."""

from __future__ import annotations

from pathlib import Path

from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """Where Dataward keeps its state and how it behaves by default."""

    model_config = SettingsConfigDict(env_prefix="DATAWARD_", extra="ignore")

    home: Path = Path(".dataward")
    """Everything Dataward stores: the catalog, keys, caches."""

    threshold: float = 0.5
    """Findings scoring below this are dropped."""

    def cache_dir(self) -> Path:
        path = self.home / "cache"
        path.mkdir(parents=True, exist_ok=True)
        return path


def get_settings() -> Settings:
    return Settings()
