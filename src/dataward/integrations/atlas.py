"""Apache Atlas v2 (and Microsoft Purview, which speaks it): push a scan's tags, pull them back.

A scanned dataset becomes one Atlas entity (``fs_path`` for a local file, ``aws_s3_v2_object``
for ``s3://``, or the type you name) whose *classifications* are Dataward's findings: one
``Dataward_<ENTITY>`` per entity type found (with the columns that hold it and the confidence)
and one ``Dataward_<CATEGORY>`` per category (``PII``, ``PHI``, ``PCI``...). The REST calls are
the ones Atlas documents (``/api/atlas/v2``):

- ``GET /types/typedefs?type=classification`` then ``POST /types/typedefs`` for the
  classification types not defined yet;
- ``POST /entity/bulk?replaceClassifications=true``: create or update the entities with
  exactly these classifications (a rescan that no longer finds a type removes it);
- ``GET /entity/uniqueAttribute/type/{type}?attr:qualifiedName=...``: the classifications an
  entity carries now (:meth:`AtlasCatalog.pull`).

Authentication is HTTP Basic (Atlas) or a bearer token (Purview, Entra ID). Each call is retried
on 429, 5xx and connection errors with backoff; a push that fails every try is kept as a dead
letter (:mod:`dataward.integrations.deadletter`) and can be replayed. Nothing sent holds a raw
value: paths are masked as scans mask them, and classifications carry names and counts.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

import httpx

from dataward.integrations.deadletter import DeadLetters
from dataward.integrations.http import Delivery, RetryPolicy
from dataward.integrations.rest import call

log = logging.getLogger("dataward.integrations")

__all__ = ["AtlasCatalog", "classification_name", "entity_for"]

API = "/api/atlas/v2"
PREFIX = "Dataward_"


def classification_name(tag: str) -> str:
    """``Dataward_US_SSN``: Atlas type names are letters, digits and underscores."""
    return PREFIX + "".join(c if c.isalnum() else "_" for c in tag)


def entity_for(
    dataset: Any, *, type_name: str | None = None, cluster: str = "dataward"
) -> dict[str, Any]:
    """The Atlas entity of a :class:`~dataward.classify.dataset.DatasetClassification`, with its
    classifications."""
    from dataward.detect.api import masked_path

    path = masked_path(dataset.path)
    kind = type_name or ("aws_s3_v2_object" if path.startswith("s3://") else "fs_path")
    columns: dict[str, list[str]] = {}
    confidence: dict[str, float] = {}
    for col in dataset.columns:
        if col.entity is not None and col.sensitive:
            columns.setdefault(col.entity, []).append(col.name)
            confidence[col.entity] = max(confidence.get(col.entity, 0.0), col.confidence)
    classifications: list[dict[str, Any]] = [
        {
            "typeName": classification_name(entity),
            "attributes": {"columns": names, "confidence": round(confidence[entity], 4)},
            "propagate": False,
        }
        for entity, names in sorted(columns.items())
    ]
    classifications += [
        {"typeName": classification_name(tag), "attributes": {}, "propagate": False}
        for tag in sorted(set(dataset.tag_names))
    ]
    name = path.rstrip("/").rsplit("/", 1)[-1]
    return {
        "typeName": kind,
        "attributes": {
            "qualifiedName": f"{path}@{cluster}",
            "name": name,
            "path": path,
            "description": f"scanned by Dataward: {dataset.rows} rows",
        },
        "classifications": classifications,
    }


def _typedef(name: str) -> dict[str, Any]:
    attributes = [
        {"name": "columns", "typeName": "array<string>", "isOptional": True,
         "cardinality": "SINGLE", "isUnique": False, "isIndexable": False},
        {"name": "confidence", "typeName": "float", "isOptional": True,
         "cardinality": "SINGLE", "isUnique": False, "isIndexable": False},
    ]  # fmt: skip
    return {
        "category": "CLASSIFICATION",
        "name": name,
        "description": "Set by Dataward from a scan",
        "typeVersion": "1.0",
        "superTypes": [],
        "attributeDefs": attributes,
    }


@dataclass
class AtlasCatalog:
    """An Atlas (or Purview) catalog at ``base_url`` (``https://atlas:21000``, or a Purview
    account's ``https://NAME.purview.azure.com/catalog``)."""

    base_url: str
    name: str = "atlas"
    username: str = ""
    password: str = field(default="", repr=False)
    token: str = field(default="", repr=False)
    """A bearer token (Purview); used instead of ``username``/``password`` when set."""
    cluster: str = "dataward"
    """The ``@cluster`` suffix of qualified names."""
    type_name: str | None = None
    """The entity type of datasets (default: by path, see :func:`entity_for`)."""
    tries: int = 4
    backoff: float = 0.5
    timeout: float = 10.0
    sleep: Callable[[float], None] = field(default=time.sleep, repr=False)
    dead_letters: DeadLetters | None = field(default=None, repr=False)
    transport: httpx.BaseTransport | None = field(default=None, repr=False)
    kind = "atlas"

    def __post_init__(self) -> None:
        self.base_url = self.base_url.rstrip("/")

    # -- HTTP -------------------------------------------------------------------------------

    def _headers(self) -> dict[str, str]:
        out = {"Accept": "application/json", "Content-Type": "application/json"}
        if self.token:
            out["Authorization"] = f"Bearer {self.token}"
        return out

    def _call(self, method: str, path: str, body: Any = None) -> Delivery:
        """One request with retries (see :func:`~dataward.integrations.rest.call`)."""
        auth = (self.username, self.password) if self.username and not self.token else None
        return call(
            method,
            f"{self.base_url}{API}{path}",
            body,
            headers=self._headers(),
            auth=auth,
            policy=RetryPolicy(tries=self.tries, backoff=self.backoff, timeout=self.timeout),
            sleep=self.sleep,
            transport=self.transport,
            what="atlas",
        )

    # -- push and pull ----------------------------------------------------------------------

    def payload(self, datasets: Iterable[Any]) -> dict[str, Any]:
        """The ``/entity/bulk`` body for scanned datasets (a scan result's ``datasets``)."""
        return {
            "entities": [
                entity_for(d, type_name=self.type_name, cluster=self.cluster) for d in datasets
            ]
        }

    def push(self, datasets: Iterable[Any]) -> Delivery:
        """Define the classification types it lacks, then create or update one entity per
        dataset with exactly its classifications. A failure after every try is dead-lettered
        (when :attr:`dead_letters` is set) and returned, never raised."""
        body = self.payload(datasets)
        delivery = self.post(body)
        if not delivery.ok and self.dead_letters is not None:
            self.dead_letters.record(self.kind, self.name, "dataset.classified", body, delivery)
        return delivery

    def post(self, payload: Mapping[str, Any]) -> Delivery:
        """Send an ``/entity/bulk`` body (also what a dead letter's replay calls)."""
        wanted = sorted(
            {c["typeName"] for e in payload["entities"] for c in e.get("classifications", [])}
        )
        defined = self._call("GET", "/types/typedefs?type=classification")
        if not defined.ok:
            return defined
        known = {d.get("name") for d in (defined.body or {}).get("classificationDefs", [])}
        missing = [n for n in wanted if n not in known]
        if missing:
            made = self._call(
                "POST", "/types/typedefs", {"classificationDefs": [_typedef(n) for n in missing]}
            )
            if not made.ok:
                return made
        return self._call("POST", "/entity/bulk?replaceClassifications=true", dict(payload))

    def pull(self, qualified_name: str, type_name: str) -> list[str] | None:
        """The classification type names the entity carries now (``None``: no such entity
        or the catalog did not answer)."""
        path = (
            f"/entity/uniqueAttribute/type/{quote(type_name, safe='')}"
            f"?attr:qualifiedName={quote(qualified_name, safe='')}"
        )
        got = self._call("GET", path)
        if not got.ok or not isinstance(got.body, Mapping):
            return None
        entity = got.body.get("entity", {})
        return sorted(c["typeName"] for c in entity.get("classifications", []))
