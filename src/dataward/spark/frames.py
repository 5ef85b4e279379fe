"""``dataward.spark``: detect, scan and protect Spark DataFrames on the executors.

Each function runs Dataward's own engine inside ``DataFrame.mapInArrow``: the executors get
Arrow record batches, run the in-process code on them, and the results are what the same call
gives in one process on the same rows. What the executors need (the detection engine, the
protect plan and key ring) is built once on the driver and shipped as a pickle
(:mod:`dataward.spark.shipping`), loaded once per executor Python process.

- :func:`detect` adds a ``findings`` column: per text, the list of what ``dw.detect`` returns.
- :func:`scan` classifies the columns: the executors detect (each batch's distinct values once),
  the driver folds their per-batch statistics in row order into the classification
  ``dw.scan`` gives for the same rows.
- :func:`protect` protects every column as ``dw.protect`` does, with the plan taken on the
  driver from the first rows; with a decision, its obligations apply and every protected
  batch is read back and verified on its executor before it leaves (fail closed).

pyspark is imported by Spark's own objects only: this module never imports it.
"""

from __future__ import annotations

import copy
import pickle
from collections.abc import Callable, Iterator, Sequence
from typing import TYPE_CHECKING, Any

import pyarrow as pa

from dataward.errors import ConfigError, DatawardError, DetectorError
from dataward.spark.arrow import FINDINGS, plain, plain_type
from dataward.spark.shipping import ship

if TYPE_CHECKING:
    from dataward.classify.scan import ScanResult
    from dataward.keys.ring import KeyRing
    from dataward.protect.plan import RulesLike

__all__ = ["detect", "protect", "scan"]


# -- detect --------------------------------------------------------------------------------------


