"""dataward.spark.detect against the in-process engine on the same texts.

    python bench/spark.py                 # 40,000 texts, local[1] and local[2]
    python bench/spark.py --rows 200000 --json

Baseline: ``Engine.detect_many`` over the same texts in this process (one core), measured in
the same run. For each core count, Spark runs ``detect`` and writes to Spark's ``noop``
sink (the findings are computed, nothing is stored): a first run over 2,000 other texts starts
the Python workers and loads the shipped engine, the second, over the texts, is reported as
rows/s and MB/s. Then the findings are collected and compared with the baseline's, text by
text (``identical``). ``overhead`` is Spark's time per core over the baseline's: what Arrow
transfer, the JVM and task scheduling cost per text.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import time
import warnings
from typing import Any

import pyarrow as pa

warnings.filterwarnings("ignore", message="PySpark does not yet fully support pandas")

TEMPLATES = [
    "Customer {n} wrote from mail.{n}@example.org about order {n}; nothing else to add.",
    "Paid with card 4111 1111 1111 1111 on {n} March, ticket {n} closed by support.",
    "Patient SSN 078-05-{ssn}, seen at the clinic, follow-up in two weeks for case {n}.",
    "Call +1 415 555 {phone} after five, or write to the office at 12 Main Street, unit {n}.",
    "Wire to IBAN DE89 3704 0044 0532 0130 00 reference {n}, amount 1,200.00 EUR.",
    "The quarterly review {n} covered roadmap, hiring and the new office layout plans.",
]


def corpus(rows: int, seed: int = 7, first: int = 0) -> list[str]:
    rng = random.Random(seed)
    out = []
    for n in range(first, first + rows):
        t = rng.choice(TEMPLATES)
        out.append(t.format(n=n, ssn=f"{1000 + n % 9000:04d}", phone=f"{n % 10000:04d}"))
    return out


WARM = corpus(2_000, seed=11, first=10_000_000)


def baseline(texts: list[str]) -> tuple[float, list[list[tuple[str, int, int, str]]]]:
    from dataward.detect.engine import Engine

    engine = Engine.default()
    fresh = Engine(engine.detectors, threshold=engine.threshold)
    fresh.detect_many(WARM)  # other texts: caches of context words warm, no memo of these
    start = time.perf_counter()
    found = fresh.detect_many(texts)
    seconds = time.perf_counter() - start
    return seconds, [[(f.entity, f.start, f.end, f.detector) for f in fs] for fs in found]


def on_spark(texts: list[str], cores: int, partitions: int) -> dict[str, Any]:
    from pyspark.sql import SparkSession

    import dataward.spark as dws

    spark = (
        SparkSession.builder.master(f"local[{cores}]")
        .appName(f"dataward-bench-{cores}")
        .config("spark.ui.enabled", "false")
        .config("spark.driver.memory", "2g")
        .getOrCreate()
    )
    spark.sparkContext.setLogLevel("ERROR")
    try:
        table = pa.table({"id": pa.array(range(len(texts)), pa.int64()), "text": texts})
        df = spark.createDataFrame(table).repartition(partitions).cache()
        df.count()
        # the first run starts the Python workers and loads the engine, on other texts (the
        # engine remembers short texts it saw: a second run over the same ones would be free)
        warm = spark.createDataFrame(pa.table({"text": WARM})).repartition(partitions)
        runs = []
        for frame in (warm, df):
            start = time.perf_counter()
            dws.detect(frame).write.format("noop").mode("overwrite").save()
            runs.append(time.perf_counter() - start)
        rows = dws.detect(df).select("id", "findings").collect()
        got: list[list[tuple[str, int, int, str]]] = [[] for _ in texts]
        for r in rows:
            got[r["id"]] = [
                (f["entity"], f["start"], f["end"], f["detector"]) for f in r["findings"]
            ]
        return {"cores": cores, "first_s": runs[0], "steady_s": runs[1], "findings": got}
    finally:
        spark.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=40_000)
    parser.add_argument("--cores", type=int, nargs="*", default=[1, 2])
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)

    texts = corpus(args.rows)
    megabytes = sum(len(t.encode()) for t in texts) / 1e6
    base_s, expected = baseline(texts)
    report: dict[str, Any] = {
        "rows": args.rows,
        "megabytes": round(megabytes, 2),
        "baseline": {
            "what": "Engine.detect_many in-process, one core",
            "seconds": round(base_s, 3),
            "rows_per_s": round(args.rows / base_s),
            "mb_per_s": round(megabytes / base_s, 2),
        },
        "spark": [],
    }
    for cores in args.cores:
        got = on_spark(texts, cores, partitions=max(4, 2 * cores))
        steady = got["steady_s"]
        report["spark"].append(
            {
                "master": f"local[{cores}]",
                "warm_up_s": round(got["first_s"], 3),
                "seconds": round(steady, 3),
                "rows_per_s": round(args.rows / steady),
                "mb_per_s": round(megabytes / steady, 2),
                "vs_baseline": round(base_s / steady, 2),
                "overhead_per_core": round(steady * cores / base_s - 1, 3),
                "identical": got["findings"] == expected,
            }
        )
    if args.json:
        print(json.dumps(report, indent=2))
        return
    b = report["baseline"]
    print(f"{args.rows:,} texts, {megabytes:.1f} MB; cores here: {os.cpu_count()}")
    print(f"baseline (in-process, 1 core): {b['rows_per_s']:,} rows/s, {b['mb_per_s']} MB/s")
    for s in report["spark"]:
        print(
            f"{s['master']}: {s['rows_per_s']:,} rows/s, {s['mb_per_s']} MB/s, "
            f"{s['vs_baseline']}x baseline, overhead per core {s['overhead_per_core']:+.0%}, "
            f"warm-up {s['warm_up_s']} s, identical findings: {s['identical']}"
        )


if __name__ == "__main__":
    main()
