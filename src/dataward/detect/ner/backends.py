"""NER backends: the built-in CRF, and spaCy, GLiNER and Hugging Face models from a local path.

A backend turns a text into entity spans ``(start, end, entity, score)`` with Dataward entity
names (``PERSON``, ``LOCATION``, ``STREET_ADDRESS``, ``ORGANIZATION``, ``DATE_TIME``). Backends load
their model lazily on first use, never download anything (the optional ones read a local folder
only), and pickle as their configuration, so a process pool reloads the model in each worker.
"""

from __future__ import annotations

import importlib
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

from dataward.errors import ConfigError

Span = tuple[int, int, str, float]
"""``(start, end, entity, score)``: ``text[start:end]`` is an entity."""

ENTITIES = ("PERSON", "LOCATION", "STREET_ADDRESS", "ORGANIZATION")
"""Entities every backend may report."""

LABEL_MAP: Mapping[str, str] = {
    # built-in, CoNLL / WikiNER, OntoNotes (spaCy), common Hugging Face and GLiNER labels
    "PER": "PERSON",
    "PERSON": "PERSON",
    "B-PER": "PERSON",
    "NAME": "PERSON",
    "LOC": "LOCATION",
    "LOCATION": "LOCATION",
    "GPE": "LOCATION",
    "CITY": "LOCATION",
    "COUNTRY": "LOCATION",
    "ADDR": "STREET_ADDRESS",
    "ADDRESS": "STREET_ADDRESS",
    "STREET_ADDRESS": "STREET_ADDRESS",
    "STREET ADDRESS": "STREET_ADDRESS",
    "ORG": "ORGANIZATION",
    "ORGANIZATION": "ORGANIZATION",
    "ORGANISATION": "ORGANIZATION",
    "DATE": "DATE_TIME",
    "TIME": "DATE_TIME",
    "DATE_TIME": "DATE_TIME",
}
"""Backend label (upper-cased) → Dataward entity; labels not here are ignored."""

EXTRAS = {"spacy": "ner-spacy", "gliner": "ner-gliner", "hf": "ner-hf"}
_MODULES = {"spacy": "spacy", "gliner": "gliner", "hf": "transformers"}


def map_label(label: str) -> str | None:
    """The Dataward entity of a backend's label (``B-``/``I-`` prefixes ignored), or ``None``."""
    key = label.upper()
    if len(key) > 2 and key[1] == "-" and key[0] in "BIES":
        key = key[2:]
    return LABEL_MAP.get(key)


@runtime_checkable
class NerBackend(Protocol):
    """What the NER detector needs from a model."""

    name: str

    def predict(self, text: str) -> list[Span]: ...


def require(backend: str) -> Any:
    """Import the library of an optional backend, or raise a ConfigError naming the extra."""
    module = _MODULES[backend]
    try:
        return importlib.import_module(module)
    except ImportError:
        raise ConfigError(
            f"NER backend {backend!r} needs the {module!r} package: "
            f"pip install 'dataward[{EXTRAS[backend]}]'",
            backend=backend,
        ) from None


def _local_model(backend: str, model: str | os.PathLike[str] | None) -> Path:
    if model is None or str(model) == "":
        raise ConfigError(
            f"NER backend {backend!r} needs a model folder: set ner.model "
            "(DATAWARD_NER__MODEL) to a local path",
            backend=backend,
        )
    path = Path(model).expanduser()
    if not path.exists():
        raise ConfigError(
            f"NER model path {str(path)!r} does not exist; backends load local models only "
            "(nothing is downloaded)",
            backend=backend,
        )
    return path


class _Lazy:
    """Pickles as its configuration; the loaded model is rebuilt on first use."""

    name = ""

    def __init__(self, model: str | os.PathLike[str] | None, threshold: float = 0.5) -> None:
        self.model = _local_model(self.name, model)
        self.threshold = threshold
        self._loaded: Any = None

    def __getstate__(self) -> dict[str, Any]:
        return {"model": self.model, "threshold": self.threshold}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.model = state["model"]
        self.threshold = state["threshold"]
        self._loaded = None

    def _get(self) -> Any:
        if self._loaded is None:
            self._loaded = self._load()
        return self._loaded

    def _load(self) -> Any:  # pragma: no cover - overridden
        raise NotImplementedError


class SpacyBackend(_Lazy):
    """A spaCy pipeline with an ``ner`` component, loaded from a local folder."""

    name = "spacy"

    def _load(self) -> Any:
        spacy = require("spacy")
        return spacy.load(self.model)

    def predict(self, text: str) -> list[Span]:
        doc = self._get()(text)
        out: list[Span] = []
        for ent in doc.ents:
            entity = map_label(ent.label_)
            if entity is not None:
                out.append((ent.start_char, ent.end_char, entity, 0.85))
        return out


GLINER_LABELS: Mapping[str, str] = {
    "person": "PERSON",
    "location": "LOCATION",
    "street address": "STREET_ADDRESS",
    "organization": "ORGANIZATION",
}


class GlinerBackend(_Lazy):
    """A GLiNER model from a local folder, prompted with Dataward's entity names."""

    name = "gliner"

    def _load(self) -> Any:
        gliner = require("gliner")
        return gliner.GLiNER.from_pretrained(str(self.model), local_files_only=True)

    def predict(self, text: str) -> list[Span]:
        model = self._get()
        ents = model.predict_entities(text, list(GLINER_LABELS), threshold=self.threshold)
        out: list[Span] = []
        for e in ents:
            entity = GLINER_LABELS.get(str(e["label"]).lower()) or map_label(str(e["label"]))
            if entity is not None:
                out.append((int(e["start"]), int(e["end"]), entity, float(e["score"])))
        return out


class HuggingFaceBackend(_Lazy):
    """A Hugging Face token-classification model from a local folder (``transformers``)."""

    name = "hf"

    def _load(self) -> Any:
        transformers = require("hf")
        tok = transformers.AutoTokenizer.from_pretrained(str(self.model), local_files_only=True)
        mdl = transformers.AutoModelForTokenClassification.from_pretrained(
            str(self.model), local_files_only=True
        )
        return transformers.pipeline(
            "token-classification", model=mdl, tokenizer=tok, aggregation_strategy="simple"
        )

    def predict(self, text: str) -> list[Span]:
        out: list[Span] = []
        for e in self._get()(text):
            entity = map_label(str(e.get("entity_group") or e.get("entity") or ""))
            score = float(e["score"])
            if entity is not None and score >= self.threshold:
                out.append((int(e["start"]), int(e["end"]), entity, score))
        return out


BACKENDS: Mapping[str, type[_Lazy]] = {
    "spacy": SpacyBackend,
    "gliner": GlinerBackend,
    "hf": HuggingFaceBackend,
}
BACKEND_NAMES = ("builtin", "none", *BACKENDS)
