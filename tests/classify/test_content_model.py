"""The content model file, its generated corpus and its training script."""

from __future__ import annotations

import importlib.util
import sys
from importlib.resources import files
from pathlib import Path
from types import ModuleType

from dataward.classify.content_corpus import generate
from dataward.classify.content_model import CLASS_NAMES, MODEL_FILE, Sample, bundled_model, top

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "train_content.py"


def _script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("train_content", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["train_content"] = module
    spec.loader.exec_module(module)
    return module


def test_the_shipped_model_is_small_and_complete() -> None:
    path = files("dataward.classify").joinpath("data", MODEL_FILE)
    assert len(path.read_bytes()) < 2_000_000
    model = bundled_model()
    assert model.classes == CLASS_NAMES
    assert model.temperature >= 0.5
    probs = model.probabilities({"bias:1": 1.0})
    assert abs(sum(probs.values()) - 1) < 1e-9 and len(top(probs)) >= 1


def test_the_corpus_is_deterministic_and_held_out_documents_differ() -> None:
    a, b = generate(3, seed=5), generate(3, seed=5)
    assert [(d.name, d.data) for d in a] == [(d.name, d.data) for d in b]
    assert sorted({d.label for d in a}) == sorted(CLASS_NAMES)
    train = {d.data for d in generate(20, seed=1)}
    held = generate(20, seed=1, holdout=True)
    assert not train & {d.data for d in held}


def test_training_is_deterministic() -> None:
    mod = _script()
    feats, labels = mod.featurize(2, seed=1, holdout=False)
    again, labels2 = mod.featurize(2, seed=1, holdout=False)
    assert feats == again and labels == labels2
    vocab = {n: i for i, n in enumerate(sorted({k for f in feats for k in f}))}
    import numpy as np

    x, y = mod.matrix(feats, vocab), np.array(labels)
    w1 = mod.fit(x, y, len(CLASS_NAMES), 1e-4, 30)
    w2 = mod.fit(x, y, len(CLASS_NAMES), 1e-4, 30)
    assert (w1 == w2).all() and (np.argmax(x @ w1, 1) == y).mean() > 0.9


def test_features_of_hostile_text_stay_bounded() -> None:
    from dataward.classify.content_model import features

    text = "[" * 200_000 + "a:" * 100_000 + "\n" * 50_000
    feats = features(Sample("x.txt", "text", (), text))
    assert all(0.0 <= v <= 1.0 for k, v in feats.items() if k.startswith(("s:", "p:")))
