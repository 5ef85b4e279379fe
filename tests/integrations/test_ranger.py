"""Ranger data-masking policies: the fields and values of Ranger's public v2 policy JSON for a
Hive-style service (policyType 1, database/table/column resources, items evaluated in order,
Hive mask types), one per masked column, names only."""

from __future__ import annotations

import json

import pytest

from dataward.errors import ConfigError
from dataward.integrations.ranger import ranger_policies
from dataward.integrations.warehouse import ColumnTags

HIVE_MASK_TYPES = {
    "MASK",
    "MASK_SHOW_LAST_4",
    "MASK_SHOW_FIRST_4",
    "MASK_HASH",
    "MASK_NULL",
    "MASK_NONE",
    "MASK_DATE_SHOW_YEAR",
    "CUSTOM",
}
"""The data-mask types of Ranger's Hive service definition (ranger-servicedef-hive.json)."""

COLUMNS = [
    ColumnTags("ssn", "US_SSN", ("PII",), "string", "redact", "redact:US_SSN"),
    ColumnTags("card", "CREDIT_CARD", ("PCI",), "string", "last4", "mask:PCI"),
    ColumnTags("email", "EMAIL_ADDRESS", ("PII",), "string", None),
]


def test_one_masking_policy_per_masked_column() -> None:
    policies = ranger_policies(COLUMNS, service="hivedev", database="crm", table="people")
    assert [p["resources"]["column"]["values"] for p in policies] == [["ssn"], ["card"]]
    for policy in policies:
        assert policy["service"] == "hivedev" and policy["policyType"] == 1
        assert policy["resources"]["database"]["values"] == ["crm"]
        assert policy["resources"]["table"]["values"] == ["people"]
        unmask, masked = policy["dataMaskPolicyItems"]
        assert unmask["groups"] == ["dataward_unmask"]
        assert unmask["dataMaskInfo"] == {"dataMaskType": "MASK_NONE"}
        assert masked["groups"] == ["public"]
        assert masked["dataMaskInfo"]["dataMaskType"] in HIVE_MASK_TYPES
        assert masked["accesses"] == [{"type": "select", "isAllowed": True}]
        assert "dataward" in policy["policyLabels"]
    types = [p["dataMaskPolicyItems"][1]["dataMaskInfo"]["dataMaskType"] for p in policies]
    assert types == ["MASK_NULL", "MASK_SHOW_LAST_4"]
    assert policies[0]["description"] == "US_SSN: redact:US_SSN"
    json.dumps(policies)  # plain JSON, ready to POST


def test_a_policy_needs_its_resource() -> None:
    with pytest.raises(ConfigError, match="service, a database and a table"):
        ranger_policies(COLUMNS, service="hivedev", database="", table="people")
