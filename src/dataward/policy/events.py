"""Where policy events go: the tamper-evident audit log when it is installed.

Decisions, approvals and policy revisions are events. By default they go to the audit log
(``dataward.audit``) of the store the policy tables live in, **in the same transaction** as the
rows they describe: :func:`recorded` opens that transaction, and a decision row is committed
with its ``policy.decision`` event or not at all (a crash between the two can no longer leave a
decision the audit log does not know). :func:`record_event` sends one event outside any
transaction (to the default audit log).

:func:`set_sink` re-points events to ``sink(kind, actor, payload, subject_id)`` (tests, or
another log); a sink cannot join a transaction, so it receives the events after the commit.
"""

from __future__ import annotations

import importlib
import logging
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy.engine import Connection

from dataward import scope
from dataward.store import Store

Sink = Callable[[str, str, Mapping[str, Any], str | None], object]

_log = logging.getLogger(__name__)
_SINK = "policy.sink"
"""Key of the sink :func:`set_sink` chose in the runtime's :class:`~dataward.scope.Scope`."""
_AUDIT_LOG = "audit-log"
"""Key of a store's audit log in :attr:`Store.cache`."""


def set_sink(sink: Sink | None) -> None:
    """Send policy events to ``sink(kind, actor, payload, subject_id)``; ``None`` resets to the
    default (the audit log, if installed). Queued decisions go to the old sink first."""
    from dataward.policy import writer

    writer.flush()
    scope.current().put(_SINK, (sink,) if sink is not None else None)


def _audit() -> Any:
    try:
        return importlib.import_module("dataward.audit")
    except ImportError:
        return None


def _audit_sink(
    kind: str, actor: str, payload: Mapping[str, Any], subject_id: str | None
) -> object:
    """The default sink: ``dataward.audit.record``."""
    return _audit().record(kind, actor, dict(payload), subject_id=subject_id)


def _default() -> Sink | None:
    return _audit_sink if getattr(_audit(), "record", None) is not None else None


def _current() -> Sink | None:
    """The sink of the runtime in use: the one :func:`set_sink` chose, else the default."""
    chosen = scope.current().peek(_SINK)
    return chosen[0] if chosen is not None else _default()


def _is_default(sink: Sink | None) -> bool:
    return sink is _audit_sink


def record_event(
    kind: str, actor: str, payload: Mapping[str, Any], subject_id: str | None = None
) -> None:
    """Record one event (``policy.decision``, ``policy.approval``, ``policy.revision``) now,
    in a transaction of its own; prefer :func:`recorded` when the event describes a row."""
    sink = _current()
    if sink is None:
        return
    sink(kind, actor, payload, subject_id)
    _log.debug("recorded %s event", kind)


@dataclass(slots=True)
class Events:
    """The events of one :func:`recorded` transaction, written with it in the order added."""

    items: list[tuple[str, str, Mapping[str, Any], str | None]] = field(default_factory=list)

    def add(
        self, kind: str, actor: str, payload: Mapping[str, Any], subject_id: str | None = None
    ) -> None:
        self.items.append((kind, actor, payload, subject_id))


@contextmanager
def recorded(store: Store) -> Iterator[tuple[Connection, Events]]:
    """A transaction on ``store`` and the events that describe what it writes.

    With the default sink the events are appended to ``store``'s audit log inside the
    transaction: rows and events commit together or not at all. A custom sink is called after
    the commit (it cannot take part in the transaction)."""
    sink = _current()
    events = Events()
    with store.begin() as conn:
        yield conn, events
        if events.items and _is_default(sink):
            _append(store, conn, events)
    if events.items and sink is not None and not _is_default(sink):
        for kind, actor, payload, subject_id in events.items:
            sink(kind, actor, payload, subject_id)


def _append(store: Store, conn: Connection, events: Events) -> None:
    audit = _audit()
    from dataward.settings import get_settings

    settings = get_settings()
    # The log's signer follows the settings (the home, or an explicit signing key file).
    signer = (Path(settings.home).resolve(), getattr(settings, "audit", None))
    cached = store.cache.get(_AUDIT_LOG)
    if cached is None or cached[0] != signer:
        cached = store.cache[_AUDIT_LOG] = (signer, audit.open_audit_log(store))
    log = cached[1]
    # As audit.record does: inside audit.acting(...) the caller is the actor, and the actor the
    # event names goes to payload["principal"].
    caller = audit.acting_caller()
    batch = []
    for kind, actor, payload, subject_id in events.items:
        body = dict(payload)
        if caller is not None and caller != actor:
            body, actor = {**body, "principal": actor}, caller
        batch.append(audit.AuditEvent(kind, actor, body, subject_id))
    log.append_many(batch, conn=conn)
    _log.debug("recorded %d events in the transaction", len(events.items))
