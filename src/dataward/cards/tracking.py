"""Log Dataward's evidence with an MLflow run: the decision that allowed the training, the go
token's verified claims and digest, and the data card, so the run in the tracking store shows
what it was allowed to train on and why.

The token itself is not logged: it is a bearer credential (whoever holds it until it expires
can present it), so the run gets its claims (checked against the signing key first: a forged
or expired token stops here with a :class:`~dataward.errors.TokenError`) and its SHA-256,
which ``dataward token verify`` and the lineage links match.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from dataward.cards.facts import CardError, gather
from dataward.cards.render import croissant, hf_card
from dataward.lineage.emit import token_digest, train_run
from dataward.lineage.graph import Node

__all__ = ["Logged", "log_to_mlflow"]


@dataclass(frozen=True, slots=True)
class Logged:
    """What :func:`log_to_mlflow` wrote to the run."""

    run_id: str
    tags: dict[str, str]
    artifacts: list[str]


def _decision_dict(decision: Any) -> dict[str, Any]:
    if isinstance(decision, Mapping):
        out = dict(decision)
    elif hasattr(decision, "to_dict"):
        out = dict(decision.to_dict())
    else:
        raise CardError("decision must be a Decision or its dict (dataward decide's output)")
    out.pop("token", None)  # a bearer credential: its claims and digest go, never itself
    if not out.get("decision_id"):
        raise CardError("the decision has no decision_id")
    return out


def log_to_mlflow(
    run_id: str,
    *,
    decision: Any,
    go_token: str | None = None,
    dataset: str | None = None,
    target: Any = None,
    tracking_uri: str | None = None,
    model: Node | None = None,
    inputs: Sequence[Node] = (),
    receipts: Sequence[str] = (),
) -> Logged:
    """Log ``decision`` (a :class:`~dataward.policy.Decision` or its dict), the go token
    (``go_token``, else the decision's), and the card of ``dataset`` (Croissant JSON-LD and
    the Hugging Face card) with MLflow run ``run_id`` in the tracking store at
    ``tracking_uri`` (default: MLflow's own setting). Tags ``dataward.*`` name the decision,
    effect, token digest and claims; artifacts go under ``dataward/``. With ``model`` (a
    model version) the training also becomes a lineage run from ``inputs`` (dataset and
    feature versions) linked to the decision, the token's digest, ``receipts`` (digests) and
    this MLflow run (:func:`dataward.lineage.emit.train_run`)."""
    from mlflow.tracking import MlflowClient

    from dataward.policy.tokens import verify_token

    body = _decision_dict(decision)
    token = go_token
    if token is None:
        token = (
            decision.get("token")
            if isinstance(decision, Mapping)
            else getattr(decision, "token", None)
        )
    client = MlflowClient(tracking_uri=tracking_uri)
    tags = {
        "dataward.decision_id": str(body["decision_id"]),
        "dataward.effect": str(body.get("effect")),
        "dataward.policy_revision": str(body.get("policy_revision")),
    }
    artifacts = ["dataward/decision.json"]
    client.log_dict(run_id, body, "dataward/decision.json")
    if token:
        claims = verify_token(token)  # a forged or expired token is not logged as evidence
        tags["dataward.go_token.sha256"] = token_digest(token)
        for key in ("job", "dataset", "dataset_version", "purpose", "action"):
            if key in claims:
                tags[f"dataward.go_token.{key}"] = str(claims[key])[:250]
        client.log_dict(run_id, claims, "dataward/go_token.claims.json")
        artifacts.append("dataward/go_token.claims.json")
    if dataset is not None:
        facts = gather(target, dataset)
        client.log_text(
            run_id, json.dumps(croissant(facts), indent=2), "dataward/card.croissant.json"
        )
        client.log_text(run_id, hf_card(facts), "dataward/README.md")
        artifacts += ["dataward/card.croissant.json", "dataward/README.md"]
        if facts.version:
            tags["dataward.dataset_version"] = facts.version
    for key, value in tags.items():
        client.set_tag(run_id, key, value)
    if model is not None:
        train_run(
            target,
            model,
            inputs,
            decision=body,
            go_token=token,
            receipts=receipts,
            mlflow_run_id=run_id,
        )
    return Logged(run_id, tags, artifacts)
