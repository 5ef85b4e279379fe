"""Train the content model (``src/dataward/classify/data/content_model.json``).

    .venv/bin/python scripts/train_content.py [--per-class 260] [--out PATH]

Deterministic: the corpus (:mod:`dataward.classify.content_corpus`) is generated from fixed
seeds, files are read through Dataward's own readers (as a scan reads them), the features are
those the scan computes, and the model is a multinomial logistic regression fitted by full-batch
gradient descent with Adam in numpy on one thread (no random initialisation: weights start at
zero). Then:

1. features seen in fewer than ``--min-df`` training documents are dropped (a smaller file);
2. the temperature is fitted on a calibration set (seed 2, held-out pools: documents unlike
   the training ones, as real files are) by grid search on its log-loss, so a confidence of
   0.9 means about nine in ten right; the temperature is kept at 0.5 or more, since generated
   documents are easier than real ones and a sharper model would claim certainty on files
   unlike any it saw;
3. accuracy on a held-out set (seed 3, the other half of every pool, other stdlib files) is
   printed and stored in the model's ``metrics``.

numpy is needed here only (pyarrow's companion); scoring at run time is plain Python.
"""

from __future__ import annotations

import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("OMP_NUM_THREADS", "1")

import argparse
import json
import tempfile
from pathlib import Path

import numpy as np

from dataward.classify.content import sample_file
from dataward.classify.content_corpus import generate, write
from dataward.classify.content_model import CLASS_NAMES, Model, features

OUT = Path(__file__).resolve().parent.parent / "src/dataward/classify/data/content_model.json"


def featurize(per_class: int, seed: int, holdout: bool) -> tuple[list[dict[str, float]], list[int]]:
    docs = generate(per_class, seed, holdout=holdout)
    with tempfile.TemporaryDirectory() as tmp:
        pairs = write(docs, Path(tmp))
        feats = []
        for path, _label in pairs:
            sampler, fmt = sample_file(path)
            feats.append(features(sampler.sample(path.name, fmt)))
    return feats, [CLASS_NAMES.index(d.label) for d in docs]


def matrix(feats: list[dict[str, float]], vocab: dict[str, int]) -> np.ndarray:
    x = np.zeros((len(feats), len(vocab)), dtype=np.float64)
    for i, f in enumerate(feats):
        for k, v in f.items():
            j = vocab.get(k)
            if j is not None:
                x[i, j] = v
    return x


def softmax(z: np.ndarray) -> np.ndarray:
    z = z - z.max(axis=1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=1, keepdims=True)


def fit(x: np.ndarray, y: np.ndarray, classes: int, l2: float, steps: int) -> np.ndarray:
    n, d = x.shape
    w = np.zeros((d, classes))
    onehot = np.eye(classes)[y]
    m = np.zeros_like(w)
    v = np.zeros_like(w)
    lr, b1, b2 = 0.05, 0.9, 0.999
    for t in range(1, steps + 1):
        p = softmax(x @ w)
        grad = x.T @ (p - onehot) / n + l2 * w
        m = b1 * m + (1 - b1) * grad
        v = b2 * v + (1 - b2) * grad * grad
        w -= lr * (m / (1 - b1**t)) / (np.sqrt(v / (1 - b2**t)) + 1e-8)
    return w


def nll(logits: np.ndarray, y: np.ndarray, t: float) -> float:
    p = softmax(logits / t)
    return float(-np.log(p[np.arange(len(y)), y] + 1e-12).mean())


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--per-class", type=int, default=260)
    ap.add_argument("--min-df", type=int, default=4)
    ap.add_argument("--l2", type=float, default=1e-4)
    ap.add_argument("--steps", type=int, default=400)
    ap.add_argument("--out", type=Path, default=OUT)
    args = ap.parse_args()
    k = len(CLASS_NAMES)
    train_f, train_y = featurize(args.per_class, seed=1, holdout=False)
    df: dict[str, int] = {}
    for f in train_f:
        for name in f:
            df[name] = df.get(name, 0) + 1
    names = sorted(n for n, c in df.items() if c >= args.min_df)
    vocab = {n: i for i, n in enumerate(names)}
    x, y = matrix(train_f, vocab), np.array(train_y)
    w = fit(x, y, k, args.l2, args.steps)
    print(
        f"train: {len(y)} documents, {len(vocab)} features, accuracy "
        f"{(np.argmax(x @ w, 1) == y).mean():.3f}"
    )
    cal_f, cal_y = featurize(max(40, args.per_class // 4), seed=2, holdout=True)
    cal_logits, cal = matrix(cal_f, vocab) @ w, np.array(cal_y)
    temps = [round(0.5 + 0.05 * i, 2) for i in range(90)]
    temperature = min(temps, key=lambda t: nll(cal_logits, cal, t))
    print(
        f"calibration: temperature {temperature}, log-loss {nll(cal_logits, cal, 1.0):.3f} -> "
        f"{nll(cal_logits, cal, temperature):.3f}"
    )
    test_f, test_y = featurize(max(40, args.per_class // 4), seed=3, holdout=True)
    tl, ty = matrix(test_f, vocab) @ w, np.array(test_y)
    acc = float((np.argmax(tl, 1) == ty).mean())
    print(f"held-out: {len(ty)} documents, accuracy {acc:.3f}")
    # keep features with any weight that matters (a smaller file, the same scores to 1e-3)
    keep = {n: [float(v) for v in w[i]] for n, i in vocab.items() if np.abs(w[i]).max() >= 2e-3}
    model = Model(
        {
            "version": f"content-1 ({len(train_y)} documents, seed 1)",
            "classes": list(CLASS_NAMES),
            "temperature": temperature,
            "metrics": {"train_documents": len(train_y), "heldout_accuracy": round(acc, 4)},
            "weights": keep,
        }
    )
    args.out.parent.mkdir(parents=True, exist_ok=True)
    tmp = args.out.with_suffix(".tmp")
    tmp.write_text(json.dumps(model.to_dict(), separators=(",", ":")) + "\n", "utf-8")
    tmp.replace(args.out)
    print(f"wrote {args.out} ({args.out.stat().st_size / 1e6:.2f} MB, {len(keep)} features)")


if __name__ == "__main__":
    main()
