"""Typed audit events: one vocabulary, one typed event per kind, round trips, old kind names,
one ``current_actor``, and no raw value in what the emitters record."""

from __future__ import annotations

import ast
import json
from pathlib import Path
from typing import Any

import pytest

from dataward.audit import AuditEvent, AuditLog, acting, open_audit_log, record
from dataward.audit.actors import current_actor
from dataward.audit.canonical import canonical
from dataward.audit.events import (
    EVENT_TYPES,
    LEGACY_KINDS,
    AccessEvent,
    AlertEvent,
    ApprovalEvent,
    ConsentEvent,
    DecisionEvent,
    ErasureEvent,
    Event,
    EventKind,
    GatewayEvent,
    KeyringRetireEvent,
    LineageEvent,
    PolicyChangeEvent,
    ProtectEvent,
    RetentionEvent,
    RetrievalEvent,
    RevealEvent,
    ScanEvent,
    SubjectErasureEvent,
    canonical_kind,
    envelope,
    parse,
)
from dataward.errors import AuditError

SRC = Path(__file__).resolve().parents[2] / "src" / "dataward"
SSN = "523-71-6604"
EMAIL = "zq7x41.canary@probemail-dw.net"

SAMPLES: dict[str, Event] = {
    e.kind: e
    for e in (
        ScanEvent(
            scan_id=7,
            datasets=[{"path": "/data/a.csv", "rows": 30, "tags": ["PII"]}],
            changes={"new": 1},
            removed=0,
            errors=0,
        ),
        ProtectEvent(
            input="a.csv",
            output="b.csv",
            rows_in=30,
            rows_out=30,
            columns={"ssn": "token", "notes": None},
            findings={"EMAIL_ADDRESS": 3},
            verify="full",
            verified_rows=30,
            decision_id="d-1",
            obligations=[{"transform": "tokenize:PII", "columns": {"ssn": 30}}],
            input_sha256="a" * 64,
            output_sha256="b" * 64,
        ),
        RevealEvent(operator="token", mode="file", values=2, hashes=["h1"], columns=["ssn"]),
        DecisionEvent(
            decision_id="d-1",
            path="dataward/training",
            input={"action": "train"},
            result={"effect": "deny"},
            bundles={"dataward": {"revision": "r1"}},
            labels={"mode": "enforce", "point": "training"},
            timestamp="2026-01-02T03:04:05Z",
            principal="svc:trainer",
        ),
        ApprovalEvent(
            id="a-1",
            approver="dpo",
            granted_by="svc:steward",
            scope={"action": "train"},
            note="",
            created_at="2026-01-02T03:04:05Z",
            expires_at=None,
            revoked_at=None,
        ),
        PolicyChangeEvent(revision="r1", sources=["pack:baseline"]),
        AccessEvent(what="audit log", decrypted=True, start=4, count=2),
        ErasureEvent(subject_ref="ab" * 16, events=3),
        RetentionEvent(
            artifact="s3://lake/raw/2019",
            artifact_type="dataset",
            action="refused",
            reason="legal hold",
            holds=["matter-12"],
        ),
        KeyringRetireEvent(fingerprint="kr-1", locations=2),
        LineageEvent(
            run_id="run-1",
            job="features.daily",
            event_type="COMPLETE",
            inputs=["raw.patients"],
            outputs=["features.patients"],
            masked_columns=["ssn"],
        ),
        SubjectErasureEvent(
            subject_hash="c" * 64,
            steps=3,
            rows=4,
            verified=True,
            blocked=[{"dataset": "raw.patients", "reason": "legal hold"}],
        ),
        ConsentEvent(action="withdrawn", purpose="marketing", invalidated_tokens=2),
        AlertEvent(
            alert_id="al-1",
            action="raised",
            severity="high",
            score=0.93,
            alert_kind="new_sensitive_columns",
            accessor="GRACE_KIM",
            event_ids=["01b2"],
            objects=["DB.S.PATIENTS"],
            columns=["SSN"],
        ),
        RetrievalEvent(
            query_sha256="d" * 64,
            store="lancedb",
            chunk_ids=["c1", "c2"],
            decision="allow",
            purpose="support",
            refused=1,
            redacted=1,
        ),
        GatewayEvent(
            stage="prompt",
            conversation="conv-1",
            sha256="e" * 64,
            action="pseudonymize",
            findings={"EMAIL_ADDRESS": 1},
            model="gpt-x",
            retention="P30D",
        ),
    )
}


