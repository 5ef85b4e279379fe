"""Concurrent writers, threads and processes, never fork the log: indexes are unique and
gap-free, and the result verifies."""

from __future__ import annotations

import multiprocessing
import threading
from pathlib import Path

from dataward.audit import AuditEvent, AuditLog, Signer
from dataward.store import open_store


def _write(url: str, key_path: str, writer: int, rounds: int) -> list[int]:
    store = open_store(url)
    try:
        log = AuditLog(store, Signer.load_or_create(Path(key_path)), checkpoint_every=16)
        return _append(log, writer, rounds)
    finally:
        store.close()


def _append(log: AuditLog, writer: int, rounds: int) -> list[int]:
    indexes = []
    for i in range(rounds):
        if i % 3 == 0:
            batch = [AuditEvent("access", f"svc:w{writer}", {"i": i, "j": j}) for j in range(4)]
            indexes += [r.index for r in log.append_many(batch)]
        else:
            subject = f"s{i % 4}" if i % 5 == 0 else None
            indexes.append(
                log.append(AuditEvent("access", f"svc:w{writer}", {"i": i}, subject)).index
            )
    return indexes


def _check(url: str, key_path: Path, indexes: list[int], per_writer: int, writers: int) -> None:
    assert sorted(indexes) == list(range(len(indexes)))
    store = open_store(url)
    log = AuditLog(store, Signer.load_or_create(key_path))
    report = log.verify()
    assert report.events == len(indexes) == per_writer * writers
    assert report.checkpoints >= 1
    counts: dict[str, int] = {}
    for event in log.events():
        counts[event.actor] = counts.get(event.actor, 0) + 1
    assert counts == {f"svc:w{w}": per_writer for w in range(writers)}
    store.close()


ROUNDS = 24
PER_WRITER = sum(4 if i % 3 == 0 else 1 for i in range(ROUNDS))


def test_threads(store_url: str, tmp_path: Path) -> None:
    """Threads of one process share its store (its connection pool), each with its own log."""
    key = tmp_path / "k.pem"
    store = open_store(store_url)
    results: dict[int, list[int]] = {}
    errors: list[BaseException] = []

    def run(w: int) -> None:
        try:
            log = AuditLog(store, Signer.load_or_create(key), checkpoint_every=16)
            results[w] = _append(log, w, ROUNDS)
        except BaseException as exc:  # surfaced below
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(w,)) for w in range(4)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    store.close()
    assert not errors
    _check(store_url, key, [i for r in results.values() for i in r], PER_WRITER, 4)


def test_processes(store_url: str, tmp_path: Path) -> None:
    key = tmp_path / "k.pem"  # both processes race to create it: they must agree on one key
    open_store(store_url).close()
    ctx = multiprocessing.get_context("spawn")
    with ctx.Pool(2) as pool:
        parts = pool.starmap(_write, [(store_url, str(key), w, ROUNDS) for w in range(2)])
    _check(store_url, key, [i for p in parts for i in p], PER_WRITER, 2)


def test_sqlite_writer_waits_out_a_long_lock(tmp_path: Path) -> None:
    """Past SQLite's busy timeout the append retries instead of failing."""
    import sqlite3
    import time

    import sqlalchemy as sa

    url = f"sqlite:///{tmp_path / 'locked.db'}"
    store = open_store(url)

    @sa.event.listens_for(store.engine, "connect")
    def _short_timeout(dbapi_conn, _record):  # type: ignore[no-untyped-def]
        dbapi_conn.execute("PRAGMA busy_timeout=20")

    store.engine.dispose()
    log = AuditLog(store, Signer.generate())
    blocker = sqlite3.connect(tmp_path / "locked.db", isolation_level=None, check_same_thread=False)
    blocker.execute("BEGIN IMMEDIATE")
    release = threading.Timer(0.15, blocker.execute, args=("COMMIT",))
    release.start()
    started = time.perf_counter()
    assert log.append(AuditEvent("access", "svc", {})).index == 0
    assert time.perf_counter() - started >= 0.1
    release.join()
    blocker.close()
    store.close()
