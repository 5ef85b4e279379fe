"""A governed pipeline in a tmp folder: scan → decide → protect under the decision → scan the
protected copy → decide with the receipt (a go token) → a toy feature job (OpenLineage) →
training recorded as an MLflow run."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.csv as pacsv
import pytest

import dataward as dw
from dataward.catalog.identity import canonical_path
from dataward.lineage import Node
from dataward.lineage.emit import record, train_run
from dataward.policy.evidence import receipt_digest
from dataward.protect.files import protect_file
from dataward.runtime import Runtime
from tests.lineage.conftest import CANARY_COLUMN, CANARY_EMAIL, CANARY_SSN, toy_features_event

__all__ = ["CANARY_COLUMN", "CANARY_EMAIL", "CANARY_SSN", "Pipeline"]


@dataclass
class Pipeline:
    raw: str
    protected: str
    features: str
    model: Node
    decision: Any
    token: str
    receipt: dict[str, Any]
    root: Path


def _request(resource: dict[str, Any]) -> dict[str, Any]:
    return {
        "principal": {"type": "ServiceAccount", "id": "trainer"},
        "action": "train",
        "resource": {"type": "Dataset", **resource},
        "context": {"purpose": "research", "job_id": "job-7"},
    }


@pytest.fixture
def pipeline(runtime: Runtime, tmp_path: Path) -> Pipeline:
    lz = tmp_path / "lz"
    lz.mkdir()
    table = pa.table(
        {
            "email": [CANARY_EMAIL, "ann.lee@example.com", "bo.chan@example.net"],
            "ssn": [CANARY_SSN, "219-09-9999", "457-55-5462"],
            "age": [33, 44, 55],
            CANARY_COLUMN: ["a", "b", "c"],
        }
    )
    pacsv.write_csv(table, lz / "people.csv")
    raw = canonical_path(lz / "people.csv")
    dw.scan(str(lz))
    first = dw.decide(_request({"id": raw}))
    out = tmp_path / "clean" / "people.csv"
    out.parent.mkdir()
    report = protect_file(lz / "people.csv", out, decision=first)
    assert report.receipt is not None
    protected = canonical_path(out)
    dw.scan(str(out.parent))
    second = dw.decide(
        _request({"id": protected, "version": report.receipt["output_sha256"]}),
        evidence=[report.receipt],
    )
    assert second.effect == "allow" and second.token, second.to_dict()
    record(
        runtime,
        toy_features_event(protected, "features.people", {"email_tok": ("email", "IDENTITY")}),
        source="file",
    )
    model = Node("people-model", "model", "1")
    train_run(
        runtime,
        model,
        [Node("features.people", "features", "fv1")],
        decision=second,
        receipts=[receipt_digest(report.receipt)],
    )
    return Pipeline(
        raw, protected, "features.people", model, second, second.token, report.receipt, tmp_path
    )
