from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from dataward.errors import PolicyError, UnknownNameError
from dataward.policy import PolicyEngine
from dataward.policy.request import Approval
from tests.policy.conftest import req


def test_phi_for_marketing_gets_obligations_then_allow(engine: PolicyEngine) -> None:
    request = req(["PHI"], purpose="marketing")
    decision = engine.decide(request, issue_token=False)
    assert decision.effect == "allow_with_obligations"
    assert [o.to_dict() for o in decision.obligations] == [
        {
            "transform": "tokenize:PHI",
            "operator": "token",
            "target": "PHI",
            "policies": ["hipaa.phi-purpose"],
        }
    ]
    assert decision.reasons == ("hipaa.phi-purpose",)
    assert decision.policy_revision.startswith("sha256:") and decision.input_digest.startswith(
        "sha256:"
    )
    request["context"]["transforms"] = ["tokenize:PHI"]
    assert engine.decide(request, issue_token=False).effect == "allow"


def test_obligations_are_irredundant_across_packs(engine: PolicyEngine) -> None:
    # dev + PHI + card data + secrets: each forbid lifted once, shared transforms merged
    request = req(
        ["MEDICAL_RECORD_NUMBER", "CREDIT_CARD", "AWS_ACCESS_KEY"],
        purpose="marketing",
        environment="dev",
        lawful_basis=["contract"],
    )
    decision = engine.decide(request, issue_token=False)
    got = {o.transform: set(o.policies) for o in decision.obligations}
    assert got["tokenize:PHI"] == {"hipaa.phi-purpose", "dev-prod.phi-tokenized"}
    assert set(got) == {
        "tokenize:PHI",
        "tokenize:PII",
        "tokenize:PCI",
        "redact:SECRET",
        "redact:CREDENTIAL",
    }


def test_annotation_that_does_not_lift_gives_deny(tmp_path: Path) -> None:
    (tmp_path / "p.cedar").write_text(
        '@id("lying")\n@obligation("tokenize:PHI")\nforbid (principal, action, resource)\n'
        'when { resource.categories.contains("PHI") };\n'
    )
    engine = PolicyEngine.load(["baseline"], [tmp_path])
    decision = engine.decide(req(["PHI"]), issue_token=False)
    assert decision.effect == "deny" and decision.obligations == ()


def test_approval_needed_and_given(engine: PolicyEngine) -> None:
    request = req(
        ["SPECIAL_CATEGORY"],
        "evaluate",
        purpose="bias_detection",
        risk_level="high",
        attestations=["data_provenance", "bias_examination"],
        transforms=["pseudonymize:SPECIAL_CATEGORY"],
    )
    assert engine.decide(request).effect == "needs_approval"
    until = datetime.now(UTC) + timedelta(hours=2)
    decision = engine.decide(request, approvals=[Approval("a1", "dpo", "dora", until)])
    assert decision.effect == "allow"
    assert decision.expires_at is not None
    assert abs(datetime.fromisoformat(decision.expires_at) - until) < timedelta(seconds=1)
    expired = Approval("a2", "dpo", "dora", datetime.now(UTC) - timedelta(seconds=1))
    assert engine.decide(request, approvals=[expired]).effect == "needs_approval"


def test_consent_windows(engine: PolicyEngine) -> None:
    now = datetime(2025, 6, 1, tzinfo=UTC)
    consent = {
        "purpose": "training",
        "granted_at": "2025-01-01T00:00:00Z",
        "expires_at": "2025-12-31T00:00:00Z",
    }
    request = req(
        ["EMAIL_ADDRESS"], purpose="training", lawful_basis=["consent"], consent=[consent]
    )
    decision = engine.decide(request, now=now, issue_token=False)
    assert decision.effect == "allow"
    assert decision.expires_at == "2025-12-31T00:00:00Z"
    later = engine.decide(request, now=datetime(2026, 1, 2, tzinfo=UTC), issue_token=False)
    assert later.effect == "allow_with_obligations"
    withdrawn = {**consent, "withdrawn_at": "2025-05-01T00:00:00Z"}
    request["context"]["consent"] = [withdrawn]
    assert engine.decide(request, now=now, issue_token=False).effect != "allow"
    basis = {"basis": "contract", "valid_from": "2025-07-01T00:00:00Z"}
    request["context"].update(lawful_basis=[basis], consent=[])
    assert engine.decide(request, now=now, issue_token=False).effect != "allow"
    assert (
        engine.decide(request, now=datetime(2025, 8, 1, tzinfo=UTC), issue_token=False).effect
        == "allow"
    )


