"""Retention rules: how long an artifact is kept, by data category, use, jurisdiction and
artifact type, as ISO 8601 durations.

When several rules match an artifact the longest wins (a rule never shortens what another
requires), an artifact inherits the rules of every artifact it was made from (lineage: a
feature table built from PHI keeps the PHI's retention), and the keep-until date an artifact
was once given is its floor: a later, shorter rule never moves it earlier.

>>> parse_duration("P1Y6M").add_to(datetime(2025, 8, 31, tzinfo=UTC)).date().isoformat()
'2027-02-28'
"""

from __future__ import annotations

import calendar
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from dataward.errors import ConfigError

ARTIFACT_TYPES = (
    "dataset",
    "features",
    "model",
    "mlflow_artifact",
    "prompt_log",
    "completion_log",
    "decision_log",
    "audit",
)


class RetentionError(ConfigError):
    """A retention rule, hold or plan is invalid, or an action cannot run."""


@dataclass(frozen=True, slots=True)
class Duration:
    """An ISO 8601 duration (``P2Y``, ``P18M``, ``P30D``, ``PT12H``, ``P1Y2M3DT4H5M6S``),
    added with calendar arithmetic (a month from Jan 31 is the end of February)."""

    text: str
    years: int = 0
    months: int = 0
    days: int = 0
    seconds: float = 0.0

    def add_to(self, moment: datetime) -> datetime:
        months = moment.month - 1 + self.months + 12 * self.years
        year, month = moment.year + months // 12, months % 12 + 1
        day = min(moment.day, calendar.monthrange(year, month)[1])
        return moment.replace(year=year, month=month, day=day) + timedelta(
            days=self.days, seconds=self.seconds
        )

    def approx_days(self) -> float:
        return self.years * 365.25 + self.months * 30.44 + self.days + self.seconds / 86400


def parse_duration(text: str) -> Duration:
    """An ISO 8601 duration; anything else is a :class:`RetentionError` naming it."""
    raw = text.strip().upper()

    def bad() -> RetentionError:
        return RetentionError(
            f"{text!r} is not an ISO 8601 duration (like P2Y, P18M, P30D, PT12H)", value=text
        )

    if not raw.startswith("P") or len(raw) < 3 or len(raw) > 40:
        raise bad()
    date_part, _, time_part = raw[1:].partition("T")
    if "T" in raw and not time_part:
        raise bad()
    values: dict[str, float] = {}
    for in_time, part, units in ((False, date_part, "YMWD"), (True, time_part, "HMS")):
        number = ""
        seen = ""
        for ch in part:
            if ch.isdigit() or (ch in ".," and number and "." not in number):
                number += "." if ch == "," else ch
            elif ch in units and number and (not seen or units.index(ch) > units.index(seen[-1])):
                key = ch.lower() if in_time else ch
                values[key] = float(number)
                number, seen = "", seen + ch
            else:
                raise bad()
        if number:
            raise bad()
    if not values:
        raise bad()
    whole = {k: v for k, v in values.items() if k in "YMWD"}
    if any(v != int(v) for v in whole.values()):
        raise bad()  # fractional calendar units have no one meaning
    return Duration(
        text=text.strip(),
        years=int(values.get("Y", 0)),
        months=int(values.get("M", 0)),
        days=int(values.get("D", 0)) + 7 * int(values.get("W", 0)),
        seconds=values.get("h", 0) * 3600 + values.get("m", 0) * 60 + values.get("s", 0),
    )


@dataclass(frozen=True, slots=True)
class Artifact:
    """Something retention keeps or deletes."""

    name: str
    artifact_type: str = "dataset"
    created_at: datetime | None = None
    categories: tuple[str, ...] = ()
    uses: tuple[str, ...] = ()
    jurisdictions: tuple[str, ...] = ()
    last_read: datetime | None = None


