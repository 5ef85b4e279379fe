"""Column profiles: statistics gathered over batches, and the decision of what a column holds.

Decision order (first that applies):

1. **UUID shape**: most values are UUIDs → ``UUID``, kind ``identifier``.
2. **Values**: the detectors cover most values of a structured column with one entity → that
   entity (method ``values``, or ``values+name`` when the column name agrees). A column name
   never overrides clear values.
3. **Column name + shape** (a labelled heuristic, modest confidence): a name rule
   (:mod:`dataward.classify.names`) whose value shape most values have. Name-only entities
   (``FIRST_NAME``, ``CITY``...) come from here when no NER detector is installed.
4. **Free text**: long, many-word values; the entity found in the most values, if frequent.
5. **Identifier**: unique, fixed-shape values with no entity (row numbers, internal keys) →
   kind ``identifier``, entity ``None``.
"""

from __future__ import annotations

import hashlib
import hmac
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from dataward.classify.analysis import ColumnBatch
from dataward.classify.names import NameRule, match_rule, name_tokens
from dataward.redaction import preview
from dataward.taxonomy import taxonomy

SENSITIVE_CATEGORIES = frozenset(
    {"PII", "PHI", "PCI", "SECRET", "CREDENTIAL", "GOVERNMENT_ID", "FINANCIAL", "SPECIAL_CATEGORY"}
)
HIGH_CONFIDENCE = 0.8
"""A cell (and so its record) holds high-confidence PII at or above this score."""
CONFIDENT_FINDING = HIGH_CONFIDENCE
"""A value found at or above this score counts in :attr:`ColumnProfile.detected`: one such
value of a sensitive type is enough to tag the dataset (:func:`dataward.classify.dataset.
derive_tags`), whatever share of the column it is."""
VALUE_SHARE = 0.5
"""Share of non-null values one entity must cover to classify a column by its values."""
NAME_SHAPE_SHARE = 0.6
"""Share of non-null values that must have a name rule's shape."""
_DISTINCT_CAP = 200_000
REFINES: dict[str, frozenset[str]] = {
    "DATE_TIME": frozenset({"DATE_OF_BIRTH", "CARD_EXPIRY"}),
    "PERSON": frozenset({"PERSON", "FIRST_NAME", "LAST_NAME"}),
    "LOCATION": frozenset(
        {"LOCATION", "CITY", "COUNTRY", "STREET_ADDRESS", "PLACE_OF_BIRTH", "NATIONALITY"}
    ),
    "STREET_ADDRESS": frozenset({"STREET_ADDRESS"}),
    "ORGANIZATION": frozenset({"ORGANIZATION"}),
}
"""A generic entity (key) that a column name may make more specific (values)."""
_EXAMPLES = 3


def is_sensitive(entity: str | None) -> bool:
    """Whether an entity type is personal, health, payment, secret or financial data."""
    if entity is None or entity not in taxonomy():
        return False
    return bool(SENSITIVE_CATEGORIES.intersection(taxonomy().get(entity).categories))


@dataclass(frozen=True, slots=True)
class ColumnProfile:
    """What one column holds. Never holds a raw value: examples are masked previews and keyed
    hashes (HMAC-SHA256 under the catalog key)."""

    name: str
    data_type: str
    entity: str | None
    """The predicted entity type, ``None`` for non-sensitive or unknown content."""
    kind: str
    """``entity``, ``free_text``, ``identifier`` or ``none``."""
    confidence: float
    method: str
    """How the entity was found: ``values``, ``values+name``, ``column-name+shape`` (heuristic),
    ``free-text``, ``uuid-shape``, ``identifier-shape`` or ``none``."""
    entities: Mapping[str, float]
    """Share of non-null values in which each entity was found (the other matches)."""
    value_share: float
    """Share of non-null values matched by the predicted entity (or its shape)."""
    null_share: float
    uniqueness: float
    """Distinct values / non-null values (estimated; exact up to 200,000 distinct values)."""
    free_text_score: float
    rows: int
    sensitive: bool
    examples: tuple[str, ...] = ()
    hashes: tuple[str, ...] = ()
    reasons: tuple[str, ...] = field(default=())
    detected: Mapping[str, tuple[int, float]] = field(default_factory=dict)
    """Per entity found with confidence (score >= :data:`CONFIDENT_FINDING`) in any value of
    the column, however rare: (values it was found in, best score)."""

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "entity": self.entity,
            "confidence": round(self.confidence, 4),
            "kind": self.kind,
            "method": self.method,
            "sensitive": self.sensitive,
            "data_type": self.data_type,
            "value_share": round(self.value_share, 4),
            "null_share": round(self.null_share, 4),
            "uniqueness": round(self.uniqueness, 4),
            "free_text_score": round(self.free_text_score, 4),
            "entities": {k: round(v, 4) for k, v in self.entities.items()},
            "rows": self.rows,
            "examples": list(self.examples),
            "detected": {
                e: {"values": n, "score": round(sc, 4)} for e, (n, sc) in self.detected.items()
            },
        }


