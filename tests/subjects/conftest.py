"""Fixtures of the subject tests: a small landing zone with distinctive fake identifiers."""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

CANARY_EMAIL = "canary.7731@example.org"
CANARY_SSN = "078-05-1120"
CANARY_PHONE = "(415) 555-0172"
OTHER_EMAIL = "bob.other@example.com"


@pytest.fixture
def landing(tmp_path: Path) -> Path:
    """CSV, JSONL and Parquet files; the canary subject is in 2 CSV rows, 1 JSONL record and 1
    Parquet row (spelt differently: upper case, an SSN without dashes)."""
    root = tmp_path / "landing"
    root.mkdir()
    (root / "people.csv").write_text(
        "name,email,ssn,customer_id\n"
        f"Ada,{CANARY_EMAIL},{CANARY_SSN},C-1\n"
        f"Bob,{OTHER_EMAIL},219-09-9999,C-2\n"
        f"Ada again,{CANARY_EMAIL.upper()},,C-3\n"
        "Cy,cy@example.net,,C-4\n"
    )
    (root / "events.jsonl").write_text(
        json.dumps({"user": {"mail": CANARY_EMAIL}, "event": "login"})
        + "\n"
        + json.dumps({"user": {"mail": OTHER_EMAIL}, "event": "login"})
        + "\n"
    )
    pq.write_table(
        pa.table(
            {
                "who": [f"call {CANARY_PHONE} re ssn 078051120", "nothing here"],
                "amount": [1, 2],
            }
        ),
        root / "calls.parquet",
    )
    return root