def test_every_kind_has_one_typed_event_and_a_sample() -> None:
    assert set(EVENT_TYPES) == {k.value for k in EventKind} == set(SAMPLES)
    assert all(cls.kind == kind for kind, cls in EVENT_TYPES.items())


@pytest.mark.parametrize("kind", sorted(SAMPLES))
def test_every_kind_round_trips_through_its_canonical_payload(kind: str) -> None:
    event = SAMPLES[kind]
    payload = event.payload()
    assert parse(kind, payload) == event
    assert parse(kind, json.loads(canonical(payload))) == event  # the bytes the log holds
    assert envelope(event, actor="svc:job").payload == payload


def test_every_kind_round_trips_through_the_log(log: AuditLog) -> None:
    log.append_many(envelope(e, actor="svc:job") for e in SAMPLES.values())
    read = [e.event() for e in log.events()]
    assert read == list(SAMPLES.values())
    assert log.verify().events == len(SAMPLES)


@pytest.mark.parametrize("kind", sorted(SAMPLES))
def test_an_unknown_field_is_refused(kind: str) -> None:
    payload = {**SAMPLES[kind].payload(), "colour": "red"}
    with pytest.raises(AuditError, match=f"{kind} event: unknown field 'colour'"):
        parse(kind, payload)


def test_a_refused_field_never_echoes_a_value() -> None:
    payload = {**SAMPLES["scan"].payload(), SSN: 1}
    with pytest.raises(AuditError) as info:
        parse("scan", payload)
    assert SSN not in str(info.value)
    with pytest.raises(AuditError, match="missing field 'errors'"):
        parse("scan", {k: v for k, v in SAMPLES["scan"].payload().items() if k != "errors"})
    with pytest.raises(AuditError, match="field 'scan_id' must be int") as info:
        ScanEvent(scan_id=SSN, datasets=[], changes={}, removed=0, errors=0)  # type: ignore[arg-type]
    assert SSN not in str(info.value)
    with pytest.raises(AuditError, match="field 'mode' must be"):
        RevealEvent(operator="token", mode="all", values=1, hashes=[])  # type: ignore[arg-type]
    with pytest.raises(AuditError, match="no typed event for kind"):
        parse("cheese", {})


# --- one vocabulary --------------------------------------------------------------------------

_EMITTERS = {"AuditEvent", "record", "emit", "envelope", "record_event"}


def _kind_literals(path: Path) -> list[str]:
    """``file:line`` of each string literal used as an event kind in ``path``."""
    vocabulary = {k.value for k in EventKind} | set(LEGACY_KINDS)
    found = []
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        literal: ast.AST | None = None
        if isinstance(node, ast.Constant) and node.value in LEGACY_KINDS:
            literal = node  # an old kind name spelt anywhere
        elif isinstance(node, ast.Call):
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", None)
            if name in _EMITTERS:
                args = [*node.args[:1], *(k.value for k in node.keywords if k.arg == "kind")]
                literal = next(
                    (a for a in args if isinstance(a, ast.Constant) and isinstance(a.value, str)),
                    None,
                )
        elif isinstance(node, ast.Dict):
            for key, value in zip(node.keys, node.values, strict=True):
                if (
                    isinstance(key, ast.Constant)
                    and key.value == "kind"
                    and isinstance(value, ast.Constant)
                    and value.value in vocabulary
                ):
                    literal = value
        if literal is not None:
            found.append(f"{path.relative_to(SRC.parent)}:{getattr(literal, 'lineno', '?')}")
    return found


def test_event_kinds_are_spelt_only_in_the_vocabulary() -> None:
    offenders = [
        where
        for path in sorted(SRC.rglob("*.py"))
        if path != SRC / "audit" / "events.py"
        for where in _kind_literals(path)
    ]
    assert offenders == [], f"use a typed event of dataward.audit.events instead: {offenders}"


