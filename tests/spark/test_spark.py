"""dataward.spark on a real local Spark (local[2], Java 17): the same findings, classification
and protected rows as the in-process engine on the same rows, the engine loaded once per
executor process from its serialized Hyperscan database, and no canary value anywhere it must
not be."""

from __future__ import annotations

import json
import logging
import os
import pickle
import shutil
import sys
from collections.abc import Iterator
from typing import Any

import pyarrow as pa
import pytest

import dataward as dw
from dataward.errors import ConfigError
from dataward.keys.ring import KeyRing

pytest.importorskip("pyspark", reason="dataward[spark] is not installed")
if shutil.which("java") is None:
    pytest.skip("Spark needs Java (17) on the PATH", allow_module_level=True)

import dataward.spark as dws
from dataward.spark.shipping import ship

pytestmark = pytest.mark.filterwarnings(
    # pyspark 4.3 warns on every pandas 3 check it makes, even where no pandas code runs
    "ignore:PySpark does not yet fully support pandas:FutureWarning",
)

EMAIL = "canary.7731@example.org"
SSN = "078-05-1120"
CARD = "4111 1111 1111 1111"
TEXTS = [
    f"mail {EMAIL} now",
    None,
    "",
    f"card {CARD} and ssn {SSN}",
    "nothing to see here",
    "call +1 415 555 0132 or write to ada@example.com",
    f"patient SSN: {SSN}, born 1970-03-04",
    "IBAN DE89 3704 0044 0532 0130 00 for the transfer",
] * 3
RING = KeyRing.from_secret(b"s" * 32)


