from __future__ import annotations

import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dataward.detect.model import Finding
from dataward.errors import ConfigError, UnknownNameError
from dataward.protect import (
    KeyRing,
    MaskOperator,
    NullifyOperator,
    RedactOperator,
    ReplaceOperator,
    SuppressOperator,
    get_operator,
    operator_registry,
)

RING = KeyRing.from_secret(b"test-key-material-not-secret-00!")
BUILT_INS = [
    "date-shift", "encrypt", "fpe", "generalize", "hash", "mask", "nullify", "redact",
    "replace", "suppress", "surrogate", "token",
]  # fmt: skip
SAMPLE = {"date-shift": "2024-02-29", "fpe": "4111111111111111", "generalize": "1984-07-23"}


def test_every_built_in_is_registered_with_a_short_name() -> None:
    get_operator("mask")
    assert [n for n in operator_registry.names() if n in BUILT_INS] == BUILT_INS


def test_unknown_operator_suggests_a_close_name() -> None:
    with pytest.raises(UnknownNameError, match="Did you mean 'mask'"):
        get_operator("mask2")


def test_bad_parameters_are_config_errors() -> None:
    with pytest.raises(ConfigError):
        get_operator("mask", char="**")
    with pytest.raises(ConfigError, match="operator 'mask'"):
        get_operator("mask", nonsense=1)
    with pytest.raises(ConfigError):
        get_operator("hash", keyring=RING, length=4)


@pytest.mark.parametrize("name", BUILT_INS)
def test_array_results_match_single_values(name: str) -> None:
    params = {"kind": "date"} if name == "generalize" else {}
    op = get_operator(name, keyring=RING, **params)
    value = SAMPLE.get(name, "Ada Lovelace")
    arr = pa.array([value, None, value] * 3000)  # long enough for the dictionary path
    out = op.apply_array(arr).to_pylist()
    assert out[1] is None
    if op.deterministic:
        assert out[0] == out[2] == op.apply(value)
    else:
        assert out[0] != out[2]
    chunked = op.apply_array(pa.chunked_array([arr.slice(0, 3), arr.slice(3, 3)]))
    assert isinstance(chunked, pa.ChunkedArray) and len(chunked) == 6


def test_large_string_arrays_keep_their_type() -> None:
    out = MaskOperator().apply_array(pa.array(["abc"], pa.large_string()))
    assert out.type == pa.large_string() and out.to_pylist() == ["***"]


def test_non_string_arrays_are_refused() -> None:
    with pytest.raises(ConfigError, match="string arrays"):
        MaskOperator().apply_array(pa.array([1, 2]))


@given(
    value=st.text(max_size=40),
    first=st.integers(0, 6),
    last=st.integers(0, 6),
    which=st.sampled_from(["all", "alnum", "digits"]),
)
def test_mask_keeps_length(value: str, first: int, last: int, which: str) -> None:
    op = MaskOperator(keep_first=first, keep_last=last, which=which)  # type: ignore[arg-type]
    out = op.apply(value)
    assert len(out) == len(value)
    assert op.apply_many([value]) == [out]


@pytest.mark.parametrize(
    ("preset", "entity", "value", "expected"),
    [
        ("card", None, "4111 1111 1111 1111", "4111 **** **** 1111"),
        ("card", None, "4111-1111-1111-1111", "4111-****-****-1111"),
        ("ssn", None, "123-45-6789", "***-**-6789"),
        ("phone", None, "+1 (415) 555-0100", "+* (***) ***-0100"),
        ("iban", None, "DE89 3704 0044 0532 0130 00", "DE89 **** **** **** **30 00"),
        ("auto", "EMAIL_ADDRESS", "ada@example.org", "a**@example.org"),
        ("auto", "CREDIT_CARD", "4111111111111111", "4111********1111"),
        ("auto", "PERSON", "Ada", "***"),
    ],
)
def test_mask_presets(preset: str, entity: str | None, value: str, expected: str) -> None:
    assert MaskOperator(preset=preset).apply(value, entity) == expected