class ColumnStats:
    """Statistics of one column accumulated over batches."""

    def __init__(self, name: str, data_type: str) -> None:
        self.name = name
        self.data_type = data_type
        self.rule: NameRule | None = match_rule(name_tokens(name))
        self.rows = 0
        self.nulls = 0
        self.cover: Counter[str] = Counter()
        self.cover_score: Counter[str] = Counter()
        self.found: Counter[str] = Counter()
        self.confident: Counter[str] = Counter()
        """Values with a finding of each entity at or above :data:`CONFIDENT_FINDING`."""
        self.best: dict[str, float] = {}
        self.shape_ok = 0
        self.uuid = 0
        self.signatures: Counter[str] = Counter()
        self.lengths: Counter[int] = Counter()
        self.words = 0
        self.alpha_words = 0
        self.chars = 0
        self.integers = 0
        self.distinct: set[int] = set()
        self.saturated = False
        self.examples: list[str] = []

    @property
    def nonnull(self) -> int:
        return self.rows - self.nulls

    def add(self, batch: ColumnBatch) -> None:
        self.rows += batch.rows
        self.nulls += batch.nulls
        facts = batch.facts
        cover, cover_score, found = self.cover, self.cover_score, self.found
        confident, best = self.confident, self.best
        signatures, lengths, distinct = self.signatures, self.lengths, self.distinct
        for value, count, (entity, score, names), (
            shape_ok,
            uuid,
            sig,
            length,
            words,
            alpha,
            digit,
        ) in zip(batch.values, batch.counts, batch.results, facts, strict=True):
            if entity is not None:
                cover[entity] += count
                cover_score[entity] += score * count  # type: ignore[assignment]
            for name, score_ in names:
                found[name] += count
                if score_ >= CONFIDENT_FINDING:
                    confident[name] += count
                    if score_ > best.get(name, 0.0):
                        best[name] = score_
            if shape_ok:
                self.shape_ok += count
            if uuid:
                self.uuid += count
            if len(signatures) < 64 or sig in signatures:
                signatures[sig] += count
            lengths[length] += count
            self.words += words * count
            self.alpha_words += alpha * count
            self.chars += length * count
            if digit:
                self.integers += count
            if not self.saturated:
                distinct.add(hash(value))
                if len(distinct) >= _DISTINCT_CAP:
                    self.saturated = True
            if len(self.examples) < _EXAMPLES and value not in self.examples:
                self.examples.append(value)

    # -- derived ----------------------------------------------------------------------------

    def uniqueness(self) -> float:
        if not self.nonnull:
            return 0.0
        return min(1.0, len(self.distinct) / self.nonnull)

    def free_text_score(self) -> float:
        """0 for single tokens, 1 for sentence-like values (about 8+ words on average)."""
        if not self.nonnull:
            return 0.0
        avg_words = self.alpha_words / self.nonnull
        avg_chars = self.chars / self.nonnull
        score = min(1.0, max(0.0, (avg_words - 1.0) / 7.0))
        if avg_chars < 20:
            score *= 0.5
        return score

    def decide(self, key: bytes, ner_hint: Mapping[str, float] | None = None) -> ColumnProfile:
        """The profile of the column from what was accumulated."""
        n = self.nonnull
        shares = {e: c / n for e, c in self.found.most_common()} if n else {}
        free = self.free_text_score()
        base: dict[str, Any] = {
            "name": self.name,
            "data_type": self.data_type,
            "entities": shares,
            "null_share": self.nulls / self.rows if self.rows else 0.0,
            "uniqueness": self.uniqueness(),
            "free_text_score": free,
            "rows": self.rows,
        }
        entity, kind, conf, method, share, reasons = self._decide(n, free, ner_hint or {})
        sensitive = is_sensitive(entity)
        examples: tuple[str, ...] = ()
        hashes: tuple[str, ...] = ()
        if entity is not None or kind == "free_text":
            examples = tuple(preview(v) for v in self.examples)
            hashes = tuple(keyed_hash(key, v) for v in self.examples)
        return ColumnProfile(
            entity=entity,
            kind=kind,
            confidence=conf,
            method=method,
            value_share=share,
            sensitive=sensitive,
            examples=examples,
            hashes=hashes,
            reasons=reasons,
            detected={e: (c, self.best[e]) for e, c in self.confident.most_common()},
            **base,
        )

    def _decide(
        self, n: int, free: float, ner: Mapping[str, float]
    ) -> tuple[str | None, str, float, str, float, tuple[str, ...]]:
        if n == 0:
            return None, "none", 0.0, "none", 0.0, ("no values",)
        rule = self.rule
        if self.uuid / n >= 0.9:
            return "UUID", "identifier", 0.95, "uuid-shape", self.uuid / n, ("values are UUIDs",)
        is_free = free >= 0.6
        if not is_free and self.cover:
            top, count = self.cover.most_common(1)[0]
            share = count / n
            mean = self.cover_score[top] / count
            agrees = rule is not None and rule.entity in (top, "GOVERNMENT_ID")
            if rule is not None and rule.entity == "GOVERNMENT_ID":
                gov = self._government_id()
                if gov is not None:
                    top, count = gov, self.cover[gov]
                    share, mean = count / n, self.cover_score[gov] / count
                    agrees = True
            if rule is not None and rule.entity in REFINES.get(top, ()):
                agrees = False
                share = 0.0  # the name refines a generic finding: the name+shape step decides
            needed = VALUE_SHARE * (0.5 if agrees else 1.0)
            if rule is not None and rule.entity == "GOVERNMENT_ID" and agrees:
                needed = 0.05
            if share >= needed:
                conf = min(1.0, mean * (0.6 + 0.4 * min(1.0, share / 0.9)) + (0.1 if agrees else 0))
                method = "values+name" if agrees else "values"
                why = f"{share:.0%} of values are {top}"
                return top, "entity", conf, method, share, (why,)
        if rule is not None and rule.entity != "GOVERNMENT_ID":
            share = self.shape_ok / n
            if share >= NAME_SHAPE_SHARE and (rule.shape != "any" or is_free):
                conf = 0.45 + 0.25 * share
                why = f"column name suggests {rule.entity} and {share:.0%} of values fit its shape"
                method = "column-name+shape"
                refined = self._refined(rule.entity, n)
                if refined:
                    conf, method = min(1.0, refined + 0.1), "values+name"
                    why += "; the detectors agree"
                agree = max(
                    (v for e, v in ner.items() if rule.entity in REFINES.get(e, ())), default=0.0
                )
                if agree >= VALUE_SHARE:
                    conf, method = min(0.95, conf + 0.2 * agree), "column-name+shape+ner"
                    why += f"; NER agrees on {agree:.0%} of sampled values"
                kind = "free_text" if is_free else "entity"
                return rule.entity, kind, conf, method, share, (why,)
        if (
            ner
            and not is_free
            and rule is None
            and len(self.distinct) >= 50
            and self.alpha_words >= n
        ):
            top_ner = max(ner.items(), key=lambda kv: kv[1])
            if top_ner[1] >= 0.8:
                why = f"NER: {top_ner[1]:.0%} of sampled values are {top_ner[0]}"
                return top_ner[0], "entity", 0.4 + 0.4 * top_ner[1], "ner", top_ner[1], (why,)
        if is_free:
            for entity, count in self.found.most_common():
                share = count / n
                if share >= 0.2 and is_sensitive(entity):
                    why = f"free text; {share:.0%} of values contain {entity}"
                    return (
                        entity,
                        "free_text",
                        min(0.9, 0.4 + share / 2),
                        "free-text",
                        share,
                        (why,),
                    )
            return None, "free_text", 0.0, "free-text", 0.0, ("free text with no frequent entity",)
        embedded = [(e, c) for e, c in self.found.items() if c / n >= 0.5 and is_sensitive(e)]
        if embedded:
            # values that embed a sensitive value (log lines, KEY=value config lines): the most
            # sensitive type names the column
            tax = taxonomy()
            entity, count = max(
                embedded,
                key=lambda ec: (tax.get(ec[0]).sensitivity if ec[0] in tax else 0, ec[1]),
            )
            share = count / n
            why = f"{share:.0%} of values contain {entity}"
            return entity, "entity", min(0.85, 0.35 + share / 2), "embedded", share, (why,)
        if self._identifier_like(n):
            return None, "identifier", 0.8, "identifier-shape", 1.0, ("unique fixed-shape values",)
        return None, "none", 0.0, "none", 0.0, ()

    def _refined(self, entity: str, n: int) -> float:
        """Mean score when the detectors found a generic entity that ``entity`` refines."""
        for top, count in self.cover.most_common(1):
            if entity in REFINES.get(top, ()) and count / n >= VALUE_SHARE:
                return self.cover_score[top] / count
        return 0.0

    def _government_id(self) -> str | None:
        tax = taxonomy()
        for entity, _count in self.cover.most_common():
            if entity in tax and "GOVERNMENT_ID" in tax.get(entity).categories:
                return entity
        return None

    def _identifier_like(self, n: int) -> bool:
        if n < 20 or self.uniqueness() < 0.95:
            return False
        _sig, count = self.signatures.most_common(1)[0]
        if count / n < 0.95:
            return False
        if self.integers / n >= 0.95:
            return True  # row numbers, sequence keys
        length, lcount = self.lengths.most_common(1)[0]
        return lcount / n >= 0.9 and length >= 6


def keyed_hash(key: bytes, value: str) -> str:
    """HMAC-SHA256 of a value under ``key``, hex, truncated to 32 characters (128 bits)."""
    return hmac.new(key, value.encode("utf-8", "surrogatepass"), hashlib.sha256).hexdigest()[:32]
