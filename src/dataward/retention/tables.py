"""Retention's tables (SQLAlchemy Core); the ``retention`` Alembic branch creates them."""

from __future__ import annotations

import sqlalchemy as sa

metadata = sa.MetaData()

holds = sa.Table(
    "retention_holds",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("matter", sa.String(200), nullable=False),
    sa.Column("artifact", sa.String(2000), nullable=False),
    sa.Column("placed_at", sa.String(40), nullable=False),
    sa.Column("released_at", sa.String(40), nullable=True),
)
"""Legal holds: an artifact stays held while any matter's hold on it is not released."""

floors = sa.Table(
    "retention_floors",
    metadata,
    sa.Column("artifact", sa.String(2000), primary_key=True),
    sa.Column("keep_until", sa.String(40), nullable=False),
    sa.Column("rule", sa.String(200), nullable=False),
    sa.Column("set_at", sa.String(40), nullable=False),
)
"""The latest keep-until date an artifact was ever given: a later, shorter rule never moves it
earlier (retention is never shortened automatically)."""
