"""``dataward gateway`` through the real entry point."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import openai

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


def test_served_gateway(
    runtime: Runtime, stub_server: tuple[Stub, str], stub: Stub, tmp_path: Path
) -> None:
    key = create_key(runtime.store, "agent", "pipeline")[1]
    port = free_port()
    env = {**os.environ, "UPSTREAM_KEY_H5": UPSTREAM_KEY}
    log = (tmp_path / "gateway.log").open("w")
    process = subprocess.Popen(
        [sys.executable, "-m", "dataward.cli.main", "gateway", "--upstream", f"{stub_server[1]}/v1",
         "--port", str(port), "--upstream-key-env", "UPSTREAM_KEY_H5"],
        env=env, stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip
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
        client: Any = openai.OpenAI(
            base_url=f"http://127.0.0.1:{port}/v1", api_key=key, max_retries=0
        )
        answer = client.chat.completions.create(
            model="stub-1", messages=[{"role": "user", "content": f"mail {EMAIL}"}]
        )
        assert answer.choices[0].message.content == f"mail {EMAIL}"
        assert EMAIL not in stub.received[0] and "<EMAIL_ADDRESS_1>" in stub.received[0]
        client.close()
    finally:
        process.terminate()
        process.wait(20)
        log.close()
    output = (tmp_path / "gateway.log").read_text()
    assert EMAIL not in output and key not in output
    events = [e for e in runtime.audit_log.events() if e.kind == "gateway"]
    assert [(e.payload or {}).get("stage") for e in events] == ["prompt", "completion"]
