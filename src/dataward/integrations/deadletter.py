"""Dead letters: deliveries that failed every try, kept in the store to inspect and replay.

A row holds the kind of integration, its name (never its URL: chat webhook URLs carry their
secret), the event type, the formatted request body (which, like every event, holds paths, tags,
counts and masked previews only, never a raw value), the last error and the number of tries.
Headers are not kept: signatures and credentials are made afresh when a letter is replayed.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Protocol

import sqlalchemy as sa

from dataward.integrations.http import Delivery
from dataward.store import Store

log = logging.getLogger("dataward.integrations")

metadata = sa.MetaData()
dead_letters = sa.Table(
    "integration_dead_letters",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("kind", sa.String(32), nullable=False),
    sa.Column("target", sa.String(200), nullable=False),
    sa.Column("event", sa.String(200), nullable=False),
    sa.Column("payload", sa.Text(), nullable=False),
    sa.Column("error", sa.String(200), nullable=False),
    sa.Column("attempts", sa.Integer, nullable=False),
    sa.Column("delivered_at", sa.DateTime(timezone=True), nullable=True),
)


@dataclass(frozen=True)
class DeadLetter:
    id: int
    created_at: datetime
    kind: str
    target: str
    event: str
    payload: dict[str, Any]
    error: str
    attempts: int
    delivered: bool


class Resender(Protocol):
    """An integration that can post an already formatted body again."""

    name: str

    def post(self, payload: Mapping[str, Any]) -> Delivery: ...


class DeadLetters:
    """The dead-letter table of a store."""

    def __init__(self, store: Store) -> None:
        self.store = store

    def record(
        self, kind: str, target: str, event: str, payload: Mapping[str, Any], delivery: Delivery
    ) -> int:
        with self.store.begin() as conn:
            result = conn.execute(
                dead_letters.insert().values(
                    created_at=datetime.now(UTC),
                    kind=kind[:32],
                    target=target[:200],
                    event=event[:200],
                    payload=json.dumps(payload, ensure_ascii=False, sort_keys=True),
                    error=(delivery.error or "unknown")[:200],
                    attempts=delivery.attempts,
                )
            )
        key = result.inserted_primary_key
        assert key is not None
        letter_id = int(key[0])
        log.error("%s delivery to %s dead-lettered as #%d", kind, target, letter_id)
        return letter_id

    def list(self, *, pending_only: bool = True, limit: int = 100) -> list[DeadLetter]:
        query = sa.select(dead_letters).order_by(dead_letters.c.id).limit(limit)
        if pending_only:
            query = query.where(dead_letters.c.delivered_at.is_(None))
        with self.store.begin() as conn:
            rows = conn.execute(query).all()
        return [
            DeadLetter(
                r.id,
                r.created_at,
                r.kind,
                r.target,
                r.event,
                json.loads(r.payload),
                r.error,
                r.attempts,
                r.delivered_at is not None,
            )
            for r in rows
        ]

    def replay(self, integrations: Mapping[str, Resender]) -> dict[str, int]:
        """Post each pending letter again through the integration of its name; counts of
        ``delivered``, ``failed`` and ``skipped`` (no integration of that name)."""
        counts = {"delivered": 0, "failed": 0, "skipped": 0}
        for letter in self.list(limit=10_000):
            sender = integrations.get(letter.target)
            if sender is None:
                counts["skipped"] += 1
                continue
            delivery = sender.post(letter.payload)
            values: dict[str, Any] = {"attempts": letter.attempts + delivery.attempts}
            if delivery.ok:
                values["delivered_at"] = datetime.now(UTC)
                counts["delivered"] += 1
            else:
                values["error"] = (delivery.error or "unknown")[:200]
                counts["failed"] += 1
            with self.store.begin() as conn:
                conn.execute(
                    dead_letters.update().where(dead_letters.c.id == letter.id).values(**values)
                )
        return counts
