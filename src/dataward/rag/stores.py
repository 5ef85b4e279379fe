"""Vector stores behind one small interface, each queried with its own filter syntax.

:class:`VectorStore` has two verbs: ``add`` labelled chunks and ``search`` with a filter AST,
which each store compiles (:mod:`dataward.rag.dialects`) and hands to its own engine, so the
store itself never returns a forbidden chunk. Every store here searches exactly (brute force:
LanceDB without a vector index, Qdrant local mode, pgvector without an ANN index; Chroma with a
search breadth of at least the collection size), so a selective filter keeps recall: an
approximate index searched first and filtered after would return too few rows.

The store clients (``lancedb``, ``qdrant-client``, ``chromadb``, ``psycopg``) are imported when a
store is opened: install them with ``pip install 'dataward[rag]'``.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np

from dataward.rag import dialects
from dataward.rag import filters as flt
from dataward.rag.errors import RetrievalError
from dataward.rag.model import FIELDS, Labelled

_SET_FIELDS = [name for name, kind in FIELDS.items() if kind == "set"]
_IDENT = re.compile(r"[a-z_][a-z0-9_]{0,62}")


@dataclass(frozen=True, slots=True)
class Hit:
    """One chunk a store returned: its id, text, attributes and distance (lower is closer)."""

    id: str
    text: str
    attributes: dict[str, Any]
    distance: float


class VectorStore(Protocol):
    name: str

    def add(self, chunks: Sequence[Labelled]) -> None: ...

    def search(self, vector: Sequence[float], k: int, where: flt.Filter) -> list[Hit]: ...

    def close(self) -> None: ...


def _attrs(row: Any) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name, kind in FIELDS.items():
        value = row[name]
        if kind == "set":
            out[name] = sorted(v for v in (value or []) if v != dialects.CHROMA_EMPTY)
        elif kind == "long":
            out[name] = int(value)
        else:
            out[name] = str(value)
    return out


class MemoryStore:
    """Brute force in NumPy with the Python filter (:func:`dataward.rag.filters.evaluate`): the
    filter for any store without a filter language, and the reference the others match."""

    name = "python"

    def __init__(self) -> None:
        self._rows: list[Labelled] = []
        self._matrix = np.zeros((0, 0), dtype=np.float32)

    def add(self, chunks: Sequence[Labelled]) -> None:
        new = {c.id: c for c in chunks}  # a chunk indexed again replaces the old one
        self._rows = [r for r in self._rows if r.id not in new] + list(new.values())
        self._matrix = np.asarray([c.vector for c in self._rows], dtype=np.float32)

    def search(self, vector: Sequence[float], k: int, where: flt.Filter) -> list[Hit]:
        if not self._rows or where == flt.FALSE:
            return []
        keep = np.fromiter(
            (flt.evaluate(where, c.attributes()) for c in self._rows), bool, len(self._rows)
        )
        dist = 1.0 - self._matrix @ np.asarray(vector, dtype=np.float32)
        dist[~keep] = np.inf
        order = np.argsort(dist, kind="stable")[: min(k, int(keep.sum()))]
        return [
            Hit(self._rows[i].id, self._rows[i].text, self._rows[i].attributes(), float(dist[i]))
            for i in order
        ]

    def close(self) -> None:
        self._rows.clear()


class LanceStore:
    """LanceDB (embedded): a table with ``list<string>`` set columns; ``where`` is SQL applied
    before the vector search (``prefilter``); no vector index, so the search is exact."""

    name = "lancedb"

    def __init__(self, path: str, table: str = "chunks") -> None:
        import lancedb

        self._db = lancedb.connect(path)
        self._table_name = table
        self._table: Any = None
        try:
            self._table = self._db.open_table(table)
        except (ValueError, FileNotFoundError):  # no such table yet: the first add makes it
            self._table = None

    def add(self, chunks: Sequence[Labelled]) -> None:
        import pyarrow as pa

        if not chunks:
            return
        dim = len(chunks[0].vector)
        schema = pa.schema(
            [
                ("id", pa.string()),
                ("text", pa.string()),
                ("vector", pa.list_(pa.float32(), dim)),
                *[
                    (
                        n,
                        pa.list_(pa.string())
                        if k == "set"
                        else pa.int64()
                        if k == "long"
                        else pa.string(),
                    )
                    for n, k in FIELDS.items()
                ],
            ]
        )
        rows = [
            {"id": c.id, "text": c.text, "vector": list(c.vector), **c.attributes()} for c in chunks
        ]
        data = pa.Table.from_pylist(rows, schema=schema)
        if self._table is None:
            self._table = self._db.create_table(self._table_name, data=data)
        else:  # a chunk indexed again replaces the old row (its ACL may have shrunk)
            (
                self._table.merge_insert("id")
                .when_matched_update_all()
                .when_not_matched_insert_all()
                .execute(data)
            )

    def search(self, vector: Sequence[float], k: int, where: flt.Filter) -> list[Hit]:
        if self._table is None or where == flt.FALSE:
            return []
        query = self._table.search(list(vector)).distance_type("cosine").limit(k)
        if where != flt.TRUE:
            query = query.where(dialects.lancedb_where(where), prefilter=True)
        rows = query.to_list()
        return [Hit(r["id"], r["text"], _attrs(r), float(r["_distance"])) for r in rows]

    def close(self) -> None:
        self._table = None


class QdrantStore:
    """Qdrant in local mode (in memory, or a folder): set attributes are array payloads."""

    name = "qdrant"

    def __init__(self, path: str | None = None, collection: str = "chunks") -> None:
        from qdrant_client import QdrantClient

        self._client = QdrantClient(path=path) if path else QdrantClient(location=":memory:")
        self._collection = collection

    def add(self, chunks: Sequence[Labelled]) -> None:
        from qdrant_client import models

        if not chunks:
            return
        if not self._client.collection_exists(self._collection):
            self._client.create_collection(
                self._collection,
                vectors_config=models.VectorParams(
                    size=len(chunks[0].vector), distance=models.Distance.COSINE
                ),
            )
        points = [
            models.PointStruct(
                id=str(uuid.uuid5(uuid.NAMESPACE_URL, "dataward-chunk:" + c.id)),
                vector=list(c.vector),
                payload={"chunk_id": c.id, "text": c.text, **c.attributes()},
            )
            for c in chunks
        ]
        self._client.upsert(self._collection, points=points)

    def search(self, vector: Sequence[float], k: int, where: flt.Filter) -> list[Hit]:
        if where == flt.FALSE or not self._client.collection_exists(self._collection):
            return []
        result = self._client.query_points(
            self._collection,
            query=list(vector),
            query_filter=None if where == flt.TRUE else dialects.qdrant_filter(where),
            limit=k,
            with_payload=True,
        )
        return [
            Hit(p.payload["chunk_id"], p.payload["text"], _attrs(p.payload), 1.0 - float(p.score))
            for p in result.points
            if p.payload is not None
        ]

    def close(self) -> None:
        self._client.close()


class ChromaStore:
    """Chroma (in memory, or a folder): set attributes are list metadata; an empty set is stored
    as :data:`dataward.rag.dialects.CHROMA_EMPTY` (Chroma refuses empty lists). Its HNSW search
    breadth (``ef_search``) is set when the collection is made: at least the first batch's size
    or ``ef_search``, so a selective filter does not starve the walk."""

    name = "chroma"

    def __init__(
        self, path: str | None = None, collection: str = "dataward-chunks", ef_search: int = 0
    ) -> None:
        import chromadb
        from chromadb.config import Settings as ChromaSettings

        settings = ChromaSettings(anonymized_telemetry=False, allow_reset=False)
        self._client = (
            chromadb.PersistentClient(path=path, settings=settings)
            if path
            else chromadb.EphemeralClient(settings=settings)
        )
        self._name = collection
        self._collection: Any = None
        self._ef = ef_search

    def _open(self, ef: int) -> Any:
        if self._collection is None:
            self._collection = self._client.get_or_create_collection(
                self._name,
                embedding_function=None,
                configuration={"hnsw": {"space": "cosine", "ef_search": max(self._ef, ef, 100)}},
            )
        return self._collection

    def add(self, chunks: Sequence[Labelled]) -> None:
        if not chunks:
            return
        collection = self._open(len(chunks))
        metadatas = []
        for c in chunks:
            meta = c.attributes()
            for name in _SET_FIELDS:
                meta[name] = meta[name] or [dialects.CHROMA_EMPTY]
            metadatas.append(meta)
        for start in range(0, len(chunks), 4000):  # under Chroma's maximum batch size
            part = slice(start, start + 4000)
            collection.upsert(  # a chunk indexed again replaces the old one
                ids=[c.id for c in chunks[part]],
                embeddings=[list(c.vector) for c in chunks[part]],
                documents=[c.text for c in chunks[part]],
                metadatas=metadatas[part],
            )

    def search(self, vector: Sequence[float], k: int, where: flt.Filter) -> list[Hit]:
        if where == flt.FALSE or self._collection is None:
            return []
        result = self._collection.query(
            query_embeddings=[list(vector)],
            n_results=k,
            where=None if where == flt.TRUE else dialects.chroma_where(where),
            include=["documents", "metadatas", "distances"],
        )
        ids, docs = result["ids"][0], (result["documents"] or [[]])[0]
        metas, dists = (result["metadatas"] or [[]])[0], (result["distances"] or [[]])[0]
        return [
            Hit(i, d or "", _attrs(m), float(s))
            for i, d, m, s in zip(ids, docs, metas, dists, strict=True)
        ]

    def close(self) -> None:
        self._collection = None


class PgvectorStore:
    """pgvector on PostgreSQL: set attributes are ``text[]`` columns; ``WHERE`` takes its values
    as parameters; no ANN index, so ``ORDER BY embedding <=> q`` is exact."""

    name = "pgvector"

    def __init__(self, dsn: str, table: str = "dataward_chunks") -> None:
        import psycopg

        if not _IDENT.fullmatch(table):
            raise RetrievalError(f"pgvector table name must match {_IDENT.pattern}")
        self._table = table
        self._conn = psycopg.connect(dsn, autocommit=True)
        self._dim: int | None = None
        with self._conn.cursor() as cur:
            cur.execute("CREATE EXTENSION IF NOT EXISTS vector")

    def add(self, chunks: Sequence[Labelled]) -> None:
        if not chunks:
            return
        dim = len(chunks[0].vector)
        columns = ", ".join(
            f"{n} {'text[]' if k == 'set' else 'bigint' if k == 'long' else 'text'} NOT NULL"
            for n, k in FIELDS.items()
        )
        names = ", ".join(FIELDS)
        marks = ", ".join(["%s"] * (len(FIELDS) + 3))
        updates = ", ".join(f"{n} = EXCLUDED.{n}" for n in ("body", "embedding", *FIELDS))
        with self._conn.transaction(), self._conn.cursor() as cur:
            cur.execute(
                f"CREATE TABLE IF NOT EXISTS {self._table} (id text PRIMARY KEY,"
                f" body text NOT NULL, embedding vector({dim}) NOT NULL, {columns})"
            )
            cur.executemany(
                f"INSERT INTO {self._table} (id, body, embedding, {names}) VALUES ({marks})"
                f" ON CONFLICT (id) DO UPDATE SET {updates}",
                [
                    (c.id, c.text, _vector(c.vector), *[c.attributes()[n] for n in FIELDS])
                    for c in chunks
                ],
            )
        self._dim = dim

    def search(self, vector: Sequence[float], k: int, where: flt.Filter) -> list[Hit]:
        if where == flt.FALSE:
            return []
        clause, params = ("TRUE", []) if where == flt.TRUE else dialects.pgvector_where(where)
        names = ", ".join(FIELDS)
        sql = (
            f"SELECT id, body, {names}, embedding <=> %s::vector AS distance FROM {self._table}"
            f" WHERE {clause} ORDER BY distance LIMIT %s"
        )
        with self._conn.cursor() as cur:
            cur.execute(sql, [_vector(vector), *params, int(k)])
            rows = cur.fetchall()
        out = []
        for row in rows:
            attrs = dict(zip(FIELDS, row[2 : 2 + len(FIELDS)], strict=True))
            out.append(Hit(row[0], row[1], _attrs(attrs), float(row[-1])))
        return out

    def close(self) -> None:
        self._conn.close()


def _vector(values: Sequence[float]) -> str:
    return "[" + ",".join(repr(float(v)) for v in values) + "]"


def open_store(spec: str | VectorStore) -> VectorStore:
    """A store from a spec: ``memory``, ``lancedb:PATH``, ``qdrant`` or ``qdrant:PATH``,
    ``chroma`` or ``chroma:PATH``, ``pgvector:postgresql://...``; a store object as is."""
    if not isinstance(spec, str):
        return spec
    kind, _, where = spec.partition(":")
    if kind in ("memory", "python"):
        return MemoryStore()
    if kind == "lancedb" and where:
        return LanceStore(where)
    if kind == "qdrant":
        return QdrantStore(where or None)
    if kind == "chroma":
        return ChromaStore(where or None)
    if kind == "pgvector" and where:
        return PgvectorStore(where)
    raise RetrievalError(
        "unknown store spec (use memory, lancedb:PATH, qdrant[:PATH], chroma[:PATH], pgvector:DSN)"
    )
