"""Scan benchmark: sampled classification time and full-scan throughput on generated data.

python bench/scan.py            # ~300 MB of CSV and Parquet
python bench/scan.py --gb 1     # 1 GB
"""

from __future__ import annotations

import argparse
import random
import resource
import tempfile
import time
from pathlib import Path

import pyarrow as pa
import pyarrow.csv as pcsv
import pyarrow.parquet as pq

FIRST = ["Ada", "Bob", "Cleo", "Dmitri", "Eva", "Femi", "Gus", "Hana", "Ivan", "June"]
WORDS = [
    "the",
    "patient",
    "reported",
    "mild",
    "pain",
    "after",
    "lunch",
    "and",
    "asked",
    "for",
    "a",
    "follow",
    "up",
    "visit",
    "soon",
]


def generate(rows: int, seed: int = 1) -> pa.Table:
    rng = random.Random(seed)
    return pa.table(
        {
            "id": list(range(rows)),
            "first_name": [rng.choice(FIRST) for _ in range(rows)],
            "email": [f"user{rng.randint(0, 10**7)}@example.org" for _ in range(rows)],
            "ssn": [
                f"{rng.randint(100, 665)}-{rng.randint(10, 99)}-{rng.randint(1000, 9999)}"
                for _ in range(rows)
            ],
            "amount": [round(rng.uniform(1, 999), 2) for _ in range(rows)],
            "notes": [
                " ".join(rng.choice(WORDS) for _ in range(12))
                + f" call 415-555-{rng.randint(1000, 9999)}"
                for _ in range(rows)
            ],
        }
    )


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--gb", type=float, default=0.3)
    args = ap.parse_args()
    from dataward.catalog import Catalog
    from dataward.classify import scan

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        chunk = generate(100_000)
        per_row = chunk.nbytes / chunk.num_rows
        reps = max(1, int(args.gb * 1e9 / 2 / per_row / chunk.num_rows))
        table = pa.concat_tables([chunk] * reps)
        pcsv.write_csv(table, folder / "data.csv")
        pq.write_table(table, folder / "data.parquet")
        catalog = Catalog.open(f"sqlite:///{folder / 'bench.db'}")
        for name in ("data.csv", "data.parquet"):
            path = folder / name
            mb = path.stat().st_size / 1e6
            t = time.perf_counter()
            scan([path], catalog=catalog, force=True)
            sampled = time.perf_counter() - t
            t = time.perf_counter()
            scan([path], catalog=catalog, force=True, full=True)
            full = time.perf_counter() - t
            print(
                f"{name}: {table.num_rows:,} rows, {mb:,.0f} MB; sampled {sampled:.1f} s; "
                f"full {full:.1f} s = {table.num_rows / full:,.0f} rows/s, {mb / full:,.1f} MB/s"
            )
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak memory (this process) {peak:,.0f} MB")


if __name__ == "__main__":
    main()
