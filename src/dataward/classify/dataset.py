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

Two ways in: a column classified as a sensitive entity (its values mostly are one), and any value
found with confidence (:data:`~dataward.classify.profile.CONFIDENT_FINDING`) anywhere, however
rare: one SSN in a thousand comments makes the dataset ``PII`` and ``PII_HIGH``, one private key
``SECRET``. Column thresholds decide what a column *is*, never whether the dataset is sensitive.
Types of low sensitivity (dates, URLs) count only as columns: a timestamp in a log line does not
make the log personal data.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

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
from dataward.taxonomy import DATASET_TAGS, EntityType, Sensitivity, taxonomy

if TYPE_CHECKING:
    from dataward.classify.content import ContentResult

TAG_ORDER = tuple(DATASET_TAGS)
_ALWAYS_TAG = frozenset({"PHI", "PCI", "SECRET", "CREDENTIAL", "GOVERNMENT_ID", "SPECIAL_CATEGORY"})
"""Categories for which one confident value tags the dataset whatever the type's sensitivity."""


def dataset_tags(names: Iterable[str], where: str = "--fail-on") -> set[str]:
    """The dataset tags ``names`` spell (any case); an unknown one is a
    :class:`~dataward.errors.ConfigError` with the closest tags, never a gate that cannot
    match."""
    from dataward.errors import ConfigError
    from dataward.taxonomy import did_you_mean

    out: set[str] = set()
    for name in names:
        tag = name.strip().upper()
        if tag not in DATASET_TAGS:
            raise ConfigError(
                f"{where}: unknown tag {name!r}.{did_you_mean(name, TAG_ORDER)} "
                f"Dataset tags: {', '.join(TAG_ORDER)}",
                tag=name,
            )
        out.add(tag)
    return out


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
    content: ContentResult | None = None
    """Content classes of the dataset and its text columns (:mod:`dataward.classify.content`)."""

    @property
    def tag_names(self) -> list[str]:
        return [t.name for t in self.tags]

    def summary(self, new_rows: int | None = None) -> str:
        """One line: ``"3,450 new records in train.csv; 12% contain high-confidence PII"``, and
        ``"; sampled 10,000 of 3,450 rows"`` when the scan looked at a sample."""
        name = self.path.rstrip("/").rsplit("/", 1)[-1]
        rows = self.rows if new_rows is None else new_rows
        word = "new records" if new_rows is not None else "records"
        line = (
            f"{rows:,} {word} in {name}; {self.records.high_share:.0%} contain high-confidence PII"
        )
        if self.sampled:
            line += f"; sampled {self.records.scanned:,} of {self.rows:,} rows"
        return line

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
            "content_classes": self.content_classes(),
            "columns": [
                {**c.to_dict(), "content_classes": self.content_classes(c.name)}
                for c in self.columns
            ],
        }

    def content_classes(self, column: str | None = None) -> list[dict[str, Any]]:
        """``[{"class", "confidence", "reasons", "source", "tags"}]`` of the dataset, or of one
        of its columns."""
        if self.content is None:
            return []
        chosen = self.content.classes if column is None else self.content.columns.get(column, ())
        return [c.to_dict() for c in chosen]


def cell_scores(batch: ColumnBatch, profile: ColumnProfile) -> pa.Array | None:
    """Per row, the score of this column's cell as personal data (``None``: never)."""
    # free text, and any column where a sensitive value was found with confidence: every
    # finding in the cell counts, not only one that covers it
    any_finding = profile.kind == "free_text" or bool(profile.detected)
    if not profile.sensitive and not any_finding:
        return None
    shape = None
    if profile.method == "column-name+shape":
        from dataward.classify.names import match_rule, name_tokens

        rule = match_rule(name_tokens(profile.name))
        shape = SHAPES[rule.shape] if rule else None
    scores: list[float] = []
    for value, (entity, score, found) in zip(batch.values, batch.results, strict=True):
        s = 0.0
        if any_finding:
            s = max((sc for e, sc in found if is_sensitive(e)), default=0.0)
        if entity is not None and is_sensitive(entity):
            s = max(s, score)
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
        if col.parents is not None:
            s = _per_row(s, col.parents, rows)
        best = s if best is None else pc.max_element_wise(best, s)
    if best is None or rows == 0:
        return 0, 0
    pii = pc.sum(pc.greater_equal(best, 0.5)).as_py() or 0
    high = pc.sum(pc.greater_equal(best, HIGH_CONFIDENCE)).as_py() or 0
    return int(pii), int(high)


