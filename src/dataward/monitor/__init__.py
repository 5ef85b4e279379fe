"""Access monitoring: learn how people and jobs read training data; alert, explained, when
they deviate from it or from what was approved.

>>> from dataward.monitor import SOURCES
>>> "snowflake" in SOURCES
True

``ingest(paths, source)`` parses files of a source (:mod:`dataward.monitor.parsers`) into one
access event shape (:class:`AccessEvent`, OCSF 6005), judges them in time order
(:mod:`dataward.monitor.detector`) and stores the alerts (:mod:`dataward.monitor.alerts`);
:mod:`dataward.monitor.stream` follows a folder or a NATS JetStream subject.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from dataward.monitor.alerts import Alert, MonitorError, get_alert, list_alerts, set_status
from dataward.monitor.detector import Settings
from dataward.monitor.engine import Monitor, Outcome, monitor
from dataward.monitor.event import AccessEvent
from dataward.monitor.parsers import SOURCES, Parsed, ParseReport, parse

__all__ = [
    "SOURCES",
    "AccessEvent",
    "Alert",
    "Monitor",
    "MonitorError",
    "Outcome",
    "ParseReport",
    "Parsed",
    "Settings",
    "get_alert",
    "ingest",
    "list_alerts",
    "monitor",
    "parse",
    "set_status",
]


def ingest(
    paths: Iterable[str | Path], source: str, mon: Monitor | None = None
) -> tuple[Outcome, ParseReport]:
    """Read ``paths`` as ``source``, judge the events in time order, store the alerts."""
    parsed = parse(source, paths)
    outcome = (mon or monitor()).ingest(parsed)
    return outcome, parsed.report
