from __future__ import annotations

import base64
import json
import socket
from pathlib import Path
from typing import Any

import pytest

from dataward.errors import ConfigError
from dataward.integrations import (
    DeadLetters,
    Integrations,
    Jira,
    ServiceNow,
    Ticket,
    Webhook,
    safe_event,
    sign,
    verify,
)
from dataward.integrations.http import redact_url
from dataward.store import open_store
from tests.integrations.conftest import Recorder

EVENT: dict[str, Any] = {
    "event": "dataward.scan.completed",
    "scan_id": 7,
    "summary": "1 scanned (1 new, 0 changed), 0 unchanged, 0 removed, 0 errors",
    "changes": {"new": 1, "changed": 0, "unchanged": 0, "removed": 0},
    "datasets": [
        {
            "path": "/data/people.csv",
            "rows": 1200,
            "tags": ["PII_HIGH", "PII"],
            "summary": "1,200 records in people.csv; 40% contain high-confidence PII",
            "entity_counts": {"EMAIL_ADDRESS": 1200, "US_SSN": 480},
            "previews": ["jane…e.com"],
        }
    ],
    "errors": [],
}


def basic(user: str, secret: str) -> str:
    return "Basic " + base64.b64encode(f"{user}:{secret}".encode()).decode()


def dead_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


# -- events -------------------------------------------------------------------------------------


def test_safe_event_drops_content_and_masks_previews() -> None:
    event = {
        "event": "x",
        "datasets": [
            {"path": "a.csv", "value": "123-45-6789", "samples": ["jane@example.com"]},
            {"path": "b.csv", "previews": ["4111111111111111", "4111…1111", "hunter2"]},
        ],
        "text": "call 555-0100",
    }
    assert safe_event(event) == {
        "event": "x",
        "datasets": [
            {"path": "a.csv"},
            {"path": "b.csv", "previews": ["4111…1111", "4111…1111", "*******"]},
        ],
    }


def test_redact_url_hides_path_secrets() -> None:
    assert redact_url("https://hooks.slack.com/services/T0/B0/XYZ") == "https://hooks.slack.com/…"
    assert redact_url("http://127.0.0.1:8080") == "http://127.0.0.1:8080"
    assert redact_url("not a url") == "<invalid URL>"


# -- webhooks -----------------------------------------------------------------------------------


def test_generic_webhook_is_signed_json(recorder: Recorder) -> None:
    hook = Webhook(f"{recorder.url}/hook", secret=b"s3cret")
    assert hook.send(EVENT)
    (got,) = recorder.received
    assert (got.method, got.path) == ("POST", "/hook")
    assert got.headers["Content-Type"] == "application/json"
    ts = got.headers["X-Dataward-Timestamp"]
    assert got.headers["X-Dataward-Signature"] == sign(b"s3cret", ts, got.raw)
    assert verify(b"s3cret", ts, got.raw, got.headers["X-Dataward-Signature"])
    assert not verify(b"other", ts, got.raw, got.headers["X-Dataward-Signature"])
    assert not verify(b"s3cret", "1000", got.raw, sign(b"s3cret", "1000", got.raw))  # stale
    assert got.json == EVENT
    assert "Authorization" not in got.headers


def test_unsigned_webhook_has_no_signature(recorder: Recorder) -> None:
    assert Webhook(recorder.url).send({"event": "x"})
    assert "X-Dataward-Signature" not in recorder.received[0].headers


