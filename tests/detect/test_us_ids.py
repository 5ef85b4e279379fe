from __future__ import annotations

import random

import pytest

from dataward.detect import Engine, available_backends
from dataward.detect.base import PatternDetector
from dataward.detect.detectors.us_ids import (
    EinDetector,
    ItinDetector,
    SsnDetector,
    UsDriverLicenseDetector,
    UsPassportDetector,
)
from dataward.taxonomy import taxonomy

BACKENDS = [b for b in ("hyperscan", "re") if b in available_backends()]
DETECTORS: list[PatternDetector] = [
    SsnDetector(),
    ItinDetector(),
    EinDetector(),
    UsPassportDetector(),
    UsDriverLicenseDetector(),
]
ENGINES = {b: Engine(DETECTORS, backend=b) for b in BACKENDS}  # type: ignore[arg-type]


def found(text: str) -> list[tuple[str, int, int, float]]:
    """Findings of every US detector together, identical on every backend."""
    results = [
        [(f.entity, f.start, f.end, round(f.score, 4)) for f in engine.detect(text)]
        for engine in ENGINES.values()
    ]
    assert all(r == results[0] for r in results), results
    return results[0]


def spans(text: str) -> list[tuple[str, str]]:
    return [(e, text[s:t]) for e, s, t, _ in found(text)]


HITS = [
    # SSN: dashed and spaced forms score alone; undashed needs a context word.
    ("US_SSN", "My SSN is 536-22-8145.", "536-22-8145"),
    ("US_SSN", "applicant 536-22-8145 signed", "536-22-8145"),
    ("US_SSN", "SSN:536-22-8145", "536-22-8145"),
    ("US_SSN", "social security number 536 22 8145", "536 22 8145"),
    ("US_SSN", "ssn 536228145", "536228145"),
    ("US_SSN", "Social Security: 772.41.0093", "772.41.0093"),
    ("US_SSN", "Numéro de sécurité sociale : 536-22-8145", "536-22-8145"),
    ("US_SSN", "Número de seguro social 536-22-8145", "536-22-8145"),
    ("US_SSN", "(536-22-8145)", "536-22-8145"),
    # Published sample numbers: only when context says SSN.
    ("US_SSN", "SSN: 123-45-6789", "123-45-6789"),
    ("US_SSN", "ssn 078-05-1120", "078-05-1120"),
    # ITIN: 9xx with the IRS group ranges.
    ("US_ITIN", "ITIN 912-78-1234", "912-78-1234"),
    ("US_ITIN", "taxpayer id 950-91-0000x".replace("x", ""), "950-91-0000"),
    ("US_ITIN", "filed with 912-55-4321 yesterday", "912-55-4321"),
    ("US_ITIN", "itin: 912941234", "912941234"),
    # EIN: assigned prefix, context.
    ("US_EIN", "EIN: 12-3456789", "12-3456789"),
    ("US_EIN", "Employer Identification Number 95-1234567", "95-1234567"),
    ("US_EIN", "federal tax id 461234567", "461234567"),
    # Passport: context.
    ("US_PASSPORT", "Passport No. 912345678", "912345678"),
    ("US_PASSPORT", "passport: A12345678", "A12345678"),
    ("US_PASSPORT", "Reisepass C03005988 gültig", "C03005988"),
    ("US_PASSPORT", "Numéro de passeport 488839667", "488839667"),
    # Driver's license: state formats near a driver's-license word.
    ("US_DRIVER_LICENSE", "Driver's license: D1234567", "D1234567"),
    ("US_DRIVER_LICENSE", "CA drivers license #Y7654321", "Y7654321"),
    ("US_DRIVER_LICENSE", "DL: S123-456-78-901-0", "S123-456-78-901-0"),
    ("US_DRIVER_LICENSE", "driver license S123-4567-8901", "S123-4567-8901"),
    ("US_DRIVER_LICENSE", "DL# 123456789", "123456789"),
    ("US_DRIVER_LICENSE", "driving licence no 12ABC34567", "12ABC34567"),
    ("US_DRIVER_LICENSE", "DLN WDLABCD456DG", "WDLABCD456DG"),
    ("US_DRIVER_LICENSE", "licencia de conducir A123456R", "A123456R"),
    ("US_DRIVER_LICENSE", "Führerschein 1234567AB", "1234567AB"),
    ("US_DRIVER_LICENSE", "driver's license S1234 56789 01234 (NJ)", "S1234 56789 01234"),
]


