"""The CLI as the issue's Interface gives it, and the canary: a query literal or column value
(``WHERE ssn = '078-05-1120'``, ``canary.7731@example.org``) reaches no alert, output, log,
store row, audit event, webhook or ticket."""

from __future__ import annotations

import csv
import json
import logging
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import ClassVar

import pytest

from dataward.monitor import scenario
from dataward.runtime import Runtime
from tests.monitor.conftest import dump_store

SSN = "078-05-1120"
EMAIL = "canary.7731@example.org"


class _Capture(BaseHTTPRequestHandler):
    bodies: ClassVar[list[bytes]] = []

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length", "0"))
        type(self).bodies.append(self.path.encode() + b" " + self.rfile.read(length))
        answer = json.dumps({"id": "10001", "key": "DW-1", "self": "http://x/1"}).encode()
        self.send_response(201)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(answer)))
        self.end_headers()
        self.wfile.write(answer)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def receiver() -> Iterator[tuple[str, list[bytes]]]:
    """A local HTTP server standing in for a webhook receiver and Jira's REST API."""
    _Capture.bodies = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Capture)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", _Capture.bodies
    server.shutdown()
    server.server_close()


def _canary_export(folder: Path) -> scenario.Scenario:
    sc = scenario.generate(folder, people=6, services=2, weeks=2, queries_per_day=6, seed=5)
    with (folder / "QUERY_HISTORY.csv").open("a", newline="") as fh:
        w = csv.writer(fh)
        text = f"select c.ssn, c.email from PROD.SALES.CUSTOMERS c where c.ssn = '{SSN}' and c.email = '{EMAIL}'"
        w.writerow(["01canary-0001", text, "PROD", "SALES", "SELECT", "777", "DS_001", "DATA_SCIENTIST",
                    "SUCCESS", "2026-01-16 12:00:00.000 +0000", "2026-01-16 12:00:01.000 +0000", "10", "1", "PERSON"])  # fmt: skip
        w.writerow(["01canary-0002", f"select 1 where x = '{SSN}'", "broken row"])
    return sc


def test_ingest_alerts_ack_suppress_and_canary(
    cli,
    runtime: Runtime,
    tmp_path: Path,
    receiver: tuple[str, list[bytes]],  # type: ignore[no-untyped-def]
    caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    url, bodies = receiver
    (tmp_path / "dataward.yaml").write_text(
        "integrations:\n"
        f"  webhooks: [{{name: hook, url: '{url}/hook'}}]\n"
        f"  jira: {{base_url: '{url}', email: bot@example.org, project: SEC}}\n"
        "  tickets_when: always\n"
        "  retry: {tries: 1, timeout: 5}\n"
    )
    monkeypatch.setenv("DATAWARD_JIRA_TOKEN", "t0ken")
    caplog.set_level(logging.DEBUG)
    _canary_export(tmp_path / "sf")
    done = cli("monitor", "ingest", str(tmp_path / "sf"), "--source", "snowflake", "--model-scores")
    assert done.code == 0, done.err
    assert "alert(s) raised" in done.out
    assert "QUERY_HISTORY.csv:" in done.err and "fields, the header has" in done.err
    listed = cli("monitor", "alerts", "--format", "json")
    assert listed.code == 0
    alerts = json.loads(listed.out)["alerts"]
    keys = {
        "id",
        "time",
        "severity",
        "score",
        "principal",
        "kind",
        "event_ids",
        "objects",
        "columns",
        "summary",
    }
    assert alerts and all(keys <= set(a) for a in alerts)
    canary = next(a for a in alerts if "01canary-0001" in a["event_ids"])
    assert canary["principal"] == "DS_001"
    assert "PROD.SALES.CUSTOMERS.SSN" in canary["columns"]
    high = json.loads(cli("monitor", "alerts", "--format", "json", "--min-severity", "high").out)
    assert {a["severity"] for a in high["alerts"]} == {"high"}
    later = json.loads(cli("monitor", "alerts", "--format", "json", "--since", "2030-01-01").out)
    assert later["alerts"] == []
    ocsf = cli("monitor", "alerts", "--format", "ocsf")
    finding = json.loads(ocsf.out.splitlines()[0])
    assert finding["class_uid"] == 2004 and finding["finding_info"]["uid"]

    acked = cli("monitor", "ack", canary["id"], "--reason", "ticket SEC-12 opened")
    assert acked.code == 0 and "acknowledged" in acked.out
    other = next(a for a in alerts if a["id"] != canary["id"])
    sup = cli("monitor", "suppress", other["id"], "--reason", "known migration", "--rule")
    assert sup.code == 0
    missing = cli("monitor", "ack", "al_nope", "--reason", "x")
    assert missing.code == 1 and "no alert" in missing.err
    no_reason = cli("monitor", "ack", canary["id"], "--reason", " ")
    assert no_reason.code == 1 and "reason" in no_reason.err
    suggested = json.loads(cli("monitor", "contain", canary["id"], "--reason", "r").out)
    assert suggested["suggested"]["action"] == "review_access"
    contained = cli("monitor", "contain", canary["id"], "--reason", "paused DS_001", "--confirm")
    assert contained.code == 0 and json.loads(contained.out)["contained"]["confirm"] == "a person"
    statuses = {
        a["id"]: a["status"]
        for a in json.loads(cli("monitor", "alerts", "--format", "json").out)["alerts"]
    }
    assert statuses[canary["id"]] == "acknowledged" and statuses[other["id"]] == "suppressed"

    from dataward.audit.events import EventKind

    audited = [e.event() for e in runtime.audit_log.events() if e.kind == EventKind.ALERT]
    actions = [(e.alert_id, e.action) for e in audited]  # type: ignore[attr-defined]
    assert (canary["id"], "raised") in actions
    assert (canary["id"], "acknowledged") in actions and (other["id"], "suppressed") in actions
    assert (canary["id"], "contained") in actions

    # sinks: the webhook and Jira got the alerts
    assert any(b.startswith(b"/hook ") and canary["id"].encode() in b for b in bodies)
    assert any(b.startswith(b"/rest/api/2/issue ") for b in bodies)
    assert any(b"dataward.monitor.containment" in b for b in bodies)

    # The canary: nowhere.
    everything = [done.out, done.err, listed.out, ocsf.out, acked.out, sup.out, caplog.text,
                  dump_store(runtime.store), repr(audited)] + [b.decode("utf-8", "replace") for b in bodies]  # fmt: skip
    for text in everything:
        assert SSN not in text and EMAIL not in text


def test_bad_usage_exit_codes(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    assert cli("monitor", "ingest", str(tmp_path), "--source", "snowflakes").code == 2
    assert cli("monitor", "ingest", str(tmp_path / "gone"), "--source", "ocsf").code == 3
    assert cli("monitor", "alerts", "--min-severity", "urgent").code == 2
    assert cli("monitor", "alerts", "--since", "yesterday").code == 2
    assert cli("monitor", "run").code == 2
