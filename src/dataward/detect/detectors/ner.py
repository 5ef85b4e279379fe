"""The NER detector (people, places, organizations, street addresses), registered as ``ner``.

The model loads lazily on the first ``detect`` call; which backend runs is set by the ``ner:``
settings (see :mod:`dataward.detect.ner.config`).
"""

from __future__ import annotations

from dataward.detect.ner.detector import NerDetector
from dataward.detect.registry import detectors

detectors.add("ner", NerDetector())
