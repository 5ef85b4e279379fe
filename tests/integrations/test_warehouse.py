"""Snowflake and Databricks tag and mask SQL from a scan and a decision, read back with sqlglot
in each dialect.

sqlglot (30.x) parses ``CREATE TAG`` (Snowflake), ``CREATE FUNCTION`` (Databricks) and the mask
expressions into full syntax trees; it keeps ``ALTER TABLE ... SET TAG(S)``, ``SET MASK``,
``SET MASKING POLICY`` and ``CREATE MASKING POLICY`` as commands, so those are checked as the
dialect's tokenizer reads them: every name one identifier token, every value one string token,
nothing after the statement."""

from __future__ import annotations

import json

import pyarrow as pa
import pytest

import dataward as dw
from dataward.errors import ConfigError
from dataward.integrations.warehouse import (
    ColumnTags,
    column_tags,
    databricks_sql,
    snowflake_sql,
)

sqlglot = pytest.importorskip("sqlglot")
from sqlglot import exp  # noqa: E402
from sqlglot.dialects.dialect import Dialect  # noqa: E402

EMAIL = "canary.7731@example.org"
SSN = "078-05-1120"
DECISION = {
    "decision_id": "dec-wh",
    "effect": "allow_with_obligations",
    "obligations": [{"transform": "redact:US_SSN"}, {"transform": "mask:PCI"}],
}


@pytest.fixture(scope="module")
def scanned() -> object:
    n = 12
    table = pa.table(
        {
            "email": [EMAIL if i == 0 else f"user{i}@example.com" for i in range(n)],
            "ssn": [SSN if i == 0 else f"219-09-{9000 + i}" for i in range(n)],
            "card": ["4111 1111 1111 1111", "5500 0000 0000 0004", "3400 0000 0000 009"] * 4,
            "city_count": list(range(n)),
        }
    )
    return dw.scan(table)


def tokens(sql: str, dialect: str) -> list[tuple[str, str]]:
    return [(t.token_type.name, t.text) for t in Dialect.get_or_raise(dialect).tokenize(sql)]


def test_column_tags_follow_the_scan_and_the_obligations(scanned: object) -> None:
    got = {c.column: c for c in column_tags(scanned, DECISION)}
    assert set(got) == {"email", "ssn", "card"}
    assert (got["ssn"].entity, got["ssn"].mask, got["ssn"].obligation) == (
        "US_SSN",
        "redact",
        "redact:US_SSN",
    )
    assert got["card"].mask == "last4"  # mask:PCI names a category
    assert got["email"].mask is None and "PII" in got["email"].categories
    assert all(c.mask is None for c in column_tags(scanned))  # no decision: tags only


def test_snowflake_statements_read_back_in_the_snowflake_dialect(scanned: object) -> None:
    sql = snowflake_sql(
        "ANALYTICS.PUBLIC.PEOPLE", column_tags(scanned, DECISION), tag_schema="GOV.TAGS"
    )
    create = sqlglot.parse_one(sql[0], read="snowflake")
    assert isinstance(create, exp.Create) and create.args["kind"] == "TAG"
    alters = [s for s in sql if s.startswith("ALTER TABLE")]
    assert len(alters) == 3 + 2  # a tag per sensitive column, a policy on the two masked
    ssn_tag = next(s for s in alters if '"ssn" SET TAG' in s)
    assert tokens(ssn_tag, "snowflake") == [
        ("ALTER", "ALTER"), ("TABLE", "TABLE"),
        ("IDENTIFIER", "ANALYTICS"), ("DOT", "."), ("IDENTIFIER", "PUBLIC"), ("DOT", "."),
        ("IDENTIFIER", "PEOPLE"), ("VAR", "MODIFY"), ("COLUMN", "COLUMN"), ("IDENTIFIER", "ssn"),
        ("SET", "SET"), ("TAG", "TAG"),
        ("IDENTIFIER", "GOV"), ("DOT", "."), ("IDENTIFIER", "TAGS"), ("DOT", "."),
        ("IDENTIFIER", "DATAWARD_ENTITY"), ("EQ", "="), ("STRING", "US_SSN"), ("COMMA", ","),
        ("IDENTIFIER", "GOV"), ("DOT", "."), ("IDENTIFIER", "TAGS"), ("DOT", "."),
        ("IDENTIFIER", "DATAWARD_CATEGORY"), ("EQ", "="), ("STRING", "GOVERNMENT_ID,IDENTIFIER,PII"),
    ]  # fmt: skip
    policies = [s for s in sql if s.startswith("CREATE MASKING POLICY")]
    assert len(policies) == 2
    for policy in policies:
        body = policy.split("->", 1)[1]
        case = sqlglot.parse_one(body, read="snowflake")
        assert isinstance(case, exp.Case)
        assert case.find(exp.Anonymous).name.upper() == "IS_ROLE_IN_SESSION"
    assert "'[REDACTED:US_SSN]'" in " ".join(policies)
    assert any("SET MASKING POLICY" in s and '"ssn"' in s for s in sql)
    text = json.dumps(sql)
    assert EMAIL not in text and SSN not in text


