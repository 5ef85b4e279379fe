"""The lineage tables of the store (SQLAlchemy Core); the ``lineage`` Alembic branch creates them.

Names only: dataset, column, job and operator names, versions and run ids. No value of a
dataset is ever written here.
"""

from __future__ import annotations

import sqlalchemy as sa

metadata = sa.MetaData()

runs = sa.Table(
    "lineage_runs",
    metadata,
    sa.Column("run_id", sa.String(64), primary_key=True),
    sa.Column("job_namespace", sa.String(500), nullable=False),
    sa.Column("job_name", sa.String(1000), nullable=False),
    sa.Column("event_type", sa.String(16), nullable=False),
    sa.Column("event_time", sa.String(40), nullable=False),
    sa.Column("producer", sa.String(1000), nullable=False),
    sa.Column("source", sa.String(40), nullable=False),
    sa.Column("facets", sa.Text, nullable=False),
)

nodes = sa.Table(
    "lineage_nodes",
    metadata,
    sa.Column("name", sa.String(2000), primary_key=True),
    sa.Column("version", sa.String(200), primary_key=True),
    sa.Column("kind", sa.String(16), nullable=False),
    sa.Column("namespace", sa.String(500), nullable=False),
    sa.Column("first_run", sa.String(64), nullable=False),
    sa.Column("created_at", sa.String(40), nullable=False),
)

edges = sa.Table(
    "lineage_edges",
    metadata,
    sa.Column("run_id", sa.String(64), primary_key=True),
    sa.Column("src_name", sa.String(2000), primary_key=True),
    sa.Column("src_version", sa.String(200), primary_key=True),
    sa.Column("dst_name", sa.String(2000), primary_key=True),
    sa.Column("dst_version", sa.String(200), primary_key=True),
    sa.Column("created_at", sa.String(40), nullable=False),
)

column_edges = sa.Table(
    "lineage_column_edges",
    metadata,
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

labels = sa.Table(
    "lineage_labels",
    metadata,
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

links = sa.Table(
    "lineage_links",
    metadata,
    sa.Column("name", sa.String(2000), primary_key=True),
    sa.Column("version", sa.String(200), primary_key=True),
    sa.Column("link_kind", sa.String(32), primary_key=True),
    sa.Column("ref", sa.String(200), primary_key=True),
    sa.Column("created_at", sa.String(40), nullable=False),
)

run_datasets = sa.Table(
    "lineage_run_datasets",
    metadata,
    sa.Column("run_id", sa.String(64), primary_key=True),
    sa.Column("role", sa.String(8), primary_key=True),
    sa.Column("name", sa.String(2000), primary_key=True),
    sa.Column("version", sa.String(200), primary_key=True),
)
