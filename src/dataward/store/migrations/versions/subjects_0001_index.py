"""subjects: the subject index, erasure marks, consent withdrawals, deletion certificates

Revision ID: subjects_0001
Revises:
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "subjects_0001"
down_revision = None
branch_labels = ("subjects",)
depends_on = None


def upgrade() -> None:
    op.create_table(
        "subject_versions",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("dataset", sa.String(2000), nullable=False),
        sa.Column("version", sa.String(128), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("format", sa.String(40), nullable=False),
        sa.Column("rows", sa.BigInteger, nullable=False),
        sa.Column("subjects", sa.BigInteger, nullable=False),
        sa.Column("entities", sa.Text, nullable=False),
        sa.Column("indexed_at", sa.String(40), nullable=False),
        sa.UniqueConstraint("dataset", "version", name="uq_subject_versions_dataset_version"),
    )
    op.create_table(
        "subject_postings",
        sa.Column(
            "version_id",
            sa.Integer,
            sa.ForeignKey("subject_versions.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("prefix", sa.BigInteger, primary_key=True),
        sa.Column("rows", sa.Integer, nullable=False),
    )
    op.create_index("ix_subject_postings_prefix", "subject_postings", ["prefix"])
    op.create_table(
        "subject_marks",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("artifact", sa.String(2000), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("subject_hash", sa.String(64), nullable=False),
        sa.Column("action", sa.String(32), nullable=False),
        sa.Column("marked_at", sa.String(40), nullable=False),
    )
    op.create_table(
        "subject_consent",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("subject_hash", sa.String(64), nullable=True),
        sa.Column("purpose", sa.String(200), nullable=True),
        sa.Column("withdrawn_at", sa.String(40), nullable=False),
        sa.Column("given_at", sa.String(40), nullable=True),
    )
    op.create_table(
        "subject_certificates",
        sa.Column("sha256", sa.String(64), primary_key=True),
        sa.Column("subject_hash", sa.String(64), nullable=False),
        sa.Column("document", sa.Text, nullable=False),
        sa.Column("signature", sa.String(200), nullable=False),
        sa.Column("created_at", sa.String(40), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("subject_certificates")
    op.drop_table("subject_consent")
    op.drop_table("subject_marks")
    op.drop_index("ix_subject_postings_prefix", "subject_postings")
    op.drop_table("subject_postings")
    op.drop_table("subject_versions")
