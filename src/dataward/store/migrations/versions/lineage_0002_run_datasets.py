"""lineage: the datasets each run read and wrote (a run with no output has no edge)

Revision ID: lineage_0002
Revises: lineage_0001
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "lineage_0002"
down_revision = "lineage_0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "lineage_run_datasets",
        sa.Column("run_id", sa.String(64), primary_key=True),
        sa.Column("role", sa.String(8), primary_key=True),
        sa.Column("name", sa.String(2000), primary_key=True),
        sa.Column("version", sa.String(200), primary_key=True),
    )


def downgrade() -> None:
    op.drop_table("lineage_run_datasets")
