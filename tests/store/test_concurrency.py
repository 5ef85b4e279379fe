"""Many processes on one store: migrations, upserts, and rows committed with their audit events.

Each test starts real processes (``subprocess``) that import Dataward, say they are ready, and
wait for one "go" file, so their first statements reach the database at the same moment.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from dataward.store import open_store

N = 4
REQUEST = (
    '{"principal": {"type": "User", "id": "ann", "groups": ["ml"]}, "action": "train",'
    ' "resource": {"type": "Dataset", "id": "patients", "tags": ["PHI"], "version": "v3"},'
    ' "context": {"purpose": "marketing"}}'
)
_PRELUDE = """
import json, sys, time
from pathlib import Path
import dataward.audit, dataward.policy
from dataward.store import open_store
from dataward.policy import decide, flush

ready, go = Path(sys.argv[1]), Path(sys.argv[2])
request = json.loads(sys.argv[3])

def wait_for_go():
    ready.touch()
    while not go.exists():
        time.sleep(0.002)
"""


def _start(
    code: str, tmp_path: Path, url: str, n: int = N
) -> tuple[list[subprocess.Popen[bytes]], Path]:
    """Start ``n`` processes running ``_PRELUDE + code``; they wait for the returned go file."""
    go = tmp_path / "go"
    env = {
        **os.environ,
        "DATAWARD_HOME": str(tmp_path / "home"),
        "DATAWARD_DATABASE_URL": url,
    }
    script = _PRELUDE + textwrap.dedent(code)
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", script, str(tmp_path / f"ready{i}"), str(go), REQUEST],
            env=env,
            cwd=tmp_path,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        for i in range(n)
    ]
    for i, proc in enumerate(procs):
        while not (tmp_path / f"ready{i}").exists():
            if proc.poll() is not None:
                pytest.fail(f"process {i} died before it was ready: {proc.communicate()[1]!r}")
            time.sleep(0.01)
    return procs, go


def _finish(procs: list[subprocess.Popen[bytes]], printed: list[str] | None = None) -> list[str]:
    """Each process's stderr when it failed ("" when it exited 0); what each printed goes to
    ``printed``."""
    out = []
    for proc in procs:
        stdout, err = proc.communicate(timeout=300)
        out.append("" if proc.returncode == 0 else err.decode(errors="replace")[-2000:])
        if printed is not None:
            printed.append(stdout.decode().strip())
    return out


def _count(url: str, sql: str) -> int:
    store = open_store(url, migrate=False)
    try:
        with store.begin() as conn:
            return int(conn.execute(sa.text(sql)).scalar_one())
    finally:
        store.close()


@pytest.fixture(autouse=True)
def _no_default_logs() -> Iterator[None]:
    yield
    from dataward.policy import reload

    reload()


def test_processes_opening_a_fresh_store_at_once_all_migrate_it(
    store_url: str, tmp_path: Path
) -> None:
    # Before the migration lock: PostgreSQL 3 of 4 failed (UniqueViolation on pg_type), SQLite
    # 1 or 2 of 4 ("table api_keys already exists").
    procs, go = _start(
        """
        wait_for_go()
        open_store().close()
        """,
        tmp_path,
        store_url,
    )
    go.touch()
    assert _finish(procs) == [""] * N
    heads = _count(store_url, "SELECT count(*) FROM alembic_version")
    store = open_store(store_url)  # at its heads: nothing left to apply
    store.close()
    assert heads == _count(store_url, "SELECT count(*) FROM alembic_version") > 0


def test_processes_deciding_at_once_on_a_fresh_store_lose_nothing(
    store_url: str, tmp_path: Path
) -> None:
    # The CLI's `dataward decide` four times at once: migrations, the policy revision noted by
    # each (check-then-insert lost a decision to a UniqueViolation) and the decision itself.
    procs, go = _start(
        """
        wait_for_go()
        decide(request)
        flush()
        """,
        tmp_path,
        store_url,
    )
    go.touch()
    assert _finish(procs) == [""] * N
    assert _count(store_url, "SELECT count(*) FROM policy_decisions") == N
    assert _count(store_url, "SELECT count(*) FROM policy_revisions") == 1
    events = "SELECT count(*) FROM audit_events WHERE kind = '{}'"
    assert _count(store_url, events.format("decision")) == N
    assert _count(store_url, events.format("policy_change")) == 1


def test_processes_noting_one_revision_on_a_migrated_store_all_succeed(
    store_url: str, tmp_path: Path
) -> None:
    open_store(store_url).close()
    procs, go = _start(
        """
        from dataward.policy import default_engine
        from dataward.policy.records import note_revision

        store = open_store()
        engine = default_engine()
        wait_for_go()
        print(note_revision(store, engine.revision, ["x"]))
        """,
        tmp_path,
        store_url,
    )
    go.touch()
    firsts: list[str] = []
    assert _finish(procs, firsts) == [""] * N
    assert sorted(firsts) == ["False"] * (N - 1) + ["True"]
    assert _count(store_url, "SELECT count(*) FROM policy_revisions") == 1


def test_a_killed_decide_leaves_no_decision_without_its_audit_event(
    store_url: str, tmp_path: Path
) -> None:
    """kill -9 while the audit log is busy: the decision row and its event share a
    transaction, so either both are in the store or neither is (PostgreSQL: 161 rows and 160
    events were seen). The audit log is kept busy by a lock this test holds on its state row, and
    the process is killed once the database shows it waiting for that lock."""
    if not store_url.startswith("postgresql"):
        pytest.skip("SQLite takes its write lock before the decision row is written")
    app = f"dw_kill_{os.getpid()}_{tmp_path.name}"[:60]
    url = f"{store_url}&application_name={app}"
    open_store(url).close()
    (proc,), go = _start(
        """
        decide(request)  # the policy revision and a first decision, logged
        wait_for_go()
        decide(request)
        """,
        tmp_path,
        url,
        n=1,
    )
    admin = sa.create_engine(store_url)
    try:
        with admin.connect() as hold:
            hold.execute(sa.text("SELECT size FROM audit_state WHERE id = 1 FOR UPDATE"))
            go.touch()
            waiting = sa.text(
                "SELECT count(*) FROM pg_stat_activity "
                "WHERE application_name = :app AND wait_event_type = 'Lock'"
            )
            while not hold.execute(waiting, {"app": app}).scalar_one():
                assert proc.poll() is None, proc.communicate()[1]
                time.sleep(0.01)
            proc.send_signal(signal.SIGKILL)
            proc.communicate()
            hold.rollback()
    finally:
        admin.dispose()
    rows = _count(store_url, "SELECT count(*) FROM policy_decisions")
    events = _count(store_url, "SELECT count(*) FROM audit_events WHERE kind = 'decision'")
    assert rows == events == 1


def test_a_refused_audit_event_takes_its_decision_row_with_it(
    store_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A second home with its own audit signing key may not append to a log registered to
    another key: its decision must not be logged either (both, or neither)."""
    import json

    from dataward.errors import DatawardError
    from dataward.policy import decide, reload

    monkeypatch.setenv("DATAWARD_DATABASE_URL", store_url)
    monkeypatch.setenv("DATAWARD_HOME", str(tmp_path / "first"))
    request = json.loads(REQUEST)
    decide(request)
    reload()
    monkeypatch.setenv("DATAWARD_HOME", str(tmp_path / "second"))  # another signing key
    with pytest.raises(DatawardError):
        decide(request)
    reload()
    rows = _count(store_url, "SELECT count(*) FROM policy_decisions")
    events = _count(store_url, "SELECT count(*) FROM audit_events WHERE kind = 'decision'")
    assert rows == events == 1