def test_the_vocabulary_check_catches_a_spelt_kind(tmp_path: Path) -> None:
    (tmp_path / "emitter.py").write_text(
        'record("scan", "svc:x", {})\nAuditEvent(kind="decision", actor="a")\n'
        'x = {"kind": "protect"}\ny = "policy.decision"\nz = {"kind": "local"}\n'
    )
    global SRC
    saved, SRC = SRC, tmp_path / "src"
    try:
        assert len(_kind_literals(tmp_path / "emitter.py")) == 4
    finally:
        SRC = saved


# --- old kind names --------------------------------------------------------------------------


def _decision_payload() -> dict[str, Any]:
    return SAMPLES["decision"].payload()


def test_old_policy_kind_names_still_read_and_verify(
    store_url: str, monkeypatch: pytest.MonkeyPatch, cli: Any
) -> None:
    monkeypatch.setenv("DATAWARD_DATABASE_URL", store_url)
    log = open_audit_log()  # the home's key, which the CLI loads too
    try:
        # what earlier versions wrote: the policy's own spellings of the kinds
        old = log.append_many(
            [
                AuditEvent("policy.revision", "dataward", {"revision": "r0", "sources": ["a"]}),
                AuditEvent("policy.decision", "svc:trainer", _decision_payload()),
                AuditEvent("keyring.retire", "dataward", {"fingerprint": "kr", "locations": 1}),
            ]
        )
        log.append(envelope(SAMPLES["decision"], actor="svc:trainer"))
        assert log.verify().events == 4
        read = list(log.events())
    finally:
        log.store.close()
    assert [e.leaf_hash for e in read[:3]] == [r.leaf_hash for r in old]  # bytes untouched
    assert [e.kind for e in read] == ["policy_change", "decision", "keyring_retire", "decision"]
    assert [e.stored_kind for e in read] == [
        "policy.revision",
        "policy.decision",
        "keyring.retire",
        None,
    ]
    assert read[1].event() == read[3].event() == SAMPLES["decision"]
    assert read[1].to_dict()["stored_kind"] == "policy.decision"
    assert canonical_kind("policy.approval") == "approval"

    # `dataward audit log --kind` selects old and new spellings alike
    for asked in ("decision", "policy.decision"):
        shown = cli("audit", "log", "--kind", asked)
        assert shown.code == 0, shown.err
        assert [json.loads(x)["index"] for x in shown.out.splitlines()] == [1, 3]
    first = cli("audit", "log", "--kind", "decision", "--start", "0", "--limit", "1")
    assert [json.loads(x)["index"] for x in first.out.splitlines()] == [1]
    assert cli("audit", "verify").code == 0


# --- one current_actor -----------------------------------------------------------------------


