"""The whole loop through HTTP: scan, catalog, decide, token, audit."""

from __future__ import annotations

import csv
import time
from pathlib import Path
from typing import Any

import httpx

from tests.server.conftest import Live

CANARY_SSN = "536-22-8174"


def _patients(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "patients.csv"
    with path.open("w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["patient_id", "ssn", "email", "diagnosis_note"])
        for i in range(60):
            ssn = CANARY_SSN if i == 0 else f"{500 + i:03d}-{10 + i % 80:02d}-{1000 + i * 7:04d}"
            w.writerow([i, ssn, f"p{i}@example.org", f"Patient {i} seen for follow-up of asthma."])
    return path


def _wait(c: httpx.Client, job_id: str) -> dict[str, Any]:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        job: dict[str, Any] = c.get(f"/v1/jobs/{job_id}").json()
        if job["status"] != "running":
            return job
        time.sleep(0.2)
    raise AssertionError("scan job did not finish")


def test_scan_decide_token_and_audit_through_http(live: Live, tmp_path: Path) -> None:
    data = _patients(tmp_path / "landing")
    with live.client("pipeline") as c:
        r = c.post("/v1/scan", json={"paths": [str(data.parent)], "sample": 1000})
        assert r.status_code == 202, r.text
        job = _wait(c, r.json()["job_id"])
        assert job["status"] == "done", job
        [dataset] = job["result"]["datasets"]
        assert dataset["path"].endswith("patients.csv")
        columns = {col["name"]: col["entity"] for col in dataset["columns"]}
        assert columns["ssn"] == "US_SSN" and columns["email"] == "EMAIL_ADDRESS"
        assert CANARY_SSN not in r.text + str(job)

        request = {
            "principal": {"type": "ServiceAccount", "id": "trainer", "groups": ["ml"]},
            "action": "train",
            "resource": {"type": "Dataset", "id": "patients", "tags": ["PHI", "PII_HIGH"]},
            "context": {"purpose": "marketing", "environment": "prod", "transforms": []},
        }
        first = c.post("/v1/decide", json=request).json()
        assert first["effect"] in ("deny", "allow_with_obligations"), first
        if first["effect"] == "allow_with_obligations":
            applied = [
                f"{o['verb']}:{o['target']}" if "verb" in o else o["transform"]
                for o in first["obligations"]
            ]
            request["context"]["transforms"] = applied
            second = c.post("/v1/decide", json=request).json()
            # a transform only claimed (no protect receipt) lifts nothing
            assert second["effect"] == "allow_with_obligations", second
            assert any(w.startswith("claimed_without_evidence") for w in second["warnings"])

    with live.client("auditor") as c:
        listed = c.get("/v1/catalog/datasets").json()["datasets"]
        assert any(d["path"].endswith("patients.csv") for d in listed)
        shown = c.get("/v1/catalog/datasets/patients.csv")
        assert shown.status_code == 200 and CANARY_SSN not in shown.text
        verified = c.get("/v1/audit/verify").json()
        assert verified["ok"] is True, verified
        events = c.get("/v1/audit/events").json()
        assert events["size"] >= 1
        assert c.get(f"/v1/audit/proof/{events['size'] - 1}").status_code == 200
        assert c.post("/v1/decide", json=request).status_code == 403


def test_scan_outside_roots_is_403(live: Live) -> None:
    with live.client("pipeline") as c:
        r = c.post("/v1/scan", json={"paths": ["/etc"]})
    assert r.status_code == 403
