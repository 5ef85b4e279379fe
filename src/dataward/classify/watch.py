"""Watching a folder: scan files as they land, record them, notify webhooks."""

from __future__ import annotations

import logging
import stat
import threading
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from dataward.classify.notify import Webhook, scan_event

log = logging.getLogger(__name__)


class Watcher:
    """Scans each new or modified file under ``folder`` once its size stops changing."""

    def __init__(
        self,
        folder: str | Path,
        webhooks: Sequence[Webhook] = (),
        *,
        sample: int = 10_000,
        full: bool = False,
        include: Sequence[str] = (),
        exclude: Sequence[str] = (),
        settle: float = 0.5,
        on_result: Callable[[str], None] | None = None,
        catalog: Any | None = None,
    ) -> None:
        self.folder = Path(folder)
        self.webhooks = list(webhooks)
        self.sample = sample
        self.full = full
        self.include = tuple(include)
        self.exclude = tuple(exclude)
        self.settle = settle
        self.on_result = on_result
        self.catalog = catalog
        self._pending: dict[str, tuple[float, int]] = {}
        self._lock = threading.Lock()
        self.stopped = threading.Event()
        self.scans = 0

    def _seen(self, path: str) -> None:
        with self._lock:
            self._pending[path] = (time.monotonic(), -1)

    def _ready(self) -> list[str]:
        now = time.monotonic()
        out = []
        with self._lock:
            for path, (when, size) in list(self._pending.items()):
                try:
                    st = Path(path).stat()
                except OSError:  # gone again, or a link that leads nowhere: the scan says so
                    st = None
                if st is None or not stat.S_ISREG(st.st_mode):
                    del self._pending[path]
                    if st is None and Path(path).is_symlink():
                        out.append(path)
                    continue
                current = st.st_size
                if current != size:
                    self._pending[path] = (now, current)
                elif now - when >= self.settle:
                    out.append(path)
                    del self._pending[path]
        return out

    def scan_files(self, paths: list[str]) -> None:
        from dataward.catalog import Catalog
        from dataward.classify.scan import scan

        if self.catalog is None:
            self.catalog = Catalog.open()
        result = scan(
            paths,
            sample=self.sample,
            full=self.full,
            include=self.include,
            exclude=self.exclude,
            catalog=self.catalog,
        )
        self.scans += 1
        if not result.datasets and not result.errors:
            return
        event = scan_event(result)
        for hook in self.webhooks:
            if not hook.send(event):
                log.warning("webhook delivery failed after %d tries", hook.tries)
        if self.on_result is not None:
            for line in result.summary().splitlines():
                self.on_result(line)
            for err in result.errors:  # one line each, naming the file, never its content
                self.on_result(f"error: {err}")

    def run(self, stop: threading.Event | None = None, poll: float = 0.2) -> None:
        """Watch until ``stop`` is set (or :meth:`stop` is called)."""
        from watchdog.events import FileSystemEvent, FileSystemEventHandler
        from watchdog.observers import Observer

        stop = stop or self.stopped
        watcher = self

        class Handler(FileSystemEventHandler):
            def on_created(self, event: FileSystemEvent) -> None:
                if not event.is_directory:
                    watcher._seen(str(event.src_path))

            def on_modified(self, event: FileSystemEvent) -> None:
                self.on_created(event)

            def on_moved(self, event: FileSystemEvent) -> None:
                if not event.is_directory:
                    watcher._seen(str(event.dest_path))

        observer = Observer()
        observer.schedule(Handler(), str(self.folder), recursive=True)
        observer.start()
        try:
            while not stop.is_set():
                ready = self._ready()
                if ready:
                    self.scan_files(ready)
                stop.wait(poll)
        finally:
            observer.stop()
            observer.join(timeout=5)

    def stop(self) -> None:
        self.stopped.set()

    def run_forever(self) -> None:
        try:
            self.run()
        except KeyboardInterrupt:
            self.stop()
