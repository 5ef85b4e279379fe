"""The detector registry: ``@register("credit-card")`` for built-ins, entry points for others."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from dataward.detect.base import Detector, PatternDetector
from dataward.registry import Registry

detectors: Registry[PatternDetector | Detector] = Registry("detector", "dataward.detectors")

D = TypeVar("D", bound=type[PatternDetector])


def register(name: str) -> Callable[[D], D]:
    """Register a :class:`PatternDetector` subclass under ``name`` (instantiated once)."""

    def decorate(cls: D) -> D:
        cls.name = name
        detectors.add(name, cls())
        return cls

    return decorate
