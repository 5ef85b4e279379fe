"""The operator contract: one value, an Arrow array of values, or text with findings.

Every operator is a frozen, keyword-only dataclass whose fields are its parameters, validated on
construction. Subclasses implement :meth:`Operator.apply` for one value; the array and text
forms are derived from it (and overridden where a faster loop exists), so all three agree.
"""

from __future__ import annotations

import dataclasses
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar

import pyarrow as pa
import pyarrow.compute as pc

from dataward.detect.model import Finding
from dataward.detect.overlaps import resolve as resolve_overlaps
from dataward.errors import ConfigError, KeyringError
from dataward.keys.ring import KeyRing
from dataward.registry import Registry

operators: Registry[Callable[..., Operator]] = Registry("operator", "dataward.operators")
"""Operator classes (or factories) by short name: ``"mask"``, ``"hash"``, ``"token"``, ..."""

_DEDUP_MIN = 4096
"""Arrays at least this long are dictionary-encoded first when that saves work."""


class Operator(ABC):
    """Protects values. ``apply`` returns ``None`` where the value becomes null."""

    __slots__ = ()

    name: ClassVar[str]
    reversible: ClassVar[bool] = False
    deterministic: ClassVar[bool] = True
    """Same parameters, key and value → same output (joins and counts survive)."""
    drops_record: ClassVar[bool] = False
    """A non-null input value means the whole record must be dropped (``suppress``)."""

    @abstractmethod
    def apply(self, value: str, entity: str | None = None) -> str | None:
        """Protect one value; ``entity`` is the value's entity type where it is known."""

    def apply_many(self, values: Sequence[str], entity: str | None = None) -> list[str | None]:
        """Protect non-null values; override for a faster loop with the same results."""
        one = self.apply
        return [one(v, entity) for v in values]

    def apply_array(
        self,
        values: pa.Array | pa.ChunkedArray,
        findings: Sequence[Sequence[Finding]] | None = None,
        entity: str | None = None,
    ) -> pa.Array | pa.ChunkedArray:
        """Protect every value of a string array (nulls stay null), or the spans of ``findings``
        (one sequence per row) when given."""
        if isinstance(values, pa.ChunkedArray):
            if findings is not None:
                return self.apply_array(values.combine_chunks(), findings, entity)
            return pa.chunked_array(
                [self.apply_array(c, None, entity) for c in values.chunks], type=values.type
            )
        if not (pa.types.is_string(values.type) or pa.types.is_large_string(values.type)):
            raise ConfigError(
                f"operator {self.name!r} works on string arrays, not {values.type}",
                operator=self.name,
            )
        if findings is not None:
            if len(findings) != len(values):
                raise ConfigError("apply_array needs one findings sequence per value")
            texts = values.to_pylist()
            out = [
                None if t is None else self.apply_text(t, f)
                for t, f in zip(texts, findings, strict=True)
            ]
            return pa.array(out, type=values.type)
        return _map_array(values, lambda vs: self.apply_many(vs, entity), dedupe=self.deterministic)

    def apply_text(self, text: str, findings: Iterable[Finding]) -> str | None:
        """Replace every finding's span (right to left) with its protected value."""
        return self.apply_text_spans(text, findings)[0]

    def apply_text_spans(
        self, text: str, findings: Iterable[Finding]
    ) -> tuple[str | None, list[Finding]]:
        """Like :meth:`apply_text`, also returning the findings moved onto the new spans."""
        # the engine's resolver: the part of a losing span that no winner covers is replaced too
        chosen = resolve_overlaps([f for f in findings if f.end > f.start], text=text)
        pieces: list[str] = []
        cursor = len(text)
        replaced: list[tuple[Finding, str]] = []
        for f in reversed(chosen):
            new = self.apply(text[f.start : f.end], f.entity)
            new = "" if new is None else new
            pieces.append(text[f.end : cursor])
            pieces.append(new)
            cursor = f.start
            replaced.append((f, new))
        pieces.append(text[:cursor])
        out = "".join(reversed(pieces))
        moved: list[Finding] = []
        shift = 0
        for f, new in reversed(replaced):
            start = f.start + shift
            moved.append(dataclasses.replace(f, start=start, end=start + len(new)))
            shift += len(new) - (f.end - f.start)
        return out, moved


def _repeats(values: pa.Array, sample: int = 1024) -> bool:
    """Whether a sample spread over ``values`` has at most half distinct values."""
    step = max(len(values) // sample, 1)
    picked = values.take(pa.array(range(0, len(values), step), pa.int64()))
    return int(pc.count_distinct(picked).as_py()) * 2 <= len(picked)


def _map_array(
    values: pa.Array,
    fn: Callable[[list[str]], list[str | None]],
    out_type: Any = None,
    *,
    dedupe: bool = True,
) -> pa.Array:
    """Apply ``fn`` to the non-null values; with ``dedupe``, repeated values are computed once
    (only for deterministic operators: a randomized one must not reveal equal inputs)."""
    out_type = values.type if out_type is None else out_type
    n = len(values)
    # Dictionary encoding costs about as much as a fast operator, so only columns whose
    # sample repeats itself (categories, names, cities) are encoded.
    if dedupe and n >= _DEDUP_MIN and _repeats(values):
        encoded = pc.dictionary_encode(values)
        if len(encoded.dictionary) * 2 <= n:
            mapped = pa.array(fn(encoded.dictionary.to_pylist()), type=out_type)
            return pc.take(mapped, encoded.indices)
    if values.null_count == 0:
        return pa.array(fn(values.to_pylist()), type=out_type)
    items = values.to_pylist()
    present = [v for v in items if v is not None]
    done = iter(fn(present))
    return pa.array([None if v is None else next(done) for v in items], type=out_type)


@dataclass(frozen=True, slots=True, kw_only=True)
class KeyedOperator(Operator):
    """An operator that needs keys: a sub-key of the ring per purpose and context.

    ``keyring`` defaults to the local key file in ``DATAWARD_HOME`` (created on first use);
    ``key_version`` defaults to the ring's primary; ``context`` separates domains (two contexts
    give unrelated outputs for the same value).
    """

    purpose: ClassVar[str]

    keyring: KeyRing | None = field(default=None, repr=False, compare=False)
    key_version: int | None = None
    context: str = ""

    def ring(self) -> KeyRing:
        if self.keyring is None:
            object.__setattr__(self, "keyring", KeyRing.load_or_create())
        assert self.keyring is not None
        return self.keyring

    def version(self) -> int:
        return self.ring().primary if self.key_version is None else self.key_version

    def key(self, length: int = 32, version: int | None = None) -> bytes:
        ring = self.ring()
        version = self.version() if version is None else version
        if version not in ring:
            raise KeyringError(
                f"operator {self.name!r}: key version {version} is not in the key ring",
                version=version,
            )
        return ring.subkey(self.purpose, version=version, context=self.context, length=length)
