"""``dataward gateway`` through the real entry point."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import openai
import pytest

from dataward.runtime import Runtime
from dataward.server.apikeys import create_key
from tests.conftest import CliResult
from tests.gateway.conftest import UPSTREAM_KEY, Stub, free_port

EMAIL = "canary.7731@example.org"


def test_bad_mode_is_a_usage_error(cli: Callable[..., CliResult]) -> None:
    result = cli("gateway", "--upstream", "http://127.0.0.1:9/v1", "--mode", "maybe")
    assert result.code == 2
    assert "pseudonymize, block or pass" in result.err


def test_bad_upstream_is_a_config_error(cli: Callable[..., CliResult]) -> None:
    result = cli("gateway", "--upstream", "ftp://x")
    assert result.code == 2
    assert "http://" in result.err


def test_missing_key_variable(cli: Callable[..., CliResult]) -> None:
    result = cli(
        "gateway", "--upstream", "http://127.0.0.1:9/v1", "--upstream-key-env", "NO_SUCH_VAR_H5"
    )
    assert result.code == 2 and "NO_SUCH_VAR_H5" in result.err


def test_workers_need_redis(cli: Callable[..., CliResult]) -> None:
    result = cli("gateway", "--upstream", "http://127.0.0.1:9/v1", "--workers", "2")
    assert result.code == 2 and "--redis" in result.err


@pytest.mark.parametrize("workers", [1, 2])
def test_served_gateway(
    runtime: Runtime, stub_server: tuple[Stub, str], stub: Stub, tmp_path: Path, workers: int
) -> None:
    """The real command; with two workers the vault is in Redis, and one conversation sent
    over fresh connections (so to either worker) keeps one numbering."""
    if workers > 1 and not _redis_up():
        pytest.skip("no Redis on 127.0.0.1:6379")
    key = create_key(runtime.store, "agent", "pipeline")[1]
    port = free_port()
    env = {**os.environ, "UPSTREAM_KEY_H5": UPSTREAM_KEY}
    extra = ["--workers", "2", "--redis", "redis://127.0.0.1:6379/0"] if workers > 1 else []
    log = (tmp_path / "gateway.log").open("w")
    process = subprocess.Popen(
        [sys.executable, "-m", "dataward.cli.main", "gateway", "--upstream", f"{stub_server[1]}/v1",
         "--port", str(port), "--upstream-key-env", "UPSTREAM_KEY_H5", *extra],
        env=env, stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip
    conversation = f"cli-{uuid.uuid4().hex}"
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                if httpx.get(f"http://127.0.0.1:{port}/health").status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            assert process.poll() is None and time.monotonic() < deadline, "gateway did not start"
            time.sleep(0.2)
        for turn in range(4 if workers > 1 else 1):
            client: Any = openai.OpenAI(
                base_url=f"http://127.0.0.1:{port}/v1",
                api_key=key,
                max_retries=0,
                default_headers={"X-Dataward-Conversation": conversation},
            )
            text = f"mail {EMAIL} and turn{turn}.canary@example.org"
            answer = client.chat.completions.create(
                model="stub-1", messages=[{"role": "user", "content": text}]
            )
            client.close()
            assert answer.choices[0].message.content == text
            sent = json.loads(stub.received[-1])["messages"][0]["content"]
            assert sent == f"mail <EMAIL_ADDRESS_1> and <EMAIL_ADDRESS_{turn + 2}>"
    finally:
        process.terminate()
        process.wait(30)
        log.close()
    output = (tmp_path / "gateway.log").read_text()
    assert EMAIL not in output and key not in output
    events = [e for e in runtime.audit_log.events() if e.kind == "gateway"]
    assert len(events) == 2 * (4 if workers > 1 else 1)


def _redis_up() -> bool:
    import socket

    try:
        socket.create_connection(("127.0.0.1", 6379), timeout=1).close()
    except OSError:
        return False
    return True
