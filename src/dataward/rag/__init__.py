"""Governed retrieval: what a RAG pipeline may show its caller (``docs/rag.md``).

The plain API keeps its indexes in the runtime in use (:mod:`dataward.scope`), one per store::

    import dataward.rag as rag

    rag.index(chunks, store="lancedb:/data/chunks")
    hits = rag.retrieve("refund policy", principal={"id": "ann", ...}, purpose="support", k=5)

:class:`RagIndex` is the same with the parts chosen explicitly (policy, mode, embedding).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from dataward import scope
from dataward.rag.errors import FilterCompileError, RetrievalError, UnlabelledChunkError
from dataward.rag.labels import Mode
from dataward.rag.model import Chunk, Labelled, Principal
from dataward.rag.policy import DEFAULT_POLICY, RetrievalPolicy
from dataward.rag.retrieval import RagIndex, Retrieved
from dataward.rag.stores import VectorStore

__all__ = [
    "DEFAULT_POLICY",
    "Chunk",
    "FilterCompileError",
    "Principal",
    "RagIndex",
    "RetrievalError",
    "RetrievalPolicy",
    "Retrieved",
    "UnlabelledChunkError",
    "compile_filter",
    "index",
    "retrieve",
]

_KEY = "rag.index:"
_LAST = "rag.last"


def _key(store: str | VectorStore) -> str:
    return _KEY + (store if isinstance(store, str) else f"object:{id(store)}")


def _open(store: str | VectorStore, policy: RetrievalPolicy | None, mode: Mode | None) -> RagIndex:
    here = scope.current()
    index_: RagIndex = here.get(
        _key(store),
        lambda: RagIndex(store, policy=policy, mode=mode or "enforce"),
        close=lambda ix: ix.close(),
    )
    if policy is not None:
        index_.policy = policy
    if mode is not None:
        index_.mode = mode
    here.put(_LAST, _key(store))
    return index_


def index(
    chunks: Iterable[Chunk | Mapping[str, Any]],
    *,
    store: str | VectorStore = "memory",
    policy: RetrievalPolicy | None = None,
    mode: Mode | None = None,
) -> list[Labelled]:
    """Label and store ``chunks`` in ``store`` (a spec such as ``"lancedb:PATH"`` or a store
    object), kept open in the runtime in use; mode ``enforce`` unless given."""
    return _open(store, policy, mode).index(chunks)


def retrieve(
    query: str,
    *,
    principal: Principal | Mapping[str, Any],
    purpose: str,
    k: int = 10,
    store: str | VectorStore | None = None,
) -> list[Retrieved]:
    """The ``k`` closest chunks ``principal`` may see for ``purpose`` (redacted), from ``store``
    or else the store :func:`index` used last in this runtime."""
    here = scope.current()
    key = _key(store) if store is not None else here.peek(_LAST)
    index_ = here.peek(key) if key is not None else None
    if index_ is None:
        if store is None:
            raise RetrievalError("no index in this runtime: call index(..., store=...) first")
        index_ = _open(store, None, None)
    result: list[Retrieved] = index_.retrieve(query, principal=principal, purpose=purpose, k=k)
    return result


def compile_filter(
    principal: Principal | Mapping[str, Any],
    purpose: str,
    store: str,
    policy: RetrievalPolicy | None = None,
) -> Any:
    """The policy compiled for ``principal`` and ``purpose`` in ``store``'s filter syntax
    (``lancedb``, ``qdrant``, ``chroma``, ``pgvector``, ``pinecone``, ``weaviate``,
    ``python``)."""
    from dataward.rag.dialects import compile_for

    where = (policy or RetrievalPolicy()).compile(Principal.of(principal), purpose)
    return compile_for(store, where)
