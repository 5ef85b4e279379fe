"""server: dashboard sessions and failed sign-ins in the store (any number of workers)

Revision ID: server_0002
Revises: server_0001
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "server_0002"
down_revision = "server_0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "dashboard_sessions",
        sa.Column("id_hash", sa.String(64), primary_key=True),
        sa.Column(
            "key_id",
            sa.String(32),
            sa.ForeignKey("api_keys.id", ondelete="CASCADE"),
            nullable=False,
            index=True,
        ),
        sa.Column("csrf", sa.String(64), nullable=False),
        sa.Column("created_at", sa.Float, nullable=False),
        sa.Column("expires_at", sa.Float, nullable=False, index=True),
    )
    op.create_table(
        "login_failures",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("scope", sa.String(100), nullable=False),
        sa.Column("at", sa.Float, nullable=False),
        sa.Index("ix_login_failures_scope_at", "scope", "at"),
    )


def downgrade() -> None:
    op.drop_table("login_failures")
    op.drop_table("dashboard_sessions")
