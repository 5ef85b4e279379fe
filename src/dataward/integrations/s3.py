"""Scan S3 objects when they are created: S3 event notifications, from an SQS queue or a webhook.

S3 sends an *event notification* (a JSON document with ``Records``, see the AWS guide "Event
message structure") when an object is created. It reaches Dataward in one of the ways AWS
delivers it: as the body of an SQS message (S3 → SQS, or S3 → SNS → SQS, where the body is an
SNS envelope whose ``Message`` is the event), as a Lambda event from an SQS trigger (records
with ``eventSource: aws:sqs`` and a ``body``), or posted to a webhook as is.
:func:`parse_event` reads all of them into :class:`ObjectCreated` (other events, such as
removals and the ``s3:TestEvent`` S3 sends when a notification is configured, give nothing);
:func:`scan_event` scans the created objects through fsspec (``s3://``, the ``cloud`` extra);
:func:`drain_queue` reads an SQS queue and deletes a message only once its objects were scanned
without an error, so a failure is delivered again (and lands in the queue's dead-letter queue
after its redrive policy's ``maxReceiveCount``): never acknowledged unscanned.

Object keys in events are URL-encoded (a space is ``+``); they are decoded here. A key can be
named by a value (an e-mail); the scan's audit events and outputs mask such parts already.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote_plus

from dataward.errors import ConfigError

if TYPE_CHECKING:
    from dataward.classify.scan import ScanResult

log = logging.getLogger(__name__)

__all__ = ["DrainReport", "ObjectCreated", "drain_queue", "parse_event", "scan_event"]


@dataclass(frozen=True, slots=True)
class ObjectCreated:
    """One object an ``ObjectCreated:*`` event announced."""

    bucket: str
    key: str
    size: int | None = None
    etag: str | None = None
    version_id: str | None = None
    event_name: str = "ObjectCreated:Put"
    event_time: str | None = None

    @property
    def url(self) -> str:
        """``s3://bucket/key``, as fsspec reads it."""
        return f"s3://{self.bucket}/{self.key}"


def parse_event(body: str | bytes | Mapping[str, Any]) -> list[ObjectCreated]:
    """The objects created according to ``body``: an S3 event notification, an SQS message
    (or its ``Body``), an SNS envelope, or a Lambda SQS event. A body that is none of these
    raises :class:`~dataward.errors.ConfigError` (its content is never quoted)."""
    doc = _load(body)
    if "Body" in doc:  # an SQS message as ReceiveMessage returns it
        return parse_event(doc["Body"])
    if doc.get("Type") == "Notification" and "Message" in doc:  # S3 -> SNS -> SQS
        return parse_event(doc["Message"])
    if doc.get("Event") == "s3:TestEvent":
        return []
    records = doc.get("Records")
    if not isinstance(records, list):
        raise ConfigError(
            "not an S3 event notification: no Records list (nor an SQS or SNS envelope)"
        )
    out: list[ObjectCreated] = []
    for i, record in enumerate(records):
        if not isinstance(record, Mapping):
            raise ConfigError(f"S3 event record {i} is not an object")
        if record.get("eventSource") == "aws:sqs" and "body" in record:  # a Lambda SQS event
            out.extend(parse_event(record["body"]))
            continue
        if record.get("eventSource") != "aws:s3":
            raise ConfigError(f"S3 event record {i} is not from aws:s3 (its eventSource)")
        name = str(record.get("eventName", ""))
        if not name.startswith("ObjectCreated:"):
            continue  # removals, restores, replication: nothing new to scan
        try:
            s3 = record["s3"]
            bucket = str(s3["bucket"]["name"])
            obj = s3["object"]
            key = unquote_plus(str(obj["key"]))
        except (KeyError, TypeError):
            raise ConfigError(
                f"S3 event record {i} lacks s3.bucket.name or s3.object.key"
            ) from None
        size = obj.get("size")
        out.append(
            ObjectCreated(
                bucket=bucket,
                key=key,
                size=int(size) if isinstance(size, int) else None,
                etag=obj.get("eTag"),
                version_id=obj.get("versionId"),
                event_name=name,
                event_time=record.get("eventTime"),
            )
        )
    return out


def _load(body: str | bytes | Mapping[str, Any]) -> Mapping[str, Any]:
    if isinstance(body, Mapping):
        return body
    try:
        doc = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        raise ConfigError("an S3 event must be JSON; this body is not") from None
    if not isinstance(doc, Mapping):
        raise ConfigError("an S3 event must be a JSON object")
    return doc


def scan_event(
    body: str | bytes | Mapping[str, Any] | Iterable[ObjectCreated],
    *,
    record: bool = True,
    **options: Any,
) -> ScanResult:
    """Scan the objects an event announced (``dw.scan`` of their ``s3://`` URLs, recorded in
    the catalog unless ``record=False``). Objects that cannot be read are in the result's
    ``errors``; the others are scanned."""
    from dataward.classify.scan import scan

    objects = _objects(body)
    urls = list(dict.fromkeys(o.url for o in objects))
    if not urls:
        from dataward.classify.scan import ScanResult

        return ScanResult([], [], [], [], None)
    return scan(urls, record=record, force=True, **options)


def _objects(body: Any) -> list[ObjectCreated]:
    if isinstance(body, str | bytes | Mapping):
        return parse_event(body)
    return list(body)


@dataclass(frozen=True, slots=True)
class DrainReport:
    """What one pass over a queue did."""

    received: int
    scanned: int
    """Messages whose objects were all scanned (deleted from the queue)."""
    failed: int
    """Messages left on the queue (a bad body, an unreadable object): delivered again."""
    results: tuple[ScanResult, ...]


def drain_queue(
    queue_url: str,
    *,
    client: Any = None,
    max_messages: int = 10,
    wait_seconds: int = 0,
    on_scan: Callable[[ObjectCreated, ScanResult], None] | None = None,
    record: bool = True,
) -> DrainReport:
    """Receive up to ``max_messages`` messages from the SQS queue, scan each message's objects,
    and delete the messages whose scan had no error. ``client``: a boto3 SQS client (default:
    ``boto3.client("sqs")``, the ``aws`` extra). ``on_scan(object, result)`` runs for each
    object scanned, before its message is deleted (push tags, decide...): if it raises, the
    message stays on the queue."""
    if client is None:
        import importlib

        client = importlib.import_module("boto3").client("sqs")
    got = client.receive_message(
        QueueUrl=queue_url,
        MaxNumberOfMessages=max(1, min(max_messages, 10)),
        WaitTimeSeconds=wait_seconds,
    )
    messages = got.get("Messages", [])
    scanned = failed = 0
    results: list[ScanResult] = []
    for message in messages:
        try:
            objects = parse_event(message.get("Body", ""))
            for obj in objects:
                result = scan_event([obj], record=record)
                if result.errors:
                    raise _UnscannedError(len(result.errors))
                results.append(result)
                if on_scan is not None:
                    on_scan(obj, result)
        except Exception as exc:  # fail closed: the message stays and comes back
            failed += 1
            log.warning(
                "S3 event message left on the queue to be delivered again: %s",
                exc if isinstance(exc, _UnscannedError | ConfigError) else type(exc).__name__,
            )
            continue
        client.delete_message(QueueUrl=queue_url, ReceiptHandle=message["ReceiptHandle"])
        scanned += 1
    return DrainReport(len(messages), scanned, failed, tuple(results))


class _UnscannedError(Exception):
    def __init__(self, errors: int) -> None:
        super().__init__(f"{errors} object(s) could not be scanned")
