"""What to protect and how: the ``protect:`` section of ``dataward.yaml`` (or a ``--config`` file).

The model only needs pydantic and the standard library, so the settings module can embed it.

.. code-block:: yaml

    protect:
      defaults:                     # entity type -> operator, over the built-in table
        EMAIL_ADDRESS: {operator: mask, preset: email}
        PERSON: replace
      rules:                        # first matching rule wins, before any default
        - {column: "internal_*", operator: keep}
        - {category: PHI, operator: redact}
        - {entity: US_SSN, scope: finding, operator: replace}
        - {column: visit_date, operator: date-shift, subject_column: patient_id}
      free_text: true               # replace findings inside free-text columns
      link_values: true             # a row's protected values are replaced in its text too
      verify: true                  # re-scan the output before it replaces anything
      verify_rows: 100000           # verified whole up to this many rows, sampled above
      max_output_ratio: 20          # output size limit: 20x the input (at least 64 MiB)
"""

from __future__ import annotations

import fnmatch
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from dataward.errors import ConfigError

KEEP = "keep"
"""The pseudo-operator that leaves values untouched."""

_SPEC_FIELDS = frozenset({"operator", "params", "subject_column"})


def _split_params(data: Any, fields: frozenset[str]) -> Any:
    """Allow ``"hash"`` for ``{operator: hash}`` and operator parameters inline."""
    if isinstance(data, str):
        return {"operator": data}
    if isinstance(data, dict):
        inline = {k: v for k, v in data.items() if k not in fields}
        if inline:
            out = {k: v for k, v in data.items() if k in fields}
            out["params"] = {**inline, **dict(data.get("params") or {})}
            return out
    return data


class OperatorSpec(BaseModel):
    """An operator by registry name with its parameters (``keep`` leaves values untouched)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    operator: str
    params: dict[str, Any] = Field(default_factory=dict)
    subject_column: str | None = None
    """``date-shift`` only: the column whose value is each row's subject (one offset per
    subject, so intervals within a subject's records survive)."""

    @model_validator(mode="before")
    @classmethod
    def _shorthand(cls, data: Any) -> Any:
        return _split_params(data, _SPEC_FIELDS)

    def label(self) -> str:
        return self.operator


_RULE_FIELDS = _SPEC_FIELDS | {"column", "entity", "category", "scope"}


class ProtectRule(BaseModel):
    """Matches by column name (a glob), entity type, category or tag (``PHI``, ``PII``,
    ``GOVERNMENT_ID``, ``SECRET``...), and where: ``column`` (a whole classified column),
    ``finding`` (a span found in free text) or ``any``. Every given condition must hold."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    column: str | None = None
    entity: str | None = None
    category: str | None = None
    scope: Literal["any", "column", "finding"] = "any"
    operator: str
    params: dict[str, Any] = Field(default_factory=dict)
    subject_column: str | None = None

    @model_validator(mode="before")
    @classmethod
    def _shorthand(cls, data: Any) -> Any:
        return _split_params(data, _RULE_FIELDS)

    @model_validator(mode="after")
    def _something(self) -> ProtectRule:
        if self.column is None and self.entity is None and self.category is None:
            raise ValueError("a rule needs at least one of column, entity or category")
        return self

    def spec(self) -> OperatorSpec:
        return OperatorSpec(
            operator=self.operator, params=self.params, subject_column=self.subject_column
        )

    def matches(
        self, *, column: str | None, entity: str | None, categories: frozenset[str], scope: str
    ) -> bool:
        if self.scope != "any" and self.scope != scope:
            return False
        if self.column is not None and (
            column is None or not fnmatch.fnmatchcase(column.lower(), self.column.lower())
        ):
            return False
        if self.entity is not None and (
            entity is None or not fnmatch.fnmatchcase(entity, self.entity.upper())
        ):
            return False
        return self.category is None or self.category.upper() in categories


class ProtectConfig(BaseModel):
    """The ``protect:`` section."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    rules: tuple[ProtectRule, ...] = ()
    """Checked in order before the defaults; the first match wins."""
    defaults: dict[str, OperatorSpec] = Field(default_factory=dict)
    """Entity type → operator, replacing the built-in default of that type."""
    free_text: bool = True
    """Replace every finding inside free-text columns. ``false`` only narrows them to findings
    of sensitive types (as in every other text column); it never turns protection off."""
    link_values: bool = True
    """Also replace, in a row's free text, the values of that row's protected columns."""
    sensitive_only: bool = True
    """Columns classified with a non-sensitive entity (``CITY``, ``UUID``...) are kept unless a
    rule names them."""
    threshold: float | None = Field(default=None, ge=0.0, le=1.0)
    """Minimum finding score in free text (default: ``detect.threshold``)."""
    sample_rows: int = Field(default=5_000, gt=0)
    """Rows read first to classify columns; every later batch uses the same decisions."""
    verify: bool = True
    """Re-scan the written output before it replaces anything; a surviving value of a
    protected type stops the run (``--no-verify`` skips it, and the audit event says so)."""
    verify_rows: int = Field(default=100_000, gt=0)
    """Outputs with up to this many rows (lines) are verified whole; larger ones on every k-th
    row, about this many rows in all."""
    max_output_ratio: float = Field(default=20.0, gt=0)
    """The output may take at most this many times the input's size on disk (never less than
    64 MiB); a larger one stops the run and is deleted."""
    max_output_bytes: int | None = Field(default=None, gt=0)
    """An absolute output-size limit in bytes, instead of ``max_output_ratio``."""

    @model_validator(mode="before")
    @classmethod
    def _upper_defaults(cls, data: Any) -> Any:
        if isinstance(data, dict) and isinstance(data.get("defaults"), dict):
            data = {**data, "defaults": {str(k).upper(): v for k, v in data["defaults"].items()}}
        return data


def parse_config(data: Any, where: str = "protect settings") -> ProtectConfig:
    """Validate a ``protect:`` mapping; problems raise :class:`ConfigError` naming the field."""
    if data is None:
        return ProtectConfig()
    if isinstance(data, ProtectConfig):
        return data
    if isinstance(data, BaseModel):
        data = data.model_dump()
    try:
        return ProtectConfig.model_validate(data)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e['loc']) or '(top)'}: {e['msg']}" for e in exc.errors()
        )
        raise ConfigError(f"invalid {where}: {problems}") from None


def load_config(path: str | Path | None = None) -> ProtectConfig:
    """The protect configuration: ``path`` (YAML or JSON; a top-level ``protect:`` key is
    optional) or, without it, the ``protect:`` section of the settings / ``dataward.yaml``."""
    if path is not None:
        return parse_config(_read_yaml(Path(path)), str(path))
    from dataward.settings import CONFIG_FILE, get_settings

    section = getattr(get_settings(), "protect", None)
    if section is not None:
        return parse_config(section, f"protect section of {CONFIG_FILE}")
    file = Path(CONFIG_FILE)
    if not file.is_file():
        return ProtectConfig()
    doc = _read_yaml(file, section_only=True)
    return parse_config(doc, f"protect section of {CONFIG_FILE}")


def _read_yaml(path: Path, *, section_only: bool = False) -> Any:
    import yaml

    try:
        doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ConfigError(f"cannot read {path}: {exc.strerror}", path=str(path)) from None
    except yaml.YAMLError:
        raise ConfigError(f"{path} is not valid YAML", path=str(path)) from None
    if isinstance(doc, dict) and "protect" in doc:
        return doc["protect"]
    if section_only:
        return None
    return doc
