"""The filter AST a policy compiles to, before it becomes a store's own filter syntax.

Five node kinds cover what :mod:`dataward.rag.policy` can compile soundly: constants, ``And``,
``Or``, ``Not``, ``Match`` (a string field equals one of some values, or a set field shares one
with them) and ``Cmp`` (a long field compared with a number). Every chunk has every field
(:data:`dataward.rag.model.FIELDS`), so there is no missing-field case to get wrong in a store.
:func:`evaluate` is the reference semantics: the Python filter for stores without a filter
language, and the oracle the store dialects are tested against.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

from dataward.rag.errors import FilterCompileError
from dataward.rag.model import FIELDS

CmpOp = Literal["==", "!=", "<", "<=", ">", ">="]


@dataclass(frozen=True, slots=True)
class Const:
    value: bool


@dataclass(frozen=True, slots=True)
class And:
    items: tuple[Filter, ...]


@dataclass(frozen=True, slots=True)
class Or:
    items: tuple[Filter, ...]


@dataclass(frozen=True, slots=True)
class Not:
    item: Filter


@dataclass(frozen=True, slots=True)
class Match:
    """A string field is one of ``values``; a set field holds at least one of them."""

    field: str
    values: tuple[str, ...]

    def __post_init__(self) -> None:
        if FIELDS.get(self.field) not in ("string", "set"):
            raise FilterCompileError(f"{self.field!r} is not a string or set chunk attribute")


@dataclass(frozen=True, slots=True)
class Cmp:
    """A long field compared with an integer."""

    field: str
    op: CmpOp
    value: int

    def __post_init__(self) -> None:
        if FIELDS.get(self.field) != "long":
            raise FilterCompileError(f"{self.field!r} is not a number chunk attribute")


Filter = Const | And | Or | Not | Match | Cmp

TRUE = Const(True)
FALSE = Const(False)
_FLIP: Mapping[str, CmpOp] = {"==": "!=", "!=": "==", "<": ">=", "<=": ">", ">": "<=", ">=": "<"}


def and_(*items: Filter) -> Filter:
    """The conjunction, folded: ``False`` absorbs, ``True`` drops, nested ``And`` flattens."""
    out: list[Filter] = []
    for item in items:
        if item == FALSE:
            return FALSE
        if item == TRUE:
            continue
        out.extend(item.items if isinstance(item, And) else (item,))
    if not out:
        return TRUE
    return out[0] if len(out) == 1 else And(tuple(_unique(out)))


def or_(*items: Filter) -> Filter:
    """The disjunction, folded like :func:`and_`."""
    out: list[Filter] = []
    for item in items:
        if item == TRUE:
            return TRUE
        if item == FALSE:
            continue
        out.extend(item.items if isinstance(item, Or) else (item,))
    if not out:
        return FALSE
    return out[0] if len(out) == 1 else Or(tuple(_unique(out)))


def not_(item: Filter) -> Filter:
    """The negation, pushed down to the leaves (negation normal form): stores such as Pinecone
    have no general ``not``, only negated leaves (``$nin``, ``$ne``)."""
    if isinstance(item, Const):
        return Const(not item.value)
    if isinstance(item, Not):
        return item.item
    if isinstance(item, And):
        return or_(*(not_(i) for i in item.items))
    if isinstance(item, Or):
        return and_(*(not_(i) for i in item.items))
    if isinstance(item, Cmp):
        return Cmp(item.field, _FLIP[item.op], item.value)
    if not item.values:  # matches nothing, so its negation matches everything
        return TRUE
    return Not(item)


def match(field: str, values: tuple[str, ...] | list[str]) -> Filter:
    """:class:`Match` over ``values`` deduplicated; no value matches nothing."""
    unique = tuple(sorted(set(values)))
    return Match(field, unique) if unique else FALSE


def _unique(items: list[Filter]) -> list[Filter]:
    seen: list[Filter] = []
    for item in items:
        if item not in seen:
            seen.append(item)
    return seen


def evaluate(node: Filter, attributes: Mapping[str, Any]) -> bool:
    """Whether a chunk with these attributes passes ``node`` (the reference semantics)."""
    if isinstance(node, Const):
        return node.value
    if isinstance(node, And):
        return all(evaluate(i, attributes) for i in node.items)
    if isinstance(node, Or):
        return any(evaluate(i, attributes) for i in node.items)
    if isinstance(node, Not):
        return not evaluate(node.item, attributes)
    value = attributes[node.field]
    if isinstance(node, Match):
        if FIELDS[node.field] == "set":
            return not set(value).isdisjoint(node.values)
        return value in node.values
    left, right = int(value), node.value
    return {
        "==": left == right,
        "!=": left != right,
        "<": left < right,
        "<=": left <= right,
        ">": left > right,
        ">=": left >= right,
    }[node.op]


def to_dict(node: Filter) -> Any:
    """The AST as JSON (``dataward rag compile-filter --store python``)."""
    if isinstance(node, Const):
        return node.value
    if isinstance(node, And):
        return {"and": [to_dict(i) for i in node.items]}
    if isinstance(node, Or):
        return {"or": [to_dict(i) for i in node.items]}
    if isinstance(node, Not):
        return {"not": to_dict(node.item)}
    if isinstance(node, Match):
        return {"match": {"field": node.field, "values": list(node.values)}}
    return {"cmp": {"field": node.field, "op": node.op, "value": node.value}}
