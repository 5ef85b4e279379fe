"""Detection on a generated account: every injected kind is found, benign novelties are not
alerted, approvals come from logged decisions, and the baselines survive a restart."""

from __future__ import annotations

from datetime import timedelta

from dataward.monitor import Monitor, Settings, list_alerts, parse, scenario
from dataward.monitor.detector import network, robust_z
from dataward.monitor.event import AccessEvent
from dataward.runtime import Runtime


def test_every_anomaly_kind_is_found_and_benign_novelties_are_not(
    runtime: Runtime, small_scenario: scenario.Scenario
) -> None:
    store = runtime.store
    scenario.log_approvals(store, small_scenario)
    parsed = parse("snowflake", [small_scenario.folder])
    outcome = Monitor(store).ingest(parsed)
    alerts = list_alerts(store)
    assert outcome.raised and len(alerts) == len(outcome.raised)
    by_event = {e: a for a in alerts for e in a.event_ids}
    for kind, ids in small_scenario.anomalies.items():
        assert all(i in by_event for i in ids), kind
    for kind, ids in small_scenario.benign.items():
        assert not any(i in by_event for i in ids), kind
    labelled = {i for ids in small_scenario.anomalies.values() for i in ids}
    false = [a for a in alerts if not set(a.event_ids) & labelled]
    assert len(false) <= 1, [a.summary for a in false]
    # the approval check names the decision it compared with
    job = by_event[small_scenario.anomalies["columns_outside_approval"][0]]
    signal = next(s for s in job.evidence["signals"] if s["name"] == "columns_outside_approval")
    assert signal["figures"]["decisions"] and "SSN_HASH" in signal["text"]
    assert job.severity == "high"
    sweep = by_event[small_scenario.anomalies["breadth_sweep"][0]]
    assert sweep.events >= 5  # the sweep's events merged into one alert
    assert "PROD.SALES.PATIENTS.DIAGNOSIS" in sweep.columns
    assert any("PHI" in tags for tags in sweep.evidence["tags"].values())
    sensitive = by_event[small_scenario.anomalies["sensitive_column"][0]]
    assert "SSN (PII_HIGH)" in sensitive.summary


def test_learning_period_holds_behavioural_alerts(
    runtime: Runtime, small_scenario: scenario.Scenario
) -> None:
    parsed = parse("snowflake", [small_scenario.folder])
    Monitor(runtime.store, Settings(learning_days=30)).ingest(parsed)
    alerts = list_alerts(runtime.store)
    # no approvals logged and everything within the learning period: no alert at all
    assert alerts == []


