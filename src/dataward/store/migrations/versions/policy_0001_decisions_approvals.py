"""policy: decision log, approvals, policy revisions

Revision ID: policy_0001
Revises:
Create Date: 2026-11-27
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "policy_0001"
down_revision = None
branch_labels = ("policy",)
depends_on = None


def upgrade() -> None:
    op.create_table(
        "policy_decisions",
        sa.Column("decision_id", sa.String(36), primary_key=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, index=True),
        sa.Column("point", sa.String(100), nullable=False),
        sa.Column("mode", sa.String(16), nullable=False),
        sa.Column("effect", sa.String(32), nullable=False),
        sa.Column("evaluated_effect", sa.String(32), nullable=False),
        sa.Column("policy_revision", sa.String(80), nullable=False),
        sa.Column("input_digest", sa.String(80), nullable=False),
        sa.Column("request", sa.Text(), nullable=False),
        sa.Column("result", sa.Text(), nullable=False),
    )
    op.create_table(
        "policy_approvals",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("approver", sa.String(100), nullable=False, index=True),
        sa.Column("granted_by", sa.String(200), nullable=False),
        sa.Column("scope", sa.Text(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False, server_default=""),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
    )
    op.create_table(
        "policy_revisions",
        sa.Column("revision", sa.String(80), primary_key=True),
        sa.Column("first_seen", sa.DateTime(timezone=True), nullable=False),
        sa.Column("sources", sa.Text(), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("policy_revisions")
    op.drop_table("policy_approvals")
    op.drop_table("policy_decisions")