@pytest.fixture(scope="module")
def spark(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """One local Spark for the module: two cores, no UI, small shuffles. Its Python workers
    run this interpreter, with a home of their own (they inherit the environment now)."""
    from pyspark.sql import SparkSession

    with pytest.MonkeyPatch.context() as env:
        env.setenv("PYSPARK_PYTHON", sys.executable)
        env.setenv("DATAWARD_HOME", str(tmp_path_factory.mktemp("spark-home")))
        session = (
            SparkSession.builder.master("local[2]")
            .appName("dataward-tests")
            .config("spark.ui.enabled", "false")
            .config("spark.sql.shuffle.partitions", "2")
            .config("spark.driver.memory", "1g")
            .getOrCreate()
        )
        session.sparkContext.setLogLevel("ERROR")
        yield session
        session.stop()


def texts_frame(spark: Any, partitions: int = 3) -> Any:
    table = pa.table({"id": pa.array(range(len(TEXTS)), pa.int64()), "text": TEXTS})
    return spark.createDataFrame(table).repartition(partitions)


def people() -> pa.Table:
    n = 30
    return pa.table(
        {
            "id": pa.array(range(n), pa.int64()),
            "email": [EMAIL if i % 3 == 0 else f"user{i}@example.com" for i in range(n)],
            "ssn": [SSN if i % 2 == 0 else f"219-09-{9000 + i}" for i in range(n)],
            "note": [f"wrote from {EMAIL}" if i == 4 else "all fine" for i in range(n)],
            "city": ["Lyon", "Oslo", "Quito"] * 10,
        }
    )


def test_detect_gives_exactly_the_in_process_findings(spark: Any) -> None:
    out = dws.detect(texts_frame(spark)).orderBy("id").collect()
    assert [r["id"] for r in out] == list(range(len(TEXTS)))
    seen = 0
    for row in out:
        expected = [f.to_dict() for f in dw.detect(row["text"])] if row["text"] else []
        got = [f.asDict() for f in row["findings"]]
        assert [{**g, "score": round(g["score"], 4)} for g in got] == expected
        seen += len(got)
    assert seen >= 15  # e-mails, cards, SSNs, phones, IBANs: the comparison is not vacuous
    assert dict(texts_frame(spark).schema.fields[0].jsonValue())["name"] == "id"
    findings = dws.detect(texts_frame(spark)).schema["findings"].dataType
    assert [f.name for f in findings.elementType.fields] == [
        "entity",
        "start",
        "end",
        "score",
        "detector",
    ]


def test_detect_passes_entities_and_a_custom_output_column(spark: Any) -> None:
    out = dws.detect(texts_frame(spark, 2), entities=["US_SSN"], output="hits").collect()
    entities = {f["entity"] for r in out for f in r["hits"]}
    assert entities == {"US_SSN"}


def test_detect_refuses_a_missing_or_non_text_column(spark: Any) -> None:
    df = texts_frame(spark, 1)
    with pytest.raises(ConfigError, match="no column 'body'"):
        dws.detect(df, column="body")
    with pytest.raises(ConfigError, match="is long, not string"):
        dws.detect(df, column="id")
    with pytest.raises(ConfigError, match="already has a column 'text'"):
        dws.detect(df, output="text")


def test_the_engine_is_loaded_once_per_executor_process(spark: Any) -> None:
    """Six tasks, twice: each Python worker process unpickles the engine once and then finds
    it in its runtime scope (PySpark reuses its workers)."""
    shipped = ship(spark, dw.get_engine(), "engine")

    def probe(_rows: Iterator[Any]) -> Iterator[tuple[int, int]]:
        engine = shipped.load()
        yield os.getpid(), id(engine)

    rdd = spark.sparkContext.parallelize(range(6), 6)
    pairs = rdd.mapPartitions(probe).collect() + rdd.mapPartitions(probe).collect()
    by_pid: dict[int, set[int]] = {}
    for pid, ident in pairs:
        by_pid.setdefault(pid, set()).add(ident)
    assert len(pairs) == 12
    assert all(len(ids) == 1 for ids in by_pid.values()), by_pid
    assert len(by_pid) <= 4  # local[2]: a few reused workers, not one per task


def test_the_shipped_engine_deserializes_hyperscan_instead_of_compiling(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from dataward.detect import prefilter

    engine = dw.get_engine()
    if engine.backend != "hyperscan":
        pytest.skip("Hyperscan is not installed here: the RE2 set has nothing to serialize")
    blob = pickle.dumps(engine)

    def refuse(*_args: Any) -> Any:
        raise AssertionError("the executor compiled the patterns again")

    monkeypatch.setattr(prefilter._HyperscanPrefilter, "_compile", refuse)
    monkeypatch.setattr(prefilter, "_load_cached", lambda *_a, **_k: None)  # no disk cache
    loaded = pickle.loads(blob)
    text = f"card {CARD} mail {EMAIL}"
    assert loaded.detect(text) == engine.detect(text)


def test_scan_gives_the_in_process_classification(spark: Any) -> None:
    table = people()
    got = dws.scan(spark.createDataFrame(table).repartition(3)).datasets[0]
    # repartition shuffles rows; the in-process scan reads them in the same order
    ordered = dws.scan(spark.createDataFrame(table).coalesce(1)).datasets[0]
    expected = dw.scan(table).datasets[0]
    assert ordered.columns == expected.columns
    assert ordered.records == expected.records
    assert ordered.tags == expected.tags
    assert {c.name: c.entity for c in got.columns} == {c.name: c.entity for c in expected.columns}
    assert {c.name: c.entity for c in got.columns}["ssn"] == "US_SSN"
    assert "PII" in got.tag_names
    shown = json.dumps(got.to_dict(), default=str)
    assert EMAIL not in shown and SSN not in shown


def test_protect_gives_the_in_process_rows_and_leaks_no_canary(
    spark: Any, caplog: pytest.LogCaptureFixture
) -> None:
    table = people()
    caplog.set_level(logging.DEBUG, logger="dataward")
    out = dws.protect(spark.createDataFrame(table).coalesce(1), keyring=RING).toArrow()
    expected = dw.protect(table, keyring=RING)
    assert out.to_pylist() == expected.to_pylist()
    # many partitions: the same token for the same value on every executor
    spread = dws.protect(spark.createDataFrame(table).repartition(3), keyring=RING)
    assert sorted(spread.toArrow().to_pylist(), key=lambda r: r["id"]) == expected.to_pylist()
    dumped = json.dumps(out.to_pylist())
    assert EMAIL not in dumped and SSN not in dumped
    assert "all fine" in dumped  # not everything was replaced
    assert EMAIL not in caplog.text and SSN not in caplog.text


def test_protect_with_a_decision_applies_its_obligations(spark: Any) -> None:
    decision = {
        "decision_id": "dec-spark",
        "effect": "allow_with_obligations",
        "obligations": [{"transform": "redact:US_SSN"}],
    }
    table = people()
    out = dws.protect(spark.createDataFrame(table), decision=decision, keyring=RING).toArrow()
    expected = dw.protect(table, decision=decision, keyring=RING).data
    assert sorted(out.to_pylist(), key=lambda r: r["id"]) == expected.to_pylist()
    assert SSN not in json.dumps(out.to_pylist())


def test_an_executor_failure_names_its_type_and_never_its_message() -> None:
    """Spark prints a failed task's error in its logs: an Arrow error quoting a value must not
    get there with its message."""
    from dataward.errors import DatawardError, ProtectError
    from dataward.spark.frames import guarded

    def leaks(_batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        raise pa.ArrowInvalid(f"could not convert {EMAIL!r}")
        yield  # a generator, as mapInArrow's functions are

    with pytest.raises(DatawardError, match="ArrowInvalid") as err:
        list(guarded(leaks, "protect")(iter([])))
    assert EMAIL not in str(err.value) and err.value.__cause__ is None

    def refuses(_batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        raise ProtectError("a value survived in column 'ssn'")
        yield

    with pytest.raises(ProtectError, match="survived"):
        list(guarded(refuses, "protect")(iter([])))


def test_struct_and_list_columns_are_read_leaf_by_leaf_as_in_process(spark: Any) -> None:
    """A struct's leaves (patient.ssn) are classified and protected one by one, as dw.scan and
    dw.protect read a table: the SSN inside a struct was passed through before."""
    patient = pa.struct([("ssn", pa.string()), ("name", pa.string())])
    table = pa.table(
        {
            "id": pa.array([1, 2, 3], pa.int64()),
            "patient": pa.array(
                [{"ssn": SSN, "name": "Ada"}, {"ssn": "219-09-9999", "name": "Bob"}, None],
                patient,
            ),
            "phones": pa.array([["+1 415 555 0132"], [], None], pa.list_(pa.string())),
            "note": [f"mail {EMAIL}", None, "ok"],
        }
    )
    df = spark.createDataFrame(table).coalesce(1)
    got = dws.scan(df).datasets[0]
    assert got.columns == dw.scan(table).datasets[0].columns
    assert {c.name: c.entity for c in got.columns}["patient.ssn"] == "US_SSN"
    out = dws.protect(df, keyring=RING).toArrow()
    assert out.to_pylist() == dw.protect(table, keyring=RING).to_pylist()
    dumped = json.dumps(out.to_pylist())
    assert SSN not in dumped and EMAIL not in dumped
