"""The gateway's audit events, written in groups: one transaction for every event that
arrived while the previous one was committing.

Each request waits for its own event to be committed before it goes on (no audit, no
forward), as with :meth:`dataward.Runtime.emit`; but under load one commit carries many
events, so the log's per-transaction cost (a Merkle append, SQLite's commit) is paid once per
group instead of once per event. A failed write fails every request of its group.
"""

from __future__ import annotations

import asyncio
import queue
import threading
from concurrent.futures import Future
from typing import TYPE_CHECKING

from dataward.audit.events import Event, envelope

if TYPE_CHECKING:
    from dataward.runtime import Runtime

MAX_GROUP = 256
"""The most events one transaction takes."""


class Journal:
    """A writer thread over ``runtime``'s audit log (see the module docstring)."""

    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime
        self._queue: queue.SimpleQueue[tuple[Event, str, Future[None]] | None] = queue.SimpleQueue()
        self._thread = threading.Thread(
            target=self._run, name="dataward-gateway-audit", daemon=True
        )
        self._thread.start()

    def _run(self) -> None:
        with self.runtime.active():
            while True:
                first = self._queue.get()
                if first is None:
                    return
                group = [first]
                stop = False
                while len(group) < MAX_GROUP:
                    try:
                        item = self._queue.get_nowait()
                    except queue.Empty:
                        break
                    if item is None:
                        stop = True
                        break
                    group.append(item)
                try:
                    self.runtime.audit_log.append_many(
                        [envelope(event, actor=actor) for event, actor, _ in group]
                    )
                except Exception as exc:
                    for _, _, done in group:
                        done.set_exception(exc)
                else:
                    for _, _, done in group:
                        done.set_result(None)
                if stop:
                    return

    def submit(self, event: Event, actor: str) -> Future[None]:
        done: Future[None] = Future()
        if not self._thread.is_alive():
            done.set_exception(RuntimeError("the gateway's audit writer has stopped"))
            return done
        self._queue.put((event, actor, done))
        return done

    async def write(self, event: Event, actor: str) -> None:
        """Append ``event`` and return once it is committed."""
        await asyncio.wrap_future(self.submit(event, actor))

    def close(self) -> None:
        """Write what is queued, then stop the thread."""
        self._queue.put(None)
        self._thread.join(30)
