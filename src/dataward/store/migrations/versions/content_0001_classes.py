"""content: content classes of cataloged datasets and columns

Revision ID: content_0001
Revises:
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "content_0001"
down_revision = None
branch_labels = ("content",)
depends_on = "catalog_0001"


def upgrade() -> None:
    op.create_table(
        "catalog_content_classes",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column(
            "dataset_id",
            sa.Integer,
            sa.ForeignKey("catalog_datasets.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("column_name", sa.String(1000), nullable=True),
        sa.Column("class_name", sa.String(100), nullable=False),
        sa.Column("confidence", sa.Float, nullable=False),
        sa.Column("source", sa.String(20), nullable=False),
        sa.Column("reasons", sa.Text, nullable=False),
        sa.Column("tags", sa.Text, nullable=False),
        sa.Column("created_at", sa.String(40), nullable=False),
    )
    op.create_index("ix_catalog_content_classes_dataset", "catalog_content_classes", ["dataset_id"])


def downgrade() -> None:
    op.drop_table("catalog_content_classes")
