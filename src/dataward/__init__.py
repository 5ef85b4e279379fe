"""Dataward: data protection for AI pipelines.

>>> import dataward as dw
>>> [f.entity for f in dw.detect("Reach me at ada@example.org")]
['EMAIL_ADDRESS']

The module-level functions run in the runtime in use (:mod:`dataward.runtime`): the process's
default one, made on first use, unless ``dataward.runtime.use(rt)`` chose another;
``dw.open(home=...)`` opens a :class:`Runtime` of its own.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

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

if TYPE_CHECKING:
    import dataward.protect as protect
    from dataward.classify.scan import scan
    from dataward.policy import decide
    from dataward.runtime import Runtime, open

__version__ = "0.1.0"

_LAZY = {
    "scan": ("dataward.classify.scan", "scan"),
    "decide": ("dataward.policy", "decide"),
    "protect": ("dataward.protect", None),
    "Runtime": ("dataward.runtime", "Runtime"),
    "open": ("dataward.runtime", "open"),
}


def __getattr__(name: str) -> Any:
    """Heavier parts load on first use, so ``import dataward`` and the CLI start fast."""
    if name not in _LAZY:
        raise AttributeError(f"module 'dataward' has no attribute {name!r}")
    import importlib

    module_name, attr = _LAZY[name]
    module = importlib.import_module(module_name)
    return module if attr is None else getattr(module, attr)


__all__ = [
    "AuditError",
    "ConfigError",
    "DatawardError",
    "DetectorError",
    "Explanation",
    "Finding",
    "PolicyError",
    "Runtime",
    "SourceError",
    "UnknownNameError",
    "__version__",
    "decide",
    "detect",
    "detect_batch",
    "get_engine",
    "open",
    "protect",
    "scan",
]
