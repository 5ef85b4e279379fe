"""The filter AST in each vector store's own filter syntax.

Each function takes a non-constant :data:`dataward.rag.filters.Filter` (the caller handles
``True``: no filter, and ``False``: no query at all) and returns the store's filter. Values are
never spliced into SQL unescaped: LanceDB gets quoted literals (``'`` doubled), pgvector gets
``%s`` parameters. Pinecone and Weaviate have no general negation in every version, so their
filters are built from the negation normal form :func:`dataward.rag.filters.not_` keeps
(negated leaves only: ``$nin``/``$ne``, ``ContainsNone``/``NotEqual``).
"""

from __future__ import annotations

from typing import Any

from dataward.rag import filters as flt
from dataward.rag.errors import FilterCompileError
from dataward.rag.model import FIELDS

STORES = ("lancedb", "qdrant", "chroma", "pgvector", "pinecone", "weaviate", "python")
"""The stores :func:`compile_for` knows (``python``: the AST itself, as JSON)."""

CHROMA_EMPTY = "dataward:empty"
"""Chroma refuses an empty list as metadata: an empty set attribute is stored as this one
element, which no policy may name (:func:`chroma_where` refuses it)."""

_SQL_OPS = {"==": "=", "!=": "<>", "<": "<", "<=": "<=", ">": ">", ">=": ">="}
_MONGO_OPS = {"==": "$eq", "!=": "$ne", "<": "$lt", "<=": "$lte", ">": "$gt", ">=": "$gte"}
_WEAVIATE_OPS = {
    "==": "Equal",
    "!=": "NotEqual",
    "<": "LessThan",
    "<=": "LessThanEqual",
    ">": "GreaterThan",
    ">=": "GreaterThanEqual",
}


def _constant(node: flt.Filter) -> None:
    if isinstance(node, flt.Const):
        raise FilterCompileError("a constant filter has no store syntax (match all or none)")


def _sql_string(value: str) -> str:
    if "\x00" in value:
        raise FilterCompileError("a filter value holds a NUL character")
    return "'" + value.replace("'", "''") + "'"


def lancedb_where(node: flt.Filter) -> str:
    """A LanceDB (DataFusion SQL) ``where`` clause; set attributes are ``list<string>``."""
    _constant(node)
    return _lance(node)


def _lance(node: flt.Filter) -> str:
    if isinstance(node, flt.And | flt.Or):
        joiner = " AND " if isinstance(node, flt.And) else " OR "
        return "(" + joiner.join(_lance(i) for i in node.items) + ")"
    if isinstance(node, flt.Not):
        return f"(NOT {_lance(node.item)})"
    if isinstance(node, flt.Match):
        values = ", ".join(_sql_string(v) for v in node.values)
        if FIELDS[node.field] == "set":
            return f"array_has_any({node.field}, [{values}])"
        return f"{node.field} IN ({values})"
    if isinstance(node, flt.Cmp):
        return f"{node.field} {_SQL_OPS[node.op]} {int(node.value)}"
    raise FilterCompileError("a constant inside a filter")  # folded away by filters.and_/or_


def pgvector_where(node: flt.Filter) -> tuple[str, list[Any]]:
    """A PostgreSQL ``WHERE`` clause with ``%s`` parameters (psycopg), set attributes
    ``text[]``: ``acl && %s::text[]`` is a set overlap."""
    _constant(node)
    params: list[Any] = []
    return _pg(node, params), params


def _pg(node: flt.Filter, params: list[Any]) -> str:
    if isinstance(node, flt.And | flt.Or):
        joiner = " AND " if isinstance(node, flt.And) else " OR "
        return "(" + joiner.join(_pg(i, params) for i in node.items) + ")"
    if isinstance(node, flt.Not):
        return f"(NOT {_pg(node.item, params)})"
    if isinstance(node, flt.Match):
        params.append(list(node.values))
        if FIELDS[node.field] == "set":
            return f"({node.field} && %s::text[])"
        return f"({node.field} = ANY(%s::text[]))"
    if isinstance(node, flt.Cmp):
        params.append(int(node.value))
        return f"({node.field} {_SQL_OPS[node.op]} %s)"
    raise FilterCompileError("a constant inside a filter")


def qdrant_filter(node: flt.Filter) -> Any:
    """A ``qdrant_client.models.Filter`` (``MatchAny`` on an array payload matches when any
    element is one of the values)."""
    from qdrant_client import models

    _constant(node)
    out = _qdrant(node, models)
    return out if isinstance(out, models.Filter) else models.Filter(must=[out])


def _qdrant(node: flt.Filter, models: Any) -> Any:
    if isinstance(node, flt.And):
        return models.Filter(must=[_qdrant(i, models) for i in node.items])
    if isinstance(node, flt.Or):
        return models.Filter(should=[_qdrant(i, models) for i in node.items])
    if isinstance(node, flt.Not):
        return models.Filter(must_not=[_qdrant(node.item, models)])
    if isinstance(node, flt.Match):
        return models.FieldCondition(key=node.field, match=models.MatchAny(any=list(node.values)))
    if isinstance(node, flt.Cmp):
        value = int(node.value)
        if node.op in ("==", "!="):
            cond = models.FieldCondition(key=node.field, match=models.MatchValue(value=value))
            return cond if node.op == "==" else models.Filter(must_not=[cond])
        bound = {"<": "lt", "<=": "lte", ">": "gt", ">=": "gte"}[node.op]
        return models.FieldCondition(key=node.field, range=models.Range(**{bound: value}))
    raise FilterCompileError("a constant inside a filter")


