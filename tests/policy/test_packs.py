"""Each built-in pack: requests and the effects they get."""

from __future__ import annotations

from typing import Any

import pytest

from dataward.policy import PolicyEngine
from tests.policy.conftest import req

CONTRACT: dict[str, Any] = {"lawful_basis": ["contract"]}

CASES = [
    # (packs, request, effect, obligations, approvals, reason)
    (["baseline"], req(["PHI"], purpose="marketing"), "allow", [], [], None),
    # GDPR
    (
        ["baseline", "gdpr"],
        req(["EMAIL_ADDRESS"], purpose="training"),
        "allow_with_obligations",
        ["anonymize:PII"],
        [],
        "gdpr.lawful-basis",
    ),
    (
        ["baseline", "gdpr"],
        req(["EMAIL_ADDRESS"], purpose="training", **CONTRACT),
        "allow",
        [],
        [],
        None,
    ),
    (
        ["baseline", "gdpr"],
        req(["EMAIL_ADDRESS"], purpose="training", lawful_basis=["consent"], consent=["training"]),
        "allow",
        [],
        [],
        None,
    ),
    (
        ["baseline", "gdpr"],
        req(["EMAIL_ADDRESS"], purpose="marketing", lawful_basis=["consent"], consent=["training"]),
        "allow_with_obligations",
        ["anonymize:PII"],
        [],
        "gdpr.lawful-basis",
    ),
    (
        ["baseline", "gdpr"],
        req(["SPECIAL_CATEGORY"], purpose="training"),
        "deny",
        [],
        [],
        "gdpr.special-categories",
    ),
    (
        ["baseline", "gdpr"],
        req(["SPECIAL_CATEGORY"], purpose="bias_detection"),
        "allow_with_obligations",
        ["pseudonymize:SPECIAL_CATEGORY"],
        [],
        "gdpr.special-categories-safeguards",
    ),
    # HIPAA
    (
        ["baseline", "hipaa"],
        req(["PHI"], purpose="marketing"),
        "allow_with_obligations",
        ["tokenize:PHI"],
        [],
        "hipaa.phi-purpose",
    ),
    (["baseline", "hipaa"], req(["PHI"], purpose="treatment"), "allow", [], [], None),
    (
        ["baseline", "hipaa"],
        req(["PHI"], purpose="marketing", transforms=["deidentify:PHI"]),
        "allow",
        [],
        [],
        None,
    ),
    (
        ["baseline", "hipaa"],
        req(["PHI"], "export", purpose="treatment"),
        "allow_with_obligations",
        ["encrypt:PHI"],
        [],
        "hipaa.phi-export",
    ),
    # PCI
    (
        ["baseline", "pci"],
        req(["CREDIT_CARD"], purpose="fraud"),
        "allow_with_obligations",
        ["tokenize:PCI"],
        [],
        "pci.no-card-data-in-training",
    ),
    (["baseline", "pci"], req(["CREDIT_CARD"], "infer", purpose="fraud"), "allow", [], [], None),
    (
        ["baseline", "pci"],
        req(["CREDIT_CARD"], "export", purpose="fraud"),
        "allow_with_obligations",
        ["encrypt:PCI"],
        [],
        "pci.export-encrypted",
    ),
    # EU AI Act Art. 10 (a classified dataset: an untagged one is denied as not_classified)
    (
        ["baseline", "eu-ai-act"],
        req(["CONFIDENTIAL"], purpose="training", risk_level="high"),
        "deny",
        [],
        [],
        "eu-ai-act.art10-governance",
    ),
    (
        ["baseline", "eu-ai-act"],
        req(
            ["CONFIDENTIAL"],
            purpose="training",
            risk_level="high",
            attestations=["data_provenance", "bias_examination"],
        ),
        "allow",
        [],
        [],
        None,
    ),
    (
        ["baseline", "eu-ai-act"],
        req(["CONFIDENTIAL"], purpose="training", risk_level="minimal"),
        "allow",
        [],
        [],
        None,
    ),
    (
        ["baseline", "eu-ai-act"],
        req(
            ["SPECIAL_CATEGORY"],
            "evaluate",
            purpose="bias_detection",
            risk_level="high",
            attestations=["data_provenance", "bias_examination"],
        ),
        "needs_approval",
        [],
        ["dpo"],
        "eu-ai-act.art10-5-special-categories",
    ),
    # secrets
    (
        ["baseline", "secrets"],
        req(["AWS_ACCESS_KEY"], "retrieve", purpose="rag"),
        "allow_with_obligations",
        ["redact:CREDENTIAL", "redact:SECRET"],
        [],
        "secrets.none-in-training-or-retrieval",
    ),
    (
        ["baseline", "secrets"],
        req(
            ["AWS_ACCESS_KEY"],
            "train",
            purpose="rag",
            transforms=["redact:SECRET", "redact:CREDENTIAL"],
        ),
        "allow",
        [],
        [],
        None,
    ),
    (["baseline", "secrets"], req(["SECRET"], "export", purpose="backup"), "allow", [], [], None),
    # dev vs prod
    (
        ["baseline", "dev-prod"],
        req(["US_SSN"], environment="dev"),
        "allow_with_obligations",
        ["tokenize:PII"],
        [],
        "dev-prod.pii-tokenized",
    ),
    (["baseline", "dev-prod"], req(["US_SSN"], environment="prod"), "allow", [], [], None),
    (
        ["baseline", "dev-prod"],
        req(["US_SSN", "CREDIT_CARD"], environment="staging"),
        "allow_with_obligations",
        ["tokenize:PCI", "tokenize:PII"],
        [],
        "dev-prod.pci-tokenized",
    ),
    # no baseline: nothing permits
    (["hipaa"], req([], purpose="treatment"), "deny", [], [], None),
]


@pytest.mark.parametrize(
    ("packs", "request_", "effect", "obligations", "approvals", "reason"), CASES
)
def test_pack(
    packs: list[str],
    request_: dict[str, Any],
    effect: str,
    obligations: list[str],
    approvals: list[str],
    reason: str | None,
) -> None:
    engine = PolicyEngine.load(packs)
    decision = engine.decide(request_, issue_token=False)
    assert decision.effect == effect
    assert sorted(o.transform for o in decision.obligations) == obligations
    assert [a.approver for a in decision.approvals] == approvals
    if reason:
        assert reason in decision.reasons
    if obligations:  # applying the obligations turns the answer into allow
        applied = {**request_, "context": {**request_["context"], "transforms": obligations}}
        assert engine.decide(applied, issue_token=False).effect == "allow"


def test_all_packs_validate(engine: PolicyEngine) -> None:
    assert len(engine.policies) >= 15
    assert all(p.id.count(".") >= 1 for p in engine.policies)
