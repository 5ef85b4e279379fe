"""S3 object-created events and AWS KMS against a local AWS (moto in server mode, a real HTTP
server speaking the S3, SQS and KMS APIs): events from S3 -> SQS are scanned through s3fs and
acknowledged only once scanned; the key ring's keys are wrapped by KMS and read back."""

from __future__ import annotations

import base64
import json
import logging
from collections.abc import Iterator
from typing import Any

import pytest

from dataward.errors import ConfigError, KeyringError
from dataward.integrations.s3 import ObjectCreated, drain_queue, parse_event, scan_event

EMAIL = "canary.7731@example.org"
SSN = "078-05-1120"
CSV = f"name,email,ssn\nAda Lovelace,{EMAIL},{SSN}\nBob Stone,bob@example.com,219-09-9999\n"


def s3_event(key: str, name: str = "ObjectCreated:Put", bucket: str = "landing") -> dict[str, Any]:
    return {
        "Records": [
            {
                "eventVersion": "2.1",
                "eventSource": "aws:s3",
                "eventName": name,
                "eventTime": "2026-01-01T00:00:00.000Z",
                "s3": {
                    "bucket": {"name": bucket},
                    "object": {"key": key, "size": 10, "eTag": "abc"},
                },
            }
        ]
    }


# -- the event formats (no server) -----------------------------------------------------------


def test_every_delivery_of_an_event_parses_to_the_same_objects() -> None:
    event = s3_event("in/people+one%2B.csv")
    want = [ObjectCreated("landing", "in/people one+.csv", 10, "abc", None, "ObjectCreated:Put",
                          "2026-01-01T00:00:00.000Z")]  # fmt: skip
    as_text = json.dumps(event)
    assert parse_event(event) == want
    assert parse_event(as_text.encode()) == want  # a webhook body
    assert parse_event({"MessageId": "1", "Body": as_text}) == want  # an SQS message
    sns = {"Type": "Notification", "Message": as_text}
    assert parse_event({"Body": json.dumps(sns)}) == want  # S3 -> SNS -> SQS
    lam = {"Records": [{"eventSource": "aws:sqs", "body": as_text}]}  # a Lambda SQS trigger
    assert parse_event(lam) == want
    assert want[0].url == "s3://landing/in/people one+.csv"


def test_removals_and_test_events_give_nothing_and_bad_bodies_fail() -> None:
    assert parse_event(s3_event("a.csv", name="ObjectRemoved:Delete")) == []
    assert parse_event({"Service": "Amazon S3", "Event": "s3:TestEvent"}) == []
    with pytest.raises(ConfigError, match="must be JSON"):
        parse_event(f"mail {EMAIL}")
    with pytest.raises(ConfigError, match="no Records list") as err:
        parse_event({"note": EMAIL})
    assert EMAIL not in str(err.value)
    with pytest.raises(ConfigError, match=r"lacks s3\.bucket\.name"):
        parse_event({"Records": [{"eventSource": "aws:s3", "eventName": "ObjectCreated:Put"}]})
    with pytest.raises(ConfigError, match="not from aws:s3"):
        parse_event({"Records": [{"eventSource": EMAIL}]})


# -- against moto's server -------------------------------------------------------------------


@pytest.fixture(scope="module")
def aws_url() -> Iterator[str]:
    server_mod = pytest.importorskip("moto.server", reason="moto[server] is not installed")
    server = server_mod.ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


@pytest.fixture
def aws(aws_url: str, monkeypatch: pytest.MonkeyPatch) -> Any:
    """boto3 (and s3fs through botocore) pointed at the local server with fake credentials."""
    boto3 = pytest.importorskip("boto3")
    for name, value in {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_SESSION_TOKEN": "testing",
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_ENDPOINT_URL": aws_url,
    }.items():
        monkeypatch.setenv(name, value)
    import fsspec

    fsspec.filesystem("s3").clear_instance_cache()  # no s3fs made for another endpoint
    return boto3


def landing(aws: Any, bucket: str) -> tuple[Any, Any, str]:
    """A bucket that notifies an SQS queue of created objects; the queue has drained S3's
    test event."""
    s3, sqs = aws.client("s3"), aws.client("sqs")
    s3.create_bucket(Bucket=bucket)
    queue = sqs.create_queue(QueueName=f"{bucket}-events", Attributes={"VisibilityTimeout": "0"})
    url = queue["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"][
        "QueueArn"
    ]
    s3.put_bucket_notification_configuration(
        Bucket=bucket,
        NotificationConfiguration={
            "QueueConfigurations": [{"QueueArn": arn, "Events": ["s3:ObjectCreated:*"]}]
        },
    )
    assert drain_queue(url, client=sqs).received == 1  # s3:TestEvent, deleted
    return s3, sqs, url


