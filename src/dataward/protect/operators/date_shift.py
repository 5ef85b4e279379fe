"""``date-shift``: move dates by a per-subject offset derived from the key, so every interval
within one subject's record (admission to discharge, birth to diagnosis) survives."""

from __future__ import annotations

import hmac
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from typing import Literal

import pyarrow as pa
import pyarrow.compute as pc

from dataward.detect.model import Finding
from dataward.errors import ConfigError, ProtectError
from dataward.protect.base import KeyedOperator, operators

_ISO = re.compile(r"\d{4}-\d{2}-\d{2}")
_DAY_US = {"s": 86_400, "ms": 86_400_000, "us": 86_400_000_000, "ns": 86_400_000_000_000}


@operators.register("date-shift")
@dataclass(frozen=True, slots=True, kw_only=True)
class DateShiftOperator(KeyedOperator):
    """Shift dates by ``d`` days, ``1 <= |d| <= max_days``, with ``d`` taken from
    HMAC(key, subject id): the same subject always moves by the same amount.

    ISO dates and datetimes (``2024-03-15``, ``2024-03-15T08:30:00+01:00``: the time stays)
    are read as they are, other layouts through ``formats`` (``strptime`` patterns). Arrow
    ``date32``/``timestamp`` arrays are shifted without parsing. Without ``subject`` every date
    moves by one offset (intervals across the whole data survive).

    >>> from dataward.keys import KeyRing
    >>> op = DateShiftOperator(keyring=KeyRing.from_secret(b"k" * 32), subject="patient-7")
    >>> admit, discharge = op.apply("2024-03-01"), op.apply("2024-03-11")
    >>> from datetime import date
    >>> (date.fromisoformat(discharge) - date.fromisoformat(admit)).days
    10
    """

    name = "date-shift"
    purpose = "date-shift"

    max_days: int = 30
    subject: str | None = None
    formats: tuple[str, ...] = ()
    on_invalid: Literal["error", "null"] = "error"

    def __post_init__(self) -> None:
        if self.max_days < 1:
            raise ConfigError("date-shift: max_days must be at least 1")
        if self.on_invalid not in ("error", "null"):
            raise ConfigError("date-shift: on_invalid must be 'error' or 'null'")

    def for_subject(self, subject: str) -> DateShiftOperator:
        """The same operator for another subject."""
        return replace(self, subject=subject)

    def shift_days(self, subject: str | None = None) -> int:
        """The offset of ``subject`` (default: this operator's), never zero."""
        subject = self.subject if subject is None else subject
        digest = hmac.digest(self.key(), (subject or "").encode(), "sha256")
        span = 2 * self.max_days
        d = int.from_bytes(digest[:8], "big") % span - self.max_days
        return d + 1 if d >= 0 else d

    def apply(self, value: str, entity: str | None = None) -> str | None:
        return self._shift(value, self.shift_days())

    def apply_many(self, values: Sequence[str], entity: str | None = None) -> list[str | None]:
        days = self.shift_days()
        return [self._shift(v, days) for v in values]

    def apply_text(self, text: str, findings: Iterable[Finding]) -> str | None:
        """Shift the date findings (``DATE_TIME``, ``DATE_OF_BIRTH``); others are left alone."""
        dated = [f for f in findings if f.entity in ("DATE_TIME", "DATE_OF_BIRTH")]
        return KeyedOperator.apply_text(self, text, dated)

    def _shift(self, value: str, days: int) -> str | None:
        text = value.strip()
        if _ISO.match(text):
            try:
                moved = date.fromisoformat(text[:10]) + timedelta(days=days)
                return moved.isoformat() + text[10:]
            except (ValueError, OverflowError):
                pass
        for fmt in self.formats:
            try:
                parsed = datetime.strptime(text, fmt)
            except ValueError:
                continue
            try:
                return (parsed + timedelta(days=days)).strftime(fmt)
            except OverflowError:
                break
        if self.on_invalid == "null":
            return None
        raise ProtectError("date-shift: a value is not a date it can read", operator=self.name)

    def apply_array(
        self,
        values: pa.Array | pa.ChunkedArray,
        findings: Sequence[Sequence[Finding]] | None = None,
        entity: str | None = None,
        *,
        subjects: pa.Array | pa.ChunkedArray | Sequence[str | None] | None = None,
    ) -> pa.Array | pa.ChunkedArray:
        """Shift an array; ``subjects`` (one id per row) gives each row its subject's offset."""
        if subjects is None and findings is None and not _is_temporal(values.type):
            return KeyedOperator.apply_array(self, values, None, entity)
        if isinstance(values, pa.ChunkedArray):
            values = values.combine_chunks()
        if subjects is None:
            ids: list[str | None] = [self.subject] * len(values)
        elif isinstance(subjects, pa.Array | pa.ChunkedArray):
            ids = subjects.to_pylist()
        else:
            ids = list(subjects)
        if len(ids) != len(values):
            raise ConfigError("date-shift: subjects must have one id per value")
        cache: dict[str | None, int] = {}
        shifts = [cache.get(s) or cache.setdefault(s, self.shift_days(s or "")) for s in ids]
        if _is_temporal(values.type):
            return _shift_temporal(values, shifts)
        texts = values.to_pylist()
        if findings is not None:
            out = [
                None if t is None else self.for_subject(s or "").apply_text(t, f)
                for t, f, s in zip(texts, findings, ids, strict=True)
            ]
        else:
            out = [
                None if t is None else self._shift(t, d) for t, d in zip(texts, shifts, strict=True)
            ]
        return pa.array(out, type=values.type)


def _is_temporal(t: pa.DataType) -> bool:
    return bool(pa.types.is_date32(t) or pa.types.is_timestamp(t))


def _shift_temporal(values: pa.Array, shifts: list[int]) -> pa.Array:
    if pa.types.is_date32(values.type):
        moved = pc.add(values.cast(pa.int32()), pa.array(shifts, pa.int32()))
        return moved.cast(pa.date32())
    unit = values.type.unit
    delta = pa.array([d * _DAY_US[unit] for d in shifts], pa.int64())
    return pc.add(values.cast(pa.int64()), delta).cast(values.type)
