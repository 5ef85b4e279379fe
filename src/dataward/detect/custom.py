"""Custom detectors without code: a YAML file of patterns, context words and validators.

.. code-block:: yaml

    detectors:
      - name: employee-id            # registry-style name, unique
        entity: EMPLOYEE_ID
        patterns:
          - {name: emp, regex: "EMP-[0-9]{6}", score: 0.4}
        context: {en: [employee, staff], de: [mitarbeiter]}   # or a plain list for any language
        negative_context: [order]
        validator: luhn               # optional, from `dataward validators`
        validated_score: 0.9          # score when the validator passes (default: pattern score)
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from dataward.detect.base import ContextWords, PatternDetector
from dataward.detect.model import Pattern
from dataward.errors import ConfigError, yaml_problem
from dataward.registry import Registry

validators: Registry[Callable[[str], bool]] = Registry("validator", "dataward.validators")
"""Named validators usable from YAML detectors: ``luhn``, ``iban``, ``stdnum:<module>``."""


def get_validator(name: str) -> Callable[[str], bool]:
    _register_builtin_validators()
    if name.startswith("stdnum:"):
        return _stdnum_validator(name.removeprefix("stdnum:"))
    return validators.get(name)


def _stdnum_validator(module: str) -> Callable[[str], bool]:
    import importlib

    try:
        mod = importlib.import_module(f"stdnum.{module}")
    except ImportError:
        raise ConfigError(
            f"validator 'stdnum:{module}': python-stdnum has no module {module!r}",
            validator=module,
        ) from None
    is_valid: Callable[[str], bool] = mod.is_valid
    return is_valid


@functools.cache
def _register_builtin_validators() -> None:
    """Add the built-in validators to the registry, once per process."""
    from stdnum import iban

    from dataward.detect.validators import luhn_ok

    validators.add("luhn", lambda v: luhn_ok(re.sub(r"[^0-9]", "", v)))
    validators.add("iban", iban.is_valid)


class _PatternSpec(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str
    regex: str
    score: float = Field(ge=0.0, le=1.0)
    ignore_case: bool = False
    group: int = 0
    boundary: bool = True

    @field_validator("regex")
    @classmethod
    def _compiles(cls, value: str) -> str:
        try:
            re.compile(value, re.ASCII)
        except re.error as exc:
            raise ValueError(f"regex does not compile: {exc}") from None
        return value


class _DetectorSpec(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str = Field(pattern=r"^[a-z0-9][a-z0-9-]*$")
    entity: str = Field(pattern=r"^[A-Z][A-Z0-9_]*$")
    patterns: list[_PatternSpec] = Field(min_length=1)
    context: dict[str, list[str]] | list[str] = {}
    negative_context: dict[str, list[str]] | list[str] = {}
    validator: str | None = None
    validated_score: float | None = Field(None, ge=0.0, le=1.0)


class _FileSpec(BaseModel):
    model_config = ConfigDict(extra="forbid")
    detectors: list[_DetectorSpec]


def _words(spec: Mapping[str, list[str]] | list[str]) -> ContextWords:
    if isinstance(spec, list):
        return {"any": tuple(w.lower() for w in spec)}
    return {lang: tuple(w.lower() for w in words) for lang, words in spec.items()}


class CustomDetector(PatternDetector):
    """A pattern detector built from a YAML spec (instances pickle, so process pools work)."""

    def __init__(self, spec: _DetectorSpec, source: str) -> None:
        self.name = spec.name  # type: ignore[misc]
        self.entity = spec.entity  # type: ignore[misc]
        self.patterns = tuple(  # type: ignore[misc]
            Pattern(p.name, p.regex, p.score, p.ignore_case, None, p.group, p.boundary)
            for p in spec.patterns
        )
        self.context = _words(spec.context)  # type: ignore[misc]
        self.negative_context = _words(spec.negative_context)  # type: ignore[misc]
        self.validator = spec.validator  # type: ignore[misc]
        self.validated_score = spec.validated_score
        self.source = source
        if spec.validator is not None:
            get_validator(spec.validator)  # fail early on an unknown name

    def validate(self, value: str, pattern: Pattern) -> float | None:
        if self.validator is None:
            return pattern.score
        if not get_validator(self.validator)(value):
            return None
        return self.validated_score if self.validated_score is not None else pattern.score


def _check_linear(spec: _FileSpec, path: Path) -> None:
    """Refuse a pattern that could backtrack without bound and that RE2 cannot run instead (a
    pattern the ReDoS check flags but RE2 compiles is accepted: it runs on RE2 only)."""
    from dataward.detect.linear import LinearPattern, UnsafePatternError

    for d in spec.detectors:
        for p in d.patterns:
            flags = re.ASCII | (re.IGNORECASE if p.ignore_case else 0)
            try:
                LinearPattern(p.regex, flags, name=f"{d.name}/{p.name}")
            except UnsafePatternError as exc:
                raise ConfigError(
                    f"detector file {path}: detector {d.name!r}: {exc.message}",
                    path=str(path),
                    detector=d.name,
                ) from None


def load_detectors(path: Path) -> list[CustomDetector]:
    """Detectors from a YAML file; any problem raises :class:`ConfigError` naming the file.

    A pattern that can backtrack super-linearly (nested or overlapping quantifiers) runs on RE2;
    one that RE2 cannot run either (back-references, look-arounds) is refused, naming the detector.
    """
    try:
        raw: Any = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        msg = f"cannot read detector file {path}: {exc.strerror}"
        raise ConfigError(msg, path=str(path)) from None
    except yaml.YAMLError as exc:
        msg = f"detector file {path} is not valid YAML: {yaml_problem(exc)}"
        raise ConfigError(msg, path=str(path)) from None
    try:
        spec = _FileSpec.model_validate(raw)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors()
        )
        raise ConfigError(f"detector file {path}: {problems}", path=str(path)) from None
    names = [d.name for d in spec.detectors]
    dupes = {n for n in names if names.count(n) > 1}
    if dupes:
        raise ConfigError(f"detector file {path}: duplicate names {sorted(dupes)}", path=str(path))
    _check_linear(spec, path)
    return [CustomDetector(d, str(path)) for d in spec.detectors]
