"""One open :class:`~dataward.store.Store` per database URL in the runtime in use
(:mod:`dataward.scope`), shared by the subsystems that find the store from the settings
(decisions, the audit log, key-ring records, FPE versions). The runtime closes it; a forked
child drops its parent's connections unclosed and opens its own."""

from __future__ import annotations

from dataward import scope as scope_
from dataward.store.core import Store, database_url, open_store

_PREFIX = "store:"
_PINNED = "store-pinned"
"""Key of the store a runtime was built over (:func:`pin`): its one store, whatever the URL."""


def _forget(store: Store) -> None:
    store.engine.dispose(close=False)


def shared_store(url: str | None = None, *, scope: scope_.Scope | None = None) -> Store:
    """The store at ``url`` (default: the settings' database) of ``scope`` (default: the
    runtime in use), opened once."""
    scope = scope or scope_.current()
    if url is None:
        pinned = scope.peek(_PINNED)
        if pinned is not None:
            return pinned  # type: ignore[no-any-return]
        url = database_url(scope.settings)
    return scope.get(_PREFIX + url, lambda: open_store(url), close=Store.close, forget=_forget)


def close_shared(scope: scope_.Scope | None = None) -> None:
    """Close the shared stores of ``scope`` (default: the runtime in use); the next
    :func:`shared_store` opens them again."""
    (scope or scope_.current()).discard(_PREFIX)


def pin(store: Store, scope: scope_.Scope) -> None:
    """Make ``store`` the store of ``scope`` (a runtime built over a store its caller opened and
    closes): :func:`shared_store` without a URL returns it."""
    scope.put(_PINNED, store)
