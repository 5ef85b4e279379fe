"""Protect in two steps: the plan (what each column and text field gets, and why), then apply."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.csv as pacsv
import pytest

import dataward as dw
from dataward.detect.model import Finding
from dataward.protect import KeyRing, ProtectPlan, apply, get_operator, plan
from dataward.protect.defaults import default_spec

RING = KeyRing.from_secret(b"plan tests: a key of 32 bytes.!!")
SSN = "523-71-6604"
EMAIL = "zq7x41.canary@probemail-dw.net"
DIAGNOSES = ["Type 2 diabetes mellitus", "Essential hypertension", "Asthma", "Migraine"]


def patients(n: int = 24) -> pa.Table:
    ssns = [SSN, "536-22-8174", "212-45-6789", "401-22-1234"]
    emails = [EMAIL, "bo@example.org", "cy@example.com", "di@example.net"]
    return pa.table(
        {
            "patient_id": [f"P{i % 4:03d}" for i in range(n)],
            "ssn": [ssns[i % 4] for i in range(n)],
            "email": [emails[i % 4] for i in range(n)],
            "diagnosis": [DIAGNOSES[i % 4] for i in range(n)],
            "score": [float(i) for i in range(n)],
        }
    )


def test_plan_says_what_each_column_gets_and_why() -> None:
    p = plan(patients(), rules=[], keyring=RING)
    assert isinstance(p, ProtectPlan)
    cols = p.columns
    assert (cols["ssn"].mode, cols["ssn"].operator, cols["ssn"].basis) == (
        "value",
        "token",
        "default",
    )
    assert cols["email"].entity == "EMAIL_ADDRESS" and cols["email"].mode == "value"
    assert cols["score"].mode == "keep"  # floats hold no text
    shown = str(p)
    assert shown.splitlines()[0].split() == ["column", "mode", "entity", "operator", "why"]
    assert "ssn" in shown and "token" in shown and "default for US_SSN" in shown
    doc = json.loads(p.to_json())
    assert [c["column"] for c in doc["columns"]] == list(patients().column_names)
    # a plan holds no value
    assert SSN not in shown + p.to_json() and EMAIL not in shown + p.to_json()


def test_apply_does_what_the_plan_says() -> None:
    table = patients()
    p = plan(table, rules=[], keyring=RING)
    out = apply(p, table, keyring=RING)
    assert out.equals(dw.protect(table, rules=[], keyring=RING))  # protect = apply(plan(x), x)
    text = json.dumps(out.to_pydict())
    assert SSN not in text and EMAIL not in text
    assert p.columns["ssn"].changed == table.num_rows  # apply counts on the plan's columns


def test_a_rule_or_an_obligation_is_named_as_the_reason() -> None:
    rules = [{"column": "ssn", "operator": "hash"}, {"column": "patient_id", "operator": "keep"}]
    p = plan(patients(), rules=rules, keyring=RING)
    assert (p.columns["ssn"].operator, p.columns["ssn"].basis) == ("hash", "rule")
    assert p.columns["ssn"].reason == "rule 1"
    assert p.columns["patient_id"].mode == "keep"  # only a rule keeps a text column unread

    decision = {
        "decision_id": "dec-1",
        "effect": "allow_with_obligations",
        "obligations": [{"transform": "tokenize:US_SSN"}],
    }
    with_decision = plan(patients(), rules=[], decision=decision, keyring=RING)
    ssn = with_decision.columns["ssn"]
    assert (ssn.basis, ssn.obligation, ssn.operator) == ("obligation", "tokenize:US_SSN", "token")
    assert "obligation tokenize:US_SSN" in str(with_decision)


def test_a_plan_from_a_schema_uses_names_and_types() -> None:
    schema = pa.schema([("ssn", pa.string()), ("comment", pa.string()), ("n", pa.float64())])
    p = plan(schema, rules=[])
    assert [(c.name, c.mode) for c in p.columns.values()] == [
        ("ssn", "value"),
        ("comment", "scan"),
        ("n", "keep"),
    ]


def test_no_default_plan_leaves_a_text_column_unscanned() -> None:
    """Value-level first: whatever the classification, a string column the plan does not
    protect whole is scanned cell by cell (only a rule's keep skips it)."""
    table = pa.table(
        {
            "code": ["A1", "B2", "C3", "D4"] * 6,
            "diagnosis": DIAGNOSES * 6,
            "comment": ["ok", "fine", "good", "seen"] * 6,
        }
    )
    p = plan(table, rules=[], keyring=RING)
    assert {c.mode for c in p.columns.values()} <= {"scan", "value", "text"}


def test_diagnosis_column_keeps_its_categories_by_default() -> None:
    """Training utility: a diagnosis column is not one constant unless a rule says so; its cells
    are still scanned (the SSN in one of them is protected)."""
    table = patients()
    cells = table.column("diagnosis").to_pylist()
    cells[5] = f"Asthma; SSN {SSN}"
    table = table.set_column(3, "diagnosis", pa.array(cells))
    p = plan(table, rules=[], keyring=RING)
    diagnosis = p.columns["diagnosis"]
    assert diagnosis.entity == "MEDICAL_CONDITION"
    assert (diagnosis.mode, diagnosis.basis) == ("scan", "utility")
    out = apply(p, table, keyring=RING).column("diagnosis").to_pylist()
    assert len(set(out)) > 1 and "Essential hypertension" in out
    assert SSN not in json.dumps(out)

    ruled = dw.protect(table, rules=[{"entity": "MEDICAL_CONDITION", "operator": "replace"}])
    assert set(ruled.column("diagnosis").to_pylist()) == {"<MEDICAL_CONDITION>"}


def test_special_category_and_identifier_defaults_keep_joins() -> None:
    assert default_spec("ETHNICITY", scope="column").operator == "hash"  # distinct, not one
    assert default_spec("ETHNICITY").operator == "replace"  # a finding in text
    a = dw.protect(pa.table({"ssn": [SSN, "536-22-8174"]}), rules=[], keyring=RING)
    b = dw.protect(pa.table({"ssn": ["536-22-8174", SSN]}), rules=[], keyring=RING)
    assert a.column("ssn").to_pylist() == b.column("ssn").to_pylist()[::-1]  # joins survive


def test_one_overlap_resolver_protects_the_rest_of_a_losing_span() -> None:
    """Protect resolves overlapping findings with the engine's resolver: the part of a losing
    finding that no winner covers is still protected (the old protect-only resolver dropped it
    and let the rest of the SSN through)."""
    from dataward.detect import overlaps
    from dataward.protect import base

    text = f"call 415-555-0100 or {SSN}"
    phone = Finding("PHONE_NUMBER", 5, 17, 0.9, "phone")
    ssn = Finding("US_SSN", 10, len(text), 0.5, "ssn")  # overlaps the phone's end
    out = get_operator("replace").apply_text(text, [phone, ssn])
    assert out is not None and SSN not in out and "<US_SSN>" in out
    assert getattr(base, "resolve_overlaps", overlaps.resolve) is overlaps.resolve


def test_cli_plan_prints_and_writes_nothing(
    cli: Callable[..., Any], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from dataward.cli import protect as protect_cli
    from dataward.cli.main import app

    names = {c.name or (c.callback.__name__ if c.callback else "") for c in app.registered_commands}
    if "protect" not in names and "protect_command" not in names:
        protect_cli.register(app)
    src, out = tmp_path / "in.csv", tmp_path / "out.csv"
    pacsv.write_csv(patients(), src)
    result = cli("protect", str(src), str(out), "--plan")
    assert result.code == 0, result.err
    assert "ssn" in result.out and "token" in result.out and "diagnosis" in result.out
    assert not out.exists()
    result = cli("protect", str(src), str(out), "--plan", "--format", "json")
    assert result.code == 0, result.err
    doc = json.loads(result.out)
    assert {c["column"]: c["mode"] for c in doc["columns"]}["ssn"] == "value"
    assert SSN not in result.out + result.err and EMAIL not in result.out + result.err
    assert not out.exists()


def test_a_text_file_is_planned_finding_by_finding(tmp_path: Path) -> None:
    src = tmp_path / "notes.txt"
    src.write_text(f"Mail {EMAIL} today\nSSN {SSN}\n")
    p = plan(src, rules=[], keyring=RING)
    assert p.columns == {}  # lines are text: no column is protected whole
    assert str(p).startswith("no columns") and SSN not in str(p) + p.to_json()


def test_cli_plan_of_a_folder_plans_each_file(cli: Callable[..., Any], tmp_path: Path) -> None:
    from dataward.cli import protect as protect_cli
    from dataward.cli.main import app

    names = {c.name or (c.callback.__name__ if c.callback else "") for c in app.registered_commands}
    if "protect" not in names and "protect_command" not in names:
        protect_cli.register(app)
    folder = tmp_path / "in"
    folder.mkdir()
    pacsv.write_csv(patients(), folder / "a.csv")
    (folder / "b.txt").write_text(f"SSN {SSN}\n")
    result = cli("protect", str(folder), str(tmp_path / "out"), "--plan", "--format", "json")
    assert result.code == 0, result.err
    files = {Path(f["path"]).name: f for f in json.loads(result.out)["files"]}
    assert set(files) == {"a.csv", "b.txt"} and files["b.txt"]["columns"] == []
    assert SSN not in result.out and not (tmp_path / "out").exists()