def pending(sqs: Any, url: str) -> int:
    attrs = sqs.get_queue_attributes(
        QueueUrl=url,
        AttributeNames=["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"],
    )["Attributes"]
    return int(attrs["ApproximateNumberOfMessages"]) + int(
        attrs["ApproximateNumberOfMessagesNotVisible"]
    )


def test_an_object_created_on_s3_is_scanned_from_its_sqs_event(
    aws: Any, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="dataward")
    s3, sqs, url = landing(aws, "landing")
    s3.put_object(Bucket="landing", Key="in/people one.csv", Body=CSV.encode())
    seen: list[str] = []
    report = drain_queue(url, client=sqs, on_scan=lambda obj, _result: seen.append(obj.key))
    assert (report.received, report.scanned, report.failed) == (1, 1, 0)
    assert seen == ["in/people one.csv"]
    dataset = report.results[0].datasets[0]
    assert dataset.path == "s3://landing/in/people one.csv"
    entities = {c.name: c.entity for c in dataset.columns}
    assert entities["email"] == "EMAIL_ADDRESS" and entities["ssn"] == "US_SSN"
    assert report.results[0].scan_id is not None  # recorded in the catalog
    assert pending(sqs, url) == 0  # acknowledged once scanned
    shown = json.dumps([r.to_dict() for r in report.results], default=str)
    assert EMAIL not in shown and SSN not in shown
    assert EMAIL not in caplog.text and SSN not in caplog.text


def test_an_unreadable_object_leaves_its_message_on_the_queue(aws: Any) -> None:
    s3, sqs, url = landing(aws, "broken")
    sqs.send_message(QueueUrl=url, MessageBody=json.dumps(s3_event("gone.csv", bucket="broken")))
    sqs.send_message(QueueUrl=url, MessageBody="not json")
    report = drain_queue(url, client=sqs)
    assert (report.received, report.scanned, report.failed) == (2, 0, 2)
    assert pending(sqs, url) == 2  # both come back (and reach a dead-letter queue in time)

    def refuse(_obj: ObjectCreated, _result: Any) -> None:
        raise RuntimeError("the catalog push failed")

    s3.put_object(Bucket="broken", Key="ok.csv", Body=CSV.encode())
    report = drain_queue(url, client=sqs, on_scan=refuse)
    assert report.scanned == 0 and pending(sqs, url) == 3


def test_scan_event_reads_the_objects_of_a_webhook_body(aws: Any) -> None:
    s3 = aws.client("s3")
    s3.create_bucket(Bucket="hooks")
    s3.put_object(Bucket="hooks", Key="a.csv", Body=CSV.encode())
    result = scan_event(json.dumps(s3_event("a.csv", bucket="hooks")), record=False)
    assert [d.path for d in result.datasets] == ["s3://hooks/a.csv"]
    assert not result.errors
    assert scan_event(s3_event("a.csv", name="ObjectRemoved:Delete")).datasets == []


def test_the_key_ring_is_wrapped_by_aws_kms(aws: Any, tmp_path: Any) -> None:
    from dataward.keys.kms import AwsKms
    from dataward.keys.ring import KeyRing

    client = aws.client("kms")
    key_id = client.create_key(Description="dataward key ring")["KeyMetadata"]["KeyId"]
    kms = AwsKms(key_id, client=client)
    ring = KeyRing.generate()
    ring._kms = kms  # type: ignore[attr-defined]  # as load_or_create(kms=...) sets it
    path = ring.save(tmp_path / "keys.json")
    doc = json.loads(path.read_text())
    assert doc["kms"] == {"kind": "aws", "key_id": key_id}
    material = ring.subkey("protect")
    assert "material" not in doc["keys"][0]
    assert base64.b64decode(doc["keys"][0]["wrapped"]) != material
    again = KeyRing.load(path)  # the KMS the file names, through the same endpoint
    assert again.subkey("protect") == material
    with pytest.raises(KeyringError, match="AWS KMS decrypt failed"):
        kms.unwrap(base64.b64decode(doc["keys"][0]["wrapped"]), {"purpose": "other"})
