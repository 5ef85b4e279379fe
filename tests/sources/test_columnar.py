"""Parquet, Arrow IPC / Feather and ORC sources."""

from __future__ import annotations

import gzip
import zipfile
from pathlib import Path

import pyarrow as pa
import pyarrow.feather as feather
import pyarrow.parquet as pq
import pytest

from dataward.errors import SourceError
from dataward.sources import ArrowSource, OrcSource, ParquetSource, discover, open_source

TABLE = pa.table(
    {
        "id": pa.array(["007", "008", "009"]),
        "age": pa.array([41, 52, None], pa.int64()),
        "patient": pa.array(
            [{"name": "Ada", "zip": "02139"}, {"name": "Bob", "zip": "01234"}, None],
            pa.struct([("name", pa.string()), ("zip", pa.string())]),
        ),
    }
)
FLAT_NAMES = ["id", "age", "patient.name", "patient.zip"]


def read(path: Path | str, batch_rows: int = 65_536) -> pa.Table:
    return pa.Table.from_batches(list(open_source(path).batches(batch_rows)))


def test_parquet_streams_row_groups_with_structs_flattened(tmp_path: Path) -> None:
    path = tmp_path / "t.parquet"
    pq.write_table(TABLE, path, row_group_size=2)
    src = open_source(path)
    assert isinstance(src, ParquetSource) and src.format == "parquet"
    batches = list(src.batches(batch_rows=1))
    assert [b.num_rows for b in batches] == [1, 1, 1]
    table = pa.Table.from_batches(batches)
    assert table.column_names == FLAT_NAMES
    assert table.column("age").type == pa.int64()
    assert table.column("patient.zip").to_pylist() == ["02139", "01234", None]


@pytest.mark.parametrize("version", [2])
def test_feather_and_arrow_ipc_files(tmp_path: Path, version: int) -> None:
    path = tmp_path / "t.feather"
    feather.write_feather(TABLE, path, version=version)
    src = open_source(path)
    assert isinstance(src, ArrowSource)
    assert read(path).column_names == FLAT_NAMES


def test_arrow_ipc_stream(tmp_path: Path) -> None:
    path = tmp_path / "t.arrows"
    with pa.OSFile(str(path), "wb") as sink, pa.ipc.new_stream(sink, TABLE.schema) as writer:
        writer.write_table(TABLE, max_chunksize=2)
    assert read(path, batch_rows=2).num_rows == 3


def test_orc(tmp_path: Path) -> None:
    orc = pytest.importorskip("pyarrow.orc")
    path = tmp_path / "t.orc"
    orc.write_table(TABLE.select(["id", "age"]), path)
    src = open_source(path)
    assert isinstance(src, OrcSource)
    assert read(path).column("id").to_pylist() == ["007", "008", "009"]


def test_columnar_files_are_found_by_magic_without_extension(tmp_path: Path) -> None:
    path = tmp_path / "no-extension"
    pq.write_table(TABLE, path)
    assert open_source(path).format == "parquet"


def test_parquet_in_a_zip_and_gzipped_is_spooled_and_read(tmp_path: Path) -> None:
    pq.write_table(TABLE, tmp_path / "t.parquet")
    data = (tmp_path / "t.parquet").read_bytes()
    with zipfile.ZipFile(tmp_path / "a.zip", "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("inner/t.parquet", data)
    (tmp_path / "t2.parquet.gz").write_bytes(gzip.compress(data))
    assert read(f"{tmp_path / 'a.zip'}!inner/t.parquet").num_rows == 3
    assert read(tmp_path / "t2.parquet.gz").num_rows == 3


def test_a_corrupt_parquet_file_is_a_source_error(tmp_path: Path) -> None:
    pq.write_table(TABLE, tmp_path / "t.parquet")
    data = (tmp_path / "t.parquet").read_bytes()
    bad = tmp_path / "bad.parquet"
    bad.write_bytes(data[: len(data) // 2])
    with pytest.raises(SourceError, match=r"cannot read as Parquet .*corrupt or truncated"):
        list(open_source(bad).batches())


def test_a_file_that_is_not_what_its_extension_says(tmp_path: Path) -> None:
    path = tmp_path / "fake.parquet"
    path.write_text("id,name\n1,Ada\n")
    with pytest.raises(SourceError, match="not a Parquet file"):
        open_source(path)
    errors = [s for s in discover(tmp_path) if isinstance(s, SourceError)]
    assert len(errors) == 1 and "fake.parquet" in str(errors[0])


def test_empty_columnar_file_gives_no_batches(tmp_path: Path) -> None:
    path = tmp_path / "empty.parquet"
    path.write_bytes(b"")
    assert list(open_source(path).batches()) == []
