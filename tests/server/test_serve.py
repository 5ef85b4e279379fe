"""``dataward serve`` itself, as a deployment runs it: two worker processes behind a trusted
proxy address, logs read from the process's own output."""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from dataward.server.apikeys import create_key
from dataward.store import open_store

CANARY_SSN = "523-71-6604"
CSRF = re.compile(r'name="csrf" value="([^"]*)"')


@dataclass
class Served:
    url: str
    db_url: str
    keys: dict[str, str]
    out: Path
    err: Path

    def logs(self) -> str:
        return self.out.read_text(errors="replace") + self.err.read_text(errors="replace")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    folder = tmp_path_factory.mktemp("served")
    db_url = f"sqlite:///{folder / 'store.db'}"
    env = {
        **os.environ,
        "DATAWARD_HOME": str(folder / "home"),
        "DATAWARD_DATABASE_URL": db_url,
        "DATAWARD_TRUSTED_PROXIES": "127.0.0.1",
    }
    store = open_store(db_url)
    keys = {role: create_key(store, f"serve-{role}", role)[1] for role in ("auditor", "pipeline")}
    store.close()
    port = _free_port()
    out, err = folder / "stdout.log", folder / "stderr.log"
    command = [sys.executable, "-c", "from dataward.cli.main import run; run()", "serve"]
    command += ["--port", str(port), "--workers", "2"]
    with out.open("wb") as out_fh, err.open("wb") as err_fh:
        proc = subprocess.Popen(
            command, env=env, cwd=folder, stdout=out_fh, stderr=err_fh, start_new_session=True
        )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"dataward serve exited: {err.read_text()[-2000:]}")
            try:
                if httpx.get(f"{url}/health", timeout=5).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError("dataward serve did not start")
            time.sleep(0.2)
        _wait_for_workers(url, proc.pid)
        yield Served(url, db_url, keys, out, err)
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(10)


def _wait_for_workers(url: str, pid: int) -> None:
    """Both worker processes are up (Linux: the children of the supervisor), so that the
    requests below are spread over them."""
    if not Path("/proc").is_dir():
        return
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        children = Path(f"/proc/{pid}/task/{pid}/children")
        if children.exists() and len(children.read_text().split()) >= 2:
            return
        time.sleep(0.2)


def _sign_in(c: httpx.Client, key: str, **headers: str) -> httpx.Response:
    page = c.get("/dashboard/login", headers=headers)
    token = CSRF.search(page.text)
    return c.post(
        "/dashboard/login",
        data={"key": key, "csrf": token.group(1) if token else ""},
        headers={"Origin": str(c.base_url).rstrip("/"), **headers},
    )


def test_sessions_hold_across_workers_and_end_with_their_key(served: Served) -> None:
    with httpx.Client(base_url=served.url, timeout=30) as c:
        assert _sign_in(c, served.keys["auditor"]).status_code == 303
        sid = c.cookies["dw_session"]
    # A fresh connection per request lands on either worker; every one must know the session.
    codes = []
    for _ in range(20):
        with httpx.Client(base_url=served.url, timeout=30, cookies={"dw_session": sid}) as c:
            codes.append(c.get("/dashboard").status_code)
    assert codes == [200] * 20

    from dataward.server.apikeys import revoke

    store = open_store(served.db_url)
    try:
        assert revoke(store, served.keys["auditor"].split("_")[1])
    finally:
        store.close()
    for _ in range(4):
        with httpx.Client(base_url=served.url, timeout=30, cookies={"dw_session": sid}) as c:
            r = c.get("/dashboard")
        assert r.status_code == 303 and r.headers["location"] == "/dashboard/login"


def test_behind_a_trusted_proxy_cookies_are_secure_and_hsts_is_sent(served: Served) -> None:
    with httpx.Client(base_url=served.url, timeout=30) as c:
        r = _sign_in(c, served.keys["pipeline"], **{"X-Forwarded-Proto": "https"})
        # a pipeline key may not open the dashboard; the CSRF cookie of the form is enough
        assert r.status_code == 403
        assert "Secure" in r.headers["set-cookie"]
        assert r.headers["strict-transport-security"].startswith("max-age=")
        plain = c.get("/health")
        assert "strict-transport-security" not in plain.headers


def test_request_log_is_json_without_query_values_and_no_access_log(served: Served) -> None:
    pipeline = {"Authorization": f"Bearer {served.keys['pipeline']}"}
    with httpx.Client(base_url=served.url, timeout=30) as c:
        assert c.get("/health", params={"ssn": CANARY_SSN}).status_code == 200
        assert c.get(f"/v1/jobs/{CANARY_SSN}", headers=pipeline).status_code == 404
        assert c.get(f"/nowhere/{CANARY_SSN}").status_code == 404
    key_id = served.keys["pipeline"].split("_")[1]
    expected = {
        ("GET", "/health", 200, None),
        ("GET", "/v1/jobs/{job_id}", 404, key_id),
        ("GET", "unmatched", 404, None),
    }
    lines: list[dict[str, object]] = []
    routes: set[tuple[object, ...]] = set()
    deadline = time.monotonic() + 60  # a worker writes its line just after it answers
    while not expected <= routes and time.monotonic() < deadline:
        time.sleep(0.2)
        lines = [
            json.loads(line)
            for line in served.out.read_text(errors="replace").splitlines()
            if line.startswith('{"event": "request"') and line.endswith("}")
        ]
        routes = {(line["method"], line["route"], line["status"], line["key"]) for line in lines}
    assert expected <= routes, routes
    assert all(isinstance(line["ms"], float | int) for line in lines)
    logs = served.logs()
    assert CANARY_SSN not in logs
    assert '"GET /health' not in logs  # uvicorn's access log is off
