"""The audit log's tables (SQLAlchemy Core); created by the ``audit`` migration branch.

* ``audit_state``: one row: the log's origin, its size and the right edge of its Merkle tree.
  Every append updates it first, which serializes writers.
* ``audit_events``: one row per leaf: the canonical event bytes and their leaf hash.
* ``audit_nodes``: hashes of complete subtrees (level >= 1), a cache for heads and proofs.
* ``audit_checkpoints``: signed tree heads (C2SP signed notes).
* ``audit_subject_keys``: per-subject AES keys, wrapped; erasure deletes the key.
* ``audit_witness``: used when this store is another deployment's external witness: the latest
  checkpoint it was given, per log origin.

``audit_state.public_key`` is the deployment's signing key, registered on the first write: a
host holding another key refuses to append.
"""

from __future__ import annotations

import sqlalchemy as sa

metadata = sa.MetaData()

state = sa.Table(
    "audit_state",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("origin", sa.String(200), nullable=False),
    sa.Column("size", sa.BigInteger, nullable=False),
    sa.Column("frontier", sa.LargeBinary, nullable=False),
    sa.Column("public_key", sa.LargeBinary(32), nullable=True),
)

events = sa.Table(
    "audit_events",
    metadata,
    sa.Column("idx", sa.BigInteger, primary_key=True, autoincrement=False),
    sa.Column("kind", sa.String(64), nullable=False),
    sa.Column("actor", sa.String(256), nullable=False),
    sa.Column("time", sa.String(32), nullable=False),
    sa.Column("subject_ref", sa.String(32), nullable=True, index=True),
    sa.Column("canonical", sa.LargeBinary, nullable=False),
    sa.Column("leaf_hash", sa.LargeBinary(32), nullable=False),
)

nodes = sa.Table(
    "audit_nodes",
    metadata,
    sa.Column("level", sa.SmallInteger, primary_key=True, autoincrement=False),
    sa.Column("idx", sa.BigInteger, primary_key=True, autoincrement=False),
    sa.Column("hash", sa.LargeBinary(32), nullable=False),
)

checkpoints = sa.Table(
    "audit_checkpoints",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("tree_size", sa.BigInteger, nullable=False, index=True),
    sa.Column("root_hash", sa.LargeBinary(32), nullable=False),
    sa.Column("note", sa.Text, nullable=False),
    sa.Column("created_at", sa.String(32), nullable=False),
)

subject_keys = sa.Table(
    "audit_subject_keys",
    metadata,
    sa.Column("ref", sa.String(32), primary_key=True),
    sa.Column("lookup", sa.LargeBinary(32), nullable=True, unique=True),
    sa.Column("wrapped_key", sa.LargeBinary, nullable=True),
    sa.Column("created_at", sa.String(32), nullable=False),
    sa.Column("erased_at", sa.String(32), nullable=True),
)

witness = sa.Table(
    "audit_witness",
    metadata,
    sa.Column("origin", sa.String(200), primary_key=True),
    sa.Column("tree_size", sa.BigInteger, nullable=False),
    sa.Column("note", sa.Text, nullable=False),
    sa.Column("updated_at", sa.String(32), nullable=False),
)
