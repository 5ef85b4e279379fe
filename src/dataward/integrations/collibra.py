"""Collibra Data Intelligence: a scan's tags on the dataset's asset (REST API 2.0).

A scanned dataset is an asset of a domain you name (``domain_id``) and an asset type
(``type_id``, the Data Set type by default). A push finds the asset by exact name
(``GET /rest/2.0/assets?name=...&domainId=...&nameMatchMode=EXACT``), creates it when it is
missing (``POST /rest/2.0/assets``), then sets its tags to exactly the scan's
(``PUT /rest/2.0/assets/{id}/tags`` with ``tagNames``): ``dataward``, the dataset tags
(``PII``, ``PHI``...) and one ``dataward:<ENTITY>`` per entity type found. HTTP Basic
authentication; retries and dead letters as for Atlas. Nothing sent holds a value: the asset's
name is the masked path.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

import httpx

from dataward.integrations.deadletter import DeadLetters
from dataward.integrations.http import Delivery, RetryPolicy
from dataward.integrations.rest import call

__all__ = ["DATA_SET_TYPE", "Collibra", "collibra_tags"]

DATA_SET_TYPE = "00000000-0000-0000-0001-000400000001"
"""The id of Collibra's out-of-the-box *Data Set* asset type."""


def collibra_tags(dataset: Any) -> list[str]:
    """The tag names of a scanned dataset: ``dataward``, its tags, ``dataward:<ENTITY>``."""
    entities = {c.entity for c in dataset.columns if c.entity is not None and c.sensitive}
    return ["dataward", *sorted(set(dataset.tag_names))] + [
        f"dataward:{e}" for e in sorted(entities)
    ]


@dataclass
class Collibra:
    """A Collibra instance at ``base_url`` (``https://acme.collibra.com``)."""

    base_url: str
    domain_id: str
    username: str = ""
    password: str = field(default="", repr=False)
    type_id: str = DATA_SET_TYPE
    name: str = "collibra"
    tries: int = 4
    backoff: float = 0.5
    timeout: float = 10.0
    sleep: Callable[[float], None] = field(default=time.sleep, repr=False)
    dead_letters: DeadLetters | None = field(default=None, repr=False)
    transport: httpx.BaseTransport | None = field(default=None, repr=False)
    kind = "collibra"

    def __post_init__(self) -> None:
        self.base_url = self.base_url.rstrip("/")

    def _call(self, method: str, path: str, body: Any = None) -> Delivery:
        return call(
            method,
            f"{self.base_url}/rest/2.0{path}",
            body,
            headers={"Accept": "application/json", "Content-Type": "application/json"},
            auth=(self.username, self.password),
            policy=RetryPolicy(tries=self.tries, backoff=self.backoff, timeout=self.timeout),
            sleep=self.sleep,
            transport=self.transport,
            what="collibra",
        )

    def payload(self, dataset: Any) -> dict[str, Any]:
        """What a push sends for one dataset (also a dead letter's body)."""
        from dataward.detect.api import masked_path

        return {"name": masked_path(dataset.path), "tagNames": collibra_tags(dataset)}

    def push(self, dataset: Any) -> Delivery:
        """Find or create the dataset's asset and set its tags; a failure after every try is
        dead-lettered (when :attr:`dead_letters` is set) and returned, never raised."""
        body = self.payload(dataset)
        delivery = self.post(body)
        if not delivery.ok and self.dead_letters is not None:
            self.dead_letters.record(self.kind, self.name, "dataset.classified", body, delivery)
        return delivery

    def post(self, payload: Mapping[str, Any]) -> Delivery:
        """Apply a :meth:`payload` (what a dead letter's replay calls)."""
        query = urlencode(
            {"name": payload["name"], "domainId": self.domain_id, "nameMatchMode": "EXACT"}
        )
        found = self._call("GET", f"/assets?{query}")
        if not found.ok:
            return found
        results = (found.body or {}).get("results", [])
        if results:
            asset_id = results[0]["id"]
        else:
            made = self._call(
                "POST",
                "/assets",
                {
                    "name": payload["name"],
                    "displayName": payload["name"].rsplit("/", 1)[-1],
                    "domainId": self.domain_id,
                    "typeId": self.type_id,
                },
            )
            if not made.ok:
                return made
            asset_id = made.body["id"]
        return self._call("PUT", f"/assets/{asset_id}/tags", {"tagNames": payload["tagNames"]})
