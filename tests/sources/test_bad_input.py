"""Bad input found in the field: deep JSON, unclosed CSV quotes, truncated Parquet, symlink
loops. Each is a one-line SourceError naming the input and where, never its content."""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from dataward.errors import SourceError
from dataward.sources import Limits, discover, flatten, open_source

CANARY_SSN = "523-71-6604"
CANARY_EMAIL = "zq7x41.canary@probemail-dw.net"


def _deep(depth: int) -> dict[str, object]:
    """``{"a": [[...[ "<ssn>" ]...]]}`` with ``depth`` levels of nesting in all."""
    value: object = CANARY_SSN
    for _ in range(depth - 1):
        value = [value]
    return {"a": value}


def _deep_text(depth: int) -> str:
    """``_deep(depth)`` as JSON text (json.dumps itself recurses, so it is written by hand)."""
    return '{"a": ' + "[" * (depth - 1) + json.dumps(CANARY_SSN) + "]" * (depth - 1) + "}"


def test_flatten_is_iterative_and_stops_at_the_depth_limit() -> None:
    deep = _deep(5000)  # far past Python's recursion limit
    with pytest.raises(SourceError, match="nested deeper than 64 levels") as err:
        flatten(deep)
    assert CANARY_SSN not in str(err.value)
    assert flatten(deep, max_depth=6000) == {"a" + "[]" * 4999: [CANARY_SSN]}
    assert flatten(_deep(64)) == {"a" + "[]" * 63: [CANARY_SSN]}
    record = {"b": 1, "a": {"z": [{"y": "1"}, {"y": "2", "x": "3"}], "w": "4"}, "c": None}
    assert list(flatten(record).items()) == [  # the explicit stack keeps document order
        ("b", "1"),
        ("a.z[].y", ["1", "2"]),
        ("a.z[].x", ["3"]),
        ("a.w", "4"),
        ("c", None),
    ]


@pytest.mark.parametrize("depth", [100, 3000])
def test_deep_jsonl_line_is_a_source_error_naming_the_line(tmp_path: Path, depth: int) -> None:
    """3,000 levels (an 18 KB line) crashed the reader with RecursionError."""
    path = tmp_path / "deep.jsonl"
    path.write_text(json.dumps({"ok": CANARY_EMAIL}) + "\n" + _deep_text(depth) + "\n")
    with pytest.raises(SourceError, match=r"deep\.jsonl: line 2 is nested deeper than 64") as err:
        list(open_source(path).batches())
    assert err.value.line == 2  # type: ignore[attr-defined]
    assert CANARY_SSN not in str(err.value) and CANARY_EMAIL not in str(err.value)


@pytest.mark.parametrize("depth", [100, 3000])
def test_deep_json_document_and_array_element(tmp_path: Path, depth: int) -> None:
    doc = tmp_path / "doc.json"
    doc.write_text(_deep_text(depth))
    with pytest.raises(SourceError, match=r"the JSON document is nested deeper"):
        list(open_source(doc).batches())
    arr = tmp_path / "arr.json"
    arr.write_text("[" + json.dumps({"ok": 1}) + ", " + _deep_text(depth) + "]")
    with pytest.raises(SourceError, match=r"element 1 of the top-level array is nested deeper"):
        list(open_source(arr).batches())


def test_the_depth_limit_is_a_setting(tmp_path: Path) -> None:
    path = tmp_path / "d.jsonl"
    path.write_text(_deep_text(100) + "\n")
    [batch] = open_source(path, limits=Limits(max_depth=200)).batches()
    assert batch.column(0).to_pylist() == [[CANARY_SSN]]


def test_detect_records_refuse_json_too_deep_to_parse(tmp_path: Path) -> None:
    """detect reads JSONL through the source's records (no second reader)."""
    from dataward.cli.detect import open_input, read_records

    path = tmp_path / "in.jsonl"
    path.write_text('{"text": "x", "extra": ' + _deep_text(3000) + "}\n")
    with pytest.raises(SourceError, match=r"in\.jsonl: line 1 is nested deeper than 64") as err:
        list(read_records(open_input(str(path), Limits(), "text"), "text", "id"))
    assert CANARY_SSN not in str(err.value)


def test_an_unclosed_quote_at_the_end_is_an_error_naming_its_line(tmp_path: Path) -> None:
    """It used to merge every row after the quote into one value, silently."""
    path = tmp_path / "q.csv"
    path.write_text(f'id,note\n1,ok\n2,"call {CANARY_SSN}\n3,{CANARY_EMAIL}\n')
    with pytest.raises(SourceError, match=r"q\.csv: line 3: a quote .* never closed") as err:
        list(open_source(path).batches())
    assert err.value.line == 3  # type: ignore[attr-defined]
    assert CANARY_SSN not in str(err.value) and CANARY_EMAIL not in str(err.value)
    for end in ("\n", "\r\n", ""):  # closed multi-line values at the end are still read
        path.write_bytes(f'id,note\n1,"two\nlines"{end}'.encode())
        [batch] = open_source(path).batches()
        assert batch.column(1).to_pylist() == ["two\nlines"]


def test_truncated_parquet_is_refused_at_open(tmp_path: Path) -> None:
    """Callers that read Parquet themselves (protect) get the error from open_source."""
    good = tmp_path / "good.parquet"
    pq.write_table(pa.table({"ssn": [CANARY_SSN] * 100}), good)
    bad = tmp_path / "bad.parquet"
    bad.write_bytes(good.read_bytes()[:-9])
    with pytest.raises(SourceError, match=r"bad\.parquet: cannot read as Parquet .* truncated"):
        open_source(bad)
    assert open_source(good).format == "parquet"


def test_a_symlink_loop_is_a_source_error(tmp_path: Path) -> None:
    (tmp_path / "a").symlink_to(tmp_path / "b")
    (tmp_path / "b").symlink_to(tmp_path / "a")
    with pytest.raises(SourceError, match="symbolic link that leads nowhere"):
        open_source(tmp_path / "a")
    found = list(discover(tmp_path))
    assert len(found) == 2 and all(isinstance(f, SourceError) for f in found)
    assert all("symbolic links" in str(f) for f in found)
    assert [str(f) for f in discover(tmp_path / "a")] == [
        f"{tmp_path / 'a'}: a symbolic link that leads nowhere (a loop or a missing target)"
    ]
