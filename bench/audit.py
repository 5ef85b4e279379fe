"""Append throughput of the audit log: single appends (one transaction each) and batches.

    python bench/audit.py                                   # SQLite in a temporary folder
    python bench/audit.py --postgres postgresql+psycopg://postgres@127.0.0.1:5432/test
    python bench/audit.py --events 50000 --batch 1000

Also times a full ``verify`` and an inclusion proof at the final size. Prints one JSON object.
A quarter of the events concern a data subject (their payload is AES-GCM sealed).
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from dataward.audit import AuditEvent, AuditLog, Signer
from dataward.store import open_store


def _events(n: int, start: int) -> list[AuditEvent]:
    return [
        AuditEvent(
            "decision",
            "svc:bench",
            {"i": i, "effect": "allow_with_obligations", "obligations": ["encrypt:PHI"]},
            subject_id=f"subject-{i % 97}" if i % 4 == 0 else None,
        )
        for i in range(start, start + n)
    ]


def run(url: str, singles: int, events: int, batch: int) -> dict[str, Any]:
    store = open_store(url)
    log = AuditLog(store, Signer.generate())
    log.append_many(_events(10, 0))  # warm up: connection, statement cache

    started = time.perf_counter()
    for e in _events(singles, 10):
        log.append(e)
    single_rate = singles / (time.perf_counter() - started)

    pending = _events(events, 10 + singles)
    started = time.perf_counter()
    for i in range(0, events, batch):
        log.append_many(pending[i : i + batch])
    batch_rate = events / (time.perf_counter() - started)

    started = time.perf_counter()
    report = log.verify()
    verify_rate = report.events / (time.perf_counter() - started)
    started = time.perf_counter()
    log.inclusion_proof(report.events // 3)
    proof_ms = (time.perf_counter() - started) * 1000
    store.close()
    return {
        "store": store.dialect,
        "single_appends_per_s": round(single_rate),
        "batch_size": batch,
        "batch_events_per_s": round(batch_rate),
        "verify_events_per_s": round(verify_rate),
        "inclusion_proof_ms": round(proof_ms, 2),
        "events": report.events,
        "checkpoints": report.checkpoints,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--postgres", help="also run on this PostgreSQL URL (a schema is made)")
    parser.add_argument("--singles", type=int, default=1000)
    parser.add_argument("--events", type=int, default=20000)
    parser.add_argument("--batch", type=int, default=500)
    args = parser.parse_args()
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{Path(tmp) / 'bench.db'}"
        results.append(run(url, args.singles, args.events, args.batch))
    if args.postgres:
        schema = f"bench_{uuid.uuid4().hex[:8]}"
        admin = sa.create_engine(args.postgres)
        with admin.begin() as conn:
            conn.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
        sep = "&" if "?" in args.postgres else "?"
        try:
            url = f"{args.postgres}{sep}options=-csearch_path%3D{schema}"
            results.append(run(url, args.singles, args.events, args.batch))
        finally:
            with admin.begin() as conn:
                conn.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
            admin.dispose()
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
