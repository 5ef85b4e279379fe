"""``dataward audit …`` through the real console entry point, on both stores."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from dataward.audit import close_default_logs, open_audit_log, record
from dataward.audit import tables as t
from dataward.audit.events import AccessEvent
from tests.conftest import CliResult

EMAIL = "grace.hopper@example.org"


@pytest.fixture
def seeded(store_url: str, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("DATAWARD_DATABASE_URL", store_url)
    for i in range(6):
        record(AccessEvent(what="patients", start=i), actor="svc:gateway")
    record(AccessEvent(what=f"customer {EMAIL}"), actor="user:bob", subject_id="cust-77")
    close_default_logs()
    return store_url


Cli = Callable[..., CliResult]


def test_verify_ok_then_tampered(cli: Cli, seeded: str, tmp_path: Path) -> None:
    ok = cli("audit", "verify")
    assert ok.code == 0 and ok.out.startswith("ok: 7 events")
    assert "not covered by a signed checkpoint" in ok.err
    assert cli("audit", "checkpoint").out.count("\n") == 5
    js = cli("audit", "verify", "--format", "json")
    report = json.loads(js.out)
    assert report["ok"] and report["events"] == 7 and report["signed_size"] == 7
    kept = tmp_path / "kept.checkpoint"
    kept.write_text(cli("audit", "checkpoint").out)
    assert cli("audit", "verify", "--checkpoint", str(kept)).code == 0

    log = open_audit_log()
    with log.store.begin() as conn:
        conn.execute(t.events.delete().where(t.events.c.idx == 2))
    log.store.close()
    bad = cli("audit", "verify")
    assert bad.code == 4
    assert "event 2 is missing" in bad.err
    bad = cli("audit", "verify", "--format", "json")
    assert bad.code == 4
    out = json.loads(bad.out)
    assert out["ok"] is False and out["index"] == 2 and out["check"] == "continuity"
    missing = cli("audit", "verify", "--checkpoint", str(tmp_path / "nope"))
    assert missing.code == 2 and "cannot read checkpoint file" in missing.err


def test_proof_and_offline_receipt(
    cli: Cli, seeded: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "receipt.json"
    made = cli("audit", "proof", "3", "--out", str(out))
    assert made.code == 0 and out.exists()
    key = cli("audit", "pubkey").out.strip()
    (tmp_path / "log.vkey").write_text(key + "\n")

    # offline: no store at all
    monkeypatch.setenv("DATAWARD_DATABASE_URL", "postgresql+psycopg://nobody@127.0.0.1:1/none")
    checked = cli("audit", "verify-receipt", str(out), "--key", f"@{tmp_path / 'log.vkey'}")
    assert checked.code == 0, checked.err
    assert checked.out.startswith("ok: event 3 is in the 7-event tree")
    untrusted = cli("audit", "verify-receipt", str(out), "--format", "json")
    assert json.loads(untrusted.out)["key_trusted"] is False

    receipt = json.loads(out.read_text())
    receipt["event"] = receipt["event"].replace('"from":3', '"from":4')
    receipt.pop("leaf_hash")
    out.write_text(json.dumps(receipt))
    bad = cli("audit", "verify-receipt", str(out), "--key", key)
    assert bad.code == 4 and "inclusion proof does not lead" in bad.err


def test_log_erase_and_secrets_stay_out(cli: Cli, seeded: str, tmp_path: Path) -> None:
    shown = cli("audit", "log", "--limit", "3")
    lines = [json.loads(x) for x in shown.out.splitlines()]
    assert [x["index"] for x in lines] == [4, 5, 6]
    assert lines[-1]["personal"] == "sealed" and lines[-1]["payload"] is None
    assert EMAIL not in shown.out and "cust-77" not in shown.out

    revealed = cli("audit", "log", "--start", "6", "--decrypt", "--actor", "user:dpo")
    assert json.loads(revealed.out)["payload"] == {"what": f"customer {EMAIL}"}
    after = [json.loads(x) for x in cli("audit", "log", "--start", "7").out.splitlines()]
    assert after[0]["kind"] == "access" and after[0]["actor"].startswith("subject:")
    read = cli("audit", "log", "--start", "7", "--limit", "1", "--decrypt").out
    assert json.loads(read.splitlines()[0])["actor"] == "user:dpo"

    erased = cli("audit", "erase", "--subject", "-", stdin=b"cust-77\n")
    assert erased.code == 0 and "1 event is now unreadable" in erased.out
    assert "cust-77" not in erased.out + erased.err
    gone = json.loads(cli("audit", "log", "--start", "6", "--limit", "1", "--decrypt").out)
    assert gone["personal"] == "erased" and gone["payload"] is None
    assert cli("audit", "verify").code == 0
    again = cli("audit", "erase", "--subject", "cust-77")
    assert again.code == 4 and "cust-77" not in again.err

    # nothing printed anywhere holds the private key
    pem = (tmp_path / "home" / "audit_signing.key").read_text()
    body = "".join(pem.splitlines()[1:-1])
    outputs = [
        cli("audit", "pubkey"),
        cli("audit", "pubkey", "--format", "pem"),
        cli("audit", "checkpoint"),
    ]
    for result in outputs:
        assert body not in result.out + result.err
    assert "PUBLIC KEY" in outputs[1].out


def test_usage_errors(cli: Cli, seeded: str) -> None:
    assert cli("audit", "verify", "--format", "xml").code == 2
    missing = cli("audit", "proof", "99")
    assert missing.code == 4 and "no event 99" in missing.err
