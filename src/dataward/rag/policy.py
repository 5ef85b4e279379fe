"""One Cedar policy for retrieval, compiled by partial evaluation into a filter over chunks.

The caller (principal), the action and the context (purpose) are known at query time; the chunk is
not. Cedar's partial evaluator (:func:`cedarpy.is_authorized_partial`) folds everything known and
leaves, per policy, a residual condition over ``resource.<attribute>``. :func:`compile_filter`
turns the residuals into :mod:`dataward.rag.filters`: ``(any permit) and not (any forbid)``.
Each residual operator has a rule that is exact for chunks holding every attribute of
:data:`dataward.rag.model.FIELDS` with its schema type (as indexing guarantees); an operator or
shape with no such rule (``like``, ``in``, entity references, a set compared for equality, an
unknown attribute) raises :class:`FilterCompileError`: a filter that might let a forbidden chunk
through is never produced.

The store's answer is not trusted either: :meth:`RetrievalPolicy.allows` evaluates the whole
policy again on each returned chunk (plain Cedar, no unknowns).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import cedarpy

from dataward.rag import filters as flt
from dataward.rag.errors import FilterCompileError, RetrievalError
from dataward.rag.model import FIELDS, Principal

SCHEMA = """
entity User {
  tenant: String,
  groups: Set<String>,
  clearance: Long,
  roles: Set<String>,
  reveal: Set<String>,
};
entity Chunk {
  tenant: String,
  source: String,
  sensitivity: Long,
  acl: Set<String>,
  purposes: Set<String>,
  entities: Set<String>,
  categories: Set<String>,
};
action retrieve appliesTo {
  principal: [User],
  resource: [Chunk],
  context: { purpose: String },
};
"""
"""The Cedar schema of retrieval: what a policy may read of the caller and of a chunk."""

DEFAULT_POLICY = """
@id("rag.tenant-acl-purpose-clearance")
@reason("a chunk of the caller's tenant, shared with one of the caller's groups, for a purpose
it may serve, no more sensitive than the caller's clearance")
permit (principal, action == Action::"retrieve", resource)
when {
  resource.tenant == principal.tenant &&
  resource.acl.containsAny(principal.groups) &&
  resource.purposes.contains(context.purpose) &&
  resource.sensitivity <= principal.clearance
};

@id("rag.secrets")
@reason("machine secrets reach only the security team")
forbid (principal, action, resource)
when { resource.categories.contains("SECRET") || resource.categories.contains("CREDENTIAL") }
unless { principal.roles.contains("security") };

@id("rag.unlabelled")
@reason("a chunk the engine could not label reaches only auditors")
forbid (principal, action, resource)
when { resource.categories.contains("UNLABELLED") }
unless { principal.roles.contains("auditor") };
"""
"""The built-in retrieval policy (``docs/rag.md`` explains each rule)."""


@dataclass(frozen=True, slots=True)
class _Field:
    name: str


@dataclass(frozen=True, slots=True)
class _Lit:
    value: Any


@dataclass(frozen=True, slots=True)
class _Resource:
    """``unknown("resource")``: the chunk, only usable as ``.attribute``."""


_RESOURCE = _Resource()
_Term = flt.Filter | _Field | _Lit | _Resource


class RetrievalPolicy:
    """A validated retrieval policy: compiles to filters and re-checks chunks."""

    def __init__(self, text: str = DEFAULT_POLICY, *, name: str = "builtin") -> None:
        self.name = name
        self.text = text
        try:
            result = cedarpy.validate_policies(text, SCHEMA)
        except Exception as exc:  # cedarpy raises plain exceptions on a parse error
            raise RetrievalError(f"retrieval policy {name}: does not parse ({exc})") from None
        if not result.validation_passed:
            problems = "; ".join(str(e) for e in result.errors)
            raise RetrievalError(f"retrieval policy {name}: invalid against the schema: {problems}")
        self._policies = cedarpy.PolicySet.from_str(text)  # parsed once, reused per request
        self._schema = cedarpy.Schema.from_str(SCHEMA)

    @classmethod
    def load(cls, path: Path) -> RetrievalPolicy:
        """The policy in a ``.cedar`` file."""
        try:
            text = path.read_text(encoding="utf-8")
        except OSError as exc:
            raise RetrievalError(f"cannot read retrieval policy {path}: {exc.strerror}") from None
        return cls(text, name=path.name)

    def compile(self, principal: Principal, purpose: str) -> flt.Filter:
        """The filter a chunk must pass for ``principal`` retrieving for ``purpose``."""
        request = {
            "principal": _uid("User", principal.id),
            "action": 'Action::"retrieve"',
            "resource": None,
            "context": {"purpose": purpose},
        }
        try:
            result = cedarpy.is_authorized_partial(
                request, self._policies, _entities(principal), self._schema
            )
        except Exception as exc:
            raise FilterCompileError(f"partial evaluation failed: {type(exc).__name__}") from None
        errors = result.diagnostics._diagnostics.get("errors") or []
        if errors:
            raise FilterCompileError(f"partial evaluation reported {len(errors)} error(s)")
        residuals = result.residuals
        if not residuals and result.decision != cedarpy.Decision.Deny:
            raise FilterCompileError("partial evaluation returned no residual policies")
        permits: list[flt.Filter] = []
        forbids: list[flt.Filter] = []
        for key, est in sorted(residuals.items()):
            label = est.get("annotations", {}).get("id", key)
            condition = _policy(est, label)
            (permits if est.get("effect") == "permit" else forbids).append(condition)
        return flt.and_(flt.or_(*permits), flt.not_(flt.or_(*forbids)))

    def allows(self, principal: Principal, purpose: str, chunk: Mapping[str, Any]) -> bool:
        """Whether the whole policy allows ``principal`` this chunk (attributes as
        :meth:`dataward.rag.model.Labelled.attributes`); an evaluation error denies."""
        entities = [
            *_entities(principal),
            {"uid": {"type": "Chunk", "id": "c"}, "attrs": dict(chunk), "parents": []},
        ]
        request = {
            "principal": _uid("User", principal.id),
            "action": 'Action::"retrieve"',
            "resource": 'Chunk::"c"',
            "context": {"purpose": purpose},
        }
        try:
            result = cedarpy.is_authorized(request, self._policies, entities, self._schema)
        except Exception:
            return False
        return bool(result.allowed)


def _uid(kind: str, ident: str) -> str:
    return f"{kind}::{json.dumps(ident)}"


def _entities(principal: Principal) -> list[dict[str, Any]]:
    return [
        {
            "uid": {"type": "User", "id": principal.id},
            "attrs": principal.attributes(),
            "parents": [],
        }
    ]


def _policy(est: Mapping[str, Any], label: str) -> flt.Filter:
    for scope in ("principal", "action", "resource"):
        part = est.get(scope, {})
        op = part.get("op")
        if op == "All":
            continue
        if scope == "resource" and op == "is" and part.get("entity_type") == "Chunk":
            continue
        raise FilterCompileError(f"policy {label}: {scope} scope {op!r} is not supported")
    out: flt.Filter = flt.TRUE
    for condition in est.get("conditions", []):
        body = _boolean(_term(condition["body"], label), label)
        if condition.get("kind") == "unless":
            body = flt.not_(body)
        out = flt.and_(out, body)
    return out


def _boolean(term: _Term, label: str) -> flt.Filter:
    if isinstance(term, _Lit) and isinstance(term.value, bool):
        return flt.Const(term.value)
    if isinstance(term, flt.Const | flt.And | flt.Or | flt.Not | flt.Match | flt.Cmp):
        return term
    raise FilterCompileError(f"policy {label}: a condition is not a boolean over chunk attributes")


def _literal(value: Any, label: str) -> Any:
    if isinstance(value, bool | int | str):
        return value
    raise FilterCompileError(f"policy {label}: an entity or record literal is not supported")


def _term(node: Mapping[str, Any], label: str) -> _Term:
    if len(node) != 1:
        raise FilterCompileError(f"policy {label}: unexpected residual shape")
    ((op, arg),) = node.items()
    if op == "Value":
        return _Lit(_literal(arg, label))
    if op == "Set":
        items = [_term(i, label) for i in arg]
        if not all(isinstance(i, _Lit) and isinstance(i.value, str) for i in items):
            raise FilterCompileError(f"policy {label}: only sets of string literals are supported")
        return _Lit(tuple(i.value for i in items if isinstance(i, _Lit)))
    if op == "unknown":
        names = [a.get("Value") for a in arg] if isinstance(arg, list) else []
        if names == ["resource"]:
            return _RESOURCE
        raise FilterCompileError(f"policy {label}: unknown {names!r} is not the chunk")
    if op == ".":
        left = _term(arg["left"], label)
        attr = arg["attr"]
        if not isinstance(left, _Resource):
            raise FilterCompileError(f"policy {label}: attribute .{attr} of something not a chunk")
        if attr not in FIELDS:
            raise FilterCompileError(f"policy {label}: chunks have no attribute {attr!r}")
        return _Field(attr)
    if op == "has":
        if not isinstance(_term(arg["left"], label), _Resource):
            raise FilterCompileError(f"policy {label}: 'has' on something not a chunk")
        return flt.Const(arg["attr"] in FIELDS)  # every stored chunk has exactly these
    if op == "is":
        if not isinstance(_term(arg["left"], label), _Resource) or "in" in arg:
            raise FilterCompileError(f"policy {label}: 'is' on something not a chunk")
        return flt.Const(arg.get("entity_type") == "Chunk")
    if op in ("&&", "||"):
        left_b = _boolean(_term(arg["left"], label), label)
        right_b = _boolean(_term(arg["right"], label), label)
        return flt.and_(left_b, right_b) if op == "&&" else flt.or_(left_b, right_b)
    if op == "!":
        return flt.not_(_boolean(_term(arg["arg"], label), label))
    if op == "if-then-else":
        cond = _boolean(_term(arg["if"], label), label)
        then = _boolean(_term(arg["then"], label), label)
        other = _boolean(_term(arg["else"], label), label)
        return flt.or_(flt.and_(cond, then), flt.and_(flt.not_(cond), other))
    if op in ("==", "!=", "<", "<=", ">", ">="):
        out = _compare(op, _term(arg["left"], label), _term(arg["right"], label), label)
        return out
    if op in ("contains", "containsAll", "containsAny"):
        return _contains(op, _term(arg["left"], label), _term(arg["right"], label), label)
    raise FilterCompileError(f"policy {label}: operator {op!r} cannot be compiled to a filter")


_OPS: Mapping[str, flt.CmpOp] = {
    "==": "==",
    "!=": "!=",
    "<": "<",
    "<=": "<=",
    ">": ">",
    ">=": ">=",
}
_MIRROR: Mapping[str, flt.CmpOp] = {
    "==": "==",
    "!=": "!=",
    "<": ">",
    "<=": ">=",
    ">": "<",
    ">=": "<=",
}


def _compare(op: str, left: _Term, right: _Term, label: str) -> flt.Filter:
    if isinstance(left, _Lit) and isinstance(right, _Lit):
        a, b = left.value, right.value
        if op in ("==", "!="):
            return flt.Const((a == b and type(a) is type(b)) == (op == "=="))
        numbers = all(isinstance(v, int) and not isinstance(v, bool) for v in (a, b))
        if numbers:
            return flt.Const({"<": a < b, "<=": a <= b, ">": a > b, ">=": a >= b}[op])
        raise FilterCompileError(f"policy {label}: {op} between literals of other types")
    if isinstance(left, _Lit) and isinstance(right, _Field):
        left, right, op = right, left, _MIRROR[op]
    if not (isinstance(left, _Field) and isinstance(right, _Lit)):
        raise FilterCompileError(f"policy {label}: {op} needs a chunk attribute and a literal")
    kind, value = FIELDS[left.name], right.value
    if kind == "long" and isinstance(value, int) and not isinstance(value, bool):
        return flt.Cmp(left.name, _OPS[op], value)
    if kind == "string" and isinstance(value, str) and op in ("==", "!="):
        eq = flt.match(left.name, [value])
        return eq if op == "==" else flt.not_(eq)
    raise FilterCompileError(f"policy {label}: {op} on {left.name!r} ({kind}) is not supported")


def _contains(op: str, left: _Term, right: _Term, label: str) -> flt.Filter:
    if isinstance(left, _Lit) and isinstance(right, _Lit):
        a, b = left.value, right.value
        if isinstance(a, tuple) and op == "contains":
            return flt.Const(b in a)
        if isinstance(a, tuple) and isinstance(b, tuple):
            return flt.Const(set(b) <= set(a) if op == "containsAll" else bool(set(a) & set(b)))
        raise FilterCompileError(f"policy {label}: {op} on a value that is not a set")
    if isinstance(left, _Field) and FIELDS[left.name] == "set" and isinstance(right, _Lit):
        value = right.value
        if op == "contains" and isinstance(value, str):
            return flt.match(left.name, [value])
        if op == "containsAny" and isinstance(value, tuple):
            return flt.match(left.name, list(value))
        if op == "containsAll" and isinstance(value, tuple):
            return flt.and_(*(flt.match(left.name, [v]) for v in value))
    if isinstance(left, _Lit) and isinstance(left.value, tuple) and isinstance(right, _Field):
        kind = FIELDS[right.name]
        if op == "contains" and kind == "string":
            return flt.match(right.name, list(left.value))
        if op == "containsAny" and kind == "set":
            return flt.match(right.name, list(left.value))
    raise FilterCompileError(f"policy {label}: {op} in this shape cannot be compiled")
