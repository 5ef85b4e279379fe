from __future__ import annotations

import random
import string

import pytest

from dataward.detect import Engine, available_backends
from dataward.detect.base import PatternDetector
from dataward.detect.detectors.health_ids import (
    DeaDetector,
    HealthPlanIdDetector,
    MbiDetector,
    MedicalLicenseDetector,
    MedicalRecordNumberDetector,
    NpiDetector,
    dea_ok,
    npi_ok,
)
from dataward.detect.detectors.us_ids import SsnDetector, UsDriverLicenseDetector
from dataward.taxonomy import taxonomy

BACKENDS = [b for b in ("hyperscan", "re") if b in available_backends()]
HEALTH: list[PatternDetector] = [
    NpiDetector(),
    DeaDetector(),
    MbiDetector(),
    MedicalRecordNumberDetector(),
    HealthPlanIdDetector(),
    MedicalLicenseDetector(),
]
# The SSN and driver's-license detectors run alongside, so the tests also show which one wins.
DETECTORS = [*HEALTH, SsnDetector(), UsDriverLicenseDetector()]
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


# -- generators of checksum-valid values ---------------------------------------------------------


def _luhn_check_digit(payload: str) -> int:
    total = 0
    for i, ch in enumerate(reversed(payload)):
        d = int(ch)
        if i % 2 == 0:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return (10 - total % 10) % 10


def make_npi(rng: random.Random) -> str:
    body = rng.choice("12") + "".join(rng.choice(string.digits) for _ in range(8))
    return body + str(_luhn_check_digit("80840" + body))


def make_dea(rng: random.Random) -> str:
    d = [rng.randint(0, 9) for _ in range(6)]
    check = (d[0] + d[2] + d[4] + 2 * (d[1] + d[3] + d[5])) % 10
    return (
        rng.choice("ABFGMPRX")
        + rng.choice(string.ascii_uppercase)
        + "".join(map(str, d))
        + str(check)
    )


_MBI_LETTERS = "ACDEFGHJKMNPQRTUVWXY"


def make_mbi(rng: random.Random) -> str:
    alnum = _MBI_LETTERS + string.digits
    kinds = ["1-9", "A", "AN", "N", "A", "AN", "N", "A", "A", "N", "N"]
    pools = {"1-9": "123456789", "A": _MBI_LETTERS, "AN": alnum, "N": string.digits}
    return "".join(rng.choice(pools[k]) for k in kinds)


def test_checksums() -> None:
    assert npi_ok("1234567893")  # the CMS example
    assert not npi_ok("1234567890")
    assert not npi_ok("3234567893")
    assert dea_ok("AB1234563")
    assert not dea_ok("AB1234564")
    assert not dea_ok("IB1234563")  # I is no registrant type
    rng = random.Random(5)
    assert all(npi_ok(make_npi(rng)) for _ in range(100))
    assert all(dea_ok(make_dea(rng)) for _ in range(100))


HITS = [
    # NPI: checksum; context lifts it over the threshold.
    ("US_NPI", "NPI: 1234567893", "1234567893"),
    ("US_NPI", "Rendering provider 1245319599", "1245319599"),
    ("US_NPI", "prescriber npi#1003000126", "1003000126"),
    # DEA: registrant type, initial, checksum; alone or with context.
    ("US_DEA_NUMBER", "DEA number AB1234563", "AB1234563"),
    ("US_DEA_NUMBER", "Dr. Smith, BS7654329", "BS7654329"),
    ("US_DEA_NUMBER", "registrant M91234563 on file", "M91234563"),
    # MBI: positional alphabet, dashes optional.
    ("US_MBI", "MBI 1EG4-TE5-MK73", "1EG4-TE5-MK73"),
    ("US_MBI", "Medicare number: 1EG4TE5MK73", "1EG4TE5MK73"),
    ("US_MBI", "card 9AA0AA0AA00 attached", "9AA0AA0AA00"),
    # Medical record numbers, through context words in five languages.
    ("MEDICAL_RECORD_NUMBER", "MRN: 00123456", "00123456"),
    ("MEDICAL_RECORD_NUMBER", "Medical record number A1234567", "A1234567"),
    ("MEDICAL_RECORD_NUMBER", "Patient ID: 2020-001234", "2020-001234"),
    ("MEDICAL_RECORD_NUMBER", "Chart #: 4567821", "4567821"),
    ("MEDICAL_RECORD_NUMBER", "Krankenaktennummer 7788991", "7788991"),
    ("MEDICAL_RECORD_NUMBER", "Patientennummer: P-0045123", "P-0045123"),
    ("MEDICAL_RECORD_NUMBER", "Numéro de dossier médical : 7654321", "7654321"),
    ("MEDICAL_RECORD_NUMBER", "Historia clínica: 55512345", "55512345"),
    ("MEDICAL_RECORD_NUMBER", "Cartella clinica n. 998877", "998877"),
    ("MEDICAL_RECORD_NUMBER", "admitted 2023-05-12, MRN 12345678", "12345678"),
    # Health plan ids.
    ("HEALTH_PLAN_ID", "Member ID: XYZ123456789", "XYZ123456789"),
    ("HEALTH_PLAN_ID", "Subscriber W123456789 (self)", "W123456789"),
    ("HEALTH_PLAN_ID", "Group number 0012345-001", "0012345-001"),
    ("HEALTH_PLAN_ID", "Versichertennummer 4471125", "4471125"),
    ("HEALTH_PLAN_ID", "número de afiliado 28/4471125", "28/4471125"),
    # Medical licences.
    ("MEDICAL_LICENSE", "License no. A123456", "A123456"),
    ("MEDICAL_LICENSE", "Medical license G 54321", "G 54321"),
    ("MEDICAL_LICENSE", "Ohio medical license 35.123456", "35.123456"),
    ("MEDICAL_LICENSE", "número de colegiado 282812345", "282812345"),
]


