"""Alerts: evidence, a summary from templates, the store, acknowledge and suppress, OCSF.

An alert holds names, ids and figures only: the principal, the source's event ids (Snowflake
``QUERY_ID``s), objects and columns with their tags, the baseline figures, the decision ids. No
column value or query literal ever reaches it (the events do not carry them).
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any, Literal

import sqlalchemy as sa

from dataward.errors import DatawardError
from dataward.monitor.detector import Judgement
from dataward.monitor.tables import alerts as alerts_table
from dataward.store import Store

Severity = Literal["low", "medium", "high"]
SEVERITIES: tuple[Severity, ...] = ("low", "medium", "high")
MAX_EVENT_IDS = 100
"""Event ids kept per alert (the count keeps going)."""


class MonitorError(DatawardError):
    """A monitor action failed: an unknown alert, a bad filter, a stream that cannot run."""


def severity_of(score: float) -> Severity:
    """``high`` from 1.2, ``medium`` from 0.7, else ``low``."""
    return "high" if score >= 1.2 else "medium" if score >= 0.7 else "low"


@dataclass(slots=True)
class Alert:
    """One alert, as ``dataward monitor alerts --format json`` prints it (plus evidence)."""

    id: str
    time: datetime
    severity: Severity
    score: float
    principal: str
    kind: str
    event_ids: list[str]
    objects: list[str]
    columns: list[str]
    summary: str
    evidence: dict[str, Any] = field(default_factory=dict)
    status: str = "open"
    reason: str | None = None
    events: int = 1
    last: datetime | None = None

    def to_dict(self, evidence: bool = False) -> dict[str, Any]:
        out: dict[str, Any] = {
            "id": self.id,
            "time": _iso(self.time),
            "severity": self.severity,
            "score": self.score,
            "principal": self.principal,
            "kind": self.kind,
            "event_ids": list(self.event_ids),
            "objects": list(self.objects),
            "columns": list(self.columns),
            "summary": self.summary,
            "status": self.status,
            "events": self.events,
        }
        if self.reason is not None:
            out["reason"] = self.reason
        if evidence:
            out["evidence"] = self.evidence
            out["containment"] = containment(self)
        return out

    def to_ocsf(self) -> dict[str, Any]:
        """The alert as an OCSF Detection Finding (class 2004)."""
        severity_id = {"low": 2, "medium": 3, "high": 4}[self.severity]
        status_id = {"open": 1, "acknowledged": 2, "suppressed": 3}.get(self.status, 99)
        return {
            "class_uid": 2004,
            "class_name": "Detection Finding",
            "category_uid": 2,
            "category_name": "Findings",
            "activity_id": 1,
            "activity_name": "Create",
            "type_uid": 200401,
            "time": int(self.time.timestamp() * 1000),
            "severity_id": severity_id,
            "severity": self.severity.capitalize(),
            "status_id": status_id,
            "status": self.status.capitalize(),
            "message": self.summary,
            "metadata": {
                "product": {"name": "Dataward", "vendor_name": "Dataward"},
                "version": "1.1.0",
            },
            "finding_info": {
                "uid": self.id,
                "title": f"Access deviation: {self.kind}",
                "desc": self.summary,
                "types": [self.kind],
                "related_events": [{"uid": e} for e in self.event_ids],
                "data_sources": sorted(set(self.evidence.get("sources", []))),
            },
            "risk_score": int(min(100, self.score * 50)),
            "actor": {"user": {"name": self.principal}},
            "resources": [{"name": o, "type": "table"} for o in self.objects],
            "evidences": [{"data": self.evidence}],
            "unmapped": {"columns": list(self.columns)},
        }


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def summary(alert: Alert, judgement: Judgement) -> str:
    """The plain-language sentence: who, what, the deviations, the sensitive columns."""
    event = judgement.event
    who = (
        f"{event.principal} ({event.principal_kind})"
        if event.principal_kind != "unknown"
        else event.principal
    )
    phrases = [s.text for s in sorted(judgement.signals, key=lambda s: -s.strength)]
    sensitive = [
        f"{c.rpartition('.')[2]} ({'/'.join(t)})"
        for c, t in judgement.tags.items()
        if c in event.columns
    ]
    text = f"{who}: " + "; ".join(phrases)
    if sensitive:
        text += f"; touching {', '.join(sensitive[:6])}"
    if event.rows is not None and not any(s.name == "volume" for s in judgement.signals):
        text += f"; {event.rows:,} rows"
    if alert.events > 1:
        text += f" ({alert.events} events)"
    return text


def from_judgement(judgement: Judgement) -> Alert:
    event = judgement.event
    alert = Alert(
        id="al_" + uuid.uuid4().hex[:20],
        time=event.time,
        severity=severity_of(judgement.score),
        score=judgement.score,
        principal=event.principal,
        kind=judgement.kind,
        event_ids=[event.event_id],
        objects=list(event.objects),
        columns=list(event.columns),
        summary="",
        last=event.time,
        evidence={
            "signals": [
                {"name": s.name, "strength": s.strength, "text": s.text, "figures": s.figures}
                for s in judgement.signals
            ],
            "tags": judgement.tags,
            "deviation": judgement.deviation,
            "sensitivity": judgement.sensitivity,
            "principal_kind": event.principal_kind,
            "role": event.role,
            "sources": [event.source],
        },
    )
    alert.summary = summary(alert, judgement)
    return alert


def merge(alert: Alert, judgement: Judgement) -> Alert:
    """``alert`` with one more event of the same principal and kind."""
    event = judgement.event
    ids = (
        alert.event_ids
        if len(alert.event_ids) >= MAX_EVENT_IDS
        else [*alert.event_ids, event.event_id]
    )
    merged = replace(
        alert,
        event_ids=ids,
        objects=list(dict.fromkeys([*alert.objects, *event.objects]))[:200],
        columns=list(dict.fromkeys([*alert.columns, *event.columns]))[:400],
        events=alert.events + 1,
        last=event.time,
    )
    if judgement.score > alert.score:
        merged.score = judgement.score
        merged.severity = severity_of(judgement.score)
        fresh = from_judgement(judgement)
        merged.evidence = {
            **fresh.evidence,
            "sources": sorted({*alert.evidence.get("sources", []), event.source}),
        }
    else:
        merged.evidence = {
            **alert.evidence,
            "tags": {**alert.evidence.get("tags", {}), **judgement.tags},
        }
    merged.summary = summary(merged, judgement) if judgement.score >= alert.score else alert.summary
    return merged


# -- the store -------------------------------------------------------------------------------


def _row(alert: Alert) -> dict[str, Any]:
    body = {
        "event_ids": alert.event_ids,
        "objects": alert.objects,
        "columns": alert.columns,
        "summary": alert.summary,
        "evidence": alert.evidence,
        "events": alert.events,
        "last": _iso(alert.last or alert.time),
    }
    return {
        "id": alert.id,
        "created_at": datetime.now(UTC),
        "time": alert.time,
        "severity": alert.severity,
        "score": alert.score,
        "principal": alert.principal,
        "kind": alert.kind,
        "status": alert.status,
        "reason": alert.reason,
        "body": json.dumps(body, separators=(",", ":"), default=str),
    }


def _utc(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def _from_row(row: Any) -> Alert:
    body = json.loads(row["body"])
    return Alert(
        id=row["id"],
        time=_utc(row["time"]),
        severity=row["severity"],
        score=row["score"],
        principal=row["principal"],
        kind=row["kind"],
        event_ids=body["event_ids"],
        objects=body["objects"],
        columns=body["columns"],
        summary=body["summary"],
        evidence=body["evidence"],
        status=row["status"],
        reason=row["reason"],
        events=body.get("events", 1),
        last=datetime.fromisoformat(body["last"].replace("Z", "+00:00"))
        if body.get("last")
        else None,
    )


def save(store: Store, alerts: list[Alert]) -> None:
    """Insert or replace ``alerts`` in one transaction."""
    if not alerts:
        return
    rows = [_row(a) for a in alerts]
    ids = [a.id for a in alerts]
    with store.begin() as conn:
        for start in range(0, len(ids), 500):
            conn.execute(
                alerts_table.delete().where(alerts_table.c.id.in_(ids[start : start + 500]))
            )
        conn.execute(alerts_table.insert(), rows)


def list_alerts(
    store: Store,
    since: datetime | None = None,
    min_severity: str = "low",
    status: str | None = None,
    limit: int = 1000,
) -> list[Alert]:
    """Stored alerts, newest first."""
    if min_severity not in SEVERITIES:
        raise MonitorError(
            f"unknown severity {min_severity!r}: use {', '.join(SEVERITIES)}", field="min_severity"
        )
    wanted = SEVERITIES[SEVERITIES.index(min_severity) :]
    query = sa.select(alerts_table).where(alerts_table.c.severity.in_(wanted))
    if since is not None:
        query = query.where(alerts_table.c.time >= since)
    if status is not None:
        query = query.where(alerts_table.c.status == status)
    query = query.order_by(alerts_table.c.time.desc(), alerts_table.c.id).limit(limit)
    with store.begin() as conn:
        return [_from_row(r) for r in conn.execute(query).mappings()]


def get_alert(store: Store, alert_id: str) -> Alert:
    with store.begin() as conn:
        row = (
            conn.execute(sa.select(alerts_table).where(alerts_table.c.id == alert_id))
            .mappings()
            .first()
        )
    if row is None:
        raise MonitorError(f"no alert {alert_id[:60]!r}", alert_id=alert_id[:60])
    return _from_row(row)


def recent_open(store: Store, limit: int = 2000) -> list[Alert]:
    """The newest open alerts (what a restarted monitor may still merge into)."""
    query = (
        sa.select(alerts_table)
        .where(alerts_table.c.status == "open")
        .order_by(alerts_table.c.time.desc())
        .limit(limit)
    )
    with store.begin() as conn:
        return [_from_row(r) for r in conn.execute(query).mappings()]


def set_status(store: Store, alert_id: str, status: str, reason: str, actor: str) -> Alert:
    """Acknowledge or suppress an alert with a reason (required); the change is then recorded
    in the audit log as an ``alert`` event by ``actor``."""
    from dataward.audit import record
    from dataward.audit.events import AlertEvent

    if not reason.strip():
        raise MonitorError("a reason is required", field="reason")
    alert = get_alert(store, alert_id)
    now = datetime.now(UTC)
    with store.begin() as conn:
        conn.execute(
            alerts_table.update()
            .where(alerts_table.c.id == alert_id)
            .values(status=status, reason=reason, acted_by=actor, acted_at=now)
        )
    record(
        AlertEvent(
            alert_id=alert.id,
            action="acknowledged" if status == "acknowledged" else "suppressed",
            severity=alert.severity,
            score=alert.score,
            alert_kind=alert.kind,
            accessor=alert.principal,
            event_ids=alert.event_ids[:20],
            objects=alert.objects[:20],
            columns=alert.columns[:20],
            reason=reason,
        ),
        actor=actor,
    )
    alert.status, alert.reason = status, reason
    return alert


def containment(alert: Alert) -> dict[str, Any]:
    """A suggested containment a person confirms: suspend the principal's go tokens (the
    decisions named in the evidence) or review its access; never done automatically."""
    decisions = sorted(
        {
            d
            for s in alert.evidence.get("signals", [])
            for d in s.get("figures", {}).get("decisions", [])
        }
    )
    if decisions:
        return {"action": "suspend_go_tokens", "decisions": decisions, "confirm": "a person"}
    return {"action": "review_access", "principal": alert.principal, "confirm": "a person"}
