"""Scheduled reports from the ``report:`` section of dataward.yaml."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from dataward.errors import ConfigError
from dataward.report.runs import latest
from dataward.report.schedule import due, run_due, schedule_config
from dataward.runtime import Runtime


def test_due_reports_are_written_once_per_interval(runtime: Runtime, tmp_path: Path) -> None:
    schedule = schedule_config({"every": "1h", "formats": ["json", "csv"], "folder": "out"})
    assert schedule is not None and schedule.interval == timedelta(hours=1)
    store = runtime.store
    now = datetime.now(UTC)
    assert due(store, schedule, now) == ["json", "csv"]
    written = run_due(store, schedule, tmp_path, now)
    assert [p.parent for p in written] == [tmp_path / "out"] * 2
    assert written[0].name.startswith("posture-") and written[0].suffix == ".json"
    found = latest(store, "json")
    assert found is not None and found[1] == written[0].read_bytes()
    assert run_due(store, schedule, tmp_path, now + timedelta(minutes=5)) == []
    assert due(store, schedule, now + timedelta(hours=2)) == ["json", "csv"]


def test_bad_sections_are_config_errors() -> None:
    assert schedule_config({}) is None
    for section, words in (
        ({"every": "daily"}, "report.every"),
        ({"formats": ["docx"]}, "report.formats"),
        ({"evry": "1h"}, "report.evry"),
        ({"frameworks": ["gdrp"]}, "unknown framework"),
    ):
        with pytest.raises(ConfigError, match=words):
            schedule_config(section)


def test_cli_runs_what_is_due(cli: Callable[..., Any], tmp_path: Path) -> None:
    missing = cli("report", "scheduled")
    assert missing.code == 2 and "no report: section" in missing.err
    Path("dataward.yaml").write_text("report:\n  every: 1d\n  formats: [json]\n")
    first = cli("report", "scheduled")
    assert first.code == 0, first.err
    assert "wrote " in first.err and "posture-" in first.err
    again = cli("report", "scheduled")
    assert again.code == 0 and "no report due" in again.err
