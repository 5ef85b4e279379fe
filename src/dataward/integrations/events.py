"""Events sent to integrations: paths, tags, counts and masked previews, never a raw value.

Events are built from results that hold no cell values; :func:`safe_event` is a second guard
that every integration applies: it drops any field whose name says it holds content
(``value``, ``text``, ``sample`` …) and masks long strings under ``preview`` keys that do not
look masked already.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from dataward.redaction import ELLIPSIS, preview

CONTENT_KEYS = frozenset(
    {"value", "values", "raw", "text", "texts", "sample", "samples", "cell", "cells", "match"}
)
"""Field names that would carry content; never forwarded."""


def safe_event(event: Mapping[str, Any]) -> dict[str, Any]:
    """A copy of ``event`` without content fields, with previews masked."""
    return {k: _clean(k, v) for k, v in event.items() if k.lower() not in CONTENT_KEYS}


def _clean(key: str, value: Any) -> Any:
    if isinstance(value, Mapping):
        return safe_event(value)
    if isinstance(value, list | tuple):
        return [_clean(key, v) for v in value]
    if isinstance(value, str) and "preview" in key.lower() and not _looks_masked(value):
        return preview(value)
    return value


def _looks_masked(value: str) -> bool:
    return ELLIPSIS in value or (value != "" and set(value) <= {"*"})


def scan_event(result: Any) -> dict[str, Any]:
    """The generic event for a :class:`~dataward.classify.scan.ScanResult`."""
    return {
        "event": "dataward.scan.completed",
        "scan_id": result.scan_id,
        "summary": result.summary().splitlines()[0],
        "changes": result.changes,
        "datasets": [
            {
                "path": d.path,
                "rows": d.rows,
                "tags": d.tag_names,
                "summary": d.summary(new_rows=d.rows),
                "entity_counts": dict(d.entity_counts),
                "high_confidence_pii_share": round(d.records.high_share, 4),
                "content_classes": [
                    {k: c[k] for k in ("class", "confidence")}
                    for c in getattr(d, "content_classes", list)()
                ],
            }
            for d in result.datasets
        ],
        "errors": list(result.errors),
    }


def sensitive(event: Mapping[str, Any]) -> bool:
    """Whether any dataset of the event carries a tag other than ``PUBLIC``."""
    return any(any(t != "PUBLIC" for t in d.get("tags", ())) for d in event.get("datasets", ()))


def title(event: Mapping[str, Any]) -> str:
    """A one-line title: ``Dataward: <summary>``."""
    summary = str(event.get("summary") or event.get("event") or "event")
    return f"Dataward: {summary}"[:250]


def dataset_lines(event: Mapping[str, Any]) -> list[str]:
    """One line per dataset: its path, row count, tags and entity counts."""
    lines = []
    for d in event.get("datasets", ()):
        line = f"{d.get('path', '?')}: {d.get('rows', 0):,} rows"
        if d.get("tags"):
            line += f"; tags {', '.join(d['tags'])}"
        counts = d.get("entity_counts") or {}
        if counts:
            line += "; " + ", ".join(f"{k} ×{v}" for k, v in sorted(counts.items()))
        previews = d.get("previews") or []
        if previews:
            line += "; e.g. " + ", ".join(str(p) for p in previews[:3])
        lines.append(line)
    return lines
