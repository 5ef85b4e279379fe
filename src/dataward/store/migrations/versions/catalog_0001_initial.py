"""catalog: datasets, files, columns, tags and scans

Revision ID: catalog_0001
Revises:
Create Date: 2026-11-27
"""

from __future__ import annotations

from alembic import op

from dataward.catalog import tables

revision = "catalog_0001"
down_revision = None
branch_labels = ("catalog",)
depends_on = None

_ORDER = ("catalog_scans", "catalog_datasets", "catalog_files", "catalog_columns", "catalog_tags")


def upgrade() -> None:
    bind = op.get_bind()
    for name in _ORDER:
        tables.metadata.tables[name].create(bind)
    op.create_index("ix_catalog_tags_dataset", "catalog_tags", ["dataset_id"])
    op.create_index("ix_catalog_files_dataset", "catalog_files", ["dataset_id"])


def downgrade() -> None:
    bind = op.get_bind()
    for name in reversed(_ORDER):
        tables.metadata.tables[name].drop(bind)
