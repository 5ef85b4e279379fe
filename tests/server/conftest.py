from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import httpx
import pytest
import uvicorn
from fastapi import FastAPI

from dataward.server import create_app
from dataward.server.apikeys import create_key
from dataward.server.app import ServerConfig
from dataward.store import Store, open_store


@dataclass
class Live:
    url: str
    store: Store
    keys: dict[str, str]

    def client(self, role: str | None = None) -> httpx.Client:
        headers = {"Authorization": f"Bearer {self.keys[role]}"} if role else {}
        return httpx.Client(base_url=self.url, headers=headers, timeout=120)  # a loaded CI box


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def serve(app: FastAPI) -> Iterator[str]:
    """``app`` behind uvicorn on a loopback port, as a worker of ``dataward serve``; its URL."""
    port = _free_port()
    config = uvicorn.Config(
        app, host="127.0.0.1", port=port, log_level="warning", proxy_headers=False
    )  # as `dataward serve` without --trusted-proxy: X-Forwarded-* headers count for nothing
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline:
            raise RuntimeError("server did not start")
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(10)


@pytest.fixture
def live_config() -> ServerConfig:
    """The limits of the ``live`` server; a test may parametrize ``live_config`` for others."""
    return ServerConfig(max_body_bytes=200_000, rate_per_second=20, burst=60)


@pytest.fixture
def live(
    store_url: str, monkeypatch: pytest.MonkeyPatch, live_config: ServerConfig
) -> Iterator[Live]:
    """The real app behind uvicorn on a loopback port, with one key per role. The store is also
    the default store, as in a deployment, so subsystems that record audit events find it."""
    monkeypatch.setenv("DATAWARD_DATABASE_URL", store_url)
    store = open_store(store_url)
    keys = {
        role: create_key(store, f"test-{role}", role)[1]
        for role in ("admin", "steward", "pipeline", "auditor")
    }
    try:
        with serve(create_app(store, live_config)) as url:
            yield Live(url, store, keys)
    finally:
        store.close()
        from dataward.audit import close_default_logs
        from dataward.policy.api import reload

        close_default_logs()
        reload()
