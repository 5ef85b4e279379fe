"""The optional narrative: a local stub of an OpenAI-compatible endpoint receives metadata only
(no literal, no value) and its answer is kept beside the template summary."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import ClassVar

import pytest

from dataward.monitor import list_alerts
from dataward.runtime import Runtime
from tests.monitor.test_cli import EMAIL, SSN, _canary_export


class _Stub(BaseHTTPRequestHandler):
    seen: ClassVar[list[dict[str, object]]] = []

    def do_POST(self) -> None:
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        type(self).seen.append(
            {"path": self.path, "auth": self.headers.get("Authorization"), **body}
        )
        answer = json.dumps(
            {"choices": [{"message": {"role": "assistant", "content": "DS_001 read SSN first."}}]}
        ).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(answer)))
        self.end_headers()
        self.wfile.write(answer)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def stub() -> Iterator[str]:
    _Stub.seen = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Stub)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/v1"
    server.shutdown()
    server.server_close()


def test_narrative_gets_metadata_only(cli, runtime: Runtime, tmp_path, stub, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    _canary_export(tmp_path / "sf")
    assert cli("monitor", "ingest", str(tmp_path / "sf"), "--source", "snowflake").code == 0
    alert = next(a for a in list_alerts(runtime.store) if "01canary-0001" in a.event_ids)
    monkeypatch.setenv("LLM_KEY", "sk-test")
    done = cli(
        "monitor",
        "narrate",
        alert.id,
        "--endpoint",
        stub,
        "--model",
        "m",
        "--api-key-env",
        "LLM_KEY",
    )
    assert done.code == 0 and "DS_001 read SSN first." in done.out
    (request,) = _Stub.seen
    assert request["path"] == "/v1/chat/completions" and request["auth"] == "Bearer sk-test"
    sent = json.dumps(request)
    assert "PROD.SALES.CUSTOMERS.SSN" in sent and "PII_HIGH" in sent
    assert SSN not in sent and EMAIL not in sent
    kept = next(a for a in list_alerts(runtime.store) if a.id == alert.id)
    assert kept.evidence["narrative"] == "DS_001 read SSN first."
    assert kept.summary == alert.summary  # the template summary stays
    down = cli(
        "monitor", "narrate", alert.id, "--endpoint", "http://127.0.0.1:9/v1", "--model", "m"
    )
    assert down.code == 1 and "did not answer" in down.err
