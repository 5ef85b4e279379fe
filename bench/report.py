"""Time to build a posture report over 1,000 datasets and 10,000 audit events.

    python bench/report.py                    # 1,000 datasets, 10,000 events, JSON and HTML
    python bench/report.py --datasets 200 --events 2000 --json

The store is filled directly (catalog rows; scan, protect, decision and alert events appended
in batches) so the bench times the report, not the scans. The baseline, measured in the same
run on the same store, is the reading a report cannot avoid: every dataset through
``Catalog.datasets()``, every audit event through ``AuditLog.events()``, and ``verify()``.
The ratio is report / baseline.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import dataward as dw
from dataward.audit import open_audit_log
from dataward.audit.events import AlertEvent, ProtectEvent, ScanEvent, envelope
from dataward.catalog import Catalog
from dataward.catalog import tables as t
from dataward.report import build
from dataward.report.render import render

TAGS = (["PII", "PII_HIGH"], ["PHI", "PII"], ["PCI", "PII"], ["PUBLIC"], ["PII"])
ENTITIES = ("EMAIL_ADDRESS", "US_SSN", "POSTAL_CODE", "MEDICAL_CONDITION", "CREDIT_CARD", "PERSON")


def fill(rt: dw.Runtime, datasets: int, events: int) -> None:
    """``datasets`` catalog entries with columns and tags; ``events`` audit events."""
    rng = random.Random(7)
    start = datetime(2026, 11, 1, tzinfo=UTC)
    store = rt.store
    now = start.isoformat()
    with store.begin() as conn:
        scan_id = conn.execute(
            t.scans.insert().values(
                started_at=now,
                finished_at=now,
                options="{}",
                summary="[]",
                changes="{}",
                errors="[]",
            )
        ).inserted_primary_key[0]
        rows = [
            {
                "path": f"/lake/zone{i % 17}/table_{i:05d}.parquet",
                "name": f"table_{i:05d}.parquet",
                "format": "parquet",
                "rows": rng.randint(10, 10**6),
                "size_bytes": 1000,
                "status": "present",
                "summary": "",
                "records": "{}",
                "sampled": False,
                "created_at": now,
                "updated_at": now,
                "last_scan_id": scan_id,
            }
            for i in range(datasets)
        ]
        conn.execute(t.datasets.insert(), rows)
        ids = [r.id for r in conn.execute(t.datasets.select().order_by(t.datasets.c.id))]
        columns, tags = [], []
        for n, ds_id in enumerate(ids):
            for tag in TAGS[n % len(TAGS)]:
                tags.append(
                    {
                        "dataset_id": ds_id,
                        "column_name": None,
                        "tag": tag,
                        "source": "scan",
                        "confidence": 1.0,
                        "reasons": "[]",
                        "created_at": now,
                    }
                )
            for pos, entity in enumerate(rng.sample(ENTITIES, 3)):
                columns.append(
                    {
                        "dataset_id": ds_id,
                        "position": pos,
                        "name": f"col_{pos}",
                        "data_type": "string",
                        "entity": entity,
                        "kind": "entity",
                        "method": "values",
                        "sensitive": True,
                        "confidence": 0.9,
                        "value_share": 1.0,
                        "null_share": 0.0,
                        "uniqueness": 1.0,
                        "free_text_score": 0.0,
                        "entities": "{}",
                        "examples": "[]",
                        "hashes": "[]",
                    }
                )
        conn.execute(t.columns.insert(), columns)
        conn.execute(t.tags.insert(), tags)
    log = open_audit_log(store)
    batch = []
    for i in range(events):
        when = start + timedelta(seconds=30 * i)
        kind = i % 10
        if kind < 6:
            n = rng.randrange(datasets)
            event = ProtectEvent(
                input=f"table_{n:05d}.parquet",
                output=f"table_{n:05d}.protected.parquet",
                columns={"col_0": "token", "col_1": "mask"},
                verify="full",
                verified_rows=10,
            )
        elif kind < 9:
            event = ScanEvent(
                scan_id=1,
                datasets=[
                    {
                        "path": f"/lake/zone0/table_{i % datasets:05d}.parquet",
                        "rows": 1,
                        "tags": ["PII"],
                    }
                ],
                changes={"changed": 1},
                removed=0,
                errors=0,
            )
        else:
            event = AlertEvent(alert_id=f"a{i}", action="raised", severity="medium")
        batch.append(envelope(event, actor="svc:bench", time=when))
        if len(batch) == 1000:
            log.append_many(batch)
            batch = []
    log.append_many(batch)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--datasets", type=int, default=1000)
    parser.add_argument("--events", type=int, default=10_000)
    parser.add_argument("--json", action="store_true", help="one JSON object")
    args = parser.parse_args(argv)
    home = Path(tempfile.mkdtemp(prefix="dataward-bench-report-"))
    with dw.open(home=home) as rt, dw.runtime.use(rt):
        t0 = time.perf_counter()
        fill(rt, args.datasets, args.events)
        filled = time.perf_counter() - t0

        t0 = time.perf_counter()
        from dataward.detect.api import get_engine

        get_engine()  # compiled once per process (paths are shown masked): not the report's time
        engine_s = time.perf_counter() - t0

        t0 = time.perf_counter()
        Catalog(rt.store).datasets()
        log = open_audit_log(rt.store)
        sum(1 for _ in log.events())
        log.verify()
        baseline = time.perf_counter() - t0

        t0 = time.perf_counter()
        doc = build(rt.store)
        built = time.perf_counter() - t0
        t0 = time.perf_counter()
        size_json = len(render(doc, "json"))
        as_json = time.perf_counter() - t0
        t0 = time.perf_counter()
        size_html = len(render(doc, "html"))
        as_html = time.perf_counter() - t0
    result = {
        "datasets": args.datasets,
        "events": args.events,
        "fill_s": round(filled, 2),
        "engine_compile_s": round(engine_s, 2),
        "baseline_read_verify_s": round(baseline, 3),
        "build_s": round(built, 3),
        "json_s": round(as_json, 3),
        "html_s": round(as_html, 3),
        "events_per_s": round(args.events / built),
        "ratio_build_to_baseline": round(built / baseline, 2),
        "json_bytes": size_json,
        "html_bytes": size_html,
        "controls": len(doc["controls"]),
    }
    if args.json:
        print(json.dumps(result))
    else:
        for key, value in result.items():
            print(f"{key:>26}: {value}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
