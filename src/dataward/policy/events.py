"""Where policy events go: the tamper-evident audit log of the policy tables' store.

Decisions, approvals and policy revisions are typed events (``DecisionEvent``,
``ApprovalEvent``, ``PolicyChangeEvent`` of :mod:`dataward.audit.events`). They go to the log
(``dataward.audit``) of the store the policy tables live in, **in the same transaction** as the
rows they describe: :func:`recorded` opens that transaction, and a decision row is committed
with its ``decision`` event or not at all (a crash between the two can no longer leave a
decision the audit log does not know).

:func:`set_sink` re-points events to ``sink(kind, actor, payload, subject_id)`` (tests, or
another log); a sink cannot join a transaction, so it receives the events after the commit.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy.engine import Connection

from dataward import scope
from dataward.audit.events import AuditEvent, Event, envelope
from dataward.policy.pending import flush as flush_queued
from dataward.store import Store

Sink = Callable[[str, str, Mapping[str, Any], str | None], object]

_log = logging.getLogger(__name__)
_SINK = "policy.sink"
"""Key of the sink :func:`set_sink` chose in the runtime's :class:`~dataward.scope.Scope`."""
_AUDIT_LOG = "audit-log"
"""Key of a store's audit log in :attr:`Store.cache`."""


def set_sink(sink: Sink | None) -> None:
    """Send policy events to ``sink(kind, actor, payload, subject_id)``; ``None`` resets to the
    default (the audit log). Queued decisions go to the old sink first."""
    flush_queued()
    scope.current().put(_SINK, (sink,) if sink is not None else None)


def _audit_log(store: Store) -> Any:
    """``store``'s audit log, signed with the key the settings name (kept in the store's cache)."""
    from dataward.audit import open_audit_log
    from dataward.settings import get_settings

    settings = get_settings()
    signer = (Path(settings.home).resolve(), getattr(settings, "audit", None))
    cached = store.cache.get(_AUDIT_LOG)
    if cached is None or cached[0] != signer:
        cached = store.cache[_AUDIT_LOG] = (signer, open_audit_log(store))
    return cached[1]


def _current() -> Sink | None:
    """The sink :func:`set_sink` chose for the runtime in use; ``None``: the audit log."""
    chosen = scope.current().peek(_SINK)
    return chosen[0] if chosen is not None else None


@dataclass(slots=True)
class Events:
    """The events of one :func:`recorded` transaction, written with it in the order added."""

    items: list[AuditEvent] = field(default_factory=list)

    def add(self, event: Event, actor: str | None = None, subject_id: str | None = None) -> None:
        """Add ``event`` by ``actor`` (default :func:`dataward.audit.current_actor`; inside
        ``audit.acting`` the caller, with ``actor`` as the event's principal)."""
        self.items.append(envelope(event, actor=actor, subject_id=subject_id))


@contextmanager
def recorded(store: Store) -> Iterator[tuple[Connection, Events]]:
    """A transaction on ``store`` and the events that describe what it writes.

    By default the events are appended to ``store``'s audit log inside the transaction: rows
    and events commit together or not at all. A sink set with :func:`set_sink` is called after
    the commit (it cannot take part in the transaction)."""
    sink = _current()
    events = Events()
    with store.begin() as conn:
        yield conn, events
        if events.items and sink is None:
            _audit_log(store).append_many(events.items, conn=conn)
            _log.debug("recorded %d events in the transaction", len(events.items))
    if events.items and sink is not None:
        for e in events.items:
            sink(e.kind, e.actor, e.payload, e.subject_id)
