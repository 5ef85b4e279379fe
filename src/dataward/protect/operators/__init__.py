"""The built-in operators, one per module; importing this package registers them."""

from __future__ import annotations

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
]