def test_slack_and_teams_shapes(recorder: Recorder) -> None:
    assert Webhook(recorder.url, style="slack").send(EVENT)
    assert Webhook(recorder.url, style="teams").send(EVENT)
    slack, teams = (r.json for r in recorder.received)
    assert slack == {
        "text": "1 scanned (1 new, 0 changed), 0 unchanged, 0 removed, 0 errors\n"
        "• 1,200 records in people.csv; 40% contain high-confidence PII (tags: PII_HIGH, PII)"
    }
    assert teams["type"] == "message"
    (attachment,) = teams["attachments"]
    assert attachment["contentType"] == "application/vnd.microsoft.card.adaptive"
    card = attachment["content"]
    assert (card["type"], card["version"]) == ("AdaptiveCard", "1.4")
    assert card["body"][0]["text"] == f"Dataward: {EVENT['summary']}"
    assert card["body"][1] == {
        "type": "FactSet",
        "facts": [
            {"title": "new", "value": "1"},
            {"title": "changed", "value": "0"},
            {"title": "unchanged", "value": "0"},
            {"title": "removed", "value": "0"},
        ],
    }
    assert card["body"][2]["text"] == (
        "/data/people.csv: 1,200 rows; tags PII_HIGH, PII; "
        "EMAIL_ADDRESS ×1200, US_SSN ×480; e.g. jane…e.com"
    )


def test_retries_backoff_and_retry_after(recorder: Recorder) -> None:
    recorder.answer(503)
    recorder.answer(429, None, **{"Retry-After": "2"})
    recorder.answer(500)
    waits: list[float] = []
    hook = Webhook(recorder.url, tries=4, backoff=0.1, sleep=waits.append)
    delivery = hook.deliver({"event": "x"})
    assert (delivery.ok, delivery.attempts, delivery.status) == (True, 4, 204)
    assert waits == [0.1, 2.0, 0.4]
    assert len(recorder.received) == 4


def test_client_errors_are_not_retried(recorder: Recorder) -> None:
    recorder.answer(400, {"error": "bad"})
    waits: list[float] = []
    delivery = Webhook(recorder.url, sleep=waits.append).deliver({"event": "x"})
    assert (delivery.ok, delivery.attempts, delivery.error) == (False, 1, "HTTP 400")
    assert waits == []


def test_failed_delivery_is_dead_lettered_and_replayed(recorder: Recorder, store_url: str) -> None:
    store = open_store(store_url)
    try:
        letters = DeadLetters(store)
        url = f"http://127.0.0.1:{dead_port()}/services/T0/B0/SECRETPATH"
        waits: list[float] = []
        hook = Webhook(
            url, style="slack", tries=3, backoff=0.01, sleep=waits.append, dead_letters=letters
        )
        delivery = hook.deliver(EVENT)
        assert (delivery.ok, delivery.attempts, delivery.error) == (False, 3, "ConnectError")
        assert waits == [0.01, 0.02]
        (letter,) = letters.list()
        assert (letter.kind, letter.event, letter.attempts, letter.error) == (
            "webhook",
            "dataward.scan.completed",
            3,
            "ConnectError",
        )
        assert letter.target == f"slack:http://127.0.0.1:{url.split(':')[2].split('/')[0]}/…"
        assert "SECRETPATH" not in json.dumps(letter.payload) + letter.target
        assert letter.payload == hook.payload(EVENT)

        # the endpoint comes back: a hook of the same name replays the letter
        fixed = Webhook(recorder.url, style="slack", secret=b"k", name=letter.target)
        assert letters.replay({fixed.name: fixed}) == {"delivered": 1, "failed": 0, "skipped": 0}
        assert recorder.received[0].json == hook.payload(EVENT)
        got = recorder.received[0]
        assert got.headers["X-Dataward-Signature"] == sign(
            b"k", got.headers["X-Dataward-Timestamp"], got.raw
        )
        assert letters.list() == []
        (done,) = letters.list(pending_only=False)
        assert done.delivered and done.attempts == 4
        assert letters.replay({}) == {"delivered": 0, "failed": 0, "skipped": 0}
    finally:
        store.close()


# -- tickets ------------------------------------------------------------------------------------