@pytest.mark.parametrize(("entity", "text", "value"), HITS)
def test_hits_have_exact_spans(entity: str, text: str, value: str) -> None:
    assert spans(text) == [(entity, value)]


MISSES = [
    # NPI: bad check digit, wrong first digit, no context, phone context, longer runs.
    "NPI 1234567890",
    "NPI 3234567893",
    "1234567893",
    "phone 1234567893 npi",
    "NPI 12345678931",
    # DEA: bad checksum, letters outside the registrant set, lower case.
    "DEA AB1234564",
    "DEA IB1234563",
    "DEA ab1234563",
    "order AB1234563",
    # MBI: excluded letters (S, L, O, I, B, Z), 0 first, one dash only.
    "MBI 1SG4TE5MK73",
    "MBI 1EG4TE5MK7Z",
    "MBI 0EG4TE5MK73",
    "MBI 1EG4-TE5MK73",
    "tracking 1EG4TE5MK73",
    # Context-only ids without context, or with dates, doses and labels of other things.
    "00123456",
    "A1234567",
    "MRN on file, admitted 2023-05-12",
    "patient received 50000 units",
    "MRN 1111111",
    "Order 12345678 for patient",
    "License: MIT 2024",
    "driver's license 123",
    "software license key 123456789",
]


@pytest.mark.parametrize("text", MISSES)
def test_near_misses(text: str) -> None:
    assert found(text) == []


def test_random_checksum_values_are_found() -> None:
    rng = random.Random(13)
    for _ in range(40):
        npi = make_npi(rng)
        if len(set(npi)) <= 2:
            continue
        assert spans(f"NPI {npi}") == [("US_NPI", npi)]
        dea = make_dea(rng)
        if len(set(dea[2:])) > 1:
            assert spans(f"DEA {dea}") == [("US_DEA_NUMBER", dea)]
        mbi = make_mbi(rng)
        dashed = f"{mbi[:4]}-{mbi[4:7]}-{mbi[7:]}"
        assert spans(f"Medicare {mbi}") == [("US_MBI", mbi)]
        assert spans(f"Medicare {dashed}") == [("US_MBI", dashed)]


def test_corrupted_check_digits_are_rejected() -> None:
    rng = random.Random(17)
    for _ in range(40):
        npi = make_npi(rng)
        bad = npi[:9] + str((int(npi[9]) + 1) % 10)
        assert not any(e == "US_NPI" for e, _ in spans(f"NPI {bad}"))
        dea = make_dea(rng)
        bad_dea = dea[:8] + str((int(dea[8]) + 3) % 10)
        assert spans(f"DEA {bad_dea}") == []


def test_medical_record_label_beats_an_ssn_shape() -> None:
    assert spans("MRN: 536-22-8145") == [("MEDICAL_RECORD_NUMBER", "536-22-8145")]
    assert spans("SSN: 536-22-8145") == [("US_SSN", "536-22-8145")]


def test_driver_license_is_not_a_medical_license() -> None:
    assert spans("Driver's license: D1234567") == [("US_DRIVER_LICENSE", "D1234567")]


def test_entities_are_in_the_taxonomy() -> None:
    tax = taxonomy()
    for det in HEALTH:
        for entity in det.entities:
            t = tax.get(entity)
            assert "IDENTIFIER" in t.categories
    for name in ("MEDICAL_RECORD_NUMBER", "HEALTH_PLAN_ID", "US_MBI"):
        t = tax.get(name)
        assert "PHI" in t.categories
        assert "HIPAA_SAFE_HARBOR" in t.regulations
        assert t.data_category.startswith("user.health_and_medical")
    assert tax.get("MEDICAL_LICENSE").presidio
