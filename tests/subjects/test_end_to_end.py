"""Issue 15 end to end: scan a landing zone → protect → features from a toy job's OpenLineage
event → "train" (a real local MLflow run) → the subject is found in the raw data, the features
and the model's lineage → erasure plan → execute → a re-scan finds nothing unblocked → the
certificate verifies in the audit log; a legal hold on one dataset blocks its part with a
recorded refusal."""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

import dataward as dw
from dataward.catalog.identity import canonical_path
from dataward.lineage import Node, ingest
from dataward.lineage.emit import train_run
from dataward.runtime import Runtime
from dataward.subjects import load_certificate, verify_certificate

from .conftest import CANARY_EMAIL, CANARY_SSN, OTHER_EMAIL


def _features_event(src: str, dst: str) -> dict[str, Any]:
    """What a toy feature job (not Dataward) sends: email and spend per customer."""
    return {
        "eventType": "COMPLETE",
        "eventTime": "2026-12-03T10:00:00Z",
        "producer": "https://example.org/toy-feature-job",
        "schemaURL": "https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/RunEvent",
        "run": {"runId": str(uuid.uuid4())},
        "job": {"namespace": "toy", "name": "build_features"},
        "inputs": [{"namespace": "file", "name": src}],
        "outputs": [
            {
                "namespace": "file",
                "name": dst,
                "facets": {"datasetType": {"datasetType": "FEATURES"}},
            }
        ],
    }


@pytest.mark.filterwarnings("ignore:ConjunctiveGraph is deprecated:DeprecationWarning")
def test_issue_15_end_to_end(
    tmp_path: Path,
    runtime: Runtime,
    cli: Callable[..., Any],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    mlflow = pytest.importorskip("mlflow", reason="mlflow (the lineage extra) is not installed")
    landing = tmp_path / "landing"
    landing.mkdir()
    raw = landing / "customers.csv"
    raw.write_text(
        "customer_id,email,ssn,spend\n"
        f"C-1,{CANARY_EMAIL},{CANARY_SSN},120\n"
        f"C-2,{OTHER_EMAIL},219-09-9999,80\n"
        "C-3,cy@example.net,457-55-5462,45\n"
    )
    backup = landing / "crm_backup.jsonl"
    backup.write_text(json.dumps({"email": CANARY_EMAIL, "note": "2019 export"}) + "\n")

    # 1. scan the landing zone (the subject index is built during the scan)
    scanned = cli("scan", str(landing), "--subjects", "--format", "json")
    assert scanned.code == 0, scanned.err
    assert "PII" in json.dumps(json.loads(scanned.out))

    # 2. protect: the protected copy no longer holds the subject
    protected = Path(dw.protect(raw, output=tmp_path / "customers.protected.csv"))
    assert CANARY_EMAIL not in protected.read_text()

    # 3. features from the raw data by a toy job, which reports an OpenLineage event
    features = tmp_path / "features" / "customer_features.parquet"
    features.parent.mkdir()
    pq.write_table(
        pa.table({"email": [CANARY_EMAIL, OTHER_EMAIL], "spend_30d": [120.0, 80.0]}), features
    )
    raw_name, feat_name = canonical_path(raw), canonical_path(features)
    ingest(runtime, _features_event(raw_name, feat_name))
    assert cli("subject", "index", str(features), "--kind", "features").code == 0

    # 4. "train": a real local MLflow run, linked to the model version in lineage
    monkeypatch.setenv("MLFLOW_ALLOW_FILE_STORE", "true")
    mlflow.set_tracking_uri(f"file:{tmp_path / 'mlruns'}")
    with mlflow.start_run() as run:
        mlflow.log_param("features", "customer_features")
    model = Node("churn-model", "model", run.info.run_id)
    train_run(runtime, model, [Node(feat_name, "features")], mlflow_run_id=run.info.run_id)

    # 4b. the raw dataset's card (Croissant 1.1 with RAI) validates
    mlc = pytest.importorskip("mlcroissant", reason="mlcroissant (the lineage extra) is absent")
    from dataward.cards import card

    croissant = card(runtime, raw_name, "croissant", license="CC-BY-4.0")
    mlc.Dataset(jsonld=croissant)  # raises mlc.ValidationError on an error
    assert croissant["rai:personalSensitiveInformation"]
    assert CANARY_EMAIL not in json.dumps(croissant)

    # 5. the subject is found in the raw data, the features and the model's lineage
    found = cli("subject", "find", CANARY_EMAIL, "--format", "json")
    assert found.code == 0, found.err
    where = {x["dataset"]: (x["kind"], x["rows"]) for x in json.loads(found.out)["locations"]}
    assert where[raw_name] == ("dataset", 1)
    assert where[feat_name] == ("features", 1)
    assert where["churn-model"][0] == "model"
    assert where[canonical_path(backup)] == ("dataset", 1)
    # the protected copy holds no value of theirs, but lineage says it was made from their row
    assert where[canonical_path(protected)] == ("dataset", 1)

    # 6. a legal hold on the backup; the plan blocks that part
    assert cli("retention", "hold", str(backup), "--matter", "litigation-2026-17").code == 0
    planned = cli("subject", "erase", CANARY_EMAIL, "--plan", "--format", "json")
    assert planned.code == 0, planned.err
    doc = json.loads(planned.out)
    steps = {s["dataset"]: (s["kind"], s["action"]) for s in doc["steps"]}
    assert steps == {
        raw_name: ("dataset", "delete_rows"),
        feat_name: ("features", "delete_rows"),
        canonical_path(protected): ("dataset", "recompute"),
        "churn-model": ("model", "mark_model"),
    }
    assert doc["blocked"] == [
        {"dataset": canonical_path(backup), "reason": "legal hold (litigation-2026-17)"}
    ]

    # 7. execute: every unblocked step verified
    done = cli("subject", "erase", CANARY_EMAIL, "--execute", "--format", "json")
    assert done.code == 0, done.err
    result = json.loads(done.out)
    assert result["verified"] is True

    # 8. a re-scan finds the subject only where the hold kept it
    rescanned = cli("scan", str(landing), str(features), "--subjects", "--force")
    assert rescanned.code == 0, rescanned.err
    again = cli("subject", "find", CANARY_EMAIL, "--format", "json")
    left = json.loads(again.out)["locations"]
    assert [x["dataset"] for x in left] == [canonical_path(backup)]
    assert CANARY_EMAIL not in raw.read_text() and OTHER_EMAIL in raw.read_text()
    assert pq.read_table(features).column("email").to_pylist() == [OTHER_EMAIL]

    # 9. the certificate verifies in the audit log; the refusal is recorded
    cert = load_certificate(result["certificate_sha256"])
    assert verify_certificate(cert) == []
    assert cert.document["blocked"][0]["reason"] == "legal hold (litigation-2026-17)"
    events = list(runtime.audit_log.events())
    refused = [e.payload for e in events if e.kind == "retention"]
    assert refused and refused[0] is not None and refused[0]["action"] == "refused"
    assert refused[0]["holds"] == ["litigation-2026-17"]
    erasures = [e.payload for e in events if e.kind == "subject_erasure"]
    assert len(erasures) == 1 and erasures[0] is not None
    assert erasures[0]["certificate_sha256"] == cert.sha256 and erasures[0]["verified"] is True
    assert runtime.audit_log.verify().events == len(events)
    for e in events:
        assert CANARY_EMAIL not in json.dumps(e.payload, default=str)
