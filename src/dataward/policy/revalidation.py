"""Re-validating a go token against the request as it stands now.

Separate from :mod:`dataward.policy.tokens` (signing and checking tokens, which the engine uses
to issue them) because re-validating asks the engine again: this module sits above both.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from dataward.errors import TokenError
from dataward.policy.api import default_engine
from dataward.policy.evidence import check_all, counted_request
from dataward.policy.tokens import verify_token

if TYPE_CHECKING:
    from dataward.policy.engine import PolicyEngine


@dataclass(frozen=True, slots=True)
class TokenCheck:
    """The outcome of :func:`revalidate`: valid, or the problems found."""

    valid: bool
    problems: tuple[str, ...]
    claims: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {"valid": self.valid, "problems": list(self.problems), "claims": self.claims}


def revalidate(
    token: str,
    current_request: Mapping[str, Any],
    *,
    engine: PolicyEngine | None = None,
    approvals: Any = (),
    now: datetime | None = None,
    key_path: Path | None = None,
    evidence: Sequence[Any] = (),
) -> TokenCheck:
    """Does ``token`` still hold for ``current_request`` (the training request as it stands now:
    current consent, lawful basis, tags)? Fails on a bad or expired token, another policy
    revision, another job/dataset/version, withdrawn or expired consent, or a decision that is
    no longer allow.

    As in :func:`dataward.policy.decide`, only transforms that ``evidence`` (protect receipts)
    proves count; a token that names receipts needs each of them shown again, still valid."""
    engine = engine or default_engine()
    try:
        claims = verify_token(token, key_path=key_path, now=now.timestamp() if now else None)
    except TokenError as exc:
        return TokenCheck(False, (str(exc),))
    checked = check_all(evidence, current_request, policy_revision=engine.revision)
    current_request, _notes = counted_request(current_request, checked)
    from dataward.subjects.consent import screen

    current_request, withdrawn = screen(current_request)  # withdrawn purposes leave the consent
    prepared = engine.prepare(current_request, approvals, now)
    problems: list[str] = [n for n in withdrawn if "dataset(s)" in n]
    shown = {c.digest for c in checked if c.refused is None}
    missing = [d for d in claims.get("evidence", []) if d not in shown]
    if missing:
        problems.append(
            f"{len(missing)} receipt(s) the token names were not shown or no longer verify "
            "for this request"
        )
    if claims.get("policy_revision") != engine.revision:
        problems.append("the policy revision changed since the token was issued")
    cedar = prepared.cedar
    bound = {
        "dataset": f"{cedar['resource']['type']}::{cedar['resource']['id']}",
        "dataset_version": prepared.entities[-1]["attrs"]["version"],
        "job": cedar["context"]["job_id"],
    }
    for name, value in bound.items():
        if claims.get(name) != value:
            problems.append(f"the token is bound to another {name.replace('_', ' ')}")
    for purpose in claims.get("consent", []):
        if purpose not in prepared.consent:
            problems.append(f"consent for {purpose!r} was withdrawn or has expired")
    evaluation = engine.evaluate(prepared)
    if evaluation.effect != "allow":
        problems.append(
            f"the policies now answer {evaluation.effect} ({', '.join(evaluation.reasons)})"
        )
    return TokenCheck(not problems, tuple(problems), claims)
