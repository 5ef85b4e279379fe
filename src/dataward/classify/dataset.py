"""Dataset classification: column profiles, per-record counts and sensitivity tags.

Tags come from the taxonomy: each sensitive column's entity categories and sensitivity give the
dataset its tags, every tag with the reasons (column, entity, categories) behind it.

- ``PHI``: an entity of category ``PHI``; identifiers beside health data are PHI too.
- ``PCI``: payment-card data (category ``PCI``).
- ``SECRET``: credentials and keys (``SECRET`` or ``CREDENTIAL``).
- ``PII_HIGH``: personal data of ``high`` or ``critical`` sensitivity (government IDs, dates of
  birth...), or three or more kinds of personal data that together single a person out.
- ``PII``: any personal data.
- ``CONFIDENTIAL``: financial data that is not personal.
- ``PUBLIC``: none of the above.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from dataward.classify.analysis import ColumnBatch
from dataward.classify.profile import (
    HIGH_CONFIDENCE,
    SENSITIVE_CATEGORIES,
    ColumnProfile,
    is_sensitive,
)
from dataward.classify.shapes import SHAPES
from dataward.taxonomy import Sensitivity, taxonomy

TAG_ORDER = ("PII_HIGH", "PHI", "PCI", "SECRET", "PII", "CONFIDENTIAL", "PUBLIC")


@dataclass(frozen=True, slots=True)
class Tag:
    name: str
    confidence: float
    reasons: tuple[str, ...]
    source: str = "scan"

    def to_dict(self) -> dict[str, Any]:
        return {
            "tag": self.name,
            "confidence": round(self.confidence, 4),
            "reasons": list(self.reasons),
            "source": self.source,
        }


@dataclass(frozen=True, slots=True)
class RecordStats:
    """Per-record counts; ``scanned`` rows were looked at, shares extrapolate to ``rows``."""

    rows: int
    scanned: int
    with_pii: int
    with_high_pii: int

    @property
    def pii_share(self) -> float:
        return self.with_pii / self.scanned if self.scanned else 0.0

    @property
    def high_share(self) -> float:
        return self.with_high_pii / self.scanned if self.scanned else 0.0

    def to_dict(self) -> dict[str, Any]:
        return {
            "rows": self.rows,
            "scanned": self.scanned,
            "with_pii": self.with_pii,
            "with_high_confidence_pii": self.with_high_pii,
            "pii_share": round(self.pii_share, 4),
            "high_confidence_pii_share": round(self.high_share, 4),
        }


@dataclass(frozen=True, slots=True)
class DatasetClassification:
    path: str
    format: str
    rows: int
    columns: tuple[ColumnProfile, ...]
    records: RecordStats
    tags: tuple[Tag, ...]
    sampled: bool
    entity_counts: Mapping[str, int] = field(default_factory=dict)
    """Estimated number of cells per predicted entity (sensitive columns only)."""

    @property
    def tag_names(self) -> list[str]:
        return [t.name for t in self.tags]

    def summary(self, new_rows: int | None = None) -> str:
        """One line: ``"3,450 new records in train.csv; 12% contain high-confidence PII"``."""
        name = self.path.rstrip("/").rsplit("/", 1)[-1]
        rows = self.rows if new_rows is None else new_rows
        word = "new records" if new_rows is not None else "records"
        return (
            f"{rows:,} {word} in {name}; {self.records.high_share:.0%} contain high-confidence PII"
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "path": self.path,
            "format": self.format,
            "rows": self.rows,
            "sampled": self.sampled,
            "tags": self.tag_names,
            "tag_details": [t.to_dict() for t in self.tags],
            "records": self.records.to_dict(),
            "entity_counts": dict(self.entity_counts),
            "columns": [c.to_dict() for c in self.columns],
        }


def cell_scores(batch: ColumnBatch, profile: ColumnProfile) -> pa.Array | None:
    """Per row, the score of this column's cell as personal data (``None``: never)."""
    if not profile.sensitive and profile.kind != "free_text":
        return None
    shape = None
    if profile.method == "column-name+shape":
        from dataward.classify.names import match_rule, name_tokens

        rule = match_rule(name_tokens(profile.name))
        shape = SHAPES[rule.shape] if rule else None
    scores: list[float] = []
    for value, (entity, score, found) in zip(batch.values, batch.results, strict=True):
        s = 0.0
        if profile.kind == "free_text":
            s = max((sc for e, sc in found if is_sensitive(e)), default=0.0)
        elif entity is not None and is_sensitive(entity):
            s = score
        if shape is not None and profile.sensitive and shape(value):
            s = max(s, profile.confidence)
        scores.append(s)
    if not any(scores):
        return None
    table = pa.array(scores, pa.float32())
    return pc.fill_null(pc.take(table, batch.indices), 0.0)


