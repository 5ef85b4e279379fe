"""The policy tables of the store: the decision log, approvals, and the revisions seen."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa

from dataward.audit.events import ApprovalEvent, DecisionEvent, PolicyChangeEvent
from dataward.errors import PolicyError
from dataward.policy.decision import Decision
from dataward.policy.pending import flush as flush_queued
from dataward.policy.request import Approval, canonical_json, iso
from dataward.store import Store, insert_ignore

_meta = sa.MetaData()
decisions = sa.Table(
    "policy_decisions",
    _meta,
    sa.Column("decision_id", sa.String(36), primary_key=True),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("point", sa.String(100), nullable=False),
    sa.Column("mode", sa.String(16), nullable=False),
    sa.Column("effect", sa.String(32), nullable=False),
    sa.Column("evaluated_effect", sa.String(32), nullable=False),
    sa.Column("policy_revision", sa.String(80), nullable=False),
    sa.Column("input_digest", sa.String(80), nullable=False),
    sa.Column("request", sa.Text(), nullable=False),
    sa.Column("result", sa.Text(), nullable=False),
)
approvals = sa.Table(
    "policy_approvals",
    _meta,
    sa.Column("id", sa.String(36), primary_key=True),
    sa.Column("approver", sa.String(100), nullable=False),
    sa.Column("granted_by", sa.String(200), nullable=False),
    sa.Column("scope", sa.Text(), nullable=False),
    sa.Column("note", sa.Text(), nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("expires_at", sa.DateTime(timezone=True), nullable=True),
    sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
)
revisions = sa.Table(
    "policy_revisions",
    _meta,
    sa.Column("revision", sa.String(80), primary_key=True),
    sa.Column("first_seen", sa.DateTime(timezone=True), nullable=False),
    sa.Column("sources", sa.Text(), nullable=False),
)

SCOPE_KEYS = ("principal", "action", "resource", "purpose")
"""What an approval can be limited to; an absent key matches anything."""


def _utc(dt: datetime | None) -> datetime | None:
    if dt is None:
        return None
    return dt.replace(tzinfo=UTC) if dt.tzinfo is None else dt.astimezone(UTC)


# --- decisions -------------------------------------------------------------------------------


def log_decision(store: Store, decision: Decision, actor: str | None = None) -> None:
    """Write one decision to the log now (the background writer batches them instead, see
    :mod:`dataward.policy.writer`); with ``actor``, its ``decision`` event too, in the same
    transaction."""
    log_decisions(store, [decision], None if actor is None else [actor])


def log_decisions(store: Store, batch: list[Decision], actors: list[str] | None = None) -> None:
    """Write decisions to the log in one transaction (one multi-row INSERT). With ``actors``
    (one per decision), each decision's ``decision`` event is recorded in that same
    transaction (:func:`dataward.policy.events.recorded`): a row is never committed without
    its audit event, nor an event without its row."""
    from dataward.policy.events import recorded

    if not batch:
        return
    if actors is not None and len(actors) != len(batch):
        raise ValueError("log_decisions: one actor per decision")
    rows = []
    for decision in batch:
        result = decision.to_dict()
        result.pop("token", None)
        result["approvals_in_force"] = _approvals_json(decision)
        rows.append(
            {
                "decision_id": decision.decision_id,
                "created_at": datetime.fromisoformat(decision.timestamp.replace("Z", "+00:00")),
                "point": decision.point,
                "mode": decision.mode,
                "effect": decision.effect,
                "evaluated_effect": decision.evaluated_effect,
                "policy_revision": decision.policy_revision,
                "input_digest": decision.input_digest,
                "request": canonical_json(decision.input),
                "result": canonical_json(result),
            }
        )
    with recorded(store) as (conn, events):
        conn.execute(decisions.insert(), rows)
        for decision, actor in zip(batch, actors or (), strict=False):
            events.add(DecisionEvent(**decision.log_entry()), actor)


def flush_decisions(store: Store | None = None) -> None:
    """Wait until queued decisions (of ``store``, default all) are written."""
    flush_queued(store)


def _approvals_json(decision: Decision) -> list[str]:
    return list(decision.approvals_in_force)


@dataclass(frozen=True, slots=True)
class LoggedDecision:
    decision_id: str
    created_at: datetime
    point: str
    mode: str
    effect: str
    evaluated_effect: str
    policy_revision: str
    request: dict[str, Any]
    result: dict[str, Any]


def logged_decisions(
    store: Store, since: datetime | None = None, point: str | None = None
) -> Iterator[LoggedDecision]:
    """Logged decisions, oldest first (queued ones are written first)."""
    flush_decisions(store)
    query = sa.select(decisions).order_by(decisions.c.created_at, decisions.c.decision_id)
    if since is not None:
        query = query.where(decisions.c.created_at >= since)
    if point is not None:
        query = query.where(decisions.c.point == point)
    with store.begin() as conn:
        rows = conn.execute(query).mappings().all()
    for row in rows:
        yield LoggedDecision(
            decision_id=row["decision_id"],
            created_at=_utc(row["created_at"]) or datetime.now(UTC),
            point=row["point"],
            mode=row["mode"],
            effect=row["effect"],
            evaluated_effect=row["evaluated_effect"],
            policy_revision=row["policy_revision"],
            request=json.loads(row["request"]),
            result=json.loads(row["result"]),
        )


# --- approvals -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ApprovalRecord:
    id: str
    approver: str
    granted_by: str
    scope: dict[str, str]
    note: str
    created_at: datetime
    expires_at: datetime | None
    revoked_at: datetime | None

    def active(self, now: datetime) -> bool:
        return self.revoked_at is None and (self.expires_at is None or self.expires_at > now)

    def as_approval(self) -> Approval:
        return Approval(self.id, self.approver, self.granted_by, self.expires_at)

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "approver": self.approver,
            "granted_by": self.granted_by,
            "scope": self.scope,
            "note": self.note,
            "created_at": iso(self.created_at),
            "expires_at": iso(self.expires_at),
            "revoked_at": iso(self.revoked_at),
        }


def grant_approval(
    store: Store,
    approver: str,
    granted_by: str,
    scope: Mapping[str, str],
    expires_at: datetime | None,
    note: str = "",
    now: datetime | None = None,
) -> ApprovalRecord:
    """Record that ``granted_by``, acting as ``approver``, approves requests in ``scope``."""
    unknown = set(scope) - set(SCOPE_KEYS)
    if unknown:
        raise PolicyError(f"approval scope: unknown keys {sorted(unknown)}", field="scope")
    if not approver or not granted_by:
        raise PolicyError("an approval needs an approver role and who granted it", field="approver")
    now = now or datetime.now(UTC)
    if expires_at is not None and _utc(expires_at) <= now:  # type: ignore[operator]
        raise PolicyError("an approval must expire in the future", field="expires_at")
    record = ApprovalRecord(
        str(uuid.uuid4()), approver, granted_by, dict(scope), note, now, _utc(expires_at), None
    )
    from dataward.policy.events import recorded

    flush_decisions()  # the audit log keeps the order things happened in
    with recorded(store) as (conn, events):
        conn.execute(
            approvals.insert().values(
                id=record.id,
                approver=approver,
                granted_by=granted_by,
                scope=canonical_json(record.scope),
                note=note,
                created_at=now,
                expires_at=record.expires_at,
            )
        )
        events.add(_approval_event(record), granted_by)
    return record


def revoke_approval(store: Store, approval_id: str, now: datetime | None = None) -> bool:
    """Revoke an approval in force; its ``approval`` event (by
    :func:`dataward.audit.current_actor`, with ``revoked_at`` set) commits with the change."""
    from dataward.policy.events import recorded

    flush_decisions()  # the audit log keeps the order things happened in
    with recorded(store) as (conn, events):
        result = conn.execute(
            approvals.update()
            .where(approvals.c.id == approval_id, approvals.c.revoked_at.is_(None))
            .values(revoked_at=now or datetime.now(UTC))
        )
        if result.rowcount:
            row = (
                conn.execute(sa.select(approvals).where(approvals.c.id == approval_id))
                .mappings()
                .one()
            )
            events.add(_approval_event(_approval_record(row)))
    return bool(result.rowcount)


def _approval_record(row: Any) -> ApprovalRecord:
    return ApprovalRecord(
        row["id"],
        row["approver"],
        row["granted_by"],
        json.loads(row["scope"]),
        row["note"],
        _utc(row["created_at"]) or datetime.now(UTC),
        _utc(row["expires_at"]),
        _utc(row["revoked_at"]),
    )


def _approval_event(record: ApprovalRecord) -> ApprovalEvent:
    return ApprovalEvent(**record.to_dict())


def list_approvals(store: Store) -> list[ApprovalRecord]:
    with store.begin() as conn:
        rows = conn.execute(sa.select(approvals).order_by(approvals.c.created_at)).mappings().all()
    return [_approval_record(row) for row in rows]


def approvals_for(store: Store, request: Mapping[str, Any], now: datetime) -> list[Approval]:
    """Active, unexpired approvals whose scope covers ``request``."""
    principal = request.get("principal") or {}
    resource = request.get("resource") or {}
    context = request.get("context") or {}
    values = {
        "principal": principal.get("id") if isinstance(principal, Mapping) else None,
        "action": request.get("action"),
        "resource": resource.get("id") if isinstance(resource, Mapping) else None,
        "purpose": context.get("purpose") if isinstance(context, Mapping) else None,
    }
    query = sa.select(approvals).where(
        approvals.c.revoked_at.is_(None),
        sa.or_(approvals.c.expires_at.is_(None), approvals.c.expires_at > now),
    )
    with store.begin() as conn:
        rows = conn.execute(query).mappings().all()
    out = []
    for row in rows:
        scope = json.loads(row["scope"])
        if all(values.get(k) == v for k, v in scope.items()):
            out.append(
                Approval(row["id"], row["approver"], row["granted_by"], _utc(row["expires_at"]))
            )
    return out


# --- revisions -------------------------------------------------------------------------------


def note_revision(store: Store, revision: str, sources: list[str]) -> bool:
    """Remember a policy revision; True (and a ``policy_change`` event, in the same
    transaction) the first time. Processes racing to note the same revision never fail: the
    row is inserted with ``ON CONFLICT DO NOTHING`` and only the one that inserted it records
    the event."""
    from dataward.policy.events import recorded

    flush_decisions()  # the audit log keeps the order things happened in
    with recorded(store) as (conn, events):
        row = {"revision": revision, "first_seen": datetime.now(UTC)}
        inserted = insert_ignore(conn, revisions, {**row, "sources": canonical_json(sources)})
        if inserted:
            events.add(PolicyChangeEvent(revision=revision, sources=list(sources)), "dataward")
    return inserted
