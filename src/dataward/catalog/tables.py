"""The catalog's tables (SQLAlchemy Core); the ``catalog`` Alembic branch creates them."""

from __future__ import annotations

import sqlalchemy as sa

metadata = sa.MetaData()

scans = sa.Table(
    "catalog_scans",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("started_at", sa.String(40), nullable=False),
    sa.Column("finished_at", sa.String(40), nullable=False),
    sa.Column("options", sa.Text, nullable=False),
    sa.Column("summary", sa.Text, nullable=False),
    sa.Column("changes", sa.Text, nullable=False),
    sa.Column("errors", sa.Text, nullable=False),
)

datasets = sa.Table(
    "catalog_datasets",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("path", sa.String(2000), nullable=False, unique=True),
    sa.Column("name", sa.String(500), nullable=False),
    sa.Column("format", sa.String(40), nullable=False),
    sa.Column("rows", sa.BigInteger, nullable=False),
    sa.Column("size_bytes", sa.BigInteger, nullable=False),
    sa.Column("status", sa.String(20), nullable=False),
    sa.Column("summary", sa.Text, nullable=False),
    sa.Column("records", sa.Text, nullable=False),
    sa.Column("sampled", sa.Boolean, nullable=False),
    sa.Column("created_at", sa.String(40), nullable=False),
    sa.Column("updated_at", sa.String(40), nullable=False),
    sa.Column("last_scan_id", sa.Integer, sa.ForeignKey("catalog_scans.id"), nullable=True),
)

files = sa.Table(
    "catalog_files",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column(
        "dataset_id",
        sa.Integer,
        sa.ForeignKey("catalog_datasets.id", ondelete="CASCADE"),
        nullable=False,
    ),
    sa.Column("uri", sa.String(2000), nullable=False, unique=True),
    sa.Column("fingerprint", sa.String(128), nullable=False),
    sa.Column("size_bytes", sa.BigInteger, nullable=False),
    sa.Column("rows", sa.BigInteger, nullable=False),
    sa.Column("status", sa.String(20), nullable=False),
    sa.Column("scanned_at", sa.String(40), nullable=False),
    sa.Column("scan_id", sa.Integer, sa.ForeignKey("catalog_scans.id"), nullable=True),
)

columns = sa.Table(
    "catalog_columns",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column(
        "dataset_id",
        sa.Integer,
        sa.ForeignKey("catalog_datasets.id", ondelete="CASCADE"),
        nullable=False,
    ),
    sa.Column("position", sa.Integer, nullable=False),
    sa.Column("name", sa.String(1000), nullable=False),
    sa.Column("data_type", sa.String(200), nullable=False),
    sa.Column("entity", sa.String(100), nullable=True),
    sa.Column("kind", sa.String(20), nullable=False),
    sa.Column("method", sa.String(40), nullable=False),
    sa.Column("sensitive", sa.Boolean, nullable=False),
    sa.Column("confidence", sa.Float, nullable=False),
    sa.Column("value_share", sa.Float, nullable=False),
    sa.Column("null_share", sa.Float, nullable=False),
    sa.Column("uniqueness", sa.Float, nullable=False),
    sa.Column("free_text_score", sa.Float, nullable=False),
    sa.Column("entities", sa.Text, nullable=False),
    sa.Column("examples", sa.Text, nullable=False),
    sa.Column("hashes", sa.Text, nullable=False),
    sa.UniqueConstraint("dataset_id", "name", name="uq_catalog_columns_dataset_name"),
)

tags = sa.Table(
    "catalog_tags",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column(
        "dataset_id",
        sa.Integer,
        sa.ForeignKey("catalog_datasets.id", ondelete="CASCADE"),
        nullable=False,
    ),
    sa.Column("column_name", sa.String(1000), nullable=True),
    sa.Column("tag", sa.String(60), nullable=False),
    sa.Column("source", sa.String(20), nullable=False),
    sa.Column("confidence", sa.Float, nullable=False),
    sa.Column("reasons", sa.Text, nullable=False),
    sa.Column("created_at", sa.String(40), nullable=False),
)

content_classes = sa.Table(
    "catalog_content_classes",
    metadata,
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
"""Content classes of datasets and columns (``content`` Alembic branch, issue 19)."""
