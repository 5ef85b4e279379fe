"""AWS: CloudTrail S3 data events and S3 server access logs.

CloudTrail delivers JSON files (often gzipped) holding ``{"Records": [...]}``; a data event on
S3 has ``eventSource`` ``s3.amazonaws.com``, ``eventName`` (``GetObject``, ``PutObject``…),
``userIdentity``, ``sourceIPAddress``, ``userAgent``, ``requestParameters.bucketName``/``key``,
``additionalEventData.bytesTransferredOut`` and ``eventID``.

S3 server access logs are lines of space-separated fields, some quoted (``"GET /k HTTP/1.1"``)
or bracketed (``[06/Feb/2019:00:00:38 +0000]``), in the documented order; they are split by a
single left-to-right scan (no regular expression).

The object of an access is the bucket and the key's folder (``s3://bucket/train/2024``): a
dataset is a prefix, and a baseline of single keys would call every new file novel.
"""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Any

from dataward.monitor.event import AccessEvent, Action
from dataward.monitor.parsers.common import (
    Parsed,
    as_int,
    lines,
    open_text,
    parse_time,
    principal_kind,
)

READ_EVENTS = frozenset({"GetObject", "SelectObjectContent", "GetObjectAttributes", "HeadObject"})
WRITE_EVENTS = frozenset(
    {"PutObject", "CopyObject", "DeleteObject", "DeleteObjects", "CompleteMultipartUpload"}
)
LIST_EVENTS = frozenset({"ListObjects", "ListObjectsV2", "ListObjectVersions"})

S3_ACCESS_FIELDS = (
    "bucket_owner",
    "bucket",
    "time",
    "remote_ip",
    "requester",
    "request_id",
    "operation",
    "key",
    "request_uri",
    "http_status",
    "error_code",
    "bytes_sent",
    "object_size",
    "total_time",
    "turn_around_time",
    "referrer",
    "user_agent",
    "version_id",
    "host_id",
    "signature_version",
    "cipher_suite",
    "authentication_type",
    "host_header",
    "tls_version",
    "access_point_arn",
    "acl_required",
)
_MONTHS = {
    m: i
    for i, m in enumerate(
        ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"], 1
    )
}


SERVICE_SESSIONS = ("i-", "botocore-session-", "aws-go-sdk-", "AWSLambda", "ecs-", "glue-", "emr-")
"""Session names an AWS service or an SDK gives a role it assumes (an EC2 instance id, …)."""


def prefix_of(bucket: str, key: str | None) -> str:
    """``s3://bucket/folder`` of a key (the bucket alone for a key at its root)."""
    if not key or "/" not in key:
        return f"s3://{bucket}"
    return f"s3://{bucket}/{key.rsplit('/', 1)[0]}"


def _identity(ident: Any) -> tuple[str, str | None, str | None]:
    """Principal, role and kind hint of a CloudTrail ``userIdentity``."""
    if not isinstance(ident, dict):
        return "", None, None
    kind = ident.get("type") or ""
    issuer = (ident.get("sessionContext") or {}).get("sessionIssuer") or {}
    role = issuer.get("userName") if isinstance(issuer, dict) else None
    if kind == "AssumedRole":
        arn = str(ident.get("arn") or "")
        session = arn.rsplit("/", 1)[-1] if "/" in arn else ident.get("principalId", "")
        # A role assumed by a person (SSO) names the person as the session; by a service, the
        # session is the service's (an instance id, a Lambda name).
        text = str(session)
        hint = "human" if "@" in text else None
        if text.startswith(SERVICE_SESSIONS):
            hint = "service"
        return text, role, hint
    if kind == "AWSService":
        return str(ident.get("invokedBy") or "aws-service"), None, "service"
    name = ident.get("userName") or ident.get("arn") or ident.get("principalId") or ""
    return str(name), role, None


def _cloudtrail_event(record: Any, where: str, line: int, parsed: Parsed) -> None:
    parsed.report.rows += 1
    if not isinstance(record, dict):
        parsed.report.problem(where, line, "a record that is not a JSON object")
        return
    if record.get("eventSource") != "s3.amazonaws.com":
        return  # management events of other services: not data access
    name = str(record.get("eventName") or "")
    action: Action
    if name in READ_EVENTS:
        action = "read"
    elif name in WRITE_EVENTS:
        action = "write"
    elif name in LIST_EVENTS:
        action = "other"
    else:
        return
    try:
        when = parse_time(record.get("eventTime"))
    except ValueError:
        parsed.report.problem(where, line, "eventTime is not a time")
        return
    principal, role, hint = _identity(record.get("userIdentity"))
    params = record.get("requestParameters") or {}
    bucket = params.get("bucketName") if isinstance(params, dict) else None
    event_id = record.get("eventID")
    if not principal or not bucket or not event_id:
        parsed.report.problem(where, line, "no principal, bucket or eventID")
        return
    extra = record.get("additionalEventData") or {}
    size = as_int(extra.get("bytesTransferredOut")) if isinstance(extra, dict) else None
    if action == "write" and isinstance(extra, dict):
        size = as_int(extra.get("bytesTransferredIn"))
    parsed.events.append(
        AccessEvent(
            time=when,
            source="cloudtrail",
            event_id=str(event_id),
            principal=principal,
            role=role,
            principal_kind=principal_kind(principal, hint),
            client=str(record.get("userAgent") or "") or None,
            ip=str(record.get("sourceIPAddress") or "") or None,
            action=action,
            objects=(parsed.masked(prefix_of(str(bucket), params.get("key"))),),
            bytes=size,
        )
    )


