"""Retention: how long pipeline artifacts are kept, legal holds, lifecycle advice, and
deletion with certificates.

- :mod:`~dataward.retention.rules`: rules by category, use, jurisdiction and artifact type
  with ISO 8601 durations (the longest wins, inherited along lineage, never shortened);
- :mod:`~dataward.retention.holds`: legal holds by matter;
- :mod:`~dataward.retention.plan`: plans (dry runs with evidence) and their application.
"""

from __future__ import annotations

from dataward.retention.holds import all_holds, holds_on, place_hold, release_hold
from dataward.retention.plan import ApplyResult, PlanItem, RetentionPlan, apply, plan
from dataward.retention.rules import (
    Artifact,
    Duration,
    RetentionError,
    Rule,
    load_rules,
    parse_duration,
    retention_for,
    rules_from,
)

__all__ = [
    "ApplyResult",
    "Artifact",
    "Duration",
    "PlanItem",
    "RetentionError",
    "RetentionPlan",
    "Rule",
    "all_holds",
    "apply",
    "holds_on",
    "load_rules",
    "parse_duration",
    "place_hold",
    "plan",
    "release_hold",
    "retention_for",
    "rules_from",
]
