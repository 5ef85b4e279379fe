"""The ``policy:`` section of ``dataward.yaml`` and its ``DATAWARD_POLICY_*`` overrides.

::

    policy:
      packs: [baseline, gdpr, hipaa, pci, eu-ai-act, secrets, dev-prod]
      paths: [policies/]          # your own .cedar files or folders
      mode: enforce               # default for every enforcement point
      modes: {inference: warn, ci: shadow}
      token_ttl_seconds: 900
      log_decisions: true
      log_writer: sync            # or background: a writer thread logs decisions in batches

Environment: ``DATAWARD_POLICY_PACKS`` (comma-separated), ``DATAWARD_POLICY_PATHS``
(``os.pathsep``-separated), ``DATAWARD_POLICY_MODE``, ``DATAWARD_POLICY_LOG_WRITER``.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, Field, ValidationError

from dataward.errors import ConfigError
from dataward.policy.decision import Mode
from dataward.policy.loader import PACKS
from dataward.settings import CONFIG_FILE


class PolicySettings(BaseModel):
    packs: list[str] = Field(default_factory=lambda: list(PACKS))
    paths: list[Path] = []
    mode: Mode = "enforce"
    modes: dict[str, Mode] = {}
    token_ttl_seconds: int = Field(default=900, gt=0, le=7 * 24 * 3600)
    log_decisions: bool = True
    log_writer: Literal["background", "sync"] = "sync"


def load_policy_settings() -> PolicySettings:
    raw: dict[str, Any] = {}
    config = Path(CONFIG_FILE)
    if config.is_file():
        try:
            data = yaml.safe_load(config.read_text("utf-8")) or {}
        except yaml.YAMLError as exc:
            raise ConfigError(f"{CONFIG_FILE}: invalid YAML: {exc}", path=CONFIG_FILE) from None
        section = data.get("policy") if isinstance(data, dict) else None
        if isinstance(section, dict):
            raw.update(section)
    if os.environ.get("DATAWARD_POLICY_PACKS") is not None:
        raw["packs"] = [
            p.strip() for p in os.environ["DATAWARD_POLICY_PACKS"].split(",") if p.strip()
        ]
    if os.environ.get("DATAWARD_POLICY_PATHS"):
        raw["paths"] = [p for p in os.environ["DATAWARD_POLICY_PATHS"].split(os.pathsep) if p]
    if os.environ.get("DATAWARD_POLICY_LOG_WRITER"):
        raw["log_writer"] = os.environ["DATAWARD_POLICY_LOG_WRITER"]
    if os.environ.get("DATAWARD_POLICY_MODE"):
        raw["mode"] = os.environ["DATAWARD_POLICY_MODE"]
    try:
        return PolicySettings(**raw)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors()
        )
        raise ConfigError(f"invalid policy settings ({CONFIG_FILE} policy:): {problems}") from None
