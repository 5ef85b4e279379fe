"""Access monitoring: detection quality on a generated account, throughput, NATS latency.

    python bench/monitor.py             # tables
    python bench/monitor.py --json      # one JSON object
    python bench/monitor.py --quick     # smaller account, fewer seeds

The scenario generator (``dataward.monitor.scenario``, documented there) writes a Snowflake
account's ``ACCOUNT_USAGE`` exports: analysts and data scientists (peer groups by role) with
personal habits (their tables, hours, row counts, office network, client), training jobs with
approvals logged as policy decisions, weeks of history, then injected anomalies of each kind
(volume spike, off-hours read, first read of a sensitive column, new network, breadth sweep,
a service account in the web UI, a job reading columns its approval does not cover) and benign
novelties (a new hire reading what peers read, an evening worker's usual late query).

Reported: recall per kind (an anomaly counts when an alert holds its QUERY_ID), false alerts
per 10,000 events (alerts holding no injected query), alerts on benign novelties; events/s for
parse, detection and both, with the same run's baseline: reading the same CSV files with
``csv.reader`` and decoding their JSON columns, no event built (the floor of any parser); and
event-to-alert latency through NATS JetStream (published anomaly -> alert stored, p50/p95).
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import json
import socket
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import dataward as dw
from dataward.monitor import Monitor, list_alerts, parse, scenario
from dataward.monitor.event import AccessEvent
from dataward.runtime import use


def quality(seeds: list[int], people: int, weeks: int) -> dict[str, Any]:
    recall: dict[str, list[int]] = {}
    false = benign = events = 0
    for seed in seeds:
        base = Path(tempfile.mkdtemp())
        sc = scenario.generate(base / "sf", people=people, services=4, weeks=weeks, seed=seed)
        with dw.open(home=base / "home") as rt, use(rt):
            scenario.log_approvals(rt.store, sc)
            mon = Monitor(rt.store, notify=False)
            mon.ingest(parse("snowflake", [base / "sf"]))
            alerts = list_alerts(rt.store, limit=100_000)
        held = {e for a in alerts for e in a.event_ids}
        labelled = {q for ids in sc.anomalies.values() for q in ids}
        for kind, ids in sc.anomalies.items():
            recall.setdefault(kind, [0, 0])
            recall[kind][0] += sum(q in held for q in ids[:1])
            recall[kind][1] += 1
        benign_ids = {q for ids in sc.benign.values() for q in ids}
        benign += sum(1 for a in alerts if set(a.event_ids) & benign_ids)
        false += sum(1 for a in alerts if not set(a.event_ids) & (labelled | benign_ids))
        events += sc.events
    found = sum(v[0] for v in recall.values())
    total = sum(v[1] for v in recall.values())
    return {
        "seeds": len(seeds),
        "events": events,
        "recall": round(found / total, 3),
        "recall_by_kind": {k: f"{v[0]}/{v[1]}" for k, v in recall.items()},
        "false_alerts_per_10k": round(false * 10_000 / events, 2),
        "false_alerts": false,
        "benign_novelty_alerts": benign,
    }


def _baseline_read(folder: Path) -> int:
    rows = 0
    for path in sorted(folder.glob("*.csv")):
        with path.open(newline="") as fh:
            reader = csv.reader(fh)
            next(reader)
            for row in reader:
                rows += 1
                for cell in row:
                    if cell[:1] == "[":
                        json.loads(cell)
    return rows


def throughput(people: int, weeks: int) -> dict[str, Any]:
    base = Path(tempfile.mkdtemp())
    sc = scenario.generate(base / "sf", people=people, services=8, weeks=weeks, seed=3)
    t0 = time.perf_counter()
    _baseline_read(base / "sf")
    baseline = time.perf_counter() - t0
    with dw.open(home=base / "home") as rt, use(rt):
        t0 = time.perf_counter()
        parsed = parse("snowflake", [base / "sf"])
        t1 = time.perf_counter()
        mon = Monitor(rt.store, notify=False)
        t2 = time.perf_counter()
        mon.process(sorted(parsed.events, key=lambda e: e.time))
        t3 = time.perf_counter()
        mon.flush()
        t4 = time.perf_counter()
    n = len(parsed.events)
    total = (t1 - t0) + (t4 - t2)
    return {
        "events": n,
        "queries": sc.events,
        "parse_events_per_s": round(n / (t1 - t0)),
        "detect_events_per_s": round(n / (t3 - t2)),
        "flush_s": round(t4 - t3, 3),
        "ingest_plus_detect_events_per_s": round(n / total),
        "baseline_csv_json_rows_per_s": round(n / baseline),
        "ratio_vs_baseline": round((n / total) / (n / baseline), 3),
    }


def _nats_up() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 4222), timeout=1):
            return True
    except OSError:
        return False


def nats_latency(anomalies: int = 20) -> dict[str, Any]:
    if not _nats_up():
        return {"skipped": "NATS is not running on 127.0.0.1:4222"}
    import uuid

    import nats

    from dataward.monitor import Settings
    from dataward.monitor.stream import follow_nats

    subject = f"dataward.bench.{uuid.uuid4().hex[:8]}"
    stream = "DWBENCH_" + uuid.uuid4().hex[:8].upper()
    t0 = datetime(2026, 1, 5, 9, tzinfo=UTC)

    def event(i: int, who: str, table: str, ip: str) -> str:
        return json.dumps(
            AccessEvent(
                time=t0 + timedelta(hours=2 * i), source="ocsf", event_id=f"{who}-{i}",
                principal=who, role="TEAM", principal_kind="human", ip=ip, client="JDBC",
                objects=(table,), columns=(f"{table}.A",), rows=100,
            ).to_ocsf()
        )  # fmt: skip

    sent: dict[str, float] = {}
    got: dict[str, float] = {}

    async def run(rt: Any) -> None:
        nc = await nats.connect("nats://127.0.0.1:4222")
        js = nc.jetstream()
        await js.add_stream(name=stream, subjects=[subject])
        try:
            for i in range(150):  # two weeks of habits for each of 20 people, then quiet
                for p in range(anomalies):
                    await js.publish(subject, event(i, f"P{p}", "DB.T", f"10.0.{p}.5").encode())
            mon = Monitor(rt.store, Settings(learning_days=7), notify=False)

            def on_alerts(alerts: list[Any]) -> None:
                now = time.perf_counter()
                for a in alerts:
                    for e in a.event_ids:
                        got.setdefault(e, now)

            consumer = asyncio.create_task(
                follow_nats(
                    mon, subject, "ocsf", durable="bench", idle_exit=3.0, on_alerts=on_alerts
                )
            )
            await asyncio.sleep(2.0)  # the history is consumed
            for p in range(anomalies):
                eid = f"P{p}-999"
                sent[eid] = time.perf_counter()
                await js.publish(
                    subject, event(999, f"P{p}", f"DB.SECRET_{p}", f"203.0.{p}.9").encode()
                )
                await asyncio.sleep(0.1)
            await consumer
        finally:
            await js.delete_stream(stream)
            await nc.close()

    base = Path(tempfile.mkdtemp())
    with dw.open(home=base / "home") as rt, use(rt):
        asyncio.run(run(rt))
    lat = sorted((got[e] - sent[e]) * 1000 for e in sent if e in got)
    if not lat:
        return {"anomalies": anomalies, "alerted": 0}
    return {
        "anomalies": anomalies,
        "alerted": len(lat),
        "latency_ms_p50": round(statistics.median(lat), 1),
        "latency_ms_p95": round(lat[min(len(lat) - 1, int(len(lat) * 0.95))], 1),
        "latency_ms_max": round(lat[-1], 1),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args(argv)
    out = {
        "quality": quality([1, 2] if args.quick else [1, 2, 3, 4, 5], 16 if args.quick else 30, 3),
        "throughput": throughput(40 if args.quick else 150, 3),
        "nats": nats_latency(10 if args.quick else 20),
    }
    if args.json:
        print(json.dumps(out, indent=2))
        return 0
    for section, figures in out.items():
        print(f"== {section}")
        for key, value in figures.items():
            print(f"  {key:34} {value}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
