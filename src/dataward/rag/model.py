"""Chunks, their labels and access attributes, and the principals who retrieve them.

Every chunk carries the same attributes (:data:`FIELDS`), so a store filter never meets a missing
field and a Cedar policy never errors on one: a chunk's labels are what the engine found in its
text (entity types, their categories, the highest sensitivity), its access attributes are what
the source says (the ACL groups mirrored from it, the tenant, the purposes it may serve).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from dataward.rag.errors import RetrievalError
from dataward.taxonomy.vocabulary import SENSITIVITIES

FieldKind = Literal["string", "long", "set"]

FIELDS: Mapping[str, FieldKind] = {
    "tenant": "string",
    "source": "string",
    "sensitivity": "long",
    "acl": "set",
    "purposes": "set",
    "entities": "set",
    "categories": "set",
}
"""The chunk attributes a policy may test, with their kind (Cedar ``String``, ``Long``,
``Set<String>``). Sensitivity is the index of a level in
:data:`dataward.taxonomy.vocabulary.SENSITIVITIES` (0 public … 4 critical)."""

UNLABELLED = "UNLABELLED"
"""The category of a chunk indexed in ``warn`` mode although the engine could not label it; it
also gets the highest sensitivity, so only callers cleared for everything see it."""


def sensitivity_level(value: str | int) -> int:
    """A sensitivity as its level: a name (``"moderate"``) or an index (``2``)."""
    if isinstance(value, bool):
        raise RetrievalError(f"sensitivity must be a level name or 0-4, not {value!r}")
    if isinstance(value, int):
        if 0 <= value < len(SENSITIVITIES):
            return value
        raise RetrievalError(f"sensitivity {value} is out of range 0-{len(SENSITIVITIES) - 1}")
    name = str(value).strip().lower()
    if name not in SENSITIVITIES:
        raise RetrievalError(f"unknown sensitivity {value!r} (known: {', '.join(SENSITIVITIES)})")
    return SENSITIVITIES.index(name)


def _strings(value: Any, what: str) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        return (value,)
    if not isinstance(value, Iterable) or not all(isinstance(v, str) for v in value):
        raise RetrievalError(f"{what} must be a list of strings")
    return tuple(sorted(set(value)))


@dataclass(frozen=True, slots=True, kw_only=True)
class Chunk:
    """A piece of text to index, with the access attributes its source gives it.

    ``labels`` may add entity types the caller knows of (they are merged with the engine's,
    never replace them)."""

    id: str
    text: str
    tenant: str = ""
    acl: tuple[str, ...] = ()
    purposes: tuple[str, ...] = ()
    source: str = ""
    labels: tuple[str, ...] = ()

    @classmethod
    def of(cls, value: Chunk | Mapping[str, Any]) -> Chunk:
        """A chunk from itself or a mapping with the same keys (``acl``/``purposes`` lists)."""
        if isinstance(value, Chunk):
            return value
        if not isinstance(value, Mapping):
            raise RetrievalError(f"a chunk is a Chunk or a mapping, not {type(value).__name__}")
        unknown = set(value) - {"id", "text", "tenant", "acl", "purposes", "source", "labels"}
        if unknown:
            raise RetrievalError(f"unknown chunk keys: {', '.join(sorted(unknown))}")
        cid, text = value.get("id"), value.get("text")
        if not isinstance(cid, str) or not cid or not isinstance(text, str):
            raise RetrievalError("a chunk needs a non-empty string 'id' and a string 'text'")
        return cls(
            id=cid,
            text=text,
            tenant=str(value.get("tenant") or ""),
            acl=_strings(value.get("acl"), "acl"),
            purposes=_strings(value.get("purposes"), "purposes"),
            source=str(value.get("source") or ""),
            labels=_strings(value.get("labels"), "labels"),
        )


@dataclass(frozen=True, slots=True, kw_only=True)
class Labelled:
    """A chunk as it is stored: its text, its vector and all of :data:`FIELDS`."""

    id: str
    text: str
    vector: tuple[float, ...]
    tenant: str
    source: str
    sensitivity: int
    acl: tuple[str, ...]
    purposes: tuple[str, ...]
    entities: tuple[str, ...]
    categories: tuple[str, ...]

    def attributes(self) -> dict[str, Any]:
        """The policy attributes (:data:`FIELDS`), sets as sorted lists."""
        return {name: _plain(getattr(self, name)) for name in FIELDS}


def _plain(value: Any) -> Any:
    return list(value) if isinstance(value, tuple) else value


@dataclass(frozen=True, slots=True, kw_only=True)
class Principal:
    """Who retrieves: the entitlements a policy compares chunk attributes with.

    ``reveal``: entity types this caller may read in clear; every other finding in a returned
    chunk is masked (a support agent sees ``***-**-1234``)."""

    id: str
    tenant: str = ""
    groups: tuple[str, ...] = ()
    clearance: int = 0
    roles: tuple[str, ...] = ()
    reveal: tuple[str, ...] = field(default=())

    @classmethod
    def of(cls, value: Principal | Mapping[str, Any]) -> Principal:
        """A principal from itself or a mapping (``PRINCIPAL.json``); ``clearance`` may be a
        level name."""
        if isinstance(value, Principal):
            return value
        if not isinstance(value, Mapping):
            raise RetrievalError(
                f"a principal is a Principal or a mapping, not {type(value).__name__}"
            )
        unknown = set(value) - {"id", "tenant", "groups", "clearance", "roles", "reveal"}
        if unknown:
            raise RetrievalError(f"unknown principal keys: {', '.join(sorted(unknown))}")
        pid = value.get("id")
        if not isinstance(pid, str) or not pid:
            raise RetrievalError("a principal needs a non-empty string 'id'")
        return cls(
            id=pid,
            tenant=str(value.get("tenant") or ""),
            groups=_strings(value.get("groups"), "groups"),
            clearance=sensitivity_level(value.get("clearance", 0)),
            roles=_strings(value.get("roles"), "roles"),
            reveal=_strings(value.get("reveal"), "reveal"),
        )

    def attributes(self) -> dict[str, Any]:
        return {
            "tenant": self.tenant,
            "groups": list(self.groups),
            "clearance": self.clearance,
            "roles": list(self.roles),
            "reveal": list(self.reveal),
        }


def strings(values: Sequence[str]) -> tuple[str, ...]:
    """``values`` deduplicated and sorted (the stored form of a set attribute)."""
    return tuple(sorted(set(values)))
