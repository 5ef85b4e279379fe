"""Detection quality on the shared development data.

    python bench/accuracy.py            # PII spans and secrets lines, tables
    python bench/accuracy.py --json     # one JSON object

PII: span-level precision, recall, F1 and F2 per entity on ../shared/data/pii_text_dev
(a prediction matches a gold span of a compatible type when IoU >= 0.5, one to one).
Secrets: line-level precision/recall/F1 on ../shared/data/secrets_dev (see secrets_eval.py).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import defaultdict
from collections.abc import Sequence
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from dataward.detect import Engine

DATA = Path(__file__).resolve().parents[2] / "shared" / "data"

Counts = dict[str, list[int]]
"""Per label: [true positives, false positives, false negatives]."""

# gold label -> the predicted entity types that count as that label
LABELS: dict[str, frozenset[str]] = {
    "PERSON": frozenset({"PERSON"}),
    "LOCATION": frozenset({"LOCATION"}),
    "ADDRESS": frozenset({"STREET_ADDRESS"}),
    "ORGANIZATION": frozenset({"ORGANIZATION"}),
    "CREDIT_CARD": frozenset({"CREDIT_CARD"}),
    "PHONE_NUMBER": frozenset({"PHONE_NUMBER"}),
    "DATE_TIME": frozenset({"DATE_TIME", "DATE_OF_BIRTH"}),
    "EMAIL_ADDRESS": frozenset({"EMAIL_ADDRESS"}),
    "US_SSN": frozenset({"US_SSN"}),
    "IBAN_CODE": frozenset({"IBAN_CODE"}),
    "DOMAIN_NAME": frozenset({"DOMAIN_NAME", "URL"}),
    "TITLE": frozenset({"TITLE"}),
    "PREFIX": frozenset({"PREFIX"}),
    "US_DRIVER_LICENSE": frozenset({"US_DRIVER_LICENSE"}),
    "IP_ADDRESS": frozenset({"IP_ADDRESS"}),
}
PATTERN_TYPES = (
    "EMAIL_ADDRESS",
    "PHONE_NUMBER",
    "CREDIT_CARD",
    "IBAN_CODE",
    "US_SSN",
    "IP_ADDRESS",
)


def _label_of(entity: str) -> str:
    for label, entities in LABELS.items():
        if entity in entities:
            return label
    return f"other:{entity}"


def _iou(a: tuple[int, int], b: tuple[int, int]) -> float:
    inter = max(0, min(a[1], b[1]) - max(a[0], b[0]))
    union = max(a[1], b[1]) - min(a[0], b[0])
    return inter / union if union else 0.0


def _prf(tp: int, fp: int, fn: int) -> dict[str, float]:
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * p * r / (p + r) if p + r else 0.0
    f2 = 5 * p * r / (4 * p + r) if p + r else 0.0
    return {"precision": round(p, 3), "recall": round(r, 3), "f1": round(f1, 3), "f2": round(f2, 3)}


Labelled = tuple[str, tuple[int, int]]
"""A span with its label: ``(label, (start, end))``."""


def tally(gold: Sequence[Labelled], pred: Sequence[Labelled], counts: Counts) -> None:
    """Add one record to ``counts`` (label -> [tp, fp, fn]): each gold span takes the first
    unused prediction of the same label with IoU >= 0.5; predictions left over are false
    positives. Pass one label for every span to count type-blind."""
    used: set[int] = set()
    for label, span in gold:
        match = next(
            (
                j
                for j, (plabel, pspan) in enumerate(pred)
                if j not in used and plabel == label and _iou(span, pspan) >= 0.5
            ),
            None,
        )
        if match is None:
            counts[label][2] += 1
        else:
            used.add(match)
            counts[label][0] += 1
    for j, (plabel, _) in enumerate(pred):
        if j not in used:
            counts[plabel][1] += 1


def new_counts() -> Counts:
    return defaultdict(lambda: [0, 0, 0])


def evaluate_pii(engine: Engine, path: Path) -> dict[str, object]:
    records = json.loads(path.read_text(encoding="utf-8"))
    counts = new_counts()
    engine.detect("warm up: Ada Lovelace lives in London")  # loads the NER model (~0.3 s)
    started = time.perf_counter()
    nbytes = 0
    for rec in records:
        text = rec["full_text"]
        nbytes += len(text.encode())
        gold = [(s["entity_type"], (s["start_position"], s["end_position"])) for s in rec["spans"]]
        pred = [(_label_of(f.entity), (f.start, f.end)) for f in engine.detect(text)]
        tally(gold, pred, counts)
    elapsed = time.perf_counter() - started
    per_entity = {
        label: {**_prf(*c), "tp": c[0], "fp": c[1], "fn": c[2], "support": c[0] + c[2]}
        for label, c in sorted(counts.items())
    }
    sums = [sum(counts[t][i] for t in PATTERN_TYPES) for i in range(3)]
    every = [sum(c[i] for c in counts.values()) for i in range(3)]
    return {
        "records": len(records),
        "records_per_s": round(len(records) / elapsed),
        "mb_per_s": round(nbytes / elapsed / 1e6, 2),
        "per_entity": per_entity,
        "pattern_types_micro": _prf(*sums),
        "all_types_micro": _prf(*every),
    }


def _print_table(result: dict[str, object]) -> None:
    per_entity = result["per_entity"]
    assert isinstance(per_entity, dict)
    print(f"{'entity':<28}{'P':>7}{'R':>7}{'F1':>7}{'F2':>7}{'support':>9}{'FP':>6}")
    for label, m in per_entity.items():
        print(
            f"{label:<28}{m['precision']:>7.3f}{m['recall']:>7.3f}{m['f1']:>7.3f}"
            f"{m['f2']:>7.3f}{m['support']:>9}{m['fp']:>6}"
        )
    print(f"pattern types micro: {result['pattern_types_micro']}")
    print(f"all types micro:     {result['all_types_micro']}")
    print(f"speed: {result['records_per_s']} records/s, {result['mb_per_s']} MB/s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--data", type=Path, default=DATA)
    args = parser.parse_args()
    if not args.data.is_dir():
        print(f"skipped: needs the shared development data at {args.data} (../shared/data)")
        return
    engine = Engine.default()
    out: dict[str, object] = {
        "pii": evaluate_pii(engine, args.data / "pii_text_dev" / "generated_large.json")
    }
    try:
        import secrets_eval
    except ImportError:
        secrets_eval = None
    if secrets_eval is not None:
        out["secrets"] = secrets_eval.evaluate(args.data / "secrets_dev")
    if args.json:
        print(json.dumps(out, default=str))
        return
    print("== PII spans: pii_text_dev ==")
    _print_table(out["pii"])  # type: ignore[arg-type]
    if "secrets" in out:
        print("\n== Secrets lines: secrets_dev ==")
        secrets = out["secrets"]
        assert isinstance(secrets, dict)
        print({k: v for k, v in secrets.items() if k in ("overall", "precision", "recall", "f1")})


if __name__ == "__main__":
    main()