def parse_cloudtrail(files: list[Path], parsed: Parsed) -> None:
    """CloudTrail log files (``.json`` or ``.json.gz``) into ``parsed``."""
    for path in files:
        try:
            with open_text(path) as fh:
                document = json.load(fh)
        except (ValueError, OSError, EOFError):
            parsed.report.problem(path, 1, "not a CloudTrail JSON file")
            continue
        records = document.get("Records") if isinstance(document, dict) else None
        if not isinstance(records, list):
            parsed.report.problem(path, 1, "no Records array")
            continue
        for index, record in enumerate(records, 1):
            _cloudtrail_event(record, f"{path}#record", index, parsed)


def parse_cloudtrail_record(text: str, where: str, parsed: Parsed) -> None:
    """One streamed record, or a whole ``{"Records": [...]}`` document."""
    try:
        document = json.loads(text)
    except ValueError:
        parsed.report.problem(where, 1, "not JSON")
        return
    if isinstance(document, dict) and isinstance(document.get("Records"), list):
        for index, record in enumerate(document["Records"], 1):
            _cloudtrail_event(record, where, index, parsed)
    else:
        _cloudtrail_event(document, where, 1, parsed)


def split_access_line(line: str) -> list[str] | None:
    """The fields of an S3 server access log line: spaces separate, ``"..."`` and ``[...]``
    group (the quotes and brackets dropped). ``None`` for an unterminated group. One pass."""
    fields: list[str] = []
    i, n = 0, len(line)
    while i < n:
        if line[i] == " ":
            i += 1
            continue
        if line[i] == '"':
            end = line.find('"', i + 1)
            if end < 0:
                return None
            fields.append(line[i + 1 : end])
            i = end + 1
        elif line[i] == "[":
            end = line.find("]", i + 1)
            if end < 0:
                return None
            fields.append(line[i + 1 : end])
            i = end + 1
        else:
            end = line.find(" ", i)
            end = n if end < 0 else end
            fields.append(line[i:end])
            i = end
    return fields


def access_time(text: str) -> datetime:
    """``06/Feb/2019:00:00:38 +0000`` as a time (``ValueError`` otherwise)."""
    day, month, rest = text.split("/", 2)
    year, clock = rest.split(":", 1)
    hms, _, offset = clock.partition(" ")
    iso = f"{int(year):04d}-{_MONTHS[month]:02d}-{int(day):02d}T{hms}"
    if offset:
        iso += f"{offset[:3]}:{offset[3:]}"
    try:
        return parse_time(iso)
    except KeyError as exc:  # pragma: no cover - _MONTHS lookup above raises first
        raise ValueError(str(exc)) from None


def _access_line(line: str, where: str, number: int, parsed: Parsed) -> None:
    if not line.strip():
        return
    parsed.report.rows += 1
    fields = split_access_line(line)
    if fields is None or len(fields) < 18:
        parsed.report.problem(where, number, "not an S3 server access log line")
        return
    row = dict(zip(S3_ACCESS_FIELDS, fields, strict=False))
    op = row["operation"]
    if ".OBJECT" not in op and not op.endswith(".BUCKET"):
        return
    action: Action
    if op.startswith("REST.GET.OBJECT") or op.startswith("REST.HEAD.OBJECT"):
        action = "read"
    elif op.startswith(("REST.PUT.OBJECT", "REST.POST", "REST.COPY.OBJECT", "REST.DELETE.OBJECT")):
        action = "write"
    else:
        action = "other"
    try:
        when = access_time(row["time"])
    except (ValueError, KeyError):
        parsed.report.problem(where, number, "the time field is not a time")
        return
    requester = row["requester"]
    if requester == "-":
        requester = "anonymous"
    principal = requester.rsplit("/", 1)[-1] if requester.startswith("arn:") else requester
    role = None
    if ":assumed-role/" in requester:
        parts = requester.split("/")
        role = parts[1] if len(parts) > 2 else None
    key = None if row["key"] == "-" else row["key"]
    parsed.events.append(
        AccessEvent(
            time=when,
            source="s3-access",
            event_id=row["request_id"],
            principal=principal,
            role=role,
            principal_kind=principal_kind(principal, "human" if "@" in principal else None),
            client=None if row["user_agent"] == "-" else row["user_agent"],
            ip=None if row["remote_ip"] == "-" else row["remote_ip"],
            action=action,
            objects=(parsed.masked(prefix_of(row["bucket"], key)),),
            bytes=as_int(row["bytes_sent"]) if row["bytes_sent"] != "-" else None,
        )
    )


def parse_s3_access(files: list[Path], parsed: Parsed) -> None:
    """S3 server access log files into ``parsed``."""
    for path in files:
        for number, line in lines(path):
            _access_line(line, str(path), number, parsed)


def parse_s3_access_record(text: str, where: str, parsed: Parsed) -> None:
    for number, line in enumerate(text.splitlines(), 1):
        _access_line(line, where, number, parsed)
