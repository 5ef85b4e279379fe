from __future__ import annotations

import pytest

from dataward.server.app import ServerConfig
from tests.server.conftest import Live

CANARY = "canary.s3rv@example.org"


def test_health_and_ready_need_no_key(live: Live) -> None:
    with live.client() as c:
        assert c.get("/health").json()["status"] == "ok"
        assert c.get("/ready").json()["status"] == "ready"
        assert "openapi" in c.get("/openapi.json").json()


def test_detect_through_http(live: Live) -> None:
    with live.client("pipeline") as c:
        r = c.post("/v1/detect", json={"texts": [f"mail {CANARY}", "nothing"], "explain": True})
    assert r.status_code == 200, r.text
    [first, second] = r.json()["results"]
    assert [f["entity"] for f in first["findings"]] == ["EMAIL_ADDRESS"]
    assert first["findings"][0]["start"] == 5
    assert second["findings"] == []
    assert CANARY not in r.text


@pytest.mark.parametrize(
    ("headers", "status"),
    [
        ({}, 401),
        ({"Authorization": "Bearer dw_nope_nope"}, 401),
        ({"Authorization": "Basic abc"}, 401),
    ],
)
def test_missing_or_bad_key_is_401(live: Live, headers: dict[str, str], status: int) -> None:
    with live.client() as c:
        r = c.post("/v1/detect", json={"text": "x"}, headers=headers)
    assert r.status_code == status
    assert r.headers["www-authenticate"] == "Bearer"


def test_wrong_role_is_403(live: Live) -> None:
    with live.client("auditor") as c:
        r = c.post("/v1/detect", json={"text": "x"})
    assert r.status_code == 403 and "auditor" in r.json()["detail"]


def test_revoked_key_is_401(live: Live) -> None:
    from dataward.server.apikeys import revoke

    key_id = live.keys["steward"].split("_")[1]
    assert revoke(live.store, key_id)
    with live.client("steward") as c:
        assert c.post("/v1/detect", json={"text": "x"}).status_code == 401


def test_body_limit_and_validation(live: Live) -> None:
    with live.client("pipeline") as c:
        assert c.post("/v1/detect", json={"text": "a" * 300_000}).status_code == 413
        assert c.post("/v1/detect", json={}).status_code == 422
        assert c.post("/v1/detect", json={"text": "x", "threshold": 3}).status_code == 422
        r = c.post("/v1/detect", json={"text": "x", "entities": ["EMAIL_ADRESS"]})
        assert r.status_code == 400 and "Did you mean" in r.json()["detail"]


@pytest.mark.parametrize(
    "live_config", [ServerConfig(max_body_bytes=200_000, rate_per_second=0.001, burst=5)]
)
def test_rate_limit(live: Live) -> None:
    """A burst of 5 and one more request every 1,000 s: the sixth request is refused however
    fast or slow the machine sends them (under 1,000 s)."""
    with live.client("pipeline") as c:
        codes = [c.post("/v1/detect", json={"text": "x"}).status_code for _ in range(8)]
        refused = c.post("/v1/detect", json={"text": "x"})
    assert codes == [200] * 5 + [429] * 3
    assert refused.headers["retry-after"] == "1"
    with live.client("auditor") as c:  # another key has its own bucket
        assert c.get("/v1/catalog/datasets").status_code == 200


def test_metrics_count_requests(live: Live) -> None:
    with live.client("pipeline") as c:
        c.post("/v1/detect", json={"text": "x"})
        body = c.get("/metrics").text
    assert 'dataward_requests_total{method="POST",route="/v1/detect",status="200"}' in body


def test_protect_through_http(live: Live) -> None:
    with live.client("pipeline") as c:
        r = c.post("/v1/protect", json={"texts": [f"mail {CANARY} now", "nothing here"]})
        assert r.status_code == 200, r.text
        first, second = r.json()["results"]
        assert CANARY not in first and first.startswith("mail ") and second == "nothing here"
        again = c.post("/v1/protect", json={"texts": [f"mail {CANARY} now"]}).json()["results"][0]
        assert again == first  # deterministic under the same key
        bad = c.post("/v1/protect", json={"texts": ["x"], "rules": [{"operator": "no-such-op"}]})
        assert bad.status_code in (400, 422)


def test_a_callers_bad_fpe_rule_is_a_4xx(live: Live) -> None:
    """An FPE rule whose alphabet or length cannot fit the values found is the caller's error."""
    text = "card 4539177408269130 ssn 523-71-6604"
    with live.client("pipeline") as c:
        for rule in (
            {"entity": "CREDIT_CARD", "operator": "fpe", "alphabet": "ab"},
            {"entity": "CREDIT_CARD", "operator": "fpe", "keep_first": 30},
            {"entity": "US_SSN", "operator": "fpe", "alphabet": "lower"},
        ):
            r = c.post("/v1/protect", json={"texts": [text], "rules": [rule]})
            assert r.status_code == 422, (rule, r.status_code, r.text)
            assert "FF3-1" in r.json()["detail"]
            assert "4539177408269130" not in r.text and "523-71-6604" not in r.text
