"""Protect: de-identification operators, keys and re-identification risk.

>>> from dataward.protect import KeyRing, get_operator
>>> ring = KeyRing.from_secret(b"k" * 32)
>>> get_operator("mask", preset="card").apply("4111 1111 1111 1111")
'4111 **** **** 1111'
>>> get_operator("token", keyring=ring).apply("ada@example.org").startswith("tok_1_")
True
"""

from __future__ import annotations

import sys as _sys
import types as _types
from typing import Any

from dataward.errors import KeyringError, ProtectError, RevealError
from dataward.protect.base import KeyedOperator, Operator, get_operator
from dataward.protect.base import operators as operator_registry
from dataward.protect.kanon import (
    AgeHierarchy,
    AnonymizationResult,
    CategoricalHierarchy,
    DateHierarchy,
    Hierarchy,
    NumericHierarchy,
    PostcodeHierarchy,
    RiskReport,
    anonymize,
    measure,
)
from dataward.protect.keys import KeyRing, MasterKey
from dataward.protect.kms import AwsKms, Kms, LocalKms
from dataward.protect.operators import (
    DateShiftOperator,
    EncryptOperator,
    FpeOperator,
    GeneralizeOperator,
    HashOperator,
    MaskOperator,
    NullifyOperator,
    RedactOperator,
    ReplaceOperator,
    SuppressOperator,
    SurrogateOperator,
    TokenOperator,
)
from dataward.protect.reveal import reverse

__all__ = [
    "AgeHierarchy",
    "AnonymizationResult",
    "AwsKms",
    "CategoricalHierarchy",
    "DateHierarchy",
    "DateShiftOperator",
    "EncryptOperator",
    "FpeOperator",
    "GeneralizeOperator",
    "HashOperator",
    "Hierarchy",
    "KeyRing",
    "KeyedOperator",
    "KeyringError",
    "Kms",
    "LocalKms",
    "MaskOperator",
    "MasterKey",
    "NullifyOperator",
    "NumericHierarchy",
    "Operator",
    "PostcodeHierarchy",
    "ProtectError",
    "RedactOperator",
    "ReplaceOperator",
    "RevealError",
    "RiskReport",
    "SuppressOperator",
    "SurrogateOperator",
    "TokenOperator",
    "anonymize",
    "get_operator",
    "measure",
    "operator_registry",
    "reverse",
]


class _CallableModule(_types.ModuleType):
    """``dataward.protect(data, rules=...)`` calls :func:`dataward.protect.apply.protect` while
    ``dataward.protect`` stays the package (a function of the same name would be replaced by the
    subpackage on its first import)."""

    def __call__(self, data: Any, rules: Any = None, **kwargs: Any) -> Any:
        from dataward.protect.apply import protect

        return protect(data, rules, **kwargs)


_sys.modules[__name__].__class__ = _CallableModule
