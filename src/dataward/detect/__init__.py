"""Detection: find sensitive values in text with validated patterns, context and models."""

from __future__ import annotations

from dataward.detect.base import Detector, PatternDetector
from dataward.detect.engine import Engine, available_backends, resolve_overlaps
from dataward.detect.model import Explanation, Finding, Pattern
from dataward.detect.registry import detectors, register

__all__ = [
    "Detector",
    "Engine",
    "Explanation",
    "Finding",
    "Pattern",
    "PatternDetector",
    "available_backends",
    "detectors",
    "register",
    "resolve_overlaps",
]