@pytest.mark.parametrize(
    ("mode", "effect", "warns"),
    [
        ("enforce", "allow_with_obligations", False),
        ("warn", "allow", True),
        ("shadow", "allow", False),
    ],
)
def test_modes(engine: PolicyEngine, mode: str, effect: str, warns: bool) -> None:
    decision = engine.decide(req(["PHI"], purpose="marketing"), mode=mode, issue_token=False)  # type: ignore[arg-type]
    assert decision.effect == effect
    assert decision.evaluated_effect == "allow_with_obligations"
    assert bool(decision.warnings) is warns


def test_modes_per_enforcement_point() -> None:
    engine = PolicyEngine.load(["baseline", "hipaa"], modes={"inference": "shadow"})
    r = req(["PHI"], purpose="marketing")
    assert engine.decide(r, point="inference").effect == "allow"
    assert engine.decide(r, point="training").effect == "allow_with_obligations"


def test_tag_resolver_supplies_catalog_tags() -> None:
    engine = PolicyEngine.load(
        ["baseline", "hipaa"], tag_resolver=lambda rid: ["PHI"] if rid == "patients" else []
    )
    decision = engine.decide(req([], purpose="marketing"), issue_token=False)
    assert decision.effect == "allow_with_obligations"
    assert decision.input["resource"]["tags"] == ["PHI"]


def test_explain_lists_matching_policies(engine: PolicyEngine) -> None:
    out = engine.explain(engine.prepare(req(["PHI"], purpose="marketing")))
    ids = {m["id"]: m for m in out["matched"]}
    assert (
        ids["hipaa.phi-purpose"]["determining"]
        and ids["hipaa.phi-purpose"]["source"] == "pack:hipaa:5"
    )
    assert "baseline.permit" in ids and not ids["baseline.permit"]["determining"]
    assert "pci.no-card-data-in-training" not in ids


@pytest.mark.parametrize(
    ("text", "line", "fragment"),
    [
        (
            "permit (principal, action, resource);\n\n// x\nforbid (principal action, resource);\n",
            4,
            "cannot parse",
        ),
        (
            'permit (principal, action, resource);\nforbid (principal, action, resource)\n  when { context.purpse == "x" };\n',
            2,
            "purpse",
        ),
        (
            '@id("a")\npermit (principal, action, resource);\n@id("a")\npermit (principal, action, resource);\n',
            3,
            "already used",
        ),
        ('@obligation("zap:PHI")\nforbid (principal, action, resource);\n', 1, "unknown verb"),
        ('@obligation("tokenize:PHI")\npermit (principal, action, resource);\n', 1, "forbid"),
    ],
)
def test_validation_errors_name_file_and_line(
    tmp_path: Path, text: str, line: int, fragment: str
) -> None:
    path = tmp_path / "bad.cedar"
    path.write_text(text)
    with pytest.raises(PolicyError) as info:
        PolicyEngine.load([], [path])
    assert info.value.line == line  # type: ignore[attr-defined]
    assert f"bad.cedar:{line}:" in str(info.value) and fragment in str(info.value)


def test_request_errors_and_unknown_pack(engine: PolicyEngine) -> None:
    with pytest.raises(PolicyError, match="action"):
        engine.decide({**req([]), "action": "steal"})
    with pytest.raises(PolicyError, match="from the store"):
        engine.decide(req([], approvals=["dpo"]))
    with pytest.raises(UnknownNameError, match="hipaa"):
        PolicyEngine.load(["hipa"])


def test_revision_is_the_hash_of_policy_texts(tmp_path: Path) -> None:
    (tmp_path / "a.cedar").write_text('@id("x")\npermit (principal, action, resource);\n')
    first = PolicyEngine.load([], [tmp_path]).revision
    assert PolicyEngine.load([], [tmp_path / "a.cedar"]).revision == first
    (tmp_path / "a.cedar").write_text('@id("y")\npermit (principal, action, resource);\n')
    assert PolicyEngine.load([], [tmp_path]).revision != first


# --- fail closed: classification gate and known tags ------------------------------------------


def test_untagged_dataset_without_classification_is_denied_not_classified(
    engine: PolicyEngine,
) -> None:
    # before: no tags meant no forbid applied, so allow (with a go token for a training job)
    decision = engine.decide(req([], purpose="training", job_id="job-1"))
    assert decision.effect == "deny"
    assert decision.reasons == ("not_classified",)
    assert decision.token is None
    assert decision.classification is not None
    assert decision.classification["status"] == "not_classified"
    assert any("not classified" in m for m in decision.messages)


def test_public_can_only_come_from_a_scan(engine: PolicyEngine) -> None:
    assert engine.decide(req(["PUBLIC"]), issue_token=False).reasons == ("not_classified",)
    scanned = PolicyEngine.load(["baseline"], tag_resolver=lambda rid: ["PUBLIC"])
    assert scanned.decide(req([]), issue_token=False).effect == "allow"


