"""Retention: ISO 8601 rules, holds by matter, inheritance along lineage, floors, plans with
evidence, apply on local and fsspec stores and the decision log, events and certificates."""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from dataward.lineage import Node, record_edge
from dataward.retention import (
    Artifact,
    RetentionError,
    apply,
    holds_on,
    parse_duration,
    place_hold,
    plan,
    release_hold,
    retention_for,
    rules_from,
)
from dataward.runtime import Runtime
from dataward.subjects import load_certificate, verify_certificate

OLD = datetime(2020, 1, 1, tzinfo=UTC)


def _aged(path: Path, when: datetime = OLD) -> Path:
    os.utime(path, (when.timestamp(), when.timestamp()))
    return path


@pytest.mark.parametrize(
    ("text", "start", "end"),
    [
        ("P2Y", "2024-02-29", "2026-02-28"),
        ("P1M", "2025-01-31", "2025-02-28"),
        ("P18M", "2025-01-15", "2026-07-15"),
        ("P1W", "2025-01-01", "2025-01-08"),
        ("P1Y2M3D", "2025-01-01", "2026-03-04"),
    ],
)
def test_durations(text: str, start: str, end: str) -> None:
    moment = datetime.fromisoformat(start).replace(tzinfo=UTC)
    assert parse_duration(text).add_to(moment).date().isoformat() == end


@pytest.mark.parametrize("bad", ["", "P", "2Y", "P1H", "PT", "P1.5Y", "P1D2Y", "PT1D", "P-1D"])
def test_bad_durations(bad: str) -> None:
    with pytest.raises(RetentionError, match="ISO 8601"):
        parse_duration(bad)


def test_longest_matching_rule_and_inheritance() -> None:
    rules = rules_from(
        {
            "rules": [
                {"name": "default", "keep": "P30D"},
                {"name": "phi", "keep": "P6Y", "categories": ["PHI"]},
                {"name": "eu-train", "keep": "P1Y", "uses": ["training"], "jurisdictions": ["EU"]},
                {"name": "logs", "keep": "P90D", "artifact_types": ["prompt_log"]},
            ]
        }
    )
    features = Artifact("features.x", "features", OLD, uses=("training",), jurisdictions=("EU",))
    got = retention_for(features, rules)
    assert got.rule == "eu-train"
    raw = Artifact("raw.csv", "dataset", OLD, categories=("PHI",))
    inherited = retention_for(features, rules, [raw])
    assert (inherited.rule, inherited.inherited_from) == ("phi", "raw.csv")
    assert inherited.keep_until == datetime(2026, 1, 1, tzinfo=UTC)
    log = Artifact("p.jsonl", "prompt_log", OLD)
    assert retention_for(log, rules).rule == "logs"
    with pytest.raises(RetentionError, match="artifact_types"):
        rules_from([{"keep": "P1D", "artifact_types": ["tapes"]}])
    with pytest.raises(RetentionError, match="unknown key"):
        rules_from([{"keep": "P1D", "categroies": ["PHI"]}])


def test_holds_by_matter(runtime: Runtime, tmp_path: Path) -> None:
    f = tmp_path / "a.csv"
    f.write_text("x\n1\n")
    assert place_hold("m1", str(f)) and place_hold("m2", str(f))
    assert not place_hold("m1", str(f))
    assert holds_on(str(f)) == ["m1", "m2"]
    assert release_hold("m1", str(f))
    assert holds_on(str(f)) == ["m2"]  # still held while any matter holds it
    assert release_hold("m2", str(f)) and holds_on(str(f)) == []


def test_plan_and_apply_local(runtime: Runtime, tmp_path: Path) -> None:
    logs = tmp_path / "logs"
    logs.mkdir()
    expired = logs / "old.jsonl"
    expired.write_text('{"prompt": "x"}\n')
    _aged(expired)
    fresh = logs / "new.jsonl"
    fresh.write_text('{"prompt": "y"}\n')
    held = logs / "held.jsonl"
    held.write_text('{"prompt": "z"}\n')
    _aged(held)
    feeding = logs / "feeds.jsonl"
    feeding.write_text('{"prompt": "w"}\n')
    _aged(feeding)
    place_hold("matter-9", str(held))
    record_edge(runtime, Node(str(feeding.resolve())), Node("reranker", "model", "1"))
    rules = rules_from([{"name": "prompts", "keep": "P90D", "artifact_types": ["prompt_log"]}])
    dry = plan(rules, [str(logs)], artifact_type="prompt_log")
    by = {Path(i.artifact).name: i for i in dry.items}
    assert by["old.jsonl"].action == "delete"
    assert by["new.jsonl"].action == "keep"
    assert by["held.jsonl"].action == "refused" and "matter-9" in by["held.jsonl"].reason
    assert by["feeds.jsonl"].action == "refused" and "reranker" in by["feeds.jsonl"].reason
    assert "model:reranker@1" in by["feeds.jsonl"].invalidates
    assert any("modified 2020-01-01" in e for e in by["old.jsonl"].evidence)
    assert expired.exists()  # a plan is a dry run
    result = apply(dry)
    assert result.ok
    assert not expired.exists() and fresh.exists() and held.exists() and feeding.exists()
    kinds = [
        (e.payload or {}).get("action") for e in runtime.audit_log.events() if e.kind == "retention"
    ]
    assert sorted(kinds) == ["delete", "refused", "refused"]
    (deleted,) = [a for a in result.applied if a.item.action == "delete"]
    assert deleted.certificate_sha256 is not None
    cert = load_certificate(deleted.certificate_sha256)
    assert cert.document["artifact_type"] == "prompt_log"
    assert verify_certificate(cert) == []
    forced = apply(
        plan(rules, [str(logs)], artifact_type="prompt_log", override=[str(feeding.resolve())])
    )
    assert forced.ok and not feeding.exists() and held.exists()


