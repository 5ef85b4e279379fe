"""CSV and TSV sources: strings everywhere, dialects, encodings and bad rows."""

from __future__ import annotations

import logging
from pathlib import Path

import pyarrow as pa
import pytest

from dataward.errors import ConfigError, SourceError
from dataward.sources import CsvSource, Limits, open_source

SECRET = "4111111111111111"


def rows(path: Path | str, **options: object) -> list[dict[str, object]]:
    src = open_source(path, **options)  # type: ignore[arg-type]
    return [row for batch in src.batches() for row in batch.to_pylist()]


def write(tmp_path: Path, name: str, data: bytes | str, encoding: str = "utf-8") -> Path:
    path = tmp_path / name
    path.write_bytes(data if isinstance(data, bytes) else data.encode(encoding))
    return path


def test_every_column_is_a_string_so_leading_zeros_stay(tmp_path: Path) -> None:
    path = write(tmp_path, "p.csv", "id,zip,amount\n007,02139,1.50\n")
    src = open_source(path)
    assert isinstance(src, CsvSource) and src.format == "csv"
    batch = next(src.batches())
    assert batch.schema == pa.schema(
        [("id", pa.string()), ("zip", pa.string()), ("amount", pa.string())]
    )
    assert batch.to_pylist() == [{"id": "007", "zip": "02139", "amount": "1.50"}]


def test_quoted_newlines_and_delimiters_stay_in_the_value(tmp_path: Path) -> None:
    path = write(tmp_path, "q.csv", 'name,address\n"Ada","1 Main St,\nSpringfield"\nBob,x\n')
    assert rows(path) == [
        {"name": "Ada", "address": "1 Main St,\nSpringfield"},
        {"name": "Bob", "address": "x"},
    ]


@pytest.mark.parametrize(
    ("name", "text", "delimiter"),
    [
        ("semi.csv", "a;b;c\n1;2;3\n4;5;6\n", ";"),
        ("pipe.csv", "a|b|c\n1|2|3\n4|5|6\n", "|"),
        ("tabs.tsv", "a\tb\tc\n1\t2\t3\n", "\t"),
        ("tabs.tab", "a\tb,c\n1\t2,3\n", "\t"),
    ],
)
def test_the_dialect_is_sniffed(tmp_path: Path, name: str, text: str, delimiter: str) -> None:
    src = open_source(write(tmp_path, name, text))
    assert isinstance(src, CsvSource)
    assert src.delimiter == delimiter
    first = next(src.batches()).to_pylist()[0]
    assert next(iter(first.values())) == "1"


def test_tsv_is_its_own_format(tmp_path: Path) -> None:
    src = open_source(write(tmp_path, "t.tsv", "a\tb\n1\t2\n"))
    assert src.format == "tsv"


def test_explicit_options_win_over_sniffing(tmp_path: Path) -> None:
    path = write(tmp_path, "o.csv", "1;2\n3;4\n")
    assert rows(path, delimiter=";", header=False) == [
        {"column_1": "1", "column_2": "2"},
        {"column_1": "3", "column_2": "4"},
    ]


def test_empty_and_duplicate_header_names_are_made_unique(tmp_path: Path) -> None:
    path = write(tmp_path, "h.csv", "name,,name\n1,2,3\n")
    assert open_source(path).column_names == ["name", "column_2", "name_2"]  # type: ignore[attr-defined]
    assert rows(path) == [{"name": "1", "column_2": "2", "name_2": "3"}]


@pytest.mark.parametrize(
    ("encoding", "prefix"),
    [("utf-8", b""), ("utf-8", b"\xef\xbb\xbf"), ("cp1252", b""), ("utf-16", b"")],
)
def test_encodings_are_detected(tmp_path: Path, encoding: str, prefix: bytes) -> None:
    text = "name,city\nJosé Müller,Zürich\nFrançois Núñez,Besançon\n" * 20
    path = write(tmp_path, "e.csv", prefix + text.encode(encoding))
    got = rows(path)
    assert got[0] == {"name": "José Müller", "city": "Zürich"}
    assert got[1] == {"name": "François Núñez", "city": "Besançon"}


