"""Subject index: build throughput, lookup latency and erasure-plan time at scale.

    python bench/subjects.py                      # 200 datasets, 10M indexed rows
    python bench/subjects.py --rows 1000000       # scaled down (say so when quoting)
    python bench/subjects.py --json

Three measurements, each with a baseline measured in the same run:

- **build**: ``index_file`` on one CSV of ``--build-rows`` rows (e-mail, SSN, customer id per
  row: every row is read and every value detected, then hashed), in rows/s; baseline: reading
  the same file through its source reader alone (no detection), rows/s.
- **lookup**: the index of ``--datasets`` dataset versions holding ``--rows`` rows (one subject
  per row: ``--rows`` postings, bulk-inserted as a real index build would write them), the
  latency of one subject's lookup (the index query, unconfirmed), p50 and p99 over 1000 random
  subjects; baseline: the same query with the prefix index not used (SQLite ``NOT INDEXED``),
  20 lookups.
- **plan**: ``plan`` for a subject held in 3 of the datasets (real files; confirmed by
  re-reading them) with a feature table and a model downstream in lineage, over that index;
  baseline: the lookup alone.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any


def _write_csv(path: Path, rows: int, *, subject: str | None = None) -> None:
    with path.open("w") as fh:
        fh.write("customer_id,email,ssn,amount\n")
        for i in range(rows):
            email = subject if (subject and i == rows // 2) else f"user{i}.x@example.org"
            fh.write(f"C-{i},{email},{100 + i % 800:03d}-{10 + i % 89:02d}-{1000 + i % 8999},{i}\n")


def run(args: argparse.Namespace) -> dict[str, Any]:
    import sqlalchemy as sa

    import dataward as dw
    from dataward.lineage import Node, record_edge
    from dataward.sources import open_source
    from dataward.subjects import tables as t
    from dataward.subjects.erase import plan
    from dataward.subjects.index import index_file, lookup, subject_of

    out: dict[str, Any] = {"datasets": args.datasets, "rows": args.rows}
    base = Path(tempfile.mkdtemp(prefix="dw-bench-subjects-"))
    rt = dw.open(home=base / "home")
    with dw.runtime.use(rt):
        # -- build (after a warm-up: the store's migrations and the engine's compilation) ----
        warm = base / "warm.csv"
        _write_csv(warm, 10)
        index_file(str(warm))
        big = base / "build.csv"
        _write_csv(big, args.build_rows)
        t0 = time.perf_counter()
        read = sum(b.num_rows for b in open_source(str(big)).batches())
        read_s = time.perf_counter() - t0
        t0 = time.perf_counter()
        built = index_file(str(big))
        build_s = time.perf_counter() - t0
        assert built.rows == read == args.build_rows
        out["build"] = {
            "rows": built.rows,
            "subjects": built.subjects,
            "rows_per_s": round(built.rows / build_s),
            "baseline_read_rows_per_s": round(read / read_s),
            "ratio_vs_read": round(read / read_s / (built.rows / build_s), 1),
        }

        # -- an index of --datasets versions holding --rows rows --------------------------
        target = "canary.7731@example.org"
        hits = []
        with rt.store.begin() as conn:  # the build's and the warm-up's versions: not counted
            conn.execute(t.postings.delete())
            conn.execute(t.versions.delete())
        for k in range(3):
            f = base / f"hit{k}.csv"
            _write_csv(f, 50, subject=target)
            hits.append(index_file(str(f)))
        rng = random.Random(15)
        per = args.rows // args.datasets
        sample: list[int] = []
        t0 = time.perf_counter()
        with rt.store.begin() as conn:
            for d in range(args.datasets - len(hits)):
                vid = conn.execute(
                    t.versions.insert()
                    .values(
                        dataset=f"s3://lake/part-{d:04d}.parquet",
                        version=f"v{d}",
                        kind="dataset",
                        format="parquet",
                        rows=per,
                        subjects=per,
                        entities="[]",
                        indexed_at="-",
                    )
                    .returning(t.versions.c.id)
                ).scalar_one()
                prefixes = {rng.getrandbits(64) - 2**63 for _ in range(per)}
                if len(sample) < 1000:
                    sample.extend(list(prefixes)[: 1000 // args.datasets + 1])
                rows = [{"version_id": vid, "prefix": p, "rows": 1} for p in prefixes]
                for i in range(0, len(rows), 100_000):
                    conn.execute(t.postings.insert(), rows[i : i + 100_000])
        out["populate_s"] = round(time.perf_counter() - t0, 1)

        # -- lookup -----------------------------------------------------------------------
        subject = subject_of(target)
        times = []
        q = sa.text("SELECT version_id, rows FROM subject_postings WHERE prefix = :p")
        q_scan = sa.text(
            "SELECT version_id, rows FROM subject_postings NOT INDEXED WHERE prefix = :p"
        )
        with rt.store.engine.connect() as conn:
            for p in sample[:1000]:
                t0 = time.perf_counter()
                assert conn.execute(q, {"p": p}).all()
                times.append(time.perf_counter() - t0)
            base_times = []
            for p in sample[:20]:
                t0 = time.perf_counter()
                assert conn.execute(q_scan, {"p": p}).all()
                base_times.append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        found = lookup(subject)
        api_s = time.perf_counter() - t0
        assert len(found) == 3
        times.sort()
        out["lookup"] = {
            "p50_ms": round(statistics.median(times) * 1000, 3),
            "p99_ms": round(times[int(len(times) * 0.99) - 1] * 1000, 3),
            "api_lookup_ms": round(api_s * 1000, 2),
            "baseline_unindexed_ms": round(statistics.median(base_times) * 1000, 1),
            "ratio_vs_unindexed": round(statistics.median(base_times) / statistics.median(times)),
        }

        # -- plan -------------------------------------------------------------------------
        record_edge(rt, Node(hits[0].dataset), Node("features.churn", "features", "1"))
        record_edge(rt, Node("features.churn", "features", "1"), Node("churn", "model", "9"))
        t0 = time.perf_counter()
        erasure = plan(target)
        plan_s = time.perf_counter() - t0
        assert len(erasure.steps) == 5, erasure.to_dict()
        out["plan"] = {
            "steps": len(erasure.steps),
            "plan_ms": round(plan_s * 1000, 1),
            "baseline_lookup_ms": round(api_s * 1000, 2),
            "ratio_vs_lookup": round(plan_s / api_s, 1),
        }
        with rt.store.begin() as conn:
            out["postings"] = conn.execute(
                sa.select(sa.func.count()).select_from(t.postings)
            ).scalar_one()
        db = next((p for p in (base / "home").rglob("*.db")), None)
        if db is not None:
            out["store_bytes_per_posting"] = round(db.stat().st_size / max(out["postings"], 1), 1)
    rt.close()
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--datasets", type=int, default=200)
    parser.add_argument("--rows", type=int, default=10_000_000, help="indexed rows in all")
    parser.add_argument("--build-rows", type=int, default=50_000)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    out = run(args)
    if args.json:
        print(json.dumps(out, indent=2))
        return
    b, lk, p = out["build"], out["lookup"], out["plan"]
    print(
        f"index of {out['datasets']} datasets, {out['rows']:,} rows ({out['postings']:,} "
        f"postings, {out.get('store_bytes_per_posting', '?')} store bytes each; "
        f"populated in {out['populate_s']} s)"
    )
    print(
        f"build   {b['rows_per_s']:,} rows/s (read alone {b['baseline_read_rows_per_s']:,} "
        f"rows/s: {b['ratio_vs_read']}x slower; {b['subjects']:,} subjects in {b['rows']:,} rows)"
    )
    print(
        f"lookup  p50 {lk['p50_ms']} ms, p99 {lk['p99_ms']} ms (unindexed "
        f"{lk['baseline_unindexed_ms']} ms: {lk['ratio_vs_unindexed']}x faster; "
        f"through the API {lk['api_lookup_ms']} ms)"
    )
    print(
        f"plan    {p['plan_ms']} ms for {p['steps']} steps (lookup alone "
        f"{p['baseline_lookup_ms']} ms: {p['ratio_vs_lookup']}x; re-reads the 3 hit files)"
    )


if __name__ == "__main__":
    main()
