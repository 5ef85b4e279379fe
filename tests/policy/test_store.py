"""Decision log, approvals and replay on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from dataward.errors import PolicyError
from dataward.policy import PolicyEngine, decide, grant_approval, replay, revoke_approval
from dataward.policy.records import logged_decisions
from dataward.store import open_store
from tests.policy.conftest import req


def test_decision_log_and_events(store_url: str, _fresh_policy_state: list[Any]) -> None:
    store = open_store(store_url)
    engine = PolicyEngine.load(["baseline", "hipaa"])
    d1 = decide(req(["PHI"], purpose="marketing"), engine=engine, store=store, point="training")
    d2 = decide(req(["PHI"], purpose="treatment"), engine=engine, store=store, log=True)
    rows = list(logged_decisions(store))
    assert [r.decision_id for r in rows] == [d1.decision_id, d2.decision_id]
    assert rows[0].effect == "allow_with_obligations" and rows[0].point == "training"
    assert rows[0].policy_revision == engine.revision
    assert rows[0].result["input_digest"] == d1.input_digest
    assert rows[0].request["context"]["purpose"] == "marketing"
    assert list(logged_decisions(store, point="training")) == rows[:1]
    kinds = [e[0] for e in _fresh_policy_state]
    assert kinds == ["policy_change", "decision", "decision"]
    assert _fresh_policy_state[1][2]["bundles"]["dataward"]["revision"] == engine.revision
    store.close()


def test_approvals_in_store_reach_decisions(store_url: str) -> None:
    store = open_store(store_url)
    engine = PolicyEngine.load(["baseline", "eu-ai-act"])
    request = req(
        ["SPECIAL_CATEGORY"],
        "evaluate",
        purpose="bias_detection",
        risk_level="high",
        attestations=["data_provenance", "bias_examination"],
    )
    assert decide(request, engine=engine, store=store).effect == "needs_approval"
    other = grant_approval(store, "dpo", "dora", {"resource": "other"}, None)
    assert decide(request, engine=engine, store=store).effect == "needs_approval"
    until = datetime.now(UTC) + timedelta(days=1)
    granted = grant_approval(
        store,
        "dpo",
        "dora",
        {"resource": "patients", "purpose": "bias_detection"},
        until,
        "bias audit Q3",
    )
    allowed = decide(request, engine=engine, store=store)
    assert allowed.effect == "allow" and allowed.approvals_in_force == (granted.id,)
    assert allowed.expires_at is not None
    assert abs(datetime.fromisoformat(allowed.expires_at) - until) < timedelta(seconds=1)
    later = datetime.now(UTC) + timedelta(days=2)
    assert decide(request, engine=engine, store=store, now=later).effect == "needs_approval"
    assert revoke_approval(store, granted.id)
    assert decide(request, engine=engine, store=store).effect == "needs_approval"
    assert revoke_approval(store, other.id) and not revoke_approval(store, other.id)
    with pytest.raises(PolicyError):
        grant_approval(store, "dpo", "dora", {"dataset": "x"}, None)
    store.close()


def test_replay_shows_changed_decisions(store_url: str, tmp_path: Path) -> None:
    store = open_store(store_url)
    active = PolicyEngine.load(["baseline", "hipaa"])
    decide(req(["PHI"], purpose="treatment"), engine=active, store=store)
    decide(req(["PHI"], purpose="marketing"), engine=active, store=store)
    decide(req([], purpose="marketing"), engine=active, store=store)
    candidate_dir = tmp_path / "candidate"
    candidate_dir.mkdir()
    (candidate_dir / "research.cedar").write_text(
        '@id("no-phi-for-research")\nforbid (principal, action, resource)\n'
        'when { resource.categories.contains("PHI") && context.purpose == "treatment" };\n'
    )
    candidate = PolicyEngine.load(["baseline", "hipaa"], [candidate_dir])
    report = replay(store, candidate)
    assert report.replayed == 3 and len(report.changes) == 1
    change = report.changes[0]
    assert change.before["effect"] == "allow" and change.after["effect"] == "deny"
    assert change.after["reasons"] == ["no-phi-for-research"]
    future = datetime.now(UTC) + timedelta(hours=1)
    assert replay(store, candidate, since=future).replayed == 0
    assert replay(store, active).changes == ()
    store.close()


def test_cataloged_dataset_tags_come_from_the_catalog(tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    import dataward as dw
    from dataward.policy.api import reload

    monkeypatch.setenv("DATAWARD_DATABASE_URL", f"sqlite:///{tmp_path / 'store.db'}")
    data = tmp_path / "members.csv"
    data.write_text(
        "member_ssn,email\n" + "".join(f"536-22-{8100 + i},m{i}@example.org\n" for i in range(40))
    )
    dw.scan([data])
    request = {
        "principal": {"type": "ServiceAccount", "id": "trainer", "groups": ["ml"]},
        "action": "train",
        "resource": {"type": "Dataset", "id": str(data), "tags": []},
        "context": {"purpose": "analytics", "environment": "prod", "transforms": []},
    }
    try:
        decision = dw.decide(request)
        assert decision.effect != "allow" and decision.obligations  # PII tags from the scan
        unknown = dw.decide(
            {**request, "resource": {"type": "Dataset", "id": "not-cataloged", "tags": []}}
        )
        # fail closed: a dataset the catalog does not know is not waved through
        assert unknown.effect == "deny" and unknown.reasons == ("not_classified",)
    finally:
        reload()
