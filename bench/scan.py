"""Scan benchmark: sampled classification time, full-scan throughput and peak memory on a
generated dataset written as CSV and as Parquet.

    python bench/scan.py                  # ~200 MB of CSV (and the same rows as Parquet)
    python bench/scan.py --gb 1           # 1 GB of CSV
    python bench/scan.py --gb 1 --no-full # sampled scans only
    python bench/scan.py --dir DIR        # keep (and reuse) the generated files in DIR
    python bench/scan.py --free-text      # full scan of a 50 MB CSV with free-text notes, this
                                          # tree against a baseline commit (see freetext.py)
    python bench/scan.py --free-text --mb 5

The table has ten columns: a row number, first and last names, e-mail, US SSN, phone, a date of
birth (a date column in Parquet), an amount, a boolean and a category, and free-text notes that
mention a phone number, an e-mail or nothing. Names and categories repeat (small vocabularies);
identifiers are random, so nearly every e-mail, SSN, phone and note is distinct: the work does not
shrink by repetition. Each scan runs in a fresh process (as ``dataward scan`` would, pool start
included) with the default workers (every core); its peak RSS is reported for the scanning
process and for the largest worker (an upper bound: Linux counts the parent's pages at fork).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pyarrow as pa
import pyarrow.csv as pcsv
import pyarrow.parquet as pq

FIRST = ["Ada", "Bob", "Cleo", "Dmitri", "Eva", "Femi", "Gus", "Hana", "Ivan", "June", "Kofi"]
LAST = ["Lopez", "Okafor", "Nguyen", "Schmidt", "Rossi", "Kowalski", "Tanaka", "Haddad"]
CATEGORY = ["bronze", "silver", "gold", "platinum"]
WORDS = (  # noqa: SIM905 - a word list reads best as one string
    "the patient reported mild pain after lunch and asked for a follow up visit soon "
    "customer wants refund because parcel arrived late please check order status today"
).split()
CHUNK_ROWS = 100_000


def generate(rows: int, seed: int = 1) -> pa.Table:
    """``rows`` generated rows; a different ``seed`` gives different identifiers."""
    rng = random.Random(seed)
    r = rng.randint
    base = seed * rows
    birth0 = dt.date(1940, 1, 1)

    def note() -> str:
        text = " ".join(rng.choice(WORDS) for _ in range(r(8, 20)))
        kind = r(0, 2)
        if kind == 0:
            return f"{text} call 415-555-{r(1000, 9999)}"
        if kind == 1:
            return f"{text} mail user{r(0, 10**7)}@example.org"
        return text

    return pa.table(
        {
            "id": pa.array(range(base, base + rows), pa.int64()),
            "first_name": [rng.choice(FIRST) for _ in range(rows)],
            "last_name": [rng.choice(LAST) for _ in range(rows)],
            "email": [f"user{r(0, 10**8)}@example.org" for _ in range(rows)],
            "ssn": [f"{r(100, 665)}-{r(10, 99)}-{r(1000, 9999)}" for _ in range(rows)],
            "phone": [f"+1 415 555 {r(1000, 9999)}" for _ in range(rows)],
            "dob": pa.array(
                [birth0 + dt.timedelta(days=r(0, 25_000)) for _ in range(rows)], pa.date32()
            ),
            "amount": [round(rng.uniform(1, 999), 2) for _ in range(rows)],
            "active": [r(0, 1) == 1 for _ in range(rows)],
            "tier": [rng.choice(CATEGORY) for _ in range(rows)],
            "notes": [note() for _ in range(rows)],
        }
    )


def write(folder: Path, target_bytes: float) -> tuple[Path, Path, int]:
    """Write chunks to ``data.csv`` and ``data.parquet`` until the CSV reaches the target."""
    csv_path, pq_path = folder / "data.csv", folder / "data.parquet"
    meta = folder / "rows.json"
    if csv_path.exists() and pq_path.exists() and meta.exists():
        info = json.loads(meta.read_text())
        if info.get("target") == target_bytes:
            return csv_path, pq_path, int(info["rows"])
    rows = 0
    seed = 1
    schema = generate(1).schema
    with (
        pcsv.CSVWriter(csv_path, schema) as csv_out,
        pq.ParquetWriter(pq_path, schema) as pq_out,
    ):
        while csv_path.stat().st_size < target_bytes:
            chunk = generate(CHUNK_ROWS, seed)
            csv_out.write_table(chunk)
            pq_out.write_table(chunk)
            rows += chunk.num_rows
            seed += 1
    meta.write_text(json.dumps({"target": target_bytes, "rows": rows}))
    return csv_path, pq_path, rows


def run_one(path: Path, full: bool, catalog: str) -> dict[str, float]:
    """Scan in this process (the child); returns seconds and peak RSS in MB."""
    from dataward.catalog import Catalog
    from dataward.classify import scan

    cat = Catalog.open(catalog)
    started = time.perf_counter()
    cpu0 = os.times()
    result = scan([path], catalog=cat, force=True, full=full)
    seconds = time.perf_counter() - started
    cpu1 = os.times()
    data = result.datasets[0]
    return {
        "seconds": seconds,
        "rows": data.rows,
        "scanned": data.records.scanned,
        "cpu_main": cpu1.user + cpu1.system - cpu0.user - cpu0.system,
        "cpu_workers": cpu1.children_user
        + cpu1.children_system
        - cpu0.children_user
        - cpu0.children_system,
        "rss_main_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "rss_worker_mb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024,
        "columns": len(data.columns),
        "sensitive_columns": sum(1 for c in data.columns if c.sensitive),
    }


def measure(path: Path, full: bool, catalog: str) -> dict[str, float]:
    cmd = [sys.executable, __file__, "--run", str(path), "--catalog", catalog]
    if full:
        cmd.append("--full")
    out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
    return dict(json.loads(out.strip().splitlines()[-1]))


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--gb", type=float, default=0.2, help="size of the CSV file in GB")
    ap.add_argument("--dir", help="keep the generated files here (reused when present)")
    ap.add_argument("--no-full", action="store_true", help="sampled scans only")
    ap.add_argument(
        "--free-text", action="store_true", help="this tree against a baseline (freetext.py)"
    )
    ap.add_argument("--mb", type=float, default=50.0, help="--free-text: CSV size in MB")
    ap.add_argument("--run", help=argparse.SUPPRESS)
    ap.add_argument("--full", action="store_true", help=argparse.SUPPRESS)
    ap.add_argument("--catalog", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.run:
        print(json.dumps(run_one(Path(args.run), args.full, args.catalog)))
        return
    if args.free_text:
        from freetext import compare

        with tempfile.TemporaryDirectory() as tmp:
            compare("scan", args.mb, Path(args.dir) if args.dir else Path(tmp))
        return
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(args.dir) if args.dir else Path(tmp)
        folder.mkdir(parents=True, exist_ok=True)
        started = time.perf_counter()
        csv_path, pq_path, rows = write(folder, args.gb * 1e9)
        print(
            f"data: {rows:,} rows x 11 columns, generated in "
            f"{time.perf_counter() - started:.0f} s; cores: {os.cpu_count()}",
            flush=True,
        )
        catalog = f"sqlite:///{Path(tmp) / 'bench.db'}"
        for path in (csv_path, pq_path):
            mb = path.stat().st_size / 1e6
            s = measure(path, False, catalog)
            print(
                f"{path.name}: {mb:,.0f} MB; sampled ({s['scanned']:,.0f} rows) "
                f"{s['seconds']:.1f} s (CPU {s['cpu_main'] + s['cpu_workers']:.0f} s); "
                f"peak RSS {s['rss_main_mb']:,.0f} MB (workers <= {s['rss_worker_mb']:,.0f} MB); "
                f"{s['sensitive_columns']:.0f}/{s['columns']:.0f} columns sensitive",
                flush=True,
            )
            if args.no_full:
                continue
            f = measure(path, True, catalog)
            print(
                f"{path.name}: full {f['seconds']:.1f} s = {f['rows'] / f['seconds']:,.0f} rows/s, "
                f"{mb / f['seconds']:,.2f} MB/s; CPU {f['cpu_main']:.0f} s main + "
                f"{f['cpu_workers']:.0f} s workers; peak RSS {f['rss_main_mb']:,.0f} MB "
                f"(workers <= {f['rss_worker_mb']:,.0f} MB)",
                flush=True,
            )


if __name__ == "__main__":
    main()
