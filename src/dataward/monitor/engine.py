"""The monitor: parsed events in, judged in time order, alerts out, state saved.

One :class:`Monitor` per store, held by the runtime in use (:func:`monitor`), keeps the
baselines in memory between batches; :meth:`Monitor.flush` writes the changed baselines and
alerts in the store, records each new alert in the audit log (``alert``, ``raised``) and sends
it to the configured integrations (webhooks, Slack/Teams, Jira, ServiceNow).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from dataward import scope
from dataward.monitor import alerts as alerts_
from dataward.monitor.alerts import Alert
from dataward.monitor.approvals import Approvals, load_grants
from dataward.monitor.detector import Detector, Settings
from dataward.monitor.event import AccessEvent
from dataward.monitor.parsers.common import Parsed
from dataward.monitor.state import State
from dataward.store import Store, shared_store

log = logging.getLogger(__name__)
_KEY = "monitor.engine:"


@dataclass(slots=True)
class Outcome:
    """What one batch did."""

    events: int = 0
    raised: list[Alert] = field(default_factory=list)
    updated: list[Alert] = field(default_factory=list)
    duplicates: int = 0
    """Events already judged (an export ingested twice, overlapping exports), skipped."""

    def to_dict(self) -> dict[str, Any]:
        return {
            "events": self.events,
            "duplicates": self.duplicates,
            "alerts_raised": len(self.raised),
            "alerts_updated": len(self.updated),
            "alerts": [a.id for a in self.raised],
        }


def catalog_tags(store: Store) -> dict[str, set[str]]:
    """Dataset tags of Dataward's catalog by table name (``CATALOG:<FILE STEM>``), so a table
    named after a scanned file inherits its sensitivity."""
    from dataward.catalog import Catalog

    out: dict[str, set[str]] = {}
    try:
        datasets = Catalog(store).datasets()
    except Exception as exc:  # an unreadable catalog must not stop monitoring
        log.warning("monitor: catalog tags unavailable (%s)", type(exc).__name__)
        return out
    for d in datasets:
        name = str(d.get("name") or d.get("path") or "").rsplit("/", 1)[-1].split(".", 1)[0]
        if name and d.get("tags"):
            out.setdefault("CATALOG:" + name.upper(), set()).update(
                str(t).upper() for t in d["tags"]
            )
    return out


class Monitor:
    """Baselines, approvals and open alerts of one store."""

    def __init__(
        self, store: Store, settings: Settings | None = None, *, notify: bool = True
    ) -> None:
        self.store = store
        self.state = State.load(store)
        tags: dict[str, set[str]] = {k: set(v) for k, v in self.state.meta.get("tags", {}).items()}
        for key, values in catalog_tags(store).items():
            tags.setdefault(key, set()).update(values)
        self.detector = Detector(self.state, Approvals(load_grants(store)), tags, settings)
        self.open: dict[tuple[str, str], Alert] = {}
        for alert in reversed(alerts_.recent_open(store)):
            self.open[(alert.principal, alert.kind)] = alert
        self._seen = Seen(self.state)
        self._pending: dict[str, Alert] = {}
        self._new: set[str] = set()
        self.notify = notify

    @property
    def settings(self) -> Settings:
        return self.detector.settings

    def reload_approvals(self) -> None:
        """Read the decisions again (a long stream sees new approvals)."""
        self.detector.approvals = Approvals(load_grants(self.store))

    def add_tags(self, tags: Mapping[str, set[str]]) -> None:
        if not tags:
            return
        self.detector.add_tags(tags)
        kept = self.state.meta.setdefault("tags", {})
        for key, values in tags.items():
            kept[key.upper()] = sorted(set(kept.get(key.upper(), [])) | set(values))
        self.state.touch_meta()

    def process(self, events: Iterable[AccessEvent], outcome: Outcome | None = None) -> Outcome:
        """Judge ``events`` (in the order given: sort them by time first) and learn from them."""
        outcome = outcome or Outcome()
        merge_s = self.settings.merge_seconds
        suppressed = self.state.meta.get("suppress", {})
        observe = self.detector.observe
        seen = self._seen
        for event in events:
            if not seen.fresh(event):
                outcome.duplicates += 1
                continue
            outcome.events += 1
            judgement = observe(event)
            if judgement is None:
                continue
            key = (event.principal, judgement.kind)
            current = self.open.get(key)
            if (
                current is not None
                and current.status == "open"
                and current.last is not None
                and 0 <= (event.time - current.last).total_seconds() <= merge_s
            ):
                alert = alerts_.merge(current, judgement)
                outcome.updated.append(alert)
            else:
                alert = alerts_.from_judgement(judgement)
                rule = suppressed.get(f"{event.principal}\x1f{judgement.kind}")
                if rule is not None:
                    alert.status, alert.reason = "suppressed", f"suppressed rule: {rule}"
                else:
                    self._new.add(alert.id)
                outcome.raised.append(alert)
            self.open[key] = alert
            self._pending[alert.id] = alert
        return outcome

    def ingest(self, parsed: Parsed) -> Outcome:
        """A parsed batch: its tags first, then its events in time order; then :meth:`flush`."""
        self.add_tags(parsed.tags)
        events = sorted(parsed.events, key=lambda e: e.time)
        outcome = self.process(events)
        self.flush()
        return outcome

    def flush(self) -> list[Alert]:
        """Write changed baselines and alerts; audit and send the new alerts."""
        from dataward.audit import record
        from dataward.audit.events import AlertEvent

        pending = list(self._pending.values())
        alerts_.save(self.store, pending)
        self._seen.save()
        self.state.save(self.store)
        new = [a for a in pending if a.id in self._new]
        for alert in new:
            record(
                AlertEvent(
                    alert_id=alert.id,
                    action="raised",
                    severity=alert.severity,
                    score=alert.score,
                    alert_kind=alert.kind,
                    accessor=alert.principal,
                    event_ids=alert.event_ids[:20],
                    objects=alert.objects[:20],
                    columns=alert.columns[:20],
                ),
                actor="dataward:monitor",
            )
        if new and self.notify:
            self._send(new)
        self._pending.clear()
        self._new.clear()
        return new

    def _send(self, new: list[Alert]) -> None:
        from dataward.integrations.config import Integrations
        from dataward.settings import get_settings

        section = get_settings().integrations
        if not section:
            return
        integrations = Integrations.from_settings(section, self.store)
        for alert in new:
            integrations.notify(notification(alert))

    def contain(self, alert_id: str, reason: str, actor: str) -> dict[str, Any]:
        """A person confirmed the alert's suggested containment: record it (``alert``,
        ``contained``) and send it to the integrations, whose receivers act on it (a pipeline
        suspending the job's go tokens, a ticket)."""
        from dataward.audit import record
        from dataward.audit.events import AlertEvent

        alert = alerts_.get_alert(self.store, alert_id)
        if not reason.strip():
            raise alerts_.MonitorError("a reason is required", field="reason")
        action = alerts_.containment(alert)
        record(
            AlertEvent(
                alert_id=alert.id,
                action="contained",
                severity=alert.severity,
                score=alert.score,
                alert_kind=alert.kind,
                accessor=alert.principal,
                event_ids=alert.event_ids[:20],
                objects=alert.objects[:20],
                columns=alert.columns[:20],
                reason=f"{action['action']}: {reason}"[:500],
            ),
            actor=actor,
        )
        if self.notify:
            event = {
                **notification(alert),
                "event": "dataward.monitor.containment",
                "confirmed_by": actor,
            }
            self._send_event(event)
        return action

    def _send_event(self, event: dict[str, Any]) -> None:
        from dataward.integrations.config import Integrations
        from dataward.settings import get_settings

        section = get_settings().integrations
        if section:
            Integrations.from_settings(section, self.store).notify(event)

    def suppress_rule(self, principal: str, kind: str, reason: str) -> None:
        """Future alerts of this principal and kind are stored already suppressed."""
        self.state.meta.setdefault("suppress", {})[f"{principal}\x1f{kind}"] = reason[:200]
        self.state.touch_meta()
        self.state.save(self.store)


DEDUPE_SECONDS = 6 * 3600.0
"""How far behind a source's newest judged event an event may arrive and still be judged
(Snowflake's ``ACCOUNT_USAGE`` lags up to three hours); its id is remembered that long."""
MAX_RECENT_IDS = 200_000


class Seen:
    """Which events of each source were judged: a watermark (the newest event time) and the
    ids of the events within :data:`DEDUPE_SECONDS` of it, kept in the state (so a restarted
    monitor, or an export ingested twice, judges nothing twice)."""

    def __init__(self, state: State) -> None:
        self.state = state
        self.marks: dict[str, float] = state.meta.setdefault("watermarks", {})
        kept: dict[str, list[list[Any]]] = state.meta.setdefault("recent_ids", {})
        self.recent: dict[str, dict[str, float]] = {
            src: {str(i): float(t) for i, t in pairs} for src, pairs in kept.items()
        }

    def fresh(self, event: AccessEvent) -> bool:
        ts = event.time.timestamp()
        mark = self.marks.get(event.source)
        ids = self.recent.setdefault(event.source, {})
        if mark is not None and ts < mark - DEDUPE_SECONDS:
            return False
        key = f"{event.event_id}\x1f{event.action}"
        if key in ids:
            return False
        ids[key] = ts
        if mark is None or ts > mark:
            self.marks[event.source] = ts
        return True

    def save(self) -> None:
        """Keep only the ids still inside the window, in the state's meta."""
        kept: dict[str, list[list[Any]]] = {}
        for src, ids in self.recent.items():
            floor = self.marks.get(src, 0.0) - DEDUPE_SECONDS
            live = {i: t for i, t in ids.items() if t >= floor}
            if len(live) > MAX_RECENT_IDS:
                live = dict(sorted(live.items(), key=lambda kv: kv[1])[-MAX_RECENT_IDS:])
            self.recent[src] = live
            kept[src] = [[i, t] for i, t in live.items()]
        self.state.meta["recent_ids"] = kept
        self.state.touch_meta()


def notification(alert: Alert) -> dict[str, Any]:
    """The event an alert sends to webhooks and tickets: names, ids and tags, no value."""
    tags = alert.evidence.get("tags", {})
    return {
        "event": "dataward.monitor.alert",
        "alert_id": alert.id,
        "severity": alert.severity,
        "score": alert.score,
        "kind": alert.kind,
        "principal": alert.principal,
        "summary": alert.summary,
        "event_ids": alert.event_ids[:20],
        "datasets": [
            {
                "path": o,
                "rows": 0,
                "tags": sorted(
                    set(tags.get(o, []))
                    | {t for c, ts in tags.items() if c.startswith(o + ".") for t in ts}
                ),
            }
            for o in alert.objects[:20]
        ],
        "columns": alert.columns[:50],
        "containment": alerts_.containment(alert),
    }


def monitor(store: Store | None = None, settings: Settings | None = None) -> Monitor:
    """The monitor of ``store`` (default: the runtime's store) kept by the runtime in use; a
    different ``settings`` makes a new one."""
    store = store or shared_store()
    current = scope.current()
    key = f"{_KEY}{id(store)}:{settings!r}"
    return current.get(key, lambda: Monitor(store, settings), close=lambda m: m.flush())