def test_state_survives_a_restart(runtime: Runtime, small_scenario: scenario.Scenario) -> None:
    parsed = parse("snowflake", [small_scenario.folder])
    events = sorted(parsed.events, key=lambda e: e.time)
    first = Monitor(runtime.store)
    first.add_tags(parsed.tags)
    first.process(events[: len(events) // 2])
    first.flush()
    again = Monitor(runtime.store)  # a new process: baselines come from the store
    assert again.state.profiles.keys() == first.state.profiles.keys()
    some = next(iter(first.state.profiles))
    assert again.state.profiles[some].objects == first.state.profiles[some].objects
    assert again.detector.tags["PROD.SALES.CUSTOMERS.SSN"] == {"PII_HIGH"}
    again.process(events[len(events) // 2 :])
    again.flush()
    split = {a.summary for a in list_alerts(runtime.store)}
    # A known principal reading its usual table after the restart is not novel.
    usual = events[-1]
    probe = AccessEvent(
        time=usual.time + timedelta(minutes=1),
        source="test",
        event_id="probe-1",
        principal=usual.principal,
        role=usual.role,
        principal_kind=usual.principal_kind,
        client=usual.client,
        ip=usual.ip,
        objects=usual.objects,
        columns=usual.columns,
        rows=usual.rows,
    )
    assert Monitor(runtime.store).detector.observe(probe) is None
    assert split  # the anomalies of the second half were still found


def test_peer_aware_new_hire_and_new_table(runtime: Runtime) -> None:
    from datetime import UTC, datetime

    mon = Monitor(runtime.store, Settings(learning_days=0))
    t0 = datetime(2026, 1, 5, 9, tzinfo=UTC)

    def ev(n: int, who: str, table: str, **kw: object) -> AccessEvent:
        return AccessEvent(
            time=t0 + timedelta(minutes=n),
            source="t",
            event_id=f"e{n}",
            principal=who,
            role="ANALYST",
            principal_kind="human",
            objects=(table,),
            columns=(f"{table}.A",),
            **kw,  # type: ignore[arg-type]
        )

    mon.process([ev(1, "ANN", "ORDERS"), ev(2, "BOB", "ORDERS")])
    assert mon.detector.observe(ev(3, "NEWBIE", "ORDERS")) is None  # reads what peers read
    judged = mon.detector.observe(ev(4, "ANN", "PAYROLL"))
    assert judged is not None and judged.kind == "new_table"


def test_robust_z_and_networks() -> None:
    z, med, mad = robust_z(100_000, [1000, 1100, 900, 1050, 950] * 5)
    assert med == 1000 and mad == 50
    assert z == 990  # scale: 10 % of the median (100) beats 1.4826 * MAD (74)
    assert network("10.1.2.3") == "10.1.2.0/24"
    assert network("2001:db8::1") == "2001:db8::/48"
    assert network("not-an-ip") is None


def test_consent_withdrawn_for_the_purpose(
    runtime: Runtime, small_scenario: scenario.Scenario
) -> None:
    from datetime import UTC, datetime

    from dataward.monitor.approvals import Approvals, load_grants
    from dataward.subjects.consent import withdraw

    store = runtime.store
    scenario.log_approvals(store, small_scenario)
    job = AccessEvent(
        time=datetime.now(UTC) - timedelta(days=1), source="t", event_id="q-before",
        principal="SVC_TRAIN_0", principal_kind="service",
        objects=("PROD.SALES.LABELS_CHURN",), columns=("PROD.SALES.LABELS_CHURN.CHURNED",),
    )  # fmt: skip
    assert Approvals(load_grants(store)).check(job) == []
    withdraw(purpose="churn_model", store=store)
    after = AccessEvent(
        time=datetime.now(UTC) + timedelta(minutes=1), source="t", event_id="q-after",
        principal="SVC_TRAIN_0", principal_kind="service", objects=job.objects, columns=job.columns,
    )  # fmt: skip
    approvals = Approvals(load_grants(store))
    assert approvals.check(job) == []  # before the withdrawal: still fine
    (violation,) = approvals.check(after)
    assert violation.name == "consent_withdrawn" and "churn_model" in violation.text
    assert violation.decisions
    # a principal with no decision, a service, reading a governed dataset
    stranger = AccessEvent(
        time=after.time, source="t", event_id="q-x", principal="SVC_OTHER",
        principal_kind="service", objects=job.objects,
    )  # fmt: skip
    assert [v.name for v in approvals.check(stranger)] == ["unapproved_principal"]


def test_state_and_alerts_on_sqlite_and_postgresql(
    store_url: str, small_scenario: scenario.Scenario
) -> None:
    from dataward.store import open_store

    store = open_store(store_url)
    try:
        scenario.log_approvals(store, small_scenario)
        parsed = parse("snowflake", [small_scenario.folder])
        Monitor(store, notify=False).ingest(parsed)
        alerts = list_alerts(store)
        assert alerts
        since = max(a.time for a in alerts)
        assert [a.time for a in list_alerts(store, since=since)] == [since]
        again = Monitor(store, notify=False)
        assert "SVC_TRAIN_1" in again.state.profiles
        assert {(a.principal, a.kind) for a in alerts} <= set(again.open)
    finally:
        store.close()


def test_an_export_ingested_twice_is_judged_once(
    runtime: Runtime, small_scenario: scenario.Scenario
) -> None:
    parsed = parse("snowflake", [small_scenario.folder])
    first = Monitor(runtime.store, notify=False).ingest(parsed)
    before = {a.id: a.events for a in list_alerts(runtime.store)}
    again = Monitor(runtime.store, notify=False).ingest(parse("snowflake", [small_scenario.folder]))
    assert first.events == len(parsed.events) and first.duplicates == 0
    assert again.events == 0 and again.duplicates == len(parsed.events)
    assert {a.id: a.events for a in list_alerts(runtime.store)} == before
    profile = Monitor(runtime.store).state.profiles["ANA_000"]
    assert profile.events == sum(1 for e in parsed.events if e.principal == "ANA_000")


def test_model_scores_are_one_more_signal_never_the_only_one(
    runtime: Runtime, small_scenario: scenario.Scenario
) -> None:
    import pytest

    pytest.importorskip("river", reason="model scores need river (the monitor extra)")
    scenario.log_approvals(runtime.store, small_scenario)
    parsed = parse("snowflake", [small_scenario.folder])
    mon = Monitor(runtime.store, Settings(model_scores=True), notify=False)
    mon.ingest(parsed)
    alerts = list_alerts(runtime.store)
    held = {e for a in alerts for e in a.event_ids}
    assert all(ids[0] in held for ids in small_scenario.anomalies.values())
    assert not any(ids[0] in held for ids in small_scenario.benign.values())
    assert mon.detector.models is not None and mon.detector.models.models  # it learnt
    for alert in alerts:
        names = [s["name"] for s in alert.evidence["signals"]]
        assert names != ["model_score"]


def test_sensitivity_from_the_catalog(runtime: Runtime, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """A table named like a scanned file takes the tags the scan gave it."""
    from datetime import UTC, datetime

    import dataward as dw

    data = tmp_path / "customers.csv"
    data.write_text(
        "id,email,ssn\n1,ann.lee@example.org,078-05-1120\n2,bob.ray@example.org,219-09-9999\n"
    )
    dw.scan([str(data)])
    mon = Monitor(runtime.store, Settings(learning_days=0), notify=False)
    assert "PII_HIGH" in mon.detector.tags["CATALOG:CUSTOMERS"]
    t0 = datetime(2026, 1, 5, 9, tzinfo=UTC)
    usual = [
        AccessEvent(time=t0 + timedelta(hours=i), source="t", event_id=f"u{i}", principal="ANN",
                    role="ANALYST", principal_kind="human", objects=("PROD.ORDERS",))
        for i in range(3)
    ]  # fmt: skip
    mon.process(usual)
    odd = AccessEvent(time=t0 + timedelta(hours=4), source="t", event_id="odd", principal="ANN",
                      role="ANALYST", principal_kind="human", objects=("PROD.CRM.CUSTOMERS",))  # fmt: skip
    judged = mon.detector.observe(odd)
    assert judged is not None and judged.kind == "new_table"
    assert "PII_HIGH" in judged.tags["PROD.CRM.CUSTOMERS"]
    assert judged.sensitivity == 2.0  # a PII_HIGH table doubles the score
