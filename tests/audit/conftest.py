from __future__ import annotations

from collections.abc import Iterator

import pytest

from dataward.audit import AuditLog, Signer
from dataward.store import Store, open_store


@pytest.fixture
def store(store_url: str) -> Iterator[Store]:
    s = open_store(store_url)
    yield s
    s.close()


@pytest.fixture
def signer() -> Signer:
    return Signer.generate()


@pytest.fixture
def log(store: Store, signer: Signer) -> AuditLog:
    return AuditLog(store, signer, checkpoint_every=None)


@pytest.fixture(autouse=True)
def _close_record_logs() -> Iterator[None]:
    """``record()`` keeps its log open; close it so no connection outlives the test."""
    from dataward.audit import close_default_logs

    yield
    close_default_logs()
