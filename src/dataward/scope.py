"""The state of the runtime in use, as the lower layers reach it.

A :class:`dataward.runtime.Runtime` owns everything a process would otherwise keep in module
globals: its settings, its open stores, its audit logs, its cached engines and decision writers.
They live in the runtime's :class:`Scope`. The lower layers (settings, store, audit, detect,
policy, protect, keys) may not import :mod:`dataward.runtime` (it sits above them), so they
reach the scope of the runtime in use through :func:`current`, which this module keeps in a
:class:`~contextvars.ContextVar`: :func:`dataward.runtime.use` swaps it for a block (a test, a
server), and outside any block it is the process's default scope, made on first use.

A scope closes what it opened (:meth:`Scope.close`, in the reverse order of opening, so a
decision writer flushes before its store closes). A forked child does not reuse its parent's
resources: the first use of a scope in the child drops them without closing them (their pooled
connections and threads belong to the parent); only immutable ones (compiled engines, models)
are kept.

This module imports nothing from Dataward, so every layer may import it.
"""

from __future__ import annotations

import contextlib
import contextvars
import os
import threading
import weakref
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, TypeVar, cast

T = TypeVar("T")

__all__ = ["Scope", "current", "default", "using"]


SHARED = "immutable:"
"""Key prefix of resources that never change once built, which :attr:`Scope.share` may lend."""


@dataclass(slots=True)
class _Entry:
    value: Any
    close: Callable[[Any], object] | None
    forget: Callable[[Any], object] | None


def _close_entries(entries: dict[str, _Entry]) -> None:
    """Close ``entries`` newest first; every closer runs even when one fails."""
    failures: list[BaseException] = []
    for entry in reversed(list(entries.values())):
        if entry.close is not None:
            try:
                entry.close(entry.value)
            except Exception as exc:  # the next resources must still close
                failures.append(exc)
    entries.clear()
    if failures:
        raise failures[0]


class Scope:
    """What one runtime holds: its settings (``None``: read from ``DATAWARD_*`` and
    ``dataward.yaml`` on each use, as the process default does) and the resources made for it,
    each once, under a key (:meth:`get`)."""

    def __init__(self, settings: Any = None, *, share: Scope | None = None) -> None:
        self.settings = settings
        """The fixed :class:`dataward.settings.Settings` of this scope, or ``None`` (live)."""
        self.share = share
        """A scope whose immutable resources (keys under :data:`SHARED`: compiled detection
        engines, keyed by everything they are built from) this one uses instead of building its
        own: many short runtimes (one per test) then compile them once."""
        self.owner: Any = None
        """The :class:`dataward.runtime.Runtime` this scope is the state of (set by it)."""
        self._entries: dict[str, _Entry] = {}
        self._lock = threading.RLock()
        self._pid = os.getpid()
        self.closed = False
        # Interpreter exit (or the scope being dropped) closes what is still open: queued
        # decisions are written. The finalizer holds the entries, not the scope.
        self._finalizer = weakref.finalize(self, _close_entries, self._entries)

    def get(
        self,
        key: str,
        make: Callable[[], T],
        *,
        close: Callable[[T], object] | None = None,
        forget: Callable[[T], object] | None = None,
    ) -> T:
        """The resource under ``key``, made by ``make()`` on first use. :meth:`close` calls
        ``close(resource)``; a forked child calls ``forget(resource)`` instead (release what the
        parent owns without closing it)."""
        if self.share is not None and key.startswith(SHARED):
            return self.share.get(key, make, close=close, forget=forget)
        self._check_fork()
        entry = self._entries.get(key)
        if entry is not None:
            return cast(T, entry.value)
        with self._lock:
            entry = self._entries.get(key)
            if entry is None:
                if self.closed:
                    raise RuntimeError("this Dataward runtime is closed")
                entry = _Entry(make(), close, forget)
                self._entries[key] = entry
            return cast(T, entry.value)

    def peek(self, key: str) -> Any:
        """The resource under ``key`` if it was made, else ``None`` (nothing is made)."""
        self._check_fork()
        entry = self._entries.get(key)
        return None if entry is None else entry.value

    def put(self, key: str, value: Any) -> None:
        """Set a plain value (no closer) under ``key``; ``None`` removes it."""
        self._check_fork()
        with self._lock:
            if value is None:
                self._entries.pop(key, None)
            else:
                self._entries[key] = _Entry(value, None, None)

    def items(self, prefix: str) -> list[tuple[str, Any]]:
        """The resources whose key starts with ``prefix``, oldest first."""
        self._check_fork()
        with self._lock:
            return [(k, e.value) for k, e in self._entries.items() if k.startswith(prefix)]

    def discard(self, prefix: str) -> None:
        """Close and remove the resources whose key starts with ``prefix``."""
        self._check_fork()
        with self._lock:
            gone = {k: e for k, e in self._entries.items() if k.startswith(prefix)}
            for k in gone:
                del self._entries[k]
        _close_entries(gone)

    def close(self) -> None:
        """Close every resource, newest first. Closing twice does nothing."""
        with self._lock:
            if self._pid != os.getpid():
                self._forget()
            self.closed = True
            _close_entries(self._entries)

    def _check_fork(self) -> None:
        if self._pid != os.getpid():
            with self._lock:
                if self._pid != os.getpid():
                    self._forget()

    def _forget(self) -> None:
        """In a forked child: drop the parent's resources unclosed (keeping only the immutable
        ones under :data:`SHARED`, which hold no connection or thread)."""
        for key, entry in list(self._entries.items()):
            if key.startswith(SHARED):
                continue
            if entry.forget is not None:
                with contextlib.suppress(Exception):  # the parent's resource: nothing to do
                    entry.forget(entry.value)
            del self._entries[key]
        self._lock = threading.RLock()
        self._pid = os.getpid()


_active: contextvars.ContextVar[Scope | None] = contextvars.ContextVar(
    "dataward_scope", default=None
)
_process: list[Scope] = []
_process_lock = threading.Lock()


def default() -> Scope:
    """The process's default scope (live settings), made on first use."""
    if not _process:
        with _process_lock:
            if not _process:
                _process.append(Scope())
    return _process[0]


def current() -> Scope:
    """The scope of the runtime in use: the one :func:`using` set, else :func:`default`."""
    return _active.get() or default()


@contextmanager
def using(scope: Scope) -> Iterator[Scope]:
    """Within this block (this thread or task and what it starts with a copied context),
    :func:`current` is ``scope``."""
    token = _active.set(scope)
    try:
        yield scope
    finally:
        _active.reset(token)
