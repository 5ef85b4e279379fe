"""Scans as OCSF Data Security Findings: the attributes OCSF 1.8's schema requires of the base
event, the finding and finding_info, its enum values, and no canary."""

from __future__ import annotations

import json
from dataclasses import replace

import pyarrow as pa

import dataward as dw
from dataward.integrations.ocsf import data_security_finding

EMAIL = "canary.7731@example.org"
SSN = "078-05-1120"
BASE_REQUIRED = {
    "activity_id",
    "category_uid",
    "class_uid",
    "metadata",
    "severity_id",
    "time",
    "type_uid",
}
"""Required by events/base_event.json; finding.json adds finding_info, finding_info.json uid."""
SEVERITIES = {0, 1, 2, 3, 4, 5, 6, 99}
DETECTION_SYSTEMS = set(range(13)) | {99}
LIFECYCLE = {0, 1, 2, 3, 99}
CATEGORIES = {0, 1, 2, 3, 4, 5, 6, 99}


def scanned(path: str) -> object:
    table = pa.table(
        {
            "email": [EMAIL] + [f"user{i}@example.com" for i in range(9)],
            "ssn": [SSN] + [f"219-09-{9000 + i}" for i in range(9)],
            "n": list(range(10)),
        }
    )
    return replace(dw.scan(table).datasets[0], path=path)


def test_a_scan_is_a_data_security_finding() -> None:
    event = data_security_finding(scanned(f"s3://landing/{EMAIL}.csv"), now=1_700_000_000.5)
    assert event is not None
    assert set(event) >= BASE_REQUIRED and event["finding_info"]["uid"]
    assert (event["category_uid"], event["class_uid"], event["type_uid"]) == (2, 2006, 200601)
    assert event["time"] == 1_700_000_000_500
    assert event["severity_id"] in SEVERITIES and event["severity_id"] == 4  # PII_HIGH
    assert {"product", "version"} <= set(event["metadata"])
    ds = event["data_security"]
    assert ds["detection_system_id"] in DETECTION_SYSTEMS and ds["detection_system_id"] == 4
    assert ds["data_lifecycle_state_id"] in LIFECYCLE and ds["category_id"] in CATEGORIES
    assert ds["category_id"] == 2  # a government identifier (US_SSN) beside contact data
    assert set(event["finding_info"]["types"]) == {"EMAIL_ADDRESS", "US_SSN"}
    assert event["file"]["type_id"] == 1 and "<EMAIL_ADDRESS>" in event["file"]["path"]
    text = json.dumps(event)
    assert EMAIL not in text and SSN not in text


def test_nothing_sensitive_gives_no_finding() -> None:
    table = pa.table({"n": [1, 2, 3], "word": ["a", "b", "c"]})
    assert data_security_finding(dw.scan(table).datasets[0]) is None
