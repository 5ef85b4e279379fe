"""Index-time labels and modes, the check and masking after retrieval, audit events, fail-closed
paths, the plain API and the CLI; canaries appear nowhere they must not."""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any

import pytest

import dataward.rag as rag
from dataward.rag import RagIndex, RetrievalError, UnlabelledChunkError
from dataward.rag.model import Labelled
from dataward.rag.stores import MemoryStore
from dataward.runtime import Runtime

SSN = "078-05-1120"
EMAIL = "canary.7731@example.org"
SUPPORT = {
    "id": "svc:support-bot",
    "tenant": "acme",
    "groups": ["support"],
    "clearance": "critical",
}

CHUNKS = [
    {
        "id": "c1",
        "text": f"Customer SSN {SSN} asked for a refund",
        "tenant": "acme",
        "acl": ["support"],
        "purposes": ["support"],
    },
    {
        "id": "c2",
        "text": f"Write to {EMAIL} about the refund",
        "tenant": "acme",
        "acl": ["support"],
        "purposes": ["support"],
    },
    {
        "id": "c3",
        "text": "Refund policy: thirty days",
        "tenant": "acme",
        "acl": ["sales"],
        "purposes": ["support"],
    },
    {
        "id": "c4",
        "text": "Refund ledger for globex",
        "tenant": "globex",
        "acl": ["support"],
        "purposes": ["support"],
    },
    {
        "id": "c5",
        "text": "stripe sk_live_4eC39HqLyjWDarjtT1zdp7dc refund",
        "tenant": "acme",
        "acl": ["support"],
        "purposes": ["support"],
    },
]


def _events(runtime: Runtime) -> list[dict[str, Any]]:
    return [
        {"kind": e.kind, "actor": e.actor, **dict(e.payload or {})}
        for e in runtime.audit_log.events()
    ]


def _audit_text(runtime: Runtime) -> str:
    return json.dumps(_events(runtime), default=str)


def test_labels_come_from_the_engine() -> None:
    stored = {c.id: c for c in RagIndex().index(CHUNKS)}
    assert stored["c1"].entities == ("US_SSN",)
    assert stored["c1"].sensitivity == 4 and "GOVERNMENT_ID" in stored["c1"].categories
    assert stored["c2"].entities == ("EMAIL_ADDRESS",)
    assert "SECRET" in stored["c5"].categories
    assert stored["c3"].entities == () and stored["c3"].sensitivity == 0


