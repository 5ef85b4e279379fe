"""The subject index's tables (SQLAlchemy Core); the ``subjects`` Alembic branch creates them.

Nothing here holds an identifier: postings are the first 8 bytes of a keyed hash (HMAC-SHA256
under the key ring's ``subjects`` sub-key), certificates name the full keyed hash.
"""

from __future__ import annotations

import sqlalchemy as sa

metadata = sa.MetaData()

versions = sa.Table(
    "subject_versions",
    metadata,
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
"""One row per indexed dataset version (the version is the file's fingerprint)."""

postings = sa.Table(
    "subject_postings",
    metadata,
    sa.Column(
        "version_id",
        sa.Integer,
        sa.ForeignKey("subject_versions.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    sa.Column("prefix", sa.BigInteger, primary_key=True),
    sa.Column("rows", sa.Integer, nullable=False),
)
"""Which dataset versions hold a subject: an 8-byte hash prefix and how many rows hold it."""

marks = sa.Table(
    "subject_marks",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("artifact", sa.String(2000), nullable=False),
    sa.Column("kind", sa.String(16), nullable=False),
    sa.Column("subject_hash", sa.String(64), nullable=False),
    sa.Column("action", sa.String(32), nullable=False),
    sa.Column("marked_at", sa.String(40), nullable=False),
)
"""Models to retrain and feature tables to recompute because a subject was erased."""

consent = sa.Table(
    "subject_consent",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("subject_hash", sa.String(64), nullable=True),
    sa.Column("purpose", sa.String(200), nullable=True),
    sa.Column("withdrawn_at", sa.String(40), nullable=False),
    sa.Column("given_at", sa.String(40), nullable=True),
)
"""Consent withdrawals, by subject (keyed hash) or purpose; ``given_at`` set when restored."""

certificates = sa.Table(
    "subject_certificates",
    metadata,
    sa.Column("sha256", sa.String(64), primary_key=True),
    sa.Column("subject_hash", sa.String(64), nullable=False),
    sa.Column("document", sa.Text, nullable=False),
    sa.Column("signature", sa.String(200), nullable=False),
    sa.Column("created_at", sa.String(40), nullable=False),
)
"""Signed deletion certificates (canonical JSON and its Ed25519 signature, base64)."""
