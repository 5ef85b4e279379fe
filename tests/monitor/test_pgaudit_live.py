"""pgaudit on the real local PostgreSQL 15: a scripted workload in ``dataward_pgaudit``, the
csvlog the server itself writes, parsed and judged (``scripts/pgaudit-setup`` enables it; CI
runs that from ``scripts/check``)."""

from __future__ import annotations

import os
import time
import uuid
from pathlib import Path

import pytest

from dataward.monitor import Monitor, Settings, parse
from dataward.runtime import Runtime

URL = "postgresql://postgres@127.0.0.1:5432/dataward_pgaudit"
SSN = "078-05-1120"


def _csvlog() -> Path:
    """The server's current csvlog, or skip saying why."""
    try:
        import psycopg
    except ImportError:
        pytest.skip("psycopg is not installed")
    why = None
    try:
        with psycopg.connect(URL, connect_timeout=3) as conn:
            loaded = conn.execute("show shared_preload_libraries").fetchone()[0]  # type: ignore[index]
            data = conn.execute("show data_directory").fetchone()[0]  # type: ignore[index]
            current = conn.execute("select pg_current_logfile('csvlog')").fetchone()[0]  # type: ignore[index]
            if "pgaudit" not in loaded:
                why = (
                    "pgaudit is not in shared_preload_libraries (run scripts/pgaudit-setup as root)"
                )
            elif not current:
                why = "the server writes no csvlog (run scripts/pgaudit-setup as root)"
    except psycopg.OperationalError:
        why = "no database dataward_pgaudit on 127.0.0.1:5432 (run scripts/pgaudit-setup as root)"
    if why is None:
        path = Path(data) / current
        if os.access(path, os.R_OK):
            return path
        why = f"the csvlog {path} is not readable by this user"
    if os.environ.get("CI"):
        pytest.fail(why)
    pytest.skip(why)


def test_workload_through_the_servers_csvlog(runtime: Runtime) -> None:
    import psycopg

    log = _csvlog()
    app = f"dw_{uuid.uuid4().hex[:10]}"
    table = f"patients_{uuid.uuid4().hex[:6]}"
    with psycopg.connect(URL, autocommit=True, application_name=app) as conn:
        conn.execute(f"create table {table} (id int, name text, ssn text, diagnosis text)")
        conn.execute(f"insert into {table} values (1, 'Ada', '{SSN}', 'flu')")
        for _ in range(3):
            conn.execute(f"select id, name from {table}")
        conn.execute(f"select ssn, diagnosis from {table} where ssn = '{SSN}'")
        conn.execute(f"drop table {table}")
    mine = []
    for _ in range(50):  # the logging collector writes asynchronously
        mine = [line for line in log.read_text(errors="replace").splitlines() if f'"{app}"' in line]
        if len(mine) >= 6:
            break
        time.sleep(0.1)
    capture = Path("pgaudit-capture.csv")
    capture.write_text("\n".join(mine) + "\n")
    parsed = parse("pgaudit", [capture])
    assert parsed.report.problem_count == 0
    reads = [e for e in parsed.events if e.action == "read"]
    assert len(reads) == 4 and all(e.client == app for e in reads)
    obj = f"DATAWARD_PGAUDIT.PUBLIC.{table.upper()}"
    assert {e.objects for e in reads} == {(obj,)}
    assert f"{obj}.SSN" in reads[-1].columns and f"{obj}.DIAGNOSIS" in reads[-1].columns
    assert any(e.action == "write" for e in parsed.events)
    # judged: the first read of the tagged columns by this principal is an alert
    mon = Monitor(runtime.store, Settings(learning_days=0, min_history=1))
    mon.add_tags({f"{obj}.SSN": {"PII_HIGH"}, f"{obj}.DIAGNOSIS": {"PHI"}})
    outcome = mon.process(parsed.events)
    mon.flush()
    assert any(reads[-1].event_id in a.event_ids for a in outcome.raised)
    assert all(SSN not in a.summary and SSN not in repr(a.evidence) for a in outcome.raised)
