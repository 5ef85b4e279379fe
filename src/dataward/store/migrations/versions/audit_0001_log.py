"""audit: Merkle log, subtree cache, signed checkpoints, per-subject keys

Revision ID: audit_0001
Revises:
Create Date: 2026-11-27
"""

from __future__ import annotations

import uuid

import sqlalchemy as sa
from alembic import op

revision = "audit_0001"
down_revision = None
branch_labels = ("audit",)
depends_on = None


def upgrade() -> None:
    state = op.create_table(
        "audit_state",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("origin", sa.String(200), nullable=False),
        sa.Column("size", sa.BigInteger, nullable=False),
        sa.Column("frontier", sa.LargeBinary, nullable=False),
    )
    op.create_table(
        "audit_events",
        sa.Column("idx", sa.BigInteger, primary_key=True, autoincrement=False),
        sa.Column("kind", sa.String(64), nullable=False),
        sa.Column("actor", sa.String(256), nullable=False),
        sa.Column("time", sa.String(32), nullable=False),
        sa.Column("subject_ref", sa.String(32), nullable=True),
        sa.Column("canonical", sa.LargeBinary, nullable=False),
        sa.Column("leaf_hash", sa.LargeBinary(32), nullable=False),
    )
    op.create_index("ix_audit_events_subject_ref", "audit_events", ["subject_ref"])
    op.create_table(
        "audit_nodes",
        sa.Column("level", sa.SmallInteger, primary_key=True, autoincrement=False),
        sa.Column("idx", sa.BigInteger, primary_key=True, autoincrement=False),
        sa.Column("hash", sa.LargeBinary(32), nullable=False),
    )
    op.create_table(
        "audit_checkpoints",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("tree_size", sa.BigInteger, nullable=False),
        sa.Column("root_hash", sa.LargeBinary(32), nullable=False),
        sa.Column("note", sa.Text, nullable=False),
        sa.Column("created_at", sa.String(32), nullable=False),
    )
    op.create_index("ix_audit_checkpoints_tree_size", "audit_checkpoints", ["tree_size"])
    op.create_table(
        "audit_subject_keys",
        sa.Column("ref", sa.String(32), primary_key=True),
        sa.Column("lookup", sa.LargeBinary(32), nullable=True, unique=True),
        sa.Column("wrapped_key", sa.LargeBinary, nullable=True),
        sa.Column("created_at", sa.String(32), nullable=False),
        sa.Column("erased_at", sa.String(32), nullable=True),
    )
    # the log's identity: the origin line of its checkpoints, unique per database
    origin = f"dataward.local/audit/{uuid.uuid4().hex}"
    op.bulk_insert(state, [{"id": 1, "origin": origin, "size": 0, "frontier": b""}])


def downgrade() -> None:
    for table in (
        "audit_subject_keys",
        "audit_checkpoints",
        "audit_nodes",
        "audit_events",
        "audit_state",
    ):
        op.drop_table(table)
