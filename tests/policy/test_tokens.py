from __future__ import annotations

import stat
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from dataward.policy import PolicyEngine, TokenError, revalidate, verify_token
from dataward.policy.tokens import key_path
from tests.policy.conftest import req

NOW = datetime(2025, 6, 1, 12, tzinfo=UTC)
CONSENT = {
    "purpose": "training",
    "granted_at": "2025-01-01T00:00:00Z",
    "expires_at": "2025-12-31T00:00:00Z",
}


def training_request() -> dict:  # type: ignore[type-arg]
    return req(
        ["EMAIL_ADDRESS"],
        purpose="training",
        lawful_basis=["consent"],
        consent=[dict(CONSENT)],
        job_id="job-42",
    )


@pytest.fixture
def engine() -> PolicyEngine:
    return PolicyEngine.load(["baseline", "gdpr"], token_ttl_seconds=600)


def test_token_issued_verified_and_bound(engine: PolicyEngine) -> None:
    decision = engine.decide(training_request(), now=NOW)
    assert decision.effect == "allow" and decision.token is not None
    path = key_path()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    claims = verify_token(decision.token, now=NOW.timestamp() + 1)
    assert claims["job"] == "job-42" and claims["dataset"] == "Dataset::patients"
    assert claims["dataset_version"] == "v3" and claims["policy_revision"] == engine.revision
    assert claims["exp"] == int(NOW.timestamp()) + 600
    check = revalidate(
        decision.token, training_request(), engine=engine, now=NOW + timedelta(seconds=5)
    )
    assert check.valid, check.problems
    # no token without a job, or when not allowed
    no_job = training_request()
    del no_job["context"]["job_id"]
    assert engine.decide(no_job, now=NOW).token is None
    assert (
        engine.decide(req(["EMAIL_ADDRESS"], purpose="training", job_id="j"), now=NOW).token is None
    )


def test_tampered_and_expired_tokens_fail(engine: PolicyEngine) -> None:
    token = engine.decide(training_request(), now=NOW).token
    assert token is not None
    head, body, sig = token.split(".")
    forged_body = body[:-2] + ("A" if body[-2] != "A" else "B") + body[-1]
    with pytest.raises(TokenError, match="signature"):
        verify_token(f"{head}.{forged_body}.{sig}", now=NOW.timestamp())
    with pytest.raises(TokenError, match="expired"):
        verify_token(token, now=NOW.timestamp() + 601)
    with pytest.raises(TokenError, match="not a Dataward"):
        verify_token("eyJ.abc")
    check = revalidate(token, training_request(), engine=engine, now=NOW + timedelta(hours=1))
    assert not check.valid and "expired" in check.problems[0]


def test_revalidate_fails_when_consent_withdrawn_or_policy_changed(
    engine: PolicyEngine, tmp_path: Path
) -> None:
    token = engine.decide(training_request(), now=NOW).token
    assert token is not None
    withdrawn = training_request()
    withdrawn["context"]["consent"][0]["withdrawn_at"] = "2025-06-01T12:00:30Z"
    check = revalidate(token, withdrawn, engine=engine, now=NOW + timedelta(minutes=1))
    assert not check.valid
    assert any("consent for 'training' was withdrawn" in p for p in check.problems)
    (tmp_path / "extra.cedar").write_text('@id("extra")\npermit (principal, action, resource);\n')
    changed = PolicyEngine.load(["baseline", "gdpr"], [tmp_path])
    check = revalidate(token, training_request(), engine=changed, now=NOW + timedelta(minutes=1))
    assert check.problems == ("the policy revision changed since the token was issued",)
    other_version = training_request()
    other_version["resource"]["version"] = "v4"
    check = revalidate(token, other_version, engine=engine, now=NOW + timedelta(minutes=1))
    assert check.problems == ("the token is bound to another dataset version",)


def test_key_is_reused_not_replaced(engine: PolicyEngine) -> None:
    engine.decide(training_request(), now=NOW)
    first = key_path().read_bytes()
    engine.decide(training_request(), now=NOW)
    assert key_path().read_bytes() == first
    assert not [p for p in key_path().parent.iterdir() if p.name.endswith(".tmp")]
