"""Classification accuracy on labelled tables: the shared tabular_dev set and a generated one."""

from __future__ import annotations

import random
import uuid

import pyarrow as pa
import pyarrow.csv as pcsv
import pytest

from dataward.classify import classify_table, is_sensitive
from dataward.taxonomy import taxonomy
from tests.conftest import shared_data

TABULAR = "tabular_dev/fakenamegenerator_3000.csv"
KEY = b"k" * 32

GOV = {t.name for t in taxonomy() if "GOVERNMENT_ID" in t.categories}
# Column → accepted entity types, from the data README; None: not sensitive.
EXPECTED: dict[str, set[str] | None] = {
    "GivenName": {"FIRST_NAME", "PERSON"},
    "Surname": {"LAST_NAME", "PERSON"},
    "MothersMaiden": {"LAST_NAME", "PERSON"},
    "StreetAddress": {"STREET_ADDRESS", "LOCATION"},
    "City": {"CITY", "LOCATION"},
    "State": {"LOCATION"},
    "StateFull": {"LOCATION"},
    "ZipCode": {"POSTAL_CODE"},
    "Country": {"COUNTRY", "LOCATION"},
    "CountryFull": {"COUNTRY", "LOCATION"},
    "EmailAddress": {"EMAIL_ADDRESS"},
    "Username": {"USERNAME"},
    "Password": {"PASSWORD"},
    "BrowserUserAgent": {"DEVICE_ID"},
    "TelephoneNumber": {"PHONE_NUMBER"},
    "Birthday": {"DATE_OF_BIRTH"},
    "Age": {"AGE"},
    "CCNumber": {"CREDIT_CARD"},
    "CVV2": {"CVV"},
    "CCExpires": {"CARD_EXPIRY"},
    "NationalID": GOV,
    "Occupation": {"OCCUPATION"},
    "Company": {"ORGANIZATION"},
    "Domain": {"DOMAIN_NAME", "URL"},
    "BloodType": {"BLOOD_TYPE"},
    "Pounds": {"WEIGHT"},
    "Kilograms": {"WEIGHT"},
    "FeetInches": {"HEIGHT"},
    "Centimeters": {"HEIGHT"},
    "GUID": {"UUID"},
    "Latitude": {"GEO_COORDINATE"},
    "Longitude": {"GEO_COORDINATE"},
    "Number": None,
    "TropicalZodiac": None,
    "Color": None,
    "Vehicle": None,
}
# CCType, UPS and the MTCN columns name types the taxonomy has no entity for: not scored.


def _accuracy(result: object, expected: dict[str, set[str] | None]) -> tuple[float, list[str]]:
    cols = {c.name: c for c in result.columns}  # type: ignore[attr-defined]
    wrong = []
    for name, want in expected.items():
        got = cols[name].entity
        ok = (got is None or not is_sensitive(got)) if want is None else got in want
        if not ok:
            wrong.append(f"{name}: {got}")
    return 1 - len(wrong) / len(expected), wrong


@pytest.mark.slow
def test_tabular_dev_accuracy() -> None:
    table = pcsv.read_csv(
        shared_data(TABULAR), convert_options=pcsv.ConvertOptions(strings_can_be_null=True)
    )
    result = classify_table(table, key=KEY, full=False, sample=1500)
    accuracy, wrong = _accuracy(result, EXPECTED)
    print(f"tabular_dev accuracy {accuracy:.3f} over {len(EXPECTED)} columns; wrong: {wrong}")
    assert accuracy >= 0.9, wrong
    assert "PII_HIGH" in result.tag_names and "PCI" in result.tag_names


FIRST = ["James", "Mary", "Robert", "Patricia", "John", "Jennifer", "Michael", "Linda", "David"]
LAST = ["Smith", "Johnson", "Williams", "Brown", "Jones", "Garcia", "Miller", "Davis", "Lopez"]
STREETS = ["Oak Street", "Maple Avenue", "Cedar Lane", "Pine Road", "Elm Drive", "Hill Court"]
CITIES = ["Springfield", "Riverside", "Fairview", "Madison", "Georgetown", "Clinton"]
WARDS = ["Cardiology", "Oncology", "Pediatrics", "Neurology", "Orthopedics"]
CONDITIONS = ["type 2 diabetes", "hypertension", "asthma", "pneumonia", "a fractured wrist"]


def hospital(n: int = 400, seed: int = 7) -> tuple[pa.Table, dict[str, set[str] | None]]:
    rng = random.Random(seed)

    def ssn() -> str:
        return f"{rng.randint(100, 665):03d}-{rng.randint(10, 99):02d}-{rng.randint(1000, 9999)}"

    def phone() -> str:
        return f"({rng.randint(201, 989)}) {rng.randint(200, 999)}-{rng.randint(1000, 9999)}"

    rows = []
    for i in range(n):
        first, last = rng.choice(FIRST), rng.choice(LAST)
        y, m, d = rng.randint(1935, 2010), rng.randint(1, 12), rng.randint(1, 28)
        note = (
            f"Patient {first} {last} was admitted with {rng.choice(CONDITIONS)}. "
            f"Follow-up call to {phone()} scheduled; reports feeling better after treatment."
        )
        rows.append(
            {
                "mrn": f"MRN{rng.randint(10**7, 10**8 - 1)}",
                "ssn": ssn(),
                "name": f"{first} {last}",
                "dob": f"{y}-{m:02d}-{d:02d}",
                "address": f"{rng.randint(1, 9999)} {rng.choice(STREETS)}, {rng.choice(CITIES)}",
                "phone": phone(),
                "diagnosis_notes": note,
                "admission_date": f"2024-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",
                "ward": rng.choice(WARDS),
                "bed_count": rng.randint(10, 40),
                "lab_value": round(rng.uniform(3.5, 9.5), 2),
                "record_uuid": str(uuid.UUID(int=rng.getrandbits(128))),
                "row_id": i + 1,
            }
        )
    table = pa.Table.from_pylist(rows)
    expected: dict[str, set[str] | None] = {
        "mrn": {"MEDICAL_RECORD_NUMBER"},
        "ssn": {"US_SSN"},
        "name": {"PERSON"},
        "dob": {"DATE_OF_BIRTH"},
        "address": {"STREET_ADDRESS", "LOCATION"},
        "phone": {"PHONE_NUMBER"},
        "diagnosis_notes": {"MEDICAL_CONDITION", "PERSON", "PHONE_NUMBER"},
        "admission_date": {"DATE_TIME"},
        "ward": None,
        "bed_count": None,
        "lab_value": None,
        "record_uuid": {"UUID"},
        "row_id": None,
    }
    return table, expected


def test_hospital_table() -> None:
    table, expected = hospital()
    result = classify_table(table, key=KEY)
    accuracy, wrong = _accuracy(result, expected)
    print(f"hospital accuracy {accuracy:.3f}; wrong: {wrong}")
    assert accuracy >= 0.9, wrong
    flagged = [c.name for c in result.columns if expected[c.name] is None and c.sensitive]
    assert len(flagged) <= 2, flagged
    assert "PHI" in result.tag_names and "PII_HIGH" in result.tag_names
    cols = {c.name: c for c in result.columns}
    assert cols["diagnosis_notes"].kind == "free_text"
    assert cols["diagnosis_notes"].free_text_score > 0.6
    assert cols["row_id"].kind == "identifier"
    assert result.records.high_share > 0.9
