"""Content classes: quality and speed of the content model on files it never saw.

    python bench/content.py                  # 60 held-out files per class, tables
    python bench/content.py --per-class 100 --json

The corpus is :mod:`dataward.classify.content_corpus` with ``holdout=True`` and seed 7: other
sentences, other values and other standard-library files than training used (seed 1, the
other half of every pool). Each file is read as a scan reads it (its format's reader, the
head), then classified; the best class is compared with the generator's label.

Printed: per-class precision, recall and F1; macro F1 (goal 0.90), beside a baseline measured
in the same run (the class most often seen with the file's extension in a training-style
corpus); files/s on one process and on a pool of ``--workers`` (goal 1,000 small files/s on
two cores), end to end (read by Dataward's readers, then classified) and for the model
alone (the part a scan adds: it reads the files anyway), beside the baseline of only reading
the same files; and what content
classification adds to ``dataward.scan`` per file (one scan of a subset, one worker).
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
import time
from collections import Counter
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

from dataward.classify.content import ContentConfig, classify_sample, sample_file
from dataward.classify.content_corpus import generate, write
from dataward.classify.content_model import CLASS_NAMES, Sample


def classify_path(path: str) -> str:
    sampler, fmt = sample_file(path)
    sample = sampler.sample(Path(path).name, fmt)
    return classify_sample(sample, config=ContentConfig())[0].name


def classify_many(paths: Sequence[str]) -> list[str]:
    return [classify_path(p) for p in paths]


def model_only(samples: Sequence[Sample]) -> int:
    """Features, model and reasons on samples already read (the part a scan adds)."""
    return sum(len(classify_sample(s, config=ContentConfig())) for s in samples)


def samples_of(paths: Sequence[str]) -> list[Sample]:
    out = []
    for p in paths:
        sampler, fmt = sample_file(p)
        out.append(sampler.sample(Path(p).name, fmt))
    return out


def read_only(paths: Sequence[str]) -> int:
    n = 0
    for p in paths:
        sampler, _fmt = sample_file(p)
        n += len(sampler.columns)
    return n


def scores(gold: Sequence[str], pred: Sequence[str]) -> dict[str, dict[str, float]]:
    out: dict[str, dict[str, float]] = {}
    for c in CLASS_NAMES:
        tp = sum(1 for g, p in zip(gold, pred, strict=True) if g == c and p == c)
        fp = sum(1 for g, p in zip(gold, pred, strict=True) if g != c and p == c)
        fn = sum(1 for g, p in zip(gold, pred, strict=True) if g == c and p != c)
        prec = tp / (tp + fp) if tp + fp else 0.0
        rec = tp / (tp + fn) if tp + fn else 0.0
        f1 = 2 * prec * rec / (prec + rec) if prec + rec else 0.0
        out[c] = {"precision": prec, "recall": rec, "f1": f1, "support": tp + fn}
    return out


def macro(table: dict[str, dict[str, float]]) -> float:
    return sum(v["f1"] for v in table.values()) / len(table)


def extension_baseline(names: Sequence[str]) -> list[str]:
    """The class most often seen with each extension in a training-style corpus."""
    by_ext: dict[str, Counter[str]] = {}
    for d in generate(40, seed=11):
        ext = Sample(d.name, "", (), "").ext
        by_ext.setdefault(ext, Counter())[d.label] += 1
    return [
        by_ext[e].most_common(1)[0][0] if e in by_ext else "OTHER"
        for e in (Sample(n, "", (), "").ext for n in names)
    ]


def chunks(items: Sequence[str], n: int) -> list[list[str]]:
    return [list(items[i::n]) for i in range(n)]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--per-class", type=int, default=60)
    ap.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    ap.add_argument("--scan-files", type=int, default=120)
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    docs = generate(args.per_class, seed=7, holdout=True)
    with tempfile.TemporaryDirectory() as tmp:
        pairs = write(docs, Path(tmp))
        paths = [str(p) for p, _ in pairs]
        gold = [label for _, label in pairs]
        size = sum(len(d.data) for d in docs) / len(docs)
        classify_path(paths[0])  # load the model once before timing
        t0 = time.perf_counter()
        read_only(paths)
        t_read = time.perf_counter() - t0
        t0 = time.perf_counter()
        pred = classify_many(paths)
        t_one = time.perf_counter() - t0
        samples = samples_of(paths)
        t0 = time.perf_counter()
        model_only(samples)
        t_model = time.perf_counter() - t0
        with ProcessPoolExecutor(args.workers) as pool:
            list(pool.map(classify_path, paths[: args.workers]))  # start the workers
            t0 = time.perf_counter()
            list(pool.map(classify_many, chunks(paths, args.workers)))
            t_pool = time.perf_counter() - t0
            parts = [samples[i :: args.workers] for i in range(args.workers)]
            t0 = time.perf_counter()
            list(pool.map(model_only, parts))
            t_model_pool = time.perf_counter() - t0
        scan_stats = _scan_overhead(Path(tmp), paths[: args.scan_files])
    table = scores(gold, pred)
    base = scores(gold, extension_baseline([Path(p).name for p in paths]))
    result: dict[str, Any] = {
        "files": len(paths),
        "mean_bytes": round(size),
        "macro_f1": round(macro(table), 4),
        "baseline_macro_f1": round(macro(base), 4),
        "per_class": {c: {k: round(v, 4) for k, v in m.items()} for c, m in table.items()},
        "files_per_s_1_process": round(len(paths) / t_one),
        f"files_per_s_{args.workers}_processes": round(len(paths) / t_pool),
        "read_only_files_per_s": round(len(paths) / t_read),
        "model_only_files_per_s_1_process": round(len(paths) / t_model),
        f"model_only_files_per_s_{args.workers}_processes": round(len(paths) / t_model_pool),
        **scan_stats,
    }
    if args.json:
        print(json.dumps(result, indent=2))
        return
    print(f"{len(paths)} held-out files ({size:,.0f} bytes on average), seed 7")
    print(f"{'class':24} {'prec':>6} {'recall':>6} {'f1':>6} {'n':>4}")
    for c, m in table.items():
        print(f"{c:24} {m['precision']:6.3f} {m['recall']:6.3f} {m['f1']:6.3f} {m['support']:4.0f}")
    ratio = result["macro_f1"] / result["baseline_macro_f1"] if result["baseline_macro_f1"] else 0
    print(
        f"macro F1 {result['macro_f1']:.3f} (goal 0.90); extension baseline "
        f"{result['baseline_macro_f1']:.3f} (x{ratio:.2f})"
    )
    pool_rate = result[f"files_per_s_{args.workers}_processes"]
    cost = result["read_only_files_per_s"] / result["files_per_s_1_process"]
    print(
        f"files/s: {result['files_per_s_1_process']:,} on 1 process, {pool_rate:,} on "
        f"{args.workers} (goal 1,000); only reading them: {result['read_only_files_per_s']:,} "
        f"(reading and classifying take x{cost:.2f} the time of reading)"
    )
    print(
        f"model only (features, classes, reasons on the samples a scan keeps): "
        f"{result['model_only_files_per_s_1_process']:,} files/s on 1 process, "
        f"{result[f'model_only_files_per_s_{args.workers}_processes']:,} on {args.workers}"
    )
    print(
        f"scan of {scan_stats['scan_files']} files, 1 worker: {scan_stats['scan_ms_per_file']} "
        f"ms/file, of which content classes {scan_stats['content_ms_per_file']} ms "
        f"({scan_stats['content_share']:.1%})"
    )


def _scan_overhead(root: Path, paths: Sequence[str]) -> dict[str, Any]:
    """A scan of ``paths`` (not recorded, one worker) and the content part of it, per file."""
    import dataward as dw

    subset = root / "_subset"
    subset.mkdir()
    for i, p in enumerate(paths):
        (subset / f"{i:04d}_{Path(p).name}").write_bytes(Path(p).read_bytes())
    files = sorted(str(p) for p in subset.iterdir())
    dw.scan([files[0]], record=False, workers=1)  # engines built before timing
    t0 = time.perf_counter()
    dw.scan(files, record=False, workers=1)
    t_scan = time.perf_counter() - t0
    samples = samples_of(files)  # a scan has these already: it reads each file once
    t0 = time.perf_counter()
    model_only(samples)
    t_content = time.perf_counter() - t0
    return {
        "scan_files": len(files),
        "scan_ms_per_file": round(1000 * t_scan / len(files), 2),
        "content_ms_per_file": round(1000 * t_content / len(files), 2),
        "content_share": round(t_content / t_scan, 4),
    }


if __name__ == "__main__":
    main()
