"""A small landing zone, scanned and protected once per test that asks (tiny: a few rows)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.csv as pacsv
import pytest

import dataward as dw
from dataward.catalog.identity import canonical_path
from dataward.protect.files import protect_file
from dataward.runtime import Runtime

CANARY_EMAIL = "canary.7731@example.org"
CANARY_SSN = "078-05-1120"
CANARY_COLUMN = "owner.c4n4ry@example.org"
"""A column named by an e-mail: lineage masks it as ``<EMAIL_ADDRESS>``."""


@dataclass
class Zone:
    raw: str
    protected: str
    root: Path


@pytest.fixture
def zone(runtime: Runtime, tmp_path: Path) -> Zone:
    """scan → protect of one CSV holding canaries (values and a column name)."""
    lz = tmp_path / "lz"
    lz.mkdir()
    table = pa.table(
        {
            "email": [
                CANARY_EMAIL,
                "ann.lee@example.com",
                "bo.chan@example.net",
                "x.y@example.org",
            ],
            "ssn": [CANARY_SSN, "219-09-9999", "457-55-5462", "323-45-6789"],
            "age": [33, 44, 55, 66],
            CANARY_COLUMN: ["a", "b", "c", "d"],
        }
    )
    pacsv.write_csv(table, lz / "people.csv")
    dw.scan(str(lz))
    protect_file(lz / "people.csv", tmp_path / "people.protected.csv")
    return Zone(
        canonical_path(lz / "people.csv"),
        canonical_path(tmp_path / "people.protected.csv"),
        tmp_path,
    )


def toy_features_event(
    src: str, dst: str, columns: dict[str, tuple[str, str]], *, run_id: str | None = None
) -> dict[str, Any]:
    """An OpenLineage event as a toy feature job (not Dataward) would send it: ``columns`` maps
    each output column to (input column, subtype: IDENTITY or AGGREGATION)."""
    fields = {
        out: {
            "inputFields": [
                {
                    "namespace": "file",
                    "name": src,
                    "field": col,
                    "transformations": [
                        {
                            "type": "DIRECT" if sub == "IDENTITY" else "INDIRECT",
                            "subtype": sub,
                            "description": "SELECT lower(email) FROM t WHERE x = 'secret-literal'",
                        }
                    ],
                }
            ]
        }
        for out, (col, sub) in columns.items()
    }
    return {
        "eventType": "COMPLETE",
        "eventTime": "2026-12-03T10:00:00Z",
        "producer": "https://example.org/toy-job",
        "schemaURL": "https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/RunEvent",
        "run": {"runId": run_id or str(uuid.uuid4())},
        "job": {
            "namespace": "toy",
            "name": "build_features",
            "facets": {"sql": {"query": "SELECT * FROM t WHERE x = 'secret-literal'"}},
        },
        "inputs": [{"namespace": "file", "name": src}],
        "outputs": [
            {
                "namespace": "feast",
                "name": dst,
                "facets": {
                    "datasetType": {"datasetType": "FEATURES"},
                    "version": {"datasetVersion": "fv1"},
                    "columnLineage": {"fields": fields},
                },
            }
        ],
    }
