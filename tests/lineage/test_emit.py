"""Scans, protect runs and training become OpenLineage run events; labels follow column lineage
and stop at masking and aggregation, with their evidence."""

from __future__ import annotations

from openlineage.client.event_v2 import RunEvent
from openlineage.client.serde import Serde

from dataward.lineage import Node, downstream, links, upstream
from dataward.lineage.emit import record, run_event, token_digest, train_run
from dataward.lineage.io import export_events
from dataward.lineage.labels import labels
from dataward.runtime import Runtime
from tests.lineage.conftest import Zone, toy_features_event


def _by(found: list, column: str) -> dict[str, str]:
    return {lab.label: lab.status for lab in found if lab.column == column}


def test_scan_and_protect_become_runs_with_masking(runtime: Runtime, zone: Zone) -> None:
    assert downstream(runtime, zone.raw)[0].name == zone.protected
    raw = labels(runtime, zone.raw)
    assert _by(raw, "email") == {"EMAIL_ADDRESS": "present"}
    assert _by(raw, "ssn") == {"US_SSN": "present"}
    out = labels(runtime, zone.protected)
    # every sensitive column was protected: each label stopped there, with its evidence
    assert _by(out, "email") == {"EMAIL_ADDRESS": "stopped"}
    stop = next(lab for lab in out if lab.column == "ssn")
    assert stop.status == "stopped" and stop.operator and stop.source_dataset == zone.raw
    kinds = [e.kind for e in runtime.audit_log.events()]
    assert kinds.count("lineage") == 2  # the scan and the protect run
    protect = [e for e in runtime.audit_log.events() if e.kind == "lineage"][-1].payload
    assert protect is not None and protect["job"] == "dataward.protect"
    assert any(c.endswith(":email") for c in protect["masked_columns"])
    events = export_events(runtime, [zone.protected])
    col = events[-1]["outputs"][0]["facets"]["columnLineage"]["fields"]["email"]
    assert col["inputFields"][0]["transformations"][0]["masking"] is True


def test_labels_carry_through_identity_and_stop_at_aggregation(
    runtime: Runtime, zone: Zone
) -> None:
    event = toy_features_event(
        zone.raw,
        "features.customers",
        {"email_norm": ("email", "IDENTITY"), "n_ssn": ("ssn", "AGGREGATION")},
    )
    record(runtime, event, source="file")
    found = labels(runtime, "features.customers")
    assert _by(found, "email_norm") == {"EMAIL_ADDRESS": "carried"}
    assert _by(found, "n_ssn") == {"US_SSN": "stopped"}
    carried = next(lab for lab in found if lab.column == "email_norm")
    assert (carried.source_dataset, carried.source_column) == (zone.raw, "email")
    assert carried.run_id == event["run"]["runId"]
    # the free text of the transformation (a query with a literal) was not kept as operator
    assert carried.operator == ""
    assert downstream(runtime, zone.raw)[-1] == Node("features.customers", "features", "fv1")


def test_training_links_model_to_data_decision_token_and_receipt(
    runtime: Runtime, zone: Zone
) -> None:
    record(runtime, toy_features_event(zone.raw, "feat", {"e": ("email", "IDENTITY")}))
    model = Node("churn-model", "model", "7")
    token = "dwt1.claims.signature"
    train_run(
        runtime,
        model,
        [Node("feat", "features", "fv1")],
        decision={"decision_id": "0b5b8f8e-1111-4222-8333-444455556666"},
        go_token=token,
        receipts=["sha256:" + "a" * 64],
        mlflow_run_id="abc123",
    )
    up = upstream(runtime, "churn-model")
    assert [n.name for n in up] == ["feat", zone.raw]
    found = links(runtime, "churn-model")
    assert found["decision"] == ["0b5b8f8e-1111-4222-8333-444455556666"]
    assert found["go_token"] == [token_digest(token)]
    assert token not in str(found)
    assert found["dataset_version"] == ["feat@fv1"]
    assert found["mlflow_run"] == ["abc123"]
    audit_ref = next(r for r in found["receipt"] if r.startswith("audit:"))
    index = int(audit_ref.split(":")[1])
    assert runtime.audit_log.event(index).kind == "lineage"
    assert runtime.audit_log.verify().events >= index + 1
    assert "sha256:" + "a" * 64 in found["receipt"]


def test_events_are_openlineage_run_events(runtime: Runtime) -> None:
    event = run_event("job", inputs=[("/a", {})], outputs=[("/b", {})])
    # openlineage-python reads it back as a RunEvent with the same content
    rebuilt = RunEvent(
        eventType=event["eventType"],
        eventTime=event["eventTime"],
        run=event["run"],
        job=event["job"],
        producer=event["producer"],
        inputs=event["inputs"],
        outputs=event["outputs"],
    )
    assert Serde.to_dict(rebuilt)["run"]["runId"] == event["run"]["runId"]
    assert event["schemaURL"].endswith("OpenLineage.json#/$defs/RunEvent")


def test_incremental_labels_equal_a_full_recompute(runtime: Runtime, zone: Zone) -> None:
    from dataward.lineage.labels import propagate

    # two paths into one column: masked from the protected copy, identity from the raw file
    record(runtime, toy_features_event(zone.protected, "mix", {"e": ("email", "IDENTITY")}))
    assert labels(runtime, "mix") == []  # a stopped label goes no further
    record(runtime, toy_features_event(zone.raw, "mix", {"e": ("email", "IDENTITY")}))
    record(runtime, toy_features_event("mix", "mix2", {"e2": ("e", "IDENTITY")}))
    before = {n: labels(runtime, n) for n in ("mix", "mix2", zone.protected)}
    assert [(x.label, x.status) for x in before["mix"]] == [("EMAIL_ADDRESS", "carried")]
    assert [(x.label, x.status) for x in before["mix2"]] == [("EMAIL_ADDRESS", "carried")]
    propagate(runtime)
    after = {n: labels(runtime, n) for n in ("mix", "mix2", zone.protected)}
    assert {n: [(x.column, x.label, x.status) for x in v] for n, v in before.items()} == {
        n: [(x.column, x.label, x.status) for x in v] for n, v in after.items()
    }


def test_a_clean_rescan_clears_its_labels_not_what_was_made_before(
    runtime: Runtime, zone: Zone
) -> None:
    import pyarrow as pa
    import pyarrow.csv as pacsv

    import dataward as dw

    record(runtime, toy_features_event(zone.raw, "feat", {"e": ("email", "IDENTITY")}))
    assert [x.status for x in labels(runtime, "feat")] == ["carried"]
    clean = pa.table({"email": ["none", "given", "here"], "age": ["x", "y", "z"]})
    pacsv.write_csv(clean, zone.raw)
    dw.scan(str(zone.root / "lz"))
    assert labels(runtime, zone.raw) == []
    # the features were built from the earlier version, which held e-mails: still labelled
    assert [(x.label, x.status) for x in labels(runtime, "feat")] == [("EMAIL_ADDRESS", "carried")]
