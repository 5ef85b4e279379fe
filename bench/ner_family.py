"""NER model families: the shipped CRF against a spaCy NER pipeline trained from scratch on the
same generated sentences. F1 per entity and type-blind, speed and size on disk, one machine.

    pip install spacy                             # >= 3.7; no spaCy model is downloaded
    python bench/ner_family.py                    # 60,000 sentences, 3 epochs (~15 min, 2 cores)
    python bench/ner_family.py --sentences 20000 --epochs 2     # a quicker run
    python bench/ner_family.py --json             # one JSON object on stdout

Training data: ``scripts/train_ner.py`` main() exactly (training pools, ``SEED``, ``TEMPLATES``,
``composed=True``, PYTHONHASHSEED=0 by re-running itself), converted to spaCy ``Example``s with
``doc.char_span(..., alignment_mode="expand")`` (spans that do not align are skipped and counted).
The spaCy pipeline is ``spacy.blank("en")`` with only ``ner`` (spaCy's default tok2vec + CNN
architecture, randomly initialised: no pretrained vectors), trained with ``nlp.update`` on
``compounding`` minibatches, seeded with ``spacy.util.fix_random_seed``. The CRF is the shipped
model (``BuiltinBackend()``); it is not retrained here.

Evaluation, NER output only (no pattern detectors): the dev set
``../shared/data/pii_text_dev/generated_large.json``, and bench/ner.py's unseen sentences
(held-out templates and values) in original case and all caps. Spans match as in
bench/accuracy.py (same type, IoU >= 0.5, one to one); gold ADDRESS counts as STREET_ADDRESS.
The shipped CRF's gazetteers hold every generated value, the held-out ones too, so on the unseen
sets ``crf_train_lexicon`` also scores the CRF with its lexicon rebuilt from the training values
alone (as bench/ner.py's ``unseen_names``): the fair comparison with a model that never saw the
held-out values. Speed: dev texts, one process, after a warm-up; spaCy with
``nlp.pipe(texts, batch_size=64)`` and one text at a time, the CRF with ``predict(text)``.
Progress goes to stderr.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import tempfile
import time
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent / "scripts"))

from accuracy import DATA, _prf, new_counts, tally  # noqa: E402
from dataward.detect.ner.builtin import MODEL_DIR, BuiltinBackend  # noqa: E402
from ner import _fixed_hash_seed, _training_values_only, synthetic  # noqa: E402

ENTITIES = ("PERSON", "LOCATION", "STREET_ADDRESS", "ORGANIZATION")
SPACY_TO_ENTITY = {
    "PER": "PERSON",
    "LOC": "LOCATION",
    "ADDR": "STREET_ADDRESS",
    "ORG": "ORGANIZATION",
}
GOLD_TO_ENTITY = {
    "PERSON": "PERSON",
    "LOCATION": "LOCATION",
    "ADDRESS": "STREET_ADDRESS",
    "STREET_ADDRESS": "STREET_ADDRESS",
    "ORGANIZATION": "ORGANIZATION",
}
Record = dict[str, Any]
Found = list[tuple[int, int, str]]
"""Predicted spans of one text: (start, end, entity), entity one of ENTITIES."""


def log(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


# -- training ------------------------------------------------------------------------------------


def training_sentences(n: int) -> list[tuple[str, list[tuple[int, int, str]]]]:
    """The sentences scripts/train_ner.py main() trains the CRF on (its first ``n``)."""
    import train_ner

    pools = train_ner.collect_pools()
    train_pools, _held = pools.split()
    return list(
        train_ner.generate(train_pools, n, train_ner.SEED, train_ner.TEMPLATES, composed=True)
    )


def to_examples(nlp: Any, data: Iterable[tuple[str, list[tuple[int, int, str]]]]) -> tuple:
    """spaCy Examples of ``data``; also the counts of spans kept, not aligned and overlapping."""
    from spacy.training import Example
    from spacy.util import filter_spans

    examples = []
    kept = unaligned = overlapping = 0
    for text, spans in data:
        pred = nlp.make_doc(text)
        ref = nlp.make_doc(text)
        ents = []
        for start, end, label in spans:
            span = ref.char_span(start, end, label=label, alignment_mode="expand")
            if span is None:
                unaligned += 1
            else:
                ents.append(span)
        clean = filter_spans(ents)
        overlapping += len(ents) - len(clean)
        kept += len(clean)
        ref.ents = clean
        examples.append(Example(pred, ref))
    return examples, {"kept": kept, "unaligned": unaligned, "overlapping": overlapping}


def train_spacy(
    examples: list[Any], epochs: int, seed: int, dropout: float
) -> tuple[Any, list[dict[str, float]]]:
    import spacy
    from spacy.util import compounding, minibatch

    spacy.util.fix_random_seed(seed)
    nlp = spacy.blank("en")
    ner = nlp.add_pipe("ner")
    for label in SPACY_TO_ENTITY:
        ner.add_label(label)
    started = time.perf_counter()
    optimizer = nlp.initialize(lambda: examples[:2000])
    log(f"spacy: initialized in {time.perf_counter() - started:.1f}s")
    rng = random.Random(seed)
    history = []
    order = list(examples)
    for epoch in range(1, epochs + 1):
        t0 = time.perf_counter()
        rng.shuffle(order)
        losses: dict[str, float] = {}
        done = 0
        for batch in minibatch(order, size=compounding(4.0, 32.0, 1.001)):
            nlp.update(batch, drop=dropout, sgd=optimizer, losses=losses)
            done += len(batch)
            if done % 10000 < len(batch):
                log(
                    f"  epoch {epoch}: {done}/{len(order)} sentences, "
                    f"ner loss {losses.get('ner', 0.0):.1f}, {time.perf_counter() - t0:.0f}s"
                )
        wall = time.perf_counter() - t0
        loss = round(float(losses.get("ner", 0.0)), 1)
        history.append({"epoch": epoch, "ner_loss": loss, "s": wall})
        log(f"spacy: epoch {epoch}/{epochs} ner loss {loss} in {wall:.0f}s")
    return nlp, history


# -- scoring -------------------------------------------------------------------------------------


def gold_of(rec: Record) -> Found:
    return [
        (s["start_position"], s["end_position"], GOLD_TO_ENTITY[s["entity_type"]])
        for s in rec["spans"]
        if s["entity_type"] in GOLD_TO_ENTITY
    ]


def score(records: Sequence[Record], found: Sequence[Found]) -> dict[str, Any]:
    """Per-entity and type-blind P/R/F1 (same type, IoU >= 0.5, one to one)."""
    counts, blind = new_counts(), new_counts()
    for rec, pred in zip(records, found, strict=True):
        gold = gold_of(rec)
        tally([(g, (s, e)) for s, e, g in gold], [(p, (s, e)) for s, e, p in pred], counts)
        tally([("any", (s, e)) for s, e, _ in gold], [("any", (s, e)) for s, e, _ in pred], blind)
    return {
        "records": len(records),
        "per_entity": {
            e: {**_prf(*counts[e]), "support": counts[e][0] + counts[e][2]} for e in ENTITIES
        },
        "type_blind": _prf(*blind["any"]),
    }


def crf_predict(backend: BuiltinBackend) -> Callable[[Sequence[str]], list[Found]]:
    def run(texts: Sequence[str]) -> list[Found]:
        return [
            [(s, e, ent) for s, e, ent, _score in backend.predict(t) if ent in ENTITIES]
            for t in texts
        ]

    return run


def spacy_predict(nlp: Any) -> Callable[[Sequence[str]], list[Found]]:
    def run(texts: Sequence[str]) -> list[Found]:
        return [
            [(ent.start_char, ent.end_char, SPACY_TO_ENTITY[ent.label_]) for ent in doc.ents]
            for doc in nlp.pipe(texts, batch_size=64)
        ]

    return run


# -- speed and size ------------------------------------------------------------------------------


def timed(fn: Callable[[], object], texts: Sequence[str], repeat: int) -> dict[str, float]:
    nbytes = sum(len(t.encode()) for t in texts) * repeat
    started = time.perf_counter()
    for _ in range(repeat):
        fn()
    elapsed = time.perf_counter() - started
    return {
        "records_per_s": round(len(texts) * repeat / elapsed, 1),
        "mb_per_s": round(nbytes / elapsed / 1e6, 4),
    }


def speed(nlp: Any, crf: BuiltinBackend, texts: Sequence[str], repeat: int) -> dict[str, Any]:
    nlp("warm up: Ada Lovelace lives in London")
    list(nlp.pipe(texts[:64], batch_size=64))
    crf.predict("warm up: Ada Lovelace lives in London")

    def pipe() -> None:
        for _ in nlp.pipe(texts, batch_size=64):
            pass

    def one_by_one() -> None:
        for t in texts:
            nlp(t)

    def crf_run() -> None:
        for t in texts:
            crf.predict(t)

    return {
        "spacy_pipe_batch64": timed(pipe, texts, repeat),
        "spacy_one_text": timed(one_by_one, texts, repeat),
        "crf_predict": timed(crf_run, texts, repeat),
    }


def folder_bytes(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())


# -- output --------------------------------------------------------------------------------------


def _table(name: str, results: dict[str, dict[str, Any]]) -> None:
    models = list(results)
    n = next(iter(results.values()))["records"]
    print(f"== {name} ({n} records): P / R / F1 ==")
    print(f"{'entity':<16}{'support':>8}" + "".join(f"{m:>26}" for m in models))
    for e in (*ENTITIES, "type-blind"):
        row = ""
        for m in models:
            res = results[m]
            v = res["type_blind"] if e == "type-blind" else res["per_entity"][e]
            row += f"{v['precision']:>10.3f}{v['recall']:>8.3f}{v['f1']:>8.3f}"
        support = "" if e == "type-blind" else results[models[0]]["per_entity"][e]["support"]
        print(f"{e:<16}{support!s:>8}{row}")
    print()


def main() -> None:
    _fixed_hash_seed()
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sentences", type=int, default=60000, help="training sentences")
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--dropout", type=float, default=0.2)
    parser.add_argument("--seed", type=int, default=0, help="spaCy's random seed")
    parser.add_argument("--synthetic", type=int, default=2000, help="0 skips the unseen sets")
    parser.add_argument("--repeat", type=int, default=2, help="passes over the dev texts (speed)")
    parser.add_argument("--data", type=Path, default=DATA)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()

    import spacy

    t0 = time.perf_counter()
    data = training_sentences(args.sentences)
    t_gen = time.perf_counter() - t0
    log(f"generated {len(data)} training sentences in {t_gen:.0f}s")
    t1 = time.perf_counter()
    examples, align = to_examples(spacy.blank("en"), data)
    n_tokens = sum(len(ex.reference) for ex in examples)
    log(f"converted in {time.perf_counter() - t1:.0f}s: {n_tokens} spaCy tokens, spans {align}")
    t2 = time.perf_counter()
    nlp, history = train_spacy(examples, args.epochs, args.seed, args.dropout)
    t_train = time.perf_counter() - t2
    log(f"spacy trained in {t_train:.0f}s")
    del examples, data

    crf = BuiltinBackend()
    models: dict[str, Callable[[Sequence[str]], list[Found]]] = {
        "crf": crf_predict(crf),
        "spacy": spacy_predict(nlp),
    }
    dev = json.loads(
        (args.data / "pii_text_dev" / "generated_large.json").read_text(encoding="utf-8")
    )
    sets: dict[str, list[Record]] = {"dev": dev}
    if args.synthetic:
        sets["unseen"] = synthetic(args.synthetic, 99, upper=False)
        sets["unseen_all_caps"] = synthetic(args.synthetic, 99, upper=True)
    evals: dict[str, dict[str, Any]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        crf_train_lex = crf_predict(BuiltinBackend(_training_values_only(None, Path(tmp))))
        for name, records in sets.items():
            texts = [r["full_text"] for r in records]
            evals[name] = {m: score(records, fn(texts)) for m, fn in models.items()}
            if name != "dev":
                evals[name]["crf_train_lexicon"] = score(records, crf_train_lex(texts))
            log(f"scored {name}")

    texts = [r["full_text"] for r in dev]
    speeds = speed(nlp, crf, texts, args.repeat)
    with tempfile.TemporaryDirectory() as tmp:
        nlp.to_disk(tmp)
        spacy_bytes = folder_bytes(Path(tmp))
    out: dict[str, Any] = {
        "versions": {"spacy": spacy.__version__, "python": sys.version.split()[0]},
        "training": {
            "sentences": args.sentences,
            "epochs": args.epochs,
            "dropout": args.dropout,
            "seed": args.seed,
            "spacy_tokens": n_tokens,
            "spans": align,
            "generate_s": round(t_gen, 1),
            "train_s": round(t_train, 1),
            "epochs_log": [{**h, "s": round(h["s"], 1)} for h in history],
        },
        "eval": evals,
        "speed_dev": {
            "records": len(texts),
            "bytes": sum(len(t.encode()) for t in texts),
            **speeds,
        },
        "size_bytes": {"spacy": spacy_bytes, "crf": folder_bytes(MODEL_DIR)},
    }
    if args.json:
        print(json.dumps(out))
        return
    tr = out["training"]
    print(
        f"spaCy {spacy.__version__} blank('en') + ner, from scratch: {tr['sentences']} sentences "
        f"({tr['spacy_tokens']} tokens), {tr['epochs']} epochs, dropout {tr['dropout']}, "
        f"trained in {tr['train_s']:.0f}s; CRF: shipped model"
    )
    print(
        "epochs: "
        + ", ".join(f"{h['epoch']}: loss {h['ner_loss']} ({h['s']:.0f}s)" for h in history)
    )
    print()
    for name, results in evals.items():
        _table(name, results)
    sp = out["speed_dev"]
    print(f"== speed: dev texts ({sp['records']} records, {sp['bytes']} bytes), one process ==")
    for key in ("crf_predict", "spacy_pipe_batch64", "spacy_one_text"):
        print(f"{key:<22}{sp[key]['records_per_s']:>10.1f} rec/s{sp[key]['mb_per_s']:>10.4f} MB/s")
    sz = out["size_bytes"]
    print(
        f"size on disk: crf {sz['crf'] / 1e6:.2f} MB (model/ folder), "
        f"spacy {sz['spacy'] / 1e6:.2f} MB (nlp.to_disk)"
    )


if __name__ == "__main__":
    main()
