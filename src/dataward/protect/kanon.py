"""Re-identification risk: measure k-anonymity and l-diversity, and enforce a target k.

A *quasi-identifier* (QI) is a column that is not identifying alone but is in combination
(ZIP code, birth date, sex). Records sharing all QI values form an equivalence class; the table
is k-anonymous when every class has at least k records, and l-diverse when every class holds at
least l distinct values of a sensitive column.

:func:`anonymize` searches the lattice of generalization levels (one :class:`Hierarchy` per QI)
plus suppression of the records still in too-small classes, and keeps the node that loses the
least information: ``loss = kept_share * mean(level / height) + suppressed_share``.
"""

from __future__ import annotations

import itertools
from abc import ABC, abstractmethod
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import pyarrow as pa
import pyarrow.compute as pc

from dataward.errors import ConfigError, ProtectError
from dataward.protect import generalization as g

MAX_NODES = 20_000


class Hierarchy(ABC):
    """Levels 0 (the value as is) to ``height`` (``*``: nothing left) of one QI column."""

    __slots__ = ()

    @property
    @abstractmethod
    def height(self) -> int: ...

    @abstractmethod
    def generalize_value(self, value: str, level: int) -> str: ...

    def generalize(self, values: pa.Array | pa.ChunkedArray, level: int) -> pa.Array:
        """The column at ``level`` as strings (nulls stay null); distinct values once each."""
        if isinstance(values, pa.ChunkedArray):
            values = values.combine_chunks()
        if not pa.types.is_string(values.type):
            values = values.cast(pa.string())
        if level == 0:
            return values
        if level >= self.height:
            return pc.if_else(pc.is_null(values), pa.scalar(None, pa.string()), g.SUPPRESSED)
        encoded = pc.dictionary_encode(values)
        mapped = pa.array(
            [self._safe(v, level) for v in encoded.dictionary.to_pylist()], pa.string()
        )
        return pc.take(mapped, encoded.indices)

    def _safe(self, value: str, level: int) -> str:
        try:
            return self.generalize_value(value, level)
        except ProtectError:
            return g.SUPPRESSED


@dataclass(frozen=True, slots=True)
class DateHierarchy(Hierarchy):
    """ISO dates: day → month → year → decade → ``*``."""

    steps: tuple[str, ...] = ("month", "year", "decade")

    @property
    def height(self) -> int:
        return len(self.steps) + 1

    def generalize_value(self, value: str, level: int) -> str:
        if level == 0:
            return value
        return g.generalize_date(value, self.steps[level - 1])


@dataclass(frozen=True, slots=True)
class PostcodeHierarchy(Hierarchy):
    """ZIP codes and postcodes: one more trailing character becomes ``*`` per level."""

    length: int = 5

    @property
    def height(self) -> int:
        return self.length

    def generalize_value(self, value: str, level: int) -> str:
        return g.generalize_postcode(value, max(self.length - level, 0))


@dataclass(frozen=True, slots=True)
class AgeHierarchy(Hierarchy):
    """Ages: exact → bands (5, 10, 20 years by default) with ``90+`` top-coding → ``*``."""

    bands: tuple[int, ...] = (5, 10, 20)
    top: int | None = 90

    @property
    def height(self) -> int:
        return len(self.bands) + 1

    def generalize_value(self, value: str, level: int) -> str:
        if level == 0:
            return value
        return g.generalize_age(value, self.bands[level - 1], self.top)


@dataclass(frozen=True, slots=True)
class NumericHierarchy(Hierarchy):
    """Numbers: exact → buckets of growing ``widths`` → ``*``."""

    widths: tuple[float, ...] = (10, 100, 1000)

    @property
    def height(self) -> int:
        return len(self.widths) + 1

    def generalize_value(self, value: str, level: int) -> str:
        if level == 0:
            return value
        return g.generalize_number(value, self.widths[level - 1])


@dataclass(frozen=True, slots=True)
class CategoricalHierarchy(Hierarchy):
    """Categories: exact → each mapping of ``groups`` in turn (value → parent) → ``*``.

    ``CategoricalHierarchy(({"flu": "respiratory", "asthma": "respiratory"},))`` has levels
    exact, group, ``*``; with no groups it is exact or ``*``.
    """

    groups: tuple[Mapping[str, str], ...] = ()

    @property
    def height(self) -> int:
        return len(self.groups) + 1

    def generalize_value(self, value: str, level: int) -> str:
        for mapping in self.groups[:level]:
            value = mapping.get(value, g.SUPPRESSED)
        return value


