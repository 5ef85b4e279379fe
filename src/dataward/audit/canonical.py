"""Canonical JSON (RFC 8785 style): the exact bytes an audit event is hashed as.

* object keys sorted by their UTF-16 code units, no insignificant whitespace, UTF-8;
* strings escaped as JSON requires and nothing more (non-ASCII stays as is);
* integers as written; other numbers in ECMAScript's shortest round-trip form (``1e+21``,
  ``1e-7``, ``0.5``, ``2`` for ``2.0``); NaN and infinities are refused.

>>> canonical({"b": [1, 2.0, 1e21], "a": "é"}).decode()
'{"a":"é","b":[1,2,1e+21]}'
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from typing import Any

from dataward.errors import AuditError

_string = json.JSONEncoder(ensure_ascii=False).encode


def canonical(value: Any) -> bytes:
    """The canonical UTF-8 JSON bytes of ``value`` (dicts, lists, str, int, float, bool, None)."""
    parts: list[str] = []
    _encode(value, parts, "$")
    try:
        return "".join(parts).encode("utf-8")
    except UnicodeEncodeError:
        raise AuditError("audit event holds a lone surrogate; it cannot be encoded") from None


def _encode(value: Any, out: list[str], path: str) -> None:
    if value is None:
        out.append("null")
    elif value is True:
        out.append("true")
    elif value is False:
        out.append("false")
    elif isinstance(value, str):
        out.append(_string(value))
    elif isinstance(value, int):
        out.append(str(int(value)))
    elif isinstance(value, float):
        out.append(number(value, path))
    elif isinstance(value, Mapping):
        out.append("{")
        keys = list(value)
        for key in keys:
            if not isinstance(key, str):
                raise AuditError(f"audit event key at {path} is not a string", path=path)
        keys.sort(key=lambda k: k.encode("utf-16-be", "surrogatepass"))
        for i, key in enumerate(keys):
            if i:
                out.append(",")
            out.append(_string(key))
            out.append(":")
            _encode(value[key], out, f"{path}.{key}")
        out.append("}")
    elif isinstance(value, list | tuple):
        out.append("[")
        for i, item in enumerate(value):
            if i:
                out.append(",")
            _encode(item, out, f"{path}[{i}]")
        out.append("]")
    else:
        raise AuditError(
            f"audit event value at {path} is a {type(value).__name__}; use str, int, float, "
            "bool, None, list or dict",
            path=path,
        )


def number(x: float, path: str = "$") -> str:
    """ECMAScript's Number.prototype.toString for a finite double."""
    if not math.isfinite(x):
        raise AuditError(f"audit event number at {path} is not finite", path=path)
    if x == 0:
        return "0"
    if x < 0:
        return "-" + number(-x, path)
    mantissa, _, exp_text = repr(x).partition("e")
    int_part, _, frac = mantissa.partition(".")
    digits = (int_part + frac).lstrip("0")
    # repr gives the shortest round-trip digits; find the decimal exponent n such that
    # x = 0.d1d2... * 10**n (ECMA-262 Number::toString, step 5)
    n = (int(exp_text) if exp_text else 0) + len(int_part.lstrip("0") or "")
    if int_part.strip("0") == "":
        n -= len(frac) - len(frac.lstrip("0"))
    digits = digits.rstrip("0") or "0"
    k = len(digits)
    if k <= n <= 21:
        return digits + "0" * (n - k)
    if 0 < n <= 21:
        return digits[:n] + "." + digits[n:]
    if -6 < n <= 0:
        return "0." + "0" * -n + digits
    e = n - 1
    sign = "+" if e >= 0 else "-"
    head = digits[0] + ("." + digits[1:] if k > 1 else "")
    return f"{head}e{sign}{abs(e)}"
