"""Pinecone and Weaviate filters, checked against their documented syntax: every node is one
the docs define (Pinecone metadata filtering: ``$eq $ne $gt $gte $lt $lte $in $nin $and $or``;
Weaviate ``where`` filters: ``And Or`` with ``operands``, leaves with ``path``, ``operator`` and
one typed ``value*``), and read with the documented semantics they select exactly the chunks
the reference filter does."""

from __future__ import annotations

import itertools
from typing import Any

import pytest

from dataward.rag import RetrievalPolicy
from dataward.rag import filters as flt
from dataward.rag.dialects import compile_for, pinecone_filter, weaviate_where
from tests.rag.test_compile import CUSTOM, PRINCIPALS, _chunks

PINECONE_OPS = {"$eq", "$ne", "$gt", "$gte", "$lt", "$lte", "$in", "$nin"}
WEAVIATE_LEAF = {
    "Equal",
    "NotEqual",
    "GreaterThan",
    "GreaterThanEqual",
    "LessThan",
    "LessThanEqual",
    "ContainsAny",
    "ContainsAll",
    "ContainsNone",
}


def pinecone_eval(node: dict[str, Any], meta: dict[str, Any]) -> bool:
    """Pinecone's documented semantics; asserts the documented shape on the way."""
    assert isinstance(node, dict) and len(node) == 1
    ((key, value),) = node.items()
    if key in ("$and", "$or"):
        assert isinstance(value, list) and value
        results = [pinecone_eval(v, meta) for v in value]
        return all(results) if key == "$and" else any(results)
    assert not key.startswith("$") and isinstance(value, dict) and len(value) == 1
    ((op, arg),) = value.items()
    assert op in PINECONE_OPS
    field = meta[key]
    if op in ("$in", "$nin"):
        assert isinstance(arg, list) and all(isinstance(a, str) for a in arg)
        # "a list field matches $in when any of its values is listed" (metadata filtering docs)
        hit = bool(set(field) & set(arg)) if isinstance(field, list) else field in arg
        return hit if op == "$in" else not hit
    assert isinstance(arg, int | float) and isinstance(field, int)
    return {
        "$eq": field == arg,
        "$ne": field != arg,
        "$gt": field > arg,
        "$gte": field >= arg,
        "$lt": field < arg,
        "$lte": field <= arg,
    }[op]


def weaviate_eval(node: dict[str, Any], meta: dict[str, Any]) -> bool:
    """Weaviate's documented ``where`` semantics (text with field tokenization, text[])."""
    op = node["operator"]
    if op in ("And", "Or"):
        assert set(node) == {"operator", "operands"} and node["operands"]
        results = [weaviate_eval(v, meta) for v in node["operands"]]
        return all(results) if op == "And" else any(results)
    assert op in WEAVIATE_LEAF
    values = [k for k in node if k.startswith("value")]
    assert len(values) == 1 and set(node) == {"path", "operator", values[0]}
    assert isinstance(node["path"], list) and len(node["path"]) == 1
    field, kind, arg = meta[node["path"][0]], values[0], node[values[0]]
    if kind == "valueTextArray":
        assert op in ("ContainsAny", "ContainsAll", "ContainsNone") and isinstance(field, list)
        shared = set(field) & set(arg)
        return {
            "ContainsAny": bool(shared),
            "ContainsAll": set(arg) <= set(field),
            "ContainsNone": not shared,
        }[op]
    if kind == "valueText":
        assert op in ("Equal", "NotEqual") and isinstance(field, str)
        return (field == arg) == (op == "Equal")
    assert kind == "valueInt" and isinstance(arg, int)
    return {
        "Equal": field == arg,
        "NotEqual": field != arg,
        "GreaterThan": field > arg,
        "GreaterThanEqual": field >= arg,
        "LessThan": field < arg,
        "LessThanEqual": field <= arg,
    }[op]


@pytest.mark.parametrize("text", [None, CUSTOM], ids=["builtin", "custom"])
def test_pinecone_and_weaviate_filters_select_what_the_policy_allows(text: str | None) -> None:
    policy = RetrievalPolicy() if text is None else RetrievalPolicy(text)
    chunks = _chunks(120, seed=5)
    compared = 0
    for principal, purpose in itertools.product(PRINCIPALS, ["support", "legal"]):
        where = policy.compile(principal, purpose)
        if isinstance(where, flt.Const):
            continue
        pine, weav = pinecone_filter(where), weaviate_where(where)
        for chunk in chunks:
            expected = policy.allows(principal, purpose, chunk)
            assert pinecone_eval(pine, chunk) == expected
            assert weaviate_eval(weav, chunk) == expected
            compared += 1
    assert compared > 500


def test_constant_filters_say_all_or_none() -> None:
    assert compile_for("pinecone", flt.FALSE) == {"match": "none"}
    assert compile_for("weaviate", flt.TRUE) == {"match": "all"}
