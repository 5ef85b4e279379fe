"""Which NER backend runs: the ``ner:`` section of ``dataward.yaml`` or ``DATAWARD_NER__*``.

.. code-block:: yaml

    ner:
      backend: spacy        # builtin (default) | none | spacy | gliner | hf
      model: /models/my-ner # a local folder; required for spacy, gliner and hf
      threshold: 0.5        # confidence floor for gliner and hf
"""

from __future__ import annotations

from typing import Literal

from dataward.detect.ner.backends import BACKENDS, NerBackend
from dataward.settings import NerSettings

BackendName = Literal["builtin", "none", "spacy", "gliner", "hf"]


def ner_settings() -> NerSettings:
    """The configured NER settings: the ``ner:`` section of ``dataward.yaml``, overridden by
    ``DATAWARD_NER__BACKEND``, ``DATAWARD_NER__MODEL`` and ``DATAWARD_NER__THRESHOLD``."""
    from dataward.settings import get_settings

    return get_settings().ner


def make_backend(settings: NerSettings) -> NerBackend | None:
    """The backend the settings select (``None`` for ``backend: none``)."""
    if settings.backend == "none":
        return None
    if settings.backend == "builtin":
        from dataward.detect.ner.builtin import BuiltinBackend

        return BuiltinBackend(settings.model)
    cls = BACKENDS[settings.backend]
    return cls(settings.model, threshold=settings.threshold)  # type: ignore[return-value]
