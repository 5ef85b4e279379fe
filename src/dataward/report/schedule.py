"""Scheduled posture reports: the ``report:`` section of ``dataward.yaml``::

    report:
      every: 24h            # a report is due when the newest one is older than this
      formats: [json, html]
      folder: reports       # relative to the home; default HOME/reports
      frameworks: [gdpr, hipaa]

``dataward report scheduled`` writes the reports that are due (run it from cron or a systemd
timer; ``--loop`` keeps checking). Each is written to the folder as
``posture-<generated_at>.<ext>`` and published like any report (an audit event with its hash,
its bytes in the store, served at ``/v1/reports/latest``).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from dataward.errors import ConfigError
from dataward.store import Store

_SPAN = re.compile(r"(\d{1,5})([mhdw])")
Format = Literal["json", "html", "pdf", "oscal", "csv"]
DEFAULT_FORMATS: tuple[Format, ...] = ("json", "html")
EXTENSIONS = {"json": "json", "html": "html", "pdf": "pdf", "oscal": "oscal.json", "csv": "csv"}


class Schedule(BaseModel):
    """The validated ``report:`` section."""

    model_config = ConfigDict(extra="forbid")

    every: str = "24h"
    formats: list[Format] = Field(default_factory=lambda: list(DEFAULT_FORMATS), min_length=1)
    folder: Path | None = None
    frameworks: list[str] | None = None

    @field_validator("every")
    @classmethod
    def _span(cls, value: str) -> str:
        if not _SPAN.fullmatch(value.strip()):
            raise ValueError("use a span such as 30m, 12h, 1d or 1w")
        return value.strip()

    @property
    def interval(self) -> timedelta:
        match = _SPAN.fullmatch(self.every)
        assert match is not None
        n, unit = int(match.group(1)), match.group(2)
        return {
            "m": timedelta(minutes=n),
            "h": timedelta(hours=n),
            "d": timedelta(days=n),
            "w": timedelta(weeks=n),
        }[unit]


def schedule_config(section: Mapping[str, Any] | None) -> Schedule | None:
    """The schedule of a ``report:`` section, or ``None`` when there is none."""
    if not section:
        return None
    try:
        schedule = Schedule.model_validate(dict(section))
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "report"
        raise ConfigError(f"dataward.yaml report.{where}: {first['msg']}") from None
    if schedule.frameworks is not None:
        from dataward.report.posture import parse_frameworks

        parse_frameworks(schedule.frameworks)
    return schedule


def due(store: Store, schedule: Schedule, now: datetime) -> list[str]:
    """The formats whose newest published report is older than the schedule's interval."""
    from dataward.report.runs import latest

    out: list[str] = []
    for fmt in schedule.formats:
        found = latest(store, fmt)
        if found is None:
            out.append(fmt)
            continue
        written = datetime.fromisoformat(found[0].created_at.replace("Z", "+00:00"))
        if now - written >= schedule.interval:
            out.append(fmt)
    return out


def run_due(
    store: Store, schedule: Schedule, home: Path, now: datetime | None = None
) -> list[Path]:
    """Write and publish the reports that are due; the paths written."""
    from dataward.report.posture import build
    from dataward.report.render import render, write_atomic
    from dataward.report.runs import publish

    formats = due(store, schedule, now or datetime.now(UTC))
    if not formats:
        return []
    folder = schedule.folder or Path("reports")
    folder = folder if folder.is_absolute() else home / folder
    doc = build(store, frameworks=schedule.frameworks)
    stamp = doc["generated_at"].replace(":", "").replace("-", "")
    written = []
    for fmt in formats:
        body = render(doc, fmt)
        path = folder / f"posture-{stamp}.{EXTENSIONS[fmt]}"
        write_atomic(path, body)
        publish(store, body, fmt=fmt, generated_at=doc["generated_at"])
        written.append(path)
    return written
