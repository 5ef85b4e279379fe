from __future__ import annotations

import json
import math
from datetime import UTC, datetime
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dataward.audit.canonical import canonical, number
from dataward.errors import AuditError

# ECMAScript Number::toString results (the number forms RFC 8785 prescribes)
NUMBERS = [
    (0.0, "0"),
    (-0.0, "0"),
    (1.0, "1"),
    (-1.5, "-1.5"),
    (0.1, "0.1"),
    (1e21, "1e+21"),
    (1e20, "100000000000000000000"),
    (123456789012345680000.0, "123456789012345680000"),
    (1e-6, "0.000001"),
    (1e-7, "1e-7"),
    (1.234e-6, "0.000001234"),
    (0.012, "0.012"),
    (5e-324, "5e-324"),
    (1.7976931348623157e308, "1.7976931348623157e+308"),
    (9007199254740992.0, "9007199254740992"),
    (333333333.33333329, "333333333.3333333"),
    (-1e-300, "-1e-300"),
]


@pytest.mark.parametrize(("value", "text"), NUMBERS)
def test_numbers_in_ecmascript_form(value: float, text: str) -> None:
    assert number(value) == text
    assert float(text) == value


def test_keys_sorted_by_utf16_and_no_whitespace() -> None:
    doc = {"b": 1, "a": [True, None, "é\n"], "\U0001f600": 2, "\ufb33": 3, "A": {"z": 1, "y": 2}}
    assert canonical(doc).decode() == (
        '{"A":{"y":2,"z":1},"a":[true,null,"é\\n"],"b":1,"\U0001f600":2,"\ufb33":3}'
    )


def test_escapes_follow_json_minimum() -> None:
    assert canonical('\u0001"\\/\u007f') == b'"\\u0001\\"\\\\/\x7f"'


@pytest.mark.parametrize("bad", [math.nan, math.inf, {"when": datetime.now(UTC)}, {1: "x"}, b"x"])
def test_refuses_what_json_cannot_say(bad: Any) -> None:
    with pytest.raises(AuditError):
        canonical(bad)


def test_error_names_the_path_not_the_value() -> None:
    with pytest.raises(AuditError) as info:
        canonical({"person": {"ssn": {"123-45-6789"}}})
    assert "$.person.ssn" in str(info.value)
    assert "123-45-6789" not in str(info.value)


json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**63), max_value=2**63)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=20,
)


def _numbers_as_floats(x: Any) -> Any:
    """Canonical JSON writes 2.0 as 2 (one number type, as in ECMAScript); compare as doubles."""
    if isinstance(x, bool) or x is None or isinstance(x, str):
        return x
    if isinstance(x, int | float):
        return float(x)
    if isinstance(x, list):
        return [_numbers_as_floats(v) for v in x]
    return {k: _numbers_as_floats(v) for k, v in x.items()}


@given(json_values)
def test_canonical_form_is_a_fixed_point(value: Any) -> None:
    try:
        data = canonical(value)
    except AuditError:  # lone surrogates cannot be UTF-8
        return
    again = json.loads(data)
    assert _numbers_as_floats(again) == _numbers_as_floats(value)
    assert canonical(again) == data