def test_never_shortened(runtime: Runtime, tmp_path: Path) -> None:
    f = tmp_path / "data.csv"
    f.write_text("a\n1\n")
    made = (datetime.now(UTC) - timedelta(days=400)).timestamp()
    os.utime(f, (datetime.now(UTC).timestamp(), made))  # read today, made 400 days ago
    long_rules = rules_from([{"name": "long", "keep": "P5Y"}])
    apply(plan(long_rules, [str(f)]))  # records the keep-until as the floor
    short = plan(rules_from([{"name": "short", "keep": "P30D"}]), [str(f)])
    (item,) = short.items
    assert item.action == "keep"
    assert any("never shortened" in e for e in item.evidence)
    assert apply(short).ok and f.exists()


def test_archive_advice_for_unread(runtime: Runtime, tmp_path: Path) -> None:
    f = tmp_path / "cold.parquet"
    f.write_bytes(b"PAR1")
    now = datetime.now(UTC)
    os.utime(f, ((now - timedelta(days=400)).timestamp(), (now - timedelta(days=1)).timestamp()))
    (item,) = plan(rules_from([{"keep": "P10Y"}]), [str(f)]).items
    assert item.action == "archive" and any("not read since" in e for e in item.evidence)


def test_fsspec_store(runtime: Runtime) -> None:
    fsspec = pytest.importorskip("fsspec", reason="fsspec (the cloud extra) is not installed")

    fs = fsspec.filesystem("memory")
    fs.pipe("/ret/a.csv", b"x\n1\n")
    try:
        rules = rules_from([{"keep": "PT0S"}])
        dry = plan(rules, ["memory://ret"], now=datetime.now(UTC) + timedelta(days=1))
        assert [i.action for i in dry.items] == ["delete"]
        assert apply(dry).ok
        assert not fs.exists("/ret/a.csv")
    finally:
        if fs.exists("/ret"):
            fs.rm("/ret", recursive=True)


def test_decision_log(runtime: Runtime) -> None:
    from dataward.policy import PolicyEngine
    from dataward.policy.api import decide
    from dataward.policy.records import logged_decisions

    engine = PolicyEngine.load(["baseline"])
    request = {
        "principal": {"type": "User", "id": "ann"},
        "action": "infer",
        "resource": {"type": "Model", "id": "m"},
        "context": {"purpose": "support"},
    }
    decide(request, engine=engine, store=runtime.store, log=True)
    assert len(list(logged_decisions(runtime.store))) == 1
    rules = rules_from([{"name": "decisions", "keep": "P1D", "artifact_types": ["decision_log"]}])
    now = datetime.now(UTC)
    assert plan(rules, decision_log=True, now=now).items[0].action == "keep"
    later = plan(rules, decision_log=True, now=now + timedelta(days=2))
    (item,) = later.items
    assert (item.action, item.rows) == ("delete", 1)
    place_hold("audit-2026", "decision_log")
    assert plan(rules, decision_log=True, now=now + timedelta(days=2)).items[0].action == "refused"
    release_hold("audit-2026", "decision_log")
    assert apply(later).ok
    assert list(logged_decisions(runtime.store)) == []


def test_cli(runtime: Runtime, tmp_path: Path, cli: Callable[..., Any]) -> None:
    f = tmp_path / "old.csv"
    f.write_text("a\n1\n")
    _aged(f)
    rules = tmp_path / "rules.yaml"
    rules.write_text("rules:\n  - name: short\n    keep: P30D\n")
    assert cli("retention", "hold", str(f), "--matter", "m-1").code == 0
    planned = cli("retention", "plan", str(f), "--rules", str(rules), "--format", "json")
    assert planned.code == 0, planned.err
    assert json.loads(planned.out)["items"][0]["action"] == "refused"
    assert cli("retention", "release", str(f), "--matter", "m-1").code == 0
    applied = cli("retention", "apply", str(f), "--rules", str(rules), "--format", "json")
    assert applied.code == 0, applied.err
    assert json.loads(applied.out)["applied"][0]["done"] is True
    assert not f.exists()
    bad = tmp_path / "bad.yaml"
    bad.write_text("rules:\n  - keep: two years\n")
    assert cli("retention", "plan", "--rules", str(bad)).code == 2
