"""Every audit event a call through the service records names the API key that made it (the
actor), beside the principal the request names (``payload["principal"]``)."""

from __future__ import annotations

import getpass
from pathlib import Path
from typing import Any

from tests.server.conftest import Live
from tests.server.test_e2e import _patients, _wait


def _events(live: Live) -> list[dict[str, Any]]:
    with live.client("auditor") as c:
        r = c.get("/v1/audit/events", params={"limit": 1000})
    assert r.status_code == 200, r.text
    events: list[dict[str, Any]] = r.json()["events"]
    return events


def test_calls_are_audited_under_the_calling_key(live: Live, tmp_path: Path) -> None:
    pipeline_id = live.keys["pipeline"].split("_")[1]
    steward_id = live.keys["steward"].split("_")[1]
    request = {
        "principal": {"type": "ServiceAccount", "id": "trainer", "groups": ["ml"]},
        "action": "train",
        "resource": {"type": "Dataset", "id": "patients", "tags": ["PHI", "PII_HIGH"]},
        "context": {"purpose": "marketing", "environment": "prod", "transforms": []},
    }
    with live.client("pipeline") as c:
        assert c.post("/v1/decide", json=request).status_code == 200
        assert c.post("/v1/protect", json={"texts": ["mail a@example.org"]}).status_code == 200
    data = _patients(tmp_path / "landing")
    with live.client("steward") as c:
        r = c.post("/v1/scan", json={"paths": [str(data.parent)], "sample": 100})
        assert r.status_code == 202, r.text
        assert _wait(c, r.json()["job_id"])["status"] == "done"

    import dataward as dw
    from dataward.policy.api import flush

    dw.decide(request)  # the same request in process: its actor is how the principal is named
    flush()
    events = _events(live)
    via_service, direct = [e for e in events if e["kind"] == "decision"]
    by_kind = {e["kind"]: e for e in events if e is not direct}
    assert via_service["actor"] == f"apikey:{pipeline_id}"
    assert via_service["payload"]["principal"] == direct["actor"]
    assert not direct["actor"].startswith("apikey:")
    assert by_kind["protect"]["actor"] == f"apikey:{pipeline_id}"
    assert by_kind["scan"]["actor"] == f"apikey:{steward_id}"
    assert getpass.getuser() not in {e["actor"] for e in by_kind.values()}


def test_how_the_log_names_a_caller() -> None:
    from dataward.server.apikeys import ApiKey, Role

    assert ApiKey("3f9a1c2b7d4e", "training-job", Role.PIPELINE).actor == "apikey:3f9a1c2b7d4e"
    # an OIDC caller is a digest of issuer and subject (the subject may be an e-mail address)
    assert ApiKey("oidc_0123456789ab", "oidc", Role.AUDITOR).actor == "oidc:0123456789ab"
