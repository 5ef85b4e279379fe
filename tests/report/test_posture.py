"""The posture report against a store built through the SDK: every number in the JSON checked
against the store, reproducible bytes, the OSCAL validated, the Art. 30 CSV, the LLM summary
against a local stub, and no canary value anywhere a report goes."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import logging
import threading
from collections import Counter
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import Any

import pytest
import sqlalchemy as sa

from dataward.audit import merkle, open_audit_log
from dataward.catalog import Catalog
from dataward.policy.records import logged_decisions
from dataward.report import ReportError, build, load_controls, parse_frameworks
from dataward.report.evidence import gather
from dataward.report.posture import document
from dataward.report.render import render, to_art30_csv, to_oscal, validate_oscal
from dataward.report.runs import latest, publish, runs
from dataward.report.summary import llm_summarizer, metadata
from dataward.runtime import use
from tests.report.conftest import CANARIES, Built

INTERFACE = {"generated_at", "datasets", "decisions", "controls"}


def _assert_clean(text: str, where: str) -> None:
    for canary in CANARIES:
        assert canary not in text, f"{canary!r} leaked into {where}"


@pytest.fixture(scope="module")
def doc(built: Built) -> dict[str, Any]:
    with use(built.rt):
        return build(built.rt.store)


def test_every_number_matches_the_store(built: Built, doc: dict[str, Any]) -> None:
    store = built.rt.store
    with use(built.rt):
        datasets = Catalog(store).datasets()
        decisions = list(logged_decisions(store))
        log = open_audit_log(store)
        events = list(log.events())
    assert set(doc) >= INTERFACE
    ds = doc["datasets"]
    assert ds["total"] == len(datasets) == 3
    assert ds["scanned"] == 3  # all scanned within 7 days of the latest event
    sensitive = {"PII_HIGH", "PII", "PHI", "PCI", "SECRET", "CONFIDENTIAL", "FINANCIAL"}
    assert ds["sensitive"] == sum(1 for d in datasets if sensitive & set(d["tags"])) == 2
    assert ds["by_tag"] == dict(Counter(t for d in datasets for t in d["tags"]))
    assert ds["protected"] == 1  # patients.csv only
    by_path = {d["path"].rsplit("/", 1)[-1]: d for d in ds["items"]}
    assert by_path["patients.csv"]["protected"] and not by_path["cards.csv"]["protected"]
    assert "PCI" in by_path["cards.csv"]["tags"]

    assert doc["decisions"]["total"] == len(decisions) == 3
    assert doc["decisions"]["by_effect"] == dict(Counter(built.effects))
    assert doc["decisions"]["by_action"] == {"evaluate": 1, "train": 2}

    kinds = Counter(e.kind for e in events)
    assert doc["audit"]["events"] == len(events)
    assert doc["audit"]["by_kind"] == dict(kinds)
    assert doc["audit"]["verified"] is True
    assert doc["audit"]["root"] == log.head(len(events)).root.hex()
    assert doc["protect"]["runs"] == kinds["protect"] == 1
    assert doc["scans"]["total"] == len(Catalog(store).scans()) == 1
    assert doc["alerts"]["built"] and doc["alerts"]["by_severity"] == {"high": 1}
    edges = doc["lineage"]["edges"]
    mine = {"job": "protect", "input": "data/patients.csv", "output": "data/patients.protected.csv"}
    assert mine in edges
    assert len(edges) == len({(e["job"], e["input"], e["output"]) for e in edges})
    assert doc["generated_at"] == events[-1].time[:19] + "Z"


def test_controls_are_assessed_with_denominators(doc: dict[str, Any]) -> None:
    controls = {(c["framework"], c["control"]): c for c in doc["controls"]}
    assert len(controls) == len(load_controls())
    assert {c["framework"] for c in doc["controls"]} == {
        "gdpr",
        "hipaa",
        "ccpa",
        "pci",
        "eu_ai_act",
    }
    for c in doc["controls"]:
        assert c["status"] in ("met", "partial", "not_met", "not_applicable")
    pci = controls[("pci", "3.3 / 4.0 3.4.1")]
    assert pci["status"] == "not_met"  # cards.csv holds card numbers and was never protected
    assert pci["coverage"]["text"] == "0 of 1 datasets tagged PCI protected"
    art32 = controls[("gdpr", "Art. 32")]
    assert (art32["coverage"]["numerator"], art32["coverage"]["denominator"]) == (1, 2)
    assert art32["status"] == "partial"
    art10 = controls[("eu_ai_act", "Art. 10")]
    assert art10["coverage"]["text"] == "3 of 3 datasets scanned in the last 7 days"
    zip3 = controls[("hipaa", "164.514(b)(2)(i)(B) ZIP3")]
    # patients.csv's zip column was protected, but not removed or cut to ZIP3
    assert zip3["coverage"]["denominator"] == 1 and zip3["coverage"]["numerator"] == 0
    assert zip3["status"] == "partial" and "036" in zip3["note"]
    art35 = controls[("gdpr", "Art. 35")]
    assert art35["status"] == "met"  # the PHI training decision bound obligations or denied
    audit = controls[("gdpr", "Art. 5(2)")]
    assert audit["status"] == "met"


def test_evidence_carries_inclusion_proofs_that_verify(built: Built, doc: dict[str, Any]) -> None:
    with use(built.rt):
        log = open_audit_log(built.rt.store)
        root = log.head(doc["audit"]["events"]).root
        seen = 0
        for c in doc["controls"]:
            for e in c["evidence"]:
                leaf = log.event(e["event"]).leaf_hash
                assert leaf.hex() == e["leaf_hash"]
                proof = [bytes.fromhex(h) for h in e["inclusion_proof"]]
                assert merkle.verify_inclusion(leaf, e["event"], e["tree_size"], proof, root)
                seen += 1
    assert seen >= 10


def test_same_store_same_bytes_and_each_report_is_an_audit_event(built: Built) -> None:
    with use(built.rt):
        store = built.rt.store
        first_json = render(build(store), "json")
        first_oscal = render(build(store), "oscal")
        published = publish(store, first_json, fmt="json", generated_at="x")
        publish(store, first_oscal, fmt="oscal", generated_at="x")
        again_json = render(build(store), "json")
        again_oscal = render(build(store), "oscal")
        assert again_json == first_json
        assert again_oscal == first_oscal
        event = open_audit_log(store).event(published.event_index or 0)
        assert event.kind == "access"
        assert event.payload is not None
        assert hashlib.sha256(first_json).hexdigest() in event.payload["what"]
        meta, body = latest(store, "json") or (None, b"")
        assert meta is not None and body == first_json
        other = render(build(store, generated_at=_dt("2030-01-01T00:00:00Z")), "json")
        assert json.loads(other)["generated_at"] == "2030-01-01T00:00:00Z"


def _dt(text: str) -> Any:
    from datetime import datetime

    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def test_oscal_validates_and_a_broken_one_does_not(doc: dict[str, Any]) -> None:
    oscal = json.loads(to_oscal(doc))
    validate_oscal(oscal)  # compliance-trestle's models
    results = oscal["assessment-results"]["results"][0]
    assert len(results["findings"]) == len(doc["controls"])
    states = Counter(f["target"]["status"]["state"] for f in results["findings"])
    assert states["satisfied"] == sum(1 for c in doc["controls"] if c["status"] == "met")
    broken = json.loads(json.dumps(oscal))
    del broken["assessment-results"]["metadata"]["title"]
    with pytest.raises(ReportError, match="do not validate"):
        validate_oscal(broken)


def test_art30_records(doc: dict[str, Any]) -> None:
    rows = list(csv.DictReader(io.StringIO(to_art30_csv(doc))))
    names = sorted(r["dataset"].rsplit("/", 1)[-1] for r in rows)
    assert names == ["cards.csv", "patients.csv"]  # plain.csv holds no personal data
    patients = next(r for r in rows if r["dataset"].endswith("patients.csv"))
    assert "EMAIL_ADDRESS" in patients["categories_of_personal_data"]
    assert "MEDICAL_CONDITION" in patients["special_categories"]
    assert patients["protected"] == "yes"


def test_html_holds_inline_svg_and_no_network(doc: dict[str, Any]) -> None:
    html = render(doc, "html").decode()
    assert html.count("<svg") >= 6
    assert "<script" not in html
    assert "src=" not in html and "href=" not in html
    assert ">3<" in html  # the dataset count
    assert 'id="chart-lineage"' in html and "patients.protected.csv" in html


def test_frameworks_filter_and_typos(built: Built) -> None:
    with use(built.rt):
        only = build(built.rt.store, frameworks="hipaa,pci")
    assert {c["framework"] for c in only["controls"]} == {"hipaa", "pci"}
    assert parse_frameworks("PCI-DSS, eu-ai-act") == ["pci", "eu_ai_act"]
    with pytest.raises(ReportError.__mro__[1], match="unknown framework 'gdrp'"):
        parse_frameworks("gdrp")


def test_missing_subsystems_say_not_built(built: Built) -> None:
    with use(built.rt):
        facts = gather(built.rt.store)
    facts.tables = frozenset(t for t in facts.tables if not t.startswith("subject_"))
    facts.kinds = {k: v for k, v in facts.kinds.items() if k not in ("subject_erasure",)}
    doc = document(facts, ["gdpr"])
    assert doc["subjects"] == {
        "built": False,
        "note": "subjects: not built yet in this deployment",
    }
    art17 = next(c for c in doc["controls"] if c["control"] == "Art. 17")
    assert art17["status"] == "not_applicable" and "not built yet" in art17["note"]


class _Stub(BaseHTTPRequestHandler):
    seen: list[dict[str, Any]] = []  # noqa: RUF012 - one stub per test module
    reply: Any = "The estate is mostly protected."

    def do_POST(self) -> None:
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        type(self).seen.append(
            {"path": self.path, "body": body, "auth": self.headers.get("Authorization")}
        )
        reply = type(self).reply
        data = json.dumps({"choices": [{"message": {"role": "assistant", "content": reply}}]})
        status = 200 if reply is not None else 500
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(data.encode())

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def stub() -> Iterator[str]:
    server = HTTPServer(("127.0.0.1", 0), _Stub)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    _Stub.seen.clear()
    _Stub.reply = "The estate is mostly protected."
    try:
        yield f"http://127.0.0.1:{server.server_port}/v1"
    finally:
        server.shutdown()
        server.server_close()


def test_llm_summary_sends_metadata_only(built: Built, stub: str) -> None:
    with use(built.rt):
        doc = build(built.rt.store, summarize=llm_summarizer(stub, api_key="k-1"))
    assert doc["summary"] == {"text": "The estate is mostly protected.", "source": "llm"}
    (call,) = _Stub.seen
    assert call["path"] == "/v1/chat/completions" and call["auth"] == "Bearer k-1"
    sent = json.dumps(call["body"])
    _assert_clean(sent, "the LLM request")
    assert "patients" not in sent and "/data/" not in sent  # no path, no name
    assert json.loads(call["body"]["messages"][1]["content"]) == metadata(doc)
    _Stub.reply = None
    with use(built.rt), pytest.raises(ReportError, match="summary endpoint failed"):
        build(built.rt.store, summarize=llm_summarizer(stub))


def test_canaries_appear_in_no_output_row_or_log(
    built: Built, doc: dict[str, Any], caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    with use(built.rt):
        store = built.rt.store
        fresh = build(store)
        for fmt in ("json", "html", "oscal", "csv"):
            body = render(fresh, fmt)
            _assert_clean(body.decode(), fmt)
            publish(store, body, fmt=fmt, generated_at=fresh["generated_at"])
        with store.begin() as conn:
            for row in conn.execute(sa.select(runs.c.body)):
                _assert_clean(bytes(row.body).decode(), "report_runs")
        log = open_audit_log(store)
        for e in log.events():
            _assert_clean(log.canonical(e.index).decode(), f"audit event {e.index}")
    _assert_clean(caplog.text, "logs")
    _assert_clean(fresh["summary"]["text"], "summary")


def test_since_counts_activity_from_then(built: Built, doc: dict[str, Any]) -> None:
    from datetime import timedelta

    with use(built.rt):
        week = build(built.rt.store, since=timedelta(days=7))
        later = build(built.rt.store, since=_dt("2999-01-01T00:00:00Z"))
    assert week["since"] == (_dt(doc["generated_at"]) - timedelta(days=7)).strftime(
        "%Y-%m-%dT%H:%M:%SZ"
    )
    assert week["decisions"] == doc["decisions"] and week["protect"] == doc["protect"]
    assert later["decisions"]["total"] == 0 and later["protect"]["runs"] == 0
    assert later["datasets"]["total"] == doc["datasets"]["total"]  # the inventory is current


def test_zip3_rule_wants_removal(built: Built) -> None:
    from dataward.report.checks import zip3_rule

    with use(built.rt):
        facts = gather(built.rt.store)
    params = next(c for c in load_controls() if c["check"] == "zip3_rule")["params"]
    (patients,) = [d for d in facts.datasets if d.name == "patients.csv"]
    for op, status in (("redact", "met"), ("generalize", "partial"), ("token", "partial")):
        patients.protected_columns["zip"] = op
        assert zip3_rule(facts, params).status == status, op
    del patients.protected_columns["zip"]
    outcome = zip3_rule(facts, params)
    assert outcome.status == "not_met" and outcome.datasets == (patients.id,)
    assert len(params["restricted"]) == 17
