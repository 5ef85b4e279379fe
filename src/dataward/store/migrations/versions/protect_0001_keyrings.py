"""protect: the key rings that protected data in this store (fingerprints, never keys)

Revision ID: protect_0001
Revises:
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "protect_0001"
down_revision = None
branch_labels = ("protect",)
depends_on = None


def upgrade() -> None:
    op.create_table(
        "protect_keyrings",
        sa.Column("location", sa.String(1000), primary_key=True),
        sa.Column("fingerprint", sa.String(64), nullable=False, index=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("protect_keyrings")
