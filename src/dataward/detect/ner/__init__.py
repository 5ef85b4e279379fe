"""Named-entity recognition: people, places, organizations and street addresses.

The built-in backend is a compact CRF shipped with the package (no download, CPU only); spaCy,
GLiNER and Hugging Face token-classification models can be plugged in from a local folder
(``ner: {backend: spacy, model: /path}``). See docs/ner.md.
"""

from __future__ import annotations

from dataward.detect.ner.backends import ENTITIES, NerBackend, Span, map_label
from dataward.detect.ner.config import make_backend, ner_settings
from dataward.detect.ner.detector import NerDetector
from dataward.settings import NerSettings

__all__ = [
    "ENTITIES",
    "NerBackend",
    "NerDetector",
    "NerSettings",
    "Span",
    "make_backend",
    "map_label",
    "ner_settings",
]
