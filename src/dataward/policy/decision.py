"""The decision a policy evaluation returns, shaped like an OPA decision-log entry."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from dataward.policy.obligations import Obligation
from dataward.settings import PolicyMode

Effect = Literal["allow", "deny", "allow_with_obligations", "needs_approval"]
Mode = PolicyMode
"""``shadow``, ``warn`` or ``enforce`` (defined with the settings, which must not import this)."""
EFFECTS: tuple[Effect, ...] = ("allow", "deny", "allow_with_obligations", "needs_approval")
MODES: tuple[Mode, ...] = ("shadow", "warn", "enforce")


@dataclass(frozen=True, slots=True)
class ApprovalNeeded:
    """A policy that only an approver in ``approver`` role can lift."""

    approver: str
    policies: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        return {"approver": self.approver, "policies": list(self.policies)}


@dataclass(frozen=True, slots=True)
class Decision:
    """What to do with a request, and why.

    ``effect`` is what the caller must do; ``evaluated_effect`` is what the policies said. They
    differ only in shadow and warn mode, where the answer is ``allow`` and ``warnings`` say what
    enforce mode would have done.
    """

    decision_id: str
    effect: Effect
    evaluated_effect: Effect
    obligations: tuple[Obligation, ...]
    approvals: tuple[ApprovalNeeded, ...]
    reasons: tuple[str, ...]
    """Ids of the determining policies (the forbids that deny, or the permits that allow)."""
    mode: Mode
    point: str
    """The enforcement point (``training``, ``inference``, ``ci``...)."""
    policy_revision: str
    input_digest: str
    timestamp: str
    expires_at: str | None
    input: dict[str, Any] = field(repr=False)
    approvals_in_force: tuple[str, ...] = ()
    """Ids of the stored approvals that were in the context."""
    messages: tuple[str, ...] = ()
    """The ``@reason`` of each determining policy, for people."""
    warnings: tuple[str, ...] = ()
    errors: tuple[str, ...] = ()
    token: str | None = None
    """A go token, for an allowed training request with a job id."""
    classification: dict[str, Any] | None = None
    """How the dataset was classified (``status``, ``source``, ``tags``, ``sampled``...);
    ``None`` for models and jobs."""

    @property
    def allowed(self) -> bool:
        """Whether the caller may go ahead as the request stands (no obligation, no approval)."""
        return self.effect == "allow"

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "decision_id": self.decision_id,
            "effect": self.effect,
            "evaluated_effect": self.evaluated_effect,
            "obligations": [o.to_dict() for o in self.obligations],
            "approvals": [a.to_dict() for a in self.approvals],
            "reasons": list(self.reasons),
            "messages": list(self.messages),
            "mode": self.mode,
            "path": f"dataward/{self.point}",
            "policy_revision": self.policy_revision,
            "input_digest": self.input_digest,
            "timestamp": self.timestamp,
            "expires_at": self.expires_at,
        }
        if self.warnings:
            out["warnings"] = list(self.warnings)
        if self.errors:
            out["errors"] = list(self.errors)
        if self.classification is not None:
            out["classification"] = self.classification
        if self.token is not None:
            out["token"] = self.token
        return out

    def log_entry(self) -> dict[str, Any]:
        """The OPA decision-log event: ``decision_id, path, input, result, bundles, labels,
        timestamp``."""
        result = self.to_dict()
        result.pop("token", None)
        return {
            "decision_id": self.decision_id,
            "path": f"dataward/{self.point}",
            "input": self.input,
            "result": result,
            "bundles": {"dataward": {"revision": self.policy_revision}},
            "labels": {"mode": self.mode, "point": self.point},
            "timestamp": self.timestamp,
        }
