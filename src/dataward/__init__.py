"""Dataward: data protection for AI pipelines.

>>> import dataward as dw
>>> [f.entity for f in dw.detect("Reach me at ada@example.org")]
['EMAIL_ADDRESS']
"""

from __future__ import annotations

from dataward.detect.api import detect, detect_batch, get_engine
from dataward.detect.model import Explanation, Finding
from dataward.errors import (
    AuditError,
    ConfigError,
    DatawardError,
    DetectorError,
    PolicyError,
    SourceError,
    UnknownNameError,
)

__version__ = "0.1.0"

__all__ = [
    "AuditError",
    "ConfigError",
    "DatawardError",
    "DetectorError",
    "Explanation",
    "Finding",
    "PolicyError",
    "SourceError",
    "UnknownNameError",
    "__version__",
    "detect",
    "detect_batch",
    "get_engine",
]
