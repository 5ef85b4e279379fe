"""Detection quality on real ICU nursing notes (``../shared/data/clinical_dev``).

    python bench/clinical.py              # dev and test tables (type-blind, IoU >= 0.5)
    python bench/clinical.py --json       # one JSON object
    python bench/clinical.py --split dev  # one split only
    python bench/clinical.py --errors 40  # print up to 40 false positives and misses (dev only)

The notes are one third of the PhysioNet "deid" gold standard (MIMIC-II nursing notes, see the
data folder's README). Every finding the engine reports counts, whatever its type: a PHI span is
found when one finding overlaps it with IoU >= 0.5 (one to one, as in bench/accuracy.py).

Gold spans: the corpus labels multi-word names one word at a time (``DAN`` / ``A`` /
``FORMAN-LYONS``); gold spans of a name or place category separated only by spaces or a period
are merged into one span before matching, so one finding over the whole name counts once. Spans of
other categories merge only across spaces (``may`` ``15``, ``410`` ``202-6694``): ``10/29. 10/30``
is two dates.

Split, by patient, never by note: a patient goes to ``test`` when the first byte of
``sha256(b"clinical-split:" + patient_id)`` is below 103 (about 40%), otherwise to ``dev``.
Rules and lexicons were tuned on ``dev`` only; ``test`` is read for the report.

Without the data folder the benchmark prints a message and exits 0.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from accuracy import DATA, _prf, new_counts, tally  # noqa: E402
from dataward.detect import Engine  # noqa: E402
from dataward.detect.model import Finding  # noqa: E402

TEST_BELOW = 103
"""A patient is held out (``test``) when the first byte of its hash is below this (~40%)."""


@dataclass(frozen=True)
class Note:
    patient: str
    note: str
    text: str
    spans: tuple[tuple[str, int, int], ...]
    """Gold PHI: (category, start, end), merged as the module docstring says."""


def split_of(patient: str) -> str:
    """``"test"`` or ``"dev"``: a deterministic split by patient id."""
    digest = hashlib.sha256(b"clinical-split:" + patient.encode()).digest()
    return "test" if digest[0] < TEST_BELOW else "dev"


MERGED = frozenset({"PTName", "HCPName", "RelativeProxyName", "Location"})
"""Categories whose spans also merge across a period (an initial: ``L. SMITH``)."""


def _merge(text: str, spans: list[tuple[str, int, int]]) -> tuple[tuple[str, int, int], ...]:
    out: list[tuple[str, int, int]] = []
    for cat, s, e in sorted(spans, key=lambda x: (x[1], x[2])):
        if out:
            pcat, ps, pe = out[-1]
            gap = text[pe:s]
            between = " ." if cat in MERGED else " "
            if pcat == cat and s >= pe and len(gap) <= 2 and not gap.strip(between):
                out[-1] = (cat, ps, max(pe, e))
                continue
        out.append((cat, s, e))
    return tuple(out)


def load(folder: Path) -> list[Note]:
    raw = (folder / "notes.text").read_text(encoding="latin-1")
    texts: dict[tuple[str, str], str] = {}
    for chunk in raw.split("START_OF_RECORD=")[1:]:
        header, _, rest = chunk.partition("\n")
        patient, note = header.split("||||")[:2]
        texts[(patient, note)] = rest.split("||||END_OF_RECORD")[0]
    gold: dict[tuple[str, str], list[tuple[str, int, int]]] = {k: [] for k in texts}
    for line in (folder / "notes-phi.phrase").read_text(encoding="latin-1").splitlines():
        parts = line.split(" ", 5)
        if len(parts) < 5:
            continue
        key = (parts[0], parts[1])
        gold.setdefault(key, []).append((parts[4], int(parts[2]), int(parts[3])))
    return [
        Note(p, n, texts[(p, n)], _merge(texts[(p, n)], gold.get((p, n), []))) for (p, n) in texts
    ]


def score(engine: Engine, notes: Sequence[Note], errors: int = 0) -> dict[str, Any]:
    counts = new_counts()
    fp_types: Counter[str] = Counter()
    fn_cats: Counter[str] = Counter()
    shown = 0
    started = time.perf_counter()
    found_all = [engine.detect(n.text) for n in notes]
    elapsed = time.perf_counter() - started
    for note, found in zip(notes, found_all, strict=True):
        gold = [("any", (s, e)) for _, s, e in note.spans]
        pred = [("any", (f.start, f.end)) for f in found]
        before = list(counts["any"])
        tally(gold, pred, counts)
        fp_types.update(_unmatched_types(note, found))
        fn_cats.update(_missed(note, found))
        if errors and shown < errors and counts["any"] != before:
            shown += _show(note, found, errors - shown)
    tp, fp, fn = counts["any"]
    return {
        "notes": len(notes),
        "patients": len({n.patient for n in notes}),
        "phi": tp + fn,
        "findings": tp + fp,
        "type_blind": _prf(tp, fp, fn),
        "false_positive_types": dict(fp_types.most_common()),
        "missed_categories": dict(fn_cats.most_common()),
        "kb_per_s": round(sum(len(n.text) for n in notes) / elapsed / 1e3, 1),
    }


def _iou(a: tuple[int, int], b: tuple[int, int]) -> float:
    inter = max(0, min(a[1], b[1]) - max(a[0], b[0]))
    union = max(a[1], b[1]) - min(a[0], b[0])
    return inter / union if union else 0.0


def _unmatched_types(note: Note, found: Sequence[Finding]) -> list[str]:
    return [
        f.entity
        for f in found
        if not any(_iou((s, e), (f.start, f.end)) >= 0.5 for _, s, e in note.spans)
    ]


def _missed(note: Note, found: Sequence[Finding]) -> list[str]:
    return [
        cat
        for cat, s, e in note.spans
        if not any(_iou((s, e), (f.start, f.end)) >= 0.5 for f in found)
    ]


def _show(note: Note, found: Sequence[Finding], limit: int) -> int:
    n = 0
    for f in found:
        if not any(_iou((s, e), (f.start, f.end)) >= 0.5 for _, s, e in note.spans):
            ctx = note.text[max(0, f.start - 30) : f.end + 30].replace("\n", " ")
            print(f"FP {f.entity:<14} {note.text[f.start : f.end]!r:<30} | {ctx}")
            n += 1
    for cat, s, e in note.spans:
        if not any(_iou((s, e), (f.start, f.end)) >= 0.5 for f in found):
            ctx = note.text[max(0, s - 30) : e + 30].replace("\n", " ")
            print(f"FN {cat:<14} {note.text[s:e]!r:<30} | {ctx}")
            n += 1
    return min(n, limit)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DATA / "clinical_dev")
    parser.add_argument("--split", choices=("dev", "test", "both"), default="both")
    parser.add_argument("--errors", type=int, default=0)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    if not (args.data / "notes.text").is_file():
        print(f"clinical bench skipped: no notes.text in {args.data}")
        return
    notes = load(args.data)
    engine = Engine.default()
    engine.detect("warm up: Ada Lovelace lives in London")
    splits = ("dev", "test") if args.split == "both" else (args.split,)
    out: dict[str, Any] = {}
    for name in splits:
        part = [n for n in notes if split_of(n.patient) == name]
        out[name] = score(engine, part, args.errors if name == "dev" else 0)
    if args.json:
        print(json.dumps(out))
        return
    for name, res in out.items():
        tb = res["type_blind"]
        print(
            f"{name}: {res['patients']} patients, {res['notes']} notes, {res['phi']} PHI, "
            f"{res['findings']} findings | P {tb['precision']:.3f} R {tb['recall']:.3f} "
            f"F1 {tb['f1']:.3f} F2 {tb['f2']:.3f} | {res['kb_per_s']} KB/s"
        )
        print(f"  false positives by type: {res['false_positive_types']}")
        print(f"  missed by category: {res['missed_categories']}")


if __name__ == "__main__":
    main()
