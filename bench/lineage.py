"""Lineage throughput: OpenLineage events stored per second, label propagation, and the time of
a transitive ``downstream`` walk, each against a baseline measured in the same run.

    .venv/bin/python bench/lineage.py [--datasets 2000] [--fanout 3] [--columns 8] [--walks 50]

The graph: ``--datasets`` raw datasets, each read by one feature job (an OpenLineage event with
``--columns`` column edges, every other one IDENTITY, the rest AGGREGATION) into a feature
table; every ``--fanout`` feature tables train one model (another event). Each raw dataset has
a scan label on every column. Baselines:

- ingest: the same rows (run, nodes, run datasets, edges, column edges) written with plain
  SQLAlchemy ``executemany`` in one transaction per event: the storage floor;
- walk: a breadth-first walk over an in-memory adjacency dict of the same edges (what a graph
  held in memory costs; Dataward's walk asks the store one query per node).
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
import uuid
from collections import deque
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from dataward.lineage import downstream, ingest
from dataward.lineage import tables as t
from dataward.lineage.labels import propagate, seed
from dataward.store import open_store


def _event(inputs: list[tuple[str, str]], output: str, kind: str, columns: int) -> dict[str, Any]:
    fields = {
        f"c{i}": {
            "inputFields": [
                {
                    "namespace": "file",
                    "name": name,
                    "field": f"c{i}",
                    "transformations": [
                        {"type": "DIRECT", "subtype": "IDENTITY" if i % 2 == 0 else "AGGREGATION"}
                    ],
                }
                for name, _ in inputs
            ]
        }
        for i in range(columns)
    }
    return {
        "eventType": "COMPLETE",
        "eventTime": "2026-12-03T10:00:00Z",
        "producer": "bench",
        "run": {"runId": str(uuid.uuid4())},
        "job": {"namespace": "bench", "name": f"make.{output}"},
        "inputs": [
            {"namespace": "file", "name": n, "facets": {"version": {"datasetVersion": v}}}
            for n, v in inputs
        ],
        "outputs": [
            {
                "namespace": "file",
                "name": output,
                "facets": {
                    "datasetType": {"datasetType": kind},
                    "version": {"datasetVersion": "1"},
                    "columnLineage": {"fields": fields},
                },
            }
        ],
    }


def _events(datasets: int, fanout: int, columns: int) -> list[dict[str, Any]]:
    out = [
        _event([(f"/lz/raw{i}.csv", "v1")], f"features.f{i}", "FEATURES", columns)
        for i in range(datasets)
    ]
    for m in range(0, datasets, fanout):
        group = [(f"features.f{i}", "1") for i in range(m, min(m + fanout, datasets))]
        out.append(_event(group, f"model.m{m // fanout}", "MODEL", columns))
    return out


def _baseline_ingest(store: Any, event: dict[str, Any]) -> None:
    run = event["run"]["runId"]
    ins = [(d["name"], d["facets"]["version"]["datasetVersion"]) for d in event["inputs"]]
    outs = [(d["name"], "1") for d in event["outputs"]]
    with store.begin() as conn:
        conn.execute(
            t.runs.insert(),
            [
                {
                    "run_id": run,
                    "job_namespace": "bench",
                    "job_name": event["job"]["name"],
                    "event_type": "COMPLETE",
                    "event_time": event["eventTime"],
                    "producer": "bench",
                    "source": "bench",
                    "facets": "[]",
                }
            ],
        )
        conn.execute(
            t.run_datasets.insert(),
            [{"run_id": run, "role": "input", "name": n, "version": v} for n, v in ins]
            + [{"run_id": run, "role": "output", "name": n, "version": v} for n, v in outs],
        )
        conn.execute(
            t.edges.insert(),
            [
                {
                    "run_id": run,
                    "src_name": a,
                    "src_version": av,
                    "dst_name": b,
                    "dst_version": bv,
                    "created_at": "x",
                }
                for a, av in ins
                for b, bv in outs
            ],
        )
        rows = []
        for out in event["outputs"]:
            for col, spec in out["facets"]["columnLineage"]["fields"].items():
                for f in spec["inputFields"]:
                    rows.append(
                        {
                            "run_id": run,
                            "src_name": f["name"],
                            "src_column": f["field"],
                            "dst_name": out["name"],
                            "dst_column": col,
                            "transform_type": "DIRECT",
                            "transform_subtype": f["transformations"][0]["subtype"],
                            "masking": False,
                            "operator": "",
                        }
                    )
        conn.execute(t.column_edges.insert(), rows)


def _memory_walk(adj: dict[str, list[str]], start: str) -> list[str]:
    seen = {start}
    order = []
    queue = deque([start])
    while queue:
        for nxt in adj.get(queue.popleft(), []):
            if nxt not in seen:
                seen.add(nxt)
                order.append(nxt)
                queue.append(nxt)
    return order


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--datasets", type=int, default=2000)
    parser.add_argument("--fanout", type=int, default=3)
    parser.add_argument("--columns", type=int, default=8)
    parser.add_argument("--walks", type=int, default=50)
    args = parser.parse_args()
    events = _events(args.datasets, args.fanout, args.columns)
    with tempfile.TemporaryDirectory() as tmp:
        ours = open_store(f"sqlite:///{Path(tmp) / 'lineage.db'}")
        base = open_store(f"sqlite:///{Path(tmp) / 'baseline.db'}")
        start = time.perf_counter()
        for event in events:
            _baseline_ingest(base, event)
        floor = time.perf_counter() - start
        start = time.perf_counter()
        for event in events:
            ingest(ours, event)
        took = time.perf_counter() - start
        print(
            f"ingest: {len(events):,} events in {took:.2f} s = {len(events) / took:,.0f} events/s"
        )
        print(
            f"  baseline (plain executemany of the same rows): {len(events) / floor:,.0f} events/s;"
            f" ratio {took / floor:.2f}x"
        )
        for i in range(args.datasets):
            seed(
                ours,
                f"/lz/raw{i}.csv",
                {f"c{j}": ["EMAIL_ADDRESS"] for j in range(args.columns)},
                "scan",
            )
        start = time.perf_counter()
        carried = propagate(ours)
        took = time.perf_counter() - start
        cols = sum(
            len(e["outputs"][0]["facets"]["columnLineage"]["fields"]) * len(e["inputs"])
            for e in events
        )
        print(f"propagate: {carried:,} carried labels over {cols:,} column edges in {took:.2f} s")
        with ours.begin() as conn:
            pairs = conn.execute(sa.select(t.edges.c.src_name, t.edges.c.dst_name)).all()
        adj: dict[str, list[str]] = {}
        for a, b in pairs:
            adj.setdefault(a, []).append(b)
        starts = [
            f"/lz/raw{i}.csv" for i in range(0, args.datasets, max(1, args.datasets // args.walks))
        ]
        ours_ms, base_ms = [], []
        for s in starts:
            t0 = time.perf_counter()
            found = downstream(ours, s)
            ours_ms.append((time.perf_counter() - t0) * 1000)
            t0 = time.perf_counter()
            expected = _memory_walk(adj, s)
            base_ms.append((time.perf_counter() - t0) * 1000)
            assert sorted(n.name for n in found) == sorted(expected), s
        p50, b50 = statistics.median(ours_ms), statistics.median(base_ms)
        print(
            f"downstream walk (raw -> features -> model, {len(starts)} starts): p50 {p50:.2f} ms,"
            f" max {max(ours_ms):.2f} ms"
        )
        print(f"  baseline (in-memory BFS): p50 {b50:.4f} ms; ratio {p50 / max(b50, 1e-9):,.0f}x")
        ours.close()
        base.close()


if __name__ == "__main__":
    main()
