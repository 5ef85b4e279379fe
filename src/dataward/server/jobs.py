"""Scan jobs of the service, kept in the store (``scan_jobs``) so that any worker answers for
any job.

A job runs in a thread of the worker that accepted it. A second thread writes the job's progress
(files, rows) at most every :data:`PROGRESS_SECONDS`, and touches the row at least every quarter
of ``lost_after`` while the scan runs; the end (status with result, or error) is one
transaction. A job still ``running`` whose row has not changed for ``lost_after`` seconds (its
worker was stopped or killed) reads ``lost``, with the reason: nothing reports a scan done that
no one finished. A job that is ``done``, ``failed`` or ``lost`` never changes again.

The result is the scan's output (dataset paths, tags, column entities, masked previews), never a
raw value.
"""

from __future__ import annotations

import contextvars
import json
import logging
import threading
import time
import uuid
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from dataward.errors import DatawardError
from dataward.store import Store

PROGRESS_SECONDS = 0.5
"""A running job's progress is written at most this often."""

log = logging.getLogger("dataward.server.jobs")

metadata = sa.MetaData()
scan_jobs = sa.Table(
    "scan_jobs",
    metadata,
    sa.Column("id", sa.String(32), primary_key=True),
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("files", sa.Integer, nullable=False),
    sa.Column("rows", sa.BigInteger, nullable=False),
    sa.Column("result", sa.Text, nullable=True),  # JSON {"result": ..., "errors": [...]}
    sa.Column("error", sa.Text, nullable=True),
    sa.Column("started_by", sa.String(100), nullable=False),  # ApiKey.actor: apikey:<id>
    sa.Column("created_at", sa.Float, nullable=False),
    sa.Column("updated_at", sa.Float, nullable=False),
)


def _update(store: Store, job_id: str, **values: Any) -> None:
    """Write ``values`` to a job that is still running (one transaction)."""
    with store.begin() as conn:
        conn.execute(
            scan_jobs.update()
            .where(scan_jobs.c.id == job_id, scan_jobs.c.status == "running")
            .values(updated_at=time.time(), **values)
        )


class _Run:
    """One job's scan, in this process."""

    def __init__(self, store: Store, job_id: str, lost_after: float) -> None:
        self.store, self.job_id, self.lost_after = store, job_id, lost_after
        self.files = 0
        self.rows = 0
        self.finished = threading.Event()

    def on_file(self, _uri: str) -> None:
        self.files += 1

    def on_rows(self, n: int) -> None:
        self.rows += n

    def progress(self) -> None:
        """Write new counts, or touch the row so that a live job never reads ``lost``."""
        heartbeat = max(PROGRESS_SECONDS, self.lost_after / 4)
        written, at = (0, 0), time.monotonic()
        while not self.finished.wait(PROGRESS_SECONDS):
            counts = (self.files, self.rows)
            if counts == written and time.monotonic() - at < heartbeat:
                continue
            try:
                _update(self.store, self.job_id, files=counts[0], rows=counts[1])
            except sa.exc.SQLAlchemyError as exc:  # the next write tries again
                log.warning(
                    "scan job %s: progress not written: %s", self.job_id, type(exc).__name__
                )
                continue
            written, at = counts, time.monotonic()

    def finish(self, **values: Any) -> None:
        self.finished.set()
        try:
            _update(self.store, self.job_id, files=self.files, rows=self.rows, **values)
        except sa.exc.SQLAlchemyError as exc:  # the job stays running, then reads lost
            log.error("scan job %s: end not written: %s", self.job_id, type(exc).__name__)


def start_job(
    store: Store,
    *,
    started_by: str,
    paths: list[Path],
    exclude: list[str],
    sample: int,
    full: bool,
    force: bool,
    lost_after: float,
) -> str:
    """Record a running job, start its scan in a thread and return its id."""
    job_id = uuid.uuid4().hex
    now = time.time()
    with store.begin() as conn:
        conn.execute(
            scan_jobs.insert().values(
                id=job_id,
                status="running",
                files=0,
                rows=0,
                started_by=started_by,
                created_at=now,
                updated_at=now,
            )
        )
    job = _Run(store, job_id, lost_after)

    def run() -> None:
        from dataward.catalog import Catalog
        from dataward.classify.scan import scan

        writer = threading.Thread(target=job.progress, name=f"scan-{job_id}-progress", daemon=True)
        writer.start()
        try:
            result = scan(
                paths,
                sample=sample,
                full=full,
                force=force,
                exclude=exclude,
                catalog=Catalog(store),
                on_file=job.on_file,
                on_rows=job.on_rows,
            )
        except DatawardError as exc:  # our messages name no value; the service goes on
            job.finish(status="failed", error=str(exc))
        except Exception as exc:  # another library's message may quote the data (Arrow's do)
            log.error("scan job %s failed: %s", job_id, type(exc).__name__)
            job.finish(status="failed", error=f"the scan failed ({type(exc).__name__} in Dataward)")
        else:
            payload = {"result": result.to_dict(), "errors": result.errors}
            job.finish(status="done", result=json.dumps(payload))
        writer.join()

    # the job runs in the caller's context: its audit event names the caller's key
    context = contextvars.copy_context()
    threading.Thread(target=context.run, args=(run,), name=f"scan-{job_id}", daemon=True).start()
    return job_id


def get_job(store: Store, job_id: str, *, lost_after: float) -> dict[str, Any] | None:
    """A job's status, progress and, once done, result; ``None`` for an unknown id. A running
    job not updated for ``lost_after`` seconds is marked ``lost`` here."""
    now = time.time()
    with store.begin() as conn:
        conn.execute(
            scan_jobs.update()
            .where(
                scan_jobs.c.id == job_id,
                scan_jobs.c.status == "running",
                scan_jobs.c.updated_at < now - lost_after,
            )
            .values(
                status="lost",
                error=f"the job made no progress for over {lost_after:g} s: the worker running "
                "it stopped (restarted or killed); start the scan again",
            )
        )
        row = conn.execute(sa.select(scan_jobs).where(scan_jobs.c.id == job_id)).first()
    if row is None:
        return None
    job: dict[str, Any] = {"id": row.id, "status": row.status, "files": row.files, "rows": row.rows}
    if row.result is not None:
        job.update(json.loads(row.result))
    if row.error is not None:
        job["error"] = row.error
    return job
