"""One signing key per deployment: two hosts on one store never fork the log."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from dataward.audit import AuditEvent, close_default_logs, open_audit_log, record
from dataward.audit.events import AccessEvent
from dataward.errors import AuditError
from dataward.keys import AUDIT
from dataward.store import open_store
from tests.conftest import CliResult


def _host(monkeypatch: pytest.MonkeyPatch, home: Path) -> None:
    close_default_logs()
    monkeypatch.setenv("DATAWARD_HOME", str(home))


def test_a_second_host_with_its_own_key_refuses_to_write(
    store_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, cli: Callable[..., CliResult]
) -> None:
    monkeypatch.setenv("DATAWARD_DATABASE_URL", store_url)
    first, second = tmp_path / "host-a", tmp_path / "host-b"
    _host(monkeypatch, first)
    record(AccessEvent(what="customer record"), actor="svc:gateway", subject_id="cust-1")
    cli("audit", "checkpoint")

    _host(monkeypatch, second)  # its own DATAWARD_HOME: a new key is created there
    with pytest.raises(AuditError, match="not the deployment's key") as info:
        record(AccessEvent(what="patients"), actor="svc:gateway")
    message = info.value.message
    assert "Copy audit_signing.key from the host that first wrote this log" in message
    assert "DATAWARD_AUDIT__SIGNING_KEY" in message and info.value.exit_code == 4
    refused = cli("audit", "checkpoint")
    assert refused.code == 4 and "not the deployment's key" in refused.err
    erase = cli("audit", "erase", "--subject", "cust-1")
    assert erase.code == 4 and "not the deployment's key" in erase.err
    decrypted = cli("audit", "log", "--decrypt")
    assert decrypted.code == 4 and "not the deployment's key" in decrypted.err

    store = open_store(store_url)
    try:
        assert open_audit_log(store).size() == 1  # nothing was forked or half-written
    finally:
        store.close()

    # the fix the message gives: point the second host at the first host's key
    monkeypatch.setenv("DATAWARD_AUDIT__SIGNING_KEY", str(first / AUDIT.file))
    close_default_logs()
    record(AccessEvent(what="patients"), actor="svc:gateway")
    assert cli("audit", "checkpoint").code == 0
    assert cli("audit", "verify", "--adopt-witness").code == 0
    assert cli("audit", "erase", "--subject", "cust-1").code == 0
    _host(monkeypatch, first)
    monkeypatch.delenv("DATAWARD_AUDIT__SIGNING_KEY")
    ok = cli("audit", "verify")
    assert ok.code == 0, ok.err
    assert ok.out.startswith("ok: 3 events")


def test_the_key_is_registered_on_the_first_write(store_url: str) -> None:
    store = open_store(store_url)
    try:
        log = open_audit_log(store)
        assert log.registered_key() is None
        log.append(AuditEvent("scan", "svc:scanner", {}))
        assert log.registered_key() == log.signer.public_key
    finally:
        store.close()
