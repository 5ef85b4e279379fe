"""Where policy events go: the tamper-evident audit log when it is installed.

Decisions, approvals and policy revisions are sent to :func:`record_event`, which calls
``dataward.audit.record(kind, actor, payload, subject_id=None)`` if that module exists, else does
nothing. :func:`set_sink` re-points it (tests, or another log).
"""

from __future__ import annotations

import importlib
import logging
from collections.abc import Callable, Mapping
from typing import Any

Sink = Callable[[str, str, Mapping[str, Any], str | None], object]

_log = logging.getLogger(__name__)
_sink: Sink | None = None
_resolved = False


def set_sink(sink: Sink | None) -> None:
    """Send policy events to ``sink(kind, actor, payload, subject_id)``; ``None`` resets to the
    default (``dataward.audit.record`` if present). Queued decisions go to the old sink first."""
    from dataward.policy import writer

    writer.flush()
    global _sink, _resolved
    _sink, _resolved = sink, sink is not None


def _default() -> Sink | None:
    try:
        audit = importlib.import_module("dataward.audit")
    except ImportError:
        return None
    record = getattr(audit, "record", None)
    if record is None:
        return None

    def sink(kind: str, actor: str, payload: Mapping[str, Any], subject_id: str | None) -> object:
        return record(kind, actor, dict(payload), subject_id=subject_id)

    return sink


def record_event(
    kind: str, actor: str, payload: Mapping[str, Any], subject_id: str | None = None
) -> None:
    """Record one event (``policy.decision``, ``policy.approval``, ``policy.revision``)."""
    global _sink, _resolved
    if not _resolved:
        _sink, _resolved = _default(), True
    if _sink is None:
        return
    _sink(kind, actor, payload, subject_id)
    _log.debug("recorded %s event", kind)