def test_replace_tags_and_numbered_placeholders() -> None:
    text = "Ada met Bob. Ada left; mail ada@example.org"
    findings = [
        Finding("PERSON", 0, 3, 0.9, "ner"),
        Finding("PERSON", 8, 11, 0.9, "ner"),
        Finding("PERSON", 13, 16, 0.9, "ner"),
        Finding("EMAIL_ADDRESS", 28, 43, 1.0, "email"),
    ]
    assert ReplaceOperator().apply_text(text, findings) == (
        "<PERSON> met <PERSON>. <PERSON> left; mail <EMAIL_ADDRESS>"
    )
    op = ReplaceOperator(numbered=True)
    assert op.apply_text(text, findings) == (
        "<PERSON_1> met <PERSON_2>. <PERSON_1> left; mail <EMAIL_ADDRESS_1>"
    )
    assert op.apply("Bob", "PERSON") == "<PERSON_2>"  # the same run keeps its numbers
    op.reset()
    assert op.apply("Bob", "PERSON") == "<PERSON_1>"
    assert ReplaceOperator(value="[x]").apply("Ada") == "[x]"
    assert ReplaceOperator().apply("Ada") == "<REDACTED>"


def test_numbered_placeholders_over_arrays_follow_first_appearance() -> None:
    op = ReplaceOperator(numbered=True, label="NAME")
    arr = pa.array(["b", "a", "b", "c"] * 2000)
    assert op.apply_array(arr).to_pylist()[:4] == ["<NAME_1>", "<NAME_2>", "<NAME_1>", "<NAME_3>"]


def test_text_spans_are_replaced_right_to_left_and_moved() -> None:
    text = "call 555-0100 or mail ada@example.org now"
    findings = [
        Finding("EMAIL_ADDRESS", 22, 37, 1.0, "email"),
        Finding("PHONE_NUMBER", 5, 13, 0.8, "phone"),
    ]
    out, moved = ReplaceOperator().apply_text_spans(text, findings)
    assert out == "call <PHONE_NUMBER> or mail <EMAIL_ADDRESS> now"
    assert out is not None
    assert [out[f.start : f.end] for f in moved] == ["<PHONE_NUMBER>", "<EMAIL_ADDRESS>"]


def test_overlapping_findings_keep_the_strongest() -> None:
    text = "id 123456789"
    findings = [Finding("US_SSN", 3, 12, 0.9, "ssn"), Finding("PHONE_NUMBER", 3, 10, 0.4, "p")]
    assert ReplaceOperator().apply_text(text, findings) == "id <US_SSN>"


def test_redact_nullify_suppress() -> None:
    text = "mail ada@example.org"
    found = [Finding("EMAIL_ADDRESS", 5, 20, 1.0, "email")]
    assert RedactOperator().apply_text(text, found) == "mail "
    assert NullifyOperator().apply("x") is None
    assert NullifyOperator().apply_array(pa.array(["a", None])).to_pylist() == [None, None]
    sup = SuppressOperator()
    assert sup.drops_record and sup.apply_text(text, found) is None
    assert sup.apply_text(text, []) == text
    table = pa.table({"email": ["a@x.org", None, "b@x.org"], "n": [1, 2, 3]})
    kept = table.filter(sup.keep_mask(table["email"]))
    assert kept["n"].to_pylist() == [2]


def test_array_with_findings_per_row() -> None:
    arr = pa.array(["hi Ada", None, "no names"])
    findings = [[Finding("PERSON", 3, 6, 0.9, "ner")], [], []]
    out = ReplaceOperator().apply_array(arr, findings)
    assert out.to_pylist() == ["hi <PERSON>", None, "no names"]


@settings(max_examples=50)
@given(st.lists(st.text(alphabet="ab ", max_size=12), min_size=1, max_size=30))
def test_array_and_single_agree_for_mask(values: list[str]) -> None:
    op = MaskOperator(keep_first=1, which="alnum")
    assert op.apply_array(pa.array(values)).to_pylist() == [op.apply(v) for v in values]