@dataclass(frozen=True, slots=True)
class RiskReport:
    """k, l and class statistics of a table over its quasi-identifiers."""

    records: int
    classes: int
    k: int
    """Size of the smallest equivalence class (0 for an empty table)."""
    l: int | None  # noqa: E741  (the standard name of l-diversity)
    """Fewest distinct sensitive values in one class (None without a sensitive column)."""
    average_class_size: float
    max_risk: float
    """Prosecutor re-identification risk of the most exposed record: 1 / k."""
    average_risk: float
    """Mean re-identification risk over records: classes / records."""
    records_below: dict[int, int] = field(default_factory=dict)
    """Records in classes smaller than 2, 5, 10 and 20."""


def _keys(columns: Sequence[pa.Array]) -> pa.Array:
    """One int64 class key per record from the QI columns (nulls are a value of their own)."""
    key = pa.array([0] * len(columns[0]), pa.int64()) if columns else pa.array([], pa.int64())
    for col in columns:
        encoded = pc.dictionary_encode(col, null_encoding="encode")
        size = len(encoded.dictionary) + 1
        key = pc.add(pc.multiply(key, size), encoded.indices.cast(pa.int64()))
        # Re-number after each column so the key stays small however many columns there are.
        key = pc.dictionary_encode(key).indices.cast(pa.int64())
    return key


def _class_sizes(key: pa.Array) -> pa.Array:
    counts = pc.value_counts(key)
    values, sizes = counts.field("values"), counts.field("counts")
    return pc.take(sizes, pc.index_in(key, value_set=values))


def _diversity(key: pa.Array, sensitive: pa.Array) -> pa.Array:
    """Per record: distinct sensitive values in its class."""
    grouped = (
        pa.table({"k": key, "s": sensitive}).group_by("k").aggregate([("s", "count_distinct")])
    )
    return pc.take(grouped["s_count_distinct"], pc.index_in(key, value_set=grouped["k"]))


def _columns(table: pa.Table, names: Sequence[str]) -> list[pa.Array]:
    missing = [n for n in names if n not in table.column_names]
    if missing:
        raise ConfigError(f"no column(s) {', '.join(missing)} in the table", columns=missing)
    return [table[n].combine_chunks() for n in names]


def measure(
    table: pa.Table, quasi_identifiers: Sequence[str], sensitive: str | None = None
) -> RiskReport:
    """k-anonymity (and l-diversity over ``sensitive``) of ``table``.

    >>> t = pa.table({"zip": ["021**"] * 3 + ["100**"] * 2, "dx": ["a", "b", "a", "c", "c"]})
    >>> r = measure(t, ["zip"], sensitive="dx")
    >>> r.k, r.l, r.classes
    (2, 1, 2)
    """
    if not quasi_identifiers:
        raise ConfigError("measure needs at least one quasi-identifier column")
    n = table.num_rows
    if n == 0:
        return RiskReport(0, 0, 0, None if sensitive is None else 0, 0.0, 0.0, 0.0)
    key = _keys(_columns(table, quasi_identifiers))
    sizes = _class_sizes(key)
    classes = len(pc.unique(key))
    k = int(pc.min(sizes).as_py())
    l_value = None
    if sensitive is not None:
        l_value = int(pc.min(_diversity(key, _columns(table, [sensitive])[0])).as_py())
    below = {t: int(pc.sum(pc.less(sizes, t)).as_py() or 0) for t in (2, 5, 10, 20)}
    return RiskReport(
        records=n,
        classes=classes,
        k=k,
        l=l_value,
        average_class_size=n / classes,
        max_risk=1.0 / k,
        average_risk=classes / n,
        records_below=below,
    )


@dataclass(frozen=True, slots=True)
class AnonymizationResult:
    """The generalized table and what it cost."""

    table: pa.Table
    levels: dict[str, int]
    """Generalization level chosen per QI (0: unchanged)."""
    heights: dict[str, int]
    suppressed: int
    suppressed_share: float
    precision_loss: float
    """Mean of level / height over the QIs (Sweeney's 1 - Prec), 0 = nothing generalized."""
    loss: float
    """kept share x precision loss + suppressed share (the value the search minimizes)."""
    k: int
    l: int | None  # noqa: E741
    nodes_evaluated: int


