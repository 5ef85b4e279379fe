"""Published reports: each written report is an audit event carrying its SHA-256, and its bytes
are kept in the store (``report_runs``, the ``report`` Alembic branch) so every worker of the
service can serve the latest one.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime

import sqlalchemy as sa

from dataward.report.evidence import REPORT_PREFIX
from dataward.store import Store

_meta = sa.MetaData()
runs = sa.Table(
    "report_runs",
    _meta,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("created_at", sa.String(40), nullable=False),
    sa.Column("generated_at", sa.String(40), nullable=False),
    sa.Column("kind", sa.String(40), nullable=False),
    sa.Column("format", sa.String(16), nullable=False),
    sa.Column("sha256", sa.String(64), nullable=False),
    sa.Column("size_bytes", sa.BigInteger, nullable=False),
    sa.Column("event_index", sa.BigInteger, nullable=True),
    sa.Column("body", sa.LargeBinary, nullable=False),
)

MAX_KEPT_BYTES = 50 * 1024 * 1024
"""Reports larger than this are recorded (event, hash) but their bytes are not kept."""


@dataclass(frozen=True, slots=True)
class Published:
    id: int
    generated_at: str
    format: str
    sha256: str
    size_bytes: int
    event_index: int | None
    created_at: str


def publish(
    store: Store, body: bytes, *, fmt: str, generated_at: str, actor: str | None = None
) -> Published:
    """Record ``body`` (a report in ``fmt``) as an audit event with its hash, and keep it."""
    from dataward.audit import open_audit_log
    from dataward.audit.events import AccessEvent, envelope

    digest = hashlib.sha256(body).hexdigest()
    event = AccessEvent(what=f"{REPORT_PREFIX}posture {fmt} sha256:{digest}", count=len(body))
    index = open_audit_log(store).append(envelope(event, actor=actor)).index
    now = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    with store.begin() as conn:
        result = conn.execute(
            runs.insert().values(
                created_at=now,
                generated_at=generated_at,
                kind="posture",
                format=fmt,
                sha256=digest,
                size_bytes=len(body),
                event_index=index,
                body=body if len(body) <= MAX_KEPT_BYTES else b"",
            )
        )
        new_id = int(result.inserted_primary_key[0])  # type: ignore[index]
    return Published(new_id, generated_at, fmt, digest, len(body), index, now)


def latest(store: Store, fmt: str | None = None) -> tuple[Published, bytes] | None:
    """The newest published report (of ``fmt``, any format by default) and its bytes."""
    query = sa.select(runs).where(runs.c.size_bytes > 0).order_by(runs.c.id.desc()).limit(1)
    if fmt is not None:
        query = query.where(runs.c.format == fmt)
    with store.begin() as conn:
        row = conn.execute(query).first()
    if row is None:
        return None
    meta = Published(
        int(row.id),
        row.generated_at,
        row.format,
        row.sha256,
        int(row.size_bytes),
        row.event_index,
        row.created_at,
    )
    return meta, bytes(row.body)
