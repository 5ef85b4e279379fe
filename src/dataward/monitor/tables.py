"""The monitor's tables (its Alembic branch: ``store/migrations/versions/monitor_0001_*``)."""

from __future__ import annotations

import sqlalchemy as sa

_meta = sa.MetaData()
state = sa.Table(
    "monitor_state",
    _meta,
    sa.Column("key", sa.String(300), primary_key=True),
    sa.Column("value", sa.Text(), nullable=False),
    sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
)
alerts = sa.Table(
    "monitor_alerts",
    _meta,
    sa.Column("id", sa.String(40), primary_key=True),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("time", sa.DateTime(timezone=True), nullable=False),
    sa.Column("severity", sa.String(8), nullable=False),
    sa.Column("score", sa.Float(), nullable=False),
    sa.Column("principal", sa.String(300), nullable=False),
    sa.Column("kind", sa.String(64), nullable=False),
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("reason", sa.Text(), nullable=True),
    sa.Column("acted_by", sa.String(200), nullable=True),
    sa.Column("acted_at", sa.DateTime(timezone=True), nullable=True),
    sa.Column("body", sa.Text(), nullable=False),
)
