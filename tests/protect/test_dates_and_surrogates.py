from __future__ import annotations

from datetime import date, timedelta

import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dataward.detect.model import Finding
from dataward.protect import (
    DateShiftOperator,
    GeneralizeOperator,
    KeyRing,
    ProtectError,
    SurrogateOperator,
)

RING = KeyRing.from_secret(b"test-key-material-not-secret-00!")
dates = st.dates(min_value=date(1900, 1, 1), max_value=date(2100, 1, 1))


@settings(max_examples=80)
@given(subject=st.text(max_size=20), a=dates, b=dates, max_days=st.integers(1, 400))
def test_date_shift_keeps_intervals_for_one_subject(
    subject: str, a: date, b: date, max_days: int
) -> None:
    op = DateShiftOperator(keyring=RING, subject=subject, max_days=max_days)
    sa, sb = op.apply(a.isoformat()), op.apply(b.isoformat())
    assert sa is not None and sb is not None
    shifted_a, shifted_b = date.fromisoformat(sa), date.fromisoformat(sb)
    assert shifted_b - shifted_a == b - a
    days = (shifted_a - a).days
    assert 1 <= abs(days) <= max_days
    assert days == op.shift_days()


def test_date_shift_differs_between_subjects_and_keys() -> None:
    op = DateShiftOperator(keyring=RING, max_days=365)
    shifts = {op.shift_days(f"patient-{i}") for i in range(50)}
    assert len(shifts) > 30
    other = DateShiftOperator(keyring=KeyRing.from_secret(b"x" * 32), max_days=365)
    assert [other.shift_days(f"p{i}") for i in range(10)] != [
        op.shift_days(f"p{i}") for i in range(10)
    ]


def test_date_shift_keeps_time_and_reads_extra_formats() -> None:
    op = DateShiftOperator(keyring=RING, subject="p1", formats=("%d/%m/%Y",))
    d = op.shift_days()
    assert op.apply("2024-03-15T08:30:00+01:00") == (
        (date(2024, 3, 15) + timedelta(days=d)).isoformat() + "T08:30:00+01:00"
    )
    assert op.apply("15/03/2024") == (date(2024, 3, 15) + timedelta(days=d)).strftime("%d/%m/%Y")
    with pytest.raises(ProtectError) as info:
        op.apply("not a date 4111")
    assert "4111" not in str(info.value)
    assert DateShiftOperator(keyring=RING, on_invalid="null").apply("nope") is None


def test_date_shift_arrays_per_subject_strings_and_date32() -> None:
    op = DateShiftOperator(keyring=RING)
    subjects = ["a", "b", "a"]
    strings = pa.array(["2024-01-01", "2024-01-01", "2024-01-11"])
    out = op.apply_array(strings, subjects=subjects).to_pylist()
    assert out[0] == op.for_subject("a").apply("2024-01-01")
    assert out[1] == op.for_subject("b").apply("2024-01-01")
    assert (date.fromisoformat(out[2]) - date.fromisoformat(out[0])).days == 10
    typed = pa.array([date(2024, 1, 1), None, date(2024, 1, 11)], pa.date32())
    moved = op.apply_array(typed, subjects=pa.array(subjects)).to_pylist()
    assert moved[1] is None
    assert moved[0] == date(2024, 1, 1) + timedelta(days=op.shift_days("a"))
    stamps = pa.array([0], pa.timestamp("ms"))
    shifted = op.apply_array(stamps, subjects=["a"]).cast(pa.int64()).to_pylist()
    assert shifted == [op.shift_days("a") * 86_400_000]


def test_date_shift_in_text_moves_only_dates() -> None:
    op = DateShiftOperator(keyring=RING, subject="p1")
    text = "Ada, admitted 2024-03-01"
    findings = [Finding("PERSON", 0, 3, 0.9, "ner"), Finding("DATE_TIME", 14, 24, 0.9, "d")]
    assert op.apply_text(text, findings) == f"Ada, admitted {op.apply('2024-03-01')}"


@pytest.mark.parametrize(
    ("params", "value", "expected"),
    [
        ({"kind": "date", "granularity": "month"}, "1984-07-23", "1984-07"),
        ({"kind": "date", "granularity": "year"}, "1984-07-23T10:00", "1984"),
        ({"kind": "date", "granularity": "decade"}, "1984-07-23", "1980s"),
        ({"kind": "postcode", "keep": 3}, "02139", "021**"),
        ({"kind": "postcode", "keep": 3}, "02139-4307", "021**-****"),
        ({"kind": "postcode", "keep": 4}, "SW1A 1AA", "SW1A ***"),
        ({"kind": "age"}, "37", "30-39"),
        ({"kind": "age", "band": 5}, "89", "85-89"),
        ({"kind": "age"}, "90", "90+"),
        ({"kind": "age"}, "104", "90+"),
        ({"kind": "number", "width": 1000}, "52300", "52000-52999"),
        ({"kind": "number", "width": 0.5}, "1.7", "[1.5, 2)"),
        ({"kind": "age", "on_invalid": "suppress"}, "old", "*"),
    ],
)
def test_generalize(params: dict[str, object], value: str, expected: str) -> None:
    assert GeneralizeOperator(**params).apply(value) == expected  # type: ignore[arg-type]


def test_generalize_auto_uses_the_entity_type() -> None:
    op = GeneralizeOperator()
    assert op.apply("1984-07-23", "DATE_OF_BIRTH") == "1984"
    assert op.apply("93", "AGE") == "90+"
    with pytest.raises(ProtectError):
        op.apply("1984-02-30", "DATE_TIME")


def test_surrogates_are_consistent_and_realistic() -> None:
    op = SurrogateOperator(keyring=RING)
    name = op.apply("Ada Lovelace", "PERSON")
    assert name == op.apply("Ada Lovelace", "PERSON") and name != "Ada Lovelace"
    assert len(name.split()) == 2 and name.istitle()
    assert op.apply("ADA LOVELACE", "PERSON").isupper()
    email = op.apply("ada@example.org", "EMAIL_ADDRESS")
    assert email.endswith("@example.com")
    phone = op.apply("+1 (415) 555-0100", "PHONE_NUMBER")
    assert len(phone) == 17 and phone[:4] == "+" + phone[1] + " (" and phone[7:9] == ") "
    other = SurrogateOperator(keyring=KeyRing.from_secret(b"y" * 32))
    names = {op.apply(f"person {i}", "PERSON") for i in range(40)}
    assert len(names) > 30
    assert [other.apply(f"p{i}", "PERSON") for i in range(5)] != [
        op.apply(f"p{i}", "PERSON") for i in range(5)
    ]
    text = "Ada met Bob"
    findings = [Finding("PERSON", 0, 3, 0.9, "n"), Finding("PERSON", 8, 11, 0.9, "n")]
    out = op.apply_text(text, findings)
    assert out is not None and " met " in out and "Ada" not in out


@settings(max_examples=50)
@given(st.text(alphabet="abcXYZ0123-. ", max_size=30))
def test_shape_surrogates_keep_character_classes(value: str) -> None:
    out = SurrogateOperator(keyring=RING, kind="shape").apply(value)
    assert len(out) == len(value)
    for a, b in zip(value, out, strict=True):
        assert a.isdigit() == b.isdigit() and a.isupper() == b.isupper()
        assert a.isalnum() or a == b
