"""Writing decisions off the request path: a background writer per store.

:func:`dataward.policy.decide` hands each decision to the store's writer and returns. The writer
thread takes what is queued (up to :data:`BATCH` decisions at a time) and inserts them into the
decision log with their ``decision`` events in one transaction (the events in the order
the decisions were made): a decision row is never committed without its audit event. The queue
is bounded (:data:`QUEUE_SIZE`): when it is full, a caller waits for room instead of dropping a
decision.

Nothing is lost: :func:`~dataward.policy.pending.flush` waits until everything queued is written;
reading the decision log through :mod:`dataward.policy.records`, changing the audit sink,
granting an approval, noting a policy revision, :func:`dataward.policy.reload`, closing the
runtime and interpreter exit all flush first. The writers belong to the runtime in use
(:mod:`dataward.scope`): the thread runs in
that runtime, so its events go where that runtime sends them. A batch that
fails to write is retried one decision at a time; a decision that still fails is logged with its
id (``logging``, ``dataward.policy.writer``) and counted in :attr:`DecisionWriter.failed`.
"""

from __future__ import annotations

import contextlib
import logging
import queue
import threading
from dataclasses import dataclass

from dataward import scope
from dataward.policy import records
from dataward.policy.decision import Decision
from dataward.policy.pending import PREFIX
from dataward.store import Store

BATCH = 256
"""Most decisions written in one transaction."""
QUEUE_SIZE = 10_000
"""Decisions that may wait to be written before callers wait for room."""

_log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class _Item:
    decision: Decision
    actor: str
    caller: str | None
    """The service caller (``audit.acting``) at submit time: the thread does not inherit it."""


class DecisionWriter:
    """A thread that writes one store's decisions (log rows and audit events) in batches."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.failed = 0
        """Decisions that could not be written (each is logged with its id)."""
        self._queue: queue.Queue[_Item | None] = queue.Queue(QUEUE_SIZE)
        self._scope = scope.current()
        self._thread = threading.Thread(
            target=self._run_in_scope, name="dataward-decision-writer", daemon=True
        )
        self._closed = False
        self._thread.start()

    def submit(self, decision: Decision, actor: str) -> None:
        """Queue ``decision`` (waits for room when the queue is full)."""
        if self._closed:
            raise RuntimeError("the decision writer is closed")
        from dataward.audit import acting_caller

        self._queue.put(_Item(decision, actor, acting_caller()))

    def flush(self) -> None:
        """Return once every decision submitted so far is in the log and the audit sink."""
        if threading.current_thread() is not self._thread:
            self._queue.join()

    def close(self) -> None:
        """Flush, then stop the thread."""
        if self._closed:
            return
        self._closed = True
        self._queue.put(None)
        self._thread.join()

    def _run_in_scope(self) -> None:
        """The thread starts with an empty context (no ``audit.acting`` caller): only the
        runtime of whoever started the writer is carried over."""
        with scope.using(self._scope):
            self._run()

    def _run(self) -> None:
        while True:
            first = self._queue.get()
            if first is None:
                self._queue.task_done()
                return
            batch = [first]
            stop = False
            while len(batch) < BATCH:
                try:
                    item = self._queue.get_nowait()
                except queue.Empty:
                    break
                if item is None:
                    stop = True
                    break
                batch.append(item)
            try:
                self._write(batch)
            finally:
                for _ in range(len(batch) + stop):
                    self._queue.task_done()
            if stop:
                return

    def _write(self, batch: list[_Item]) -> None:
        from dataward.audit import acting

        callers: dict[str | None, list[_Item]] = {}
        for item in batch:
            callers.setdefault(item.caller, []).append(item)
        for caller, items in callers.items():
            with acting(caller) if caller is not None else contextlib.nullcontext():
                self._write_items(items)

    def _write_items(self, batch: list[_Item]) -> None:
        try:
            records.log_decisions(
                self.store, [item.decision for item in batch], [item.actor for item in batch]
            )
        except Exception:
            _log.warning("writing %d decisions at once failed; retrying one by one", len(batch))
            for item in batch:
                try:
                    records.log_decision(self.store, item.decision, item.actor)
                except Exception:
                    self.failed += 1
                    _log.exception("decision %s was not logged", item.decision.decision_id)


def writer_for(store: Store) -> DecisionWriter:
    """The background writer of ``store`` in the runtime in use (started on first use)."""
    current = scope.current()
    key = f"{PREFIX}{id(store)}"
    writer: DecisionWriter = current.get(key, lambda: DecisionWriter(store), close=_close)
    if writer.store is not store or writer._closed:  # id() reused by another store
        current.discard(key)
        writer = current.get(key, lambda: DecisionWriter(store), close=_close)
    return writer


def _close(writer: DecisionWriter) -> None:
    writer.close()
