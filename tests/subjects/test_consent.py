"""Consent withdrawal: a withdrawn purpose invalidates the go tokens and approvals that relied
on it; a withdrawn subject makes decisions on data (and models trained on data) holding them
say so."""

from __future__ import annotations

from pathlib import Path

import pytest

from dataward.lineage import Node, record_edge
from dataward.policy import PolicyEngine, revalidate
from dataward.policy.api import decide
from dataward.policy.records import grant_approval, list_approvals
from dataward.runtime import Runtime
from dataward.subjects import SubjectError, index_paths
from dataward.subjects.consent import give, withdraw, withdrawn

from .conftest import CANARY_EMAIL


def _training() -> dict:  # type: ignore[type-arg]
    return {
        "principal": {"type": "User", "id": "ann", "groups": ["ml"]},
        "action": "train",
        "resource": {
            "type": "Dataset",
            "id": "patients",
            "tags": ["EMAIL_ADDRESS"],
            "version": "v3",
        },
        "context": {
            "purpose": "training",
            "lawful_basis": ["consent"],
            "consent": ["training"],
            "job_id": "job-42",
        },
    }


@pytest.fixture
def engine() -> PolicyEngine:
    return PolicyEngine.load(["baseline", "gdpr"], token_ttl_seconds=600)


def test_withdrawn_purpose_invalidates_tokens_and_approvals(
    runtime: Runtime, engine: PolicyEngine
) -> None:
    decision = decide(_training(), engine=engine, store=runtime.store, log=True)
    assert decision.effect == "allow" and decision.token is not None
    assert revalidate(decision.token, _training(), engine=engine).valid
    grant_approval(runtime.store, "dpo", "carol", {"purpose": "training"}, None)
    grant_approval(runtime.store, "dpo", "carol", {"purpose": "fraud"}, None)
    from dataward.policy.writer import writer_for

    writer_for(runtime.store).flush()
    result = withdraw(purpose="training")
    assert result.invalidated_tokens == 1
    assert result.invalidated_approvals == 1
    active = {a.scope["purpose"] for a in list_approvals(runtime.store) if a.revoked_at is None}
    assert active == {"fraud"}
    check = revalidate(decision.token, _training(), engine=engine)
    assert not check.valid
    assert any("consent for 'training' was withdrawn" in p for p in check.problems)
    again = decide(_training(), engine=engine, store=runtime.store, log=False)
    assert again.token is None
    assert any(w.startswith("consent_withdrawn: purpose training") for w in again.warnings)
    (event,) = [e.payload for e in runtime.audit_log.events() if e.kind == "consent"]
    assert event is not None and event["purpose"] == "training"
    assert event["invalidated_tokens"] == 1
    give(purpose="training")
    assert withdrawn() == (set(), set())
    assert revalidate(
        decide(_training(), engine=engine, log=False).token or "", _training(), engine=engine
    ).valid


def test_infer_reports_models_trained_on_withdrawn_subjects(
    landing: Path, runtime: Runtime, engine: PolicyEngine
) -> None:
    index_paths([str(landing)])
    raw = str((landing / "people.csv").resolve())
    record_edge(runtime, Node(raw), Node("features.churn", "features", "1"))
    record_edge(runtime, Node("features.churn", "features", "1"), Node("churn-model", "model", "4"))
    infer = {
        "principal": {"type": "User", "id": "svc"},
        "action": "infer",
        "resource": {"type": "Model", "id": "churn-model"},
        "context": {"purpose": "support"},
    }
    before = decide(infer, engine=engine, log=False)
    assert not any("consent_withdrawn" in w for w in before.warnings)
    result = withdraw(CANARY_EMAIL)
    assert result.subject_hash is not None and len(result.subject_hash) == 64
    after = decide(infer, engine=engine, log=False)
    (warning,) = [w for w in after.warnings if "consent_withdrawn" in w]
    assert "model trained on 1 dataset(s)" in warning and raw in warning
    other = {**infer, "resource": {"type": "Model", "id": "unrelated-model"}}
    assert not any(
        "consent_withdrawn" in w for w in decide(other, engine=engine, log=False).warnings
    )


def test_withdraw_needs_a_subject_or_purpose(runtime: Runtime) -> None:
    with pytest.raises(SubjectError, match="subject"):
        withdraw()
