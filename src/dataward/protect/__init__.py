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
from dataward.keys.kms import AwsKms, Kms, LocalKms
from dataward.keys.ring import KeyRing, MasterKey

# ``dataward.protect.plan`` and ``dataward.protect.apply`` are the two steps, as functions: each
# import below loads its module first, then binds the function over the module's attribute
# (the modules stay importable by their names).
from dataward.protect.apply import ProtectResult, apply
from dataward.protect.base import KeyedOperator, Operator
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
    get_operator,
)
from dataward.protect.plan import ProtectPlan, plan
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
    "ProtectPlan",
    "ProtectResult",
    "RedactOperator",
    "ReplaceOperator",
    "RevealError",
    "RiskReport",
    "SuppressOperator",
    "SurrogateOperator",
    "TokenOperator",
    "anonymize",
    "apply",
    "get_operator",
    "measure",
    "operator_registry",
    "plan",
    "reverse",
]


class _CallableModule(_types.ModuleType):
    """``dataward.protect(data, rules=...)`` calls :func:`dataward.protect.apply.protect` while
    ``dataward.protect`` stays the package (a function of the same name would be replaced by the
    subpackage on its first import)."""

    def __call__(self, data: Any, rules: Any = None, **kwargs: Any) -> Any:
        """Protect ``data`` and give back the same kind: see
        :func:`dataward.protect.apply.protect` (``protect(x) == apply(plan(x), x)``)."""
        from dataward.protect.apply import protect

        return protect(data, rules, **kwargs)


_sys.modules[__name__].__class__ = _CallableModule
