"""Which key version made each FPE value, so a reveal with the wrong version is refused.

FF3-1 output has the input's exact format, so it has no room for a key version or an integrity
check: decrypting with another version's key gives a wrong value of the same shape (a valid-
looking card). Dataward therefore keeps the version outside the value. Each FPE output made
with the deployment's key ring (a ring loaded from its key file) is recorded in the store as
``HMAC-SHA256(k, output)`` (truncated to 128 bits) beside its key version, where ``k`` is a
sub-key of the ring's first version for this operator's context and alphabet: the store never
holds a value, and without the key ring the digests say nothing. A reveal looks the digest up:
an unknown value (wrong context, wrong alphabet, or never made by this ring) or a version other
than the recorded one is an error, and when no version is given the recorded one is used.

Outputs are written in batches (:data:`BATCH`), before any lookup in the same runtime, and when
the runtime closes (or at exit); :func:`flush` writes what is pending now (a long-running service
calls it after each request). Rings built in memory (``KeyRing.from_secret``) are not recorded.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import threading
from collections.abc import Iterable
from typing import TYPE_CHECKING

import sqlalchemy as sa

from dataward import scope
from dataward.keys.ring import KeyRing

if TYPE_CHECKING:
    from dataward.store import Store

BATCH = 4096
"""Pending digests that trigger a write."""
_CHUNK = 500
"""Digests looked up in one query."""

_meta = sa.MetaData()
fpe_values = sa.Table(
    "protect_fpe_values",
    _meta,
    sa.Column("digest", sa.String(32), primary_key=True),
    sa.Column("key_version", sa.Integer, primary_key=True),
)

_log = logging.getLogger(__name__)
_lock = threading.Lock()
_PENDING = "protect.fpe-pending"
"""Key of the runtime's pending digests (see :mod:`dataward.scope`)."""


class _Pending:
    """The digests waiting to be written to one runtime's store; written when it closes."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.rows: set[tuple[str, int]] = set()

    def flush(self) -> None:
        with _lock:
            pending = list(self.rows)
            self.rows.clear()
        rows = [{"digest": d, "key_version": v} for d, v in pending]
        if not rows:
            return
        from dataward.store import insert_ignore_many

        try:
            with self.store.begin() as conn:
                insert_ignore_many(conn, fpe_values, rows)
        except Exception:
            with _lock:  # kept for the next try
                self.rows.update(pending)
            raise

    def close(self) -> None:
        try:
            self.flush()
        except Exception:  # the values stay unrevealable without verify_version=false: say so
            _log.exception(
                "the key versions of %d FPE values could not be recorded; revealing them needs "
                "key_version=N and verify_version=false",
                len(self.rows),
            )


def _pending() -> _Pending:
    """The pending digests of the runtime in use (its store opens first, so it closes after
    they are written)."""
    from dataward.store import shared_store

    store = shared_store()
    return scope.current().get(
        f"{_PENDING}:{id(store)}", lambda: _Pending(store), close=_Pending.close
    )


class FpeVersions:
    """The digest key of one FPE domain (ring, context, alphabet) and its lookups."""

    __slots__ = ("_key", "_known")

    def __init__(self, ring: KeyRing, context: str, alphabet: str) -> None:
        self._key = ring.subkey(
            "fpe-versions", version=min(ring.versions), context=f"{context}\x00{alphabet}"
        )
        self._known: dict[str, list[int]] = {}

    def digest(self, value: str) -> str:
        return hmac.new(self._key, value.encode("utf-8"), hashlib.sha256).hexdigest()[:32]

    def note(self, values: Iterable[str | None], version: int) -> None:
        """Remember that ``values`` were made with ``version`` (written in batches)."""
        digest = self.digest
        rows = {(digest(v), version) for v in values if v}
        pending = _pending()
        with _lock:
            pending.rows.update(rows)
            full = len(pending.rows) >= BATCH
        if full:
            pending.flush()

    def versions(self, value: str) -> list[int]:
        """The key versions recorded for ``value`` (empty when it is unknown)."""
        digest = self.digest(value)
        known = self._known.pop(digest, None)
        if known is not None:
            return known
        self._lookup([digest])
        return self._known.pop(digest)

    def prefetch(self, values: Iterable[str | None]) -> None:
        """Look the versions of ``values`` up in a few queries (a file reveal, batch by batch);
        :meth:`versions` then answers from memory."""
        self._known.clear()
        digests = sorted({self.digest(v) for v in values if v})
        for i in range(0, len(digests), _CHUNK):
            self._lookup(digests[i : i + _CHUNK])

    def _lookup(self, digests: list[str]) -> None:
        flush()
        from dataward.store import shared_store

        found: dict[str, list[int]] = {d: [] for d in digests}
        query = sa.select(fpe_values.c.digest, fpe_values.c.key_version).where(
            fpe_values.c.digest.in_(digests)
        )
        with shared_store().begin() as conn:
            for digest, version in conn.execute(query):
                found[digest].append(int(version))
        for digest, versions in found.items():
            self._known[digest] = sorted(versions)


def flush() -> None:
    """Write every pending digest of the runtime in use to its store."""
    _pending().flush()
