"""The built-in NER model: a linear-chain CRF shipped in ``model/``, run with python-crfsuite.

Runtime dependencies: the standard library and ``pycrfsuite`` (a small compiled wheel). The model
folder holds ``crf.bin`` (the CRF), ``lexicon.json.gz`` (gazetteers and word-frequency bands) and
``meta.json`` (how it was trained and its scores); ``scripts/train_ner.py`` writes all three.
"""

from __future__ import annotations

import gzip
import json
import os
from pathlib import Path
from typing import Any

from dataward import scope
from dataward.detect.ner import rules
from dataward.detect.ner.backends import Span
from dataward.detect.ner.features import Featurizer, Lexicon, case_mode, tokenize
from dataward.errors import ConfigError

MODEL_DIR = Path(__file__).resolve().parent / "model"

ENTITY_OF = {
    "PER": "PERSON",
    "LOC": "LOCATION",
    "ADDR": "STREET_ADDRESS",
    "ORG": "ORGANIZATION",
}
MAX_TOKENS = 256
"""Longer texts are tagged in windows of about this many tokens, cut at line or sentence ends."""


def load_lexicon(folder: Path) -> Lexicon:
    with gzip.open(folder / "lexicon.json.gz", "rb") as fh:
        payload = json.loads(fh.read().decode("utf-8"))
    gaz = {k: frozenset(v) for k, v in payload["gazetteers"].items()}
    freq = {w: int(band) for band, words in payload["freq_bands"].items() for w in words}
    kinds: dict[str, list[str]] = {}
    for kind, keys in sorted(payload.get("phrases", {}).items()):
        for key in keys:
            kinds.setdefault(key, []).append(kind)
    return Lexicon(gaz, freq, {k: tuple(v) for k, v in kinds.items()})


class _Loaded:
    __slots__ = ("featurizer", "lexicon", "tagger")

    def __init__(self, folder: Path) -> None:
        try:
            import pycrfsuite  # type: ignore[import-untyped]
        except ImportError:  # pragma: no cover - a core dependency
            raise ConfigError(
                "the built-in NER model needs python-crfsuite: pip install python-crfsuite"
            ) from None
        model = folder / "crf.bin"
        if not model.is_file():
            raise ConfigError(f"no built-in NER model at {str(folder)!r} (crf.bin missing)")
        self.lexicon = load_lexicon(folder)
        self.featurizer = Featurizer(self.lexicon)
        self.tagger: Any = pycrfsuite.Tagger()
        self.tagger.open(str(model))


def _loaded(folder: Path) -> _Loaded:
    """The model in ``folder``, loaded once per runtime (never changed once loaded: runtimes
    that share compiled engines share it too, see :attr:`dataward.scope.Scope.share`)."""
    key = f"{scope.SHARED}ner.builtin:{os.fspath(folder)}"
    return scope.current().get(key, lambda: _Loaded(folder))


class BuiltinBackend:
    """The shipped CRF (or one trained by ``scripts/train_ner.py --out FOLDER``)."""

    name = "builtin"

    def __init__(self, model: str | os.PathLike[str] | None = None) -> None:
        self.model = Path(model) if model else MODEL_DIR

    def __getstate__(self) -> dict[str, Any]:
        return {"model": self.model}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.model = state["model"]

    @property
    def lexicon(self) -> Lexicon:
        return _loaded(self.model).lexicon

    def predict(self, text: str) -> list[Span]:
        m = _loaded(self.model)
        toks = tokenize(text)
        if not toks:
            return []
        out: list[Span] = []
        start = 0
        while start < len(toks):
            end = _window_end(toks, start)
            out.extend(self._tag(m, toks[start:end]))
            start = end
        return out

    def _tag(self, m: _Loaded, toks: list[tuple[str, int, int]]) -> list[Span]:
        words = [t for t, _, _ in toks]
        lex = m.lexicon
        places = m.featurizer.places([w.lower() for w in words])
        mode = case_mode(words)
        tagger = m.tagger
        tagger.set(m.featurizer.features(words, places, mode))
        labels: list[str] = tagger.tag()
        rules.after_titles(lex, words, labels, mode)
        rules.chat_names(lex, words, labels)
        rules.countries(lex, words, labels, mode, places)
        ruled = rules.organizations(words, labels, mode)
        if all(lab == "O" for lab in labels):
            return []
        found: list[tuple[int, int, str, float]] = []
        i, n = 0, len(labels)
        while i < n:
            lab = labels[i]
            if lab == "O":
                i += 1
                continue
            kind = lab[2:]
            j = i + 1
            while j < n and labels[j] == "I-" + kind:
                j += 1
            for a, b in rules.pieces(lex, words, i, j, kind, mode):
                score = sum(
                    rules.RULE_SCORE if k in ruled else tagger.marginal(labels[k], k)
                    for k in range(a, b)
                ) / (b - a)
                entity = ENTITY_OF[kind]
                if (
                    (kind == "ORG" and rules.person_like(lex, words[a:b]))
                    or (kind == "LOC" and rules.name_not_place(lex, words[a:b]))
                    or (  # a "street" of names with no number: Nguyễn Văn An
                        kind == "ADDR"
                        and not any(ch.isdigit() for w in words[a:b] for ch in w)
                        and (
                            rules.person_like(lex, words[a:b])
                            or rules.names_only(lex, words[a:b], mode)
                        )
                    )
                ):
                    entity = "PERSON"
                elif kind == "ADDR" and a > 0 and rules.house_number(words[a - 1]):
                    a -= 1  # "14 Birch Lane": the number the model left out
                found.append((a, b, entity, score))
            i = j
        rules.towns_in_blocks(lex, words, found)
        joined = rules.join_blocks(words, found)
        return [(toks[a][1], toks[b - 1][2], e, sc) for a, b, e, sc in joined]


def _window_end(toks: list[tuple[str, int, int]], start: int) -> int:
    end = min(len(toks), start + MAX_TOKENS)
    if end == len(toks):
        return end
    for k in range(end - 1, start + MAX_TOKENS // 2, -1):
        if toks[k][0] in rules.BREAKS:
            return k + 1
    return end