def record_counts(
    columns: Sequence[ColumnBatch], profiles: Mapping[str, ColumnProfile], rows: int
) -> tuple[int, int]:
    """(records with PII, records with high-confidence PII) in one batch."""
    best: pa.Array | None = None
    for col in columns:
        profile = profiles.get(col.name)
        if profile is None:
            continue
        s = cell_scores(col, profile)
        if s is None:
            continue
        best = s if best is None else pc.max_element_wise(best, s)
    if best is None or rows == 0:
        return 0, 0
    pii = pc.sum(pc.greater_equal(best, 0.5)).as_py() or 0
    high = pc.sum(pc.greater_equal(best, HIGH_CONFIDENCE)).as_py() or 0
    return int(pii), int(high)


_IDENTIFYING = frozenset(
    {
        "PERSON",
        "FIRST_NAME",
        "LAST_NAME",
        "STREET_ADDRESS",
        "EMAIL_ADDRESS",
        "PHONE_NUMBER",
        "DATE_OF_BIRTH",
        "POSTAL_CODE",
        "GEO_COORDINATE",
        "CITY",
        "GENDER",
        "AGE",
    }
)


def derive_tags(columns: Iterable[ColumnProfile]) -> tuple[Tag, ...]:
    """Sensitivity tags with reasons, from the taxonomy entries of sensitive columns."""
    tax = taxonomy()
    found: dict[str, tuple[float, list[str]]] = {}

    def add(tag: str, conf: float, reason: str) -> None:
        c, reasons = found.get(tag, (0.0, []))
        if reason not in reasons:
            reasons.append(reason)
        found[tag] = (max(c, conf), reasons)

    personal: list[ColumnProfile] = []
    for col in columns:
        if not col.sensitive or col.entity is None or col.entity not in tax:
            continue
        et = tax.get(col.entity)
        cats = set(et.categories)
        level = et.sensitivity.name.lower()
        reason = f"{col.entity} in column {col.name} ({'/'.join(et.categories)}, {level})"
        conf = col.confidence
        if "PHI" in cats:
            add("PHI", conf, reason)
        if "PCI" in cats:
            add("PCI", conf, reason)
        if cats & {"SECRET", "CREDENTIAL"} and "PII" not in cats:
            add("SECRET", conf, reason)
        if "PII" in cats or "GOVERNMENT_ID" in cats:
            personal.append(col)
            add("PII", conf, reason)
            if et.sensitivity >= Sensitivity.HIGH:
                add("PII_HIGH", conf, reason)
            if col.entity == "PASSWORD":
                add("SECRET", conf, reason)
        elif cats & SENSITIVE_CATEGORIES and not cats & {"SECRET", "CREDENTIAL", "PCI", "PHI"}:
            add("CONFIDENTIAL", conf, reason)
    kinds = {c.entity for c in personal if c.entity in _IDENTIFYING}
    if len(kinds) >= 3:
        conf = sorted((c.confidence for c in personal if c.entity in kinds), reverse=True)[2]
        add(
            "PII_HIGH", conf, f"{len(kinds)} identifying kinds together: {', '.join(sorted(kinds))}"
        )
    if "PHI" in found:
        for col in personal:
            add(
                "PHI",
                min(found["PHI"][0], col.confidence),
                f"{col.entity} in column {col.name} beside health data",
            )
    if not found:
        return (Tag("PUBLIC", 1.0, ("no sensitive column found",)),)
    return tuple(
        Tag(name, round(found[name][0], 4), tuple(found[name][1]))
        for name in TAG_ORDER
        if name in found
    )
