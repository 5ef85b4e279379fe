"""API keys: random, shown once, stored as SHA-256 digests with a role.

A key looks like ``dw_<id>_<secret>``; the id finds the row, the digest of the whole key checks
it in constant time. Keys are high-entropy, so a plain digest is enough (no password hashing).
"""

from __future__ import annotations

import enum
import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime

import sqlalchemy as sa

from dataward.errors import ConfigError
from dataward.store import Store

metadata = sa.MetaData()
api_keys = sa.Table(
    "api_keys",
    metadata,
    sa.Column("id", sa.String(32), primary_key=True),
    sa.Column("name", sa.String(200), nullable=False),
    sa.Column("role", sa.String(32), nullable=False),
    sa.Column("key_hash", sa.String(64), nullable=False, unique=True),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
)
sessions = sa.Table(  # here, not in .sessions: revoking a key ends its sessions
    "dashboard_sessions",
    metadata,
    sa.Column("id_hash", sa.String(64), primary_key=True),
    sa.Column("key_id", sa.String(32), sa.ForeignKey("api_keys.id"), nullable=False),
    sa.Column("csrf", sa.String(64), nullable=False),
    sa.Column("created_at", sa.Float, nullable=False),
    sa.Column("expires_at", sa.Float, nullable=False),
)


class Role(enum.StrEnum):
    """What a key may do. ``admin`` may do everything."""

    ADMIN = "admin"
    """Manage keys and policies; everything else."""
    STEWARD = "steward"
    """Scan, protect, approve, read the catalog and decisions."""
    PIPELINE = "pipeline"
    """Detect, scan, protect, decide, verify tokens: what jobs call."""
    AUDITOR = "auditor"
    """Read the catalog, decisions and the audit log; verify it."""


@dataclass(frozen=True, slots=True)
class ApiKey:
    id: str
    name: str
    role: Role

    @property
    def actor(self) -> str:
        """How the audit log names this caller: ``apikey:<id>``, or ``oidc:<digest>`` for an
        OIDC token (a digest of issuer and subject, never the subject itself)."""
        if self.name == "oidc" and self.id.startswith("oidc_"):
            return f"oidc:{self.id.removeprefix('oidc_')}"
        return f"apikey:{self.id}"


def _digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def create_key(store: Store, name: str, role: str) -> tuple[ApiKey, str]:
    """Create a key; returns its record and the secret, which is never stored or shown again."""
    try:
        parsed = Role(role)
    except ValueError:
        raise ConfigError(
            f"unknown role {role!r}; use one of {', '.join(r.value for r in Role)}", role=role
        ) from None
    key_id = secrets.token_hex(6)
    secret = f"dw_{key_id}_{secrets.token_urlsafe(32)}"
    with store.begin() as conn:
        conn.execute(
            api_keys.insert().values(
                id=key_id,
                name=name,
                role=parsed.value,
                key_hash=_digest(secret),
                created_at=datetime.now(UTC),
            )
        )
    return ApiKey(key_id, name, parsed), secret


def authenticate(store: Store, presented: str) -> ApiKey | None:
    """The key record for a presented secret, or ``None`` if unknown, malformed or revoked."""
    parts = presented.split("_", 2)
    if len(parts) != 3 or parts[0] != "dw":
        return None
    with store.begin() as conn:
        row = conn.execute(
            sa.select(api_keys).where(api_keys.c.id == parts[1], api_keys.c.revoked_at.is_(None))
        ).first()
    if row is None or not hmac.compare_digest(row.key_hash, _digest(presented)):
        return None
    return ApiKey(row.id, row.name, Role(row.role))


def revoke(store: Store, key_id: str) -> bool:
    """Revoke a key; its dashboard sessions end with it (in the same transaction)."""
    with store.begin() as conn:
        result = conn.execute(
            api_keys.update()
            .where(api_keys.c.id == key_id, api_keys.c.revoked_at.is_(None))
            .values(revoked_at=datetime.now(UTC))
        )
        conn.execute(sessions.delete().where(sessions.c.key_id == key_id))
    return bool(result.rowcount)


def list_keys(store: Store) -> list[dict[str, object]]:
    with store.begin() as conn:
        rows = conn.execute(sa.select(api_keys).order_by(api_keys.c.created_at)).all()
    return [
        {"id": r.id, "name": r.name, "role": r.role, "revoked": r.revoked_at is not None}
        for r in rows
    ]
