"""One runtime: what it holds is its own, the server writes to it, close() closes it."""

from __future__ import annotations

import os
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn

import dataward as dw
from dataward import runtime as runtime_
from dataward import scope
from dataward.audit.events import AccessEvent
from dataward.policy import records
from dataward.runtime import Runtime
from dataward.server.apikeys import create_key
from dataward.server.app import ServerConfig, create_app
from dataward.store import shared_store

REQUEST: dict[str, Any] = {
    "principal": {"type": "User", "id": "ann"},
    "action": "train",
    "resource": {"type": "Dataset", "id": "patients", "tags": ["PHI"]},
    "context": {"purpose": "marketing"},
}


def test_two_runtimes_on_two_homes_share_nothing(tmp_path: Path) -> None:
    with dw.open(home=tmp_path / "a") as a, dw.open(home=tmp_path / "b") as b:
        assert a.store is not b.store
        assert a.store.engine.url != b.store.engine.url
        assert a.keyring.fingerprint != b.keyring.fingerprint
        assert a.audit_log is not b.audit_log

        a.decide(REQUEST)
        assert a.audit_log.verify().events > 0
        assert b.audit_log.verify().events == 0
        assert [d.decision_id for d in records.logged_decisions(b.store)] == []
        assert len(list(records.logged_decisions(a.store))) == 1

        with runtime_.use(b):  # the module-level function follows the runtime in use
            dw.decide(REQUEST)
        assert len(list(records.logged_decisions(b.store))) == 1
        assert len(list(records.logged_decisions(a.store))) == 1

        receipt = b.emit(AccessEvent(what="log"), actor="svc:test")
        assert receipt.index == b.audit_log.verify().events - 1
        assert (tmp_path / "a" / "keys.json").exists() and (tmp_path / "b" / "keys.json").exists()


def test_runtime_settings_are_fixed_and_its_own(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with dw.open(home=tmp_path / "a") as rt:
        monkeypatch.setenv("DATAWARD_HOME", str(tmp_path / "elsewhere"))
        assert Path(rt.settings.home) == tmp_path / "a"
        with runtime_.use(rt):
            from dataward.settings import get_settings

            assert Path(get_settings().home) == tmp_path / "a"
        assert Path(get_settings().home) == tmp_path / "elsewhere"  # the test's own runtime


def test_server_on_a_runtime_writes_to_its_store(tmp_path: Path) -> None:
    with dw.open(home=tmp_path / "served") as rt:
        _, secret = create_key(rt.store, "test", "admin")
        with _serving(create_app(rt, ServerConfig())) as url:
            # the server's thread does not inherit this test's runtime: only the app's counts
            r = httpx.post(
                f"{url}/v1/decide", json=REQUEST, headers={"Authorization": f"Bearer {secret}"}
            )
            assert r.status_code == 200, r.text
        logged = list(records.logged_decisions(rt.store))
        assert [d.decision_id for d in logged] == [r.json()["decision_id"]]
        assert rt.audit_log.verify().events >= 2  # the policy revision and the decision
        assert not rt.closed  # the caller's runtime: the app does not close it
    # the test's own runtime (and its store) saw none of it
    assert list(records.logged_decisions(shared_store())) == []
    assert scope.current() is not rt.scope


@contextmanager
def _serving(app: Any) -> Iterator[str]:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = int(s.getsockname()[1])
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        assert time.monotonic() < deadline, "server did not start"
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(10)


def test_close_closes_what_it_opened(tmp_path: Path) -> None:
    rt = dw.open(home=tmp_path / "c")
    store = rt.store
    rt.settings.model_copy()
    rt.decide(REQUEST)
    writer = rt.decision_writer
    rt.close()
    assert rt.closed
    assert writer._closed
    assert store.engine.pool.checkedout() == 0
    with pytest.raises(RuntimeError, match="closed"):
        rt.store  # noqa: B018 - a closed runtime opens nothing again
    rt.close()  # twice is fine


def test_default_runtime_is_made_once() -> None:
    assert runtime_.default() is runtime_.default()
    assert isinstance(runtime_.default(), Runtime)
    assert runtime_.current() is not runtime_.default()  # conftest made one for this test


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork")
def test_forked_child_drops_the_parents_store(tmp_path: Path) -> None:
    with dw.open(home=tmp_path / "f") as rt:
        parent = rt.store
        rt.decide(REQUEST)
        read, write = os.pipe()
        pid = os.fork()
        if pid == 0:  # pragma: no cover - the child reports through the pipe
            ok = rt.store is not parent and len(list(records.logged_decisions(rt.store))) == 1
            os.write(write, b"1" if ok else b"0")
            os._exit(0)
        os.close(write)
        answer = os.read(read, 1)
        os.waitpid(pid, 0)
        assert answer == b"1"
        assert rt.store is parent  # the parent keeps its own