@pytest.mark.parametrize(("entity", "text", "value"), HITS)
def test_hits_have_exact_spans(entity: str, text: str, value: str) -> None:
    assert spans(text) == [(entity, value)]


MISSES = [
    # SSN rules: area 000, 666, 9xx; group 00; serial 0000.
    "SSN 000-12-3456",
    "SSN 666-12-3456",
    "SSN 536-00-8145",
    "SSN 536-22-0000",
    # Mixed separators and digit runs inside longer numbers.
    "ssn 536-22 8145",
    "ref 2023-536-22-8145",
    "code 536-22-8145-01",
    "id 1536-22-8145",
    "x536-22-8145",
    "tel +1 536 22 8145 90",
    # Negative context outweighs the shape.
    "Order number 536-22-8145",
    "Invoice 536-22-8145 due",
    "tracking: 536-22-8145",
    "Call me on 536-22-8145",
    # Sample numbers without context; nine bare digits without context.
    "the form shows 123-45-6789 as an example",
    "078-05-1120",
    "batch 536228145 shipped",
    # Phone numbers, ZIP+4, dates.
    "Call 212-555-0147",
    "Springfield, IL 62704-1234",
    "on 2023-05-12",
    "12/05/2023",
    # ITIN group out of range; EIN unassigned prefix and no context.
    "ITIN 912-93-1234",
    "ITIN 912-45-1234",
    "EIN: 07-1234567",
    "EIN 00-1234567",
    "part 12-3456789",
    # Passport and driver's license shapes without context.
    "A12345678",
    "912345678",
    "D1234567 arrived",
    # Licence plates are not licenses.
    "license plate ABC1234 driver",
    "passport 111111111",
]


@pytest.mark.parametrize("text", MISSES)
def test_near_misses(text: str) -> None:
    assert found(text) == []


def test_context_lifts_bare_digits_and_samples_score_lower() -> None:
    real = found("SSN 536-22-8145")
    sample = found("SSN 123-45-6789")
    assert real[0][3] > sample[0][3] >= 0.5
    assert found("536228145") == []
    assert found("SSN 536228145")[0][3] >= 0.5


def test_repeated_digits_are_samples() -> None:
    assert found("555-55-5555") == []
    assert spans("my ssn 555-55-5555") == [("US_SSN", "555-55-5555")]


def test_language_specific_context() -> None:
    engine = next(iter(ENGINES.values()))
    text = "Die Sozialversicherungsnummer des Kunden ist 536228145"
    findings = engine.detect(text, language="de")
    assert [(f.entity, text[f.start : f.end]) for f in findings] == [("US_SSN", "536228145")]


def _random_ssn(rng: random.Random) -> str:
    while True:
        area = rng.randint(1, 899)
        if area != 666:
            break
    return f"{area:03d}-{rng.randint(1, 99):02d}-{rng.randint(1, 9999):04d}"


def test_random_valid_ssns_are_found() -> None:
    rng = random.Random(7)
    for _ in range(50):
        ssn = _random_ssn(rng)
        digits = ssn.replace("-", "")
        if digits in {"078051120", "219099999", "457555462", "123456789"} or len(set(digits)) == 1:
            continue
        assert spans(f"record {ssn} end") == [("US_SSN", ssn)]


def test_ssn_and_itin_never_overlap() -> None:
    rng = random.Random(3)
    for _ in range(50):
        value = f"9{rng.randint(0, 99):02d}-{rng.randint(70, 88)}-{rng.randint(0, 9999):04d}"
        assert spans(f"value {value}") == [("US_ITIN", value)]


def test_explanations_never_hold_the_value() -> None:
    engine = next(iter(ENGINES.values()))
    text = "My SSN is 536-22-8145"
    (finding,) = engine.detect(text, explain=True)
    assert finding.explanation is not None
    assert "536" not in repr(finding.explanation.to_dict())
    assert finding.explanation.validator == "ssn-area-group-serial"


def test_entities_are_in_the_taxonomy() -> None:
    tax = taxonomy()
    for det in DETECTORS:
        for entity in det.entities:
            t = tax.get(entity)
            assert t.country == "US"
            assert "GOVERNMENT_ID" in t.categories
    assert tax.get("US_SSN").presidio
    assert "HIPAA_SAFE_HARBOR" in tax.get("US_SSN").regulations
