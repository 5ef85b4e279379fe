"""retention: legal holds and retention floors

Revision ID: retention_0001
Revises:
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "retention_0001"
down_revision = None
branch_labels = ("retention",)
depends_on = None


def upgrade() -> None:
    op.create_table(
        "retention_holds",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("matter", sa.String(200), nullable=False),
        sa.Column("artifact", sa.String(2000), nullable=False),
        sa.Column("placed_at", sa.String(40), nullable=False),
        sa.Column("released_at", sa.String(40), nullable=True),
    )
    op.create_index("ix_retention_holds_artifact", "retention_holds", ["artifact"])
    op.create_table(
        "retention_floors",
        sa.Column("artifact", sa.String(2000), primary_key=True),
        sa.Column("keep_until", sa.String(40), nullable=False),
        sa.Column("rule", sa.String(200), nullable=False),
        sa.Column("set_at", sa.String(40), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("retention_floors")
    op.drop_index("ix_retention_holds_artifact", "retention_holds")
    op.drop_table("retention_holds")
