"""NER quality and speed: the dev set, unseen synthetic sentences, their all-caps variant and
synthetic all-caps clinical notes.

    python bench/ner.py                 # tables
    python bench/ner.py --json          # one JSON object
    python bench/ner.py --model DIR     # another built-in model folder (scripts/train_ner.py --out)

Span matching as in bench/accuracy.py (same type, IoU >= 0.5, one to one); gold ADDRESS counts as
STREET_ADDRESS. "Type-blind" counts a predicted span of any NER type over a gold NER span.
Speed: records/s and MB/s of the whole engine (every detector) with NER on and off, same run.
The unseen set needs Faker, pycountry and wordfreq (the ``ner-train`` extra): it uses the
templates and values that scripts/train_ner.py holds out of its training sentences. The shipped
gazetteers hold every value and Faker's whole name lists, so ``unseen_names`` scores the same
sentences with the model's lexicon rebuilt from the training values alone: there, the names,
places and companies are words no gazetteer holds. The clinical notes
(``clinical``) are synthetic, not real notes: lines from CLINICAL_TEMPLATES below (none is a
training template) filled with held-out values, upper-cased; report the type-blind F2.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent / "scripts"))

from accuracy import DATA, _label_of, _prf, new_counts, tally  # noqa: E402
from dataward.detect import Engine  # noqa: E402
from dataward.detect.detectors import load_builtins  # noqa: E402
from dataward.detect.ner import NerDetector  # noqa: E402
from dataward.detect.ner.builtin import BuiltinBackend  # noqa: E402
from dataward.detect.registry import detectors  # noqa: E402

NER_LABELS = ("PERSON", "LOCATION", "ADDRESS", "ORGANIZATION")
TRAIN_TO_GOLD = {"PER": "PERSON", "LOC": "LOCATION", "ADDR": "ADDRESS", "ORG": "ORGANIZATION"}
Record = dict[str, Any]


def engines(model: Path | None) -> tuple[Engine, Engine]:
    """(NER on, NER off): every registered detector, with and without the NER detector."""
    load_builtins()
    others = [detectors.get(n) for n in detectors.names() if n != "ner"]
    ner = NerDetector(BuiltinBackend(model))
    return Engine([*others, ner]), Engine(others)


def score(engine: Engine, records: Sequence[Record]) -> dict[str, Any]:
    counts, blind = new_counts(), new_counts()
    nbytes = 0
    started = time.perf_counter()
    preds = []
    for rec in records:
        preds.append(engine.detect(rec["full_text"]))
    elapsed = time.perf_counter() - started
    for rec, found in zip(records, preds, strict=True):
        nbytes += len(rec["full_text"].encode())
        gold = [(s["entity_type"], (s["start_position"], s["end_position"])) for s in rec["spans"]]
        pred = [(_label_of(f.entity), (f.start, f.end)) for f in found]
        tally(gold, pred, counts)
        # type-blind over the NER types
        tally(
            [("any", sp) for lab, sp in gold if lab in NER_LABELS],
            [("any", sp) for lab, sp in pred if lab in NER_LABELS],
            blind,
        )
    per = {
        label: {**_prf(*counts[label]), "support": counts[label][0] + counts[label][2]}
        for label in NER_LABELS
    }
    return {
        "records": len(records),
        "records_per_s": round(len(records) / elapsed),
        "mb_per_s": round(nbytes / elapsed / 1e6, 3),
        "per_entity": per,
        "type_blind": _prf(*blind["any"]),
    }


def synthetic(n: int, seed: int, upper: bool) -> list[Record]:
    """Unseen-like records: held-out templates and values of scripts/train_ner.py."""
    import train_ner

    pools = train_ner.collect_pools()
    _train, held = pools.split()
    out: list[Record] = []
    for text, spans in train_ner.generate(
        held, n, seed, train_ner.HELDOUT_TEMPLATES, recase=not upper
    ):
        shown = text.upper() if upper else text
        out.append(
            {
                "full_text": shown,
                "spans": [
                    {
                        "entity_type": TRAIN_TO_GOLD[lab],
                        "start_position": s,
                        "end_position": e,
                    }
                    for s, e, lab in spans
                ],
            }
        )
    return out


CLINICAL_TEMPLATES = [
    "{AGE} YO {SEX} PRESENTING TO {HOSP} WITH {DX}.",
    "PT WAS SEEN IN THE ED BY {DOC} WHO RECOMMENDED ADMISSION.",
    "HISTORY OBTAINED FROM PT AND HIS WIFE {FIRST}.",
    "PT IS A {AGE} YEAR OLD {SEX} FROM {CITY} WITH PMH OF {DX} AND {DX}.",
    "TRANSFERRED TO {HOSP} IN {CITY} FOR HIGHER LEVEL OF CARE.",
    "CASE DISCUSSED WITH {DOC}, ON CALL FOR CARDIOLOGY.",
    "PT'S DAUGHTER {PER} IS HCP, PHONE {PHONE}.",
    "PREVIOUSLY FOLLOWED BY {DOC} AT {HOSP}.",
    "RECENT TRIP TO {COUNTRY}. NO SICK CONTACTS.",
    "STARTED ON {DRUG}. WILL F/U WITH {DOC} IN CLINIC.",
    "SOCIAL: LIVES ALONE IN {CITY}, {REGION}. FORMER {JOB}.",
    "NURSING NOTE: PT RESTING COMFORTABLY. {DX} STABLE.",
    "VITALS STABLE, AFEBRILE. EXAM UNREMARKABLE.",
    "ASSESSMENT AND PLAN: {DX}, CONTINUE {DRUG}.",
    "MR. {LAST} TOLERATED THE PROCEDURE WELL.",
    "PATIENT NAME: {PER}",
    "ADDRESS: {ADDRESS}",
    "NOTE WRITTEN BY {DOC} FOR {PER}.",
    "PT HAS BEEN CARED FOR AT {HOSP} SINCE {DATE}.",
    "LABS NOTABLE FOR ANEMIA. CXR WITHOUT INFILTRATE.",
]
"""Clinical-note lines for the synthetic notes (none is a training template)."""


def clinical(n: int, seed: int) -> list[Record]:
    """Synthetic all-caps clinical notes: 3-6 lines each from CLINICAL_TEMPLATES, held-out
    values of scripts/train_ner.py (names, cities, hospitals made from them). Not real notes."""
    import random

    import train_ner

    pools = train_ner.collect_pools()
    _train, held = pools.split()
    rng = random.Random(seed)
    lines = list(train_ner.generate(held, n * 6, seed, CLINICAL_TEMPLATES, recase=False))
    out: list[Record] = []
    k = 0
    for _ in range(n):
        parts: list[str] = []
        spans: list[dict[str, Any]] = []
        pos = 0
        for _ in range(rng.randint(3, 6)):
            text, sp = lines[k % len(lines)]
            k += 1
            if parts:
                sep = rng.choice([" ", "\n"])
                parts.append(sep)
                pos += len(sep)
            spans.extend(
                {
                    "entity_type": TRAIN_TO_GOLD[lab],
                    "start_position": pos + s,
                    "end_position": pos + e,
                }
                for s, e, lab in sp
            )
            parts.append(text)
            pos += len(text)
        out.append({"full_text": "".join(parts).upper(), "spans": spans})
    return out


def speed(engine: Engine, texts: Sequence[str], repeat: int = 2) -> dict[str, float]:
    nbytes = sum(len(t.encode()) for t in texts) * repeat
    started = time.perf_counter()
    for _ in range(repeat):
        for t in texts:
            engine.detect(t)
    elapsed = time.perf_counter() - started
    return {
        "records_per_s": round(len(texts) * repeat / elapsed),
        "mb_per_s": round(nbytes / elapsed / 1e6, 3),
    }


def _table(name: str, res: dict[str, Any]) -> None:
    print(f"== {name} ({res['records']} records) ==")
    print(f"{'entity':<16}{'P':>7}{'R':>7}{'F1':>7}{'F2':>7}{'support':>9}")
    for label, m in res["per_entity"].items():
        print(
            f"{label:<16}{m['precision']:>7.3f}{m['recall']:>7.3f}{m['f1']:>7.3f}"
            f"{m['f2']:>7.3f}{m['support']:>9}"
        )
    tb = res["type_blind"]
    print(
        f"{'type-blind':<16}{tb['precision']:>7.3f}{tb['recall']:>7.3f}{tb['f1']:>7.3f}{tb['f2']:>7.3f}"
    )


def _fixed_hash_seed() -> None:
    """Re-run under PYTHONHASHSEED=0: some Faker providers iterate over sets, so string hashing
    must be fixed for the generated values to repeat exactly."""
    if os.environ.get("PYTHONHASHSEED") != "0":
        os.environ["PYTHONHASHSEED"] = "0"
        os.execv(sys.executable, [sys.executable, *sys.argv])


def _training_values_only(model: Path | None, folder: Path) -> Path:
    """A copy of ``model`` whose lexicon holds the training values alone: the held-out names,
    places and companies of the unseen set are words no gazetteer holds there."""
    import train_ner

    source = model or BuiltinBackend().model
    shutil.copy(source / "crf.bin", folder / "crf.bin")
    train, _held = train_ner.collect_pools().split()
    train_ner.save_lexicon(folder, train_ner.build_lexicon(train), train_ner.build_freq())
    return folder


def main() -> None:
    _fixed_hash_seed()
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--data", type=Path, default=DATA)
    parser.add_argument("--model", type=Path, default=None)
    parser.add_argument("--synthetic", type=int, default=2000, help="0 skips the unseen sets")
    args = parser.parse_args()
    on, off = engines(args.model)
    dev = json.loads(
        (args.data / "pii_text_dev" / "generated_large.json").read_text(encoding="utf-8")
    )
    on.detect("warm up: Ada Lovelace lives in London")
    out: dict[str, Any] = {"dev": score(on, dev)}
    if args.synthetic:
        unseen = synthetic(args.synthetic, 99, upper=False)
        out["unseen"] = score(on, unseen)
        with tempfile.TemporaryDirectory() as folder:
            out["unseen_names"] = score(
                engines(_training_values_only(args.model, Path(folder)))[0], unseen
            )
        out["unseen_all_caps"] = score(on, synthetic(args.synthetic, 99, upper=True))
        out["clinical_synthetic"] = score(on, clinical(args.synthetic // 4, 4242))
    texts = [r["full_text"] for r in dev]
    out["speed"] = {"ner_on": speed(on, texts), "ner_off": speed(off, texts)}
    if args.json:
        print(json.dumps(out))
        return
    for key in ("dev", "unseen", "unseen_names", "unseen_all_caps", "clinical_synthetic"):
        if key in out:
            _table(key, out[key])
    s = out["speed"]
    print(
        f"speed (dev records): NER on {s['ner_on']['records_per_s']} rec/s "
        f"{s['ner_on']['mb_per_s']} MB/s; off {s['ner_off']['records_per_s']} rec/s "
        f"{s['ner_off']['mb_per_s']} MB/s"
    )


if __name__ == "__main__":
    main()
