"""The background decision writer loses nothing: flush, close, reload."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from dataward.policy import PolicyEngine, decide, flush, reload
from dataward.policy.records import logged_decisions
from dataward.store import open_store
from tests.policy.conftest import req


def test_background_writer_keeps_every_decision(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, _fresh_policy_state: list[Any]
) -> None:
    monkeypatch.setenv("DATAWARD_POLICY_LOG_WRITER", "background")
    store = open_store(f"sqlite:///{tmp_path / 'w.db'}")
    engine = PolicyEngine.load(["baseline", "hipaa"])
    purposes = ["marketing", "treatment"]
    ids = [
        decide(req(["PHI"], purpose=purposes[i % 2]), engine=engine, store=store).decision_id
        for i in range(1000)
    ]
    flush()
    events = [e for e in _fresh_policy_state if e[0] == "decision"]
    assert [e[2]["decision_id"] for e in events] == ids  # all, in order
    rows = list(logged_decisions(store))
    assert sorted(r.decision_id for r in rows) == sorted(ids)
    effects = {r.decision_id: r.effect for r in rows}
    assert effects[ids[0]] == "allow_with_obligations" and effects[ids[1]] == "allow"
    more = [decide(req([]), engine=engine, store=store).decision_id for _ in range(50)]
    reload()  # closes the writers after writing what they hold
    assert {r.decision_id for r in logged_decisions(store)} >= set(more)
    store.close()


def test_sync_writer_is_the_default(tmp_path: Path, _fresh_policy_state: list[Any]) -> None:
    store = open_store(f"sqlite:///{tmp_path / 's.db'}")
    engine = PolicyEngine.load(["baseline"])
    d = decide(req([]), engine=engine, store=store)
    assert _fresh_policy_state[-1][2]["decision_id"] == d.decision_id  # before any flush
    store.close()


def test_background_writer_names_the_calling_key(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The writer thread did not inherit ``audit.acting``: a decision made through the service
    was filed under the principal the request named, not under the API key that called."""
    from dataward.audit import acting, open_audit_log
    from dataward.policy import set_sink

    set_sink(None)  # the real audit log, in the decision's transaction
    monkeypatch.setenv("DATAWARD_POLICY_LOG_WRITER", "background")
    store = open_store(f"sqlite:///{tmp_path / 'w.db'}")
    engine = PolicyEngine.load(["baseline"])
    with acting("apikey:3f9a1c2b7d4e"):
        decide(req([]), engine=engine, store=store)
    decide(req([]), engine=engine, store=store)  # outside the block: the principal acts
    flush()
    events = [e for e in open_audit_log(store).events() if e.kind == "decision"]
    assert [e.actor.startswith("apikey:") for e in events] == [True, False]
    assert events[0].actor == "apikey:3f9a1c2b7d4e"
    reload()
    store.close()
