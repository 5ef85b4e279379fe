"""Policy decisions: Cedar policies over datasets, models and jobs, with obligations, approvals,
modes, a decision log, replays and go tokens.

>>> from dataward.policy import decide
>>> decision = decide({"principal": {"type": "User", "id": "ann"}, "action": "train",
...                    "resource": {"type": "Dataset", "id": "patients", "tags": ["PHI"]},
...                    "context": {"purpose": "marketing"}}, log=False)
>>> decision.effect
'allow_with_obligations'
"""

from __future__ import annotations

from dataward.errors import TokenError
from dataward.policy.api import (
    Change,
    ReplayReport,
    decide,
    default_engine,
    flush,
    reload,
    replay,
    set_tag_resolver,
)
from dataward.policy.decision import EFFECTS, MODES, ApprovalNeeded, Decision, Effect, Mode
from dataward.policy.engine import Evaluation, PolicyEngine
from dataward.policy.events import set_sink
from dataward.policy.loader import PACKS
from dataward.policy.obligations import OPERATORS, Obligation
from dataward.policy.records import grant_approval, list_approvals, revoke_approval
from dataward.policy.revalidation import TokenCheck, revalidate
from dataward.policy.tokens import verify_token

__all__ = [
    "EFFECTS",
    "MODES",
    "OPERATORS",
    "PACKS",
    "ApprovalNeeded",
    "Change",
    "Decision",
    "Effect",
    "Evaluation",
    "Mode",
    "Obligation",
    "PolicyEngine",
    "ReplayReport",
    "TokenCheck",
    "TokenError",
    "decide",
    "default_engine",
    "flush",
    "grant_approval",
    "list_approvals",
    "reload",
    "replay",
    "revalidate",
    "revoke_approval",
    "set_sink",
    "set_tag_resolver",
    "verify_token",
]
