"""The MLflow integration against a real local tracking store (SQLite in a tmp folder): the
decision, the go token's claims and digest, and the card logged with the run."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import mlcroissant as mlc
import pytest

from dataward.cards.tracking import log_to_mlflow
from dataward.errors import TokenError
from dataward.lineage import Node, links, upstream
from dataward.lineage.emit import token_digest
from dataward.runtime import Runtime
from tests.cards.conftest import CANARY_EMAIL, CANARY_SSN, Pipeline

pytestmark = pytest.mark.filterwarnings(
    "ignore:ConjunctiveGraph is deprecated:DeprecationWarning",
    "ignore::DeprecationWarning:mlflow.*",
    "ignore::FutureWarning:mlflow.*",
)


@pytest.fixture(scope="module")
def tracking(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, Any, str]:
    """One real MLflow tracking store (SQLite, migrated once) and an experiment for the module."""
    from mlflow.tracking import MlflowClient

    base = tmp_path_factory.mktemp("mlflow")
    uri = f"sqlite:///{base / 'mlflow.db'}"
    client = MlflowClient(tracking_uri=uri)
    experiment = client.create_experiment("train", artifact_location=str(base / "artifacts"))
    return uri, client, experiment


def test_decision_token_and_card_logged_with_the_run(
    runtime: Runtime, pipeline: Pipeline, tmp_path: Path, tracking: tuple[str, Any, str]
) -> None:
    uri, client, experiment = tracking
    run_id = client.create_run(experiment).info.run_id
    model = Node("people-model", "model", "2")
    logged = log_to_mlflow(
        run_id,
        decision=pipeline.decision,
        dataset=pipeline.protected,
        tracking_uri=uri,
        model=model,
        inputs=[Node("features.people", "features", "fv1")],
    )
    client.set_terminated(run_id)

    run = client.get_run(run_id)
    tags = run.data.tags
    assert tags["dataward.decision_id"] == pipeline.decision.decision_id
    assert tags["dataward.effect"] == "allow"
    assert tags["dataward.go_token.sha256"] == token_digest(pipeline.token)
    assert tags["dataward.go_token.job"] == "job-7"
    assert tags["dataward.go_token.purpose"] == "research"
    got = Path(client.download_artifacts(run_id, "dataward", str(tmp_path / "dl")))
    assert sorted(p.name for p in got.iterdir()) == sorted(Path(a).name for a in logged.artifacts)
    decision = json.loads((got / "decision.json").read_text())
    assert decision["decision_id"] == pipeline.decision.decision_id and "token" not in decision
    claims = json.loads((got / "go_token.claims.json").read_text())
    assert claims["dataset_version"] == pipeline.receipt["output_sha256"]
    card = json.loads((got / "card.croissant.json").read_text())
    mlc.Dataset(jsonld=card)
    everything = "".join(p.read_text() for p in got.iterdir()) + json.dumps(tags)
    for secret in (pipeline.token, CANARY_EMAIL, CANARY_SSN):
        assert secret not in everything
    found = links(runtime, model.name, "2")
    assert found["mlflow_run"] == [run_id]
    assert found["decision"] == [pipeline.decision.decision_id]
    assert found["go_token"] == [token_digest(pipeline.token)]
    assert Node("features.people", "features", "fv1") in upstream(runtime, model.name)


def test_a_forged_token_is_not_logged(
    runtime: Runtime, pipeline: Pipeline, tracking: tuple[str, Any, str]
) -> None:
    uri, client, experiment = tracking
    run_id = client.create_run(experiment).info.run_id
    head, body, _sig = pipeline.token.split(".")
    with pytest.raises(TokenError):
        log_to_mlflow(
            run_id,
            decision=pipeline.decision,
            go_token=f"{head}.{body}.AAAA",
            tracking_uri=uri,
        )
    assert "dataward.go_token.sha256" not in client.get_run(run_id).data.tags
