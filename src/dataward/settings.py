"""Settings: ``dataward.yaml`` in the working directory, then ``DATAWARD_*`` environment variables.

Embedded defaults need no configuration at all.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, Field, ValidationError, field_validator
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    YamlConfigSettingsSource,
)

from dataward.errors import ConfigError

CONFIG_FILE = "dataward.yaml"


class DetectSettings(BaseModel):
    """The ``detect:`` section of ``dataward.yaml``."""

    threshold: float = Field(default=0.5, ge=0.0, le=1.0)
    """Findings scoring below this are dropped."""
    language: str | None = None
    """Context-word language (``en``, ``de``, ``fr``, ``es``, ``it``); detected when unset."""
    detectors: list[Path] = []
    """Custom detector files (YAML) loaded next to the built-ins."""


class NerSettings(BaseModel):
    """The ``ner:`` section: which model finds names, places, organizations and addresses."""

    backend: Literal["builtin", "none", "spacy", "gliner", "hf"] = "builtin"
    model: Path | None = None
    """Model folder (a local path; nothing is downloaded). For ``builtin``: another trained CRF."""
    threshold: float = Field(default=0.5, ge=0.0, le=1.0)

    @field_validator("backend", mode="before")
    @classmethod
    def _lower(cls, value: object) -> object:
        return value.strip().lower() if isinstance(value, str) else value


class ServerSettings(BaseModel):
    """The ``server:`` section of ``dataward.yaml``: limits of ``dataward serve``."""

    max_body_bytes: int = Field(default=5 * 1024 * 1024, gt=0)
    rate_per_second: float = Field(default=200.0, gt=0)
    """Sustained requests per second per API key."""
    burst: int = Field(default=400, gt=0)
    max_texts: int = Field(default=1000, gt=0)
    scan_roots: list[Path] = Field(default_factory=list)
    """Folders ``POST /v1/scan`` may read (default: the working directory)."""
    oidc_issuer: str | None = None
    """Accept ``Bearer`` JWTs from this issuer (``iss``) next to API keys; off when unset."""
    oidc_audience: str | None = None
    """The ``aud`` a JWT must carry."""
    oidc_jwks_path: Path | None = None
    """A local JWKS file with the issuer's public keys (nothing is fetched)."""
    oidc_role_claim: str = "dataward_role"
    """The claim that names the role (a string or a list); ``roles`` is tried next."""


class Settings(BaseSettings):
    """Where Dataward keeps its state and how it behaves by default."""

    model_config = SettingsConfigDict(
        env_prefix="DATAWARD_", env_nested_delimiter="__", extra="ignore", yaml_file=CONFIG_FILE
    )

    home: Path = Path(".dataward")
    """Everything Dataward stores: the catalog, keys, caches (``DATAWARD_HOME``)."""
    database_url: str | None = None
    """The store (``DATAWARD_DATABASE_URL``); default SQLite at ``HOME/dataward.db``."""
    cache_dir: Path | None = None
    """Compiled pattern databases (``DATAWARD_CACHE_DIR``); default ``HOME/cache``."""
    detect: DetectSettings = Field(default_factory=DetectSettings)
    ner: NerSettings = Field(default_factory=NerSettings)
    server: ServerSettings = Field(default_factory=ServerSettings)
    integrations: dict[str, Any] = Field(default_factory=dict)
    """The ``integrations:`` section (webhooks, Jira, ServiceNow), validated by
    :meth:`dataward.integrations.config.Integrations.from_settings`."""
    protect: dict[str, Any] = Field(default_factory=dict)
    """The ``protect:`` section, validated by :func:`dataward.protect.config.parse_config`."""

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        return (init_settings, env_settings, YamlConfigSettingsSource(settings_cls))

    @property
    def cache(self) -> Path:
        return self.cache_dir if self.cache_dir is not None else self.home / "cache"

    @property
    def threshold(self) -> float:
        return self.detect.threshold


def get_settings() -> Settings:
    """Current settings; a bad ``dataward.yaml`` raises :class:`ConfigError`."""
    try:
        return Settings()
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors()
        )
        raise ConfigError(f"invalid settings ({CONFIG_FILE} or DATAWARD_*): {problems}") from None