def test_declared_sensitive_tags_classify_an_uncataloged_dataset(engine: PolicyEngine) -> None:
    decision = engine.decide(req(["PHI"], purpose="marketing"), issue_token=False)
    assert decision.effect == "allow_with_obligations"
    assert decision.classification is not None
    assert decision.classification["source"] == "request"


def test_unclassified_is_configurable_per_point() -> None:
    engine = PolicyEngine.load(
        ["baseline"], unclassified_points={"sandbox": "allow", "review": "needs_approval"}
    )
    assert engine.decide(req([]), issue_token=False).effect == "deny"
    allowed = engine.decide(req([]), point="sandbox", issue_token=False)
    assert allowed.effect == "allow" and any("not classified" in w for w in allowed.warnings)
    asked = engine.decide(req([]), point="review", issue_token=False)
    assert asked.effect == "needs_approval"
    assert [a.approver for a in asked.approvals] == ["data-steward"]
    steward = Approval("a1", "data-steward", "sam", None)
    assert engine.decide(req([]), approvals=[steward], point="review").effect == "allow"


def test_shadow_mode_logs_the_would_deny(engine: PolicyEngine) -> None:
    decision = engine.decide(req([]), mode="shadow", issue_token=False)
    assert decision.effect == "allow"
    entry = decision.log_entry()["result"]
    assert entry["evaluated_effect"] == "deny" and entry["reasons"] == ["not_classified"]


@pytest.mark.parametrize(
    ("field", "typo", "suggestion"),
    [
        ("tags", "PHII", "PHI"),
        ("tags", "EMAIL_ADRESS", "EMAIL_ADDRESS"),
        ("categories", "PCII", "PCI"),
    ],
)
def test_a_misspelled_tag_is_an_error_with_a_suggestion(
    engine: PolicyEngine, field: str, typo: str, suggestion: str
) -> None:
    request = req(["PII"], purpose="marketing")
    request["resource"][field] = [typo]
    with pytest.raises(PolicyError, match=f"Did you mean [^?]*'{suggestion}'") as info:
        engine.decide(request, issue_token=False)
    assert info.value.exit_code == 2


def test_tags_your_own_policies_use_are_known(tmp_path: Path) -> None:
    (tmp_path / "labels.cedar").write_text(
        '@id("mine.no-label-7")\n@obligation("mask:LABEL_7")\n'
        'forbid (principal, action, resource) when { resource.tags.contains("label_7") }\n'
        'unless { context.transforms.contains("mask:LABEL_7") };\n'
    )
    engine = PolicyEngine.load(["baseline"], [tmp_path / "labels.cedar"])
    decision = engine.decide(req(["PII", "label_7"]), issue_token=False)
    assert decision.effect == "allow_with_obligations"
    with pytest.raises(PolicyError, match="Did you mean 'label_7'"):
        engine.decide(req(["PII", "label_77"]), issue_token=False)


def test_a_column_is_classified_through_its_dataset(engine: PolicyEngine) -> None:
    column = req([], purpose="marketing")
    column["resource"] = {"type": "Column", "id": "email"}
    assert engine.decide(column, issue_token=False).reasons == ("not_classified",)
    column["resource"]["tags"] = ["EMAIL_ADDRESS"]
    assert engine.decide(column, issue_token=False).effect == "allow_with_obligations"
    scanned = PolicyEngine.load(
        ["baseline", "hipaa"], tag_resolver=lambda rid: ["PHI"] if rid == "patients" else []
    )
    child = {**column, "resource": {"type": "Column", "id": "dx", "parent": "patients"}}
    assert scanned.decide(child, issue_token=False).effect == "allow_with_obligations"


def test_replay_reports_a_request_the_candidate_cannot_read(tmp_path: Path) -> None:
    from dataward.policy import decide, replay
    from dataward.store import open_store

    (tmp_path / "labels.cedar").write_text(
        '@id("mine.label")\nforbid (principal, action, resource) '
        'when { resource.tags.contains("label_7") };\n'
    )
    store = open_store(f"sqlite:///{tmp_path / 'store.db'}")
    try:
        active = PolicyEngine.load(["baseline"], [tmp_path / "labels.cedar"])
        decide(req(["PII", "label_7"]), engine=active, store=store)
        report = replay(store, PolicyEngine.load(["baseline"]))
        (change,) = report.changes
        assert change.before == {"effect": "deny"} and change.after["effect"] == "error"
        assert "label_7" in change.after["error"]
    finally:
        store.close()