def test_current_actor_is_the_caller_then_the_variable_then_the_login(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import getpass

    monkeypatch.delenv("DATAWARD_ACTOR", raising=False)
    assert current_actor() == f"user:{getpass.getuser()}"
    monkeypatch.setenv("DATAWARD_ACTOR", "svc:nightly-scan")
    assert current_actor() == "svc:nightly-scan"
    with acting("apikey:3f9a1c2b7d4e"):
        assert current_actor() == "apikey:3f9a1c2b7d4e"
        # an actor an emitter names itself is whom the caller acted for
        filed = envelope(SAMPLES["decision"], actor="User::ann")
        assert (filed.actor, filed.payload["principal"]) == ("apikey:3f9a1c2b7d4e", "User::ann")
        assert envelope(SAMPLES["scan"]).actor == "apikey:3f9a1c2b7d4e"
    assert envelope(SAMPLES["scan"]).actor == "svc:nightly-scan"


def test_emitters_file_events_under_current_actor(
    monkeypatch: pytest.MonkeyPatch, store_url: str
) -> None:
    from dataward.protect.apply import protect_text
    from dataward.protect.revealing import reveal_value

    monkeypatch.setenv("DATAWARD_DATABASE_URL", store_url)
    monkeypatch.setenv("DATAWARD_ACTOR", "svc:support-desk")
    rules = {"rules": [{"entity": "EMAIL_ADDRESS", "operator": "token"}]}
    token = (protect_text(f"mail {EMAIL}", rules) or "").split()[-1]
    revealed = reveal_value(token)
    assert revealed == EMAIL
    with acting("apikey:0badc0ffee00"):
        record(AccessEvent(what="patients"))
    log = open_audit_log()
    try:
        events = list(log.events())
    finally:
        log.store.close()
    assert [(e.kind, e.actor) for e in events] == [
        ("reveal", "svc:support-desk"),
        ("access", "apikey:0badc0ffee00"),
    ]
    assert isinstance(events[0].event(), RevealEvent)
    assert EMAIL not in json.dumps([e.to_dict() for e in events])


# --- no raw value ----------------------------------------------------------------------------


def test_a_scan_with_findings_records_a_typed_event_without_values(
    monkeypatch: pytest.MonkeyPatch, store_url: str, tmp_path: Path
) -> None:
    from dataward.classify.scan import scan

    monkeypatch.setenv("DATAWARD_DATABASE_URL", store_url)
    data = tmp_path / "landing"
    data.mkdir()
    rows = [f"ssn,email,{EMAIL},notes"]  # a header that is itself a value
    rows += [f'{SSN},{EMAIL},x,"call about {SSN} at {EMAIL}"' for _ in range(30)]
    (data / "customers.csv").write_text("\n".join(rows) + "\n")
    result = scan(data, workers=1)
    assert not result.errors
    log = open_audit_log()
    try:
        (logged,) = [e for e in log.events() if e.kind == EventKind.SCAN]
        raw = b"".join(log.canonical(i) for i in range(log.size()))
    finally:
        log.store.close()
    event = logged.event()
    assert isinstance(event, ScanEvent)
    (dataset,) = event.datasets
    assert dataset["rows"] == 30 and {"PII", "PII_HIGH"} & set(dataset["tags"])  # findings
    text = json.dumps(event.payload())
    for canary in (SSN, EMAIL):
        assert canary not in text
        assert canary.encode() not in raw


def test_granting_and_revoking_an_approval_are_audited(
    monkeypatch: pytest.MonkeyPatch, store_url: str
) -> None:
    from dataward.policy import grant_approval, revoke_approval
    from dataward.store import open_store

    monkeypatch.setenv("DATAWARD_DATABASE_URL", store_url)
    monkeypatch.setenv("DATAWARD_ACTOR", "svc:governance")
    store = open_store(store_url)
    try:
        granted = grant_approval(store, "dpo", "svc:dora", {"resource": "patients"}, None, "q3")
        assert revoke_approval(store, granted.id)
        assert not revoke_approval(store, granted.id)  # nothing to revoke: no second event
        events = [e for e in open_audit_log(store).events() if e.kind == EventKind.APPROVAL]
    finally:
        store.close()
    grant, revoke = [e.event() for e in events]
    assert isinstance(grant, ApprovalEvent) and isinstance(revoke, ApprovalEvent)
    assert grant.id == revoke.id == granted.id
    assert grant.revoked_at is None and revoke.revoked_at is not None
    assert [e.actor for e in events] == ["svc:dora", "svc:governance"]


def test_a_file_named_by_a_value_keeps_it_out_of_the_scan_event(
    monkeypatch: pytest.MonkeyPatch, store_url: str, tmp_path: Path
) -> None:
    """A landing file named after a customer's e-mail: the scan event shows the path with the
    value as ``<EMAIL_ADDRESS>`` (the raw name went into the append-only log before)."""
    from dataward.classify.scan import scan

    monkeypatch.setenv("DATAWARD_DATABASE_URL", store_url)
    data = tmp_path / "landing"
    data.mkdir()
    (data / f"{EMAIL}.csv").write_text("id,amount\n1,20\n2,30\n")
    (data / "plain.csv").write_text("id,amount\n1,20\n")
    assert not scan(data, workers=1).errors
    log = open_audit_log()
    try:
        (logged,) = [e for e in log.events() if e.kind == EventKind.SCAN]
        raw = b"".join(log.canonical(i) for i in range(log.size()))
    finally:
        log.store.close()
    paths = sorted(Path(d["path"]).name for d in logged.event().datasets)
    assert paths[0].startswith("<EMAIL_ADDRESS>") and paths[1] == "plain.csv"
    assert EMAIL.encode() not in raw
