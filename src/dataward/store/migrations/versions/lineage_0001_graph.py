"""lineage: runs, nodes, edges, column edges, sensitivity labels, model links

Revision ID: lineage_0001
Revises:
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "lineage_0001"
down_revision = None
branch_labels = ("lineage",)
depends_on = None


def upgrade() -> None:
    op.create_table(
        "lineage_runs",
        sa.Column("run_id", sa.String(64), primary_key=True),
        sa.Column("job_namespace", sa.String(500), nullable=False),
        sa.Column("job_name", sa.String(1000), nullable=False),
        sa.Column("event_type", sa.String(16), nullable=False),
        sa.Column("event_time", sa.String(40), nullable=False),
        sa.Column("producer", sa.String(1000), nullable=False),
        sa.Column("source", sa.String(40), nullable=False),
        sa.Column("facets", sa.Text, nullable=False),
    )
    op.create_table(
        "lineage_nodes",
        sa.Column("name", sa.String(2000), primary_key=True),
        sa.Column("version", sa.String(200), primary_key=True),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("namespace", sa.String(500), nullable=False),
        sa.Column("first_run", sa.String(64), nullable=False),
        sa.Column("created_at", sa.String(40), nullable=False),
    )
    op.create_table(
        "lineage_edges",
        sa.Column("run_id", sa.String(64), primary_key=True),
        sa.Column("src_name", sa.String(2000), primary_key=True),
        sa.Column("src_version", sa.String(200), primary_key=True),
        sa.Column("dst_name", sa.String(2000), primary_key=True),
        sa.Column("dst_version", sa.String(200), primary_key=True),
        sa.Column("created_at", sa.String(40), nullable=False),
    )
    op.create_index("ix_lineage_edges_src", "lineage_edges", ["src_name"])
    op.create_index("ix_lineage_edges_dst", "lineage_edges", ["dst_name"])
    op.create_table(
        "lineage_column_edges",
        sa.Column("run_id", sa.String(64), primary_key=True),
        sa.Column("src_name", sa.String(2000), primary_key=True),
        sa.Column("src_column", sa.String(1000), primary_key=True),
        sa.Column("dst_name", sa.String(2000), primary_key=True),
        sa.Column("dst_column", sa.String(1000), primary_key=True),
        sa.Column("transform_type", sa.String(40), nullable=False),
        sa.Column("transform_subtype", sa.String(40), nullable=False),
        sa.Column("masking", sa.Boolean, nullable=False),
        sa.Column("operator", sa.String(100), nullable=False),
    )
    op.create_table(
        "lineage_labels",
        sa.Column("dataset", sa.String(2000), primary_key=True),
        sa.Column("column_name", sa.String(1000), primary_key=True),
        sa.Column("label", sa.String(100), primary_key=True),
        sa.Column("origin", sa.String(16), primary_key=True),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("run_id", sa.String(64), nullable=False),
        sa.Column("operator", sa.String(100), nullable=False),
        sa.Column("source_dataset", sa.String(2000), nullable=False),
        sa.Column("source_column", sa.String(1000), nullable=False),
    )
    op.create_table(
        "lineage_links",
        sa.Column("name", sa.String(2000), primary_key=True),
        sa.Column("version", sa.String(200), primary_key=True),
        sa.Column("link_kind", sa.String(32), primary_key=True),
        sa.Column("ref", sa.String(200), primary_key=True),
        sa.Column("created_at", sa.String(40), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("lineage_links")
    op.drop_table("lineage_labels")
    op.drop_table("lineage_column_edges")
    op.drop_index("ix_lineage_edges_dst", "lineage_edges")
    op.drop_index("ix_lineage_edges_src", "lineage_edges")
    op.drop_table("lineage_edges")
    op.drop_table("lineage_nodes")
    op.drop_table("lineage_runs")
