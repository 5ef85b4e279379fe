"""Helpers for tests that start a real ``dataward`` process, kill it, and look for orphans.

Linux only: children are found in ``/proc``. Waits are bounded polls, never timed assertions.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

needs_proc = pytest.mark.skipif(
    not Path("/proc/self/stat").exists(), reason="finds child processes in /proc (Linux)"
)


def _stat(pid: int) -> tuple[str, int] | None:
    """(state, parent pid) of a process, or None when it is gone."""
    fields = _fields(pid)
    return None if fields is None else (fields[0], int(fields[1]))


def _fields(pid: int) -> list[str] | None:
    """The fields of ``/proc/PID/stat`` after the command name (state is the first)."""
    try:
        raw = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return raw[raw.rindex(")") + 2 :].split()


def cpu_seconds(pid: int) -> float:
    """User and system CPU time a process has used so far (0 when it is gone)."""
    fields = _fields(pid)
    if fields is None:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def alive(pid: int) -> bool:
    """Whether ``pid`` runs (a zombie waiting to be reaped has ended)."""
    got = _stat(pid)
    return got is not None and got[0] not in ("Z", "X")


def children(pid: int) -> list[int]:
    out = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            got = _stat(int(entry.name))
            if got is not None and got[1] == pid and got[0] not in ("Z", "X"):
                out.append(int(entry.name))
    return out


def start(args: list[str], home: Path) -> subprocess.Popen[bytes]:
    """``python -m dataward.cli.main ARGS`` in its own session (a process group of its own)."""
    env = {**os.environ, "DATAWARD_HOME": str(home)}
    return subprocess.Popen(
        [sys.executable, "-m", "dataward.cli.main", *args],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env=env,
        start_new_session=True,
    )


def wait_for_workers(proc: subprocess.Popen[bytes], count: int, bound: float = 240.0) -> list[int]:
    """Poll until ``proc`` has ``count`` child processes (its pool) that have each done some
    work (a queue of work is then waiting for them); fails if the command ends first."""
    deadline = time.monotonic() + bound
    while time.monotonic() < deadline:
        busy = [k for k in children(proc.pid) if cpu_seconds(k) >= 1.0]
        if len(busy) >= count:  # (a spawned pool also has an idle resource tracker)
            return busy
        if proc.poll() is not None:
            pytest.fail(f"the command ended (exit {proc.returncode}) before its pool started")
        time.sleep(0.05)
    proc.kill()
    proc.wait()
    pytest.fail("no worker pool started")


def kill(proc: subprocess.Popen[bytes], how: str) -> None:
    """``SIGKILL``/``SIGTERM`` to the parent alone; ``SIGINT`` to the whole group (Ctrl-C)."""
    if how == "SIGINT":
        os.killpg(proc.pid, signal.SIGINT)
    else:
        os.kill(proc.pid, getattr(signal, how))
    proc.wait(timeout=120)


ORPHAN_BOUND = 2.0
"""The promise under test: no worker outlives its parent by more than 2 s."""


def survivors(pids: list[int], bound: float = ORPHAN_BOUND) -> list[int]:
    """The pids still running after polling for up to ``bound`` seconds (then killed)."""
    deadline = time.monotonic() + bound
    left = [p for p in pids if alive(p)]
    while left and time.monotonic() < deadline:
        time.sleep(0.05)
        left = [p for p in left if alive(p)]
    for pid in left:  # do not leave them behind for the rest of the run
        os.kill(pid, signal.SIGKILL)
    return left


def run_without_file_privileges(
    args: list[str], home: Path, timeout: float = 300.0
) -> subprocess.CompletedProcess[str]:
    """``python -m dataward.cli.main ARGS`` that obeys file modes: as root, through ``setpriv``
    without the capabilities that override them (root reads any file otherwise)."""
    prefix: list[str] = []
    if os.geteuid() == 0:
        setpriv = shutil.which("setpriv")
        if setpriv is None:
            pytest.skip("running as root without setpriv: file modes cannot be tested")
        caps = "-dac_override,-dac_read_search"
        prefix = [setpriv, f"--inh-caps={caps}", f"--bounding-set={caps}"]
    env = {**os.environ, "DATAWARD_HOME": str(home)}
    return subprocess.run(
        [*prefix, sys.executable, "-m", "dataward.cli.main", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=timeout,
        check=False,
    )
