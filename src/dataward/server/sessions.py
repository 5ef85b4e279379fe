"""Dashboard sessions and sign-in throttling, kept in the store.

Every worker process reads the same rows, so a session opened by one worker is valid in all,
and a session ends with its API key: the lookup joins ``api_keys`` and skips revoked keys. The
store holds only the SHA-256 digest of a session id (whoever reads the database cannot take a
session over) and the session's CSRF token, which forms post back.

Failed sign-ins are counted per client address and per key id over a sliding window; past the
limit a sign-in is refused (``429``) before the key is even looked up.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from dataclasses import dataclass

import sqlalchemy as sa

from dataward.server.apikeys import ApiKey, Role, api_keys, metadata, sessions
from dataward.store import Store

SESSION_SECONDS = 8 * 3600
FAILURE_WINDOW_SECONDS = 15 * 60
MAX_FAILURES_PER_CLIENT = 10
"""Failed sign-ins one client address may make within the window."""
MAX_FAILURES_PER_KEY = 5
"""Failed sign-ins naming one key id (``dw_<id>_…``) within the window, from anywhere."""

login_failures = sa.Table(
    "login_failures",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("scope", sa.String(100), nullable=False),
    sa.Column("at", sa.Float, nullable=False),
)


@dataclass(frozen=True, slots=True)
class Session:
    key: ApiKey
    csrf: str


def _digest(sid: str) -> str:
    return hashlib.sha256(sid.encode()).hexdigest()


def open_session(store: Store, key: ApiKey) -> str:
    """Open a session for ``key``; returns the session id for the cookie (stored as a digest)."""
    sid = secrets.token_urlsafe(32)
    now = time.time()
    with store.begin() as conn:
        conn.execute(sessions.delete().where(sessions.c.expires_at < now))
        conn.execute(
            sessions.insert().values(
                id_hash=_digest(sid),
                key_id=key.id,
                csrf=secrets.token_urlsafe(32),
                created_at=now,
                expires_at=now + SESSION_SECONDS,
            )
        )
    return sid


def get_session(store: Store, sid: str | None) -> Session | None:
    """The live session for ``sid``: unknown, expired or of a revoked key gives ``None``."""
    if not sid or len(sid) > 100:
        return None
    with store.begin() as conn:
        row = conn.execute(
            sa.select(sessions.c.csrf, api_keys.c.id, api_keys.c.name, api_keys.c.role)
            .join(api_keys, api_keys.c.id == sessions.c.key_id)
            .where(
                sessions.c.id_hash == _digest(sid),
                sessions.c.expires_at > time.time(),
                api_keys.c.revoked_at.is_(None),
            )
        ).first()
    if row is None:
        return None
    return Session(ApiKey(row.id, row.name, Role(row.role)), row.csrf)


def close_session(store: Store, sid: str | None) -> None:
    if sid:
        with store.begin() as conn:
            conn.execute(sessions.delete().where(sessions.c.id_hash == _digest(sid)))


def close_sessions_of(store: Store, key_id: str) -> int:
    """End every session of a key (when it is revoked); returns how many there were."""
    with store.begin() as conn:
        result = conn.execute(sessions.delete().where(sessions.c.key_id == key_id))
    return int(result.rowcount or 0)


def same_token(expected: str, presented: str) -> bool:
    return bool(presented) and hmac.compare_digest(expected.encode(), presented.encode())


def _scopes(client: str, key_id: str | None) -> list[tuple[str, int]]:
    scopes = [(f"client:{client}"[:100], MAX_FAILURES_PER_CLIENT)]
    if key_id:
        scopes.append((f"key:{key_id}"[:100], MAX_FAILURES_PER_KEY))
    return scopes


def throttled(store: Store, client: str, key_id: str | None) -> int | None:
    """Seconds to wait when ``client`` or ``key_id`` has too many recent failed sign-ins."""
    now = time.time()
    since = now - FAILURE_WINDOW_SECONDS
    wait: int | None = None
    with store.begin() as conn:
        for scope, limit in _scopes(client, key_id):
            stamps = (
                conn.execute(
                    sa.select(login_failures.c.at)
                    .where(login_failures.c.scope == scope, login_failures.c.at > since)
                    .order_by(login_failures.c.at.desc())
                    .limit(limit)
                )
                .scalars()
                .all()
            )
            if len(stamps) >= limit:
                # the oldest of the last `limit` failures leaves the window first
                seconds = max(1, int(stamps[-1] + FAILURE_WINDOW_SECONDS - now) + 1)
                wait = max(wait or 0, seconds)
    return wait


def note_failure(store: Store, client: str, key_id: str | None) -> None:
    now = time.time()
    with store.begin() as conn:
        conn.execute(
            login_failures.delete().where(login_failures.c.at < now - FAILURE_WINDOW_SECONDS)
        )
        conn.execute(
            login_failures.insert(),
            [{"scope": scope, "at": now} for scope, _ in _scopes(client, key_id)],
        )


def key_id_of(presented: str) -> str | None:
    """The id part of a presented ``dw_<id>_<secret>`` (for throttling), if it has that shape."""
    parts = presented.split("_", 2)
    if len(parts) == 3 and parts[0] == "dw" and 0 < len(parts[1]) <= 32 and parts[1].isalnum():
        return parts[1]
    return None
