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
    events = [e for e in _fresh_policy_state if e[0] == "policy.decision"]
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
