"""``dataward subject`` and ``dataward scan --subjects`` through the real entry point: the
JSON shapes other tools rely on, and exit codes."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from dataward.runtime import Runtime

from .conftest import CANARY_EMAIL, OTHER_EMAIL


def test_scan_subjects_find_plan_execute(
    landing: Path, runtime: Runtime, cli: Callable[..., Any]
) -> None:
    scanned = cli("scan", str(landing), "--subjects", "--format", "json")
    assert scanned.code == 0, scanned.err
    found = cli("subject", "find", CANARY_EMAIL, "--format", "json")
    assert found.code == 0, found.err
    locations = json.loads(found.out)["locations"]
    assert {Path(x["dataset"]).name: (x["rows"], x["kind"]) for x in locations} == {
        "people.csv": (2, "dataset"),
        "events.jsonl": (1, "dataset"),
    }
    assert all(set(x) == {"dataset", "version", "rows", "kind"} for x in locations)
    forced = cli(
        "subject",
        "find",
        "-",
        "--type",
        "EMAIL_ADDRESS",
        "--format",
        "json",
        stdin=f"{CANARY_EMAIL}\n".encode(),
    )
    assert json.loads(forced.out) == json.loads(found.out)

    planned = cli("subject", "erase", CANARY_EMAIL, "--plan", "--format", "json")
    assert planned.code == 0, planned.err
    doc = json.loads(planned.out)
    assert sorted((Path(s["dataset"]).name, s["action"], s["rows"]) for s in doc["steps"]) == [
        ("events.jsonl", "delete_rows", 1),
        ("people.csv", "delete_rows", 2),
    ]
    assert doc["blocked"] == []
    assert all(set(s) == {"dataset", "kind", "action", "rows"} for s in doc["steps"])

    cert_path = landing.parent / "certificate.json"
    done = cli("subject", "erase", CANARY_EMAIL, "--execute", "--certificate", str(cert_path))
    assert done.code == 0, done.err
    cert = json.loads(cert_path.read_text())
    checked = cli("subject", "certificate", cert["sha256"], "--format", "json")
    assert checked.code == 0, checked.out
    assert json.loads(checked.out)["problems"] == []

    again = cli("subject", "find", CANARY_EMAIL, "--format", "json")
    assert json.loads(again.out) == {"locations": []}
    assert OTHER_EMAIL in (landing / "people.csv").read_text()


def test_usage_errors(runtime: Runtime, cli: Callable[..., Any]) -> None:
    both = cli("subject", "erase", CANARY_EMAIL, "--plan", "--execute")
    assert both.code == 2
    untyped = cli("subject", "find", "plain words")
    assert untyped.code == 1 and "--type" in untyped.err
    assert "plain words" not in untyped.err
    bad = cli("subject", "erase", CANARY_EMAIL, "--exempt", "nobasis")
    assert bad.code == 2


def test_a_step_that_does_not_verify_exits_1(
    landing: Path, runtime: Runtime, cli: Callable[..., Any], monkeypatch: Any
) -> None:
    assert cli("subject", "index", str(landing)).code == 0
    from dataward.subjects import erase

    monkeypatch.setattr(erase, "rewrite_without", lambda source, rows: 0)  # deletes nothing
    done = cli("subject", "erase", CANARY_EMAIL, "--execute", "--format", "json")
    assert done.code == 1
    assert json.loads(done.out)["verified"] is False
    assert "still hold the subject" in done.err
    assert CANARY_EMAIL not in done.out + done.err
