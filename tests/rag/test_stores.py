"""Each real store, queried with its own compiled filter, returns exactly the chunks the policy
allows (ranked as brute force over them ranks), and nothing when the filter matches nothing."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from dataward.rag import RagIndex, RetrievalPolicy
from dataward.rag import filters as flt
from dataward.rag.embed import HashingEmbedder
from dataward.rag.model import Labelled
from dataward.rag.stores import (
    ChromaStore,
    LanceStore,
    MemoryStore,
    PgvectorStore,
    QdrantStore,
    VectorStore,
)
from dataward.rag.synthetic import corpus

N = 160


@pytest.fixture(scope="module")
def labelled() -> list[Labelled]:
    index = RagIndex(MemoryStore(), detect=_detect)
    return index.index(corpus(N, seed=11).chunks)


def _detect(text: str) -> list[object]:
    from dataward.detect.api import detect

    return list(detect(text))


@pytest.fixture(params=["python", "lancedb", "qdrant", "chroma", "pgvector"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[VectorStore]:
    kind = request.param
    made: VectorStore
    if kind == "python":
        made = MemoryStore()
    elif kind == "lancedb":
        made = LanceStore(str(tmp_path / "lance"))
    elif kind == "qdrant":
        made = QdrantStore()
    elif kind == "chroma":
        made = ChromaStore(collection=f"t-{tmp_path.name[:40]}")
    else:
        dsn = request.getfixturevalue("pg_dsn")
        made = PgvectorStore(dsn, table=f"chunks_{abs(hash(tmp_path)) % 10**8}")
    yield made
    made.close()


def test_each_store_returns_exactly_the_allowed_chunks(
    store: VectorStore, labelled: list[Labelled]
) -> None:
    store.add(labelled)
    reference = MemoryStore()
    reference.add(labelled)
    policy = RetrievalPolicy()
    data = corpus(N, seed=11)
    query = HashingEmbedder()(["refund invoice customer"])[0].tolist()
    checked = 0
    for principal in data.principals:
        for purpose in data.purposes:
            where = policy.compile(principal, purpose)
            allowed = {c.id for c in labelled if policy.allows(principal, purpose, c.attributes())}
            got = store.search(query, N, where)
            assert {h.id for h in got} == allowed, (store.name, principal.id, purpose)
            top = store.search(query, 5, where)
            ideal = reference.search(query, 5, where)
            assert [round(h.distance, 4) for h in top] == [round(h.distance, 4) for h in ideal]
            checked += len(allowed)
    assert checked > 0
    assert store.search(query, 5, flt.FALSE) == []
    assert len(store.search(query, N, flt.TRUE)) == N


def test_quotes_in_values_stay_values(tmp_path: Path, labelled: list[Labelled]) -> None:
    """A group named with a quote neither breaks nor widens the LanceDB and pgvector filters."""
    store = LanceStore(str(tmp_path / "q"))
    store.add(labelled[:20])
    where = flt.Match("acl", ("x') OR TRUE OR ('",))
    assert store.search(np.ones(256).tolist(), 50, where) == []


def test_indexing_a_chunk_again_replaces_it(store: VectorStore, labelled: list[Labelled]) -> None:
    """A source that revokes a group re-indexes the chunk: the old, wider copy must be gone."""
    from dataclasses import replace

    first = labelled[:10]
    store.add(first)
    store.add(labelled[:2])  # the same chunks again, a second time in the same store
    revoked = [replace(c, acl=("nobody",)) for c in first[:3]]
    store.add(revoked)
    everything = store.search(first[0].vector, 50, flt.TRUE)
    assert sorted(h.id for h in everything) == sorted(c.id for c in first)
    shared = store.search(first[0].vector, 50, flt.Match("acl", ("nobody",)))
    assert sorted(h.id for h in shared) == sorted(c.id for c in revoked)
