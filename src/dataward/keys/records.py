"""The store remembers which key ring protected its data, so a lost key file is an error.

When Dataward creates or first loads a key file it records the ring's fingerprint (a one-way
HKDF value of its first master key, unchanged by rotation; never key material) against the key
file's location in the store (``protect_keyrings``). From then on:

- a key file missing where a ring was recorded is an error naming the fix (restore the file),
  never a silent new ring whose tokens would not match the old ones;
- a key file at that location holding another ring is refused the same way.

Giving up a ring on purpose (its tokens, ciphertexts and FPE values can then never be revealed)
is :func:`retire_keyring`, which is audited.
"""

from __future__ import annotations

import threading
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import sqlalchemy as sa

from dataward import scope
from dataward.errors import KeyringError

if TYPE_CHECKING:
    from dataward.store import Store

_meta = sa.MetaData()
keyrings = sa.Table(
    "protect_keyrings",
    _meta,
    sa.Column("location", sa.String(1000), primary_key=True),
    sa.Column("fingerprint", sa.String(64), nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
)

_lock = threading.Lock()
_CHECKED = "keys.checked"
"""The runtime's set of (store URL, location, fingerprint) already checked (see
:mod:`dataward.scope`)."""


def _checked() -> set[tuple[str, str, str]]:
    checked: set[tuple[str, str, str]] = scope.current().get(_CHECKED, set)
    return checked


def _store() -> Store:
    from dataward.store import shared_store

    return shared_store()


def _location(path: Path) -> str:
    return str(path.resolve())


def _recorded(store: Store, location: str) -> tuple[str, datetime] | None:
    with store.begin() as conn:
        row = conn.execute(
            sa.select(keyrings.c.fingerprint, keyrings.c.created_at).where(
                keyrings.c.location == location
            )
        ).first()
    return None if row is None else (str(row[0]), row[1])


def check_missing(path: Path) -> None:
    """Raise when the store recorded a ring at ``path``, which no longer exists."""
    location = _location(path)
    found = _recorded(_store(), location)
    if found is None:
        return
    fingerprint, created = found
    raise KeyringError(
        f"the key ring is missing: {path} does not exist, but data in this store was protected "
        f"with the key ring {fingerprint} kept there (created {created:%Y-%m-%d}). Restore "
        f"{path.name} from your backup (or set DATAWARD_HOME to the folder that holds it); a "
        "new ring could not reveal anything protected before. To give the old ring up for good, "
        f"call dataward.keys.retire_keyring({fingerprint!r}) first.",
        path=str(path),
        fingerprint=fingerprint,
    )


def register(fingerprint: str, path: Path) -> None:
    """Record the ring ``fingerprint`` as the one kept at ``path``; raise if another ring was
    recorded there."""
    store = _store()
    location = _location(path)
    key = (str(store.engine.url), location, fingerprint)
    if key in _checked():
        return
    from dataward.store import insert_ignore

    with store.begin() as conn:
        insert_ignore(
            conn,
            keyrings,
            {"location": location, "fingerprint": fingerprint, "created_at": datetime.now(UTC)},
        )
    found = _recorded(store, location)
    if found is not None and found[0] != fingerprint:
        raise KeyringError(
            f"{path} holds the key ring {fingerprint}, but data in this store was protected with "
            f"the key ring {found[0]} kept there: the file was replaced. Restore the original "
            f"{path.name} from your backup; to give the old ring up for good, call "
            f"dataward.keys.retire_keyring({found[0]!r}) first.",
            path=str(path),
            fingerprint=fingerprint,
        )
    with _lock:
        _checked().add(key)


def retire_keyring(fingerprint: str, *, actor: str = "dataward") -> int:
    """Forget the ring ``fingerprint`` (every location): a new ring may then be created where it
    was. What it protected can never be revealed again. Audited; returns the rows removed."""
    store = _store()
    with store.begin() as conn:
        removed = conn.execute(
            keyrings.delete().where(keyrings.c.fingerprint == fingerprint)
        ).rowcount
    with _lock:
        checked = _checked()
        checked.difference_update({k for k in checked if k[2] == fingerprint})
    if removed:
        from dataward.audit import record
        from dataward.audit.events import KeyringRetireEvent

        record(KeyringRetireEvent(fingerprint=fingerprint, locations=int(removed)), actor=actor)
    return int(removed)


def close() -> None:
    """Close the shared stores and forget which rings were checked, in the runtime in use."""
    from dataward.store import close_shared

    close_shared()
    with _lock:
        _checked().clear()
