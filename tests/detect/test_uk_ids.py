from __future__ import annotations

import random

import pytest

from dataward.detect import Engine, available_backends
from dataward.detect.base import PatternDetector
from dataward.detect.detectors.uk_ids import (
    NhsDetector,
    NinoDetector,
    UkPassportDetector,
    nhs_check_digit,
    nhs_ok,
)
from dataward.detect.detectors.us_ids import UsPassportDetector
from dataward.taxonomy import taxonomy

BACKENDS = [b for b in ("hyperscan", "re") if b in available_backends()]
DETECTORS: list[PatternDetector] = [
    NhsDetector(),
    NinoDetector(),
    UkPassportDetector(),
    UsPassportDetector(),
]
ENGINES = {b: Engine(DETECTORS, backend=b) for b in BACKENDS}  # type: ignore[arg-type]


def found(text: str) -> list[tuple[str, int, int, float]]:
    results = [
        [(f.entity, f.start, f.end, round(f.score, 4)) for f in engine.detect(text)]
        for engine in ENGINES.values()
    ]
    assert all(r == results[0] for r in results), results
    return results[0]


def spans(text: str) -> list[tuple[str, str]]:
    return [(e, text[s:t]) for e, s, t, _ in found(text)]


def make_nhs(rng: random.Random) -> str:
    while True:
        first9 = f"{rng.randint(0, 999_999_999):09d}"
        check = nhs_check_digit(first9)
        if check is not None and len(set(first9)) > 1:
            return first9 + str(check)


def test_nhs_checksum() -> None:
    assert nhs_ok("9434765919")  # the NHS Digital documentation example
    assert not nhs_ok("9434765918")
    assert not nhs_ok("0000000000")
    assert nhs_check_digit("100000001") is None  # remainder 1: no check digit exists
    assert not any(nhs_ok(f"100000001{d}") for d in range(10))


HITS = [
    ("UK_NHS", "NHS number: 943 476 5919", "943 476 5919"),
    ("UK_NHS", "Patient 943 476 5919 seen today", "943 476 5919"),
    ("UK_NHS", "nhs no. 9434765919", "9434765919"),
    ("UK_NHS", "NHS: 943-476-5919", "943-476-5919"),
    ("UK_NHS", "943 476 5919", "943 476 5919"),
    ("UK_NINO", "NI number: AB 12 34 56 C", "AB 12 34 56 C"),
    ("UK_NINO", "NINO JG103759A", "JG103759A"),
    ("UK_NINO", "his number is AB123456C.", "AB123456C"),
    ("UK_NINO", "national insurance number ab123456c", "ab123456c"),
    ("UK_NINO", "National Insurance: AB 123456 D", "AB 123456 D"),
    ("UK_NINO", "national insurance no AB123456", "AB123456"),
    ("UK_NINO", "NI number AB123456 Called", "AB123456"),
    ("UK_PASSPORT", "UK passport 120382978", "120382978"),
    ("UK_PASSPORT", "British passport number: 925076473", "925076473"),
    ("US_PASSPORT", "passport 925076473", "925076473"),
]


@pytest.mark.parametrize(("entity", "text", "value"), HITS)
def test_hits_have_exact_spans(entity: str, text: str, value: str) -> None:
    assert spans(text) == [(entity, value)]


MISSES = [
    # Failing check digit; a check digit of 10 does not exist.
    "NHS number 943 476 5918",
    "NHS 0000000000",
    # Longer digit runs, phone and timestamp context.
    "NHS 943 476 5919 12",
    "ref 12 943 476 5919",
    "Phone: 943 476 5919",
    "call 943-476-5919",
    "timestamp 9434765919",
    # Bare ten digits and NINO without a suffix need context.
    "9434765919",
    "AB123456",
    # NINO prefix rules: D, F, I, Q, U, V first; D, F, I, O, Q, U, V second; unallocated pairs.
    "NINO DA123456C",
    "NINO AO123456C",
    "NINO QQ123456C",
    "NINO GB123456A",
    "NINO ZZ123456A",
    "NINO TN123456A",
    # Suffix E-Z, odd spacing, inside longer codes.
    "NINO AB123456E",
    "NINO AB 1234 56 C",
    "XAB123456C",
    "AB123456C7",
    "part number AB123456C",
    # UK passport needs a British-passport phrase; plain nine digits nothing.
    "120382978",
]


@pytest.mark.parametrize("text", MISSES)
def test_near_misses(text: str) -> None:
    assert found(text) == []


def test_random_valid_nhs_numbers_are_found_and_corrupted_ones_are_not() -> None:
    rng = random.Random(11)
    for _ in range(40):
        nhs = make_nhs(rng)
        spaced = f"{nhs[:3]} {nhs[3:6]} {nhs[6:]}"
        assert spans(f"NHS number {spaced}") == [("UK_NHS", spaced)]
        assert spans(f"NHS number {nhs}") == [("UK_NHS", nhs)]
        bad = nhs[:9] + str((int(nhs[9]) + 1) % 10)
        assert found(f"NHS number {bad}") == []


def test_context_raises_the_score() -> None:
    bare = found("943 476 5919")[0][3]
    labelled = found("NHS number 943 476 5919")[0][3]
    assert labelled > bare >= 0.5


def test_lower_case_nino_scores_lower() -> None:
    upper = found("AB123456C")[0][3]
    lower = found("ab123456c")
    assert lower == [] or lower[0][3] < upper


def test_entities_are_in_the_taxonomy() -> None:
    tax = taxonomy()
    for name in ("UK_NHS", "UK_NINO", "UK_PASSPORT"):
        t = tax.get(name)
        assert t.country == "GB"
        assert "GDPR_PERSONAL" in t.regulations
    assert tax.get("UK_NHS").presidio
    assert "PHI" in tax.get("UK_NHS").categories
