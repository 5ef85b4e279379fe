"""A small, seeded landing zone of realistic (synthetic) clinical and billing data.

Every value is generated here: names from a short multicultural list, identifiers with valid
shapes and check digits, so the detectors have real work to do. Nothing is a real person.
"""

from __future__ import annotations

import json
import random
import string
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

# Disjoint from the surrogate operator's name lists, so the demo's leak check cannot mistake a
# surrogate for an original.
FIRST = [
    "Adaeze",
    "Lukas",
    "Meilin",
    "Santiago",
    "Aisha",
    "Oliver",
    "Prakash",
    "Kenji",
    "Fatima",
    "Joakim",
    "Lucía",
    "Nahuel",
    "Ingrid",
    "Tariq",
    "Chloé",
    "Dmitri",
    "Zanele",
    "Hanako",
]
LAST = [
    "Okonkwo",
    "Schneider",
    "Zhou",
    "García",
    "Rahman",
    "Whitfield",
    "Raghunathan",
    "Morimoto",
    "Haddad",
    "Bergström",
    "Fernández",
    "Abernathy",
    "Lindqvist",
    "Aziz",
    "Delacroix",
    "Volkov",
    "Dlamini",
    "Nováková",
]
STREETS = ["Maple Avenue", "Oak Street", "Cedar Lane", "Harbor Road", "Elm Drive", "Park Place"]
CITIES = [
    ("Springfield", "IL", "62704"),
    ("Portland", "OR", "97205"),
    ("Austin", "TX", "78701"),
    ("Madison", "WI", "53703"),
    ("Raleigh", "NC", "27601"),
]
DIAGNOSES = [
    "type 2 diabetes",
    "asthma",
    "hypertension",
    "chronic kidney disease",
    "major depressive disorder",
    "COPD",
]


def _luhn(prefix: str, length: int, rng: random.Random) -> str:
    body = prefix + "".join(rng.choice(string.digits) for _ in range(length - len(prefix) - 1))
    total = 0
    for i, ch in enumerate(reversed(body)):
        d = int(ch) * (2 if i % 2 == 0 else 1)
        total += d - 9 if d > 9 else d
    return body + str((10 - total % 10) % 10)


def _ssn(rng: random.Random) -> str:
    return f"{rng.randint(101, 665):03d}-{rng.randint(10, 99):02d}-{rng.randint(1000, 9999):04d}"


def _phone(rng: random.Random) -> str:
    return f"({rng.randint(201, 989)}) {rng.randint(201, 989)}-{rng.randint(1000, 9999)}"


def build(folder: Path, patients: int = 200, seed: int = 20261127) -> list[Path]:
    """Write the landing zone into ``folder``; returns the files written."""
    rng = random.Random(seed)
    folder.mkdir(parents=True, exist_ok=True)
    people: list[dict[str, str]] = []
    for i in range(patients):
        first, last = rng.choice(FIRST), rng.choice(LAST)
        city, state, zipcode = rng.choice(CITIES)
        people.append(
            {
                "patient_id": f"P{100000 + i}",
                "first_name": first,
                "last_name": last,
                "ssn": _ssn(rng),
                "date_of_birth": f"{rng.randint(1940, 2004)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",
                "email": f"{first.lower()}.{last.lower()}{i}@example.org".encode(
                    "ascii", "ignore"
                ).decode(),
                "phone": _phone(rng),
                "street_address": f"{rng.randint(10, 9999)} {rng.choice(STREETS)}, {city}, {state} {zipcode}",
                "diagnosis": rng.choice(DIAGNOSES),
                "readmitted": str(rng.random() < 0.2).lower(),
            }
        )
    written = []

    csv_path = folder / "patients.csv"
    cols = list(people[0])
    with csv_path.open("w", encoding="utf-8", newline="") as fh:
        fh.write(",".join(cols) + "\n")
        for p in people:
            fh.write(",".join(f'"{p[c]}"' if "," in str(p[c]) else str(p[c]) for c in cols) + "\n")
    written.append(csv_path)

    visits = folder / "visits.jsonl"
    with visits.open("w", encoding="utf-8") as fh:
        for n, p in enumerate(people[: patients // 2]):
            record = {
                "visit_id": f"V{500000 + n}",
                "patient": {
                    "id": p["patient_id"],
                    "contacts": [
                        {"type": "mobile", "phone": p["phone"]},
                        {"type": "email", "value": p["email"]},
                    ],
                },
                "admitted": f"2026-{rng.randint(1, 10):02d}-{rng.randint(1, 28):02d}",
                "note": (
                    f"Patient {p['first_name']} {p['last_name']} (DOB {p['date_of_birth']}) seen for "
                    f"{p['diagnosis']}. Call back on {p['phone']}. MRN: {rng.randint(10**6, 10**7 - 1)}."
                ),
            }
            fh.write(json.dumps(record, ensure_ascii=False) + "\n")
    written.append(visits)

    claims = folder / "claims.parquet"
    table = pa.table(
        {
            "claim_id": [f"C{900000 + i}" for i in range(patients)],
            "patient_id": [p["patient_id"] for p in people],
            "card_number": [_luhn(rng.choice(["4", "51", "37"]), 16, rng) for _ in people],
            "amount_usd": [round(rng.uniform(20, 4000), 2) for _ in people],
            "procedure_code": [rng.choice(["99213", "99214", "93000", "80053"]) for _ in people],
        }
    )
    pq.write_table(table, claims, compression="zstd")
    written.append(claims)

    notes = folder / "notes"
    notes.mkdir(exist_ok=True)
    for n, p in enumerate(people[:5]):
        note = notes / f"discharge-{n + 1}.txt"
        note.write_text(
            f"DISCHARGE SUMMARY\nPATIENT: {p['first_name'].upper()} {p['last_name'].upper()}\n"
            f"SSN {p['ssn']}  DOB {p['date_of_birth']}\n"
            f"Admitted with {p['diagnosis']}; stable at discharge. Follow up with Dr. "
            f"{rng.choice(LAST)} in 2 weeks. Contact {p['email']}.\n",
            encoding="utf-8",
        )
        written.append(note)

    config = folder / "pipeline.env"
    key = "AKIA" + "".join(rng.choice(string.ascii_uppercase + "234567") for _ in range(16))
    config.write_text(
        f"FEATURE_STORE_URL=https://features.internal.example\nAWS_ACCESS_KEY_ID={key}\n",
        encoding="utf-8",
    )
    written.append(config)
    return written
