"""audit: the deployment's registered signing key, and a witness table for other stores' logs

Revision ID: audit_0002
Revises: audit_0001
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "audit_0002"
down_revision = "audit_0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # the public half of the one signing key every host writing this log must hold
    with op.batch_alter_table("audit_state") as batch:
        batch.add_column(sa.Column("public_key", sa.LargeBinary(32), nullable=True))
    # when this store is another deployment's external witness: its latest checkpoint per log
    op.create_table(
        "audit_witness",
        sa.Column("origin", sa.String(200), primary_key=True),
        sa.Column("tree_size", sa.BigInteger, nullable=False),
        sa.Column("note", sa.Text, nullable=False),
        sa.Column("updated_at", sa.String(32), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("audit_witness")
    with op.batch_alter_table("audit_state") as batch:
        batch.drop_column("public_key")
