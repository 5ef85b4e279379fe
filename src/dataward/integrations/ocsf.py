"""Scan findings as OCSF events, for DSPM and SIEM consoles (Varonis-style, AWS Security Lake).

The Open Cybersecurity Schema Framework's *Data Security Finding* class (``class_uid`` 2006,
category Findings) describes what data classification and DSPM tools find. Each scanned
dataset with sensitive columns becomes one such event:

- the base event's required attributes: ``activity_id`` (1, Create), ``category_uid`` (2),
  ``class_uid``, ``type_uid`` (``class_uid * 100 + activity_id``), ``severity_id``, ``time``
  (epoch milliseconds) and ``metadata`` (``product`` and the schema ``version``);
- ``finding_info`` (required ``uid``, with a ``title`` and the entity types as ``types``);
- ``data_security``: its classification ``category_id`` (Personal, Governmental, Financial,
  Security...), ``data_lifecycle_state_id`` 1 (at rest), ``detection_system_id`` 4 (Data
  Discovery & Classification) and the entity types found as ``detection_pattern``;
- ``file`` (name, path and ``type_id`` 1) for a file or object, masked as scans mask paths.

Severity follows the dataset's tags: secrets, PHI, PCI or high-confidence PII are High, other
PII Medium. Events hold names, counts and entity types only, never a value.
"""

from __future__ import annotations

import hashlib
import time
from typing import Any

__all__ = ["OCSF_VERSION", "data_security_finding"]

OCSF_VERSION = "1.8.0"
CLASS_UID = 2006
CATEGORY_UID = 2
SEVERITY = {"informational": 1, "low": 2, "medium": 3, "high": 4}
HIGH_TAGS = frozenset({"PII_HIGH", "PHI", "PCI", "SECRETS", "CREDENTIALS"})
CATEGORY_IDS = {
    "PCI": 3,
    "FINANCIAL": 3,
    "GOVERNMENT_ID": 2,
    "SECRETS": 6,
    "CREDENTIALS": 6,
}
"""A Dataward category → OCSF ``data_classification.category_id`` (1 Personal by default)."""


def _category_id(categories: set[str]) -> int:
    for name, uid in CATEGORY_IDS.items():
        if name in categories:
            return uid
    return 1


def data_security_finding(
    dataset: Any, *, product_version: str = "", now: float | None = None
) -> dict[str, Any] | None:
    """One OCSF Data Security Finding for a scanned dataset (a
    :class:`~dataward.classify.dataset.DatasetClassification`), or ``None`` when it holds
    nothing sensitive."""
    from dataward.detect.api import masked_path
    from dataward.protect.defaults import categories_of

    sensitive = [c for c in dataset.columns if c.entity is not None and c.sensitive]
    if not sensitive:
        return None
    tags = set(dataset.tag_names)
    entities = sorted({c.entity for c in sensitive})
    categories = {cat for e in entities for cat in categories_of(e)}
    severity = "high" if tags & HIGH_TAGS else "medium"
    confidence = max(c.confidence for c in sensitive)
    path = masked_path(dataset.path)
    uid = hashlib.sha256(f"dataward\0{path}\0{','.join(entities)}".encode()).hexdigest()[:32]
    name = path.rstrip("/").rsplit("/", 1)[-1]
    activity = 1
    return {
        "activity_id": activity,
        "activity_name": "Create",
        "category_uid": CATEGORY_UID,
        "category_name": "Findings",
        "class_uid": CLASS_UID,
        "class_name": "Data Security Finding",
        "type_uid": CLASS_UID * 100 + activity,
        "severity_id": SEVERITY[severity],
        "severity": severity.capitalize(),
        "time": int((now if now is not None else time.time()) * 1000),
        "is_alert": True,
        "confidence_id": 3 if confidence >= 0.8 else 2 if confidence >= 0.5 else 1,
        "confidence_score": round(confidence * 100),
        "metadata": {
            "version": OCSF_VERSION,
            "product": {"name": "Dataward", "vendor_name": "Dataward", "version": product_version},
        },
        "finding_info": {
            "uid": uid,
            "title": f"Sensitive data in {name}: {', '.join(entities)}",
            "types": entities,
            "desc": (
                f"{dataset.rows} rows; {len(sensitive)} sensitive column(s); "
                f"tags {', '.join(sorted(tags)) or 'none'}"
            ),
        },
        "data_security": {
            "category_id": _category_id(categories),
            "data_lifecycle_state_id": 1,
            "data_lifecycle_state": "Data at-Rest",
            "detection_system_id": 4,
            "detection_system": "Data Discovery & Classification",
            "detection_pattern": ",".join(entities),
        },
        "file": {"name": name, "path": path, "type_id": 1, "type": "Regular File"},
        "unmapped": {"columns": {c.name: c.entity for c in sensitive}, "tags": sorted(tags)},
    }
