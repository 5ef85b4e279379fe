"""Throughput of the detection engine against a plain Python ``re`` loop, in the same run.

    python bench/throughput.py                 # 50 MB generated corpus
    python bench/throughput.py --mb 10         # smaller
    python bench/throughput.py --big-mb 1024   # also stream a 1 GB file through `dataward detect`
                                               # and report its peak memory

The engine here is every pattern detector (the NER model is measured apart, on a slice, as
``with_ner``). The baseline runs every pattern of the same engine with ``re.finditer`` (no
validation, no context) on a slice of the corpus; the engine does all its work (prefilter, spans,
validation, context, overlaps) on the whole corpus.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from corpus import records
from dataward.detect import Engine, PatternDetector


def _mb(texts: list[str]) -> float:
    return sum(len(t.encode()) + 1 for t in texts) / 1e6


def _time_engine(engine: Engine, texts: list[str]) -> tuple[float, int]:
    started = time.perf_counter()
    found = 0
    for t in texts:
        found += len(engine.detect(t))
    return time.perf_counter() - started, found


def _re_loop(engine: Engine, texts: list[str]) -> float:
    regexes = [
        re.compile(c.pattern.regex, re.ASCII | (re.IGNORECASE if c.pattern.ignore_case else 0))
        for c in engine._compiled
    ]
    started = time.perf_counter()
    for t in texts:
        for rx in regexes:
            for _ in rx.finditer(t):
                pass
    return time.perf_counter() - started


def _big_file_memory(big_mb: int) -> dict[str, float]:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "big.jsonl"
        with path.open("w", encoding="utf-8") as fh:
            for i, text in enumerate(records(big_mb * 1_000_000, seed=99)):
                fh.write(json.dumps({"id": i, "text": text}) + "\n")
        size = path.stat().st_size / 1e6
        started = time.perf_counter()
        exe = Path(sys.executable).with_name("dataward")
        proc = subprocess.run(
            [str(exe), "detect", str(path)], stdout=subprocess.DEVNULL, check=True
        )
        elapsed = time.perf_counter() - started
        assert proc.returncode == 0
        peak_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return {
        "input_mb": size,
        "seconds": elapsed,
        "mb_s": size / elapsed,
        "peak_rss_mb": peak_kb / 1024,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mb", type=float, default=50.0, help="corpus size in MB")
    parser.add_argument("--baseline-mb", type=float, default=2.0, help="slice for the re loop")
    parser.add_argument("--big-mb", type=int, default=0, help="also stream a file of this size")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    args = parser.parse_args()

    t0 = time.perf_counter()
    texts = list(records(int(args.mb * 1_000_000)))
    gen_s = time.perf_counter() - t0
    size = _mb(texts)
    full = Engine.default()
    # the pattern detectors alone: what the throughput goal is about (NER is measured apart)
    engine = Engine([d for d in full.detectors if isinstance(d, PatternDetector)])
    results: dict[str, object] = {
        "corpus_mb": round(size, 1),
        "records": len(texts),
        "patterns": engine.pattern_count,
        "backend": engine.backend,
        "generate_s": round(gen_s, 1),
        "cores": os.cpu_count(),
    }

    secs, found = _time_engine(engine, texts)
    results["engine_mb_s"] = round(size / secs, 2)
    results["engine_records_s"] = round(len(texts) / secs)
    results["findings"] = found

    few = Engine.default(entities=["EMAIL_ADDRESS", "CREDIT_CARD"])
    few_secs, _ = _time_engine(few, texts)
    results["entities_2_patterns"] = few.pattern_count
    results["entities_2_mb_s"] = round(size / few_secs, 2)

    n_base = 0
    acc = 0.0
    while n_base < len(texts) and acc < args.baseline_mb * 1e6:
        acc += len(texts[n_base].encode()) + 1
        n_base += 1
    base_texts = texts[:n_base]
    base_secs = _re_loop(engine, base_texts)
    results["re_loop_mb_s"] = round(_mb(base_texts) / base_secs, 3)
    results["re_loop_slice_mb"] = round(_mb(base_texts), 1)
    results["speedup_vs_re_loop"] = round(results["engine_mb_s"] / results["re_loop_mb_s"], 1)  # type: ignore[operator]

    started = time.perf_counter()
    batch_found = sum(len(f) for f in engine.detect_batch(texts, workers=os.cpu_count()))
    pool_secs = time.perf_counter() - started
    assert batch_found == found, (batch_found, found)
    results["pool_mb_s"] = round(size / pool_secs, 2)

    ner_slice = base_texts[: len(base_texts) // 2]
    ner_secs, _ = _time_engine(full, ner_slice)
    results["with_ner_mb_s"] = round(_mb(ner_slice) / ner_secs, 3)
    results["with_ner_records_s"] = round(len(ner_slice) / ner_secs)

    if args.big_mb:
        results["big_file"] = _big_file_memory(args.big_mb)

    if args.json:
        print(json.dumps(results))
        return
    for key, value in results.items():
        print(f"{key:>22}: {value}")


if __name__ == "__main__":
    main()