def test_databricks_statements_read_back_in_the_databricks_dialect(scanned: object) -> None:
    sql = databricks_sql(
        "main.crm.people", column_tags(scanned, DECISION), function_schema="main.gov"
    )
    functions = [s for s in sql if s.startswith("CREATE OR REPLACE FUNCTION")]
    assert len(functions) == 2
    for statement in functions:
        tree = sqlglot.parse_one(statement, read="databricks")
        assert isinstance(tree, exp.Create) and tree.args["kind"] == "FUNCTION"
        assert tree.find(exp.Case) is not None
    tags = next(s for s in sql if "`ssn` SET TAGS" in s)
    assert tokens(tags, "databricks") == [
        ("ALTER", "ALTER"), ("TABLE", "TABLE"),
        ("IDENTIFIER", "main"), ("DOT", "."), ("IDENTIFIER", "crm"), ("DOT", "."),
        ("IDENTIFIER", "people"), ("ALTER", "ALTER"), ("COLUMN", "COLUMN"),
        ("IDENTIFIER", "ssn"), ("SET", "SET"), ("VAR", "TAGS"), ("L_PAREN", "("),
        ("STRING", "dataward_entity"), ("EQ", "="), ("STRING", "US_SSN"), ("COMMA", ","),
        ("STRING", "dataward_category"), ("EQ", "="), ("STRING", "GOVERNMENT_ID,IDENTIFIER,PII"), ("R_PAREN", ")"),
    ]  # fmt: skip
    mask = next(s for s in sql if "SET MASK" in s and "`ssn`" in s)
    assert [t for _k, t in tokens(mask, "databricks")][-5:] == [
        "main",
        ".",
        "gov",
        ".",
        "dataward_redact_string_us_ssn",
    ]


@pytest.mark.parametrize("dialect", ["snowflake", "databricks"])
def test_a_hostile_column_name_stays_one_identifier(dialect: str) -> None:
    name = "a\"b`c'; DROP TABLE x; --"
    col = ColumnTags(name, "US_SSN", ("PII",), "string", "redact", "redact:US_SSN")
    sql = (
        snowflake_sql("t", [col], tag_schema="g")
        if dialect == "snowflake"
        else databricks_sql("t", [col], function_schema="g")
    )
    for statement in sql:
        found = tokens(statement, dialect)
        assert "SEMICOLON" not in {k for k, _t in found}
        if "ALTER TABLE" in statement:
            assert ("IDENTIFIER", name) in found


def test_a_mask_for_a_type_without_one_fails_closed() -> None:
    col = ColumnTags("tags", "US_SSN", ("PII",), "list<item: string>", "redact")
    with pytest.raises(ConfigError, match="no snowflake mask is generated"):
        snowflake_sql("t", [col], tag_schema="g")
    with pytest.raises(ConfigError, match="not a"):
        databricks_sql("a.b.c.d", [col], function_schema="g")
    numbers = ColumnTags("n", "US_SSN", ("PII",), "int64", "redact")
    policy = next(s for s in snowflake_sql("t", [numbers], tag_schema="g") if "POLICY" in s)
    assert "(val NUMBER) RETURNS NUMBER" in policy and "ELSE NULL END" in policy
