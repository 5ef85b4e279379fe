"""The NER detector: people, places, organizations and street addresses from a model.

It implements :class:`dataward.detect.base.Detector`; the engine runs it after the pattern
detectors and :func:`dataward.detect.engine.resolve_overlaps` merges both: a validated pattern
finding (an e-mail, a phone number) outscores a model span over the same characters, and a long
address span outscores the postcode inside it.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from dataward.detect.model import Explanation, Finding
from dataward.detect.ner.backends import ENTITIES, NerBackend
from dataward.detect.ner.config import make_backend, ner_settings
from dataward.detect.ner.rules import address_text_plausible
from dataward.settings import NerSettings

SCORE_FLOOR = 0.4
"""A span the model picks scores ``SCORE_FLOOR + (1 - SCORE_FLOOR) * confidence``, so with the
default threshold of 0.5 spans whose mean token marginal is at least 1/6 are reported."""


class NerDetector:
    """Runs the configured NER backend (built-in CRF by default), loading it on first use."""

    name = "ner"
    entities: tuple[str, ...] = ENTITIES

    def __init__(
        self, backend: NerBackend | None = None, settings: NerSettings | None = None
    ) -> None:
        self._backend = backend
        self._settings = settings
        self._resolved = backend is not None

    @property
    def backend(self) -> NerBackend | None:
        """The backend in use (resolved from the settings on first use); ``None``: NER is off."""
        if not self._resolved:
            self._backend = make_backend(self._settings or ner_settings())
            self._resolved = True
        return self._backend

    def __getstate__(self) -> dict[str, Any]:
        # backends pickle as their configuration; an unresolved one resolves again in the worker
        return {"backend": self._backend, "settings": self._settings, "resolved": self._resolved}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self._backend = state["backend"]
        self._settings = state["settings"]
        self._resolved = state["resolved"]

    def detect(self, text: str, language: str | None = None) -> Iterable[Finding]:
        backend = self.backend
        if backend is None or not text:
            return []
        out: list[Finding] = []
        for start, end, entity, confidence in backend.predict(text):
            if entity not in ENTITIES or end <= start:
                continue
            if entity == "STREET_ADDRESS" and not address_text_plausible(text[start:end]):
                continue
            score = min(0.99, SCORE_FLOOR + (1.0 - SCORE_FLOOR) * confidence)
            out.append(
                Finding(
                    entity,
                    start,
                    end,
                    score,
                    self.name,
                    Explanation(
                        pattern=f"ner:{backend.name}",
                        base_score=confidence,
                        language=language,
                        notes=("model span",),
                    ),
                )
            )
        return out
