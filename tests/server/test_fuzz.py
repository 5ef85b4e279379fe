"""Fuzzing the OpenAPI document: every operation, many generated requests, never a 5xx.

Schemathesis reads the app's own OpenAPI document and sends generated requests (valid and
edge-case bodies, paths and queries) to the ASGI app in process, with an admin key so that the
requests reach the route code rather than stopping at authentication. Server exceptions surface
as test failures with their traceback and a curl line to reproduce them.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from fastapi import FastAPI
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error

from dataward.server import create_app
from dataward.server.apikeys import create_key
from dataward.server.app import ServerConfig
from dataward.store import open_store

# The document only: building the app touches no store until its lifespan starts.
schema = schemathesis.openapi.from_dict(create_app(config=ServerConfig()).openapi())


@dataclass
class Target:
    app: FastAPI
    admin_key: str


@pytest.fixture
def target(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Target]:
    url = f"sqlite:///{tmp_path / 'fuzz.db'}"
    monkeypatch.setenv("DATAWARD_DATABASE_URL", url)
    store = open_store(url)
    key = create_key(store, "fuzz", "admin")[1]
    root = tmp_path / "scan-root"
    root.mkdir()
    config = ServerConfig(
        max_body_bytes=200_000, rate_per_second=10_000, burst=10_000, scan_roots=[root]
    )
    try:
        yield Target(create_app(store, config), key)
    finally:
        store.close()
        from dataward.audit import close_default_logs
        from dataward.policy.api import reload

        close_default_logs()
        reload()


@pytest.mark.slow
@schema.parametrize()
@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
def test_no_server_errors(case: Any, target: Target) -> None:
    case.call_and_validate(
        app=target.app,
        headers={"Authorization": f"Bearer {target.admin_key}"},
        checks=[not_a_server_error],
    )