def anonymize(
    table: pa.Table,
    hierarchies: Mapping[str, Hierarchy],
    k: int,
    *,
    l: int | None = None,  # noqa: E741
    sensitive: str | None = None,
    max_suppression: float = 0.05,
) -> AnonymizationResult:
    """Generalize the QI columns named in ``hierarchies`` and suppress at most
    ``max_suppression`` of the records so every class has ``k`` records (and ``l`` distinct
    ``sensitive`` values); the least lossy lattice node wins.

    >>> t = pa.table({"age": ["31", "33", "35", "38"], "zip": ["02139", "02138", "02141", "02142"]})
    >>> r = anonymize(t, {"age": AgeHierarchy(), "zip": PostcodeHierarchy()}, k=2)
    >>> r.table["age"].to_pylist(), r.table["zip"].to_pylist(), r.suppressed
    (['30-34', '30-34', '35-39', '35-39'], ['0213*', '0213*', '0214*', '0214*'], 0)
    """
    if k < 1:
        raise ConfigError("anonymize: k must be at least 1")
    if (l is None) != (sensitive is None):
        raise ConfigError("anonymize: l-diversity needs both l and sensitive")
    if not 0.0 <= max_suppression <= 1.0:
        raise ConfigError("anonymize: max_suppression must be in [0, 1]")
    if not hierarchies:
        raise ConfigError("anonymize needs at least one quasi-identifier hierarchy")
    names = list(hierarchies)
    originals = dict(zip(names, _columns(table, names), strict=True))
    heights = {n: hierarchies[n].height for n in names}
    lattice = 1
    for h in heights.values():
        lattice *= h + 1
    if lattice > MAX_NODES:
        raise ConfigError(
            f"anonymize: {lattice} generalization combinations; use fewer levels or columns"
        )
    sens = _columns(table, [sensitive])[0] if sensitive is not None else None
    n = table.num_rows
    cache: dict[tuple[str, int], pa.Array] = {}

    def column(name: str, level: int) -> pa.Array:
        if (name, level) not in cache:
            cache[name, level] = hierarchies[name].generalize(originals[name], level)
        return cache[name, level]

    best: tuple[tuple[float, int, int], tuple[int, ...], pa.Array] | None = None
    evaluated = 0
    for node in itertools.product(*(range(heights[nm] + 1) for nm in names)):
        evaluated += 1
        key = _keys([column(nm, lv) for nm, lv in zip(names, node, strict=True)])
        drop = pc.less(_class_sizes(key), k) if n else pa.array([], pa.bool_())
        if sens is not None and l is not None and n:
            kept = pc.invert(drop)
            kept_key, kept_sens = pc.filter(key, kept), pc.filter(sens, kept)
            if len(kept_key):
                low = pc.less(_diversity(kept_key, kept_sens), l)
                bad = pc.unique(pc.filter(kept_key, low))
                drop = pc.or_(drop, pc.is_in(key, value_set=bad))
        suppressed = int(pc.sum(drop).as_py() or 0) if n else 0
        if n and suppressed > max_suppression * n:
            continue
        share = suppressed / n if n else 0.0
        precision = sum(lv / heights[nm] for nm, lv in zip(names, node, strict=True)) / len(names)
        score = ((1 - share) * precision + share, suppressed, sum(node))
        if best is None or score < best[0]:
            best = (score, node, drop)
    if best is None:
        raise ProtectError(
            f"anonymize: no generalization reaches k={k}"
            + (f", l={l}" if l is not None else "")
            + f" within max_suppression={max_suppression}",
            k=k,
        )
    (_, suppressed, _), node, drop = best
    out = table
    for nm, lv in zip(names, node, strict=True):
        idx = out.column_names.index(nm)
        out = out.set_column(idx, nm, column(nm, lv))
    if suppressed:
        out = out.filter(pc.invert(drop))
    levels = dict(zip(names, node, strict=True))
    report = measure(out, names, sensitive) if out.num_rows else None
    share = suppressed / n if n else 0.0
    precision = sum(levels[nm] / heights[nm] for nm in names) / len(names)
    return AnonymizationResult(
        table=out,
        levels=levels,
        heights=heights,
        suppressed=suppressed,
        suppressed_share=share,
        precision_loss=precision,
        loss=(1 - share) * precision + share,
        k=report.k if report else 0,
        l=report.l if report else None,
        nodes_evaluated=evaluated,
    )
