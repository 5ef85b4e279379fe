"""``/v1/monitor`` on the real app behind uvicorn: records in, alerts out, roles, ack and
suppress audited, the canary nowhere in the answers."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest

from dataward.monitor.event import AccessEvent
from dataward.store import open_store

SSN = "078-05-1120"


@pytest.fixture
def live(tmp_path, monkeypatch):  # type: ignore[no-untyped-def]
    from dataward.server import create_app
    from dataward.server.apikeys import create_key
    from tests.server.conftest import Live, serve

    url = f"sqlite:///{tmp_path / 'svc.db'}"
    monkeypatch.setenv("DATAWARD_DATABASE_URL", url)
    store = open_store(url)
    keys = {r: create_key(store, f"t-{r}", r)[1] for r in ("steward", "pipeline", "auditor")}
    with serve(create_app(store)) as base:
        yield Live(base, store, keys)
    store.close()


def _records() -> list[dict[str, object]]:
    t0 = datetime(2026, 1, 5, 9, tzinfo=UTC)
    out = []
    for i in range(40):
        e = AccessEvent(time=t0 + timedelta(hours=8 * i), source="ocsf", event_id=f"h{i}",
                        principal="SVC_ETL", role="ETL", principal_kind="service", client="PYTHON_DRIVER",
                        ip="10.9.0.4", objects=("PROD.ORDERS",), columns=("PROD.ORDERS.ID",), rows=100)  # fmt: skip
        out.append(e.to_ocsf())
    odd = AccessEvent(time=t0 + timedelta(hours=8 * 41), source="ocsf", event_id="odd-1",
                      principal="SVC_ETL", role="ETL", principal_kind="service", client="SNOWFLAKE_UI",
                      ip="10.9.0.4", objects=("PROD.ORDERS",), columns=("PROD.ORDERS.ID",), rows=100)  # fmt: skip
    record = odd.to_ocsf()
    record["query_info"] = {"query_string": f"select id from PROD.ORDERS where ssn = '{SSN}'"}
    out.append(record)
    return out


def test_monitor_routes(live) -> None:  # type: ignore[no-untyped-def]
    with live.client("pipeline") as c:
        sent = c.post("/v1/monitor/events", json={"source": "ocsf", "records": _records()})
        assert sent.status_code == 200, sent.text
        assert sent.json()["events"] == 41 and sent.json()["alerts_raised"] == 1
        assert c.get("/v1/monitor/alerts").status_code == 403  # pipeline may not read alerts
        bad = c.post("/v1/monitor/events", json={"source": "splunk", "records": ["x"]})
        assert bad.status_code == 422 and "Unknown monitor source" in bad.json()["detail"]
    with live.client("auditor") as c:
        listed = c.get("/v1/monitor/alerts", params={"min_severity": "medium"})
        assert listed.status_code == 200
        (alert,) = listed.json()["alerts"]
        assert alert["event_ids"] == ["odd-1"] and alert["kind"] == "service_interactive"
        assert (
            c.post(f"/v1/monitor/alerts/{alert['id']}/ack", json={"reason": "x"}).status_code == 403
        )
        assert c.get("/v1/monitor/alerts", params={"min_severity": "urgent"}).status_code == 422
        one = c.get(f"/v1/monitor/alerts/{alert['id']}").json()
        assert one["evidence"]["signals"] and one["containment"]["confirm"] == "a person"
        finding = c.get(f"/v1/monitor/alerts/{alert['id']}", params={"format": "ocsf"}).json()
        assert finding["class_uid"] == 2004 and finding["finding_info"]["uid"] == alert["id"]
        assert c.get("/v1/monitor/alerts/al_nope").status_code == 404
        everything_one = json.dumps([one, finding])
        assert SSN not in everything_one
    with live.client("steward") as c:
        acked = c.post(f"/v1/monitor/alerts/{alert['id']}/ack", json={"reason": "on call looked"})
        assert acked.status_code == 200 and acked.json()["status"] == "acknowledged"
        assert c.post("/v1/monitor/alerts/al_missing/ack", json={"reason": "x"}).status_code == 404
        assert (
            c.post(f"/v1/monitor/alerts/{alert['id']}/suppress", json={"reason": ""}).status_code
            == 422
        )
        sup = c.post(
            f"/v1/monitor/alerts/{alert['id']}/suppress", json={"reason": "UI test account"}
        )
        assert sup.json()["status"] == "suppressed"
        everything = json.dumps([sent.json(), listed.json(), acked.json(), sup.json()])
    assert SSN not in everything
    # the dashboard's alerts page, for a signed-in session
    import httpx

    from dataward.server.apikeys import authenticate
    from dataward.server.sessions import open_session

    sid = open_session(live.store, authenticate(live.store, live.keys["auditor"]))  # type: ignore[arg-type]
    with httpx.Client(base_url=live.url, cookies={"dw_session": sid}) as browser:
        page = browser.get("/dashboard/monitor", params={"min_severity": "medium"})
        assert page.status_code == 200 and alert["id"] in page.text
        assert "service_interactive" in page.text and "UI test account" in page.text
        assert SSN not in page.text
    with httpx.Client(base_url=live.url) as anonymous:
        assert anonymous.get("/dashboard/monitor").status_code == 303
    from dataward.audit import open_audit_log
    from dataward.audit.events import EventKind

    kinds = [e.event() for e in open_audit_log(live.store).events() if e.kind == EventKind.ALERT]
    assert [k.action for k in kinds] == ["raised", "acknowledged", "suppressed"]  # type: ignore[attr-defined]
