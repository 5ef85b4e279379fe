"""The built-in operators, one per module; importing this package registers them, and
:func:`get_operator` (which builds any registered operator) lives here so that it always sees
them. :mod:`dataward.protect.base` holds the contract and the empty registry and imports no
operator."""

from __future__ import annotations

import dataclasses
from typing import Any

from dataward.errors import ConfigError
from dataward.keys.ring import KeyRing
from dataward.protect.base import KeyedOperator, Operator, operators
from dataward.protect.operators.date_shift import DateShiftOperator
from dataward.protect.operators.encrypt import EncryptOperator
from dataward.protect.operators.fpe import FpeOperator
from dataward.protect.operators.generalize import GeneralizeOperator
from dataward.protect.operators.hash import HashOperator
from dataward.protect.operators.mask import MaskOperator
from dataward.protect.operators.nullify import NullifyOperator
from dataward.protect.operators.redact import RedactOperator
from dataward.protect.operators.replace import ReplaceOperator
from dataward.protect.operators.suppress import SuppressOperator
from dataward.protect.operators.surrogate import SurrogateOperator
from dataward.protect.operators.token import TokenOperator

__all__ = [
    "DateShiftOperator",
    "EncryptOperator",
    "FpeOperator",
    "GeneralizeOperator",
    "HashOperator",
    "MaskOperator",
    "NullifyOperator",
    "RedactOperator",
    "ReplaceOperator",
    "SuppressOperator",
    "SurrogateOperator",
    "TokenOperator",
    "get_operator",
]


def get_operator(name: str, keyring: KeyRing | None = None, **params: Any) -> Operator:
    """Build the operator registered as ``name`` with ``params`` (and ``keyring`` if keyed).

    >>> get_operator("mask", keep_last=4).apply("4111111111111111")
    '************1111'
    """
    factory = operators.get(name)
    if isinstance(factory, Operator):  # an entry point that named a ready instance
        return dataclasses.replace(factory, **params) if params else factory
    if keyring is not None and isinstance(factory, type) and issubclass(factory, KeyedOperator):
        params["keyring"] = keyring
    try:
        return factory(**params)
    except TypeError as exc:
        raise ConfigError(f"operator {name!r}: {exc}", operator=name) from None
