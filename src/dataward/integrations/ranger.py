"""Apache Ranger (and Privacera, which runs it) data-masking policies from a scan and a decision.

Ranger's public REST API (``POST /service/public/v2/api/policy``) takes one JSON policy per
resource. A column a decision masks (see :func:`dataward.integrations.warehouse.column_tags`)
becomes a *data-masking* policy (``policyType`` 1) on ``database.table.column`` of a Hive-style
service, with two items evaluated in order: the unmask groups see the value (``MASK_NONE``),
everyone else in ``groups`` sees it masked. Ranger's Hive mask types stand for Dataward's
warehouse masks: ``redact`` → ``MASK_NULL`` (``MASK_HASH`` is an unkeyed hash, which a
nine-digit SSN does not survive), ``last4`` → ``MASK_SHOW_LAST_4``, ``null`` → ``MASK_NULL``.

Policies carry the ``dataward`` label and the obligation that asked for them; they hold names
only, never a value. Post them with Ranger's client or ``curl``; Dataward does not call Ranger.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from dataward.errors import ConfigError
from dataward.integrations.warehouse import ColumnTags

__all__ = ["RANGER_MASKS", "ranger_policies"]

RANGER_MASKS = {"redact": "MASK_NULL", "last4": "MASK_SHOW_LAST_4", "null": "MASK_NULL"}
"""Dataward's warehouse mask → Ranger's Hive data-mask type."""


def ranger_policies(
    columns: Iterable[ColumnTags],
    *,
    service: str,
    database: str,
    table: str,
    groups: Sequence[str] = ("public",),
    unmask_groups: Sequence[str] = ("dataward_unmask",),
) -> list[dict[str, Any]]:
    """One data-masking policy per masked column of ``database.table`` in the Ranger
    ``service`` (a Hive, Presto/Trino or Spark SQL service definition)."""
    if not service or not database or not table:
        raise ConfigError("a Ranger policy needs a service, a database and a table")
    out = []
    for col in columns:
        if col.mask is None:
            continue
        items = [
            {
                "accesses": [{"type": "select", "isAllowed": True}],
                "users": [],
                "groups": list(unmask_groups),
                "roles": [],
                "conditions": [],
                "delegateAdmin": False,
                "dataMaskInfo": {"dataMaskType": "MASK_NONE"},
            },
            {
                "accesses": [{"type": "select", "isAllowed": True}],
                "users": [],
                "groups": list(groups),
                "roles": [],
                "conditions": [],
                "delegateAdmin": False,
                "dataMaskInfo": {"dataMaskType": RANGER_MASKS[col.mask]},
            },
        ]
        out.append(
            {
                "service": service,
                "name": f"dataward-{database}-{table}-{col.column}",
                "policyType": 1,
                "description": f"{col.entity}: {col.obligation or 'masked by Dataward'}",
                "isEnabled": True,
                "isAuditEnabled": True,
                "resources": {
                    "database": {"values": [database], "isExcludes": False, "isRecursive": False},
                    "table": {"values": [table], "isExcludes": False, "isRecursive": False},
                    "column": {"values": [col.column], "isExcludes": False, "isRecursive": False},
                },
                "dataMaskPolicyItems": items,
                "policyLabels": ["dataward", col.entity],
            }
        )
    return out
