"""Scan jobs live in the store: a job started through one app (one worker) reads the same
through another app over the same database; a job whose worker stopped reads ``lost``."""

from __future__ import annotations

import csv
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
import sqlalchemy as sa

from dataward.server import create_app
from dataward.server.apikeys import create_key
from dataward.server.app import ServerConfig
from dataward.server.jobs import scan_jobs
from dataward.store import Store, open_store
from tests.server.conftest import serve
from tests.server.test_serve import Served, served  # noqa: F401 - the fixture

CANARY_SSN = "523-71-6604"
CANARY_EMAIL = "zq7x41.canary@probemail-dw.net"


@dataclass
class Workers:
    """Two apps over one database, as two ``dataward serve`` workers."""

    one: httpx.Client
    two: httpx.Client
    store: Store
    data: Path


@pytest.fixture
def workers(store_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Workers]:
    monkeypatch.setenv("DATAWARD_DATABASE_URL", store_url)
    data = tmp_path / "landing"
    data.mkdir()
    with (data / "patients.csv").open("w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["patient_id", "ssn", "email"])
        for i in range(40):
            ssn = CANARY_SSN if i == 0 else f"{500 + i:03d}-{10 + i % 80:02d}-{1000 + i * 7:04d}"
            w.writerow([i, ssn, CANARY_EMAIL if i == 0 else f"p{i}@example.org"])
    stores = [open_store(store_url), open_store(store_url)]
    key = create_key(stores[0], "test-steward", "steward")[1]
    config = ServerConfig(scan_roots=[tmp_path], job_lost_seconds=60)
    headers = {"Authorization": f"Bearer {key}"}
    try:
        with (
            serve(create_app(stores[0], config)) as url_one,
            serve(create_app(stores[1], config)) as url_two,
            httpx.Client(base_url=url_one, headers=headers, timeout=120) as one,
            httpx.Client(base_url=url_two, headers=headers, timeout=120) as two,
        ):
            yield Workers(one, two, stores[0], data)
    finally:
        for store in stores:
            store.close()
        from dataward.audit import close_default_logs
        from dataward.policy.api import reload

        close_default_logs()
        reload()


def _wait(client: httpx.Client, job_id: str) -> dict[str, Any]:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        r = client.get(f"/v1/jobs/{job_id}")
        assert r.status_code == 200, r.text
        job: dict[str, Any] = r.json()
        if job["status"] != "running":
            return job
        time.sleep(0.1)
    raise AssertionError("scan job did not finish")


def test_a_job_started_in_one_worker_reads_the_same_in_another(workers: Workers) -> None:
    r = workers.one.post("/v1/scan", json={"paths": [str(workers.data)], "sample": 1000})
    assert r.status_code == 202, r.text
    job_id = r.json()["job_id"]
    first = workers.two.get(f"/v1/jobs/{job_id}")  # at once: running or done, never 404
    assert first.status_code == 200 and first.json()["status"] in ("running", "done")
    done = _wait(workers.two, job_id)
    assert done["status"] == "done", done
    assert done == workers.one.get(f"/v1/jobs/{job_id}").json()
    [dataset] = done["result"]["datasets"]
    columns = {col["name"]: col["entity"] for col in dataset["columns"]}
    assert columns["ssn"] == "US_SSN" and columns["email"] == "EMAIL_ADDRESS"
    assert done["files"] == 1 and done["rows"] == 40 and done["errors"] == []
    with workers.store.begin() as conn:
        row = conn.execute(sa.select(scan_jobs).where(scan_jobs.c.id == job_id)).one()
    assert row.started_by.startswith("apikey:")
    for text in (str(done), str(tuple(row))):  # the response and the stored row
        assert CANARY_SSN not in text and CANARY_EMAIL not in text


def _insert(store: Store, job_id: str, updated_at: float) -> None:
    with store.begin() as conn:
        conn.execute(
            scan_jobs.insert().values(
                id=job_id,
                status="running",
                files=3,
                rows=120,
                started_by="apikey:gone",
                created_at=updated_at,
                updated_at=updated_at,
            )
        )


def test_a_job_whose_worker_stopped_reads_lost(workers: Workers) -> None:
    _insert(workers.store, "f" * 32, time.time() - 61)  # job_lost_seconds=60
    _insert(workers.store, "e" * 32, time.time())
    lost = workers.two.get(f"/v1/jobs/{'f' * 32}").json()
    assert lost["status"] == "lost" and lost["files"] == 3 and lost["rows"] == 120
    assert "no progress for over 60 s" in lost["error"] and "start the scan again" in lost["error"]
    assert workers.one.get(f"/v1/jobs/{'f' * 32}").json() == lost  # lost stays lost
    assert workers.one.get(f"/v1/jobs/{'e' * 32}").json()["status"] == "running"


def test_unknown_job_is_404_and_jobs_need_a_key(workers: Workers) -> None:
    assert workers.one.get(f"/v1/jobs/{'0' * 32}").status_code == 404
    _insert(workers.store, "d" * 32, time.time())
    assert workers.two.get(f"/v1/jobs/{'d' * 32}", headers={"Authorization": ""}).status_code == 401


def test_dataward_serve_with_two_workers_answers_for_every_job(served: Served) -> None:  # noqa: F811
    data = served.out.parent / "jobs-data"  # under the service's scan root, its directory
    data.mkdir()
    (data / "people.csv").write_text(f"name,ssn\nAda,{CANARY_SSN}\nBo,536-22-8174\n")
    headers = {"Authorization": f"Bearer {served.keys['pipeline']}"}
    with httpx.Client(base_url=served.url, headers=headers, timeout=30) as c:
        r = c.post("/v1/scan", json={"paths": ["jobs-data"]})
        assert r.status_code == 202, r.text
        job_id = r.json()["job_id"]
        _wait(c, job_id)
    # A fresh connection per request lands on either worker; every one must know the job.
    answers = []
    for _ in range(20):
        with httpx.Client(base_url=served.url, headers=headers, timeout=30) as c:
            r = c.get(f"/v1/jobs/{job_id}")
            answers.append((r.status_code, r.json().get("status")))
            assert CANARY_SSN not in r.text
    assert answers == [(200, "done")] * 20


def test_a_failed_job_keeps_a_library_message_out_of_the_store(
    workers: Workers, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Another library's message may quote the data (Arrow's CSV errors quote the row): a job
    that fails on one stores and answers only the exception's type."""
    import importlib

    # the module (the package exports a function of the same name)
    scan_module = importlib.import_module("dataward.classify.scan")

    def quoting(*_args: Any, **_kwargs: Any) -> Any:
        raise ValueError(f"CSV parse error: row '{CANARY_SSN},{CANARY_EMAIL}'")

    monkeypatch.setattr(scan_module, "scan", quoting)
    r = workers.one.post("/v1/scan", json={"paths": [str(workers.data)], "sample": 1000})
    assert r.status_code == 202, r.text
    job_id = r.json()["job_id"]
    failed = _wait(workers.two, job_id)
    assert failed["status"] == "failed" and "ValueError" in failed["error"]
    with workers.store.begin() as conn:
        row = conn.execute(sa.select(scan_jobs).where(scan_jobs.c.id == job_id)).one()
    for text in (str(failed), str(tuple(row))):
        assert CANARY_SSN not in text and CANARY_EMAIL not in text
