"""Worker processes that die with their parent, and start without re-running ``__main__``.

Every process pool Dataward starts (``detect_batch``, the scan's analysis pool) comes from
:func:`worker_pool`:

- **Start method.** On Linux, when the calling process runs a single Python thread, workers
  are forked: they inherit the engine already built, and never import the caller's
  ``__main__`` module, so ``dw.detect_batch`` works in a script without an
  ``if __name__ == "__main__":`` guard and in a script piped on standard input. Forking
  while other threads run can deadlock the child (a lock held by another thread is copied
  held), so with other Python threads alive, and on other systems, workers are spawned
  (``spawn`` needs the main guard, as every spawned pool does).
- **Dying with the parent.** Each worker asks the Linux kernel for ``SIGKILL`` when the thread
  that started it ends (``prctl(PR_SET_PDEATHSIG)``, only when the pool was started from the
  main thread, whose end is the process's end), and runs a watchdog thread that exits the
  worker within :data:`WATCH_SECONDS` once its parent process is gone (any POSIX system).
  Workers ignore ``SIGINT``: Ctrl-C reaches the whole process group, and the parent alone
  decides to stop. A pool left by an exception (Ctrl-C, an error, an abandoned generator)
  cancels its queued work and kills its workers instead of waiting for them.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import signal
import sys
import threading
import time
import warnings
from collections.abc import Callable
from concurrent.futures import Future, ProcessPoolExecutor
from types import TracebackType
from typing import Any

WATCH_SECONDS = 0.25
"""How often a worker checks that its parent process is still alive."""

_PR_SET_PDEATHSIG = 1


def start_method() -> str:
    """``fork`` on Linux when only one Python thread runs, else ``spawn``."""
    if sys.platform.startswith("linux") and threading.active_count() == 1:
        return "fork"
    return "spawn"


class WorkerPool(ProcessPoolExecutor):
    """A :class:`ProcessPoolExecutor` whose ``with`` block, left by an exception, cancels
    queued work and kills the workers at once."""

    _quiet_fork = False

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future[Any]:
        if not self._quiet_fork:
            return super().submit(fn, *args, **kwargs)
        # The first submit forks every worker. Python 3.12+ warns about fork() in a process
        # with native threads (Arrow's pool); only Python threads hold locks a worker could
        # need, and this process has none (see start_method).
        self._quiet_fork = False
        with warnings.catch_warnings():
            warnings.filterwarnings(
                "ignore", message=r".*fork\(\) may lead to deadlocks", category=DeprecationWarning
            )
            return super().submit(fn, *args, **kwargs)

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> bool | None:
        if exc_type is None:
            return super().__exit__(exc_type, exc, tb)
        self.terminate()
        return None

    def terminate(self) -> None:
        """Cancel pending work and kill every worker; nothing is waited for."""
        processes = list((getattr(self, "_processes", None) or {}).values())
        self.shutdown(wait=False, cancel_futures=True)
        for process in processes:
            with contextlib.suppress(OSError, ValueError, AttributeError):
                process.kill()


def worker_pool(
    workers: int, initializer: Callable[..., None], initargs: tuple[Any, ...] = ()
) -> WorkerPool:
    """A pool of ``workers`` processes, each set up by ``initializer(*initargs)``."""
    method = start_method()
    pool = WorkerPool(
        workers,
        mp_context=multiprocessing.get_context(method),
        initializer=_start_worker,
        initargs=(
            os.getpid(),
            threading.current_thread() is threading.main_thread(),
            initializer,
            initargs,
        ),
    )
    pool._quiet_fork = method == "fork"
    return pool


def _start_worker(
    parent: int, on_main: bool, initializer: Callable[..., None], initargs: tuple[Any, ...]
) -> None:
    """Run first in every worker: tie its life to the parent, then the caller's set-up."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if on_main:
        _ask_kernel_for_death_signal()
    if os.getppid() != parent:  # the parent died before the death signal was asked for
        os._exit(1)
    threading.Thread(
        target=_watch, args=(parent,), name="dataward-parent-watch", daemon=True
    ).start()
    initializer(*initargs)


def _ask_kernel_for_death_signal() -> None:
    if not sys.platform.startswith("linux"):
        return
    import ctypes

    with contextlib.suppress(OSError, AttributeError):
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, int(signal.SIGKILL), 0, 0, 0)


def _watch(parent: int) -> None:
    while True:
        time.sleep(WATCH_SECONDS)
        if os.getppid() != parent:
            os._exit(1)
