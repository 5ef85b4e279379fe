"""Decisions queued for the background writers of the runtime in use: waiting for them to be
written, and stopping the writers.

A leaf: reading the decision log (:mod:`dataward.policy.records`) and changing the audit sink
(:mod:`dataward.policy.events`) flush first, and :mod:`dataward.policy.writer` imports both, so
they reach the writers here, through the runtime's :class:`~dataward.scope.Scope`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from dataward import scope

if TYPE_CHECKING:
    from dataward.store import Store

PREFIX = "policy.writer:"
"""Key prefix of the decision writers in the runtime's scope (one per store)."""


def flush(store: Store | None = None) -> None:
    """Wait until the decisions queued for ``store`` (default: every store) are written."""
    for _key, writer in scope.current().items(PREFIX):
        if store is None or writer.store is store:
            writer.flush()


def close_all() -> None:
    """Flush and stop every writer of the runtime in use (:func:`dataward.policy.reload`)."""
    scope.current().discard(PREFIX)