@dataclass(frozen=True, slots=True)
class Rule:
    """Keep matching artifacts for ``keep``; an empty selector matches anything."""

    name: str
    keep: Duration
    categories: tuple[str, ...] = ()
    uses: tuple[str, ...] = ()
    jurisdictions: tuple[str, ...] = ()
    artifact_types: tuple[str, ...] = ()
    paths: tuple[str, ...] = ()
    """Globs on the artifact's name (``*.jsonl``, ``logs/**``); empty: any."""

    def matches(self, artifact: Artifact, *, inherited: bool = False) -> bool:
        """Whether the rule applies; ``inherited``: the artifact's type and path are not
        checked (an upstream artifact's rule follows its data)."""
        if self.categories and not set(self.categories) & set(artifact.categories):
            return False
        if self.uses and not set(self.uses) & set(artifact.uses):
            return False
        if self.jurisdictions and not set(self.jurisdictions) & set(artifact.jurisdictions):
            return False
        if inherited:
            return True
        if self.artifact_types and artifact.artifact_type not in self.artifact_types:
            return False
        if self.paths:
            from fnmatch import fnmatchcase

            return any(fnmatchcase(artifact.name, p) for p in self.paths)
        return True


def _strings(value: Any, where: str) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        return (value,)
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return tuple(value)
    raise RetentionError(f"{where} must be a string or a list of strings")


def rules_from(data: Mapping[str, Any] | Sequence[Mapping[str, Any]]) -> list[Rule]:
    """Rules from ``{"rules": [...]}`` or a list of ``{"name", "keep", "categories", "uses",
    "jurisdictions", "artifact_types", "paths"}``."""
    items = data.get("rules") if isinstance(data, Mapping) else data
    if not isinstance(items, list):
        raise RetentionError("retention rules: expected a list under 'rules'")
    out: list[Rule] = []
    known = {"name", "keep", "categories", "uses", "jurisdictions", "artifact_types", "paths"}
    for i, item in enumerate(items):
        where = f"rules[{i}]"
        if not isinstance(item, Mapping):
            raise RetentionError(f"{where} must be a mapping")
        unknown = sorted(set(item) - known)
        if unknown:
            raise RetentionError(f"{where}: unknown key {unknown[0]!r}")
        if not isinstance(item.get("keep"), str):
            raise RetentionError(f"{where}.keep must be an ISO 8601 duration (like P2Y)")
        types = _strings(item.get("artifact_types"), f"{where}.artifact_types")
        for a in types:
            if a not in ARTIFACT_TYPES:
                raise RetentionError(
                    f"{where}.artifact_types: {a!r} is not one of {', '.join(ARTIFACT_TYPES)}"
                )
        out.append(
            Rule(
                name=str(item.get("name") or f"rule-{i + 1}"),
                keep=parse_duration(item["keep"]),
                categories=_strings(item.get("categories"), f"{where}.categories"),
                uses=_strings(item.get("uses"), f"{where}.uses"),
                jurisdictions=_strings(item.get("jurisdictions"), f"{where}.jurisdictions"),
                artifact_types=types,
                paths=_strings(item.get("paths"), f"{where}.paths"),
            )
        )
    return out


def load_rules(path: str | Path) -> list[Rule]:
    """Rules from a YAML or JSON file."""
    import yaml

    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except OSError as exc:
        raise RetentionError(f"{p}: cannot read the retention rules ({exc.strerror})") from None
    try:
        data = json.loads(text) if p.suffix == ".json" else yaml.safe_load(text)
    except (ValueError, yaml.YAMLError):
        raise RetentionError(f"{p}: not valid YAML or JSON") from None
    return rules_from(data or {})


@dataclass(frozen=True, slots=True)
class Retention:
    """How long an artifact is kept and why."""

    keep_until: datetime | None
    rule: str | None
    inherited_from: str | None = None


def retention_for(
    artifact: Artifact, rules: Iterable[Rule], upstream: Iterable[Artifact] = ()
) -> Retention:
    """The longest retention any matching rule (or a rule of an upstream artifact) gives."""
    created = artifact.created_at or datetime.now(UTC)
    best: Retention = Retention(None, None)
    rules = list(rules)
    candidates: list[tuple[Rule, str | None]] = [(r, None) for r in rules if r.matches(artifact)]
    for up in upstream:
        candidates.extend((r, up.name) for r in rules if r.matches(up, inherited=True))
    for rule, source in candidates:
        until = rule.keep.add_to(created)
        if best.keep_until is None or until > best.keep_until:
            best = Retention(until, rule.name, source)
    return best
