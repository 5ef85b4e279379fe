"""Scan Azure Blob Storage and Data Lake Storage objects when they are created (Event Grid).

Azure Event Grid delivers a ``Microsoft.Storage.BlobCreated`` event to a webhook (or a queue)
when a blob is written, in the Event Grid schema (a JSON array of events with ``eventType``,
``subject``, ``topic`` and ``data``) or in the CloudEvents 1.0 schema (``specversion``,
``type``, ``source``). :func:`parse_event_grid` reads both into :class:`BlobCreated`; a webhook
answers Event Grid's subscription handshake with :func:`validation_response`.
:func:`scan_event_grid` scans the blobs through fsspec (``abfs://container/path``, adlfs from
the ``cloud`` extra; the account and its credentials come from adlfs's settings, such as
``AZURE_STORAGE_CONNECTION_STRING``).

On a Data Lake Storage account (hierarchical namespace) a file raises ``BlobCreated`` twice:
on ``CreateFile`` (empty) and on ``FlushWithClose`` (its content committed); only the second is
scanned, as Azure's documentation advises.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from dataward.errors import ConfigError

if TYPE_CHECKING:
    from dataward.classify.scan import ScanResult

__all__ = ["BlobCreated", "parse_event_grid", "scan_event_grid", "validation_response"]

CREATED = "Microsoft.Storage.BlobCreated"
VALIDATION = "Microsoft.EventGrid.SubscriptionValidationEvent"


@dataclass(frozen=True, slots=True)
class BlobCreated:
    """One blob a ``BlobCreated`` event announced."""

    account: str | None
    container: str
    path: str
    api: str = ""
    size: int | None = None
    etag: str | None = None

    @property
    def url(self) -> str:
        """``abfs://container/path``, as adlfs reads it."""
        return f"abfs://{self.container}/{self.path}"


def _events(body: str | bytes | Mapping[str, Any] | list[Any]) -> list[Mapping[str, Any]]:
    doc: Any = body
    if isinstance(body, str | bytes):
        try:
            doc = json.loads(body)
        except (ValueError, UnicodeDecodeError):
            raise ConfigError("an Event Grid delivery must be JSON; this body is not") from None
    items = doc if isinstance(doc, list) else [doc]
    if not all(isinstance(e, Mapping) for e in items):
        raise ConfigError("an Event Grid delivery is an event object or a list of them")
    return items


def _kind(event: Mapping[str, Any]) -> str:
    return str(event.get("eventType") or event.get("type") or "")


def validation_response(body: str | bytes | Mapping[str, Any] | list[Any]) -> dict[str, str] | None:
    """``{"validationResponse": code}`` for Event Grid's subscription validation event (the
    webhook answers it to prove it asked for the events); ``None`` for other deliveries."""
    for event in _events(body):
        if _kind(event) == VALIDATION:
            code = (event.get("data") or {}).get("validationCode")
            if not isinstance(code, str):
                raise ConfigError("the subscription validation event has no validationCode")
            return {"validationResponse": code}
    return None


def parse_event_grid(body: str | bytes | Mapping[str, Any] | list[Any]) -> list[BlobCreated]:
    """The blobs created according to an Event Grid delivery (either schema). Other event
    types give nothing; a ``BlobCreated`` without a blob subject raises ConfigError."""
    out: list[BlobCreated] = []
    for i, event in enumerate(_events(body)):
        if _kind(event) != CREATED:
            continue
        data = event.get("data") or {}
        api = str(data.get("api", ""))
        if api == "CreateFile":  # Data Lake: the file is empty until FlushWithClose
            continue
        subject = str(event.get("subject", ""))
        head, sep, blob = subject.partition("/blobs/")
        container = head.rpartition("/containers/")[2]
        if not sep or not blob or "/containers/" not in head or not container:
            raise ConfigError(f"Event Grid event {i} has no /containers/NAME/blobs/PATH subject")
        source = str(event.get("topic") or event.get("source") or "")
        account = source.rpartition("/storageAccounts/")[2] or None
        size = data.get("contentLength")
        out.append(
            BlobCreated(
                account=account,
                container=container,
                path=blob,
                api=api,
                size=size if isinstance(size, int) else None,
                etag=data.get("eTag"),
            )
        )
    return out


def scan_event_grid(
    body: str | bytes | Mapping[str, Any] | list[Any] | Iterable[BlobCreated],
    *,
    record: bool = True,
    **options: Any,
) -> ScanResult:
    """Scan the blobs an Event Grid delivery announced (``dw.scan`` of their ``abfs://`` URLs,
    recorded in the catalog unless ``record=False``); unreadable blobs are in ``errors``."""
    from dataward.classify.scan import ScanResult, scan

    if isinstance(body, str | bytes | Mapping) or (
        isinstance(body, list) and not all(isinstance(b, BlobCreated) for b in body)
    ):
        blobs = parse_event_grid(body)
    else:
        blobs = list(body)
    urls = list(dict.fromkeys(b.url for b in blobs))
    if not urls:
        return ScanResult([], [], [], [], None)
    return scan(urls, record=record, force=True, **options)
