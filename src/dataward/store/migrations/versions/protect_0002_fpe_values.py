"""protect: the key version of every FPE value (keyed digests of outputs, never values)

Revision ID: protect_0002
Revises: protect_0001
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "protect_0002"
down_revision = "protect_0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "protect_fpe_values",
        sa.Column("digest", sa.String(32), primary_key=True),
        sa.Column("key_version", sa.Integer, primary_key=True),
    )


def downgrade() -> None:
    op.drop_table("protect_fpe_values")
