"""integrations: dead letters

Revision ID: integrations_0001
Revises:
Create Date: 2026-11-28
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "integrations_0001"
down_revision = None
branch_labels = ("integrations",)
depends_on = None


def upgrade() -> None:
    op.create_table(
        "integration_dead_letters",
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
    op.create_index(
        "ix_integration_dead_letters_pending",
        "integration_dead_letters",
        ["delivered_at", "id"],
    )


def downgrade() -> None:
    op.drop_index("ix_integration_dead_letters_pending", "integration_dead_letters")
    op.drop_table("integration_dead_letters")