def test_retrieval_returns_allowed_chunks_masked(
    runtime: Runtime, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    index = RagIndex()
    index.index(CHUNKS)
    got = index.retrieve("refund", principal=SUPPORT, purpose="support", k=10)
    assert sorted(r.id for r in got) == ["c1", "c2"]  # c3 other group, c4 other tenant, c5 secret
    text = {r.id: r.text for r in got}
    assert text["c1"] == "Customer SSN ***-**-1120 asked for a refund"
    assert EMAIL not in text["c2"] and "@example.org" in text["c2"]
    revealing = {**SUPPORT, "reveal": ["EMAIL_ADDRESS"]}
    again = {r.id: r.text for r in index.retrieve("refund", principal=revealing, purpose="support")}
    assert EMAIL in again["c2"] and SSN not in again["c1"]
    audit = _audit_text(runtime)
    assert SSN not in audit and EMAIL not in audit and "refund" not in audit.lower()
    for canary in (SSN, EMAIL):
        assert canary not in caplog.text
    events = [e for e in _events(runtime) if e["kind"] == "retrieval"]
    assert len(events) == 2 and sorted(events[0]["chunk_ids"]) == ["c1", "c2"]
    assert events[0]["redacted"] == 2 and events[1]["redacted"] == 1


def test_the_retrieval_event_names_chunks_and_decision(runtime: Runtime) -> None:
    index = RagIndex()
    index.index(CHUNKS)
    index.retrieve("refund", principal=SUPPORT, purpose="support", k=10)
    index.retrieve("refund", principal={**SUPPORT, "groups": []}, purpose="support")
    dumped = _audit_text(runtime)
    assert '"decision": "allow"' in dumped and '"decision": "deny"' in dumped
    assert '"c1"' in dumped and '"c2"' in dumped and '"c5"' not in dumped
    assert runtime.audit_log.verify().events == 2


def test_enforce_refuses_an_unlabelled_batch_and_stores_nothing() -> None:
    store = MemoryStore()
    bad = [*CHUNKS, {"id": "c9", "text": "no acl here", "tenant": "acme"}]
    with pytest.raises(UnlabelledChunkError, match="c9: no ACL") as err:
        RagIndex(store).index(bad)
    assert err.value.chunk_ids == ["c9"]
    assert store.search([1.0] * 256, 10, rag.filters.TRUE) == []

    def broken(text: str) -> list[Any]:
        raise RuntimeError(text)  # the message holds the text: it must not surface

    with pytest.raises(UnlabelledChunkError) as err2:
        RagIndex(store, detect=broken).index(CHUNKS[:1])
    assert "classification failed (RuntimeError)" in str(err2.value) and SSN not in str(err2.value)


def test_warn_indexes_unlabelled_chunks_for_auditors_only(caplog: pytest.LogCaptureFixture) -> None:
    index = RagIndex(mode="warn")
    stored = index.index([{"id": "w1", "text": f"SSN {SSN}", "tenant": "acme"}])
    assert "UNLABELLED" in stored[0].categories and stored[0].sensitivity == 4
    assert "w1 indexed as UNLABELLED: no ACL" in caplog.text and SSN not in caplog.text
    off = RagIndex(mode="off").index(
        [{"id": "o1", "text": f"SSN {SSN}", "tenant": "a", "acl": ["g"]}]
    )
    assert off[0].entities == ()


def test_an_engine_failure_after_retrieval_stops_it(runtime: Runtime) -> None:
    index = RagIndex()
    index.index(CHUNKS)

    def broken(text: str) -> list[Any]:
        raise RuntimeError(text)

    index.detect = broken
    with pytest.raises(RetrievalError, match="engine failed on chunk") as err:
        index.retrieve("refund", principal=SUPPORT, purpose="support")
    assert SSN not in str(err.value) and EMAIL not in str(err.value)
    assert '"decision": "error"' in _audit_text(runtime)


def test_a_chunk_whose_stored_labels_understate_it_is_refused_after_retrieval(
    runtime: Runtime,
) -> None:
    """The store is not trusted: a chunk stored with labels too low (as a tampered or stale
    index would hold) is judged on what its text holds now."""
    store = MemoryStore()
    index = RagIndex(store)
    low = {**SUPPORT, "clearance": "low"}
    lying = Labelled(
        id="x1",
        text=f"SSN {SSN} refund",
        vector=tuple(index.embed(["refund"])[0]),
        tenant="acme",
        source="",
        sensitivity=0,
        acl=("support",),
        purposes=("support",),
        entities=(),
        categories=(),
    )
    store.add([lying])
    assert index.retrieve("refund", principal=low, purpose="support") == []
    assert '"refused": 1' in _audit_text(runtime)


def test_the_plain_api_keeps_its_index_in_the_runtime(tmp_path: Path, runtime: Runtime) -> None:
    rag.index(CHUNKS, store=f"lancedb:{tmp_path / 'lance'}")
    got = rag.retrieve("refund", principal=SUPPORT, purpose="support", k=3)
    assert {r.id for r in got} == {"c1", "c2"}
    assert runtime.scope.peek(f"rag.index:lancedb:{tmp_path / 'lance'}") is not None


def test_retrieve_without_an_index_fails_closed() -> None:
    with pytest.raises(RetrievalError, match="no index"):
        rag.retrieve("x", principal=SUPPORT, purpose="support")


def test_cli_compile_filter(tmp_path: Path, cli: Any) -> None:
    principal = tmp_path / "p.json"
    principal.write_text(json.dumps({**SUPPORT, "clearance": "moderate", "purpose": "support"}))
    result = cli("rag", "compile-filter", "--store", "chroma", str(principal))
    assert result.code == 0, result.err
    where = json.loads(result.out)
    assert {"tenant": {"$in": ["acme"]}} in where["$and"]
    assert {"sensitivity": {"$lte": 2}} in where["$and"]
    for store in ("lancedb", "qdrant", "pgvector", "pinecone", "weaviate", "python"):
        assert cli("rag", "compile-filter", "--store", store, str(principal)).code == 0
    bad = cli("rag", "compile-filter", "--store", "milvus", str(principal))
    assert bad.code == 2 and "Unknown vector store 'milvus'" in bad.err
    missing = cli("rag", "compile-filter", "--store", "chroma", str(tmp_path / "nope.json"))
    assert missing.code == 3
    like = tmp_path / "like.cedar"
    like.write_text('permit (principal, action, resource) when { resource.source like "a*" };')
    refused = cli(
        "rag", "compile-filter", "--store", "chroma", "--policy", str(like), str(principal)
    )
    assert refused.code == 1 and "cannot be compiled" in refused.err


def test_a_policy_that_cannot_compile_stops_retrieval(runtime: Runtime) -> None:
    like = rag.RetrievalPolicy(
        'permit (principal, action, resource) when { resource.source like "kb*" };'
    )
    index = RagIndex(policy=like)
    index.index(CHUNKS)
    with pytest.raises(RetrievalError, match=r"retrieval stopped: .*cannot be compiled"):
        index.retrieve("refund", principal=SUPPORT, purpose="support")
    events = [e for e in _events(runtime) if e["kind"] == "retrieval"]
    assert [e["decision"] for e in events] == ["error"] and events[0]["chunk_ids"] == []
