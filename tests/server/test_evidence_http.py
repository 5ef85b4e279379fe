"""``/v1/decide`` takes signed protect receipts as evidence; a claim alone lifts no deny."""

from __future__ import annotations

import copy
from typing import Any

import pyarrow as pa

import dataward as dw
from dataward.protect import KeyRing
from tests.server.conftest import Live

SSN = "523-71-6604"


def _request(version: str) -> dict[str, Any]:
    return {
        "principal": {"type": "ServiceAccount", "id": "trainer", "groups": ["ml"]},
        "action": "train",
        "resource": {"type": "Dataset", "id": "patients", "tags": ["PHI"], "version": version},
        "context": {"purpose": "marketing", "job_id": "job-7", "transforms": ["tokenize:PHI"]},
    }


def test_decide_over_http_counts_receipts_not_claims(live: Live) -> None:
    with live.client("pipeline") as c:
        first = c.post("/v1/decide", json=_request("v1"))
        assert first.status_code == 200, first.text
        decision = first.json()
        assert decision["effect"] == "allow_with_obligations"  # the claim alone lifts nothing
        table = pa.table({"patient_ssn": [SSN, "219-09-9999"], "note": ["ok", "fine"]})
        result = dw.protect(table, decision=decision, keyring=KeyRing.from_secret(b"h" * 32))
        receipt = result.receipt
        version = receipt["output_sha256"]
        proven = c.post("/v1/decide", json={**_request(version), "evidence": [receipt]})
        assert proven.status_code == 200, proven.text
        assert proven.json()["effect"] == "allow" and proven.json()["token"]
        forged = copy.deepcopy(receipt)
        forged["output_sha256"] = "sha256:" + "0" * 64
        refused = c.post("/v1/decide", json={**_request(version), "evidence": [forged]})
        assert refused.status_code == 200
        assert refused.json()["effect"] == "allow_with_obligations"
        assert not refused.json().get("token")
        assert SSN not in proven.text + refused.text