def _per_row(scores: pa.Array, parents: pa.Array, rows: int) -> pa.Array:
    """Element scores of a list column as row scores: the best element of each row."""
    best = pa.table({"row": parents, "s": scores}).group_by("row").aggregate([("s", "max")])
    where = pc.index_in(pa.array(range(rows), parents.type), value_set=best.column("row"))
    return pc.fill_null(pc.take(best.column("s_max"), where), 0.0).combine_chunks()


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


def _tags_of(et: EntityType) -> list[str]:
    """The dataset tags one value of entity type ``et`` calls for."""
    cats = set(et.categories)
    out: list[str] = []
    if "PHI" in cats:
        out.append("PHI")
    if "PCI" in cats:
        out.append("PCI")
    if cats & {"SECRET", "CREDENTIAL"} and "PII" not in cats:
        out.append("SECRET")
    if "PII" in cats or "GOVERNMENT_ID" in cats:
        out.append("PII")
        if et.sensitivity >= Sensitivity.HIGH:
            out.append("PII_HIGH")
        if et.name == "PASSWORD":
            out.append("SECRET")
    elif cats & SENSITIVE_CATEGORIES and not cats & {"SECRET", "CREDENTIAL", "PCI", "PHI"}:
        out.append("CONFIDENTIAL")
    return out


def _counts_alone(et: EntityType) -> bool:
    """Whether one confident value of this type tags the dataset (see the module docstring)."""
    return et.sensitivity >= Sensitivity.MODERATE or bool(_ALWAYS_TAG & set(et.categories))


def derive_tags(columns: Iterable[ColumnProfile]) -> tuple[Tag, ...]:
    """Sensitivity tags with reasons: from the taxonomy entries of sensitive columns, and of
    every sensitive value found with confidence in any column."""
    tax = taxonomy()
    found: dict[str, tuple[float, list[str]]] = {}

    def add(tag: str, conf: float, reason: str) -> None:
        c, reasons = found.get(tag, (0.0, []))
        if reason not in reasons:
            reasons.append(reason)
        found[tag] = (max(c, conf), reasons)

    columns = list(columns)
    personal: list[ColumnProfile] = []
    for col in columns:
        if not col.sensitive or col.entity is None or col.entity not in tax:
            continue
        et = tax.get(col.entity)
        level = et.sensitivity.name.lower()
        reason = f"{col.entity} in column {col.name} ({'/'.join(et.categories)}, {level})"
        tags = _tags_of(et)
        if "PII" in tags:
            personal.append(col)
        for tag in tags:
            add(tag, col.confidence, reason)
    for col in columns:
        for entity, (values, score) in col.detected.items():
            if entity not in tax or not is_sensitive(entity):
                continue
            et = tax.get(entity)
            if not _counts_alone(et):
                continue
            level = et.sensitivity.name.lower()
            reason = (
                f"{entity} found in {values:,} value{'s' if values != 1 else ''} of column "
                f"{col.name} ({'/'.join(et.categories)}, {level})"
            )
            for tag in _tags_of(et):
                if tag not in found or not any(col.name in r for r in found[tag][1]):
                    add(tag, score, reason)
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
        return (Tag("PUBLIC", 1.0, ("no sensitive value found",)),)
    return tuple(
        Tag(name, round(found[name][0], 4), tuple(found[name][1]))
        for name in TAG_ORDER
        if name in found
    )