def test_invalid_utf8_after_the_sample_names_the_byte_offset(tmp_path: Path) -> None:
    head = b"id,note\n" + b"1,plain ascii text\n" * 10_000
    path = write(tmp_path, "mixed.csv", head + b"2,caf\xe9 " + SECRET.encode() + b"\n")
    src = open_source(path)
    assert src.encoding == "utf-8"  # type: ignore[attr-defined]
    with pytest.raises(SourceError) as err:
        list(src.batches())
    offset = len(head) + len(b"2,caf")
    assert f"byte {offset}" in str(err.value)
    assert str(path) in str(err.value)
    assert err.value.offset == offset  # type: ignore[attr-defined]
    assert SECRET not in str(err.value)


def test_ragged_rows_are_an_error_naming_the_row(tmp_path: Path) -> None:
    path = write(tmp_path, "r.csv", f"a,b,c\n1,2,3\n4,{SECRET}\n5,6,7\n")
    with pytest.raises(SourceError) as err:
        list(open_source(path).batches())
    message = str(err.value)
    assert message.startswith(f"{path}: row 3 has 2 fields, expected 3")
    assert err.value.row == 3  # type: ignore[attr-defined]
    assert SECRET not in message


def test_ragged_rows_can_be_skipped_and_counted(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = write(tmp_path, "r.csv", f"a,b,c\n1,2,3\n4,{SECRET}\n5,6,7,8\n9,10,11\n")
    src = open_source(path, bad_rows="skip")
    with caplog.at_level(logging.WARNING, logger="dataward.sources"):
        got = [r for b in src.batches() for r in b.to_pylist()]
    assert [r["a"] for r in got] == ["1", "9"]
    assert src.skipped_rows == 2  # type: ignore[attr-defined]
    assert src.skipped_row_numbers == [3, 4]  # type: ignore[attr-defined]
    assert "skipped 2 rows" in caplog.text
    assert SECRET not in caplog.text


def test_a_row_longer_than_the_block_is_a_clear_error(tmp_path: Path) -> None:
    path = write(tmp_path, "long.csv", "a,b\n1," + "x" * 50_000 + "\n2,3\n")
    src = open_source(path, limits=Limits(csv_block_bytes=8192))
    with pytest.raises(SourceError, match="a row is longer than 8192 bytes"):
        list(src.batches())


def test_empty_file_and_header_only_give_zero_batches(tmp_path: Path) -> None:
    assert list(open_source(write(tmp_path, "empty.csv", b"")).batches()) == []
    assert list(open_source(write(tmp_path, "header.csv", "a,b\n")).batches()) == []


def test_batches_hold_at_most_batch_rows(tmp_path: Path) -> None:
    path = write(tmp_path, "n.csv", "n\n" + "".join(f"{i}\n" for i in range(1000)))
    sizes = [b.num_rows for b in open_source(path).batches(batch_rows=300)]
    assert sum(sizes) == 1000 and max(sizes) <= 300


def test_unknown_options_are_config_errors(tmp_path: Path) -> None:
    path = write(tmp_path, "a.csv", "a\n1\n")
    with pytest.raises(ConfigError, match="unknown option 'delimeter' for the csv format"):
        open_source(path, delimeter=";")
    with pytest.raises(ConfigError, match="bad_rows"):
        open_source(path, bad_rows="pad")
    with pytest.raises(ConfigError):
        list(open_source(path).batches(batch_rows=0))


def test_streaming_a_large_csv_keeps_arrow_memory_bounded(tmp_path: Path) -> None:
    row = '00123,Ada Lovelace,ada@example.org,+44 20 7946 0958,"12 Main St, Springfield"\n'
    path = tmp_path / "big.csv"
    with path.open("w") as fh:
        fh.write("id,name,email,phone,address\n")
        fh.write(row * (50_000_000 // len(row)))
    src = open_source(path)
    base = pa.total_allocated_bytes()
    peak = 0
    total = 0
    for batch in src.batches():
        total += batch.num_rows
        peak = max(peak, pa.total_allocated_bytes() - base)
        del batch
    assert total == 50_000_000 // len(row)
    assert peak < 40 * 2**20, f"peak Arrow allocation {peak} bytes while streaming 50 MB"