def test_jira_v2_issue(recorder: Recorder) -> None:
    recorder.answer(201, {"id": "10001", "key": "SEC-12", "self": f"{recorder.url}/x"})
    jira = Jira(recorder.url + "/", email="bot@example.com", token="tok-123", project="SEC")
    ticket = jira.create(EVENT)
    assert ticket == Ticket("jira", "SEC-12", f"{recorder.url}/browse/SEC-12")
    (got,) = recorder.received
    assert (got.method, got.path) == ("POST", "/rest/api/2/issue")
    assert got.headers["Authorization"] == basic("bot@example.com", "tok-123")
    assert got.headers["Content-Type"] == "application/json"
    assert got.headers["Accept"] == "application/json"
    assert got.json == {
        "fields": {
            "project": {"key": "SEC"},
            "issuetype": {"name": "Task"},
            "summary": f"Dataward: {EVENT['summary']}",
            "description": (
                f"{EVENT['summary']}\nScan #7.\n\nDatasets:\n"
                "- /data/people.csv: 1,200 rows; tags PII_HIGH, PII; "
                "EMAIL_ADDRESS ×1200, US_SSN ×480; e.g. jane…e.com\n\n"
                "Raised by Dataward; the ticket holds no sensitive values."
            ),
            "labels": ["dataward", "PII", "PII_HIGH"],
        }
    }


def test_jira_v3_uses_document_format(recorder: Recorder) -> None:
    recorder.answer(201, {"id": "1", "key": "SEC-1"})
    jira = Jira(
        recorder.url,
        email="e@example.com",
        token="t",
        project="SEC",
        api_version=3,
        issue_type="Bug",
        priority="High",
    )
    assert jira.create(EVENT) is not None
    got = recorder.received[0]
    assert got.path == "/rest/api/3/issue"
    fields = got.json["fields"]
    assert fields["issuetype"] == {"name": "Bug"}
    assert fields["priority"] == {"name": "High"}
    desc = fields["description"]
    assert (desc["type"], desc["version"]) == ("doc", 1)
    assert desc["content"][0] == {
        "type": "paragraph",
        "content": [{"type": "text", "text": EVENT["summary"]}],
    }


def test_servicenow_incident(recorder: Recorder) -> None:
    recorder.answer(201, {"result": {"sys_id": "abc123", "number": "INC0010001"}})
    sn = ServiceNow(
        recorder.url,
        username="dataward",
        password="pw",
        assignment_group="Data Protection",
        category="security",
        urgency=1,
    )
    ticket = sn.create(EVENT)
    assert ticket == Ticket(
        "servicenow",
        "INC0010001",
        f"{recorder.url}/nav_to.do?uri=incident.do%3Fsys_id%3Dabc123",
    )
    (got,) = recorder.received
    assert (got.method, got.path) == ("POST", "/api/now/table/incident")
    assert got.headers["Authorization"] == basic("dataward", "pw")
    assert got.headers["Accept"] == "application/json"
    body = got.json
    assert set(body) == {
        "short_description",
        "description",
        "urgency",
        "impact",
        "assignment_group",
        "category",
    }
    assert body["short_description"] == f"Dataward: {EVENT['summary']}"
    assert (body["urgency"], body["impact"]) == ("1", "2")
    assert (body["assignment_group"], body["category"]) == ("Data Protection", "security")
    assert "- /data/people.csv: 1,200 rows; tags PII_HIGH, PII" in body["description"]


def test_ticket_failure_is_dead_lettered(recorder: Recorder, tmp_path: Path) -> None:
    store = open_store(f"sqlite:///{tmp_path / 's.db'}")
    try:
        recorder.default = (503, None, {})
        sn = ServiceNow(
            recorder.url,
            username="u",
            password="pw",
            tries=2,
            sleep=lambda _s: None,
            dead_letters=DeadLetters(store),
        )
        assert sn.create(EVENT) is None
        (letter,) = DeadLetters(store).list()
        assert (letter.kind, letter.target, letter.error, letter.attempts) == (
            "servicenow",
            "servicenow",
            "HTTP 503",
            2,
        )
        assert letter.payload["short_description"] == f"Dataward: {EVENT['summary']}"
        assert "pw" not in json.dumps(letter.payload)
    finally:
        store.close()


# -- configuration ------------------------------------------------------------------------------


