"""``dataward scan``, ``catalog`` and ``watch``: JSON shape, --fail-on, canaries, webhooks."""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path
from typing import Any, ClassVar

import pytest

from dataward.classify.notify import Webhook, sign


def _data(folder: Path) -> Path:
    folder.mkdir(exist_ok=True)
    rows = ["id,ssn,colour"] + [
        f"{i},{100 + i:03d}-{20 + i % 70}-{1000 + i},red" for i in range(40)
    ]
    (folder / "people.csv").write_text("\n".join(rows) + "\n")
    return folder


def test_json_shape_and_fail_on(cli: Callable[..., Any], tmp_path: Path) -> None:
    data = _data(tmp_path / "data")
    r = cli("scan", str(data), "--format", "json", "--workers", "1")
    assert r.code == 0, r.err
    doc = json.loads(r.out)
    assert list(doc) == ["datasets"]
    (d,) = doc["datasets"]
    assert {"path", "rows", "tags", "summary", "columns"} <= set(d)
    assert d["path"].endswith("people.csv") and d["rows"] == 40
    cols = {c["name"]: c for c in d["columns"]}
    assert cols["ssn"]["entity"] == "US_SSN" and cols["colour"]["entity"] is None
    assert {"name", "entity", "confidence"} <= set(cols["id"])
    r = cli("scan", str(data), "--fail-on", "PII_HIGH", "--workers", "1")
    assert r.code == 5 and "PII_HIGH" in r.err  # unchanged, but its stored tags still count
    r = cli("scan", str(data), "--fail-on", "SECRET", "--force", "--format", "markdown")
    assert r.code == 0 and "| ssn | US_SSN |" in r.out
    r = cli("catalog", "list", "--format", "json")
    assert r.code == 0 and json.loads(r.out)["datasets"][0]["name"] == "people.csv"
    r = cli("catalog", "show", "people.csv")
    assert r.code == 0 and "US_SSN" in r.out
    r = cli("catalog", "show", "missing.csv")
    assert r.code == 1 and "no dataset" in r.err


CANARIES = [
    "578-31-9264",
    "canary.zq8x7@example.org",
    "Zebulon Quillfeather",
    "4929 1234 5678 9013",
]


def test_canary_values_never_leak(
    cli: Callable[..., Any], tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    data = tmp_path / "data"
    data.mkdir()
    rows = ["ssn,email,name,card,notes"]
    for _ in range(30):
        rows.append(
            f'{CANARIES[0]},{CANARIES[1]},{CANARIES[2]},{CANARIES[3]},"Call {CANARIES[2]} about {CANARIES[0]}"'
        )
    (data / "c.csv").write_text("\n".join(rows) + "\n")
    outputs = []
    for args in (
        ("scan", str(data), "--format", "json"),
        ("scan", str(data), "--force"),
        ("catalog", "show", "c.csv", "--format", "json"),
        ("catalog", "show", "c.csv"),
    ):
        r = cli(*args, "--workers", "1") if args[0] == "scan" else cli(*args)
        assert r.code == 0, r.err
        outputs += [r.out, r.err]
    home = Path(tmp_path / "home")
    blobs = [p.read_bytes() for p in home.rglob("*") if p.is_file()]
    assert any(p.name == "dataward.db" for p in home.rglob("*"))
    for canary in CANARIES:
        for text in [*outputs, caplog.text]:
            assert canary not in text
        for blob in blobs:
            assert canary.encode() not in blob


class _Hook(BaseHTTPRequestHandler):
    received: ClassVar[list[tuple[dict[str, str], bytes]]] = []
    fail_first = 0

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        if _Hook.fail_first > 0:
            _Hook.fail_first -= 1
            self.send_response(503)
            self.end_headers()
            return
        _Hook.received.append((dict(self.headers), body))
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def hook_server() -> Any:
    _Hook.received = []
    _Hook.fail_first = 0
    server = HTTPServer(("127.0.0.1", 0), _Hook)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def test_webhook_signs_and_retries(hook_server: HTTPServer) -> None:
    url = f"http://127.0.0.1:{hook_server.server_port}/hook"
    _Hook.fail_first = 2
    waits: list[float] = []
    hook = Webhook(url, secret=b"s3cret", tries=4, backoff=0.1, sleep=waits.append)
    assert hook.send({"event": "x", "summary": "hello"})
    assert waits == [0.1, 0.2]
    headers, body = _Hook.received[0]
    assert headers["X-Dataward-Signature"] == sign(b"s3cret", headers["X-Dataward-Timestamp"], body)
    _Hook.fail_first = 10
    assert not Webhook(url, tries=3, backoff=0.0, sleep=waits.append).send({"event": "x"})
    slack = Webhook(url, style="slack")
    _Hook.fail_first = 0
    assert slack.send({"summary": "1 scanned", "datasets": [{"summary": "s", "tags": ["PII"]}]})
    assert set(json.loads(_Hook.received[-1][1])) == {"text"}


@pytest.mark.slow
def test_watch_scans_dropped_file(hook_server: HTTPServer, tmp_path: Path) -> None:
    from dataward.classify.watch import Watcher

    inbox = tmp_path / "inbox"
    inbox.mkdir()
    url = f"http://127.0.0.1:{hook_server.server_port}/hook"
    lines: list[str] = []
    watcher = Watcher(inbox, [Webhook(url, secret=b"k")], settle=0.2, on_result=lines.append)
    thread = threading.Thread(target=watcher.run, daemon=True)
    thread.start()
    try:
        import time

        time.sleep(0.5)
        _data(tmp_path / "tmp")
        (tmp_path / "tmp" / "people.csv").rename(inbox / "people.csv")
        deadline = time.monotonic() + 25
        while not _Hook.received and time.monotonic() < deadline:
            time.sleep(0.1)
    finally:
        watcher.stop()
        thread.join(timeout=10)
    assert _Hook.received, "no webhook call"
    event = json.loads(_Hook.received[0][1])
    assert event["event"] == "dataward.scan.completed"
    assert event["datasets"][0]["path"].endswith("people.csv")
    assert "PII_HIGH" in event["datasets"][0]["tags"]
    assert any("people.csv" in line for line in lines)
