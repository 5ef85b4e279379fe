"""monitor: baseline state and alerts

Revision ID: monitor_0001
Revises:
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "monitor_0001"
down_revision = None
branch_labels = ("monitor",)
depends_on = None


def upgrade() -> None:
    op.create_table(
        "monitor_state",
        sa.Column("key", sa.String(300), primary_key=True),
        sa.Column("value", sa.Text(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "monitor_alerts",
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
    op.create_index("ix_monitor_alerts_time", "monitor_alerts", ["time"])
    op.create_index("ix_monitor_alerts_principal", "monitor_alerts", ["principal", "kind"])


def downgrade() -> None:
    op.drop_index("ix_monitor_alerts_principal", "monitor_alerts")
    op.drop_index("ix_monitor_alerts_time", "monitor_alerts")
    op.drop_table("monitor_alerts")
    op.drop_table("monitor_state")