def test_from_settings_reads_secrets_from_env(recorder: Recorder, tmp_path: Path) -> None:
    section = {
        "webhooks": [
            {"name": "ops", "url": recorder.url + "/hook", "style": "teams"},
            {"name": "chat", "url_env": "CHAT_URL", "style": "slack", "secret_env": None},
        ],
        "jira": {"base_url": recorder.url, "email": "bot@example.com", "project": "SEC"},
        "servicenow": {"base_url": recorder.url, "username": "sn", "assignment_group": "DP"},
        "retry": {"tries": 1},
    }
    env = {
        "DATAWARD_WEBHOOK_SECRET": "hook-secret",
        "CHAT_URL": recorder.url + "/chat",
        "DATAWARD_JIRA_TOKEN": "jira-token",
        "DATAWARD_SERVICENOW_PASSWORD": "sn-password",
    }
    store = open_store(f"sqlite:///{tmp_path / 's.db'}")
    try:
        integ = Integrations.from_settings(section, store, env=env)
        assert sorted(integ.by_name()) == ["chat", "jira", "ops", "servicenow"]
        recorder.answer(204)
        recorder.answer(204)
        recorder.answer(201, {"key": "SEC-3"})
        recorder.answer(201, {"result": {"sys_id": "s", "number": "INC1"}})
        outcome = integ.notify(EVENT)
        assert outcome.ok
        assert [t.key for t in outcome.tickets] == ["SEC-3", "INC1"]
        paths = [r.path for r in recorder.received]
        assert paths == ["/hook", "/chat", "/rest/api/2/issue", "/api/now/table/incident"]
        hook, chat, jira, sn = recorder.received
        assert hook.headers["X-Dataward-Signature"] == sign(
            b"hook-secret", hook.headers["X-Dataward-Timestamp"], hook.raw
        )
        assert "X-Dataward-Signature" not in chat.headers
        assert jira.headers["Authorization"] == basic("bot@example.com", "jira-token")
        assert sn.headers["Authorization"] == basic("sn", "sn-password")

        # an event without a sensitive tag goes to webhooks only
        recorder.received.clear()
        quiet = {**EVENT, "datasets": [{**EVENT["datasets"][0], "tags": ["PUBLIC"]}]}
        assert not integ.notify(quiet).tickets
        assert [r.path for r in recorder.received] == ["/hook", "/chat"]
        assert integ.replay() == {"delivered": 0, "failed": 0, "skipped": 0}
    finally:
        store.close()


def test_missing_secret_is_a_config_error() -> None:
    section = {"jira": {"base_url": "http://127.0.0.1:1", "email": "e", "project": "P"}}
    with pytest.raises(ConfigError, match="DATAWARD_JIRA_TOKEN"):
        Integrations.from_settings(section, env={})
    with pytest.raises(ValueError, match="url"):
        Integrations.from_settings({"webhooks": [{"name": "x"}]}, env={})


@pytest.mark.slow
def test_real_scan_sends_no_raw_values(recorder: Recorder, tmp_path: Path) -> None:
    from dataward.catalog import Catalog
    from dataward.classify.scan import scan
    from dataward.integrations import scan_event

    emails = [f"person{i}.surname@example.org" for i in range(60)]
    ssns = [f"{100 + i:03d}-{20 + i % 70:02d}-{1000 + i:04d}" for i in range(60)]
    data = tmp_path / "people.csv"
    data.write_text(
        "email,ssn,note\n"
        + "".join(f"{e},{s},customer called\n" for e, s in zip(emails, ssns, strict=True)),
        encoding="utf-8",
    )
    store = open_store(f"sqlite:///{tmp_path / 's.db'}")
    try:
        event = scan_event(scan([data], catalog=Catalog(store)))
    finally:
        store.close()
    assert event["datasets"][0]["tags"]
    for style in ("generic", "slack", "teams"):
        assert Webhook(recorder.url, style=style).send(event)  # type: ignore[arg-type]
    recorder.answer(201, {"key": "SEC-1"})
    assert Jira(recorder.url, email="e", token="t", project="SEC").create(event)
    recorder.answer(201, {"result": {"number": "INC1", "sys_id": "x"}})
    assert ServiceNow(recorder.url, username="u", password="p").create(event)
    sent = b"".join(r.raw for r in recorder.received).decode()
    assert "people.csv" in sent
    for value in [*emails, *ssns]:
        assert value not in sent