def detect(
    df: Any,
    column: str = "text",
    *,
    output: str = "findings",
    entities: Sequence[str] | None = None,
    threshold: float | None = None,
) -> Any:
    """``df`` with a column ``output`` (``array<struct<entity, start, end, score, detector>>``):
    for each text of ``column``, exactly the findings ``dw.detect(text, entities, threshold)``
    returns (a null or empty text has none). A text that runs past ``detect.record_budget_ms``
    stops the job with a :class:`~dataward.errors.DetectorError` (never a silent partial list).
    """
    from dataward.runtime import current

    _check_text_column(df, column)
    if output in df.columns:
        raise ConfigError(f"the DataFrame already has a column {output!r}: pass output=...")
    engine = current().engine(entities, threshold=threshold)
    shipped = ship(df.sparkSession, engine, "engine")
    schema = _spark_schema(df.schema, extra=pa.field(output, FINDINGS, nullable=False))

    def run(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        eng = shipped.load()
        for batch in batches:
            texts = batch.column(batch.schema.get_field_index(column)).to_pylist()
            rows = []
            for found in eng.detect_many(texts):
                if found.partial:
                    raise DetectorError(
                        f"a text of column {column!r} ran past the detection time budget "
                        "(detect.record_budget_ms): raise it or split the texts",
                        column=column,
                    )
                rows.append(
                    [
                        {
                            "entity": f.entity,
                            "start": f.start,
                            "end": f.end,
                            "score": f.score,
                            "detector": f.detector,
                        }
                        for f in found
                    ]
                )
            arrays = [*batch.columns, pa.array(rows, type=FINDINGS)]
            yield pa.RecordBatch.from_arrays(arrays, names=[*batch.schema.names, output])

    return df.mapInArrow(guarded(run, "detect"), schema)


def _check_text_column(df: Any, column: str) -> None:
    if column not in df.columns:
        raise ConfigError(
            f"the DataFrame has no column {column!r}: pass column= one of its string columns",
            column=column,
        )
    type_name = df.schema[column].dataType.typeName()
    if type_name != "string":
        raise ConfigError(
            f"column {column!r} is {type_name}, not string: detect reads text; cast it first",
            column=column,
        )


# -- scan ----------------------------------------------------------------------------------------


class _Done:
    """Analysis already done (on an executor), in the shape ``BatchClassifier`` folds."""

    def __init__(self, columns: list[Any]) -> None:
        self.columns = columns

    def wait(self) -> list[Any]:
        return self.columns


def scan(df: Any, *, decide_after: int | None = None) -> ScanResult:
    """The classification of every column of ``df``, over every row: the one ``dw.scan`` gives
    for the same rows in one process (``dw.scan(table, full=True)``; the same as its default
    for fewer than 10,000 rows, which it reads whole).

    The executors dictionary-encode each Arrow batch and run the detectors and value
    statistics over its distinct values (the costly part); the driver folds the per-batch
    results in row order. Records are counted with the column decisions taken on the first
    ``decide_after`` rows (default: as ``dw.scan``). To classify a sample, scan
    ``df.sample(fraction)``. Nothing is recorded in the catalog (a DataFrame has no path)."""
    from dataward.catalog.keys import catalog_key
    from dataward.classify.analysis import Analyser, encode
    from dataward.classify.classifier import (
        DEFAULT_SAMPLE,
        BatchClassifier,
        classification_engine,
        ner_detector,
    )
    from dataward.classify.scan import ScanResult
    from dataward.detect.api import masked_name
    from dataward.sources.memory import to_arrow

    engine = classification_engine()
    shipped = ship(df.sparkSession, engine, "classify")
    out = pa.schema(
        [
            pa.field("partition", pa.int32(), nullable=False),
            pa.field("seq", pa.int32(), nullable=False),
            pa.field("rows", pa.int64(), nullable=False),
            pa.field("columns", pa.binary(), nullable=False),
        ]
    )

    def run(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        from pyspark import TaskContext

        context = TaskContext.get()
        partition = context.partitionId() if context is not None else 0
        eng = shipped.load()
        analyser = Analyser(eng, workers=1)  # one Spark task per core: no pool of its own
        names: dict[str, str] = {}
        for seq, raw in enumerate(batches):
            if raw.num_rows == 0:
                continue
            # struct columns read leaf by leaf (``patient.ssn``), as dw.scan reads a table
            batch, _back = to_arrow(plain(raw))
            cols = []
            for i, name in enumerate(batch.schema.names):
                if name not in names:
                    names[name] = masked_name(name, eng)
                cols.append(encode(names[name], batch.column(i)))
            analyser.run(cols)
            payload = pickle.dumps(cols, protocol=pickle.HIGHEST_PROTOCOL)
            yield pa.RecordBatch.from_arrays(
                [
                    pa.array([partition], pa.int32()),
                    pa.array([seq], pa.int32()),
                    pa.array([batch.num_rows], pa.int64()),
                    pa.array([payload], pa.binary()),
                ],
                schema=out,
            )

    parts = df.mapInArrow(guarded(run, "scan"), _spark_schema(out)).collect()
    parts.sort(key=lambda r: (r["partition"], r["seq"]))
    clf = BatchClassifier(
        Analyser(engine, workers=1),
        catalog_key(),
        decide_after=decide_after or DEFAULT_SAMPLE,
        ner=ner_detector(),
    )
    for part in parts:
        # the executors did what ``BatchClassifier.add`` submits; fold their results in order
        clf._complete(_Done(pickle.loads(part["columns"])), part["rows"])  # type: ignore[arg-type]
    result = clf.result(f"<{type(df).__name__}>", "spark")
    return ScanResult([result], [], [], [], None)


# -- protect -------------------------------------------------------------------------------------


def protect(
    df: Any,
    rules: RulesLike = None,
    *,
    decision: Any = None,
    keyring: KeyRing | None = None,
) -> Any:
    """``df`` protected as ``dw.protect`` protects the same rows in one process: the plan
    (which operator each column gets) is taken on the driver from the first ``sample_rows``
    rows, as ``dw.protect`` takes it from the first rows of a table, and applied to every
    batch on the executors with the runtime's key ring (or ``keyring``): same value, same
    token, on every executor.

    ``decision`` (a policy decision or its JSON): its obligations apply first and each
    protected batch is read back and verified on its executor (a surviving value stops the job
    with :class:`~dataward.protect.verify.VerifyError`). No receipt is issued: a receipt signs
    the output's hash, and a lazy DataFrame has no output until it is written."""
    from dataward.protect.apply import protect_table
    from dataward.protect.plan import as_config, plan
    from dataward.protect.protector import Protector
    from dataward.runtime import current

    rt = current()
    ring = keyring if keyring is not None else rt.keyring
    config = as_config(rules)
    first = _to_arrow(df.limit(max(config.sample_rows, 1)))
    the_plan = plan(first, rules, decision=decision, keyring=ring)
    engine = rt.engine(threshold=the_plan.config.threshold)
    # the output's schema: the plan applied to the first rows on the driver
    probe = Protector(plan=copy.deepcopy(the_plan), keyring=ring, engine=engine)
    probed = protect_table(first, protector=probe)
    target = pa.schema([f.with_type(plain_type(f.type)) for f in probed.schema])
    shipped = ship(df.sparkSession, (the_plan, ring, engine), "protect")
    verify = decision is not None

    def run(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        from dataward.protect.verify import verify_memory

        plan_, ring_, engine_ = shipped.load()
        # a protector per task: its counters and caches are the task's, the plan is shared
        protector = Protector(plan=copy.deepcopy(plan_), keyring=ring_, engine=engine_)
        for raw in batches:
            # as dw.protect protects a table: struct leaves planned and protected one by one
            out = protect_table(pa.Table.from_batches([plain(raw)]), protector=protector)
            if verify:
                verify_memory(out, protector)
            yield from out.cast(target).to_batches()

    return df.mapInArrow(guarded(run, "protect"), _spark_schema(target))


def guarded(
    run: Callable[[Iterator[pa.RecordBatch]], Iterator[pa.RecordBatch]], what: str
) -> Callable[[Iterator[pa.RecordBatch]], Iterator[pa.RecordBatch]]:
    """``run`` whose failures stop the task with a Dataward error: Dataward's own pass as they
    are (their messages never hold a value); another library's is named by its type only,
    since its message may quote the data (Arrow's do) and Spark prints a failed task's error
    in the driver's and executors' logs."""

    def safe(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        try:
            yield from run(batches)
        except DatawardError:
            raise
        except Exception as exc:
            raise DatawardError(
                f"dataward.spark.{what} failed on an executor ({type(exc).__name__} in "
                "Dataward or a library it uses; its message is withheld: it may quote the data)",
                error=type(exc).__name__,
            ) from None

    return safe


def _to_arrow(df: Any) -> pa.Table:
    """A small DataFrame on the driver as an Arrow table of plain types."""
    table = df.toArrow()
    return pa.Table.from_batches(
        [plain(b) for b in table.to_batches()],
        schema=pa.schema([f.with_type(plain_type(f.type)) for f in table.schema]),
    )


def _spark_schema(schema: Any, *, extra: pa.Field | None = None) -> Any:
    """A Spark ``StructType``: ``schema`` (Spark's or Arrow's) with the ``extra`` field."""
    from pyspark.sql.pandas.types import from_arrow_schema, to_arrow_schema

    arrow = schema if isinstance(schema, pa.Schema) else to_arrow_schema(schema)
    if extra is not None:
        arrow = arrow.append(extra)
    return from_arrow_schema(arrow)
