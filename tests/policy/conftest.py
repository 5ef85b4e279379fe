from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from dataward.policy import PACKS, PolicyEngine, reload, set_sink


@pytest.fixture(scope="session")
def engine() -> PolicyEngine:
    """Every built-in pack."""
    return PolicyEngine.load(PACKS)


@pytest.fixture(autouse=True)
def _fresh_policy_state() -> Iterator[list[tuple[str, str, Any]]]:
    events: list[tuple[str, str, Any]] = []
    set_sink(lambda kind, actor, payload, subject: events.append((kind, actor, payload)))
    yield events
    set_sink(None)
    reload()


def req(tags: list[str], action: str = "train", **context: Any) -> dict[str, Any]:
    return {
        "principal": {"type": "User", "id": "ann", "groups": ["ml"]},
        "action": action,
        "resource": {"type": "Dataset", "id": "patients", "tags": tags, "version": "v3"},
        "context": context,
    }