def chroma_where(node: flt.Filter) -> dict[str, Any]:
    """A Chroma ``where`` dict: set attributes are list metadata (``$contains``)."""
    _constant(node)
    return _chroma(node)


def _chroma_all(op: str, items: list[dict[str, Any]]) -> dict[str, Any]:
    return items[0] if len(items) == 1 else {op: items}


def _chroma(node: flt.Filter) -> dict[str, Any]:
    if isinstance(node, flt.And | flt.Or):
        return _chroma_all(
            "$and" if isinstance(node, flt.And) else "$or", [_chroma(i) for i in node.items]
        )
    negated = isinstance(node, flt.Not)
    leaf = node.item if isinstance(node, flt.Not) else node
    if isinstance(leaf, flt.Match):
        if CHROMA_EMPTY in leaf.values:
            raise FilterCompileError(f"the value {CHROMA_EMPTY!r} is reserved in Chroma filters")
        if FIELDS[leaf.field] == "set":
            op = "$not_contains" if negated else "$contains"
            parts = [{leaf.field: {op: v}} for v in leaf.values]
            return _chroma_all("$and" if negated else "$or", parts)
        return {leaf.field: {"$nin" if negated else "$in": list(leaf.values)}}
    if isinstance(leaf, flt.Cmp) and not negated:
        return {leaf.field: {_MONGO_OPS[leaf.op]: int(leaf.value)}}
    raise FilterCompileError("a filter shape Chroma cannot express")  # not_ never builds it


def pinecone_filter(node: flt.Filter) -> dict[str, Any]:
    """A Pinecone metadata filter: ``$in``/``$nin`` on a string or list-of-strings field (a list
    matches ``$in`` when any element is listed), ``$and``/``$or``, ``$eq``…``$lte`` on numbers."""
    _constant(node)
    return _pinecone(node)


def _pinecone(node: flt.Filter) -> dict[str, Any]:
    if isinstance(node, flt.And | flt.Or):
        return {"$and" if isinstance(node, flt.And) else "$or": [_pinecone(i) for i in node.items]}
    negated = isinstance(node, flt.Not)
    leaf = node.item if isinstance(node, flt.Not) else node
    if isinstance(leaf, flt.Match):
        return {leaf.field: {"$nin" if negated else "$in": list(leaf.values)}}
    if isinstance(leaf, flt.Cmp) and not negated:
        return {leaf.field: {_MONGO_OPS[leaf.op]: int(leaf.value)}}
    raise FilterCompileError("a filter shape Pinecone cannot express")


def weaviate_where(node: flt.Filter) -> dict[str, Any]:
    """A Weaviate ``where`` filter (REST/GraphQL JSON). String attributes are ``text``
    properties with ``field`` tokenization (whole-value equality), set attributes ``text[]``;
    a negated set match is ``ContainsNone`` (Weaviate 1.33 and later)."""
    _constant(node)
    return _weaviate(node)


def _weaviate(node: flt.Filter) -> dict[str, Any]:
    if isinstance(node, flt.And | flt.Or):
        op = "And" if isinstance(node, flt.And) else "Or"
        return {"operator": op, "operands": [_weaviate(i) for i in node.items]}
    negated = isinstance(node, flt.Not)
    leaf = node.item if isinstance(node, flt.Not) else node
    if isinstance(leaf, flt.Match):
        path = [leaf.field]
        if FIELDS[leaf.field] == "set":
            op = "ContainsNone" if negated else "ContainsAny"
            return {"path": path, "operator": op, "valueTextArray": list(leaf.values)}
        eq = "NotEqual" if negated else "Equal"
        parts = [{"path": path, "operator": eq, "valueText": v} for v in leaf.values]
        if len(parts) == 1:
            return parts[0]
        return {"operator": "And" if negated else "Or", "operands": parts}
    if isinstance(leaf, flt.Cmp) and not negated:
        return {
            "path": [leaf.field],
            "operator": _WEAVIATE_OPS[leaf.op],
            "valueInt": int(leaf.value),
        }
    raise FilterCompileError("a filter shape Weaviate cannot express")


def compile_for(store: str, node: flt.Filter) -> Any:
    """``node`` in ``store``'s syntax, as JSON-ready data (Qdrant: the model's dict; pgvector:
    ``{"where": ..., "params": [...]}``). A constant filter is ``{"match": "all"|"none"}``."""
    if store not in STORES:
        from dataward.errors import UnknownNameError

        raise UnknownNameError("vector store", store, STORES)
    if isinstance(node, flt.Const):
        return {"match": "all" if node.value else "none"}
    if store == "lancedb":
        return {"where": lancedb_where(node)}
    if store == "pgvector":
        where, params = pgvector_where(node)
        return {"where": where, "params": params}
    if store == "qdrant":
        return qdrant_filter(node).model_dump(exclude_none=True)
    if store == "chroma":
        return chroma_where(node)
    if store == "pinecone":
        return pinecone_filter(node)
    if store == "weaviate":
        return weaviate_where(node)
    return flt.to_dict(node)
