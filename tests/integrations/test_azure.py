"""Azure Event Grid BlobCreated events, in both schemas, and the blobs they announce scanned
through adlfs (``abfs://``) from Azurite, Microsoft's local Azure Storage emulator (the npm
package, started here on a free port with in-memory storage)."""

from __future__ import annotations

import json
import logging
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from typing import Any

import pytest

from dataward.errors import ConfigError
from dataward.integrations.azure import (
    BlobCreated,
    parse_event_grid,
    scan_event_grid,
    validation_response,
)

EMAIL = "canary.7731@example.org"
SSN = "078-05-1120"
CSV = f"name,email,ssn\nAda Lovelace,{EMAIL},{SSN}\nBob Stone,bob@example.com,219-09-9999\n"
ACCOUNT = "devstoreaccount1"
KEY = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw=="
"""Azurite's well-known development account and key (public, in Azure's documentation)."""
TOPIC = "/subscriptions/0000/resourceGroups/rg/providers/Microsoft.Storage/storageAccounts/acct"


def grid_event(container: str, path: str, api: str = "PutBlob") -> dict[str, Any]:
    return {
        "topic": TOPIC,
        "subject": f"/blobServices/default/containers/{container}/blobs/{path}",
        "eventType": "Microsoft.Storage.BlobCreated",
        "eventTime": "2026-01-01T00:00:00Z",
        "id": "1",
        "data": {"api": api, "contentLength": 80, "blobType": "BlockBlob", "eTag": "0x1"},
        "dataVersion": "",
        "metadataVersion": "1",
    }


def test_both_schemas_parse_and_data_lake_waits_for_the_flush() -> None:
    want = [BlobCreated("acct", "landing", "crm/people.csv", "PutBlob", 80, "0x1")]
    assert parse_event_grid([grid_event("landing", "crm/people.csv")]) == want
    cloud = {
        "specversion": "1.0",
        "type": "Microsoft.Storage.BlobCreated",
        "source": TOPIC,
        "subject": "/blobServices/default/containers/landing/blobs/crm/people.csv",
        "id": "1",
        "data": {"api": "PutBlob", "contentLength": 80, "eTag": "0x1"},
    }
    assert parse_event_grid(json.dumps(cloud)) == want
    assert want[0].url == "abfs://landing/crm/people.csv"
    lake = [
        grid_event("lake", "f.csv", "CreateFile"),
        grid_event("lake", "f.csv", "FlushWithClose"),
    ]
    assert [b.api for b in parse_event_grid(lake)] == ["FlushWithClose"]
    deleted = {**grid_event("a", "b"), "eventType": "Microsoft.Storage.BlobDeleted"}
    assert parse_event_grid([deleted]) == []


def test_subscription_validation_and_bad_bodies() -> None:
    handshake = [
        {
            "eventType": "Microsoft.EventGrid.SubscriptionValidationEvent",
            "data": {"validationCode": "512d38b6"},
            "subject": "",
        }
    ]
    assert validation_response(handshake) == {"validationResponse": "512d38b6"}
    assert validation_response([grid_event("a", "b")]) is None
    with pytest.raises(ConfigError, match="must be JSON"):
        parse_event_grid(f"to {EMAIL}")
    with pytest.raises(ConfigError, match="no /containers/NAME/blobs/PATH subject") as err:
        parse_event_grid([{**grid_event("a", "b"), "subject": EMAIL}])
    assert EMAIL not in str(err.value)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def azurite() -> Iterator[str]:
    """Azurite's blob service on a free port; its connection string."""
    exe = shutil.which("azurite-blob")
    if exe is None:
        pytest.skip("Azurite is not installed (npm install -g azurite; scripts/check does it)")
    port = _free_port()
    proc = subprocess.Popen(
        [exe, "--blobHost", "127.0.0.1", "--blobPort", str(port), "--inMemoryPersistence",
         "--skipApiVersionCheck", "--silent"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )  # fmt: skip
    deadline = time.monotonic() + 30
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), 0.2).close()
            break
        except OSError:
            if time.monotonic() > deadline or proc.poll() is not None:
                proc.kill()
                raise RuntimeError("Azurite did not start") from None
            time.sleep(0.1)
    yield (
        f"DefaultEndpointsProtocol=http;AccountName={ACCOUNT};AccountKey={KEY};"
        f"BlobEndpoint=http://127.0.0.1:{port}/{ACCOUNT};"
    )
    proc.terminate()
    proc.wait(10)


def test_a_blob_created_on_azurite_is_scanned_from_its_event(
    azurite: str, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    blob = pytest.importorskip("azure.storage.blob")
    pytest.importorskip("adlfs", reason="adlfs (the cloud extra) is not installed")
    import fsspec

    monkeypatch.setenv("AZURE_STORAGE_CONNECTION_STRING", azurite)
    fsspec.filesystem("abfs").clear_instance_cache()
    caplog.set_level(logging.DEBUG, logger="dataward")
    service = blob.BlobServiceClient.from_connection_string(azurite)
    service.create_container("landing")
    service.get_blob_client("landing", "crm/people.csv").upload_blob(CSV.encode())

    result = scan_event_grid([grid_event("landing", "crm/people.csv")])
    assert not result.errors
    (dataset,) = result.datasets
    assert dataset.path == "abfs://landing/crm/people.csv"
    entities = {c.name: c.entity for c in dataset.columns}
    assert entities["email"] == "EMAIL_ADDRESS" and entities["ssn"] == "US_SSN"
    assert result.scan_id is not None
    missing = scan_event_grid([grid_event("landing", "gone.csv")], record=False)
    assert missing.datasets == [] and len(missing.errors) == 1  # fail closed, named
    shown = json.dumps([result.to_dict(), missing.errors], default=str) + caplog.text
    assert EMAIL not in shown and SSN not in shown
