"""One open :class:`~dataward.store.Store` per database URL for the whole process, shared by the
subsystems that find the store from the settings (decisions, key-ring records, FPE versions)."""

from __future__ import annotations

import os
import threading

from dataward.store.core import Store, database_url, open_store

_lock = threading.Lock()
_stores: dict[str, Store] = {}


def shared_store(url: str | None = None) -> Store:
    """The store at ``url`` (default: the settings' database), opened once per process."""
    url = url or database_url()
    with _lock:
        store = _stores.get(url)
        if store is None:
            store = _stores[url] = open_store(url)
        return store


def close_shared() -> None:
    """Close every shared store; the next :func:`shared_store` opens it again."""
    with _lock:
        for store in _stores.values():
            store.close()
        _stores.clear()


def _forget_after_fork() -> None:
    """A forked child must not share its parent's pooled connections: drop them unclosed."""
    for store in _stores.values():
        store.engine.dispose(close=False)
    _stores.clear()


os.register_at_fork(after_in_child=_forget_after_fork)
